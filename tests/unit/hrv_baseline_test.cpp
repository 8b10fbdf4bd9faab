// Change against the baseline (schemas/hrv.md section 7): rmssd_change_pct is the percent change
// of RMSSD itself, 100 (e^delta_ln_rmssd - 1), which replaced a percent change of lnRMSSD.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "daemon/hrv/hrv_metrics.hpp"
#include "hrv_test_data.hpp"

namespace plinth {
namespace {

HrvMetrics with_rmssd(double rmssd_ms) {
  HrvMetrics m;
  m.time.rmssd_ms = rmssd_ms;
  m.time.ln_rmssd = std::log(rmssd_ms);
  return m;
}

TEST(HrvBaseline, RmssdChangeIsThePercentChangeOfRmssd) {
  HrvMetrics now = with_rmssd(60.0);
  compare_with_baseline(now, with_rmssd(50.0));
  EXPECT_NEAR(now.baseline.rmssd_change_pct, 20.0, 1e-9);
  EXPECT_NEAR(now.baseline.delta_ln_rmssd, std::log(1.2), 1e-12);
  now = with_rmssd(25.0);
  compare_with_baseline(now, with_rmssd(50.0));
  EXPECT_NEAR(now.baseline.rmssd_change_pct, -50.0, 1e-9);
}

TEST(HrvBaseline, RmssdChangeDoesNotDependOnTheUnitNorFlipSign) {
  // The same 22 % rise in seconds and in milliseconds. The withdrawn ln_rmssd_change_pct gave
  // +4.46 % in ms but -8.33 % in s (the logarithm of a value below 1 is negative).
  HrvMetrics ms = with_rmssd(110.0);
  compare_with_baseline(ms, with_rmssd(90.0));
  HrvMetrics s = with_rmssd(0.110);
  compare_with_baseline(s, with_rmssd(0.090));
  EXPECT_NEAR(ms.baseline.rmssd_change_pct, 100.0 * (110.0 / 90.0 - 1.0), 1e-9);
  EXPECT_NEAR(s.baseline.rmssd_change_pct, ms.baseline.rmssd_change_pct, 1e-9);
  EXPECT_GT(s.baseline.rmssd_change_pct, 0.0);
}

TEST(HrvBaseline, NanWithoutABaselineValue) {
  HrvMetrics now = with_rmssd(60.0);
  HrvMetrics none;
  compare_with_baseline(now, none);
  EXPECT_TRUE(std::isnan(now.baseline.rmssd_change_pct));
  EXPECT_TRUE(std::isnan(now.baseline.delta_ln_rmssd));
}

TEST(HrvBaseline, RealSeriesSecondHalfAgainstFirst) {
  // NumPy (np.sqrt(np.mean(np.diff(x)**2))) on nsr_5min: RMSSD of intervals 0..167 is
  // 92.797 ms, of 168..336 107.979 ms: +16.36 %, delta lnRMSSD 0.1515 (the withdrawn field
  // read +3.34 %).
  const std::vector<double> nn = test::nn_5min();
  const std::vector<double> first(nn.begin(), nn.begin() + 168), second(nn.begin() + 168, nn.end());
  HrvCalculator calculator;
  HrvMetrics now = calculator.compute(second, std::vector<std::uint8_t>(second.size(), 0));
  const HrvMetrics base = calculator.compute(first, std::vector<std::uint8_t>(first.size(), 0));
  compare_with_baseline(now, base);
  EXPECT_NEAR(now.baseline.rmssd_change_pct, 16.360095, 1e-4);
  EXPECT_NEAR(now.baseline.delta_ln_rmssd, 0.1515195, 1e-6);
}

}  // namespace
}  // namespace plinth
