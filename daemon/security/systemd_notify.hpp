#pragma once
// plinthd as a systemd Type=notify service (tools/systemd/plinthd.service): READY=1 once the
// devices are set up and the endpoints are bound, WATCHDOG=1 from a timer on the Asio loop
// (so a stuck loop stops the pings and systemd restarts the daemon), STATUS= with a short
// summary, STOPPING=1 on shutdown. Without NOTIFY_SOCKET every call does nothing.
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <string>

namespace plinth {

class SystemdNotifier {
 public:
  explicit SystemdNotifier(boost::asio::io_context& io);

  // Sends READY=1 from the loop once it runs, then WATCHDOG=1 every half watchdog period
  // (WATCHDOG_USEC) with STATUS=status_line(); status_line runs on the loop.
  void start(std::function<std::string()> status_line);
  // STOPPING=1; also stops the pings.
  void stopping();

  bool active() const { return active_; }
  std::chrono::microseconds ping_interval() const { return interval_; }

 private:
  void schedule();
  boost::asio::steady_timer timer_;
  std::function<std::string()> status_line_;
  std::chrono::microseconds interval_{0};
  bool watchdog_ = false;
  bool active_ = false;
};

}  // namespace plinth
