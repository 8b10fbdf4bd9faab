// The real BlueZ client against python3-dbusmock's bluez5 template on a private bus: the
// strap is played by tests/bluez/mock_strap.py, everything on the client side is real
// (sd-bus, Asio, the 0x2A37 decoder).
#include <gtest/gtest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <thread>

#include "drivers/bluez/bluez_heart_strap.hpp"
#include "tests/unit/bluez_mock_bus.hpp"

namespace plinth {
namespace {

using namespace std::chrono_literals;
using testing::MockBluezBus;

constexpr const char* kStrapAddress = "A0:9E:1A:00:00:01";
constexpr const char* kStrapName = "Polar H10 1234ABCD";
constexpr auto kWaitLimit = 15s;  // generous: the machine is shared; never a timing assertion

double rr_ms(const HeartSample& s) { return s.rr_1024 * 1000.0 / 1024.0; }

// Everything the client reports, gathered across threads.
class Recorder {
 public:
  void add_samples(const std::vector<HeartSample>& samples) {
    std::lock_guard lock(mutex_);
    samples_.insert(samples_.end(), samples.begin(), samples.end());
    changed_.notify_all();
  }
  void add_state(BluezStrapState state, const std::string& detail) {
    std::lock_guard lock(mutex_);
    states_.emplace_back(state, detail);
    changed_.notify_all();
  }
  bool wait_samples(std::size_t count) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, kWaitLimit, [&] { return samples_.size() >= count; });
  }
  // Waits until `state` has been entered `times` times (counting from the start).
  bool wait_state(BluezStrapState state, std::size_t times = 1) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, kWaitLimit, [&] { return entered(state) >= times; });
  }
  bool wait_detail(BluezStrapState state, const std::string& part) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, kWaitLimit, [&] {
      for (const auto& [s, d] : states_) {
        if (s == state && d.find(part) != std::string::npos) return true;
      }
      return false;
    });
  }
  std::vector<HeartSample> samples() {
    std::lock_guard lock(mutex_);
    return samples_;
  }
  std::string history() {
    std::lock_guard lock(mutex_);
    std::string text;
    for (const auto& [s, d] : states_) text += std::string(state_name(s)) + ": " + d + "\n";
    return text;
  }

 private:
  std::size_t entered(BluezStrapState state) const {
    std::size_t n = 0;
    for (std::size_t i = 0; i < states_.size(); ++i) {
      if (states_[i].first == state && (i == 0 || states_[i - 1].first != state)) ++n;
    }
    return n;
  }

  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<HeartSample> samples_;
  std::vector<std::pair<BluezStrapState, std::string>> states_;
};

// Runs the client on its own io_context thread, as the daemon would, and lets the test
// thread drive the mock meanwhile.
class StrapUnderTest {
 public:
  StrapUnderTest(const std::string& bus_address, const std::string& device) {
    BluezStrapConfig config;
    config.bus_address = bus_address;
    config.device = device;
    config.reconnect_delay = 200ms;
    BluezStrapCallbacks callbacks;
    callbacks.on_samples = [this](const std::vector<HeartSample>& s) { recorder.add_samples(s); };
    callbacks.on_state = [this](BluezStrapState s, const std::string& d) { recorder.add_state(s, d); };
    strap_ = std::make_unique<BluezHeartStrap>(io_, config, callbacks);
    thread_ = std::thread([this] { io_.run(); });
    on_io([this] { strap_->start(); });
  }
  ~StrapUnderTest() {
    on_io([this] { strap_.reset(); });
    guard_.reset();
    io_.stop();
    thread_.join();
  }

  BluezStrapCounters counters() {
    BluezStrapCounters c;
    on_io([&] { c = strap_->counters(); });
    return c;
  }

  Recorder recorder;

 private:
  void on_io(const std::function<void()>& work) {
    std::promise<void> done;
    boost::asio::post(io_, [&] {
      work();
      done.set_value();
    });
    done.get_future().wait();
  }

  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard_{io_.get_executor()};
  std::unique_ptr<BluezHeartStrap> strap_;
  std::thread thread_;
};

class BluezHeartStrapTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (auto missing = MockBluezBus::missing_tools()) GTEST_SKIP() << "BlueZ mock tests need: " << *missing;
  }

  // Adapter hci0 and one strap, known to BlueZ but not connected. Returns the device path.
  std::string add_strap(MockBluezBus& bus) {
    bus.must({"add-adapter", "hci0"});
    return bus.must({"add-device", "hci0", kStrapAddress, kStrapName});
  }
};

