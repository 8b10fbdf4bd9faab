// DeviceLink's pending handlers own it (shared_from_this): a link its owner let go of lives
// until they have run, and once stopped they end without calling back.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <memory>
#include <string>
#include <vector>

#include "daemon/device_link.hpp"

namespace plinth {
namespace {

// The device's end of a pseudo-terminal; the link opens the other end as its port.
struct Pty {
  Pty() : master(::posix_openpt(O_RDWR | O_NOCTTY)) {
    if (master < 0 || ::grantpt(master) != 0 || ::unlockpt(master) != 0) throw std::runtime_error("no pty");
    port = ::ptsname(master);
  }
  ~Pty() { ::close(master); }
  int master;
  std::string port;
};

TEST(DeviceLink, PendingReadKeepsAStoppedLinkAliveAndSilent) {
  Pty pty;
  boost::asio::io_context io;
  HostClock clock;
  DeviceLinkConfig config;
  config.id = "mat0";
  config.driver = find_driver("plinth-mat");
  config.selector.port = pty.port;
  std::vector<std::string> states;
  TransportCallbacks callbacks;
  callbacks.on_state = [&](std::string_view state, const std::string&) { states.emplace_back(state); };
  auto link = std::make_shared<DeviceLink>(io, clock, config, callbacks);

  link->start();  // the port opens and a read is now pending
  ASSERT_EQ(states, std::vector<std::string>{"connected"});
  DeviceHealth health;
  link->fill_health(health);
  EXPECT_EQ(health.state, "connected");
  EXPECT_EQ(health.port, pty.port);

  const std::weak_ptr<DeviceLink> watch = link;
  link->stop();
  link.reset();
  EXPECT_FALSE(watch.expired()) << "the pending read holds the link";
  io.run();
  EXPECT_TRUE(watch.expired()) << "the link goes with its last handler";
  EXPECT_EQ(states, std::vector<std::string>{"connected"}) << "the aborted read reports no loss";
}

}  // namespace
}  // namespace plinth
