// ArchiveWriter: the thread between acquisition and the file.
#include "daemon/archive/archive_writer.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "tests/unit/archive_test_support.hpp"

namespace plinth {
namespace {

using namespace std::chrono_literals;
using archive_test::Reader;
using archive_test::sample_devices;
using archive_test::sample_meta;
using archive_test::sample_status;
using archive_test::TempDir;
using archive_test::test_frame;

constexpr std::int64_t kT0 = 1'795'425'300'123'000'000;
constexpr std::size_t kFrame = archive_record_kind<archived::Frame>;
constexpr std::size_t kEvent = archive_record_kind<archived::Event>;

// The queue's slots keep the buffers of the largest record they held, so its memory is
// slots x the largest frame: the byte budget bounds the slot count.
TEST(ArchiveWriter, QueueRecordsFollowTheByteBudget) {
  ArchiveDeviceLayout mat;
  mat.id = "mat0";
  mat.rows = 64;
  mat.cols = 64;
  mat.metric_fields.assign(30, ArchiveField("m"));
  ArchiveDeviceLayout heart;
  heart.id = "strap";
  heart.kind = DeviceKind::heart;
  const std::vector<ArchiveDeviceLayout> devices{heart, mat};
  const std::size_t per_frame = sizeof(ArchiveRecord) + 64 * 64 * 2 + 30 * 8;
  EXPECT_EQ(archive_queue_records(devices, 1024, 4u << 20), (4u << 20) / per_frame);
  EXPECT_LT(archive_queue_records(devices, 1024, 4u << 20) * per_frame, std::size_t{4u << 20} + 1);
  EXPECT_EQ(archive_queue_records(devices, 100, 4u << 20), 100u);   // the record limit still holds
  EXPECT_EQ(archive_queue_records(devices, 1024, 0), 1024u);        // 0: no byte limit
  EXPECT_EQ(archive_queue_records(devices, 1024, 1000), 8u);        // never fewer than 8
  // With no mat, the slots are small: only the record limit counts.
  EXPECT_EQ(archive_queue_records(std::span(&heart, 1), 1024, 4u << 20), 1024u);
}

TEST(ArchiveWriter, WritesEverythingSubmittedAndReportsStats) {
  TempDir tmp;
  ArchiveWriter writer(
      SessionArchive::create_in(tmp.path(), sample_meta(), sample_devices(), sample_status()),
      {.queue_capacity = 4096, .flush_interval = 1000ms});
  writer.start();
  for (std::uint32_t i = 0; i < 300; ++i) {
    const auto frame = test_frame(12, i);
    const std::vector<double> metrics = {1.0 * i, 2.0, 3.0};
    ASSERT_TRUE(writer.submit(archived::Frame{0, kT0 + i, i, 0, frame, metrics}));
  }
  ASSERT_TRUE(writer.submit(archived::Beat{2, {kT0, 800.0, 800.0, 75.0, 0, 0}}));
  const std::vector<double> hrv = {40.0, 50.0};
  ASSERT_TRUE(writer.submit(archived::Hrv{2, kT0, hrv}));
  ASSERT_TRUE(writer.submit(archived::Event{kT0, "marker", "start massage", std::nan("")}));
  const std::vector<std::uint64_t> counters = {300, 0};
  const std::vector<double> gauges = {0.1};
  ASSERT_TRUE(writer.submit(archived::Status{kT0, counters, gauges}));
  ASSERT_TRUE(writer.stop(kT0 + 10));
  EXPECT_TRUE(writer.stop(kT0 + 20));  // idempotent

  const ArchiveWriterStats stats = writer.stats();
  EXPECT_TRUE(stats.healthy);
  EXPECT_EQ(stats.error, "");
  EXPECT_EQ(stats.frames_written, 300u);
  EXPECT_EQ(stats.dropped, 0u);
  EXPECT_EQ(stats.queue_capacity, 4096u);
  EXPECT_EQ(stats.queue_depth, 0u);
  EXPECT_GT(stats.last_flush_ns, 0);
  EXPECT_EQ(stats.bytes_written, std::filesystem::file_size(stats.path));

  Reader file(stats.path);
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(file.dims("/pressure/mat0/raw")[0], 300u);
  EXPECT_DOUBLE_EQ(file.read<double>("/pressure/mat0/metrics", H5T_NATIVE_DOUBLE, "total_load_n")[299],
                   299.0);
  EXPECT_EQ(file.read<std::uint32_t>("/pressure/mat0/seq", H5T_NATIVE_UINT32)[299], 299u);
  EXPECT_EQ(file.dims("/heart/h10/beats")[0], 1u);
  EXPECT_EQ(file.dims("/heart/h10/hrv")[0], 1u);
  EXPECT_EQ(file.read_text("/events", "label", 64), (std::vector<std::string>{"start massage"}));
  EXPECT_EQ(file.dims("/status")[0], 1u);
  EXPECT_EQ(file.int_attr("/", "ended_at_ns"), kT0 + 10);
  EXPECT_EQ(file.int_attr("/", "archive_dropped_frame"), 0);
}

TEST(ArchiveWriter, FullQueueDropsAndCountsPerKind) {
  TempDir tmp;
  // Not started yet: nothing consumes, so the tiny queue fills deterministically.
  ArchiveWriter writer(SessionArchive::create_in(tmp.path(), sample_meta(), sample_devices()),
                       {.queue_capacity = 4, .flush_interval = 1000ms});
  int accepted = 0;
  for (std::uint32_t i = 0; i < 10; ++i)
    accepted += writer.submit(archived::Frame{0, kT0 + i, i, 0, test_frame(12, i)}) ? 1 : 0;
  EXPECT_EQ(accepted, 4);
  EXPECT_FALSE(writer.submit(archived::Event{kT0, "marker", "lost", 0.0}));
  ArchiveWriterStats stats = writer.stats();
  EXPECT_EQ(stats.queue_depth, 4u);
  EXPECT_EQ(stats.dropped, 7u);
  EXPECT_EQ(stats.dropped_by_kind[kFrame], 6u);
  EXPECT_EQ(stats.dropped_by_kind[kEvent], 1u);

  writer.start();
  ASSERT_TRUE(writer.stop(kT0 + 100));
  stats = writer.stats();
  Reader file(stats.path);
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(file.dims("/pressure/mat0/raw")[0], 4u);
  EXPECT_EQ(file.read<std::uint32_t>("/pressure/mat0/seq", H5T_NATIVE_UINT32),
            (std::vector<std::uint32_t>{0, 1, 2, 3}));
  // The drops are in the file: as closing attributes and as events.
  EXPECT_EQ(file.int_attr("/", "archive_dropped_frame"), 6);
  EXPECT_EQ(file.int_attr("/", "archive_dropped_event"), 1);
  const auto kinds = file.read_text("/events", "kind", 32);
  const auto labels = file.read_text("/events", "label", 64);
  const auto values = file.read<double>("/events", H5T_NATIVE_DOUBLE, "value");
  ASSERT_EQ(kinds.size(), 2u);
  EXPECT_EQ(kinds[0], "archive.dropped");
  EXPECT_EQ(labels[0], "frame");
  EXPECT_DOUBLE_EQ(values[0], 6.0);
  EXPECT_EQ(labels[1], "event");
}

TEST(ArchiveWriter, FlushesWhileRunning) {
  TempDir tmp;
  ArchiveWriter writer(SessionArchive::create_in(tmp.path(), sample_meta(), sample_devices()),
                       {.queue_capacity = 64, .flush_interval = 20ms});
  writer.start();
  ASSERT_TRUE(writer.submit(archived::Frame{0, kT0, 0, 0, test_frame(12, 0)}));
  // Poll (generously) for the periodic flush; no timing is asserted, only that it happens.
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (writer.stats().frames_written == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(5ms);
  }
  const ArchiveWriterStats stats = writer.stats();
  EXPECT_EQ(stats.frames_written, 1u);
  EXPECT_GT(stats.last_flush_ns, 0);
  EXPECT_GT(stats.free_disk_bytes, 0u);
  EXPECT_TRUE(writer.stop(kT0 + 1));
}

TEST(ArchiveWriter, BadRecordsAreRejectedNotFatal) {
  TempDir tmp;
  ArchiveWriter writer(SessionArchive::create_in(tmp.path(), sample_meta(), sample_devices()));
  writer.start();
  ASSERT_TRUE(writer.submit(archived::Frame{0, kT0, 0, 0, test_frame(5, 0)}));  // wrong size: queued, then refused
  ASSERT_TRUE(writer.submit(archived::Frame{0, kT0, 1, 0, test_frame(12, 0)}));
  ASSERT_TRUE(writer.stop(kT0 + 1));
  const ArchiveWriterStats stats = writer.stats();
  EXPECT_TRUE(stats.healthy);
  EXPECT_EQ(stats.rejected, 1u);
  EXPECT_NE(stats.last_rejection.find("expects 12 values, got 5"), std::string::npos) << stats.last_rejection;
  EXPECT_EQ(stats.frames_written, 1u);
}

TEST(ArchiveWriter, FailedArchiveKeepsConsumingAndReportsTheError) {
  TempDir tmp;
  std::ofstream(tmp.path() / "file") << "not a directory";
  SessionArchive broken =
      SessionArchive::create_in(tmp.path() / "file" / "x", sample_meta(), sample_devices());
  ArchiveWriter writer(std::move(broken), {.queue_capacity = 8, .flush_interval = 10ms});
  EXPECT_FALSE(writer.stats().error.empty());
  writer.start();
  // Far more than the queue holds: the thread keeps taking records off even though it cannot
  // write them, so acquisition is never stalled behind a dead archive.
  int accepted = 0;
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (accepted < 100 && std::chrono::steady_clock::now() < deadline) {
    if (writer.submit(archived::Frame{0, kT0, 0, 0, test_frame(12, 0)})) ++accepted;
  }
  EXPECT_EQ(accepted, 100);
  EXPECT_FALSE(writer.stop(kT0));
  const ArchiveWriterStats stats = writer.stats();
  EXPECT_FALSE(stats.healthy);
  EXPECT_FALSE(stats.error.empty());
  EXPECT_EQ(stats.discarded, 100u);
  EXPECT_EQ(stats.frames_written, 0u);
}

}  // namespace
}  // namespace plinth
