#include "daemon/publisher.hpp"

#include <zmq.hpp>

#include <sched.h>

#include <cerrno>
#include <cstring>

#include "daemon/security/zap_authenticator.hpp"
#include "daemon/util/batch_scheduling.hpp"

namespace plinth {

struct Publisher::Impl {
  Impl(zmq::context_t& context, bool xpub)
      : socket(context, xpub ? zmq::socket_type::xpub : zmq::socket_type::pub), see_subscriptions(xpub) {}
  zmq::socket_t socket;
  bool see_subscriptions;
  zmq::message_t pending;  // payload() encodes into it; sending it leaves it empty

  static std::byte* reserve(void* owner, std::size_t bytes) {
    zmq::message_t& message = static_cast<Impl*>(owner)->pending;
    message.rebuild(bytes);
    return message.data<std::byte>();
  }
};

Publisher::Publisher(zmq::context_t& context, const PublisherOptions& options)
    : impl_(std::make_unique<Impl>(context, options.see_subscriptions)), endpoint_(options.endpoint) {
  impl_->socket.set(zmq::sockopt::sndhwm, options.send_high_water_mark);
  impl_->socket.set(zmq::sockopt::linger, 0);
  if (!options.curve_secret_key.empty()) make_curve_server(impl_->socket, options.curve_secret_key, "plinth-data");
  impl_->socket.bind(options.endpoint);  // throws zmq::error_t, e.g. "Address already in use"
}

Publisher::~Publisher() = default;

void Publisher::connect(const std::string& endpoint, const CurveKeyPair& own_keys, const std::string& server_public_key) {
  if (!server_public_key.empty()) make_curve_client(impl_->socket, own_keys, server_public_key);
  // Queue only while connected: after a hub outage its consumers get live data, not a burst of
  // the last high-water mark's worth of stale messages (the hub re-sends the subscriptions).
  impl_->socket.set(zmq::sockopt::immediate, 1);
  impl_->socket.connect(endpoint);
}

std::uint64_t Publisher::next_seq(std::string_view topic) {
  auto it = sequences_.find(topic);
  if (it == sequences_.end()) it = sequences_.emplace(std::string(topic), 0).first;
  return it->second++;
}

int start_bulk_io_threads(zmq::context_t& context) {
  // A new thread takes its creator's policy, and a context starts its threads with its first
  // socket: make one as a bulk thread, then go back. Not ZMQ_THREAD_SCHED_POLICY: libzmq asserts
  // when pthread_setschedparam fails, and the systemd unit's seccomp filter may refuse it.
  const int policy = ::sched_getscheduler(0);
  sched_param priority{};
  ::sched_getparam(0, &priority);
  if (!run_as_bulk_thread()) return errno;
  { const zmq::socket_t starter(context, zmq::socket_type::pub); }
  return ::sched_setscheduler(0, policy, &priority) == 0 ? 0 : errno;
}

bool Publisher::take_subscription_notice(std::chrono::milliseconds wait) {
  if (!impl_->see_subscriptions) return false;
  zmq::pollitem_t item{impl_->socket.handle(), 0, ZMQ_POLLIN, 0};
  try {
    if (zmq::poll(&item, 1, wait) <= 0) return false;
  } catch (const zmq::error_t& e) {
    if (e.num() == EINTR) return false;  // a signal: the caller decides whether to go on waiting
    throw;
  }
  zmq::message_t notice;
  // XPUB notices: first byte 1 = subscribe, 0 = unsubscribe, then the topic prefix.
  return impl_->socket.recv(notice, zmq::recv_flags::dontwait) && notice.size() > 0 &&
         notice.data<unsigned char>()[0] == 1;
}

void Publisher::set_linger(std::chrono::milliseconds linger) {
  impl_->socket.set(zmq::sockopt::linger, static_cast<int>(linger.count()));
}

bool Publisher::send(std::string_view topic, std::string_view payload) {
  std::byte* body = Impl::reserve(impl_.get(), payload.size());
  if (!payload.empty()) std::memcpy(body, payload.data(), payload.size());
  return send_payload(topic);
}

PayloadOut Publisher::payload() { return {impl_.get(), &Impl::reserve}; }

bool Publisher::send_payload(std::string_view topic) {
  zmq::message_t& body = impl_->pending;
  auto first = impl_->socket.send(zmq::buffer(topic), zmq::send_flags::sndmore | zmq::send_flags::dontwait);
  auto second = first ? impl_->socket.send(body, zmq::send_flags::dontwait) : first;
  body.rebuild();  // sent, it is empty already; refused, its payload must not go with the next topic
  if (second) {
    ++sent_;
    return true;
  }
  ++dropped_;
  return false;
}

}  // namespace plinth
