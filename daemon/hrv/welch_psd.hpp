#pragma once
// Welch power spectral density (SciPy's scipy.signal.welch conventions: periodic window,
// per-segment mean removal, one-sided density scaling). Owns its FFTW plans and buffers:
// compute() allocates nothing once the object exists.
//
// When nfft is at least 4x the shortest power of two holding a segment's autocorrelation
// (default settings: 256-sample segments, nfft 4096), the sum over segments of |X|^2 is taken
// as the nfft-point transform of the summed segment autocorrelations, themselves found with
// short FFTs: one nfft-point FFT per update instead of one per segment. The two are equal
// (Wiener-Khinchin; no circular wrap since 2L - 1 <= the short size); only rounding differs.
#include <cstddef>
#include <span>
#include <string_view>
#include <vector>

namespace plinth {

enum class WelchWindow { hann, hamming, boxcar };
WelchWindow parse_welch_window(std::string_view text);  // throws std::invalid_argument
std::string_view to_string(WelchWindow window);

struct WelchSettings {
  WelchWindow window = WelchWindow::hann;
  std::size_t segment_samples = 256;  // 64 s at 4 Hz
  double overlap = 0.5;               // fraction of a segment
  std::size_t nfft = 4096;
  double sample_rate_hz = 4.0;
  bool detrend_segments = true;       // subtract each segment's mean (SciPy detrend='constant')
};
void validate(const WelchSettings& settings);  // throws std::invalid_argument

class WelchPsd {
 public:
  explicit WelchPsd(const WelchSettings& settings);
  ~WelchPsd();
  WelchPsd(const WelchPsd&) = delete;
  WelchPsd& operator=(const WelchPsd&) = delete;

  // PSD (units of x squared per Hz) at bins k * df, k = 0..nfft/2. A series shorter than a
  // segment is one segment of its own length (as SciPy does). Needs at least 8 samples.
  std::span<const double> compute(std::span<const double> x);
  double bin_hz() const { return settings_.sample_rate_hz / static_cast<double>(settings_.nfft); }
  std::size_t segments_used() const { return segments_used_; }
  const WelchSettings& settings() const { return settings_; }

 private:
  void make_window(std::size_t length);
  void accumulate_direct(std::span<const double> x, std::size_t seg, std::size_t step);
  void accumulate_by_autocorrelation(std::span<const double> x, std::size_t seg, std::size_t step);

  WelchSettings settings_;
  double* in_ = nullptr;      // fftw_malloc'd, nfft reals
  void* out_ = nullptr;       // fftw_complex[nfft/2+1]
  void* plan_ = nullptr;      // fftw_plan
  // The autocorrelation route (corr_n_ == 0: not used, one nfft-point FFT per segment).
  std::size_t corr_n_ = 0;          // power of two >= 2 * segment_samples - 1
  double* corr_in_ = nullptr;       // corr_n_ reals: one windowed segment, zero-padded
  void* corr_spec_ = nullptr;       // fftw_complex[corr_n_/2+1]: its spectrum
  void* corr_power_ = nullptr;      // fftw_complex[corr_n_/2+1]: sum of |spectrum|^2 (imag 0)
  double* corr_lag_ = nullptr;      // corr_n_ reals: corr_n_ * summed autocorrelation by lag
  void* corr_forward_ = nullptr;    // fftw_plan r2c corr_in_ -> corr_spec_
  void* corr_backward_ = nullptr;   // fftw_plan c2r corr_power_ -> corr_lag_
  std::vector<double> window_;
  std::size_t window_length_ = 0;
  double window_power_ = 0.0;  // sum of squared window values
  std::vector<double> psd_;
  std::size_t segments_used_ = 0;
};

}  // namespace plinth
