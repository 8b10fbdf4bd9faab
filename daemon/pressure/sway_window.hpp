#pragma once
// Centre-of-pressure sway and movement over a sliding window of host time
// (schemas/pressure-metrics.md §Sway, §Movement). Running sums over a ring buffer make each
// push O(1) amortised; once per ring length the sums are rebuilt from the ring, centred on
// the current mean, so rounding neither accumulates over a long session nor cancels after a
// large shift of the body. Deterministic for a given input sequence.
#include <cstddef>
#include <cstdint>
#include <vector>

namespace plinth {

struct SwayMetrics {
  double window_s = 0.0;            // time spanned by the samples in the window
  std::uint32_t samples = 0;
  double path_length_cm = 0.0;
  double mean_velocity_cm_s = 0.0;  // path length / window_s; 0 if window_s == 0
  double rms_distance_cm = 0.0;     // from the mean CoP
  double ellipse95_area_cm2 = 0.0;  // 95% prediction ellipse (finite n), needs >= 3 samples
};

// chi-square quantile, 2 degrees of freedom, p = 0.95: -2 ln(0.05). The large-sample limit
// of prediction_ellipse_factor().
inline constexpr double kChi2_95_2dof = 5.991464547107979;

// Squared radius (Mahalanobis, with the sample covariance) of the 95 % prediction ellipse of
// a new sample from n bivariate normal samples: 2(n+1)(n-1)/(n(n-2)) * F_{2,n-2}(0.95), with
// the closed-form quantile F_{2,m}(q) = (m/2)((1-q)^(-2/m) - 1). 11 samples: 10.32 instead
// of chi-square's 5.99. NaN for n < 3 (schemas/pressure-metrics.md §Sway).
double prediction_ellipse_factor(std::size_t n, double coverage = 0.95);

class SwayWindow {
 public:
  explicit SwayWindow(double window_s, std::size_t initial_capacity = 64);

  // A CoP sample (cm). Samples older than window_s before t_ns leave the window. A time
  // earlier than the last sample restarts the window.
  void push(std::int64_t t_ns, double row_cm, double col_cm);
  void clear();
  SwayMetrics metrics() const;

 private:
  struct Sample {
    std::int64_t t_ns;
    double x, y;
    double step;  // distance from the previous sample in the window (0 for the first)
  };
  const Sample& at(std::size_t k) const { return ring_[(head_ + k) % ring_.size()]; }
  void evict_before(std::int64_t t_ns);
  void rebuild_sums();
  void grow();

  std::int64_t window_ns_;
  std::vector<Sample> ring_;
  std::size_t head_ = 0, size_ = 0;
  std::size_t evictions_since_rebuild_ = 0;
  // Sums of coordinates relative to ref_ (the first sample after a clear) keep the
  // numbers small for the variance.
  double ref_x_ = 0.0, ref_y_ = 0.0;
  double sx_ = 0.0, sy_ = 0.0, sxx_ = 0.0, syy_ = 0.0, sxy_ = 0.0, path_ = 0.0;
};

// Movement (restlessness): relative change of the pressure map per second over the window,
//   sum_k sum_i |P_i(t_k) - P_i(t_k-1)| / sum_i (P_i(t_k) + P_i(t_k-1))/2   /   sum_k dt_k
// in 1/s. Each frame pushes one (change, dt) pair computed by relative_change().
class MovementWindow {
 public:
  explicit MovementWindow(double window_s, std::size_t initial_capacity = 64);
  void push(std::int64_t t_ns, double relative_change, double dt_s);
  void clear();
  double index_per_s() const;  // 0 while the window spans no time

 private:
  struct Step {
    std::int64_t t_ns;
    double change, dt;
  };
  void rebuild_sums();

  std::int64_t window_ns_;
  std::vector<Step> ring_;
  std::size_t head_ = 0, size_ = 0;
  std::size_t evictions_since_rebuild_ = 0;
  double change_ = 0.0, time_ = 0.0;
};

// sum|cur - prev| / sum (cur + prev)/2 over all sensels; 0 when both maps are empty.
double relative_change(const float* previous, const float* current, std::size_t sensels);

}  // namespace plinth
