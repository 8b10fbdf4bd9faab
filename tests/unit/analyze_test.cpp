// `plinth analyze` (as functions, no processes): input detection and decoding of
// recordings, wire captures and archives; configs from a plinthd TOML or the command line;
// the printed metrics; and the pipeline's properties on the real recordings.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "daemon/archive/session_archive.hpp"
#include "daemon/pressure/corrupt_frame.hpp"
#include "drivers/driver_registry.hpp"
#include "tests/unit/analyze_test_support.hpp"
#include "tools/analyze/analyze_command.hpp"
#include "tools/analyze/offline_pipeline.hpp"
#include "tests/unit/sample_stats.hpp"

namespace plinth {
namespace {

using analyze_test::TempDir;
using analyze_test::write_file;

const std::string kVista = "../shared/data/pressure/pmatdata/S1/";
const std::string kBodiTrak = "../shared/data/pressure/pmatdata-exp2/S1/";

using test_support::cv_of;
using test_support::mean_of;

// The Vista FSA mat as a plinthd config would describe it (the data set publishes no
// calibration: 0.05 mmHg per count is illustrative; the assertions are about stability and
// direction, not absolute pressure).
std::string vista_config_toml() {
  return R"(
[[mat]]
id = "bed"
driver = "plinth-mat"
port = "/dev/null"
rows = 64
cols = 32
pitch_cm = 2.54
saturation_raw = 4095

[mat.calibration]
curve = "linear"
unit = "mmHg"
scale = 0.05
)";
}

class RealRecordings : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(kVista)) FAIL() << "data set not found (../shared beside the repo) at " << kVista;
    config_path_ = write_file(tmp_.path() / "plinthd.toml", vista_config_toml());
  }
  MetricTable analyze(int posture) {
    AnalyzeOptions o;
    o.file = kVista + std::to_string(posture) + ".txt";
    o.config_path = config_path_.string();
    const PreparedAnalysis a = prepare_analysis(o);
    EXPECT_EQ(a.data.kind, "recording (frame-per-line)");
    return analyze_frames(a.config, a.data.frames, a.data.time_ns);
  }
  TempDir tmp_;
  std::filesystem::path config_path_;
};

// The two known-corrupt first frames are flagged in the output, and no other frame of these
// recordings is: frame 1 carries only high bytes (the pipeline's looks_corrupt), frame 0 is a
// partial frame that the recording reader's sequence check marks (drivers/sim/suspect_frames).
TEST_F(RealRecordings, CorruptFirstFramesAreFlaggedSuspect) {
  for (int posture : {2, 3}) {
    const MetricTable t = analyze(posture);
    ASSERT_GT(t.frames(), 60u);
    for (std::size_t i = 0; i < t.frames(); ++i)
      EXPECT_EQ(t.at(i, "suspect"), i <= 1 ? 1.0 : 0.0) << "posture " << posture << " frame " << i;
  }
}

TEST_F(RealRecordings, LoadAndAreaAreStableWithinEachSidePosture) {
  for (int posture : {2, 3}) {
    const MetricTable t = analyze(posture);
    std::vector<double> load, area;
    for (std::size_t i = 2; i < t.frames(); ++i) {
      load.push_back(t.at(i, "total_load_n"));
      area.push_back(t.at(i, "contact_area_cm2"));
    }
    // With the default 5 mmHg floor (the noise no longer counts as contact) the area varies
    // more as creeping sensels cross the floor: observed CV 0.027 and 0.068, 1777 and 1677 cm^2
    // (it read 0.005-0.02 and over 5000 cm^2 while 68 % of the mat counted as contact).
    EXPECT_LT(cv_of(load), 0.10) << "posture " << posture;
    EXPECT_LT(cv_of(area), 0.10) << "posture " << posture;
    EXPECT_GT(mean_of(area), 1000.0) << "a lying adult covers over a thousand cm^2";
    // Someone lies on the mat the whole time (the pipeline's own occupancy says so).
    EXPECT_EQ(t.at(t.frames() - 1, "occupied"), 1.0);
  }
}

// Found by the pressure helper (schemas/pressure-metrics.md, pressure_recordings_test): lying
// on the right side (2) puts the CoP near column 14.9, on the left side (3) near 12.6.
TEST_F(RealRecordings, CentreOfPressureMovesTowardTheHigherColumnsOnTheRightSide) {
  const MetricTable right = analyze(2), left = analyze(3);
  auto cop_cols = [](const MetricTable& t) {
    std::vector<double> v;
    for (std::size_t i = 2; i < t.frames(); ++i) v.push_back(t.at(i, "cop_col_cm"));
    return v;
  };
  const std::vector<double> r = cop_cols(right), l = cop_cols(left);
  EXPECT_GT(*std::min_element(r.begin(), r.end()), *std::max_element(l.begin(), l.end()));
  EXPECT_GT(mean_of(r) - mean_of(l), 2.54);
  // The CoP column in cm is (column index + 0.5) * pitch: both lie on the mat's middle third.
  EXPECT_NEAR(mean_of(r), 39.2, 2.54);
  EXPECT_NEAR(mean_of(l), 33.3, 2.54);
}

