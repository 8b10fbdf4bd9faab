// `plinth calibrate`, offline mode, end to end on synthetic recordings whose per-sensel zero
// offsets and sensitivities are known: the files (text recordings and a plinth-mat capture)
// go through the same loaders as `plinth analyze`, the calibration file is written, and a
// config naming it makes a uniform load read uniform and right.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <random>
#include <sstream>

#include "daemon/pressure/calibration.hpp"
#include "drivers/plinth_mat.hpp"
#include "tests/unit/analyze_test_support.hpp"
#include "tools/analyze/analyze_command.hpp"
#include "tools/analyze/calibration_procedure.hpp"
#include "tools/analyze/offline_pipeline.hpp"

namespace plinth {
namespace {

using analyze_test::TempDir;
using analyze_test::write_bytes;
using analyze_test::write_file;

constexpr std::uint16_t kRows = 16, kCols = 12;
constexpr std::size_t kSensels = std::size_t{kRows} * kCols;
constexpr std::size_t kDead = 17;  // a broken sensel: no response at all
constexpr int kFramesPerStage = 20;

// The mat's truth: raw = offset + sensitivity * p[kPa] + noise (+-2 counts).
struct SyntheticMat {
  std::vector<double> offset, sensitivity;
  std::mt19937 rng{20261123};

