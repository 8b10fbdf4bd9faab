// The noise floor on real data: the BodiTrak BT3510 exports in
// ../shared/data/pressure/pmatdata-exp2/S1 (29 files, each one 64 x 27 frame averaged over ~20
// frames, a baseline of ~40-50 counts where nothing presses). Expected values from
// tests/reference/noise_floor_reference.py, which derives the same calibration in NumPy.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <random>

#include "daemon/pressure/calibration_fit.hpp"
#include "daemon/pressure/pressure_pipeline.hpp"
#include "drivers/sim/recording_reader.hpp"

namespace plinth {
namespace {

const std::string kDir = "../shared/data/pressure/pmatdata-exp2/S1/";
constexpr int kRows = 64, kCols = 27;
constexpr std::size_t kSensels = std::size_t{kRows} * kCols;

using Mask = std::vector<std::uint8_t>;

// Sensels within `k` sensels (Chebyshev) of one set in `mask`.
Mask near(const Mask& mask, int k) {
  Mask out(kSensels, 0);
  for (int r = 0; r < kRows; ++r)
    for (int c = 0; c < kCols; ++c) {
      if (!mask[static_cast<std::size_t>(r) * kCols + c]) continue;
      for (int rr = std::max(0, r - k); rr <= std::min(kRows - 1, r + k); ++rr)
        for (int cc = std::max(0, c - k); cc <= std::min(kCols - 1, c + k); ++cc) out[static_cast<std::size_t>(rr) * kCols + cc] = 1;
    }
  return out;
}

Mask clearly_loaded(const MatFrame& f) {
  Mask m(kSensels, 0);
  for (std::size_t i = 0; i < kSensels; ++i) m[i] = f.raw[i] > 60;  // the baseline peaks at ~54
  return m;
}

// The data set has no empty-mat recording: a sensel's unloaded readings come from the files in
// which the body is more than 2 sensels away from it.
Mask unloaded(const MatFrame& f) {
  Mask m = near(clearly_loaded(f), 2);
  for (auto& v : m) v = !v;
  return m;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

// offset = mean, spread = sample SD of each sensel's unloaded readings in the files `use`
// selects; with fewer than 5 readings, the median offset and the RMS spread of the others.
Equilibration unloaded_statistics(const std::vector<MatFrame>& files, const std::vector<bool>& use) {
  std::vector<std::vector<double>> readings(kSensels);
  for (std::size_t f = 0; f < files.size(); ++f) {
    if (!use[f]) continue;
    const Mask free = unloaded(files[f]);
    for (std::size_t i = 0; i < kSensels; ++i)
      if (free[i]) readings[i].push_back(files[f].raw[i]);
  }
  std::vector<double> offset(kSensels), spread(kSensels), good_offsets;
  std::vector<bool> ok(kSensels);
  double sum_sq_spread = 0.0;
  for (std::size_t i = 0; i < kSensels; ++i) {
    const auto& v = readings[i];
    ok[i] = v.size() >= 5;
    if (!ok[i]) continue;
    double mean = 0.0, ss = 0.0;
    for (double x : v) mean += x;
    mean /= static_cast<double>(v.size());
    for (double x : v) ss += (x - mean) * (x - mean);
    offset[i] = mean;
    spread[i] = std::sqrt(ss / static_cast<double>(v.size() - 1));
    good_offsets.push_back(mean);
    sum_sq_spread += spread[i] * spread[i];
  }
  const double fallback_offset = median(good_offsets);
  const double fallback_spread = std::sqrt(sum_sq_spread / static_cast<double>(good_offsets.size()));
  Equilibration e{kRows, kCols, {}, std::vector<float>(kSensels, 1.0f), {}};
  for (std::size_t i = 0; i < kSensels; ++i) {
    e.offset.push_back(static_cast<float>(ok[i] ? offset[i] : fallback_offset));
    e.spread.push_back(static_cast<float>(ok[i] ? spread[i] : fallback_spread));
  }
  return e;
}

// Illustrative: the export states no calibration. 0.05 mmHg per count above the offset.
PressureConfig boditrak_config(const Equilibration& e, double noise_threshold_mmhg, double k) {
  PressureConfig c;
  c.geometry = MatGeometry{kRows, kCols, 1.0, 1.0};
  c.calibration.equilibration = e;
  c.calibration.curve.kind = CurveKind::linear;
  c.calibration.curve.unit = PressureUnit::mmhg;
  c.calibration.curve.scale = 0.05;
  c.noise_threshold_mmhg = noise_threshold_mmhg;
  c.noise_floor_sd = k;
  return c;
}

class BodiTrakNoise : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(kDir)) FAIL() << "data set not found (../shared beside the repo) at " << kDir;
    files_ = sim::read_recording(kDir).frames;
    ASSERT_EQ(files_.size(), 29u);
  }
  std::vector<MatFrame> files_;
};

std::size_t count_in(const std::vector<float>& map, const Mask& mask) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < map.size(); ++i) n += map[i] > 0.0f && mask[i];
  return n;
}

