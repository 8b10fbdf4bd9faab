// plinthd's per-frame path for a mat (MatChannel::on_message: sequence check, pipeline, both
// messages encoded and sent, the archive hand-over, the stage latencies) allocates nothing from
// the C++ heap on the acquisition thread once warm. Only this thread's allocations count: the
// archive's and ZeroMQ's threads allocate as they please.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <cmath>
#include <filesystem>
#include <zmq.hpp>

#include "daemon/archive/archive_writer.hpp"
#include "daemon/config/daemon_config.hpp"
#include "daemon/mat_channel.hpp"
#include "daemon/publisher.hpp"
#include "daemon/session_outlet.hpp"
#include "drivers/sim/body_scenario.hpp"
#include "drivers/stream_decoder.hpp"

#include "tests/unit/counting_allocator.hpp"
#if defined(PLINTH_COUNTING_ALLOCATOR)

namespace plinth {
namespace {

class TestOutlet final : public SessionOutlet {
 public:
  explicit TestOutlet(Publisher& publisher) : publisher_(publisher) {}
  void set_archive(ArchiveWriter* archive) { archive_ = archive; }
  const std::string& session_id() const override { return session_id_; }
  const std::string& station() const override { return station_; }
  Publisher& publisher() override { return publisher_; }
  ArchiveWriter* archive() override { return archive_; }
  void event(std::string_view, std::string_view, double, std::string_view, std::string_view) override { ++events; }
  int events = 0;

 private:
  Publisher& publisher_;
  ArchiveWriter* archive_ = nullptr;
  std::string session_id_ = "20261206T120000Z-a11c";
  std::string station_ = "room-with-a-long-name";  // beyond the small-string buffer
};

TEST(MatChannelAllocation, NoHeapAllocationPerFrameWithPublishingArchiveAndStageLatency) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("plinth-alloc-test-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  const DaemonConfig config = parse_daemon_config(
      "subject = \"alloc\"\n[[mat]]\nid = \"mat0\"\ndriver = \"plinth-mat\"\nport = \"/dev/null\"\n"
      "rows = 64\ncols = 32\npitch_cm = 2.54\nnoise_threshold_mmhg = 5.0\n"
      "[mat.calibration]\ncurve = \"linear\"\nunit = \"mmHg\"\nscale = 0.05\n",
      "alloc-test");
  zmq::context_t context;
  Publisher publisher(context, PublisherOptions{"inproc://alloc-test", 1000, {}});
  zmq::socket_t sub(context, zmq::socket_type::sub);  // a subscriber, so that messages go somewhere
  sub.set(zmq::sockopt::subscribe, "");
  sub.set(zmq::sockopt::rcvhwm, 0);
  sub.connect("inproc://alloc-test");
  TestOutlet outlet(publisher);
  boost::asio::io_context io;  // never run: the test drives the channel, not its DeviceLink
  HostClock clock;
  MatChannel channel(io, clock, config.mats.at(0), outlet, 0);
  SessionMeta meta;
  meta.session_id = outlet.session_id();
  meta.subject = "alloc";
  meta.started_at_ns = clock.now_unix_ns();
  ArchiveWriter archive(SessionArchive::create_in(dir, meta, {channel.archive_layout()}),
                        ArchiveWriterOptions{.queue_capacity = 16});
  archive.start();
  outlet.set_archive(&archive);

  sim::BodyScenario scenario(64, 32, 2.54, 100.0, 1);
  DecodedOutput out;
  zmq::message_t m;
  auto feed = [&](std::uint64_t first, std::uint64_t n) {
    for (std::uint64_t i = first; i < first + n; ++i) {
      scenario.fill_frame(i, out.frame);
      channel.on_message(StepOutcome::mat_frame, out, clock.now_unix_ns());
      while (sub.recv(m, zmq::recv_flags::dontwait)) {
      }
    }
  };
  // Warm-up: every archive queue slot and the reader's record have held a frame.
  feed(0, 400);
  std::vector<StageLatencySummary> latency;
  latency.reserve(16);
  channel.take_latency(latency);
  latency.clear();
  const long before = plinth::testing::allocations_on_this_thread;
  feed(400, 400);  // well under the 5 s before the first exposure snapshot
  const long allocations = plinth::testing::allocations_on_this_thread - before;
  channel.take_latency(latency);
  archive.stop(clock.now_unix_ns());
  std::filesystem::remove_all(dir);

  EXPECT_GT(before, 0);  // the counter does see this thread's allocations (the warm-up's)
  EXPECT_EQ(allocations, 0);
  EXPECT_EQ(outlet.events, 0);  // consecutive frames: no gap events
  ASSERT_EQ(latency.size(), 8u);
  for (std::size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(latency[i].window, "interval");
    EXPECT_EQ(latency[i].stage, MatChannel::kLatencyStages[i]);
    EXPECT_EQ(latency[i].count, 400u) << latency[i].stage;
    EXPECT_EQ(latency[i + 4].window, "session");
    EXPECT_EQ(latency[i + 4].count, 800u) << latency[i].stage;
    EXPECT_TRUE(std::isfinite(latency[i].p99_us));
    EXPECT_LE(latency[i].p50_us, latency[i].p99_us);
    EXPECT_LE(latency[i].p99_us, latency[i].p999_us);
    EXPECT_LE(latency[i].p999_us, latency[i].max_us);
    if (i > 0) {
      EXPECT_GE(latency[i].max_us, latency[i - 1].max_us);
    }
  }
}

}  // namespace
}  // namespace plinth
#endif  // PLINTH_COUNTING_ALLOCATOR
