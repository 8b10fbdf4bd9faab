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

WelchPsd::WelchPsd(const WelchSettings& settings) : settings_(settings) {
  validate(settings_);
  const std::size_t n = settings_.nfft;
  in_ = fftw_alloc_real(n);
  auto* out = fftw_alloc_complex(n / 2 + 1);
  out_ = out;
  if (in_ == nullptr || out == nullptr) throw std::bad_alloc();
  {
    std::lock_guard lock(fftw_planner_mutex());
    plan_ = fftw_plan_dft_r2c_1d(static_cast<int>(n), in_, out, FFTW_MEASURE);
  }
  if (plan_ == nullptr) throw std::runtime_error("FFTW could not plan a real FFT of size " + std::to_string(n));
  window_.resize(settings_.segment_samples);
  psd_.resize(n / 2 + 1);
  make_window(settings_.segment_samples);
}

WelchPsd::~WelchPsd() {
  {
    std::lock_guard lock(fftw_planner_mutex());
    fftw_destroy_plan(static_cast<fftw_plan>(plan_));
  }
  fftw_free(in_);
  fftw_free(out_);
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
  const std::size_t nfft = settings_.nfft;
  const std::size_t bins = nfft / 2 + 1;
  auto* out = static_cast<fftw_complex*>(out_);
  std::fill(psd_.begin(), psd_.end(), 0.0);
  std::size_t segments = 0;
  for (std::size_t start = 0; start + seg <= x.size(); start += step) {
    double mean = 0.0;
    if (settings_.detrend_segments) {
      for (std::size_t i = 0; i < seg; ++i) mean += x[start + i];
      mean /= static_cast<double>(seg);
    }
    for (std::size_t i = 0; i < seg; ++i) in_[i] = (x[start + i] - mean) * window_[i];
    std::fill(in_ + seg, in_ + nfft, 0.0);
    fftw_execute(static_cast<fftw_plan>(plan_));
    for (std::size_t k = 0; k < bins; ++k) psd_[k] += out[k][0] * out[k][0] + out[k][1] * out[k][1];
    ++segments;
  }
  segments_used_ = segments;
  const double scale = 1.0 / (settings_.sample_rate_hz * window_power_ * static_cast<double>(segments));
  for (std::size_t k = 0; k < bins; ++k) {
    // One-sided: fold the negative frequencies onto the positive ones (not DC, not Nyquist).
    const bool edge = k == 0 || k == bins - 1;
    psd_[k] *= edge ? scale : 2.0 * scale;
  }
  return psd_;
}

}  // namespace plinth
