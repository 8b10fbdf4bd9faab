#pragma once
// The hub's statistics inputs: the proxy's capture copies (counted per station by their
// header) and the consumers' XPUB monitor (subscribers). Both sockets are inproc, in the
// consumers' context.
#include <cstdint>
#include <string>

#include <zmq.hpp>

#include "tools/hub/station_traffic.hpp"
#include "tools/hub/subscriber_count.hpp"

namespace plinth::hub {

class TrafficWatch {
 public:
  // `own_station`: the hub's name; its hub.status messages flow through the proxy too and are
  // not a station's traffic.
  TrafficWatch(zmq::context_t& context, zmq::socket_t& consumers_xpub, std::string own_station);

  zmq::socket_t& capture() { return capture_; }
  zmq::socket_t& monitor() { return monitor_; }
  void on_capture(std::int64_t now_ns);  // capture readable
  void on_monitor();                     // monitor readable

  StationTraffic& traffic() { return traffic_; }
  std::size_t subscribers() const { return subscribers_.count(); }
  // Daemon-side messages seen on the capture, the hub's own included (to compare with the
  // proxy's frontend count).
  std::uint64_t captured() const { return captured_; }

 private:
  zmq::socket_t capture_;
  zmq::socket_t monitor_;
  std::string own_station_;
  StationTraffic traffic_;
  SubscriberCount subscribers_;
  std::uint64_t captured_ = 0;
};

}  // namespace plinth::hub
