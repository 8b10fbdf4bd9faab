// Spectral settings and their effect: Welch segment length, the Kubios-style preset with
// smoothness-priors detrending, and the respiratory peak rule (schemas/hrv.md section 5).
// Expected values come from tests/reference/hrv_spectrum_reference.py, an independent NumPy
// implementation (dense spline and smoothness-priors solves, np.fft Welch), run on the same
// ../shared/data series; its output is quoted next to each table.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <limits>
#include <numbers>
#include <string>
#include <vector>

#include "daemon/hrv/frequency_domain.hpp"
#include "daemon/hrv/smoothness_priors.hpp"
#include "hrv_test_data.hpp"

namespace plinth {
namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

void expect_rel(double value, double reference, double rel, const std::string& what) {
  EXPECT_NEAR(value, reference, std::abs(reference) * rel) << what;
}

// --- Welch segment length (Hann, 50 %, mean removed, trapezoid; otherwise the default preset)

struct SegmentRow {
  const char* label;
  std::size_t segment;  // samples at 4 Hz; 0 = the whole series as one segment
  double lf, hf, lf_hf;
};

// hrv_spectrum_reference.py, "Welch segment length vs LF, HF".
constexpr SegmentRow kFiveMinute[] = {
    {"64 s", 256, 1793.8024, 4836.7923, 0.370866},   {"128 s", 512, 1507.9394, 4735.3696, 0.318442},
    {"150 s", 600, 1476.6392, 4771.0329, 0.309501},  {"256 s", 1024, 1682.6679, 5475.7421, 0.307295},
    {"whole", 0, 1557.8934, 5424.7348, 0.287183},
};
constexpr SegmentRow kSixtyMinute[] = {
    {"64 s", 256, 2834.5542, 1643.7386, 1.724456},   {"128 s", 512, 2946.5560, 1620.2841, 1.818543},
    {"150 s", 600, 2960.8674, 1590.5281, 1.861562},  {"256 s", 1024, 2871.6238, 1634.1893, 1.757216},
    {"whole", 0, 2838.7458, 1698.2367, 1.671584},
};

FrequencySettings with_segment(std::size_t segment, std::size_t nn_count) {
  FrequencySettings s;
  if (segment == 0) {
    // One segment of the whole series (a segment longer than the series is cut to it), padded
    // to 4096 as the others for 5 minutes, to 16384 for the hour (14395 samples).
    s.welch.nfft = nn_count > 1000 ? 16384 : 4096;
    s.welch.segment_samples = s.welch.nfft;
  } else {
    s.welch.segment_samples = segment;
  }
  return s;
}

void check_table(const std::vector<double>& nn, const char* series, const SegmentRow (&rows)[5]) {
  for (const SegmentRow& row : rows) {
    FrequencyAnalyzer analyzer(with_segment(row.segment, nn.size()));
    const FrequencyMetrics m = analyzer.compute(nn);
    std::printf("MEASURED %s Welch %-6s LF %9.1f  HF %8.1f  LF/HF %.3f\n", series, row.label, m.lf_ms2, m.hf_ms2, m.lf_hf);
    const std::string what = std::string(series) + " " + row.label;
    expect_rel(m.lf_ms2, row.lf, 1e-5, what + " LF");
    expect_rel(m.hf_ms2, row.hf, 1e-5, what + " HF");
    expect_rel(m.lf_hf, row.lf_hf, 1e-5, what + " LF/HF");
  }
}

TEST(HrvSpectrumSegments, FiveMinuteTableMatchesNumpy) { check_table(test::nn_5min(), "5-min", kFiveMinute); }
TEST(HrvSpectrumSegments, SixtyMinuteTableMatchesNumpy) { check_table(test::nn_60min(), "60-min", kSixtyMinute); }

// --- Smoothness priors

TEST(HrvSmoothnessPriors, RemovesALinearTrendExactly) {
  std::vector<double> z(1200);
  for (std::size_t i = 0; i < z.size(); ++i) z[i] = 850.0 + 0.05 * static_cast<double>(i);
  const std::vector<double> out = smoothness_priors_detrend(z, 500.0);
  for (std::size_t i = 0; i < z.size(); ++i) ASSERT_NEAR(out[i], 0.0, 1e-6) << i;
}

TEST(HrvSmoothnessPriors, RemovesASlowTrendAndKeepsRespiration) {
  // 5 minutes at 4 Hz: a linear drift, a 0.005 Hz wave (gain 0.00095) and a 0.25 Hz "breath"
  // (gain 0.99983). Away from the ends (the filter is time-varying there) the output is the
  // breath times its gain, and the slow wave is gone.
  constexpr double fs = 4.0;
  std::vector<double> z(1200), breath(1200);
  for (std::size_t i = 0; i < z.size(); ++i) {
    const double t = static_cast<double>(i) / fs;
    breath[i] = 40.0 * std::sin(2.0 * std::numbers::pi * 0.25 * t);
    z[i] = 900.0 - 0.2 * t + 30.0 * std::sin(2.0 * std::numbers::pi * 0.005 * t) + breath[i];
  }
  const double gain = smoothness_priors_gain(500.0, 0.25, fs);
  EXPECT_NEAR(gain, 0.999827, 1e-6);
  EXPECT_NEAR(smoothness_priors_gain(500.0, 0.0355, fs), 0.7073, 1e-3);  // the -3 dB point
  const std::vector<double> out = smoothness_priors_detrend(z, 500.0);
  double worst = 0.0;
  for (std::size_t i = 240; i + 240 < z.size(); ++i) worst = std::max(worst, std::abs(out[i] - gain * breath[i]));
  std::printf("MEASURED smoothness priors: interior |out - gain*breath| max %.4f ms (breath 40 ms, slow wave 30 ms)\n", worst);
  EXPECT_LT(worst, 0.1);
}

TEST(HrvSmoothnessPriors, MatchesNumpyDenseSolveOnTheFiveMinuteSeries) {
  // hrv_spectrum_reference.py: the 4 Hz not-a-knot resampling of nsr_5min (1195 samples),
  // detrended by z - (I + 500^2 D2'D2)^-1 z with np.linalg.solve.
  const std::vector<double> nn = test::nn_5min();
  std::vector<double> t(nn.size());
  for (std::size_t i = 1; i < nn.size(); ++i) t[i] = t[i - 1] + nn[i] / 1000.0;
  CubicSplineResampler spline;
  const auto resampled = spline.resample(t, nn, 4.0);
  ASSERT_EQ(resampled.size(), 1195u);
  const std::vector<double> out = smoothness_priors_detrend(resampled, 500.0);
  EXPECT_NEAR(out[0], -26.523317997, 1e-6);
  EXPECT_NEAR(out[1], -39.107664510, 1e-6);
  EXPECT_NEAR(out[100], 198.534010250, 1e-6);
  EXPECT_NEAR(out[600], -59.192449046, 1e-6);
  EXPECT_NEAR(out[1194], -11.608336069, 1e-6);
  double sum_sq = 0.0;
  for (const double v : out) sum_sq += v * v;
  expect_rel(sum_sq, 7961886.132898, 1e-9, "sum of squares");
}

TEST(HrvSmoothnessPriors, RejectsBadInput) {
  const std::vector<double> two{1.0, 2.0};
  EXPECT_THROW(smoothness_priors_detrend(two, 500.0), std::invalid_argument);
  const std::vector<double> three{1.0, 2.0, 4.0};
  EXPECT_THROW(smoothness_priors_detrend(three, 0.0), std::invalid_argument);
  EXPECT_THROW(smoothness_priors_detrend(three, nan), std::invalid_argument);
  EXPECT_NO_THROW(smoothness_priors_detrend(three, 10.0));
}

// --- Presets

TEST(HrvSpectrumPresets, KubiosOnTheFiveMinuteSeries) {
  const FrequencySettings s = frequency_settings_preset("kubios");
  EXPECT_EQ(s.detrend, SpectrumDetrend::smoothness_priors);
  EXPECT_EQ(s.smoothness_lambda, 500.0);
  EXPECT_EQ(s.welch.segment_samples, 1024u);
  EXPECT_EQ(s.vlf.low_hz, 0.0);
  FrequencyAnalyzer analyzer(s);
  const FrequencyMetrics m = analyzer.compute(test::nn_5min());
  std::printf("MEASURED kubios 5-min: VLF %.1f LF %.1f HF %.1f LF/HF %.3f resp %.2f/min\n", m.vlf_ms2, m.lf_ms2, m.hf_ms2,
              m.lf_hf, m.resp_rate_bpm);
  // hrv_spectrum_reference.py, "5min kubios 256s".
  expect_rel(m.vlf_ms2, 140.5336, 1e-5, "VLF");
  expect_rel(m.lf_ms2, 1561.4373, 1e-5, "LF");
  expect_rel(m.hf_ms2, 5472.2390, 1e-5, "HF");
  expect_rel(m.lf_hf, 0.285338, 1e-5, "LF/HF");
  EXPECT_NEAR(m.resp_rate_bpm, 14.53125, 1e-9);
}

TEST(HrvSpectrumPresets, NamesAndErrors) {
  EXPECT_EQ(frequency_settings_preset("default").detrend, SpectrumDetrend::mean);
  EXPECT_EQ(frequency_settings_preset("pyhrv").welch.segment_samples, 300u);
  EXPECT_THROW(frequency_settings_preset("Kubios"), std::invalid_argument);
  FrequencySettings bad = kubios_frequency_settings();
  bad.smoothness_lambda = 0.0;
  EXPECT_THROW(FrequencyAnalyzer{bad}, std::invalid_argument);
}

// --- Respiratory peak

// Five minutes of beats whose RR follows base + sum of a_k sin(2 pi f_k t) at each beat's time.
struct Wave {
  double hz;
  double amplitude_ms;
};
std::vector<double> modulated_rr(std::initializer_list<Wave> waves, double seconds = 300.0) {
  std::vector<double> rr;
  double t = 0.0;
  while (t < seconds) {
    double v = 900.0;
    for (const Wave& w : waves) v += w.amplitude_ms * std::sin(2.0 * std::numbers::pi * w.hz * t);
    rr.push_back(v);
    t += v / 1000.0;
  }
  return rr;
}

TEST(HrvRespiration, FifteenPerMinute) {
  FrequencyAnalyzer analyzer;
  const FrequencyMetrics m = analyzer.compute(modulated_rr({{0.25, 40.0}}));
  EXPECT_NEAR(m.resp_rate_bpm, 15.0, 0.1);
}

TEST(HrvRespiration, SixPerMinuteIsNotReportedAsHfBreathing) {
  // Breathing at 6/min puts the respiratory peak at 0.1 Hz, in the LF band with the Mayer
  // waves: not reported (NaN), although the old rule (HF argmax) gave a number in 9-24/min.
  FrequencyAnalyzer analyzer;
  const FrequencyMetrics m = analyzer.compute(modulated_rr({{0.1, 80.0}}));
  EXPECT_TRUE(std::isnan(m.resp_rate_bpm)) << m.resp_rate_bpm;
  // The old rule (the HF band's largest bin) read 12/min: the 2nd harmonic that the beat-timed
  // series carries even for a sinusoidal modulation (NumPy: 0.2002 Hz).
  EXPECT_NEAR(m.hf_peak_hz, 0.2, 0.002);
  EXPECT_NEAR(m.lf_peak_hz, 0.1, 0.002);
  // Deep slow breathing is not sinusoidal: a 2nd harmonic with 14 % of the PSD is no breath.
  const FrequencyMetrics h = analyzer.compute(modulated_rr({{0.1, 80.0}, {0.2, 30.0}}));
  EXPECT_TRUE(std::isnan(h.resp_rate_bpm)) << h.resp_rate_bpm;
  // The Kubios preset applies the same rule.
  FrequencyAnalyzer kubios(kubios_frequency_settings());
  EXPECT_TRUE(std::isnan(kubios.compute(modulated_rr({{0.1, 80.0}})).resp_rate_bpm));
  EXPECT_NEAR(kubios.compute(modulated_rr({{0.25, 40.0}})).resp_rate_bpm, 15.0, 0.1);
}

TEST(HrvRespiration, BreathingBesideLargerMayerWaves) {
  // Mayer waves at 0.1 Hz with 2.6 times the breathing's power: the whole-range peak would
  // read 6/min; the HF rule reads the breathing.
  FrequencyAnalyzer analyzer;
  const FrequencyMetrics m = analyzer.compute(modulated_rr({{0.1, 40.0}, {0.25, 25.0}}));
  EXPECT_NEAR(m.resp_rate_bpm, 15.0, 0.1);
  EXPECT_NEAR(m.lf_peak_hz, 0.1, 0.002);
}

TEST(HrvRespiration, RealSeries) {
  FrequencyAnalyzer analyzer;
  // hrv_spectrum_reference.py, "Respiratory peak rule": the 5-min series' HF maximum is a true
  // peak (14.59/min). In the 60-min series' 5-min windows the HF band's largest bin was its
  // lower edge (9.02/min, a slope falling from the LF band) in 7 of 12 windows.
  EXPECT_NEAR(analyzer.compute(test::nn_5min()).resp_rate_bpm, 14.589844, 1e-5);
  constexpr double expected[12] = {16.640625, nan, 15.9375, nan, 11.777344, 12.128906,
                                   10.664062, 12.304688, 14.941406, 13.183594, 11.074219, 10.136719};
  const std::vector<double> nn = test::nn_60min();
  std::vector<double> window;
  double end_s = 0.0;
  std::size_t k = 0;
  std::string measured;
  for (std::size_t i = 0; i <= nn.size(); ++i) {
    if (i < nn.size()) end_s += nn[i] / 1000.0;
    if (i == nn.size() || end_s > 300.0 * static_cast<double>(k + 1)) {
      ASSERT_LT(k, 12u);
      const double resp = analyzer.compute(window).resp_rate_bpm;
      // Appended piece by piece: GCC 12 at -O3 flags `" " + std::string` with a false -Wrestrict.
      measured += ' ';
      measured += std::isnan(resp) ? std::string("-") : std::to_string(resp).substr(0, 5);
      if (std::isnan(expected[k])) {
        EXPECT_TRUE(std::isnan(resp)) << "window " << k << ": " << resp;
      } else {
        EXPECT_NEAR(resp, expected[k], 1e-5) << "window " << k;
      }
      window.clear();
      if (++k == 12) break;
    }
    window.push_back(nn[i]);
  }
  EXPECT_EQ(k, 12u);
  std::printf("MEASURED 60-min series, resp_rate_bpm per 5-min window:%s\n", measured.c_str());
}

}  // namespace
}  // namespace plinth
