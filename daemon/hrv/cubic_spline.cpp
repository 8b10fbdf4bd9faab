#include "daemon/hrv/cubic_spline.hpp"

#include <cmath>
#include <stdexcept>

namespace plinth {

// Second derivatives M of the not-a-knot spline. The end conditions (third derivative
// continuous at t[1] and t[n-2]) are substituted into the first and last interior rows
// (for n == 4 this is the single cubic through the points), which leaves a tridiagonal system in M[1..n-2] solved by the Thomas algorithm.
void CubicSplineResampler::solve_second_derivatives(std::span<const double> t, std::span<const double> y) {
  const std::size_t n = t.size();
  h_.resize(n - 1);
  for (std::size_t i = 0; i + 1 < n; ++i) {
    h_[i] = t[i + 1] - t[i];
    if (!(h_[i] > 0.0)) throw std::invalid_argument("cubic spline: times must be strictly increasing");
  }
  const std::size_t m = n - 2;  // unknowns M[1..n-2]
  // Every element is written below: resize, no fill.
  lower_.resize(m);
  diag_.resize(m);
  upper_.resize(m);
  rhs_.resize(m);
  for (std::size_t r = 0; r < m; ++r) {
    const std::size_t i = r + 1;
    lower_[r] = h_[i - 1];
    diag_[r] = 2.0 * (h_[i - 1] + h_[i]);
    upper_[r] = h_[i];
    rhs_[r] = 6.0 * ((y[i + 1] - y[i]) / h_[i] - (y[i] - y[i - 1]) / h_[i - 1]);
  }
  const double h0 = h_[0], h1 = h_[1];
  const double hl = h_[n - 2], hk = h_[n - 3];  // last and second-to-last intervals
  diag_[0] = (h0 + h1) * (h0 + 2.0 * h1) / h1;
  upper_[0] = (h1 * h1 - h0 * h0) / h1;
  lower_[m - 1] = (hk * hk - hl * hl) / hk;
  diag_[m - 1] = (hk + hl) * (2.0 * hk + hl) / hk;
  for (std::size_t r = 1; r < m; ++r) {
    const double w = lower_[r] / diag_[r - 1];
    diag_[r] -= w * upper_[r - 1];
    rhs_[r] -= w * rhs_[r - 1];
  }
  m_.resize(n);
  m_[m] = rhs_[m - 1] / diag_[m - 1];
  for (std::size_t r = m - 1; r-- > 0;) m_[r + 1] = (rhs_[r] - upper_[r] * m_[r + 2]) / diag_[r];
  m_[0] = ((h0 + h1) * m_[1] - h0 * m_[2]) / h1;
  m_[n - 1] = ((hl + hk) * m_[n - 2] - hl * m_[n - 3]) / hk;
}

void CubicSplineResampler::reserve(std::size_t max_points, std::size_t max_samples) {
  for (auto* v : {&h_, &m_, &lower_, &diag_, &upper_, &rhs_}) v->reserve(max_points);
  out_.reserve(max_samples);
}

std::span<const double> CubicSplineResampler::resample(std::span<const double> t, std::span<const double> y,
                                                       double rate_hz) {
  if (t.size() != y.size()) throw std::invalid_argument("cubic spline: t and y differ in length");
  if (t.size() < 4) throw std::invalid_argument("cubic spline: need at least 4 points");
  if (!(rate_hz > 0.0)) throw std::invalid_argument("cubic spline: rate must be > 0");
  solve_second_derivatives(t, y);
  const double step = 1.0 / rate_hz;
  const auto count = static_cast<std::size_t>(std::ceil((t.back() - t.front()) * rate_hz));
  out_.resize(count);
  // The terms that depend only on the interval are evaluated when the interval changes, not
  // per sample (about 4 samples per beat at 4 Hz): the same expressions in the same order,
  // so the same values, with 1 division per sample instead of 5.
  struct Interval {
    double six_h, left, right;  // 6h, y[i]/h - M[i]h/6, y[i+1]/h - M[i+1]h/6
  };
  const auto interval = [&](std::size_t i) {
    const double h = h_[i];
    return Interval{6.0 * h, y[i] / h - m_[i] * h / 6.0, y[i + 1] / h - m_[i + 1] * h / 6.0};
  };
  std::size_t i = 0;
  Interval c = interval(0);
  for (std::size_t k = 0; k < count; ++k) {
    const double x = t.front() + static_cast<double>(k) * step;
    if (i + 2 < t.size() && x >= t[i + 1]) {
      do ++i;
      while (i + 2 < t.size() && x >= t[i + 1]);
      c = interval(i);
    }
    const double a = t[i + 1] - x, b = x - t[i];
    out_[k] = (m_[i] * a * a * a + m_[i + 1] * b * b * b) / c.six_h + c.left * a + c.right * b;
  }
  return out_;
}

}  // namespace plinth