TEST_F(BluezHeartStrapTest, StartNotifyDeliversBeatsAndResubscribesAfterLinkLoss) {
  MockBluezBus bus;
  const std::string device = add_strap(bus);
  const std::string characteristic = device + "/service000c/char000d";
  StrapUnderTest strap(bus.address(), "Polar H10");  // by name prefix

  bus.must({"wait-calls", device, "Connect", "1"});
  bus.must({"resolve", device});  // the mock's GATT object has StartNotify only
  ASSERT_TRUE(strap.recorder.wait_state(BluezStrapState::streaming)) << strap.recorder.history();

  bus.must({"notify", device, "10 3C 00 04 33 03 CD 04"});
  ASSERT_TRUE(strap.recorder.wait_samples(3)) << strap.recorder.history();
  auto samples = strap.recorder.samples();
  ASSERT_EQ(samples.size(), 3u);
  EXPECT_NEAR(rr_ms(samples[0]), 1000.0, 0.05);
  EXPECT_NEAR(rr_ms(samples[1]), 799.8, 0.05);
  EXPECT_NEAR(rr_ms(samples[2]), 1200.2, 0.05);
  EXPECT_EQ(samples[0].hr_bpm, 60);

  // A malformed payload is counted and skipped; the stream goes on.
  bus.must({"notify", device, "10 3C 00"});
  bus.must({"notify", device, "10 48 00 02"});
  ASSERT_TRUE(strap.recorder.wait_samples(4)) << strap.recorder.history();
  EXPECT_EQ(strap.recorder.samples()[3].rr_1024, 512);
  auto counters = strap.counters();
  EXPECT_EQ(counters.decode_errors, 1u);
  EXPECT_FALSE(counters.last_decode_error.empty());
  EXPECT_FALSE(counters.acquired_notify);
  EXPECT_EQ(counters.characteristic_path, characteristic);
  EXPECT_EQ(counters.subscriptions, 1u);

  bus.must({"link-loss", device});
  ASSERT_TRUE(strap.recorder.wait_state(BluezStrapState::lost)) << strap.recorder.history();
  bus.must({"wait-calls", device, "Connect", "2"});
  bus.must({"resolve", device});
  ASSERT_TRUE(strap.recorder.wait_state(BluezStrapState::streaming, 2)) << strap.recorder.history();
  EXPECT_EQ(bus.must({"count-calls", characteristic, "StartNotify"}), "1");  // on the new object

  bus.must({"notify", device, "10 3C 00 04 33 03 CD 04"});
  ASSERT_TRUE(strap.recorder.wait_samples(7)) << strap.recorder.history();
  samples = strap.recorder.samples();
  EXPECT_EQ(samples[4].rr_1024, 1024);
  EXPECT_EQ(samples[6].rr_1024, 1229);
  counters = strap.counters();
  EXPECT_EQ(counters.subscriptions, 2u);
  EXPECT_EQ(counters.link_losses, 1u);
}

TEST_F(BluezHeartStrapTest, AcquireNotifyReadsBeatsFromTheFdAndReacquiresAfterLinkLoss) {
  MockBluezBus bus;
  const std::string device = add_strap(bus);
  const std::string characteristic = device + "/service000c/char000d";
  StrapUnderTest strap(bus.address(), "a0:9e:1a:00:00:01");  // by address, any case

  bus.must({"wait-calls", device, "Connect", "1"});
  bus.must({"resolve", device, "--acquire"});
  ASSERT_TRUE(strap.recorder.wait_state(BluezStrapState::streaming)) << strap.recorder.history();
  EXPECT_TRUE(strap.counters().acquired_notify);
  EXPECT_EQ(bus.must({"count-calls", characteristic, "StartNotify"}), "0");

  bus.must({"notify", device, "10 3C 00 04 33 03 CD 04"});
  ASSERT_TRUE(strap.recorder.wait_samples(3)) << strap.recorder.history();
  EXPECT_NEAR(rr_ms(strap.recorder.samples()[1]), 799.8, 0.05);

  bus.must({"link-loss", device});
  ASSERT_TRUE(strap.recorder.wait_state(BluezStrapState::lost)) << strap.recorder.history();
  bus.must({"wait-calls", device, "Connect", "2"});
  bus.must({"resolve", device, "--acquire"});
  ASSERT_TRUE(strap.recorder.wait_state(BluezStrapState::streaming, 2)) << strap.recorder.history();
  EXPECT_EQ(bus.must({"count-calls", characteristic, "AcquireNotify"}), "1");
  bus.must({"notify", device, "10 3C 00 04"});
  ASSERT_TRUE(strap.recorder.wait_samples(4)) << strap.recorder.history();
  EXPECT_EQ(strap.recorder.samples()[3].rr_1024, 1024);
  EXPECT_TRUE(strap.counters().acquired_notify);
  EXPECT_EQ(strap.counters().subscriptions, 2u);
}

