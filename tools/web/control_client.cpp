#include "tools/web/control_client.hpp"

#include <algorithm>
#include <zmq.hpp>

namespace plinth::web {

ControlForwarder::ControlForwarder(std::string endpoint, std::chrono::milliseconds timeout, std::size_t max_waiting)
    : endpoint_(std::move(endpoint)), timeout_(timeout), max_waiting_(max_waiting), thread_([this] { run(); }) {}

ControlForwarder::~ControlForwarder() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

bool ControlForwarder::submit(nlohmann::json request, Done done) {
  {
    std::lock_guard lock(mutex_);
    if (jobs_.size() >= max_waiting_) return false;
    jobs_.push_back({std::move(request), std::move(done)});
  }
  wake_.notify_one();
  return true;
}

void ControlForwarder::run() {
  zmq::context_t context;
  for (;;) {
    Job job;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] { return stop_ || !jobs_.empty(); });
      if (stop_) break;
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    job.done(exchange(context, job.request));
  }
  for (Job& job : jobs_) job.done({{"ok", false}, {"error", "the dashboard is shutting down"}});
}

nlohmann::json ControlForwarder::exchange(zmq::context_t& context, const nlohmann::json& request) {
  // A fresh REQ socket per request: after a timeout a REQ socket can neither send nor
  // receive again, and a local connect costs nothing next to a person's click.
  try {
    zmq::socket_t socket(context, zmq::socket_type::req);
    socket.set(zmq::sockopt::linger, 0);
    socket.connect(endpoint_);
    const std::string text = request.dump();
    socket.send(zmq::buffer(text), zmq::send_flags::none);
    zmq::pollitem_t item{socket.handle(), 0, ZMQ_POLLIN, 0};
    const auto deadline = std::chrono::steady_clock::now() + timeout_;
    int ready = 0;
    while (ready <= 0 && std::chrono::steady_clock::now() < deadline) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      try {
        ready = zmq::poll(&item, 1, std::max(left, std::chrono::milliseconds(1)));
      } catch (const zmq::error_t& e) {
        if (e.num() != EINTR) throw;  // a signal for the main thread: keep waiting
      }
    }
    if (ready <= 0) {
      return {{"ok", false},
              {"error", "the daemon did not answer within " + std::to_string(timeout_.count() / 1000) +
                            " s at " + endpoint_ + " (is plinthd running?)"}};
    }
    zmq::message_t reply;
    if (!socket.recv(reply, zmq::recv_flags::dontwait)) return {{"ok", false}, {"error", "no reply from the daemon"}};
    nlohmann::json parsed = nlohmann::json::parse(reply.to_string_view(), nullptr, false);
    if (parsed.is_discarded() || !parsed.is_object() || !parsed.contains("ok"))
      return {{"ok", false}, {"error", "the daemon's reply is not a control-protocol JSON object"}};
    return parsed;
  } catch (const zmq::error_t& e) {
    return {{"ok", false}, {"error", std::string("control endpoint ") + endpoint_ + ": " + e.what()}};
  }
}

}  // namespace plinth::web
