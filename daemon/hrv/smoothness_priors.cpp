#include "daemon/hrv/smoothness_priors.hpp"

#include <Eigen/SparseCholesky>
#include <Eigen/SparseCore>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <stdexcept>
#include <string>

namespace plinth {

void smoothness_priors_detrend(std::span<const double> z, double lambda, std::vector<double>& out) {
  if (!(lambda > 0.0) || !std::isfinite(lambda)) throw std::invalid_argument("smoothness priors: lambda must be > 0");
  const auto n = static_cast<Eigen::Index>(z.size());
  if (n < 3) throw std::invalid_argument("smoothness priors: need at least 3 samples, got " + std::to_string(n));
  // The lower triangle of I + lambda^2 D2'D2, column by column (CSC order, no sorting).
  // D2'D2 is pentadiagonal: diagonal 1, 5, 6, ..., 6, 5, 1; first off-diagonal -2, -4, ...,
  // -4, -2; second off-diagonal 1. Entry (i, j) sums d(r) d(r') over the rows r of D2 = (1, -2, 1)
  // that touch both i and j, which the helper computes for any n >= 3.
  const double l2 = lambda * lambda;
  const auto dtd = [n](Eigen::Index i, Eigen::Index j) {  // i >= j
    constexpr double d[3] = {1.0, -2.0, 1.0};
    double sum = 0.0;
    for (Eigen::Index r = std::max<Eigen::Index>(0, i - 2); r <= std::min(j, n - 3); ++r) sum += d[i - r] * d[j - r];
    return sum;
  };
  Eigen::SparseMatrix<double> system(n, n);
  system.reserve(Eigen::VectorXi::Constant(n, 3));
  for (Eigen::Index j = 0; j < n; ++j) {
    for (Eigen::Index i = j; i < std::min(j + 3, n); ++i) system.insert(i, j) = (i == j ? 1.0 : 0.0) + l2 * dtd(i, j);
  }
  system.makeCompressed();
  // Natural ordering keeps the band: the factor has the same two sub-diagonals.
  Eigen::SimplicialLDLT<Eigen::SparseMatrix<double>, Eigen::Lower, Eigen::NaturalOrdering<int>> solver(system);
  if (solver.info() != Eigen::Success) throw std::runtime_error("smoothness priors: factorisation failed");
  const Eigen::Map<const Eigen::VectorXd> values(z.data(), n);
  const Eigen::VectorXd trend = solver.solve(values);
  out.resize(z.size());
  for (Eigen::Index i = 0; i < n; ++i) out[static_cast<std::size_t>(i)] = values[i] - trend[i];
}

std::vector<double> smoothness_priors_detrend(std::span<const double> z, double lambda) {
  std::vector<double> out;
  smoothness_priors_detrend(z, lambda, out);
  return out;
}

double smoothness_priors_gain(double lambda, double f_hz, double fs_hz) {
  const double w = 2.0 * std::numbers::pi * f_hz / fs_hz;
  const double s = 2.0 - 2.0 * std::cos(w);
  const double q = lambda * lambda * s * s;
  return q / (1.0 + q);
}

}  // namespace plinth
