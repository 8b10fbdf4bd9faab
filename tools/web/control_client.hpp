#pragma once
// Forwards the browsers' commands to the daemon's control endpoint (ZeroMQ REQ) on a worker
// thread, so a slow or absent daemon never stalls the network thread. At most a few
// requests wait; a request the daemon does not answer in time gets an error reply.
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

namespace zmq {
class context_t;
}

namespace plinth::web {

class ControlForwarder {
 public:
  using Done = std::function<void(nlohmann::json reply)>;

  ControlForwarder(std::string endpoint, std::chrono::milliseconds timeout, std::size_t max_waiting = 16);
  ~ControlForwarder();  // answers what still waits with an error, joins the thread
  ControlForwarder(const ControlForwarder&) = delete;
  ControlForwarder& operator=(const ControlForwarder&) = delete;

  // `done` runs on the worker thread with the daemon's reply or {"ok":false,"error":...}.
  // Returns false (and does not call `done`) when too many requests already wait.
  bool submit(nlohmann::json request, Done done);

 private:
  struct Job {
    nlohmann::json request;
    Done done;
  };
  void run();
  nlohmann::json exchange(zmq::context_t& context, const nlohmann::json& request);

  std::string endpoint_;
  std::chrono::milliseconds timeout_;
  std::size_t max_waiting_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Job> jobs_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace plinth::web
