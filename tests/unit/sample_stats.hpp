#pragma once
// Mean and coefficient of variation of a sample, for tests that check stability over frames.
#include <cmath>
#include <vector>

namespace plinth::test_support {

inline double mean_of(const std::vector<double>& v) {
  double s = 0.0;
  for (double x : v) s += x;
  return s / static_cast<double>(v.size());
}

inline double cv_of(const std::vector<double>& v) {
  const double m = mean_of(v);
  double ss = 0.0;
  for (double x : v) ss += (x - m) * (x - m);
  return std::sqrt(ss / static_cast<double>(v.size())) / m;
}

}  // namespace plinth::test_support