  SyntheticMat() {
    std::uniform_real_distribution<double> off(50.0, 150.0), sens(8.0, 16.0);
    for (std::size_t i = 0; i < kSensels; ++i) {
      offset.push_back(off(rng));
      sensitivity.push_back(i == kDead ? 0.0 : sens(rng));
    }
  }
  MatFrame frame(double kpa, std::uint32_t seq) {
    std::uniform_int_distribution<int> noise(-2, 2);
    MatFrame f;
    f.rows = kRows;
    f.cols = kCols;
    f.device_seq = seq;
    f.device_time_us = 1'000'000ULL + seq * 100'000ULL;
    for (std::size_t i = 0; i < kSensels; ++i)
      f.raw.push_back(static_cast<std::uint16_t>(std::lround(offset[i] + sensitivity[i] * kpa + noise(rng))));
    return f;
  }
  std::vector<MatFrame> stage(double kpa) {
    std::vector<MatFrame> frames;
    for (int k = 0; k < kFramesPerStage; ++k) frames.push_back(frame(kpa, static_cast<std::uint32_t>(k)));
    return frames;
  }
  double mean_sensitivity() const {
    double s = 0.0;
    for (double v : sensitivity) s += v;
    return s / static_cast<double>(kSensels);
  }
};

// Row blocks (one row per line, a blank line between frames), as BodiTrak exports them.
std::string row_blocks(const std::vector<MatFrame>& frames) {
  std::ostringstream out;
  for (const MatFrame& f : frames) {
    for (std::size_t r = 0; r < kRows; ++r) {
      for (std::size_t c = 0; c < kCols; ++c) out << (c ? " " : "") << f.raw[r * kCols + c];
      out << "\n";
    }
    out << "\n";
  }
  return out.str();
}

// One frame per line, as the Vista FSA recordings are.
std::string frame_lines(const std::vector<MatFrame>& frames) {
  std::ostringstream out;
  for (const MatFrame& f : frames) {
    for (std::size_t i = 0; i < f.raw.size(); ++i) out << (i ? "\t" : "") << f.raw[i];
    out << "\r\n";
  }
  return out.str();
}

std::vector<std::uint8_t> plinth_mat_capture(const std::vector<MatFrame>& frames) {
  std::vector<std::uint8_t> bytes;
  for (const MatFrame& f : frames) mat_protocol::encode_frame(f, mat_protocol::Encoding::raw16, bytes);
  return bytes;
}

class OfflineCalibration : public ::testing::Test {
 protected:
  void SetUp() override {
    std::vector<MatFrame> unloaded = mat_.stage(0.0);
    // A frame that carries only high bytes, as the Vista firmware sometimes sends: left out.
    MatFrame corrupt = unloaded[3];
    for (auto& v : corrupt.raw) v = static_cast<std::uint16_t>(256 * (1 + v % 7));
    unloaded.insert(unloaded.begin() + 4, corrupt);
    unloaded_ = write_file(tmp_.path() / "unloaded.txt", row_blocks(unloaded));
    load10_ = write_file(tmp_.path() / "plate-10kPa.txt", frame_lines(mat_.stage(10.0)));
    load25_frames_ = mat_.stage(25.0);
    load25_ = write_bytes(tmp_.path() / "bladder-25kPa.bin", plinth_mat_capture(load25_frames_));
  }
  OfflineCalibrationOptions options(const std::string& curve) {
    OfflineCalibrationOptions o;
    o.unloaded = unloaded_.string();
    o.loaded = {load10_.string() + ":10", load25_.string() + ":25"};
    o.output = (tmp_.path() / ("cal-" + curve + ".json")).string();
    o.curve = curve;
    o.device_serial = "SN-TEST-1";
    o.created_at = "2026-11-23T09:00:00Z";
    o.data.rows = kRows;
    o.data.cols = kCols;
    return o;
  }
  TempDir tmp_;
  SyntheticMat mat_;
  std::filesystem::path unloaded_, load10_, load25_;
  std::vector<MatFrame> load25_frames_;
};

TEST_F(OfflineCalibration, RecoversOffsetsAndGainsAndWritesTheFile) {
  const OfflineCalibrationOptions o = options("linear");
  const CalibrationOutcome outcome = run_offline_calibration(o);
  EXPECT_EQ(outcome.unloaded_frames, static_cast<std::size_t>(kFramesPerStage));
  EXPECT_EQ(outcome.loaded_frames, (std::vector<std::size_t>{kFramesPerStage, kFramesPerStage}));
  EXPECT_EQ(outcome.dropped_frames, 1u);
  EXPECT_EQ(outcome.fit.dead_sensels, 1u);

  const CalibrationFile file = load_calibration_file(o.output);
  EXPECT_EQ(file.equilibration.rows, kRows);
  EXPECT_EQ(file.equilibration.cols, kCols);
  EXPECT_EQ(file.device_serial, "SN-TEST-1");
  ASSERT_TRUE(file.has_curve);
  // Equilibration maps every sensel onto the mat average: gain = mean sensitivity / own.
  const double mean_s = mat_.mean_sensitivity();
  for (std::size_t i = 0; i < kSensels; ++i) {
    EXPECT_NEAR(file.equilibration.offset[i], mat_.offset[i], 1.0) << "sensel " << i;
    if (i == kDead) {
      EXPECT_EQ(file.equilibration.gain[i], 0.0f);
    } else {
      EXPECT_NEAR(file.equilibration.gain[i], mean_s / mat_.sensitivity[i], 0.02 * mean_s / mat_.sensitivity[i])
          << "sensel " << i;
    }
  }
  // The curve turns the mat-average response back into kPa.
  EXPECT_EQ(file.curve.kind, CurveKind::linear);
  EXPECT_EQ(file.curve.unit, PressureUnit::kpa);
  EXPECT_NEAR(file.curve.scale, 1.0 / mean_s, 0.01 / mean_s);
  const nlohmann::json report = calibration_report(outcome);
  EXPECT_EQ(report["dead_sensels"], 1);
  EXPECT_EQ(report["known_kpa"].get<std::vector<double>>(), (std::vector<double>{10.0, 25.0}));

  // Never overwrites by accident.
  EXPECT_THROW(run_offline_calibration(o), std::runtime_error);
  OfflineCalibrationOptions again = o;
  again.overwrite = true;
  EXPECT_NO_THROW(run_offline_calibration(again));
}

// The file in use: a config that names it makes the 25 kPa recording read 25 kPa everywhere,
// which it does not without the per-sensel terms.
TEST_F(OfflineCalibration, ACalibratedMatReadsAUniformLoadUniformly) {
  const OfflineCalibrationOptions o = options("linear");
  run_offline_calibration(o);
  const std::string config = R"(
[[mat]]
id = "bed"
driver = "plinth-mat"
port = "/dev/null"
rows = 16
cols = 12
pitch_cm = 1.5

[mat.calibration]
file = "cal-linear.json"
)";
  AnalyzeOptions a;
  a.file = load25_.string();
  a.config_path = write_file(tmp_.path() / "plinthd.toml", config).string();
  const PreparedAnalysis prepared = prepare_analysis(a);
  EXPECT_EQ(prepared.config.calibration.source, (tmp_.path() / "cal-linear.json").string());
  const MetricTable t = analyze_frames(prepared.config, prepared.data.frames, prepared.data.time_ns);
  const double expected_mmhg = 25.0 / kKpaPerMmhg;
  for (std::size_t k = 0; k < t.frames(); ++k) {
    EXPECT_NEAR(t.at(k, "mean_pressure_mmhg"), expected_mmhg, 0.02 * expected_mmhg) << "frame " << k;
    EXPECT_LT(t.at(k, "coefficient_of_variation"), 0.03) << "frame " << k;
    EXPECT_EQ(t.at(k, "contact_sensels"), static_cast<double>(kSensels - 1));  // the dead sensel reads 0
  }

