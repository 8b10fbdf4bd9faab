#include "daemon/publisher.hpp"

#include <zmq.hpp>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

#include "daemon/security/zap_authenticator.hpp"
#include "daemon/util/batch_scheduling.hpp"

namespace plinth {

struct Publisher::Impl {
  Impl(zmq::context_t& context, bool xpub)
      : socket(context, xpub ? zmq::socket_type::xpub : zmq::socket_type::pub), see_subscriptions(xpub) {}
  zmq::socket_t socket;
  bool see_subscriptions;
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

namespace {

std::vector<pid_t> zmq_threads() {
  std::vector<pid_t> threads;
  std::error_code error;
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task", error)) {
    std::ifstream comm(task.path() / "comm");
    std::string name;
    if (std::getline(comm, name) && name.starts_with("ZMQbg/"))
      threads.push_back(static_cast<pid_t>(std::strtol(task.path().filename().c_str(), nullptr, 10)));
  }
  return threads;
}

}  // namespace

int run_zmq_threads_as_bulk(zmq::context_t& context) {
  // Not ZMQ_THREAD_SCHED_POLICY: libzmq asserts when pthread_setschedparam fails, and the
  // systemd unit's seccomp filter may refuse it. Refused here, the threads just stay as they were.
  // They name themselves once running, so a scan just after the first socket may miss one: wait
  // (at most a second) for the I/O threads and the reaper.
  const auto expected = static_cast<std::size_t>(context.get(zmq::ctxopt::io_threads)) + 1;
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(1);
  std::vector<pid_t> threads = zmq_threads();
  while (threads.size() < expected && std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
    threads = zmq_threads();
  }
  int refused = 0;
  for (const pid_t tid : threads)
    if (!run_as_bulk_thread(tid) && refused == 0) refused = errno;
  return refused;
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
