#include "daemon/pressure/sway_window.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <stdexcept>

namespace plinth {

namespace {
std::int64_t window_to_ns(double window_s) {
  if (!(window_s > 0.0) || window_s > 3600.0) throw std::invalid_argument("sliding window must be in (0, 3600] s");
  return static_cast<std::int64_t>(std::llround(window_s * 1e9));
}
}  // namespace

double prediction_ellipse_factor(std::size_t n, double coverage) {
  if (n < 3 || !(coverage > 0.0 && coverage < 1.0)) return std::numeric_limits<double>::quiet_NaN();
  const double nd = static_cast<double>(n), m = nd - 2.0;
  // F(2, m) has the CDF 1 - (1 + 2x/m)^(-m/2), which inverts in closed form.
  const double f_quantile = 0.5 * m * std::expm1(-2.0 / m * std::log1p(-coverage));
  return 2.0 * (nd + 1.0) * (nd - 1.0) / (nd * m) * f_quantile;
}

SwayWindow::SwayWindow(double window_s, std::size_t initial_capacity)
    : window_ns_(window_to_ns(window_s)), ring_(std::max<std::size_t>(initial_capacity, 4)) {}

void SwayWindow::clear() {
  head_ = size_ = 0;
  evictions_since_rebuild_ = 0;
  sx_ = sy_ = sxx_ = syy_ = sxy_ = path_ = 0.0;
}

void SwayWindow::grow() {
  std::vector<Sample> bigger(ring_.size() * 2);
  for (std::size_t k = 0; k < size_; ++k) bigger[k] = at(k);
  ring_.swap(bigger);
  head_ = 0;
}

void SwayWindow::rebuild_sums() {
  // Re-centre on the current mean too: after a patient shifts, coordinates relative to an
  // old reference would make the variance a small difference of large sums.
  double mx = 0.0, my = 0.0;
  for (std::size_t k = 0; k < size_; ++k) {
    mx += at(k).x;
    my += at(k).y;
  }
  mx /= static_cast<double>(size_);
  my /= static_cast<double>(size_);
  for (std::size_t k = 0; k < size_; ++k) {
    Sample& s = ring_[(head_ + k) % ring_.size()];
    s.x -= mx;
    s.y -= my;
  }
  ref_x_ += mx;
  ref_y_ += my;
  sx_ = sy_ = sxx_ = syy_ = sxy_ = path_ = 0.0;
  for (std::size_t k = 0; k < size_; ++k) {
    const Sample& s = at(k);
    sx_ += s.x;
    sy_ += s.y;
    sxx_ += s.x * s.x;
    syy_ += s.y * s.y;
    sxy_ += s.x * s.y;
    if (k > 0) path_ += s.step;
  }
  evictions_since_rebuild_ = 0;
}

void SwayWindow::evict_before(std::int64_t t_ns) {
  const std::int64_t oldest_kept = t_ns - window_ns_;
  while (size_ > 0 && at(0).t_ns < oldest_kept) {
    const Sample& s = at(0);
    sx_ -= s.x;
    sy_ -= s.y;
    sxx_ -= s.x * s.x;
    syy_ -= s.y * s.y;
    sxy_ -= s.x * s.y;
    head_ = (head_ + 1) % ring_.size();
    --size_;
    if (size_ > 0) path_ -= at(0).step;  // the new oldest no longer has a predecessor
    ++evictions_since_rebuild_;
  }
  if (size_ == 0) clear();
  else if (evictions_since_rebuild_ >= ring_.size()) rebuild_sums();
}

void SwayWindow::push(std::int64_t t_ns, double row_cm, double col_cm) {
  if (size_ > 0 && t_ns < at(size_ - 1).t_ns) clear();
  if (size_ == 0) {
    ref_x_ = row_cm;
    ref_y_ = col_cm;
  }
  const double x = row_cm - ref_x_, y = col_cm - ref_y_;
  double step = 0.0;
  if (size_ > 0) {
    const Sample& last = at(size_ - 1);
    step = std::hypot(x - last.x, y - last.y);
  }
  if (size_ == ring_.size()) grow();
  ring_[(head_ + size_) % ring_.size()] = Sample{t_ns, x, y, step};
  ++size_;
  sx_ += x;
  sy_ += y;
  sxx_ += x * x;
  syy_ += y * y;
  sxy_ += x * y;
  if (size_ > 1) path_ += step;
  evict_before(t_ns);
}

SwayMetrics SwayWindow::metrics() const {
  SwayMetrics m;
  m.samples = static_cast<std::uint32_t>(size_);
  if (size_ == 0) return m;
  m.window_s = static_cast<double>(at(size_ - 1).t_ns - at(0).t_ns) * 1e-9;
  m.path_length_cm = std::max(0.0, path_);
  m.mean_velocity_cm_s = m.window_s > 0.0 ? m.path_length_cm / m.window_s : 0.0;
  const double n = static_cast<double>(size_);
  const double mx = sx_ / n, my = sy_ / n;
  // Centred sums of squares; clamped because a running difference can dip below zero.
  const double cxx = std::max(0.0, sxx_ - n * mx * mx);
  const double cyy = std::max(0.0, syy_ - n * my * my);
  const double cxy = sxy_ - n * mx * my;
  m.rms_distance_cm = std::sqrt((cxx + cyy) / n);
  if (size_ >= 3) {
    // Sample covariance (n - 1) and the finite-sample factor, as in Schubert & Kirchner 2014:
    // with 11 samples (1 Hz over 10 s) chi-square's 5.99 would cover only ~89 % of new samples.
    const double vxx = cxx / (n - 1), vyy = cyy / (n - 1), vxy = cxy / (n - 1);
    const double det = std::max(0.0, vxx * vyy - vxy * vxy);
    m.ellipse95_area_cm2 = std::numbers::pi * prediction_ellipse_factor(size_) * std::sqrt(det);
  }
  return m;
}

MovementWindow::MovementWindow(double window_s, std::size_t initial_capacity)
    : window_ns_(window_to_ns(window_s)), ring_(std::max<std::size_t>(initial_capacity, 4)) {}

void MovementWindow::clear() {
  head_ = size_ = 0;
  evictions_since_rebuild_ = 0;
  change_ = time_ = 0.0;
}

void MovementWindow::rebuild_sums() {
  change_ = time_ = 0.0;
  for (std::size_t k = 0; k < size_; ++k) {
    const Step& s = ring_[(head_ + k) % ring_.size()];
    change_ += s.change;
    time_ += s.dt;
  }
  evictions_since_rebuild_ = 0;
}

void MovementWindow::push(std::int64_t t_ns, double relative_change, double dt_s) {
  if (size_ > 0 && t_ns < ring_[(head_ + size_ - 1) % ring_.size()].t_ns) clear();
  if (size_ == ring_.size()) {
    std::vector<Step> bigger(ring_.size() * 2);
    for (std::size_t k = 0; k < size_; ++k) bigger[k] = ring_[(head_ + k) % ring_.size()];
    ring_.swap(bigger);
    head_ = 0;
  }
  ring_[(head_ + size_) % ring_.size()] = Step{t_ns, relative_change, dt_s};
  ++size_;
  change_ += relative_change;
  time_ += dt_s;
  // A step covers (t - dt, t]; it leaves once it ends before the window starts.
  const std::int64_t oldest_kept = t_ns - window_ns_;
  while (size_ > 0 && ring_[head_].t_ns <= oldest_kept) {
    change_ -= ring_[head_].change;
    time_ -= ring_[head_].dt;
    head_ = (head_ + 1) % ring_.size();
    --size_;
    ++evictions_since_rebuild_;
  }
  if (evictions_since_rebuild_ >= ring_.size()) rebuild_sums();
}

double MovementWindow::index_per_s() const {
  return time_ > 1e-12 ? std::max(0.0, change_) / time_ : 0.0;
}

double relative_change(const float* previous, const float* current, std::size_t sensels) {
  double diff = 0.0, level = 0.0;
  // In no particular order, so the compiler may split the sums into vector lanes (they differ
  // from one chain's only in rounding, ~1e-16 relative).
#pragma omp simd reduction(+ : diff, level)
  for (std::size_t i = 0; i < sensels; ++i) {
    diff += std::abs(static_cast<double>(current[i]) - previous[i]);
    level += 0.5 * (static_cast<double>(current[i]) + previous[i]);
  }
  return level > 0.0 ? diff / level : 0.0;
}

}  // namespace plinth
