// The simulated client on the table: physically plausible, deterministic, and the
// breathing and shifts it is configured for actually show in the frames.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <numeric>

#include "drivers/sim/body_scenario.hpp"
#include "drivers/sim/mat_source.hpp"

namespace plinth::sim {
namespace {

constexpr std::uint16_t kRows = 64, kCols = 32;
constexpr double kPitch = 2.54;

BodyScenarioOptions still() {
  BodyScenarioOptions o;
  o.mean_shift_interval_s = 0;
  return o;
}

struct Cop {
  double row = 0, col = 0, total = 0;
};

template <class V>
Cop centre_of_pressure(const V& values, std::uint16_t cols) {
  Cop c;
  for (std::size_t i = 0; i < values.size(); ++i) {
    const double v = values[i];
    c.total += v;
    c.row += v * static_cast<double>(i / cols);
    c.col += v * static_cast<double>(i % cols);
  }
  if (c.total > 0) {
    c.row /= c.total;
    c.col /= c.total;
  }
  return c;
}

// Max of the map over rows [r0, r1).
double max_in_rows(const std::vector<float>& p, std::size_t r0, std::size_t r1, std::uint16_t cols = kCols) {
  return *std::max_element(p.begin() + static_cast<std::ptrdiff_t>(r0 * cols), p.begin() + static_cast<std::ptrdiff_t>(r1 * cols));
}
std::vector<double> row_loads(const std::vector<float>& p, std::uint16_t rows = kRows, std::uint16_t cols = kCols) {
  std::vector<double> r(rows, 0.0);
  for (std::size_t i = 0; i < p.size(); ++i) r[i / cols] += p[i];
  return r;
}

// Frequency (Hz) of the largest DFT magnitude of `x` (mean removed) in [lo, hi].
double dominant_frequency(std::vector<double> x, double rate_hz, double lo, double hi) {
  const double mean = std::accumulate(x.begin(), x.end(), 0.0) / static_cast<double>(x.size());
  for (double& v : x) v -= mean;
  double best_f = 0, best = -1;
  for (double f = lo; f <= hi; f += 0.0025) {
    double re = 0, im = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
      const double ph = 2 * std::numbers::pi * f * static_cast<double>(i) / rate_hz;
      re += x[i] * std::cos(ph);
      im += x[i] * std::sin(ph);
    }
    if (re * re + im * im > best) {
      best = re * re + im * im;
      best_f = f;
    }
  }
  return best_f;
}

TEST(BodyScenario, SupineRegionsLieWhereABodyWould) {
  BodyScenario s(kRows, kCols, kPitch, 10.0, 1, still());
  const std::vector<float> p = s.pressure_mmhg_at(100);
  const auto rows = row_loads(p);
  const std::size_t head_row = static_cast<std::size_t>(std::max_element(rows.begin(), rows.begin() + 10) - rows.begin());
  EXPECT_LT(head_row, 9u);
  EXPECT_GT(rows[head_row], 0);
  // A neck gap separates head from shoulders.
  const double neck = *std::min_element(rows.begin() + static_cast<std::ptrdiff_t>(head_row) + 1, rows.begin() + 14);
  const double shoulders = *std::max_element(rows.begin() + 10, rows.begin() + 18);
  EXPECT_LT(neck, 0.3 * std::min(rows[head_row], shoulders));
  // The highest trunk pressure is the sacrum, in the middle of the mat, 60–90 mmHg.
  const double trunk_max = max_in_rows(p, 0, kRows * 85 / 100);
  const auto trunk_at = static_cast<std::size_t>(std::max_element(p.begin(), p.begin() + kRows * 85 / 100 * kCols) - p.begin());
  EXPECT_GE(trunk_at / kCols, kRows * 40 / 100u);
  EXPECT_LT(trunk_at / kCols, kRows * 60 / 100u);
  EXPECT_GE(trunk_max, 60.0);
  EXPECT_LE(trunk_max, 90.0);
  // Torso (back below the shoulder blades): moderate, well below the sacrum.
  const double torso_max = max_in_rows(p, kRows * 25 / 100, kRows * 40 / 100);
  EXPECT_GT(torso_max, 15.0);
  EXPECT_LT(torso_max, 0.5 * trunk_max);
  EXPECT_LT(max_in_rows(p, 0, kRows * 40 / 100), 0.75 * trunk_max);  // head and shoulders too
  double torso_sum = 0;
  int torso_n = 0;
  for (std::size_t i = kRows * 20 / 100 * kCols; i < kRows * 35 / 100 * kCols; ++i)
    if (p[i] > 5) {
      torso_sum += p[i];
      ++torso_n;
    }
  ASSERT_GT(torso_n, 20);
  EXPECT_GT(torso_sum / torso_n, 10.0);
  EXPECT_LT(torso_sum / torso_n, 35.0);
  // Heels: high, at the foot end.
  EXPECT_GT(max_in_rows(p, kRows * 88 / 100, kRows), 60.0);
  // Lying flat: left and right carry the same.
  double left = 0, right = 0;
  for (std::size_t i = 0; i < p.size(); ++i) (i % kCols < kCols / 2 ? left : right) += p[i];
  EXPECT_NEAR(left / right, 1.0, 0.05);
}

TEST(BodyScenario, AdcMappingIsFortyCountsPerMmHgPlusNoise) {
  BodyScenario s(kRows, kCols, kPitch, 10.0, 2, still());
  const MatFrame f = s.frame_at(50);
  const std::vector<float> p = s.pressure_mmhg_at(50);
  ASSERT_EQ(f.raw.size(), p.size());
  double err2 = 0;
  int n = 0;
  for (std::size_t i = 0; i < p.size(); ++i) {
    if (p[i] < 5) continue;
    const double e = f.raw[i] - kCountsPerMmHg * p[i];
    EXPECT_LT(std::abs(e), 6 * 4.0 + 1);
    err2 += e * e;
    ++n;
  }
  ASSERT_GT(n, 200);
  EXPECT_NEAR(std::sqrt(err2 / n), 4.0, 1.0);  // the configured noise sigma
  EXPECT_EQ(f.rows, kRows);
  EXPECT_EQ(f.cols, kCols);
  EXPECT_EQ(f.device_seq, 50u);
  EXPECT_EQ(f.device_time_us, 5000000u);
}

TEST(BodyScenario, ValuesStayWithinTwelveBits) {
  BodyScenarioOptions o;
  o.adc_offset_counts = 1000;  // pushes the heels past full scale
  o.noise_sigma_counts = 30;
  BodyScenario s(kRows, kCols, kPitch, 10.0, 3, o);
  std::size_t at_max = 0;
  for (std::uint64_t i = 0; i < 50; ++i) {
    const MatFrame f = s.frame_at(i * 37);
    for (std::uint16_t v : f.raw) {
      ASSERT_LE(v, kAdcMax);
      at_max += v == kAdcMax;
    }
  }
  EXPECT_GT(at_max, 0u);
}

TEST(BodyScenario, DeterministicForASeedAndRandomAccess) {
  BodyScenario a(kRows, kCols, kPitch, 50.0, 42);
  BodyScenario b(kRows, kCols, kPitch, 50.0, 42);
  BodyScenario c(kRows, kCols, kPitch, 50.0, 43);
  const MatFrame late_a = a.frame_at(600000);  // 3.3 h in, after many shifts
  const MatFrame early_a = a.frame_at(5);
  const MatFrame early_b = b.frame_at(5);
  const MatFrame late_b = b.frame_at(600000);
  EXPECT_EQ(late_a.raw, late_b.raw);
  EXPECT_EQ(early_a.raw, early_b.raw);
  EXPECT_NE(c.frame_at(5).raw, early_a.raw);
  EXPECT_EQ(a.shift_times(12000), b.shift_times(12000));
  EXPECT_NE(a.shift_times(12000), c.shift_times(12000));
  EXPECT_NE(a.frame_at(6).raw, early_a.raw);  // the noise is fresh every frame
}

TEST(BodyScenario, BreathingModulatesLoadAtTheConfiguredRate) {
  for (double bpm : {12.0, 15.0}) {
    BodyScenarioOptions o = still();
    o.breaths_per_minute = bpm;
    const double rate = 10.0;
    BodyScenario s(kRows, kCols, kPitch, rate, 7, o);
    std::vector<double> total, cop_row;
    MatFrame f;
    for (std::uint64_t i = 0; i < 1800; ++i) {  // 3 minutes
      s.fill_frame(i, f);
      const Cop c = centre_of_pressure(f.raw, kCols);
      total.push_back(c.total);
      cop_row.push_back(c.row);
    }
    const double f0 = bpm / 60.0;
    EXPECT_NEAR(dominant_frequency(total, rate, 0.05, 1.0), f0, 0.02) << bpm;
    EXPECT_NEAR(dominant_frequency(cop_row, rate, 0.05, 1.0), f0, 0.02) << bpm;
    const auto [lo, hi] = std::minmax_element(total.begin(), total.end());
    const double swing = (*hi - *lo) / (0.5 * (*hi + *lo));
    EXPECT_GT(swing, 0.01) << bpm;  // visible, but a breath does not lift the client
    EXPECT_LT(swing, 0.15) << bpm;
    const auto [rlo, rhi] = std::minmax_element(cop_row.begin(), cop_row.end());
    EXPECT_LT((*rhi - *rlo) * kPitch, 2.0) << bpm;  // the centre of pressure moves slightly
  }
}

TEST(BodyScenario, ShiftsHappenAtTheConfiguredRate) {
  BodyScenarioOptions o;
  o.mean_shift_interval_s = 60;
  BodyScenario s(kRows, kCols, kPitch, 10.0, 11, o);
  const auto times = s.shift_times(36000);  // 10 h
  EXPECT_NEAR(static_cast<double>(times.size()), 600.0, 90.0);
  for (std::size_t i = 1; i < times.size(); ++i) EXPECT_GE(times[i] - times[i - 1], o.shift_duration_s);

  BodyScenarioOptions never = o;
  never.mean_shift_interval_s = 0;
  BodyScenario n(kRows, kCols, kPitch, 10.0, 11, never);
  EXPECT_TRUE(n.shift_times(36000).empty());
}

TEST(BodyScenario, ShiftsMoveTheBodyInTheFrames) {
  BodyScenarioOptions o;
  o.mean_shift_interval_s = 60;
  BodyScenario s(kRows, kCols, kPitch, 10.0, 12, o);
  const auto times = s.shift_times(1200);
  ASSERT_GE(times.size(), 10u);
  int moved = 0;
  for (std::size_t k = 0; k < 10; ++k) {
    const auto before = static_cast<std::uint64_t>((times[k] - 1.0) * 10);
    const auto during = static_cast<std::uint64_t>((times[k] + 0.5 * o.shift_duration_s) * 10);
    const auto after = static_cast<std::uint64_t>((times[k] + o.shift_duration_s + 1.0) * 10);
    EXPECT_FALSE(s.state_at(before).shifting);
    EXPECT_TRUE(s.state_at(during).shifting);
    EXPECT_FALSE(s.state_at(after).shifting);
    const Cop a = centre_of_pressure(s.pressure_mmhg_at(before), kCols);
    const Cop b = centre_of_pressure(s.pressure_mmhg_at(after), kCols);
    moved += std::hypot(a.row - b.row, a.col - b.col) * kPitch > 0.3;
  }
  EXPECT_GE(moved, 9);
}

TEST(BodyScenario, EmptyTableThenLyingDown) {
  BodyScenarioOptions o;
  o.empty_before_s = 10;
  BodyScenario s(kRows, kCols, kPitch, 10.0, 5, o);
  const MatFrame empty = s.frame_at(50);
  EXPECT_LT(*std::max_element(empty.raw.begin(), empty.raw.end()), 40);  // noise only
  EXPECT_EQ(s.state_at(50).occupancy, 0.0);
  const MatFrame lying = s.frame_at(200);
  EXPECT_GT(*std::max_element(lying.raw.begin(), lying.raw.end()), 60 * kCountsPerMmHg);
  EXPECT_EQ(s.state_at(200).occupancy, 1.0);
  // Lying down: the pelvis lands before the head.
  const std::vector<float> mid = s.pressure_mmhg_at(120);
  EXPECT_GT(max_in_rows(mid, kRows * 40 / 100, kRows * 60 / 100), 40.0);
  EXPECT_LT(max_in_rows(mid, 0, kRows * 12 / 100), 5.0);
}

TEST(BodyScenario, DeadAndHotSensels) {
  BodyScenarioOptions o = still();  // (a rolled body may saturate the heels)
  o.dead_sensels = 3;
  o.hot_sensels = 2;
  o.adc_offset_counts = 200;  // so that only dead sensels read 0
  BodyScenario s(kRows, kCols, kPitch, 10.0, 9, o);
  for (std::uint64_t i : {0u, 17u, 999u}) {
    const MatFrame f = s.frame_at(i);
    EXPECT_EQ(std::count(f.raw.begin(), f.raw.end(), 0), 3);
    EXPECT_EQ(std::count(f.raw.begin(), f.raw.end(), kAdcMax), 2);
  }
}

TEST(BodyScenario, SideLyingLoadsTheHipMostOnANarrowStrip) {
  BodyScenario side(kRows, kCols, kPitch, 10.0, 1, [] {
    BodyScenarioOptions o = still();
    o.posture = Posture::right_side;
    return o;
  }());
  BodyScenario supine(kRows, kCols, kPitch, 10.0, 1, still());
  const std::vector<float> p = side.pressure_mmhg_at(10);
  const auto at = static_cast<std::size_t>(std::max_element(p.begin(), p.end()) - p.begin());
  EXPECT_GE(at / kCols, kRows * 40 / 100u);
  EXPECT_LT(at / kCols, kRows * 62 / 100u);
  EXPECT_GT(p[at], 70.0);
  auto contact = [](const std::vector<float>& m) { return std::count_if(m.begin(), m.end(), [](float v) { return v > 2; }); };
  const std::vector<float> q = supine.pressure_mmhg_at(10);
  EXPECT_LT(contact(p), 0.7 * static_cast<double>(contact(q)));
}

TEST(BodyScenario, ProneLoadsKneesAndPelvis) {
  BodyScenarioOptions o = still();
  o.posture = Posture::prone;
  BodyScenario s(kRows, kCols, kPitch, 10.0, 1, o);
  const std::vector<float> p = s.pressure_mmhg_at(10);
  EXPECT_GT(max_in_rows(p, kRows * 68 / 100, kRows * 80 / 100), 45.0);  // knees
  EXPECT_GT(max_in_rows(p, kRows * 44 / 100, kRows * 58 / 100), 40.0);  // iliac crests
  EXPECT_LT(max_in_rows(p, kRows * 15 / 100, kRows * 40 / 100), 40.0);  // chest
}

TEST(BodyScenario, SquareMatAndShortMatScaleTheBody) {
  BodyScenario square(64, 64, 3.0, 100.0, 1, still());
  const MatFrame f = square.frame_at(0);
  EXPECT_EQ(f.raw.size(), 64u * 64u);
  BodyScenario short_mat(64, 64, 1.5, 100.0, 1, still());  // 96 cm: the body is scaled
  const std::vector<float> p = short_mat.pressure_mmhg_at(0);
  EXPECT_GT(max_in_rows(p, 56, 64, 64), 50.0);  // heels still on the mat
  EXPECT_GT(max_in_rows(p, 0, 8, 64), 20.0);    // and the head
}

TEST(BodyScenario, RejectsNonsense) {
  EXPECT_THROW(BodyScenario(4, 4, 2.5, 10, 1), std::invalid_argument);
  EXPECT_THROW(BodyScenario(64, 32, 0, 10, 1), std::invalid_argument);
  EXPECT_THROW(BodyScenario(64, 32, 2.5, 0, 1), std::invalid_argument);
  BodyScenarioOptions o;
  o.mean_shift_interval_s = 1;
  EXPECT_THROW(BodyScenario(64, 32, 2.5, 10, 1, o), std::invalid_argument);
  EXPECT_THROW(parse_posture("upside-down"), std::invalid_argument);
  EXPECT_EQ(parse_posture("left"), Posture::left_side);
}

TEST(ScenarioSource, NumbersFramesAndDescribesTheDevice) {
  ScenarioSource src(BodyScenario(kRows, kCols, kPitch, 50.0, 1));
  MatFrame f;
  ASSERT_TRUE(src.next(f));
  ASSERT_TRUE(src.next(f));
  EXPECT_EQ(f.device_seq, 1u);
  EXPECT_EQ(f.device_time_us, 20000u);
  const DeviceInfo info = src.device_info();
  EXPECT_EQ(info.rows, kRows);
  EXPECT_EQ(info.adc_bits, 12);
  EXPECT_EQ(info.frame_rate_mhz, 50000u);
  EXPECT_FLOAT_EQ(info.pitch_mm, 25.4f);
}

}  // namespace
}  // namespace plinth::sim
