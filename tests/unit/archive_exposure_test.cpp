// Exposure map snapshots in the archive: /pressure/<id>/exposure_pti, exposure_time_above (float32
// [snapshots, rows, cols]) and exposure_time_ns, created for every mat, written directly and
// through the writer thread, refused with the wrong size.
#include <gtest/gtest.h>

#include <chrono>

#include "daemon/archive/archive_writer.hpp"
#include "daemon/archive/session_archive.hpp"
#include "tests/unit/archive_test_support.hpp"

namespace plinth {
namespace {

using namespace std::chrono_literals;
using archive_test::Reader;
using archive_test::sample_devices;
using archive_test::sample_meta;
using archive_test::sample_status;
using archive_test::TempDir;

constexpr std::int64_t kT0 = 1'795'425'300'123'000'000;

std::vector<float> ramp(std::size_t n, float start, float step) {
  std::vector<float> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = start + step * static_cast<float>(i);
  return v;
}

TEST(ArchiveExposure, EveryMatGetsEmptyExposureDatasetsUpFront) {
  TempDir tmp;
  std::filesystem::path path;
  {
    SessionArchive archive = SessionArchive::create_in(tmp.path(), sample_meta(), sample_devices(), sample_status());
    ASSERT_TRUE(archive.healthy()) << archive.last_error();
    path = archive.path();
    ASSERT_TRUE(archive.close(kT0));
  }
  Reader file(path);
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(file.dims("/pressure/mat0/exposure_pti"), (std::vector<hsize_t>{0, 4, 3}));
  EXPECT_EQ(file.dims("/pressure/mat0/exposure_time_above"), (std::vector<hsize_t>{0, 4, 3}));
  EXPECT_EQ(file.dims("/pressure/mat0/exposure_time_ns"), (std::vector<hsize_t>{0}));
  EXPECT_EQ(file.dims("/pressure/mat1/exposure_pti"), (std::vector<hsize_t>{0, 64, 32}));
  EXPECT_FALSE(file.exists("/heart/h10/exposure_pti"));
  EXPECT_EQ(file.string_attr("/pressure/mat0/exposure_pti", "units"), "mmHg*s");
  EXPECT_EQ(file.string_attr("/pressure/mat0/exposure_time_above", "units"), "s");
  EXPECT_EQ(file.string_attr("/pressure/mat0/exposure_time_ns", "units"), "ns");
}

TEST(ArchiveExposure, SnapshotsAreStoredAsFloat32MapsWithTheirTimes) {
  TempDir tmp;
  std::filesystem::path path;
  {
    SessionArchive archive = SessionArchive::create_in(tmp.path(), sample_meta(), sample_devices(), sample_status());
    ASSERT_TRUE(archive.healthy()) << archive.last_error();
    path = archive.path();
    for (int k = 0; k < 3; ++k) {
      EXPECT_TRUE(archive.append(archived::Exposure{0, kT0 + k * 5'000'000'000LL, ramp(12, 100.0f * static_cast<float>(k), 1.5f),
                                      ramp(12, static_cast<float>(k), 0.25f)}));
    }
    EXPECT_TRUE(archive.flush());
    // Wrong sizes and a heart strap are refused without harming the archive.
    EXPECT_FALSE(archive.append(archived::Exposure{0, kT0, ramp(11, 0, 1), ramp(12, 0, 1)}));
    EXPECT_FALSE(archive.append(archived::Exposure{0, kT0, ramp(12, 0, 1), ramp(13, 0, 1)}));
    EXPECT_FALSE(archive.append(archived::Exposure{2, kT0, ramp(12, 0, 1), ramp(12, 0, 1)}));
    EXPECT_TRUE(archive.healthy());
    EXPECT_EQ(archive.rejected(), 3u);
    ASSERT_TRUE(archive.close(kT0 + 60'000'000'000LL));
  }
  Reader file(path);
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(file.dims("/pressure/mat0/exposure_pti"), (std::vector<hsize_t>{3, 4, 3}));
  EXPECT_EQ(file.read<std::int64_t>("/pressure/mat0/exposure_time_ns", H5T_NATIVE_INT64),
            (std::vector<std::int64_t>{kT0, kT0 + 5'000'000'000LL, kT0 + 10'000'000'000LL}));
  const auto pti = file.read<float>("/pressure/mat0/exposure_pti", H5T_NATIVE_FLOAT);
  const auto above = file.read<float>("/pressure/mat0/exposure_time_above", H5T_NATIVE_FLOAT);
  ASSERT_EQ(pti.size(), 36u);
  EXPECT_EQ(pti[0], 0.0f);
  EXPECT_EQ(pti[12 + 5], 100.0f + 7.5f);  // snapshot 1, row 1, col 2
  EXPECT_EQ(above[24 + 11], 2.0f + 2.75f);
  EXPECT_EQ(file.dims("/pressure/mat1/exposure_pti")[0], 0u);
}

// The maps as MatChannel hands them over: the accumulator's doubles, stored as float32.
std::vector<float> as_float(const std::vector<double>& map) { return {map.begin(), map.end()}; }

TEST(ArchiveExposure, WriterThreadConvertsToFloatAndCountsExposureDrops) {
  TempDir tmp;
  ArchiveWriter writer(SessionArchive::create_in(tmp.path(), sample_meta(), sample_devices(), sample_status()),
                       {.queue_capacity = 2, .flush_interval = 1000ms});
  std::vector<double> pti(64 * 32), above(64 * 32);
  for (std::size_t i = 0; i < pti.size(); ++i) {
    pti[i] = 0.5 * static_cast<double>(i);
    above[i] = 0.125 * static_cast<double>(i % 7);
  }
  // Not started: the queue holds two records and the third is dropped (counted as "exposure").
  ASSERT_TRUE(writer.submit(archived::Exposure{1, kT0, as_float(pti), as_float(above)}));
  ASSERT_TRUE(writer.submit(archived::Exposure{1, kT0 + 5'000'000'000LL, as_float(pti), as_float(above)}));
  EXPECT_FALSE(writer.submit(archived::Exposure{1, kT0 + 10'000'000'000LL, as_float(pti), as_float(above)}));
  EXPECT_EQ(writer.stats().dropped_by_kind[archive_record_kind<archived::Exposure>], 1u);
  writer.start();
  ASSERT_TRUE(writer.stop(kT0 + 20'000'000'000LL));
  const ArchiveWriterStats stats = writer.stats();
  Reader file(stats.path);
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(file.dims("/pressure/mat1/exposure_time_above"), (std::vector<hsize_t>{2, 64, 32}));
  const auto stored = file.read<float>("/pressure/mat1/exposure_pti", H5T_NATIVE_FLOAT);
  ASSERT_EQ(stored.size(), 2u * 64 * 32);
  EXPECT_EQ(stored[64 * 32 + 1001], 500.5f);
  const auto stored_above = file.read<float>("/pressure/mat1/exposure_time_above", H5T_NATIVE_FLOAT);
  EXPECT_EQ(stored_above[13], 0.125f * 6);
  EXPECT_EQ(file.int_attr("/", "archive_dropped_exposure"), 1);
}

}  // namespace
}  // namespace plinth
