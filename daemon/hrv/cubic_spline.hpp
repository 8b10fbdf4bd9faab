#pragma once
// Interpolating cubic spline with not-a-knot end conditions (as SciPy's CubicSpline and
// interp1d(kind='cubic') default), evaluated on an even grid. Buffers are reused: after the
// first call of a given size nothing is allocated.
#include <cstddef>
#include <span>
#include <vector>

namespace plinth {

class CubicSplineResampler {
 public:
  // Samples the spline through (t[i], y[i]) at t[0] + k / rate_hz for every such time
  // strictly before t.back() (NumPy's arange(t0, t_end, 1/rate)). t strictly increasing,
  // at least 4 points; throws std::invalid_argument otherwise. Returns the samples (a view
  // of an internal buffer valid until the next call).
  std::span<const double> resample(std::span<const double> t, std::span<const double> y, double rate_hz);
  // Pre-sizes the buffers so that later calls up to these sizes never allocate.
  void reserve(std::size_t max_points, std::size_t max_samples);

 private:
  void solve_second_derivatives(std::span<const double> t, std::span<const double> y);
  std::vector<double> h_, m_, lower_, diag_, upper_, rhs_, out_;
};

}  // namespace plinth
