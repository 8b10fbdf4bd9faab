#pragma once
// A ZeroMQ subscriber in a process of its own, draining everything published, as every
// consumer of plinthd is (dashboard bridge, Python clients, plinth sub). In a thread of the
// measured process its receive buffers (one allocation per large message, made by ZeroMQ's I/O
// thread and freed by the reader) were counted as the pipeline's RSS, and their churn alone
// raised RSS by ~3-4 MB over a two-hour bench_pipeline --memory session (bench/RESULTS.md, row 4).
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <string>

namespace plinth::bench {

class SubscriberProcess {
 public:
  // Forks. Call it before this process creates a ZeroMQ context or a thread: the child then
  // inherits nothing it cannot use (and the calling thread's CPU affinity).
  explicit SubscriberProcess(const std::string& endpoint);
  ~SubscriberProcess();
  SubscriberProcess(const SubscriberProcess&) = delete;
  SubscriberProcess& operator=(const SubscriberProcess&) = delete;

  // True once the child has received a whole message (the subscription has reached the
  // publisher); false if none arrived within `timeout`.
  bool wait_for_first(std::chrono::milliseconds timeout);
  // Messages received so far, as last reported (the child reports every 8 messages, and its
  // exact count once nothing has arrived for 20 ms); no wait.
  std::uint64_t received();
  // Ends the child after it drained what had arrived; returns the messages it received.
  std::uint64_t stop();

 private:
  bool read_count(int timeout_ms);  // one report from the child into received_; false on timeout/EOF

  pid_t pid_ = -1;        // -1 once stopped
  int stop_write_ = -1;   // closing it tells the child to finish
  int report_read_ = -1;  // the child writes its running count here (8 bytes a report)
  std::uint64_t received_ = 0;
};

}  // namespace plinth::bench
