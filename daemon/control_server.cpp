#include "daemon/control_server.hpp"

#include <spdlog/spdlog.h>

#include <zmq.hpp>

#include "daemon/security/zap_authenticator.hpp"

namespace plinth {

struct ControlServer::Impl {
  explicit Impl(zmq::context_t& context) : socket(context, zmq::socket_type::rep) {}
  zmq::socket_t socket;
};

ControlServer::ControlServer(zmq::context_t& context, const std::string& endpoint, Handler handler,
                             const std::string& curve_secret_key)
    : impl_(std::make_unique<Impl>(context)), handler_(std::move(handler)) {
  impl_->socket.set(zmq::sockopt::linger, 0);
  if (!curve_secret_key.empty()) make_curve_server(impl_->socket, curve_secret_key, "plinth-control");
  // libzmq rejects larger messages before they are buffered: a stranger cannot make the
  // daemon allocate megabytes.
  impl_->socket.set(zmq::sockopt::maxmsgsize, static_cast<std::int64_t>(kMaxControlRequestBytes * 4));
  impl_->socket.bind(endpoint);
  thread_ = std::thread([this] { run(); });
}

ControlServer::~ControlServer() { stop(); }

void ControlServer::stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

void ControlServer::run() {
  zmq::socket_t& socket = impl_->socket;
  while (!stop_) {
    zmq::pollitem_t item{socket.handle(), 0, ZMQ_POLLIN, 0};
    try {
      if (zmq::poll(&item, 1, std::chrono::milliseconds(100)) <= 0) continue;
      zmq::message_t request;
      if (!socket.recv(request, zmq::recv_flags::dontwait)) continue;
      // A request is one frame; extra frames are read and ignored so REP stays in step.
      while (request.more()) {
        zmq::message_t extra;
        if (!socket.recv(extra, zmq::recv_flags::dontwait)) break;
        if (!extra.more()) break;
      }
      ++requests_;
      std::string reply;
      auto parsed = parse_control_request(request.to_string_view());
      if (auto* error = std::get_if<ControlParseError>(&parsed)) {
        ++rejected_;
        spdlog::warn("control: rejected request: {}", error->message);
        reply = control_error_reply(error->message);
      } else {
        try {
          reply = handler_(std::get<ControlRequest>(parsed));
        } catch (const std::exception& e) {
          reply = control_error_reply(e.what());
        }
      }
      socket.send(zmq::buffer(reply), zmq::send_flags::none);
    } catch (const zmq::error_t& e) {
      if (e.num() == ETERM) break;
      spdlog::error("control endpoint: {}", e.what());
    }
  }
}

}  // namespace plinth
