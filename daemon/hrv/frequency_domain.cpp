#include "daemon/hrv/frequency_domain.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace plinth {

namespace {

FrequencySettings with_validated_rate(FrequencySettings s) {
  s.welch.sample_rate_hz = s.resample_hz;
  validate(s);
  return s;
}

struct BandResult {
  double power = 0.0;
  double peak_hz = std::numeric_limits<double>::quiet_NaN();
};

// Bins with low <= f < high. Trapezoid: trapezoidal rule over those bins (NumPy trapz on
// the selected points); rectangle: sum of bins times the bin width.
BandResult integrate(std::span<const double> psd, double df, FrequencyBand band, BandIntegration rule) {
  BandResult r;
  const auto first = static_cast<std::size_t>(std::ceil(band.low_hz / df - 1e-9));
  auto last_exclusive = static_cast<std::size_t>(std::ceil(band.high_hz / df - 1e-9));
  last_exclusive = std::min(last_exclusive, psd.size());
  if (first >= last_exclusive) return r;
  double best = -1.0;
  for (std::size_t k = first; k < last_exclusive; ++k) {
    if (psd[k] > best) {
      best = psd[k];
      r.peak_hz = static_cast<double>(k) * df;
    }
    if (rule == BandIntegration::rectangle) {
      r.power += psd[k] * df;
    } else if (k + 1 < last_exclusive) {
      r.power += 0.5 * (psd[k] + psd[k + 1]) * df;
    }
  }
  return r;
}

}  // namespace

void validate(const FrequencySettings& s) {
  auto fail = [](const std::string& what) { throw std::invalid_argument("frequency settings: " + what); };
  if (!(s.resample_hz >= 1.0 && s.resample_hz <= 100.0)) fail("resample_hz must be 1..100");
  for (const FrequencyBand& b : {s.vlf, s.lf, s.hf}) {
    if (!(b.low_hz >= 0.0 && b.high_hz > b.low_hz && b.high_hz <= s.resample_hz / 2.0)) {
      fail("each band needs 0 <= low < high <= resample_hz / 2");
    }
  }
  if (!(s.min_duration_s >= 10.0)) fail("min_duration_s must be >= 10");
  validate(s.welch);
}

FrequencySettings pyhrv_frequency_settings() {
  FrequencySettings s;
  s.welch.window = WelchWindow::hamming;
  s.welch.segment_samples = 300;
  s.welch.nfft = 4096;
  s.vlf = {0.0, 0.04};
  s.integration = BandIntegration::rectangle;
  return s;
}

FrequencyAnalyzer::FrequencyAnalyzer(const FrequencySettings& settings)
    : settings_(with_validated_rate(settings)), welch_(settings_.welch) {}

void FrequencyAnalyzer::reserve(std::size_t max_nn, double max_seconds) {
  const auto max_samples = static_cast<std::size_t>(std::ceil(max_seconds * settings_.resample_hz)) + 8;
  spline_.reserve(max_nn, max_samples);
  t_s_.reserve(max_nn);
  samples_.reserve(max_samples);
}

FrequencyMetrics FrequencyAnalyzer::compute(std::span<const double> nn_ms) {
  FrequencyMetrics m;
  if (nn_ms.size() < 4) return m;
  // Each NN value sits at the time of the beat that ends it, measured from the first beat.
  t_s_.resize(nn_ms.size());
  double t = 0.0;
  for (std::size_t i = 0; i < nn_ms.size(); ++i) {
    if (i > 0) t += nn_ms[i] / 1000.0;
    t_s_[i] = t;
  }
  if (t + nn_ms[0] / 1000.0 < settings_.min_duration_s) return m;
  const std::span<const double> resampled = spline_.resample(t_s_, nn_ms, settings_.resample_hz);
  if (resampled.size() < 8) return m;
  double mean = 0.0;
  for (const double v : resampled) mean += v;
  mean /= static_cast<double>(resampled.size());
  samples_.resize(resampled.size());
  for (std::size_t i = 0; i < resampled.size(); ++i) samples_[i] = resampled[i] - mean;
  psd_ = welch_.compute(samples_);
  const double df = welch_.bin_hz();
  const BandResult vlf = integrate(psd_, df, settings_.vlf, settings_.integration);
  const BandResult lf = integrate(psd_, df, settings_.lf, settings_.integration);
  const BandResult hf = integrate(psd_, df, settings_.hf, settings_.integration);
  m.vlf_ms2 = vlf.power;
  m.lf_ms2 = lf.power;
  m.hf_ms2 = hf.power;
  m.lf_hf = hf.power > 0.0 ? lf.power / hf.power : FrequencyMetrics::nan;
  const double lf_plus_hf = lf.power + hf.power;
  if (lf_plus_hf > 0.0) {
    m.lf_nu = 100.0 * lf.power / lf_plus_hf;
    m.hf_nu = 100.0 * hf.power / lf_plus_hf;
  }
  m.lf_peak_hz = lf.peak_hz;
  m.hf_peak_hz = hf.peak_hz;
  m.resp_rate_bpm = 60.0 * hf.peak_hz;
  return m;
}

}  // namespace plinth