  // Without equilibration (the same mean response, one curve for all) the map is not uniform.
  PressureConfig plain = prepared.config;
  plain.calibration.equilibration = {};
  const MetricTable u = analyze_frames(plain, load25_frames_, prepared.data.time_ns);
  EXPECT_GT(u.at(0, "coefficient_of_variation"), 0.10);
}

TEST_F(OfflineCalibration, PowerAndTableCurvesFromTwoLoads) {
  const CalibrationFile power = [&] {
    run_offline_calibration(options("power"));
    return load_calibration_file(options("power").output);
  }();
  EXPECT_EQ(power.curve.kind, CurveKind::power);
  EXPECT_NEAR(power.curve.b, 1.0, 0.02);  // the synthetic mat is linear
  EXPECT_NEAR(evaluate_curve(power.curve, 25.0 * mat_.mean_sensitivity()), 25.0, 0.25);

  run_offline_calibration(options("table"));
  const CalibrationFile table = load_calibration_file(options("table").output);
  ASSERT_EQ(table.curve.table_p, (std::vector<double>{10.0, 25.0}));
  EXPECT_NEAR(table.curve.table_x[1], 25.0 * mat_.mean_sensitivity(), 0.01 * 25.0 * mat_.mean_sensitivity());
}

TEST_F(OfflineCalibration, BadRequestsAreRefusedWithReasons) {
  OfflineCalibrationOptions o = options("power");
  o.loaded = {load10_.string() + ":10"};
  EXPECT_THROW(run_offline_calibration(o), std::invalid_argument);  // a power law needs two loads
  o = options("linear");
  o.loaded.clear();
  EXPECT_THROW(run_offline_calibration(o), std::invalid_argument);
  o = options("cubic");
  EXPECT_THROW(run_offline_calibration(o), std::invalid_argument);
  o = options("linear");
  o.data.rows = 8;  // wrong geometry: the text recordings no longer parse as 16 x 12
  EXPECT_THROW(run_offline_calibration(o), std::runtime_error);
  EXPECT_FALSE(std::filesystem::exists(options("linear").output));
}

TEST(CalibrateArguments, LoadedFileAndPressure) {
  EXPECT_EQ(parse_loaded_argument("plate.txt:20"), (std::pair<std::string, double>{"plate.txt", 20.0}));
  EXPECT_EQ(parse_loaded_argument("C:/data:x/b.bin:12.5"), (std::pair<std::string, double>{"C:/data:x/b.bin", 12.5}));
  for (const char* bad : {"plate.txt", "plate.txt:", ":5", "plate.txt:-3", "plate.txt:0", "plate.txt:ten", "a:nan"})
    EXPECT_THROW(parse_loaded_argument(bad), std::invalid_argument) << bad;
}

}  // namespace
}  // namespace plinth
