#pragma once
// The hub's control path (schemas/hub.md): clients' REQ requests arrive on one ROUTER, go to
// the daemon whose DEALER has the requested station as routing id on the other ROUTER, and the
// daemon's reply comes back the same way. The decisions are control_routes' pure functions;
// this class only moves frames.
#include <cstdint>

#include <zmq.hpp>

#include "tools/hub/control_routes.hpp"

namespace plinth::hub {

class ControlBroker {
 public:
  ControlBroker(zmq::socket_t& clients, zmq::socket_t& daemons) : clients_(clients), daemons_(daemons) {}

  void on_client_message(std::int64_t now_ns);  // a request (clients ROUTER readable)
  void on_daemon_message(std::int64_t now_ns);  // a hello or a reply (daemons ROUTER readable)
  void expire(std::int64_t now_ns);             // answers clients whose station did not
  const ControlRoutes& routes() const { return routes_; }

 private:
  void reply_to_client(const std::string& client, const std::string& reply);
  zmq::socket_t& clients_;
  zmq::socket_t& daemons_;
  ControlRoutes routes_;
  PendingReplies pending_;
};

}  // namespace plinth::hub
