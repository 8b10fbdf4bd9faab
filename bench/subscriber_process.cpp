#include "bench/subscriber_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <stdexcept>
#include <zmq.hpp>

namespace plinth::bench {
namespace {

constexpr std::uint64_t kReportEvery = 8;  // messages

// 8 bytes are below PIPE_BUF: a report is written whole or not at all. A running report is
// skipped while the pipe is full (a parent that does not look needs only the total).
void report_running(int fd, std::uint64_t count) { (void)!::write(fd, &count, sizeof count); }

void report_total(int fd, std::uint64_t count) {
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  if (::write(fd, &count, sizeof count) != static_cast<ssize_t>(sizeof count)) ::_exit(3);
}

[[noreturn]] void subscribe_until_told(const std::string& endpoint, int stop_read, int report_write) {
  std::uint64_t received = 0;
  ::fcntl(report_write, F_SETFL, ::fcntl(report_write, F_GETFL) | O_NONBLOCK);
  try {
    zmq::context_t context;
    zmq::socket_t socket(context, zmq::socket_type::sub);
    socket.set(zmq::sockopt::subscribe, "");
    socket.connect(endpoint);
    zmq::pollitem_t items[] = {{socket.handle(), 0, ZMQ_POLLIN, 0}, {nullptr, stop_read, ZMQ_POLLIN, 0}};
    zmq::message_t message;
    std::uint64_t reported = 0;
    for (;;) {
      // Quiet for a moment: report the exact count, so a parent that waits sees it settle.
      if (zmq::poll(items, 2, std::chrono::milliseconds(20)) == 0 && received != reported) {
        report_running(report_write, received);
        reported = received;
      }
      if (items[0].revents & ZMQ_POLLIN) {
        while (socket.recv(message, zmq::recv_flags::dontwait)) {
          if (message.more()) continue;
          if (++received - reported >= kReportEvery || received == 1) {
            report_running(report_write, received);
            reported = received;
          }
        }
      }
      if (items[1].revents) break;  // the parent closed its end
    }
    socket.set(zmq::sockopt::linger, 0);
  } catch (const std::exception&) {
    ::_exit(2);
  }
  report_total(report_write, received);
  ::_exit(0);  // not exit(): the parent's atexit handlers and stdio buffers are not ours
}

}  // namespace

SubscriberProcess::SubscriberProcess(const std::string& endpoint) {
  int stop_pipe[2], report_pipe[2];
  if (::pipe(stop_pipe) != 0) throw std::runtime_error("subscriber process: pipe failed");
  if (::pipe(report_pipe) != 0) {
    ::close(stop_pipe[0]);
    ::close(stop_pipe[1]);
    throw std::runtime_error("subscriber process: pipe failed");
  }
  pid_ = ::fork();
  if (pid_ < 0) {
    for (int fd : {stop_pipe[0], stop_pipe[1], report_pipe[0], report_pipe[1]}) ::close(fd);
    throw std::runtime_error("subscriber process: fork failed");
  }
  if (pid_ == 0) {
    ::close(stop_pipe[1]);
    ::close(report_pipe[0]);
    subscribe_until_told(endpoint, stop_pipe[0], report_pipe[1]);
  }
  ::close(stop_pipe[0]);
  ::close(report_pipe[1]);
  stop_write_ = stop_pipe[1];
  report_read_ = report_pipe[0];
}

SubscriberProcess::~SubscriberProcess() { stop(); }

bool SubscriberProcess::read_count(int timeout_ms) {
  pollfd fd{report_read_, POLLIN, 0};
  if (::poll(&fd, 1, timeout_ms) <= 0) return false;
  std::uint64_t count = 0;
  if (::read(report_read_, &count, sizeof count) != static_cast<ssize_t>(sizeof count)) return false;
  received_ = count;
  return true;
}

bool SubscriberProcess::wait_for_first(std::chrono::milliseconds timeout) {
  if (received_ > 0) return true;
  return pid_ > 0 && read_count(static_cast<int>(timeout.count()));
}

std::uint64_t SubscriberProcess::received() {
  while (pid_ > 0 && read_count(0)) {
  }
  return received_;
}

std::uint64_t SubscriberProcess::stop() {
  if (pid_ <= 0) return received_;
  ::close(stop_write_);
  while (read_count(-1)) {
  }  // the last report before EOF is the total
  ::close(report_read_);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
  return received_;
}

}  // namespace plinth::bench
