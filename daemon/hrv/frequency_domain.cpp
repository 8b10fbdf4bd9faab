#include "daemon/hrv/frequency_domain.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "daemon/hrv/smoothness_priors.hpp"

namespace plinth {

namespace {

// The respiratory peak rule (schemas/hrv.md 5.7). Peaks are local PSD maxima (above both
// neighbours) from kBreathingSearchLowHz to the top of the HF band. A breathing peak in the HF
// band must reach kRespiratoryMinShare of the largest of them (a Hann window's highest
// sidelobe is -31 dB, 0.07 % of its main lobe in PSD, so leakage stays far below it) and,
// when that largest peak lies below the HF band, must not be within one segment bin (fs / L,
// about the -6 dB half width of a Hann main lobe) of its 2nd or 3rd harmonic.
constexpr double kRespiratoryMinShare = 0.05;
constexpr double kBreathingSearchLowHz = 0.05;
constexpr double kHarmonicToleranceSegmentBins = 1.0;

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
  if (s.detrend == SpectrumDetrend::smoothness_priors && !(s.smoothness_lambda > 0.0 && s.smoothness_lambda <= 1e6)) {
    fail("smoothness_lambda must be in (0, 1e6]");
  }
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

FrequencySettings kubios_frequency_settings() {
  FrequencySettings s;
  s.detrend = SpectrumDetrend::smoothness_priors;
  s.smoothness_lambda = 500.0;
  s.welch.window = WelchWindow::hann;
  s.welch.segment_samples = 1024;  // 256 s at 4 Hz
  s.welch.overlap = 0.5;
  s.welch.nfft = 4096;
  s.vlf = {0.0, 0.04};
  s.integration = BandIntegration::trapezoid;
  return s;
}

FrequencySettings frequency_settings_preset(std::string_view name) {
  if (name == "default") return FrequencySettings{};
  if (name == "pyhrv") return pyhrv_frequency_settings();
  if (name == "kubios") return kubios_frequency_settings();
  throw std::invalid_argument("unknown spectrum preset '" + std::string(name) + "' (expected " +
                              std::string(kFrequencyPresetNames) + ")");
}

double respiratory_peak_hz(std::span<const double> psd, double df, FrequencyBand hf, double segment_hz) {
  constexpr double nan = std::numeric_limits<double>::quiet_NaN();
  if (psd.size() < 3 || !(df > 0.0)) return nan;
  const auto bin_at = [&](double hz) { return std::min(static_cast<std::size_t>(std::ceil(hz / df - 1e-9)), psd.size()); };
  const std::size_t search_first = std::max<std::size_t>(1, bin_at(kBreathingSearchLowHz));
  const std::size_t hf_first = std::max<std::size_t>(1, bin_at(hf.low_hz));
  const std::size_t end = std::min(bin_at(hf.high_hz), psd.size() - 1);  // a peak needs a right neighbour
  // Neighbours may lie outside the band: a band edge on a slope falling from LF is no peak.
  const auto is_peak = [&](std::size_t k) { return psd[k] > psd[k - 1] && psd[k] > psd[k + 1]; };
  std::size_t top = 0;
  std::size_t best = 0;
  for (std::size_t k = search_first; k < end; ++k) {
    if (!is_peak(k)) continue;
    if (top == 0 || psd[k] > psd[top]) top = k;
    if (k >= hf_first && (best == 0 || psd[k] > psd[best])) best = k;
  }
  if (best == 0 || psd[best] < kRespiratoryMinShare * psd[top]) return nan;
  const double f_best = static_cast<double>(best) * df;
  const double f_top = static_cast<double>(top) * df;
  if (f_top < hf.low_hz) {
    for (const double harmonic : {2.0, 3.0}) {
      if (std::abs(f_best - harmonic * f_top) <= kHarmonicToleranceSegmentBins * segment_hz) return nan;
    }
  }
  return f_best;
}

FrequencyAnalyzer::FrequencyAnalyzer(const FrequencySettings& settings)
    : settings_(with_validated_rate(settings)), welch_(settings_.welch) {}

void FrequencyAnalyzer::reserve(std::size_t max_nn, double max_seconds) {
  const auto max_samples = static_cast<std::size_t>(std::ceil(max_seconds * settings_.resample_hz)) + 8;
  spline_.reserve(max_nn, max_samples);
  t_s_.reserve(max_nn);
  samples_.reserve(max_samples);
  if (settings_.detrend == SpectrumDetrend::smoothness_priors) detrended_.reserve(max_samples);
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
  std::span<const double> series = resampled;
  if (settings_.detrend == SpectrumDetrend::smoothness_priors) {
    // On the evenly sampled series, so that lambda sets a cut-off in Hz (0.0355 Hz at -3 dB
    // for lambda 500 at 4 Hz) whatever the heart rate; the time domain is not detrended.
    smoothness_priors_detrend(resampled, settings_.smoothness_lambda, detrended_);
    series = detrended_;
  }
  double mean = 0.0;
  for (const double v : series) mean += v;
  mean /= static_cast<double>(series.size());
  samples_.resize(series.size());
  for (std::size_t i = 0; i < series.size(); ++i) samples_[i] = series[i] - mean;
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
  const std::size_t segment = std::min(settings_.welch.segment_samples, samples_.size());
  m.resp_rate_bpm = 60.0 * respiratory_peak_hz(psd_, df, settings_.hf, settings_.resample_hz / static_cast<double>(segment));
  return m;
}

}  // namespace plinth