// B1 with a calibration from the other 28 files. The old behaviour (mean offset, no floor)
// counted 1197 sensels as contact; k = 3 counts 784. The 413 dropped are sensels within three
// unloaded SDs of their offset: 210 of the 224 the old rule found more than 2 sensels from the
// body, and none of the body itself (622 of the 623 sensels above 60 counts stay).
TEST_F(BodiTrakNoise, ARealLoadedFrameKeepsItsBodyAndLosesTheNoise) {
  std::vector<bool> others(files_.size(), true);
  others[0] = false;
  const Equilibration e = unloaded_statistics(files_, others);
  double sum_offset = 0.0, sum_spread = 0.0;
  for (std::size_t i = 0; i < kSensels; ++i) {
    sum_offset += e.offset[i];
    sum_spread += e.spread[i];
  }
  EXPECT_NEAR(sum_offset, 77517.544248, 0.01);  // the NumPy calibration, summed
  EXPECT_NEAR(sum_spread, 3713.947597, 0.01);

  const MatFrame& b1 = files_[0];
  PressurePipeline old_rule(boditrak_config(e, 0.0, 0.0)), floor(boditrak_config(e, 0.0, 3.0));
  const PressureResult& before = old_rule.process(b1, 0);
  const std::vector<float> old_map = before.pressure_mmhg;
  const std::uint32_t old_contact = before.frame.contact_sensels;
  const PressureResult& after = floor.process(b1, 0);
  EXPECT_EQ(old_contact, 1197u);
  EXPECT_EQ(after.frame.contact_sensels, 784u);

  const Mask far = unloaded(b1), body = clearly_loaded(b1);
  EXPECT_EQ(count_in(old_map, far), 224u);
  EXPECT_EQ(count_in(after.pressure_mmhg, far), 14u);
  EXPECT_EQ(std::count(body.begin(), body.end(), 1), 623);
  EXPECT_EQ(count_in(after.pressure_mmhg, body), 622u);
  // The contact area shrinks by less than the noise-level sensels the old rule added: every
  // sensel dropped read within three SDs of its offset, and the body is kept.
  std::size_t noise_level_before = 0;
  for (std::size_t i = 0; i < kSensels; ++i)
    noise_level_before += old_map[i] > 0.0f && b1.raw[i] <= e.offset[i] + 3.0 * e.spread[i] + 1e-3;
  EXPECT_LE(old_contact - after.frame.contact_sensels, noise_level_before);
  EXPECT_GT(after.frame.total_load_n, 0.97 * before.frame.total_load_n);
}

// An empty mat with the real per-sensel baselines and spreads (all 29 files) and Gaussian noise
// of that spread, rounded to whole counts; calibrated by compute_equilibration from 100 frames
// as `plinth calibrate` would, then 200 further empty frames.
TEST_F(BodiTrakNoise, AnEmptyMatWithRealisticNoiseHasNoContact) {
  const Equilibration truth = unloaded_statistics(files_, std::vector<bool>(files_.size(), true));
  std::mt19937 rng(20241204);
  std::normal_distribution<double> z(0.0, 1.0);
  auto empty_frame = [&](double extra) {
    MatFrame f;
    f.rows = kRows;
    f.cols = kCols;
    for (std::size_t i = 0; i < kSensels; ++i)
      f.raw.push_back(static_cast<std::uint16_t>(std::lround(truth.offset[i] + extra + truth.spread[i] * z(rng))));
    return f;
  };
  std::vector<MatFrame> unloaded_frames, plate;
  for (int k = 0; k < 100; ++k) unloaded_frames.push_back(empty_frame(0.0));
  for (int k = 0; k < 20; ++k) plate.push_back(empty_frame(400.0));
  const std::vector<LoadedSet> loaded = {{plate, 10.0}};
  const Equilibration measured = compute_equilibration(unloaded_frames, loaded).equilibration;
  ASSERT_TRUE(measured.has_spread());

  PressureConfig defaults = boditrak_config(measured, kDefaultNoiseThresholdMmhg, kDefaultNoiseFloorSd);
  PressurePipeline with_defaults(defaults), old_rule(boditrak_config(measured, 0.0, 0.0)),
      k3_only(boditrak_config(measured, 0.0, 3.0)), k5_only(boditrak_config(measured, 0.0, 5.0));
  double old_sum = 0.0, k3_sum = 0.0, k5_sum = 0.0;
  const int frames = 200;
  for (int k = 0; k < frames; ++k) {
    const MatFrame f = empty_frame(0.0);
    const std::int64_t t = k * 1'000'000'000LL;
    EXPECT_EQ(with_defaults.process(f, t).frame.contact_area_cm2, 0.0) << "frame " << k;
    old_sum += old_rule.process(f, t).frame.contact_sensels;
    k3_sum += k3_only.process(f, t).frame.contact_sensels;
    k5_sum += k5_only.process(f, t).frame.contact_sensels;
  }
  const double n = frames * static_cast<double>(kSensels);
  // NumPy, same model: 0.506 of the sensels with the old rule, 0.00175 with k = 3 alone (3.0 of
  // 1728 per frame: Gaussian 0.00135 plus rounding and the estimated spread), 1e-6 with k = 5.
  // The k = 3 band allows for this test's own draw of the calibration frames.
  EXPECT_NEAR(old_sum / n, 0.506, 0.03);
  EXPECT_GT(k3_sum / n, 0.0010);
  EXPECT_LT(k3_sum / n, 0.0030);
  EXPECT_LE(k5_sum, 2.0);
}

}  // namespace
}  // namespace plinth