TEST_F(BluezHeartStrapTest, ReportsAMissingAdapterAndProceedsWhenItAppears) {
  MockBluezBus bus;
  StrapUnderTest strap(bus.address(), kStrapAddress);
  ASSERT_TRUE(strap.recorder.wait_detail(BluezStrapState::error, "no Bluetooth adapter 'hci0'"))
      << strap.recorder.history();

  const std::string device = add_strap(bus);
  bus.must({"wait-calls", device, "Connect", "1"});
  EXPECT_TRUE(strap.recorder.wait_state(BluezStrapState::connecting)) << strap.recorder.history();
}

TEST_F(BluezHeartStrapTest, ScansForAnUnknownStrapAndConnectsWhenItAppears) {
  MockBluezBus bus;
  bus.must({"add-adapter", "hci0"});
  StrapUnderTest strap(bus.address(), kStrapName);
  ASSERT_TRUE(strap.recorder.wait_detail(BluezStrapState::searching, "not found")) << strap.recorder.history();
  bus.must({"wait-calls", "/org/bluez/hci0", "StartDiscovery", "1"});

  const std::string device = bus.must({"add-device", "hci0", kStrapAddress, kStrapName});
  bus.must({"wait-calls", device, "Connect", "1"});
  bus.must({"wait-calls", "/org/bluez/hci0", "StopDiscovery", "1"});
}

TEST_F(BluezHeartStrapTest, GoesBackToSearchingWhenBluezForgetsTheStrap) {
  MockBluezBus bus;
  const std::string device = add_strap(bus);
  StrapUnderTest strap(bus.address(), kStrapAddress);
  bus.must({"wait-calls", device, "Connect", "1"});
  bus.must({"resolve", device});
  ASSERT_TRUE(strap.recorder.wait_state(BluezStrapState::streaming)) << strap.recorder.history();

  bus.must({"remove-device", "hci0", device});
  ASSERT_TRUE(strap.recorder.wait_detail(BluezStrapState::searching, "not found")) << strap.recorder.history();
}

TEST_F(BluezHeartStrapTest, ReportsThatBluezIsNotRunning) {
  MockBluezBus bus(/*with_bluez=*/false);
  StrapUnderTest strap(bus.address(), kStrapAddress);
  EXPECT_TRUE(strap.recorder.wait_detail(BluezStrapState::error, "is bluetoothd running")) << strap.recorder.history();
}

TEST_F(BluezHeartStrapTest, ReportsALostBusConnection) {
  auto bus = std::make_unique<MockBluezBus>();
  const std::string device = add_strap(*bus);
  StrapUnderTest strap(bus->address(), kStrapAddress);
  bus->must({"wait-calls", device, "Connect", "1"});
  bus.reset();  // dbus-daemon and the mock go away
  EXPECT_TRUE(strap.recorder.wait_detail(BluezStrapState::error, "D-Bus connection lost")) << strap.recorder.history();
}

TEST(BluezHeartStrap, ReportsAnUnreachableBus) {
  StrapUnderTest strap("unix:path=/nonexistent/plinth-test-bus", kStrapAddress);
  EXPECT_TRUE(strap.recorder.wait_detail(BluezStrapState::error, "cannot connect to D-Bus")) << strap.recorder.history();
}

TEST(BluezHeartStrap, RejectsAConfigWithoutDevice) {
  boost::asio::io_context io;
  EXPECT_THROW(BluezHeartStrap(io, BluezStrapConfig{}, {}), std::invalid_argument);
}

}  // namespace
}  // namespace plinth
