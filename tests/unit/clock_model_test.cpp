// DeviceClockModel against simulated mats: ±100 ppm crystals, one-sided jittered delivery with
// stalls, 2-hour sessions, a reboot, a gap, a wrapping counter.
#include <gtest/gtest.h>

#include <cstdio>

#include "daemon/clock/device_clock_model.hpp"
#include "tests/unit/clock_mat_scenario.hpp"

namespace plinth {
namespace {

using testing::MatScenario;
using testing::run_mat;

constexpr double kToleranceMs = 1.0;
constexpr double kSettleLimitS = 31.5;  // settle_span (30 s) plus the block that completes it

void report(const char* name, const testing::MatRunResult& r) {
  const testing::ClockScore& first = r.segments.front();
  std::printf("[ clock    ] %s: max |error| settled %.3f ms (at %.0f s; %lld samples), unsettled %.3f ms (%lld), "
              "settled after %.1f s, drift %.2f ppm, residual %.2f ms, segments %zu\n",
              name, first.max_settled_error_ms, first.worst_at_s, static_cast<long long>(first.settled_samples),
              r.max_unsettled_error_ms, static_cast<long long>(first.unsettled_samples), first.first_settled_s,
              r.final_estimate.drift_ppm,
              static_cast<double>(r.final_estimate.residual_ns) / 1e6, r.segments.size());
}

void expect_two_hours_within_a_millisecond(double drift_ppm, std::uint64_t seed) {
  MatScenario s;
  s.drift_ppm = drift_ppm;
  s.seed = seed;
  const testing::MatRunResult r = run_mat(s);
  report(drift_ppm > 0 ? "mat +100 ppm" : "mat -100 ppm", r);
  ASSERT_EQ(r.segments.size(), 1u);
  EXPECT_EQ(r.restarts.front(), ClockRestart::first_sample);
  EXPECT_LE(r.segments[0].max_settled_error_ms, kToleranceMs);
  EXPECT_GT(r.segments[0].first_settled_s, 0.0);
  EXPECT_LE(r.segments[0].first_settled_s, kSettleLimitS);
  EXPECT_NEAR(r.final_estimate.drift_ppm, drift_ppm, 2.0);
  EXPECT_TRUE(r.final_estimate.settled);
  EXPECT_GE(r.final_estimate.points, 3000u);  // 120 blocks of 25 frames and the open block
  EXPECT_LE(r.final_estimate.points, 3025u);
}

TEST(DeviceClockModel, MatDriftPlus100PpmTwoHoursWithinOneMs) { expect_two_hours_within_a_millisecond(100.0, 11); }

TEST(DeviceClockModel, MatDriftMinus100PpmTwoHoursWithinOneMs) { expect_two_hours_within_a_millisecond(-100.0, 12); }

TEST(DeviceClockModel, ResidualIsTheTypicalDeliveryDelay) {
  MatScenario s;
  s.duration_s = 300.0;
  s.delay.outlier_rate = 0.0;
  const testing::MatRunResult r = run_mat(s);
  // Gamma(2) with a 3 ms mean has a median of 2.5 ms; the envelope sits at the fastest delivery.
  EXPECT_NEAR(static_cast<double>(r.final_estimate.residual_ns) / 1e6, 2.5, 0.5);
}

// Least squares through the same arrivals: pulled up by the mean delay and by every stall.
TEST(DeviceClockModel, RejectsStallsThatSpoilLeastSquares) {
  MatScenario s;
  s.duration_s = 600.0;
  s.delay.outlier_rate = 0.10;  // one frame in ten stalled 30-80 ms
  s.seed = 5;
  const testing::MatRunResult r = run_mat(s);
  report("mat, 10 % stalls", r);
  EXPECT_LE(r.segments[0].max_settled_error_ms, kToleranceMs);

  // The naive fit over the last 60 s, evaluated where the model is: at the newest frame.
  testing::InOrderDelivery delivery(s.delay, s.seed);
  testing::SimulatedCrystal crystal{s.drift_ppm};
  double n = 0, su = 0, sv = 0, suu = 0, suv = 0;
  double worst_ms = 0.0;
  for (int k = 0; k < 3000; ++k) {
    const std::int64_t device = k * 20'000'000LL;
    const std::int64_t truth = crystal.true_host_ns(device);
    const double u = static_cast<double>(device);
    const double v = static_cast<double>(delivery.arrival_ns(truth) - crystal.host_origin_ns) - u;
    n += 1; su += u; sv += v; suu += u * u; suv += u * v;
    if (k < 1500) continue;
    const double slope = (n * suv - su * sv) / (n * suu - su * su);
    const double fitted = (sv - slope * su) / n + slope * u;
    worst_ms = std::max(worst_ms, std::abs(fitted + u - static_cast<double>(truth - crystal.host_origin_ns)) / 1e6);
  }
  std::printf("[ clock    ] least squares on the same arrivals: max |error| %.3f ms\n", worst_ms);
  EXPECT_GT(worst_ms, 3.0);
}

// A crystal warming up: its drift moves 10 ppm in 5 min; the 60 s window follows.
TEST(DeviceClockModel, MatCrystalWarmingUpStaysWithinOneMs) {
  MatScenario s;
  s.duration_s = 1800.0;
  s.ramp_ppm = -10.0;
  s.ramp_s = 300.0;
  const testing::MatRunResult r = run_mat(s);
  report("mat, drift 100 -> 90 ppm over 5 min", r);
  ASSERT_EQ(r.segments.size(), 1u);
  EXPECT_LE(r.segments[0].max_settled_error_ms, kToleranceMs);
  EXPECT_NEAR(r.final_estimate.drift_ppm, 90.0, 2.0);
}

TEST(DeviceClockModel, DeviceRebootRestartsAndSettlesAgain) {
  MatScenario s;
  s.duration_s = 1800.0;
  s.reset_at_s = 900.0;
  const testing::MatRunResult r = run_mat(s);
  report("mat reboot at 900 s", r);
  ASSERT_EQ(r.restarts.size(), 2u);
  EXPECT_EQ(r.restarts[1], ClockRestart::device_clock_reset);
  for (const testing::ClockScore& segment : r.segments) {
    EXPECT_LE(segment.max_settled_error_ms, kToleranceMs);
    EXPECT_GT(segment.first_settled_s, 0.0);
    EXPECT_LE(segment.first_settled_s, kSettleLimitS);
  }
  // The crystal is the same one: the second segment starts from the drift the first found.
  EXPECT_NEAR(r.final_estimate.drift_ppm, 100.0, 2.0);
  EXPECT_LE(r.max_unsettled_error_ms, 5.0);
}

TEST(DeviceClockModel, TenSecondGapNeedsNoRestart) {
  MatScenario s;
  s.duration_s = 600.0;
  s.gap_start_s = 300.0;
  s.gap_length_s = 10.0;
  const testing::MatRunResult r = run_mat(s);
  report("mat, 10 s gap", r);
  ASSERT_EQ(r.segments.size(), 1u);
  EXPECT_LE(r.segments[0].max_settled_error_ms, kToleranceMs);
  EXPECT_TRUE(r.final_estimate.settled);
}

TEST(DeviceClockModel, ThirtyTwoBitMicrosecondCounterWrapsWithoutRestart) {
  MatScenario s;
  s.counter_wrap_ns = (std::int64_t{1} << 32) * 1000;  // 71.6 min: wraps once or twice in 2 h
  s.drift_ppm = -100.0;
  const testing::MatRunResult r = run_mat(s);
  report("mat, 32-bit µs counter", r);
  ASSERT_EQ(r.segments.size(), 1u);
  EXPECT_LE(r.segments[0].max_settled_error_ms, kToleranceMs);
}

TEST(DeviceClockModel, DeviceTimeLeapForwardRestarts) {
  DeviceClockModel model;
  std::int64_t device = 0, host = 1'000'000'000'000;
  for (int k = 0; k < 3000; ++k, device += 20'000'000, host += 20'000'000) model.observe(device, host + 1'000'000);
  EXPECT_TRUE(model.last().settled);
  const ClockEstimate& e = model.observe(device + 5'000'000'000, host + 1'000'000);
  EXPECT_EQ(e.restart, ClockRestart::device_clock_jump);
  EXPECT_FALSE(e.settled);
  EXPECT_EQ(e.segment, 1u);
  EXPECT_EQ(e.host_ns, host + 1'000'000);
}

TEST(DeviceClockModel, DeviceTimeFallingBehindRestartsAfterAStreak) {
  DeviceClockModel model;
  std::int64_t device = 0, host = 1'000'000'000'000;
  for (int k = 0; k < 3000; ++k, device += 20'000'000, host += 20'000'000) model.observe(device, host);
  // The device clock pauses 1 s: every later frame arrives 1 s "late".
  host += 1'000'000'000;
  for (int k = 0; k < 4; ++k, device += 20'000'000, host += 20'000'000)
    EXPECT_EQ(model.observe(device, host).restart, ClockRestart::none) << k;
  EXPECT_EQ(model.observe(device, host).restart, ClockRestart::device_lost_time);
}

TEST(DeviceClockModel, OneStalledFrameIsLeftOutOfTheFit) {
  DeviceClockModel model;
  std::int64_t device = 0, host = 1'000'000'000'000;
  for (int k = 0; k < 3000; ++k, device += 20'000'000, host += 20'000'000) model.observe(device, host);
  const ClockEstimate& e = model.observe(device, host + 400'000'000);
  EXPECT_EQ(e.restart, ClockRestart::none);
  EXPECT_EQ(e.host_ns, host);
  EXPECT_EQ(e.offset_ns, host - device);
}

TEST(DeviceClockModel, RestartOnRequestKeepsTheDrift) {
  DeviceClockModel model;
  for (std::int64_t k = 0; k <= 3000; ++k) model.observe(k * 20'001'000, 7'000'000'000 + k * 20'000'000);
  model.restart();
  const ClockEstimate& e = model.observe(3001 * 20'001'000LL, 7'000'000'000 + 3001 * 20'000'000LL + 2'000'000);
  EXPECT_EQ(e.restart, ClockRestart::requested);
  EXPECT_EQ(e.segment, 1u);
  EXPECT_FALSE(e.settled);
  EXPECT_NEAR(e.drift_ppm, 50.0, 0.01);
  EXPECT_EQ(e.host_ns, 7'000'000'000 + 3001 * 20'000'000LL + 2'000'000);  // one arrival: its own time
}

TEST(DeviceClockModel, ToHostMapsAnyDeviceTimeOnTheFit) {
  DeviceClockModel model;
  // A clock 50 ppm fast, no delay at all: the fit is exact.
  for (std::int64_t k = 0; k <= 3000; ++k) {
    const std::int64_t host = 5'000'000'000 + k * 20'000'000;
    model.observe(k * 20'000'000 + k * 1000, host);
  }
  EXPECT_NEAR(model.last().drift_ppm, 50.0, 0.01);
  const std::int64_t last_device = 3000LL * 20'000'000 + 3000 * 1000;
  EXPECT_NEAR(static_cast<double>(model.to_host_ns(last_device)), 5'000'000'000 + 3000 * 20'000'000.0, 1.0);
}

}  // namespace
}  // namespace plinth

