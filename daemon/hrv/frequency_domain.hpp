#pragma once
// Frequency-domain HRV: NN series -> 4 Hz cubic-spline resampling -> mean removal (or
// smoothness-priors detrending) -> Welch PSD -> band powers and the respiratory peak. Every
// choice is a setting; defaults, presets and references in schemas/hrv.md section 5.
#include <limits>
#include <span>
#include <string_view>
#include <vector>

#include "daemon/hrv/cubic_spline.hpp"
#include "daemon/hrv/welch_psd.hpp"

namespace plinth {

struct FrequencyBand {
  double low_hz = 0.0;   // inclusive
  double high_hz = 0.0;  // exclusive
};

enum class BandIntegration { trapezoid, rectangle };

// What is removed from the resampled series before Welch: its mean, or a smoothness-priors
// trend (which removes the mean too).
enum class SpectrumDetrend { mean, smoothness_priors };

struct FrequencySettings {
  double resample_hz = 4.0;
  SpectrumDetrend detrend = SpectrumDetrend::mean;
  double smoothness_lambda = 500.0;      // used by SpectrumDetrend::smoothness_priors
  WelchSettings welch{};                 // default: Hann 64 s (256 samples), 50 %, nfft 4096
  FrequencyBand vlf{0.0033, 0.04};
  FrequencyBand lf{0.04, 0.15};
  FrequencyBand hf{0.15, 0.40};
  BandIntegration integration = BandIntegration::trapezoid;
  double min_duration_s = 110.0;         // less NN time gives no spectrum (a nominal 2-min window passes)
};
void validate(const FrequencySettings& settings);  // throws std::invalid_argument

// The 60-minute pyHRV-style settings: Hamming, 300 samples, nfft 4096, VLF from 0 Hz,
// rectangle-rule band sums (pyHRV integrates as sum(P) * df).
FrequencySettings pyhrv_frequency_settings();

// Kubios HRV-style settings: smoothness-priors detrending (lambda 500) of the 4 Hz series,
// Hann 256 s segments with 50 % overlap, VLF from 0 Hz, trapezoid (schemas/hrv.md section 5).
FrequencySettings kubios_frequency_settings();

// "default", "pyhrv" or "kubios"; throws std::invalid_argument naming the choices otherwise.
FrequencySettings frequency_settings_preset(std::string_view name);
inline constexpr std::string_view kFrequencyPresetNames = "default, pyhrv or kubios";

struct FrequencyMetrics {
  static constexpr double nan = std::numeric_limits<double>::quiet_NaN();
  double vlf_ms2 = nan;
  double lf_ms2 = nan;
  double hf_ms2 = nan;
  double lf_hf = nan;
  double lf_nu = nan;          // 100 LF / (LF + HF)
  double hf_nu = nan;          // 100 HF / (LF + HF)
  double lf_peak_hz = nan;
  double hf_peak_hz = nan;
  // 60 * the respiratory peak: the largest local PSD maximum in the HF band, if it is at least
  // 5 % of the largest local maximum from 0.05 Hz up and not a 2nd/3rd harmonic of a larger
  // slow peak; NaN otherwise (breathing < 9/min cannot be told from Mayer waves; hrv.md 5.7).
  double resp_rate_bpm = nan;
};

// The respiratory peak rule of resp_rate_bpm (schemas/hrv.md section 5.7) over a one-sided
// PSD with bin width df_hz; segment_hz = sample rate / Welch segment length (sets the
// harmonic tolerance). NaN when no peak qualifies.
double respiratory_peak_hz(std::span<const double> psd, double df_hz, FrequencyBand hf, double segment_hz);

class FrequencyAnalyzer {
 public:
  explicit FrequencyAnalyzer(const FrequencySettings& settings = {});
  // NaN fields when the series is shorter than min_duration_s (or under 4 intervals).
  FrequencyMetrics compute(std::span<const double> nn_ms);
  // Pre-sizes buffers for windows up to these sizes: no allocation in compute() afterwards.
  void reserve(std::size_t max_nn, double max_seconds);
  // The PSD of the last successful compute(), ms^2/Hz at bins k * bin_hz().
  std::span<const double> last_psd() const { return psd_; }
  double bin_hz() const { return welch_.bin_hz(); }
  const FrequencySettings& settings() const { return settings_; }

 private:
  FrequencySettings settings_;
  CubicSplineResampler spline_;
  WelchPsd welch_;
  std::vector<double> t_s_;
  std::vector<double> samples_;
  std::vector<double> detrended_;
  std::span<const double> psd_;
};

}  // namespace plinth
