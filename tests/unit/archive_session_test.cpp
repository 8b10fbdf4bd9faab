// SessionArchive: layout, values and attributes read back with the plain HDF5 C API; file
// permissions; never overwriting; refusing bad input without losing health.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cmath>
#include <fstream>

#include "daemon/archive/session_archive.hpp"
#include "daemon/archive/session_file.hpp"
#include "tests/unit/archive_test_support.hpp"

namespace plinth {
namespace {

using archive_test::Reader;
using archive_test::sample_devices;
using archive_test::sample_meta;
using archive_test::sample_status;
using archive_test::TempDir;
using archive_test::test_frame;

constexpr std::int64_t kT0 = 1'795'425'300'123'000'000;

unsigned mode_of(const std::filesystem::path& p) {
  struct stat st {};
  if (::stat(p.c_str(), &st) != 0) return 0;
  return st.st_mode & 07777;
}

// Writes a representative session: 40 frames on mat0, 5 on mat1, beats, HRV, events, status.
std::filesystem::path write_sample_session(const std::filesystem::path& dir) {
  SessionArchive archive = SessionArchive::create_in(dir, sample_meta(), sample_devices(), sample_status());
  EXPECT_TRUE(archive.healthy()) << archive.last_error();
  for (std::uint32_t i = 0; i < 40; ++i) {
    const auto frame = test_frame(12, i);
    const std::vector<double> metrics = {10.0 + i, 20.0 + i, 30.0 + i};
    EXPECT_TRUE(archive.append(archived::Frame{0, kT0 + i * 100'000'000LL, 1000 + i, 5'000'000ULL + i * 100'000, frame,
                                     metrics}));
    if (i == 17) {
      EXPECT_TRUE(archive.flush());  // a flush mid-chunk must not disturb the data
    }
  }
  for (std::uint32_t i = 0; i < 5; ++i) {
    const auto frame = test_frame(64 * 32, i);
    const std::vector<double> metrics = {500.0 + i};
    EXPECT_TRUE(archive.append(archived::Frame{1, kT0 + i * 1'000'000'000LL, i, 0, frame, metrics}));
  }
  for (int i = 0; i < 3; ++i) {
    ArchiveBeat beat{kT0 + i * 900'000'000LL,       900.0 + i, 905.0 + i, 66.0 + i,
                     static_cast<std::uint32_t>(i), 0};
    const std::vector<double> contact = {1.0};
    EXPECT_TRUE(archive.append(archived::Beat{2, beat, contact}));
  }
  const std::vector<double> hrv1 = {42.5, 55.0};
  const std::vector<double> hrv2 = {43.5, std::nan("")};
  EXPECT_TRUE(archive.append(archived::Hrv{2, kT0 + 1'000'000'000LL, hrv1}));
  EXPECT_TRUE(archive.append(archived::Hrv{2, kT0 + 2'000'000'000LL, hrv2}));
  EXPECT_TRUE(archive.append(archived::Event{kT0, "session.start", "", std::nan("")}));
  EXPECT_TRUE(archive.append(archived::Event{kT0 + 5, "pain", "lower back", 6.0, "patient reported 6/10"}));
  EXPECT_TRUE(archive.append(archived::Event{kT0 + 9, "gap", "mat0", 3.0, "device counter skipped 3 frames"}));
  const std::vector<std::uint64_t> counters = {40, 2};
  const std::vector<double> gauges = {0.25};
  EXPECT_TRUE(archive.append(archived::Status{kT0 + 1'000'000'000LL, counters, gauges}));
  const std::vector<double> relaxation = {62.5, 71.0};
  EXPECT_TRUE(archive.append(archived::Relaxation{kT0 + 5'000'000'000LL, relaxation}));
  EXPECT_FALSE(archive.append(archived::Relaxation{kT0, std::vector<double>{1.0}}));  // wrong count: refused
  const std::filesystem::path path = archive.path();
  EXPECT_TRUE(archive.close(kT0 + 60'000'000'000LL, {{"closing_note", std::string("clean")}}));
  EXPECT_TRUE(archive.healthy()) << archive.last_error();
  return path;
}

TEST(ArchiveSession, RootAndDeviceAttributesAreWritten) {
  TempDir tmp;
  const auto path = write_sample_session(tmp.path() / "sessions");
  EXPECT_EQ(path.filename(), "20261123T091500Z-7f3a.h5");
  Reader file(path);
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(file.string_attr("/", "format"), "plinth-session");
  EXPECT_EQ(file.int_attr("/", "format_version"), 2);
  EXPECT_EQ(file.string_attr("/", "session_id"), "20261123T091500Z-7f3a");
  EXPECT_EQ(file.string_attr("/", "subject"), "P-017");
  EXPECT_EQ(file.string_attr("/", "started_at"), "2026-11-23T09:15:00.123Z");
  EXPECT_EQ(file.int_attr("/", "started_at_ns"), kT0);
  EXPECT_EQ(file.string_attr("/", "ended_at"), "2026-11-23T09:16:00.123Z");
  EXPECT_EQ(file.int_attr("/", "ended_at_ns"), kT0 + 60'000'000'000LL);
  EXPECT_EQ(file.string_attr("/", "software_version"), "0.1.0-test");
  EXPECT_EQ(file.string_attr("/", "software_revision"), "1a2b3c4d5e6f-dirty");
  EXPECT_EQ(file.string_attr("/", "config"), "[session]\narchive_dir = \"sessions\"\n");
  EXPECT_EQ(file.string_attr("/", "site"), "clinic-a");
  EXPECT_EQ(file.string_attr("/", "closing_note"), "clean");

  EXPECT_EQ(file.string_attr("/devices/mat0", "kind"), "mat");
  EXPECT_EQ(file.string_attr("/devices/mat0", "driver"), "plinth-mat");
  EXPECT_EQ(file.string_attr("/devices/mat0", "port"), "/dev/ttyACM0");
  EXPECT_EQ(file.int_attr("/devices/mat0", "rows"), 4);
  EXPECT_EQ(file.int_attr("/devices/mat0", "cols"), 3);
  EXPECT_EQ(file.int_attr("/devices/mat0", "usb_vendor"), 0x1209);
  EXPECT_DOUBLE_EQ(file.double_attr("/devices/mat0", "pitch_cm"), 2.54);
  EXPECT_EQ(file.string_attr("/devices/mat0", "calibration"), R"({"model":"linear","gain":0.1})");
  EXPECT_EQ(file.string_attr("/devices/h10", "kind"), "heart");
  EXPECT_EQ(file.string_attr("/devices/h10", "serial"), "C0FFEE");
  EXPECT_FALSE(file.exists("/pressure/h10"));
  EXPECT_FALSE(file.exists("/heart/mat0"));
}

TEST(ArchiveSession, FramesAndSeriesReadBackExactly) {
  TempDir tmp;
  const auto path = write_sample_session(tmp.path());
  Reader file(path);
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(file.dims("/pressure/mat0/raw"), (std::vector<hsize_t>{40, 4, 3}));
  EXPECT_EQ(file.dims("/pressure/mat1/raw"), (std::vector<hsize_t>{5, 64, 32}));
  const auto raw = file.read<std::uint16_t>("/pressure/mat0/raw", H5T_NATIVE_UINT16);
  for (std::uint32_t i = 0; i < 40; ++i) {
    const auto expected = test_frame(12, i);
    ASSERT_TRUE(std::equal(expected.begin(), expected.end(), raw.begin() + i * 12)) << "frame " << i;
  }
  const auto raw1 = file.read<std::uint16_t>("/pressure/mat1/raw", H5T_NATIVE_UINT16);
  const auto last = test_frame(2048, 4);
  EXPECT_TRUE(std::equal(last.begin(), last.end(), raw1.begin() + 4 * 2048));

  const auto time_ns = file.read<std::int64_t>("/pressure/mat0/time_ns", H5T_NATIVE_INT64);
  const auto seq = file.read<std::uint32_t>("/pressure/mat0/seq", H5T_NATIVE_UINT32);
  const auto device_time = file.read<std::uint64_t>("/pressure/mat0/device_time_us", H5T_NATIVE_UINT64);
  ASSERT_EQ(time_ns.size(), 40u);
  ASSERT_EQ(seq.size(), 40u);
  ASSERT_EQ(device_time.size(), 40u);
  EXPECT_EQ(time_ns[39], kT0 + 39 * 100'000'000LL);
  EXPECT_EQ(seq[0], 1000u);
  EXPECT_EQ(seq[39], 1039u);
  EXPECT_EQ(device_time[39], 5'000'000ULL + 39 * 100'000);

  EXPECT_EQ(file.compound_field_names("/pressure/mat0/metrics"),
            (std::vector<std::string>{"time_ns", "total_load_n", "contact_area_cm2", "peak_pressure_mmhg"}));
  const auto load = file.read<double>("/pressure/mat0/metrics", H5T_NATIVE_DOUBLE, "total_load_n");
  const auto peak = file.read<double>("/pressure/mat0/metrics", H5T_NATIVE_DOUBLE, "peak_pressure_mmhg");
  const auto metric_time = file.read<std::int64_t>("/pressure/mat0/metrics", H5T_NATIVE_INT64, "time_ns");
  ASSERT_EQ(load.size(), 40u);
  EXPECT_DOUBLE_EQ(load[7], 17.0);
  EXPECT_DOUBLE_EQ(peak[39], 69.0);
  EXPECT_EQ(metric_time[7], time_ns[7]);
  EXPECT_DOUBLE_EQ(file.read<double>("/pressure/mat1/metrics", H5T_NATIVE_DOUBLE, "total_load_n")[4], 504.0);
}

TEST(ArchiveSession, HeartEventsAndStatusReadBack) {
  TempDir tmp;
  const auto path = write_sample_session(tmp.path());
  Reader file(path);
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(file.compound_field_names("/heart/h10/beats"),
            (std::vector<std::string>{"time_ns", "rr_ms", "nn_ms", "hr_bpm", "flags", "missing", "timeline_ns", "contact"}));
  EXPECT_EQ(file.read<double>("/heart/h10/beats", H5T_NATIVE_DOUBLE, "nn_ms"),
            (std::vector<double>{905.0, 906.0, 907.0}));
  EXPECT_EQ(file.read<std::uint32_t>("/heart/h10/beats", H5T_NATIVE_UINT32, "flags"),
            (std::vector<std::uint32_t>{0, 1, 2}));
  EXPECT_EQ(file.read<double>("/heart/h10/beats", H5T_NATIVE_DOUBLE, "contact"),
            (std::vector<double>{1.0, 1.0, 1.0}));
  const auto sdnn = file.read<double>("/heart/h10/hrv", H5T_NATIVE_DOUBLE, "sdnn_ms");
  ASSERT_EQ(sdnn.size(), 2u);
  EXPECT_DOUBLE_EQ(sdnn[0], 55.0);
  EXPECT_TRUE(std::isnan(sdnn[1]));

  EXPECT_EQ(file.read_text("/events", "kind", 32),
            (std::vector<std::string>{"session.start", "pain", "gap"}));
  EXPECT_EQ(file.read_text("/events", "label", 64), (std::vector<std::string>{"", "lower back", "mat0"}));
  EXPECT_EQ(file.read_text("/events", "detail", 256)[1], "patient reported 6/10");
  const auto value = file.read<double>("/events", H5T_NATIVE_DOUBLE, "value");
  EXPECT_TRUE(std::isnan(value[0]));
  EXPECT_DOUBLE_EQ(value[2], 3.0);

  EXPECT_EQ(file.compound_field_names("/status"),
            (std::vector<std::string>{"time_ns", "mat0.frames", "mat0.crc_errors", "archive.queue_fill"}));
  EXPECT_EQ(file.read<std::uint64_t>("/status", H5T_NATIVE_UINT64, "mat0.crc_errors"),
            (std::vector<std::uint64_t>{2}));
  EXPECT_EQ(file.read<double>("/status", H5T_NATIVE_DOUBLE, "archive.queue_fill"),
            (std::vector<double>{0.25}));

  EXPECT_EQ(file.compound_field_names("/relaxation"),
            (std::vector<std::string>{"time_ns", "index", "stillness_score"}));
  EXPECT_EQ(file.read<double>("/relaxation", H5T_NATIVE_DOUBLE, "stillness_score"), (std::vector<double>{71.0}));
}

TEST(ArchiveSession, DatasetsCarryUnitsAndCompression) {
  TempDir tmp;
  const auto path = write_sample_session(tmp.path());
  Reader file(path);
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(file.string_attr("/pressure/mat0/raw", "units"), "raw ADC counts");
  EXPECT_EQ(file.string_attr("/pressure/mat0/time_ns", "units"), "ns");
  EXPECT_EQ(file.string_attr("/pressure/mat0/device_time_us", "units"), "us");
  EXPECT_TRUE(file.has_attr("/pressure/mat0/metrics", "units"));
  EXPECT_EQ(file.filters("/pressure/mat0/raw"),
            (std::vector<H5Z_filter_t>{H5Z_FILTER_SHUFFLE, H5Z_FILTER_DEFLATE}));
  // Series are stored unfiltered on purpose (see ArchiveOptions).
  EXPECT_TRUE(file.filters("/events").empty());
  EXPECT_TRUE(file.filters("/pressure/mat0/time_ns").empty());
}

// HDF5 keeps written chunks until a dataset's cache is full; at the default 1 MiB per dataset
// that grew the heap by ~9 MB over a session's first 45 minutes. The size must survive the
// switch to SWMR mode, which reopens every dataset.
TEST(ArchiveSession, ChunkCacheStaysSmallInSwmrMode) {
  TempDir tmp;
  SessionArchive archive = SessionArchive::create_in(tmp.path(), sample_meta(), sample_devices(), sample_status());
  ASSERT_TRUE(archive.healthy()) << archive.last_error();
  for (const char* dataset : {"pressure/mat0/raw", "pressure/mat0/time_ns", "pressure/mat0/metrics", "events"}) {
    const std::size_t bytes = archive.chunk_cache_bytes(dataset);
    EXPECT_GT(bytes, 0u) << dataset;
    EXPECT_LE(bytes, 64u << 10) << dataset;
  }
  EXPECT_TRUE(archive.close(kT0));
}

// HDF5's adaptive metadata cache (up to 32 MiB) kept every data block of the chunk indexes:
// the heap grew ~3 MB over a session-hour. Fixed at 128 KiB, also after many chunks.
TEST(ArchiveSession, MetadataCacheStaysFixedAndSmall) {
  TempDir tmp;
  SessionArchive archive = SessionArchive::create_in(tmp.path(), sample_meta(), sample_devices(), sample_status());
  ASSERT_TRUE(archive.healthy()) << archive.last_error();
  const auto frame = test_frame(12, 1);  // mat0 is 3x4
  const std::vector<double> metrics = {1.0, 2.0, 3.0};
  for (std::uint32_t i = 0; i < 20000; ++i)
    ASSERT_TRUE(archive.append(archived::Frame{0, kT0 + i * 1'000'000LL, i, 0, frame, metrics}));
  ASSERT_TRUE(archive.flush());
  const auto [current, largest] = archive.metadata_cache_bytes();
  EXPECT_EQ(largest, 128u << 10);
  EXPECT_GT(current, 0u);
  EXPECT_LE(current, 128u << 10);
  EXPECT_TRUE(archive.close(kT0 + 20'000'000'000LL));
}

TEST(ArchiveSession, FileIs0600InNewDirectory0700) {
  TempDir tmp;
  const auto dir = tmp.path() / "a" / "sessions";
  const auto path = write_sample_session(dir);
  EXPECT_EQ(mode_of(path), 0600u);
  EXPECT_EQ(mode_of(dir), 0700u);
  EXPECT_EQ(mode_of(tmp.path() / "a"), 0700u);
}

TEST(ArchiveSession, NeverOverwritesAnEarlierSession) {
  TempDir tmp;
  const auto first = write_sample_session(tmp.path());
  const auto first_size = std::filesystem::file_size(first);
  const auto second = write_sample_session(tmp.path());
  EXPECT_EQ(second.filename(), "20261123T091500Z-7f3a-1.h5");
  EXPECT_EQ(std::filesystem::file_size(first), first_size);

  SessionArchive direct = SessionArchive::create(first, sample_meta(), sample_devices());
  EXPECT_FALSE(direct.healthy());
  EXPECT_NE(direct.last_error().find("exists"), std::string::npos) << direct.last_error();
  EXPECT_EQ(std::filesystem::file_size(first), first_size);
  Reader file(first);
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(file.dims("/pressure/mat0/raw")[0], 40u);
}

TEST(ArchiveSession, RefusesBadArgumentsButStaysHealthy) {
  TempDir tmp;
  SessionArchive archive =
      SessionArchive::create_in(tmp.path(), sample_meta(), sample_devices(), sample_status());
  ASSERT_TRUE(archive.healthy()) << archive.last_error();
  const auto frame = test_frame(12, 0);
  const auto short_frame = test_frame(11, 0);
  const std::vector<double> two_metrics = {1.0, 2.0};
  EXPECT_FALSE(archive.append(archived::Frame{0, kT0, 0, 0, short_frame}));
  EXPECT_NE(archive.last_error().find("expects 12 values, got 11"), std::string::npos)
      << archive.last_error();
  EXPECT_FALSE(archive.append(archived::Frame{0, kT0, 0, 0, frame, two_metrics}));
  EXPECT_FALSE(archive.append(archived::Frame{2, kT0, 0, 0, frame}));  // a heart strap
  EXPECT_FALSE(archive.append(archived::Frame{7, kT0, 0, 0, frame}));
  EXPECT_FALSE(archive.append(archived::Beat{0, ArchiveBeat{}}));
  const std::vector<double> three_values = {1.0, 2.0, 3.0};
  EXPECT_FALSE(archive.append(archived::Hrv{2, kT0, three_values}));
  EXPECT_FALSE(archive.append(archived::Status{kT0, {}, {}}));
  EXPECT_EQ(archive.rejected(), 7u);
  EXPECT_TRUE(archive.healthy());
  EXPECT_TRUE(archive.append(archived::Frame{0, kT0, 0, 0, frame}));  // no metrics row: allowed
  EXPECT_EQ(archive.device_index("mat1"), 1u);
  EXPECT_FALSE(archive.device_index("nope").has_value());
  const auto path = archive.path();
  EXPECT_TRUE(archive.close(kT0 + 1));
  Reader file(path);
  EXPECT_EQ(file.dims("/pressure/mat0/raw")[0], 1u);
  EXPECT_EQ(file.dims("/pressure/mat0/metrics")[0], 0u);
}

TEST(ArchiveSession, InvalidLayoutLeavesNoFile) {
  TempDir tmp;
  auto devices = sample_devices();
  devices[1].id = "mat0";
  SessionArchive archive = SessionArchive::create_in(tmp.path(), sample_meta(), devices);
  EXPECT_FALSE(archive.healthy());
  EXPECT_NE(archive.last_error().find("duplicate device id 'mat0'"), std::string::npos)
      << archive.last_error();
  EXPECT_TRUE(std::filesystem::is_empty(tmp.path()));
  EXPECT_FALSE(archive.append(archived::Frame{0, kT0, 0, 0, test_frame(12, 0)}));

  devices = sample_devices();
  devices[0].metric_fields.push_back({"time_ns"});
  EXPECT_FALSE(SessionArchive::create_in(tmp.path(), sample_meta(), devices).healthy());
  devices = sample_devices();
  devices[0].rows = 0;
  EXPECT_FALSE(SessionArchive::create_in(tmp.path(), sample_meta(), devices).healthy());
  EXPECT_TRUE(std::filesystem::is_empty(tmp.path()));
}

TEST(ArchiveSession, UnwritableDirectoryIsAClearError) {
  TempDir tmp;
  std::ofstream(tmp.path() / "not-a-dir") << "x";
  SessionArchive archive =
      SessionArchive::create_in(tmp.path() / "not-a-dir" / "sessions", sample_meta(), sample_devices());
  EXPECT_FALSE(archive.healthy());
  EXPECT_NE(archive.last_error().find("cannot create archive directory"), std::string::npos)
      << archive.last_error();
  EXPECT_FALSE(archive.flush());
  EXPECT_FALSE(archive.close(kT0));
}

TEST(ArchiveSession, LongEventTextIsCutAtACharacterBoundary) {
  TempDir tmp;
  SessionArchive archive = SessionArchive::create_in(tmp.path(), sample_meta(), {});
  ASSERT_TRUE(archive.healthy()) << archive.last_error();
  const std::string label = std::string(63, 'a') + "\xC3\xA9";  // 63 bytes + "é" (2 bytes) > 64
  EXPECT_TRUE(archive.append(archived::Event{kT0, "marker", label, 1.0, std::string(300, 'd')}));
  const auto path = archive.path();
  ASSERT_TRUE(archive.close(kT0 + 1));
  Reader file(path);
  EXPECT_EQ(file.read_text("/events", "label", 64)[0], std::string(63, 'a'));
  EXPECT_EQ(file.read_text("/events", "detail", 256)[0], std::string(256, 'd'));
}

TEST(ArchiveSession, UncleanEndHasNoEndedAt) {
  TempDir tmp;
  std::filesystem::path path;
  {
    SessionArchive archive = SessionArchive::create_in(tmp.path(), sample_meta(), sample_devices());
    ASSERT_TRUE(archive.append(archived::Frame{0, kT0, 0, 0, test_frame(12, 0)}));
    path = archive.path();
  }  // destroyed without close(): buffered frames still reach the file
  Reader file(path);
  ASSERT_TRUE(file.ok());
  EXPECT_FALSE(file.has_attr("/", "ended_at"));
  EXPECT_EQ(file.dims("/pressure/mat0/raw")[0], 1u);
}

TEST(ArchiveSessionFile, SessionIdAndTimestampFormats) {
  EXPECT_EQ(make_session_id(kT0, 0x7f3a), "20261123T091500Z-7f3a");
  EXPECT_EQ(make_session_id(0, 0x000b), "19700101T000000Z-000b");
  EXPECT_EQ(iso8601_utc(kT0), "2026-11-23T09:15:00.123Z");
  EXPECT_EQ(iso8601_utc(-1), "1969-12-31T23:59:59.999Z");
  const std::string random_id = make_session_id(kT0);
  EXPECT_EQ(random_id.size(), 21u);
  EXPECT_EQ(random_id.substr(0, 17), "20261123T091500Z-");
}

}  // namespace
}  // namespace plinth
