#include "daemon/publisher.hpp"

#include <zmq.hpp>

#include "daemon/security/zap_authenticator.hpp"

namespace plinth {

struct Publisher::Impl {
  explicit Impl(zmq::context_t& context) : socket(context, zmq::socket_type::pub) {}
  zmq::socket_t socket;
};

Publisher::Publisher(zmq::context_t& context, const PublisherOptions& options)
    : impl_(std::make_unique<Impl>(context)), endpoint_(options.endpoint) {
  impl_->socket.set(zmq::sockopt::sndhwm, options.send_high_water_mark);
  impl_->socket.set(zmq::sockopt::linger, 0);
  if (!options.curve_secret_key.empty()) make_curve_server(impl_->socket, options.curve_secret_key, "plinth-data");
  impl_->socket.bind(options.endpoint);  // throws zmq::error_t, e.g. "Address already in use"
}

Publisher::~Publisher() = default;

std::uint64_t Publisher::next_seq(std::string_view topic) {
  auto it = sequences_.find(topic);
  if (it == sequences_.end()) it = sequences_.emplace(std::string(topic), 0).first;
  return it->second++;
}

bool Publisher::send(std::string_view topic, std::string_view payload) {
  auto first = impl_->socket.send(zmq::buffer(topic), zmq::send_flags::sndmore | zmq::send_flags::dontwait);
  auto second = first ? impl_->socket.send(zmq::buffer(payload), zmq::send_flags::dontwait) : first;
  if (second) {
    ++sent_;
    return true;
  }
  ++dropped_;
  return false;
}

}  // namespace plinth
