#include "daemon/security/systemd_notify.hpp"

#include <spdlog/spdlog.h>
#include <systemd/sd-daemon.h>

#include <boost/asio/post.hpp>
#include <cstdint>
#include <cstdlib>

namespace plinth {
namespace {

// Without a watchdog, STATUS= is refreshed this often.
constexpr std::chrono::seconds kStatusRefresh{5};

void notify(const std::string& message) {
  const int rc = sd_notify(0, message.c_str());
  if (rc < 0) spdlog::warn("sd_notify: {}", rc);
}

}  // namespace

SystemdNotifier::SystemdNotifier(boost::asio::io_context& io) : timer_(io) {}

void SystemdNotifier::start(std::function<std::string()> status_line) {
  const char* socket = std::getenv("NOTIFY_SOCKET");
  active_ = socket && *socket;
  if (!active_) return;
  status_line_ = std::move(status_line);
  std::uint64_t usec = 0;
  watchdog_ = sd_watchdog_enabled(0, &usec) > 0 && usec > 0;
  interval_ = watchdog_ ? std::min<std::chrono::microseconds>(std::chrono::microseconds(usec / 2), kStatusRefresh)
                        : std::chrono::microseconds(kStatusRefresh);
  boost::asio::post(timer_.get_executor(), [this] {
    if (!active_) return;
    notify("READY=1\nSTATUS=" + status_line_());
    spdlog::info("systemd: ready{}", watchdog_ ? fmt::format(", watchdog ping every {} ms", interval_.count() / 1000)
                                               : std::string());
    schedule();
  });
}

void SystemdNotifier::schedule() {
  timer_.expires_after(interval_);
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || !active_) return;
    notify(std::string(watchdog_ ? "WATCHDOG=1\n" : "") + "STATUS=" + status_line_());
    schedule();
  });
}

void SystemdNotifier::stopping() {
  if (!active_) return;
  active_ = false;
  timer_.cancel();
  notify("STOPPING=1\nSTATUS=shutting down");
}

}  // namespace plinth
