// Properties of the pipeline on real recordings: the Vista FSA 2048 in-bed posture data set
// (../shared/data/pressure/pmatdata/S1, see its README): 64 rows x 32 columns, 2.54 cm.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "daemon/pressure/corrupt_frame.hpp"
#include "daemon/pressure/pressure_pipeline.hpp"
#include "tests/unit/sample_stats.hpp"

namespace plinth {
namespace {

const std::string kDir = "../shared/data/pressure/pmatdata/S1/";

// One frame per line, 2048 whitespace-separated raw values.
std::vector<MatFrame> read_posture(int n) {
  const std::string path = kDir + std::to_string(n) + ".txt";
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open " + path + " (run the tests from the repo root)");
  std::vector<MatFrame> frames;
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream values(line);
    MatFrame f;
    f.rows = 64;
    f.cols = 32;
    f.device_seq = static_cast<std::uint32_t>(frames.size());
    long v = 0;
    while (values >> v) f.raw.push_back(static_cast<std::uint16_t>(std::clamp(v, 0L, 65535L)));
    if (f.raw.empty()) continue;
    if (f.raw.size() != 2048) throw std::runtime_error(path + ": a line without 2048 values");
    frames.push_back(std::move(f));
  }
  return frames;
}

// Illustrative calibration only (the data set publishes none): 0.05 mmHg per count. The
// assertions below are about stability and direction, not absolute pressure.
PressureConfig vista_config() {
  PressureConfig c;
  c.geometry = MatGeometry{64, 32, 2.54, 2.54};
  c.calibration.curve.kind = CurveKind::linear;
  c.calibration.curve.unit = PressureUnit::mmhg;
  c.calibration.curve.scale = 0.05;
  c.saturation_raw = 4095;
  return c;
}

using test_support::cv_of;
using test_support::mean_of;

class PressureRecordings : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(kDir)) FAIL() << "data set not found (../shared beside the repo) at " << kDir;
  }
};

// What the data show (checked with NumPy): frame 1 of every recording carries only high
// bytes (93-99 % of its non-zero values are multiples of 256), and so do rows 32-63 of
// frame 2 in recording 8. Frame 0 is nearly empty (non-zero only from row 29 on; in
// recording 8 the lower body alone): a partial frame that a single-frame test cannot tell
// from an empty mat, so looks_corrupt() leaves it alone and the consumers skip frame 0.
TEST_F(PressureRecordings, LooksCorruptFlagsTheHighByteFramesAndNoOthers) {
  for (int n = 1; n <= 17; ++n) {
    std::vector<MatFrame> frames = read_posture(n);
    ASSERT_GT(frames.size(), 60u);
    for (std::size_t i = 0; i < frames.size(); ++i) {
      const bool expected = i == 1 || (n == 8 && i == 2);
      EXPECT_EQ(looks_corrupt(frames[i]), expected) << "recording " << n << " frame " << i;
    }
  }
}

TEST_F(PressureRecordings, LoadAndContactAreaAreStableWithinAPosture) {
  for (int n = 1; n <= 17; ++n) {
    std::vector<MatFrame> frames = read_posture(n);
    PressurePipeline pipeline(vista_config());
    std::vector<double> load, area;
    for (std::size_t i = 1; i < frames.size(); ++i) {
      const PressureResult& r = pipeline.process(frames[i], static_cast<std::int64_t>(i) * 1'000'000'000);
      if (r.suspect) continue;
      load.push_back(r.frame.total_load_n);
      area.push_back(r.frame.contact_area_cm2);
    }
    ASSERT_GT(load.size(), 60u);
    // Observed: load CV 0.02-0.06 (the sensors creep), contact area CV 0.005-0.02.
    EXPECT_LT(cv_of(load), 0.10) << "recording " << n;
    EXPECT_LT(cv_of(area), 0.03) << "recording " << n;
    EXPECT_GT(*std::min_element(load.begin(), load.end()), 0.65 * *std::max_element(load.begin(), load.end()));
    EXPECT_GT(mean_of(area), 5000.0) << "a lying adult covers thousands of cm^2";
  }
}

std::vector<double> cop_columns(int n) {
  std::vector<MatFrame> frames = read_posture(n);
  PressurePipeline pipeline(vista_config());
  std::vector<double> cols;
  for (std::size_t i = 1; i < frames.size(); ++i) {
    const PressureResult& r = pipeline.process(frames[i], static_cast<std::int64_t>(i) * 1'000'000'000);
    if (!r.suspect) cols.push_back(r.frame.cop_col_cm);
  }
  return cols;
}

// Found in the data: in the "right side" recording (2) the CoP lies near column 14.9
// (39.2 cm from column 0's edge); in the "left side" recording (3) near column 12.6 (33.3 cm),
// and the right/left 30 and 60 degree recordings (4, 5 vs 6, 7) agree in sign.
TEST_F(PressureRecordings, CopColumnIsHigherLyingOnTheRightSideThanOnTheLeft) {
  std::vector<double> right = cop_columns(2), left = cop_columns(3);
  EXPECT_GT(*std::min_element(right.begin(), right.end()), *std::max_element(left.begin(), left.end()));
  EXPECT_GT(mean_of(right) - mean_of(left), 2.54);  // more than one sensel apart
  EXPECT_GT(mean_of(cop_columns(5)), mean_of(cop_columns(7)));
}

TEST_F(PressureRecordings, ReplayGivesTheSameMetricsAndSaneSway) {
  std::vector<MatFrame> frames = read_posture(13);
  PressureConfig c = vista_config();
  c.occupancy.on_hold_s = 0.0;
  PressurePipeline a(c), b(c);
  const auto& names = PressurePipeline::metric_field_names();
  std::vector<double> va(names.size()), vb(names.size());
  for (std::size_t i = 0; i < frames.size(); ++i) {
    const std::int64_t t = 1'700'000'000'000'000'000 + static_cast<std::int64_t>(i) * 1'000'000'000;
    flatten_metrics(a.process(frames[i], t), va);
    flatten_metrics(b.process(frames[i], t), vb);
    for (std::size_t k = 0; k < names.size(); ++k)
      ASSERT_TRUE(va[k] == vb[k] || (std::isnan(va[k]) && std::isnan(vb[k]))) << names[k] << " frame " << i;
  }
  const PressureResult& r = a.result();
  EXPECT_TRUE(r.occupied);
  EXPECT_EQ(r.sway.samples, 11u);  // 1 frame/s over a 10 s window
  EXPECT_GT(r.sway.path_length_cm, 0.0);
  EXPECT_LT(r.sway.rms_distance_cm, 2.0);  // someone lying still
  EXPECT_LT(r.movement_index_per_s, 0.2);
  EXPECT_GT(a.risk_map().max_dose_mmhg_s, 0.0);
}

}  // namespace
}  // namespace plinth
