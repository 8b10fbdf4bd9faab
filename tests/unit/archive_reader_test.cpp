// ArchiveReader on files written by SessionArchive; the archived rows turned back into the
// pipeline's records; the replay timeline. Bad files are refused with a reason.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <random>

#include "daemon/archive/session_archive.hpp"
#include "daemon/hrv/hrv_flatten.hpp"
#include "daemon/pressure/pressure_pipeline.hpp"
#include "tools/archive_reader.hpp"
#include "tools/archive_records.hpp"
#include "daemon/pressure/exposure_map.hpp"
#include "tools/replay_timeline.hpp"
#include "tests/unit/temp_dir.hpp"

namespace plinth {
namespace {

constexpr std::int64_t kT0 = 1'795'425'300'123'000'000;
constexpr std::uint16_t kRows = 8, kCols = 6;

using test_support::TempDir;

PressureConfig test_pressure_config() {
  PressureConfig c;
  c.geometry = {kRows, kCols, 2.0, 2.0};
  c.calibration.curve.kind = CurveKind::linear;
  c.calibration.curve.unit = PressureUnit::mmhg;
  c.calibration.curve.scale = 0.05;
  c.saturation_raw = 4000;
  c.regions.push_back(rect_region("upper", c.geometry, 0, 0, 4, kCols));
  return c;
}

MatFrame test_frame(std::uint32_t n) {
  MatFrame f;
  f.rows = kRows;
  f.cols = kCols;
  f.device_seq = n;
  f.raw.resize(std::size_t{kRows} * kCols);
  for (std::size_t i = 0; i < f.raw.size(); ++i) f.raw[i] = static_cast<std::uint16_t>((n * 37 + i * 101) % 4100);
  return f;
}

// A session with real metric and HRV field names, the metrics of a real pipeline, and one
// frame lost (seq 5 missing).
struct Sample {
  std::filesystem::path path;
  std::vector<std::vector<double>> metrics;  // flattened, per frame
  std::vector<std::uint32_t> seqs;
};

Sample write_sample(const std::filesystem::path& dir) {
  Sample s;
  SessionMeta meta;
  meta.session_id = "20261123T091500Z-00ff";
  meta.subject = "P-042";
  meta.started_at_ns = kT0;
  meta.software_version = "test";
  meta.config_toml = "subject = \"P-042\"\n";
  ArchiveDeviceLayout mat;
  mat.id = "bed";
  mat.rows = kRows;
  mat.cols = kCols;
  mat.attributes = {{"driver", std::string("plinth-mat")}, {"pitch_row_cm", 2.0}, {"serial", std::string("SN 7")}};
  for (const auto& name : PressurePipeline::metric_field_names()) mat.metric_fields.emplace_back(name);
  ArchiveDeviceLayout strap;
  strap.id = "h10";
  strap.kind = DeviceKind::heart;
  for (std::string_view f : hrv_record_fields().subspan(1)) strap.hrv_fields.emplace_back(std::string(f));
  SessionArchive archive = SessionArchive::create_in(dir, meta, {mat, strap});
  EXPECT_TRUE(archive.healthy()) << archive.last_error();
  s.path = archive.path();

  PressurePipeline pipeline(test_pressure_config());
  std::vector<double> values(PressurePipeline::metric_field_names().size());
  for (std::uint32_t n = 0; n < 12; ++n) {
    if (n == 5) continue;
    const MatFrame f = test_frame(n);
    const std::int64_t t = kT0 + n * 20'000'000LL;
    flatten_metrics(pipeline.process(f, t), values);
    EXPECT_TRUE(archive.append(archived::Frame{0, t, n, n * 20'000ULL, f.raw, values}));
    s.metrics.push_back(values);
    s.seqs.push_back(n);
  }
  for (int b = 0; b < 3; ++b) {
    const std::uint32_t flags = b == 1 ? (beat_ectopic | beat_interpolated) : b == 2 ? beat_dropped : 0u;
    EXPECT_TRUE(archive.append(archived::Beat{1, {kT0 + b * 1'000'000'000LL, 1000.0 + b, 990.0 + b, 60.5, flags, b == 2 ? 1u : 0u}}));
  }
  HrvMetrics hrv;
  hrv.time_ns = kT0 + 2'000'000'000LL;
  hrv.kind = HrvWindowKind::baseline;
  hrv.window_s = 60;
  hrv.beat_count = 70;
  hrv.time.rmssd_ms = 42.5;
  hrv.frequency.hf_ms2 = 812.0;
  hrv.baseline.hf_change_pct = -3.5;
  std::vector<double> hrv_values(hrv_record_fields().size());
  flatten_hrv_record(hrv, hrv_values);
  EXPECT_TRUE(archive.append(archived::Hrv{1, hrv.time_ns, {hrv_values.begin() + 1, hrv_values.end()}}));
  EXPECT_TRUE(archive.append(archived::Event{kT0, "session.start", "P-042", std::nan("")}));
  EXPECT_TRUE(archive.append(archived::Event{kT0 + 100'000'000LL, "gap", "bed", 1.0, "1 frame(s) missing before device seq 6"}));
  EXPECT_TRUE(archive.append(archived::Event{kT0 + 150'000'000LL, "marker", "pétrissage", 2.5, "left calf, \"deep\""}));
  EXPECT_TRUE(archive.close(kT0 + 3'000'000'000LL, {{"archive_dropped_frame", std::int64_t{0}}}));
  return s;
}

class ArchiveReaderTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir;
    sample_ = new Sample(write_sample(dir_->path()));
  }
  static void TearDownTestSuite() {
    delete sample_;
    delete dir_;
  }
  static TempDir* dir_;
  static Sample* sample_;
};
TempDir* ArchiveReaderTest::dir_ = nullptr;
Sample* ArchiveReaderTest::sample_ = nullptr;

TEST_F(ArchiveReaderTest, ReadsMetadataAndDevices) {
  const ArchiveReader r = ArchiveReader::open(sample_->path);
  EXPECT_EQ(text_of(r.attributes(), "session_id"), "20261123T091500Z-00ff");
  EXPECT_EQ(text_of(r.attributes(), "subject"), "P-042");
  EXPECT_EQ(integer_of(r.attributes(), "started_at_ns"), kT0);
  EXPECT_EQ(integer_of(r.attributes(), "ended_at_ns"), kT0 + 3'000'000'000LL);
  EXPECT_EQ(integer_of(r.attributes(), "archive_dropped_frame"), 0);
  ASSERT_EQ(r.devices().size(), 2u);
  const ArchiveDevice* bed = r.device("bed");
  ASSERT_NE(bed, nullptr);
  EXPECT_EQ(bed->kind, "mat");
  EXPECT_EQ(bed->rows, kRows);
  EXPECT_EQ(bed->cols, kCols);
  EXPECT_EQ(text_of(bed->attributes, "serial"), "SN 7");
  EXPECT_EQ(number_of(bed->attributes, "pitch_row_cm"), 2.0);
  EXPECT_EQ(r.device("h10")->kind, "heart");
  EXPECT_EQ(r.device("nope"), nullptr);
}

TEST_F(ArchiveReaderTest, ReadsFramesAndSeries) {
  const ArchiveReader r = ArchiveReader::open(sample_->path);
  ASSERT_EQ(r.frame_count("bed"), sample_->seqs.size());
  EXPECT_EQ(r.frame_seqs("bed"), sample_->seqs);
  const auto times = r.frame_times("bed");
  EXPECT_EQ(times[6], kT0 + 7 * 20'000'000LL);
  EXPECT_EQ(r.frame_device_times("bed")[6], 7 * 20'000ULL);
  std::vector<std::uint16_t> raw;
  r.read_frame("bed", 6, raw);
  EXPECT_EQ(raw, test_frame(7).raw);
  EXPECT_THROW(r.read_frame("bed", 11, raw), ArchiveReadError);
  EXPECT_THROW(r.read_frame("h10", 0, raw), ArchiveReadError);
  EXPECT_EQ(r.frame_count("h10"), 0u);
}

TEST_F(ArchiveReaderTest, MetricsRoundTripThroughTheArchive) {
  const ArchiveReader r = ArchiveReader::open(sample_->path);
  const ArchiveTable m = r.metrics("bed");
  ASSERT_EQ(m.size(), sample_->metrics.size());
  EXPECT_EQ(m.names, PressurePipeline::metric_field_names());
  PressureResult restored;
  std::vector<double> again(m.names.size());
  for (std::size_t row = 0; row < m.size(); ++row) {
    restore_pressure_metrics(m, row, restored);
    flatten_metrics(restored, again);
    for (std::size_t k = 0; k < again.size(); ++k) {
      const double want = sample_->metrics[row][k];
      if (std::isnan(want)) EXPECT_TRUE(std::isnan(again[k])) << m.names[k];
      else EXPECT_EQ(again[k], want) << m.names[k] << " row " << row;
    }
  }
  EXPECT_EQ(m.units.size(), m.names.size());
}

TEST_F(ArchiveReaderTest, BeatsHrvAndEvents) {
  const ArchiveReader r = ArchiveReader::open(sample_->path);
  const ArchiveTable beats = r.beats("h10");
  ASSERT_EQ(beats.size(), 3u);
  const BeatRecord b1 = restore_beat(beats, 1);
  EXPECT_EQ(b1.beat_index, 1u);
  EXPECT_EQ(b1.rr_ms, 1001.0);
  EXPECT_EQ(b1.nn_ms, 991.0);
  EXPECT_EQ(b1.flags, beat_ectopic | beat_interpolated);
  EXPECT_EQ(b1.nn_count, 1u);
  EXPECT_EQ(restore_beat(beats, 2).nn_count, 0u);  // a dropped beat gives no NN interval
  EXPECT_EQ(restore_beat_missing(beats, 2), 1u);

  const ArchiveTable hrv = r.hrv("h10");
  ASSERT_EQ(hrv.size(), 1u);
  const HrvMetrics m = restore_hrv(hrv, 0);
  EXPECT_EQ(m.kind, HrvWindowKind::baseline);
  EXPECT_EQ(m.beat_count, 70u);
  EXPECT_EQ(m.time.rmssd_ms, 42.5);
  EXPECT_EQ(m.frequency.hf_ms2, 812.0);
  EXPECT_EQ(m.baseline.hf_change_pct, -3.5);
  EXPECT_TRUE(std::isnan(m.time.sdnn_ms));
  EXPECT_TRUE(std::isnan(m.baseline.rmssd_change_pct));  // no baseline in this row

  const auto events = r.events();
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[2].kind, "marker");
  EXPECT_EQ(events[2].label, "pétrissage");
  EXPECT_EQ(events[2].value, 2.5);
  EXPECT_EQ(events[2].detail, "left calf, \"deep\"");
  EXPECT_TRUE(std::isnan(events[0].value));
}

TEST(ArchiveReaderErrors, RefusesWhatIsNotASessionArchive) {
  TempDir dir;
  auto message = [](const std::filesystem::path& p) {
    try {
      ArchiveReader::open(p);
    } catch (const ArchiveReadError& e) {
      return std::string(e.what());
    }
    return std::string("opened");
  };
  EXPECT_NE(message(dir.path() / "missing.h5").find("no such file"), std::string::npos);
  EXPECT_NE(message(dir.path()).find("is a directory"), std::string::npos);
  std::ofstream(dir.path() / "text.h5") << "subject,time\n1,2\n";
  EXPECT_NE(message(dir.path() / "text.h5").find("not an HDF5 file"), std::string::npos);

  const Sample s = write_sample(dir.path());
  std::string bytes;
  {
    std::ifstream in(s.path, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  for (std::size_t keep : {std::size_t{100}, std::size_t{2000}, bytes.size() / 2}) {
    std::ofstream(dir.path() / "cut.h5", std::ios::binary | std::ios::trunc).write(bytes.data(), static_cast<std::streamsize>(keep));
    // Either refused with a reason or opened: reading whatever is left must not crash.
    try {
      const ArchiveReader r = ArchiveReader::open(dir.path() / "cut.h5");
      for (const auto& d : r.devices()) (void)r.metrics(d.id);
      (void)r.events();
    } catch (const ArchiveReadError& e) {
      EXPECT_NE(std::string(e.what()).find("cut.h5"), std::string::npos) << e.what();
    }
  }
  // Random damage in the middle of a real archive: errors, never crashes.
  std::mt19937 rng(5);
  for (int trial = 0; trial < 10; ++trial) {
    std::string damaged = bytes;
    for (int k = 0; k < 20; ++k) damaged[rng() % damaged.size()] = static_cast<char>(rng());
    std::ofstream(dir.path() / "damaged.h5", std::ios::binary | std::ios::trunc).write(damaged.data(), static_cast<std::streamsize>(damaged.size()));
    try {
      const ArchiveReader r = ArchiveReader::open(dir.path() / "damaged.h5");
      std::vector<std::uint16_t> raw;
      for (const auto& d : r.devices())
        if (d.kind == "mat")
          for (std::size_t i = 0; i < r.frame_count(d.id); ++i) r.read_frame(d.id, i, raw);
    } catch (const ArchiveReadError&) {
    }
  }
}

TEST(ReplayTimeline, MergesByTimeKeepingSeriesOrderForTies) {
  const std::vector<std::int64_t> events{5, 20}, frames{10, 20, 30}, metrics{10, 20, 30}, beats{0, 25};
  const std::vector<ReplaySeries> series{{ReplayItemKind::event, 0, events},
                                         {ReplayItemKind::frame, 0, frames},
                                         {ReplayItemKind::metrics, 0, metrics},
                                         {ReplayItemKind::beat, 1, beats}};
  const auto items = merge_timeline(series);
  ASSERT_EQ(items.size(), 10u);
  std::vector<std::pair<std::int64_t, ReplayItemKind>> got;
  for (const auto& i : items) got.emplace_back(i.time_ns, i.kind);
  using K = ReplayItemKind;
  const std::vector<std::pair<std::int64_t, ReplayItemKind>> want{
      {0, K::beat},  {5, K::event},  {10, K::frame},   {10, K::metrics}, {20, K::event},
      {20, K::frame}, {20, K::metrics}, {25, K::beat}, {30, K::frame},   {30, K::metrics}};
  EXPECT_EQ(got, want);
  EXPECT_EQ(items[7].source, 1u);
  EXPECT_EQ(items[7].row, 1u);
  EXPECT_EQ(first_at_or_after(items, 20), 4u);
  EXPECT_EQ(first_at_or_after(items, 31), items.size());
}

TEST(ReplayTimeline, ExposureDurationsIntegrateLikeTheLiveAccumulator) {
  // Frames every 0.1 s, then a 2-s dropout (longer than max_gap 1 s: adds nothing), a repeated
  // time (adds nothing), more frames; snapshots at the 5th frame, after the gap, and the end.
  const std::vector<std::int64_t> frames{0, 100'000'000, 200'000'000, 300'000'000, 400'000'000,
                                         2'400'000'000, 2'400'000'000, 2'500'000'000, 2'600'000'000};
  const std::vector<std::int64_t> snapshots{400'000'000, 2'400'000'000, 2'600'000'000};
  const auto d = exposure_durations_s(frames, snapshots, 1.0);
  ASSERT_EQ(d.size(), 3u);
  EXPECT_NEAR(d[0], 0.4, 1e-12);
  EXPECT_NEAR(d[1], 0.4, 1e-12);
  EXPECT_NEAR(d[2], 0.6, 1e-12);
  ExposureAccumulator live(1, 1, 32.0, 1.0);  // the live rule, same frames
  const std::vector<float> p = {40.0f};
  for (std::size_t i = 0; i < frames.size(); ++i) live.add(p, frames[i]);
  EXPECT_DOUBLE_EQ(live.current().duration_s, d[2]);
}

TEST(ReplayTimeline, FinalDecisionsAreReplayedWhenTheyWereMadeLive) {
  // Beats arrive at 0, 10, ..., 90; a final decision waits 3 beats after its beat.
  std::vector<std::int64_t> beat_times;
  for (std::int64_t k = 0; k < 10; ++k) beat_times.push_back(10 * k);
  const std::vector<std::int64_t> index{0, 1, 2, 5, 6, 7, 8, 9};  // 3 and 4 lost to a full archive queue
  // Beat 6 is decided on the arrival of beat 9; 7..9 only at the session's end (the last beat).
  EXPECT_EQ(final_decision_times(index, beat_times, 3),
            (std::vector<std::int64_t>{30, 40, 50, 80, 90, 90, 90, 90}));
  EXPECT_EQ(final_decision_times(index, {}, 3), std::vector<std::int64_t>(index.size(), 0));
  EXPECT_TRUE(final_decision_times({}, beat_times, 3).empty());
}

TEST(ArchiveRecords, OldHrvRowsGetRmssdChangeFromDeltaLnRmssd) {
  // An archive written before rmssd_change_pct: ln_rmssd_change_pct is not restored (a percent
  // change of a logarithm); the RMSSD change is 100 (e^delta_ln_rmssd - 1).
  ArchiveTable old;
  old.time_ns = {1, 2};
  old.names = {"rmssd_ms", "delta_ln_rmssd", "ln_rmssd_change_pct"};
  old.columns = {{60.0, 40.0}, {std::log(1.2), std::nan("")}, {4.66, std::nan("")}};
  const HrvMetrics m = restore_hrv(old, 0);
  EXPECT_NEAR(m.baseline.rmssd_change_pct, 20.0, 1e-9);
  EXPECT_TRUE(std::isnan(restore_hrv(old, 1).baseline.rmssd_change_pct));
}

TEST(ReplayTimeline, DueTimesScaleWithSpeed) {
  EXPECT_EQ(due_after_ns(3'000'000'000, 1'000'000'000, 1.0), 2'000'000'000);
  EXPECT_EQ(due_after_ns(3'000'000'000, 1'000'000'000, 10.0), 200'000'000);
  EXPECT_EQ(due_after_ns(3'000'000'000, 1'000'000'000, 0.5), 4'000'000'000);
  EXPECT_EQ(due_after_ns(3'000'000'000, 1'000'000'000, 0.0), 0);  // as fast as possible
  EXPECT_EQ(due_after_ns(500, 1000, 1.0), 0);
}

TEST(ReplayTimeline, MatchesMetricsRowsToFramesByTime) {
  const std::vector<std::int64_t> frames{10, 20, 30, 40}, rows{10, 25, 30, 40, 50};
  EXPECT_EQ(match_rows_by_time(rows, frames), (std::vector<std::int64_t>{0, -1, 2, 3, -1}));
}

TEST(ReplayTimeline, FramesOfOneReadShareATimeAndMatchInOrder) {
  // Three frames decoded from one serial read carry the same arrival time.
  const std::vector<std::int64_t> frames{10, 20, 20, 20, 30}, rows{10, 20, 20, 20, 30};
  EXPECT_EQ(match_rows_by_time(rows, frames), (std::vector<std::int64_t>{0, 1, 2, 3, 4}));
}

}  // namespace
}  // namespace plinth