TEST_F(RealRecordings, FrameTimesFromTheNominalRateAndTheExposureMapCoversTheRecording) {
  const MetricTable t = analyze(2);
  // ~1 frame per second from the data set's nominal rate.
  EXPECT_EQ(t.time_ns[10] - t.time_ns[9], 1'000'000'000);
  EXPECT_EQ(t.device_seq[10], 10u);
  // A still body: the exposure map integrates over the whole recording.
  // The suspect frames 0 and 1 add nothing: 1 s per step from frame 2 on.
  EXPECT_NEAR(t.exposure.duration_s, static_cast<double>(t.frames() - 3), 1e-9);
  EXPECT_GT(t.exposure.max_pti_mmhg_s, 0.0);
}

// The printed forms carry the same numbers: CSV with a header row, JSON lines with booleans.
TEST_F(RealRecordings, CsvAndJsonLinesPrintEveryFrameAndColumn) {
  AnalyzeOptions o;
  o.file = kVista + "3.txt";
  o.scale = 0.05;
  o.unit = "mmHg";
  const PreparedAnalysis a = prepare_analysis(o);
  EXPECT_EQ(a.config.geometry.pitch_row_cm, 2.54);  // known for the Vista shape
  const MetricTable t = analyze_frames(a.config, a.data.frames, a.data.time_ns);

  std::ostringstream csv;
  write_analysis(a, "csv", csv);
  std::istringstream lines(csv.str());
  std::string header;
  std::getline(lines, header);
  std::string expected = "frame,time_ns,time_s,device_seq";
  for (const auto& c : t.columns) expected += "," + c;
  EXPECT_EQ(header, expected);
  std::vector<std::string> rows;
  for (std::string line; std::getline(lines, line);) rows.push_back(line);
  ASSERT_EQ(rows.size(), t.frames());
  std::vector<std::string> cells;
  std::stringstream row5(rows[5]);
  for (std::string cell; std::getline(row5, cell, ',');) cells.push_back(cell);
  ASSERT_EQ(cells.size(), 4 + t.columns.size());
  EXPECT_EQ(cells[0], "5");
  EXPECT_EQ(std::stod(cells[2]), 5.0);
  EXPECT_EQ(std::stod(cells[4 + t.column_index("total_load_n")]), t.at(5, "total_load_n"));  // round-trips

  std::ostringstream jsonl;
  write_analysis(a, "jsonl", jsonl);
  std::istringstream jlines(jsonl.str());
  std::vector<nlohmann::json> objects;
  for (std::string line; std::getline(jlines, line);) objects.push_back(nlohmann::json::parse(line));
  ASSERT_EQ(objects.size(), t.frames());
  EXPECT_EQ(objects[1]["suspect"], true);
  EXPECT_EQ(objects[2]["suspect"], false);
  EXPECT_EQ(objects[7]["suspect"], false);
  EXPECT_EQ(objects[7]["device_seq"], 7);
  EXPECT_EQ(objects[7]["cop_col_cm"].get<double>(), t.at(7, "cop_col_cm"));
  EXPECT_THROW(write_analysis(a, "xml", jsonl), std::runtime_error);
}

// BodiTrak BT3510 export (one averaged frame, 64 x 27, baseline ~40-50 counts). With 1 mmHg per
// count and a 60 mmHg noise threshold, contact is exactly the sensels above 60 counts.
TEST(BodiTrakRecording, OneFrameThroughTheCommandLineCalibration) {
  const std::string file = kBodiTrak + "Matrix_Air_B1.txt";
  if (!std::filesystem::exists(file)) FAIL() << "data set not found (../shared beside the repo) at " << file;
  AnalyzeOptions o;
  o.file = file;
  o.scale = 1.0;
  o.unit = "mmHg";
  o.pitch_cm = 1.0;  // illustrative; the export does not say
  o.noise_threshold_mmhg = 60.0;
  const PreparedAnalysis a = prepare_analysis(o);
  ASSERT_EQ(a.data.frames.size(), 1u);
  EXPECT_EQ(a.data.rows, 64);
  EXPECT_EQ(a.data.cols, 27);
  const std::vector<std::uint16_t>& raw = a.data.frames[0].raw;
  const auto above = std::count_if(raw.begin(), raw.end(), [](std::uint16_t v) { return v > 60; });
  const MetricTable t = analyze_frames(a.config, a.data.frames, a.data.time_ns);
  EXPECT_EQ(t.at(0, "suspect"), 0.0);
  EXPECT_EQ(t.at(0, "contact_sensels"), static_cast<double>(above));
  EXPECT_GT(above, 100);
  EXPECT_LT(above, 64 * 27 / 2);
  EXPECT_EQ(t.at(0, "peak_pressure_mmhg"), static_cast<double>(*std::max_element(raw.begin(), raw.end())));
  EXPECT_GT(t.at(0, "cop_row_cm"), 0.0);
  EXPECT_LT(t.at(0, "cop_row_cm"), 64.0);
  EXPECT_LT(t.at(0, "cop_col_cm"), 27.0);
  EXPECT_NE(a.data.timing.find("assumed 1 Hz"), std::string::npos);
}

// --- Inputs other than recordings ------------------------------------------------------------

MatFrame ramp_frame(std::uint16_t rows, std::uint16_t cols, std::uint32_t seq) {
  MatFrame f;
  f.rows = rows;
  f.cols = cols;
  f.device_seq = seq;
  f.device_time_us = 1'000'000 + seq * 40'000ULL;  // 25 Hz
  for (std::size_t i = 0; i < std::size_t{rows} * cols; ++i)
    f.raw.push_back(static_cast<std::uint16_t>((i * 37 + seq * 11) % 4000));
  return f;
}

std::vector<std::uint8_t> capture_of(const std::string& driver, std::uint16_t rows, std::uint16_t cols, int frames) {
  DriverOptions options;
  options.rows = rows;
  options.cols = cols;
  DeviceInfo info;
  info.rows = rows;
  info.cols = cols;
  info.adc_bits = 12;
  auto sim = find_driver(driver)->make_sim(options, info);
  std::vector<std::uint8_t> bytes;
  for (int k = 0; k < frames; ++k) sim->encode_frame(ramp_frame(rows, cols, static_cast<std::uint32_t>(k)), bytes);
  return bytes;
}

TEST(AnalyzeInputs, PlinthMatCaptureIsDetectedAndTimedByTheDeviceClock) {
  TempDir tmp;
  std::vector<std::uint8_t> bytes = {0x00, 0x13, 0x37};  // line noise before the first frame
  const auto frames = capture_of("plinth-mat", 8, 6, 10);
  bytes.insert(bytes.end(), frames.begin(), frames.end());
  const auto path = analyze_test::write_bytes(tmp.path() / "mat.bin", bytes);
  const MatData d = load_mat_data(path, {});
  EXPECT_EQ(d.kind, "capture:plinth-mat");
  ASSERT_EQ(d.frames.size(), 10u);
  EXPECT_EQ(d.frames[9].raw, ramp_frame(8, 6, 9).raw);
  EXPECT_EQ(d.time_ns[9], 9 * 40'000'000LL);
  EXPECT_NE(d.timing.find("device clock"), std::string::npos);
}

TEST(AnalyzeInputs, RowMatrixCaptureNeedsGeometryAndIsDetectedByItsStartByte) {
  TempDir tmp;
  const auto path = analyze_test::write_bytes(tmp.path() / "seat.bin", capture_of("row-matrix", 16, 16, 5));
  MatDataOptions o;
  try {
    load_mat_data(path, o);
    FAIL() << "decoded without geometry";
  } catch (const MatDataError& e) {
    EXPECT_NE(std::string(e.what()).find("rows and cols"), std::string::npos) << e.what();
  }
  o.rows = 16;
  o.cols = 16;
  o.rate_hz = 10;
  const MatData d = load_mat_data(path, o);
  EXPECT_EQ(d.kind, "capture:row-matrix");
  ASSERT_EQ(d.frames.size(), 5u);
  EXPECT_EQ(d.frames[3].raw, ramp_frame(16, 16, 3).raw);
  EXPECT_EQ(d.time_ns[4], 400'000'000);
}

TEST(AnalyzeInputs, TextMatCaptureThroughTheDriverWhenAsked) {
  TempDir tmp;
  const auto path = analyze_test::write_bytes(tmp.path() / "diy.txt", capture_of("text-mat", 4, 5, 3));
  MatDataOptions o;
  o.input = "text-mat";
  o.rows = 4;
  o.cols = 5;
  const MatData d = load_mat_data(path, o);
  EXPECT_EQ(d.kind, "capture:text-mat");
  ASSERT_EQ(d.frames.size(), 3u);
  EXPECT_EQ(d.frames[2].raw, ramp_frame(4, 5, 2).raw);
  // The same bytes read as a recording (auto: text) give the same frames.
  o.input = "auto";
  const MatData r = load_mat_data(path, o);
  ASSERT_EQ(r.frames.size(), 3u);
  EXPECT_EQ(r.frames[2].raw, d.frames[2].raw);
}

TEST(AnalyzeInputs, BadInputsGetClearErrors) {
  TempDir tmp;
  const auto junk = analyze_test::write_bytes(tmp.path() / "junk.bin", {0x01, 0x02, 0x03, 0x80, 0x81});
  EXPECT_THROW(load_mat_data(junk, {}), MatDataError);
  MatDataOptions o;
  o.input = "rr-line";  // a heart protocol is not a mat input
  EXPECT_THROW(load_mat_data(junk, o), MatDataError);
  o.input = "plinth-mat";
  try {
    load_mat_data(junk, o);
    FAIL();
  } catch (const MatDataError& e) {
    EXPECT_NE(std::string(e.what()).find("no plinth-mat frames"), std::string::npos) << e.what();
  }
  EXPECT_THROW(load_mat_data(tmp.path() / "missing.txt", {}), MatDataError);

  AnalyzeOptions a;
  a.file = analyze_test::write_bytes(tmp.path() / "mat.bin", capture_of("plinth-mat", 8, 6, 2)).string();
  try {
    prepare_analysis(a);
    FAIL() << "analysed without a calibration";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("--config"), std::string::npos) << e.what();
  }
  a.scale = 0.01;
  EXPECT_THROW(prepare_analysis(a), std::runtime_error);  // no pitch anywhere
  a.pitch_cm = 1.5;
  EXPECT_NO_THROW(prepare_analysis(a));
  // A config for another geometry is refused, naming both.
  a.scale = 0;
  a.config_path = write_file(tmp.path() / "plinthd.toml", vista_config_toml()).string();
  try {
    prepare_analysis(a);
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("8x6"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("64x32"), std::string::npos) << e.what();
  }
}

