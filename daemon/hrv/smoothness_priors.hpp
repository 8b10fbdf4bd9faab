#pragma once
// Smoothness-priors detrending (Tarvainen, Ranta-aho, Karjalainen, "An advanced detrending
// method with application to HRV analysis", IEEE TBME 49(2):172-175, 2002): the trend is the
// solution of (I + lambda^2 D2'D2) trend = z, D2 the second-difference matrix, and the
// detrended series is z - trend. It acts as a time-varying high-pass filter; on an evenly
// sampled series its stationary gain is q / (1 + q), q = lambda^2 (2 - 2 cos w)^2,
// w = 2 pi f / fs (schemas/hrv.md section 5). Eigen stays out of this header.
#include <span>
#include <vector>

namespace plinth {

// Writes z - trend into `out` (resized to z.size()). lambda > 0; at least 3 samples
// (fewer: std::invalid_argument). The banded system is solved with a sparse LDL'
// factorisation in natural order (no fill-in: O(n) time and memory).
void smoothness_priors_detrend(std::span<const double> z, double lambda, std::vector<double>& out);
std::vector<double> smoothness_priors_detrend(std::span<const double> z, double lambda);

// The stationary gain of the filter at frequency f_hz for a series sampled at fs_hz.
double smoothness_priors_gain(double lambda, double f_hz, double fs_hz);

}  // namespace plinth
