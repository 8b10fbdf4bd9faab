#include "tools/hub/traffic_watch.hpp"

#include <cstring>

#include "tools/hub/data_proxy.hpp"
#include "tools/hub/header_peek.hpp"

namespace plinth::hub {
namespace {

constexpr const char* kMonitorEndpoint = "inproc://plinth-hub-xpub-monitor";

}  // namespace

TrafficWatch::TrafficWatch(zmq::context_t& context, zmq::socket_t& consumers_xpub, std::string own_station)
    : capture_(context, zmq::socket_type::sub), monitor_(context, zmq::socket_type::pair), own_station_(std::move(own_station)) {
  capture_.set(zmq::sockopt::rcvhwm, 100000);
  capture_.set(zmq::sockopt::subscribe, "");
  capture_.connect(kCaptureEndpoint);
  if (zmq_socket_monitor(consumers_xpub.handle(), kMonitorEndpoint,
                         ZMQ_EVENT_HANDSHAKE_SUCCEEDED | ZMQ_EVENT_DISCONNECTED) != 0)
    throw zmq::error_t();
  monitor_.connect(kMonitorEndpoint);
}

void TrafficWatch::on_capture(std::int64_t now_ns) {
  // Data flows as [topic, payload]; subscriptions flowing the other way are single frames.
  zmq::message_t topic, payload;
  if (!capture_.recv(topic, zmq::recv_flags::dontwait)) return;
  if (!topic.more()) return;
  (void)capture_.recv(payload, zmq::recv_flags::none);
  while (payload.more()) (void)capture_.recv(payload, zmq::recv_flags::none);  // stay in step
  ++captured_;
  const auto header = peek_header(payload.to_string_view());
  if (!header || header->station == own_station_) return;
  traffic_.count(header->station, topic.size() + payload.size(), now_ns);
}

void TrafficWatch::on_monitor() {
  // A monitor event: [6 bytes: uint16 event, uint32 value (here the fd)], [endpoint].
  zmq::message_t event, address;
  if (!monitor_.recv(event, zmq::recv_flags::dontwait)) return;
  if (event.more()) (void)monitor_.recv(address, zmq::recv_flags::none);
  if (event.size() < 6) return;
  std::uint16_t id = 0;
  std::uint32_t fd = 0;
  std::memcpy(&id, event.data(), sizeof id);
  std::memcpy(&fd, static_cast<const char*>(event.data()) + 2, sizeof fd);
  if (id == ZMQ_EVENT_HANDSHAKE_SUCCEEDED) subscribers_.handshake_succeeded(static_cast<int>(fd));
  if (id == ZMQ_EVENT_DISCONNECTED) subscribers_.disconnected(static_cast<int>(fd));
}

}  // namespace plinth::hub