// An archive written by the daemon's own archive code reads back with host times, and
// analysing it uses the config archived with the session when none is given.
TEST(AnalyzeInputs, ArchiveFramesWithTheirHostTimesAndArchivedConfig) {
  TempDir tmp;
  SessionMeta meta;
  meta.session_id = "20261123T091500Z-abcd";
  meta.started_at_ns = 1'795'425'300'000'000'000;
  meta.config_toml = R"(
[[mat]]
id = "seat"
driver = "row-matrix"
port = "/dev/null"
rows = 8
cols = 6
pitch_cm = 2.0
[mat.calibration]
curve = "linear"
unit = "mmHg"
scale = 0.1
)";
  ArchiveDeviceLayout layout;
  layout.id = "seat";
  layout.kind = DeviceKind::mat;
  layout.rows = 8;
  layout.cols = 6;
  layout.attributes["pitch_row_cm"] = 2.0;
  layout.attributes["pitch_col_cm"] = 2.0;
  std::filesystem::path path;
  {
    SessionArchive archive = SessionArchive::create_in(tmp.path(), meta, {layout});
    ASSERT_TRUE(archive.healthy()) << archive.last_error();
    for (std::uint32_t k = 0; k < 6; ++k) {
      const MatFrame f = ramp_frame(8, 6, k);
      ASSERT_TRUE(archive.append(archived::Frame{0, meta.started_at_ns + k * 33'000'000LL, 100 + k, f.device_time_us, f.raw}));
    }
    path = archive.path();
    ASSERT_TRUE(archive.close(meta.started_at_ns + 1'000'000'000));
  }
  AnalyzeOptions o;
  o.file = path.string();
  const PreparedAnalysis a = prepare_analysis(o);
  EXPECT_EQ(a.data.kind, "archive");
  EXPECT_EQ(a.data.device_id, "seat");
  EXPECT_EQ(a.config_origin, "the config archived with the session");
  ASSERT_EQ(a.data.frames.size(), 6u);
  EXPECT_EQ(a.data.frames[4].device_seq, 104u);
  EXPECT_EQ(a.data.frames[4].raw, ramp_frame(8, 6, 4).raw);
  EXPECT_EQ(a.data.time_ns[5] - a.data.time_ns[0], 5 * 33'000'000LL);
  const MetricTable t = analyze_frames(a.config, a.data.frames, a.data.time_ns);
  // sum P * A, P = 0.1 mmHg per count, A = 4 cm^2, over the sensels above the default 5 mmHg
  // floor (the archived config sets none).
  double expected_load = 0.0;
  for (std::uint16_t v : a.data.frames[2].raw)
    if (v * 0.1 > kDefaultNoiseThresholdMmhg) expected_load += v * 0.1 * kKpaPerMmhg * 0.1 * 4.0;
  EXPECT_NEAR(t.at(2, "total_load_n"), expected_load, 1e-6 * expected_load);
}

}  // namespace
}  // namespace plinth
