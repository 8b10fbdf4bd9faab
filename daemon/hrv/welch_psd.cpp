#include "daemon/hrv/welch_psd.hpp"

#include <fftw3.h>

#include <algorithm>
#include <cmath>
#include <mutex>
#include <numbers>
#include <stdexcept>
#include <string>

namespace plinth {

namespace {
// FFTW's planner is not thread-safe; execution on distinct plans and buffers is.
std::mutex& fftw_planner_mutex() {
  static std::mutex mutex;
  return mutex;
}
}  // namespace

WelchWindow parse_welch_window(std::string_view text) {
  if (text == "hann") return WelchWindow::hann;
  if (text == "hamming") return WelchWindow::hamming;
  if (text == "boxcar") return WelchWindow::boxcar;
  throw std::invalid_argument("unknown Welch window '" + std::string(text) + "' (expected hann, hamming or boxcar)");
}

std::string_view to_string(WelchWindow window) {
  switch (window) {
    case WelchWindow::hann: return "hann";
    case WelchWindow::hamming: return "hamming";
    case WelchWindow::boxcar: return "boxcar";
  }
  return "unknown";
}

void validate(const WelchSettings& s) {
  auto fail = [](const std::string& what) { throw std::invalid_argument("Welch settings: " + what); };
  if (s.nfft < 16 || s.nfft > (1u << 20) || (s.nfft & (s.nfft - 1)) != 0) fail("nfft must be a power of two, 16..2^20");
  if (s.segment_samples < 8 || s.segment_samples > s.nfft) fail("segment_samples must be 8..nfft");
  if (!(s.overlap >= 0.0 && s.overlap < 1.0)) fail("overlap must be in [0, 1)");
  if (!(s.sample_rate_hz > 0.0)) fail("sample_rate_hz must be > 0");
}

namespace {
// The short transform must hold a segment's full autocorrelation (lags -(L-1)..L-1) without
// wrapping; the route pays off when it is at most a quarter of nfft (one short forward FFT
// per segment plus one short inverse and one nfft-point FFT per update, against one
// nfft-point FFT per segment).
std::size_t autocorrelation_size(const WelchSettings& s) {
  std::size_t n = 1;
  while (n < 2 * s.segment_samples - 1) n *= 2;
  return 4 * n <= s.nfft ? n : 0;
}

// One segment, its mean removed if asked, times the window, into dst[0..seg).
void window_segment(const double* x, std::size_t seg, bool detrend, const std::vector<double>& window, double* dst) {
  double mean = 0.0;
  if (detrend) {
    for (std::size_t i = 0; i < seg; ++i) mean += x[i];
    mean /= static_cast<double>(seg);
  }
  for (std::size_t i = 0; i < seg; ++i) dst[i] = (x[i] - mean) * window[i];
}
}  // namespace

WelchPsd::WelchPsd(const WelchSettings& settings) : settings_(settings) {
  validate(settings_);
  const std::size_t n = settings_.nfft;
  in_ = fftw_alloc_real(n);
  auto* out = fftw_alloc_complex(n / 2 + 1);
  out_ = out;
  if (in_ == nullptr || out == nullptr) throw std::bad_alloc();
  corr_n_ = autocorrelation_size(settings_);
  if (corr_n_ != 0) {
    corr_in_ = fftw_alloc_real(corr_n_);
    corr_lag_ = fftw_alloc_real(corr_n_);
    corr_spec_ = fftw_alloc_complex(corr_n_ / 2 + 1);
    corr_power_ = fftw_alloc_complex(corr_n_ / 2 + 1);
    if (corr_in_ == nullptr || corr_lag_ == nullptr || corr_spec_ == nullptr || corr_power_ == nullptr) {
      throw std::bad_alloc();
    }
  }
  {
    std::lock_guard lock(fftw_planner_mutex());
    // Out-of-place r2c keeps its input (FFTW's default, spelled out): the zero padding is
    // written once per compute(), not once per segment.
    plan_ = fftw_plan_dft_r2c_1d(static_cast<int>(n), in_, out, FFTW_MEASURE | FFTW_PRESERVE_INPUT);
    if (corr_n_ != 0) {
      const int m = static_cast<int>(corr_n_);
      corr_forward_ = fftw_plan_dft_r2c_1d(m, corr_in_, static_cast<fftw_complex*>(corr_spec_),
                                           FFTW_MEASURE | FFTW_PRESERVE_INPUT);
      corr_backward_ = fftw_plan_dft_c2r_1d(m, static_cast<fftw_complex*>(corr_power_), corr_lag_, FFTW_MEASURE);
    }
  }
  if (plan_ == nullptr) throw std::runtime_error("FFTW could not plan a real FFT of size " + std::to_string(n));
  if (corr_n_ != 0 && (corr_forward_ == nullptr || corr_backward_ == nullptr)) {
    throw std::runtime_error("FFTW could not plan a real FFT of size " + std::to_string(corr_n_));
  }
  window_.resize(settings_.segment_samples);
  psd_.resize(n / 2 + 1);
  make_window(settings_.segment_samples);
}

WelchPsd::~WelchPsd() {
  {
    std::lock_guard lock(fftw_planner_mutex());
    for (void* plan : {plan_, corr_forward_, corr_backward_}) {
      if (plan != nullptr) fftw_destroy_plan(static_cast<fftw_plan>(plan));
    }
  }
  fftw_free(in_);
  fftw_free(out_);
  fftw_free(corr_in_);
  fftw_free(corr_lag_);
  fftw_free(corr_spec_);
  fftw_free(corr_power_);
}

// Periodic ("DFT-even") windows, as scipy.signal.get_window(..., fftbins=True).
void WelchPsd::make_window(std::size_t length) {
  window_.resize(length);
  const double n = static_cast<double>(length);
  window_power_ = 0.0;
  for (std::size_t i = 0; i < length; ++i) {
    const double c = std::cos(2.0 * std::numbers::pi * static_cast<double>(i) / n);
    double w = 1.0;
    if (settings_.window == WelchWindow::hann) w = 0.5 - 0.5 * c;
    if (settings_.window == WelchWindow::hamming) w = 0.54 - 0.46 * c;
    window_[i] = w;
    window_power_ += w * w;
  }
  window_length_ = length;
}

std::span<const double> WelchPsd::compute(std::span<const double> x) {
  if (x.size() < 8) throw std::invalid_argument("Welch PSD: need at least 8 samples");
  const std::size_t seg = std::min(settings_.segment_samples, x.size());
  if (seg != window_length_) make_window(seg);
  const auto step = std::max<std::size_t>(1, seg - static_cast<std::size_t>(std::floor(settings_.overlap * static_cast<double>(seg))));
  // psd_ = sum over segments of |X_k|^2, then the density scaling below.
  if (corr_n_ != 0) {
    accumulate_by_autocorrelation(x, seg, step);
  } else {
    accumulate_direct(x, seg, step);
  }
  const std::size_t bins = settings_.nfft / 2 + 1;
  const double scale = 1.0 / (settings_.sample_rate_hz * window_power_ * static_cast<double>(segments_used_));
  for (std::size_t k = 0; k < bins; ++k) {
    // One-sided: fold the negative frequencies onto the positive ones (not DC, not Nyquist).
    const bool edge = k == 0 || k == bins - 1;
    psd_[k] *= edge ? scale : 2.0 * scale;
  }
  return psd_;
}

// One nfft-point FFT per segment.
void WelchPsd::accumulate_direct(std::span<const double> x, std::size_t seg, std::size_t step) {
  const std::size_t nfft = settings_.nfft;
  const std::size_t bins = nfft / 2 + 1;
  auto* out = static_cast<fftw_complex*>(out_);
  std::fill(psd_.begin(), psd_.end(), 0.0);
  std::fill(in_ + seg, in_ + nfft, 0.0);  // the plan preserves its input: padding stays zero
  std::size_t segments = 0;
  for (std::size_t start = 0; start + seg <= x.size(); start += step) {
    window_segment(x.data() + start, seg, settings_.detrend_segments, window_, in_);
    fftw_execute(static_cast<fftw_plan>(plan_));
    for (std::size_t k = 0; k < bins; ++k) psd_[k] += out[k][0] * out[k][0] + out[k][1] * out[k][1];
    ++segments;
  }
  segments_used_ = segments;
}

// sum_s |X_s(k)|^2 = sum_l R(l) e^(-2 pi i k l / nfft), R the sum over segments of each
// windowed segment's autocorrelation, nonzero for |l| < seg. R comes from short FFTs of size
// corr_n_ >= 2 seg - 1 (so without circular wrap); R laid out evenly around the nfft circle
// then gives the sums at all nfft/2 + 1 bins with a single nfft-point FFT.
void WelchPsd::accumulate_by_autocorrelation(std::span<const double> x, std::size_t seg, std::size_t step) {
  const std::size_t m = corr_n_;
  const std::size_t m_bins = m / 2 + 1;
  auto* spec = static_cast<fftw_complex*>(corr_spec_);
  auto* power = static_cast<fftw_complex*>(corr_power_);
  for (std::size_t k = 0; k < m_bins; ++k) power[k][0] = power[k][1] = 0.0;
  std::fill(corr_in_ + seg, corr_in_ + m, 0.0);  // the plan preserves its input: padding stays zero
  std::size_t segments = 0;
  for (std::size_t start = 0; start + seg <= x.size(); start += step) {
    window_segment(x.data() + start, seg, settings_.detrend_segments, window_, corr_in_);
    fftw_execute(static_cast<fftw_plan>(corr_forward_));
    for (std::size_t k = 0; k < m_bins; ++k) power[k][0] += spec[k][0] * spec[k][0] + spec[k][1] * spec[k][1];
    ++segments;
  }
  segments_used_ = segments;
  fftw_execute(static_cast<fftw_plan>(corr_backward_));  // unnormalised: corr_lag_[l] = m R(l)
  // R(-l) = R(l): the positive lags are written on both sides so that the input is exactly
  // even and the transform exactly real.
  const std::size_t nfft = settings_.nfft;
  in_[0] = corr_lag_[0];
  for (std::size_t l = 1; l < seg; ++l) {
    in_[l] = corr_lag_[l];
    in_[nfft - l] = corr_lag_[l];
  }
  std::fill(in_ + seg, in_ + (nfft - seg + 1), 0.0);
  fftw_execute(static_cast<fftw_plan>(plan_));
  auto* out = static_cast<fftw_complex*>(out_);
  const double inv_m = 1.0 / static_cast<double>(m);
  // A sum of squares is >= 0; rounding can leave about -1e-16 of the peak where it is ~0.
  for (std::size_t k = 0; k < nfft / 2 + 1; ++k) psd_[k] = std::max(0.0, out[k][0] * inv_m);
}

}  // namespace plinth
