#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <vector>

#include "daemon/hrv/cubic_spline.hpp"
#include "daemon/hrv/frequency_domain.hpp"
#include "daemon/hrv/welch_psd.hpp"
#include "hrv_test_data.hpp"

namespace plinth {
namespace {

void expect_within_pct(double value, double reference, double pct, const char* what) {
  EXPECT_NEAR(value, reference, std::abs(reference) * pct / 100.0) << what;
}

// A not-a-knot spline reproduces any cubic exactly, whatever the spacing.
TEST(HrvSpline, ReproducesACubicOnIrregularKnots) {
  auto f = [](double t) { return 1.0 + 2.0 * t - 0.5 * t * t + 0.1 * t * t * t; };
  const std::vector<double> t{0.0, 0.7, 1.9, 2.4, 3.8, 5.0, 6.1, 7.7, 8.2, 10.0};
  std::vector<double> y;
  for (const double x : t) y.push_back(f(x));
  CubicSplineResampler spline;
  const auto out = spline.resample(t, y, 4.0);
  ASSERT_EQ(out.size(), 40u);  // 0, 0.25, ..., 9.75: the end point is excluded
  for (std::size_t k = 0; k < out.size(); ++k) EXPECT_NEAR(out[k], f(0.25 * static_cast<double>(k)), 1e-9) << k;
  // Four points: the single cubic through them.
  const std::vector<double> t4{0.0, 1.0, 3.0, 4.5};
  std::vector<double> y4;
  for (const double x : t4) y4.push_back(f(x));
  const auto out4 = spline.resample(t4, y4, 2.0);
  ASSERT_EQ(out4.size(), 9u);
  EXPECT_NEAR(out4[5], f(2.5), 1e-9);
}

TEST(HrvSpline, RejectsBadInput) {
  CubicSplineResampler spline;
  const std::vector<double> three{0, 1, 2};
  EXPECT_THROW(spline.resample(three, three, 4.0), std::invalid_argument);
  const std::vector<double> t{0, 1, 1, 2};
  EXPECT_THROW(spline.resample(t, t, 4.0), std::invalid_argument);
}

// A sine of amplitude A carries power A^2 / 2; the Welch PSD must put it at its frequency.
TEST(HrvWelch, SinePowerAndPeak) {
  WelchPsd welch(WelchSettings{});
  std::vector<double> x(2400);
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = 10.0 * std::sin(2.0 * std::numbers::pi * 0.25 * static_cast<double>(i) / 4.0);
  const auto psd = welch.compute(x);
  ASSERT_EQ(psd.size(), 2049u);
  const double df = welch.bin_hz();
  double power = 0.0;
  std::size_t peak = 0;
  for (std::size_t k = 0; k < psd.size(); ++k) {
    if (psd[k] > psd[peak]) peak = k;
    if (k * df >= 0.2 && k * df < 0.3) power += psd[k] * df;
  }
  EXPECT_NEAR(power, 50.0, 0.5);
  EXPECT_NEAR(static_cast<double>(peak) * df, 0.25, df);
  EXPECT_EQ(welch.segments_used(), (2400u - 256u) / 128u + 1u);
}

TEST(HrvWelch, RejectsBadSettings) {
  WelchSettings s;
  s.nfft = 1000;
  EXPECT_THROW(WelchPsd{s}, std::invalid_argument);
  s = {};
  s.segment_samples = 8192;
  EXPECT_THROW(validate(s), std::invalid_argument);
  EXPECT_THROW(parse_welch_window("blackman"), std::invalid_argument);
}

// Reference: ../shared/data/README.md, default settings (Hann 64 s, 50 %, nfft 4096,
// trapezoid band integration).
TEST(HrvFrequency, FiveMinuteReference) {
  FrequencyAnalyzer analyzer;
  const FrequencyMetrics m = analyzer.compute(test::nn_5min());
  expect_within_pct(m.hf_ms2, 4837.0, 2.0, "HF");
  expect_within_pct(m.lf_hf, 0.371, 2.0, "LF/HF");
  EXPECT_NEAR(m.hf_nu, 100.0 / (1.0 + m.lf_hf), 1e-9);
  EXPECT_NEAR(m.lf_nu + m.hf_nu, 100.0, 1e-9);
  EXPECT_GE(m.hf_peak_hz, 0.15);
  EXPECT_LT(m.hf_peak_hz, 0.40);
  EXPECT_NEAR(m.resp_rate_bpm, 60.0 * m.hf_peak_hz, 1e-12);
}

// Reference: ../shared/data/README.md, pyHRV-style settings (Hamming 300 samples, nfft
// 4096, VLF from 0 Hz, sum * df).
TEST(HrvFrequency, SixtyMinutePyhrvReference) {
  FrequencyAnalyzer analyzer(pyhrv_frequency_settings());
  const FrequencyMetrics m = analyzer.compute(test::nn_60min());
  expect_within_pct(m.vlf_ms2, 2050.74, 2.0, "VLF");
  expect_within_pct(m.lf_ms2, 2942.54, 2.0, "LF");
  expect_within_pct(m.hf_ms2, 1648.10, 2.0, "HF");
}

TEST(HrvFrequency, ShortSeriesGivesNoSpectrum) {
  FrequencyAnalyzer analyzer;
  const auto nn = test::nn_5min();
  const std::vector<double> first_minute(nn.begin(), nn.begin() + 70);  // ~62 s
  const FrequencyMetrics m = analyzer.compute(first_minute);
  EXPECT_TRUE(std::isnan(m.hf_ms2));
  EXPECT_TRUE(std::isnan(m.lf_hf));
  // The analyzer stays usable for a long enough series afterwards.
  EXPECT_FALSE(std::isnan(analyzer.compute(nn).hf_ms2));
}

TEST(HrvFrequency, RejectsBadBands) {
  FrequencySettings s;
  s.hf = {0.4, 0.15};
  EXPECT_THROW(FrequencyAnalyzer{s}, std::invalid_argument);
}

}  // namespace
}  // namespace plinth
