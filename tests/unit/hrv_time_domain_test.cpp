#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "daemon/hrv/pns_index.hpp"
#include "daemon/hrv/time_domain.hpp"
#include "hrv_test_data.hpp"

namespace plinth {
namespace {

void expect_within_pct(double value, double reference, double pct, const char* what) {
  EXPECT_NEAR(value, reference, std::abs(reference) * pct / 100.0) << what;
}

// Worked by hand: NN 800 850 900 880 820; mean 850; squares of deviations 6800 -> var 1700;
// differences 50 50 -20 -60 (squares 9000), mean 5, centred squares 8900 -> var 2966.67.
TEST(HrvTimeDomain, HandWorkedSeries) {
  const std::vector<double> nn{800, 850, 900, 880, 820};
  const TimeDomainMetrics m = time_domain_metrics(nn);
  EXPECT_EQ(m.nn_count, 5u);
  EXPECT_EQ(m.diff_count, 4u);
  EXPECT_DOUBLE_EQ(m.mean_nn_ms, 850.0);
  EXPECT_NEAR(m.duration_s, 4.25, 1e-12);
  EXPECT_NEAR(m.hr_bpm, 60000.0 / 850.0, 1e-12);
  EXPECT_NEAR(m.sdnn_ms, std::sqrt(1700.0), 1e-9);
  EXPECT_NEAR(m.rmssd_ms, std::sqrt(2250.0), 1e-9);
  EXPECT_NEAR(m.ln_rmssd, std::log(std::sqrt(2250.0)), 1e-12);
  EXPECT_NEAR(m.pnn50_pct, 25.0, 1e-12);  // |50| is not > 50; only |-60| counts
  EXPECT_NEAR(m.sd1_ms, std::sqrt(8900.0 / 3.0 / 2.0), 1e-9);
  EXPECT_NEAR(m.sd2_ms, std::sqrt(2.0 * 1700.0 - 8900.0 / 3.0 / 2.0), 1e-9);
  EXPECT_NEAR(m.sd1_sd2, m.sd1_ms / m.sd2_ms, 1e-12);
}

TEST(HrvTimeDomain, SegmentStartExcludesThatDifference) {
  const std::vector<double> nn{800, 850, 900, 880, 820};
  const std::vector<std::uint8_t> start{1, 0, 0, 1, 0};  // 900 -> 880 is not a successive pair
  const TimeDomainMetrics m = time_domain_metrics(nn, start);
  EXPECT_EQ(m.diff_count, 3u);
  EXPECT_NEAR(m.rmssd_ms, std::sqrt((2500.0 + 2500.0 + 3600.0) / 3.0), 1e-9);
  EXPECT_NEAR(m.pnn50_pct, 100.0 / 3.0, 1e-9);
  EXPECT_NEAR(m.sdnn_ms, std::sqrt(1700.0), 1e-9);  // SDNN does not use differences
  const std::vector<std::uint8_t> wrong_length{1, 0};
  EXPECT_THROW(time_domain_metrics(nn, wrong_length), std::invalid_argument);
}

TEST(HrvTimeDomain, TooShortLeavesNaN) {
  const TimeDomainMetrics empty = time_domain_metrics({});
  EXPECT_TRUE(std::isnan(empty.mean_nn_ms));
  const std::vector<double> one{900};
  const TimeDomainMetrics m = time_domain_metrics(one);
  EXPECT_DOUBLE_EQ(m.mean_nn_ms, 900.0);
  EXPECT_TRUE(std::isnan(m.sdnn_ms));
  EXPECT_TRUE(std::isnan(m.rmssd_ms));
}

// Reference values: ../shared/data/README.md (within 0.5 %).
TEST(HrvTimeDomain, FiveMinuteReference) {
  const TimeDomainMetrics m = time_domain_metrics(test::nn_5min());
  expect_within_pct(m.mean_nn_ms, 888.96, 0.5, "MeanNN");
  expect_within_pct(m.sdnn_ms, 95.69, 0.5, "SDNN");
  expect_within_pct(m.rmssd_ms, 101.30, 0.5, "RMSSD");
  expect_within_pct(m.ln_rmssd, 4.618, 0.5, "lnRMSSD");
  expect_within_pct(m.pnn50_pct, 48.51, 0.5, "pNN50");
  expect_within_pct(m.sd1_ms, 71.74, 0.5, "SD1");
  expect_within_pct(m.sd2_ms, 114.7, 0.5, "SD2");
}

TEST(HrvTimeDomain, SixtyMinuteReference) {
  const TimeDomainMetrics m = time_domain_metrics(test::nn_60min());
  expect_within_pct(m.sdnn_ms, 85.357, 0.5, "SDNN");
  expect_within_pct(m.rmssd_ms, 60.523, 0.5, "RMSSD");
}

TEST(HrvPnsIndex, ZeroAtTheNormsAndSignFollowsVagalTone) {
  const PnsNorms n;
  // At the norm means: MeanRR 926, RMSSD 42, SD1 such that SD1 % equals the norm.
  const double sd1_at_norm = n.sd1_pct / 100.0 * 926.0;
  EXPECT_NEAR(pns_index(926.0, 42.0, sd1_at_norm), 0.0, 1e-12);
  // One SD above on every input -> +1.
  const double rr = 926.0 + 90.0;
  EXPECT_NEAR(pns_index(rr, 42.0 + 15.0, (n.sd1_pct + n.sd1_sd_pct) / 100.0 * rr), 1.0, 1e-12);
  EXPECT_LT(pns_index(700.0, 15.0, 11.0), -1.0);
  EXPECT_TRUE(std::isnan(pns_index(0.0, 42.0, 30.0)));
}

}  // namespace
}  // namespace plinth
