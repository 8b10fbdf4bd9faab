#include "daemon/pressure/calibration_fit.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace plinth {

namespace {
bool finite_positive(double v) { return std::isfinite(v) && v > 0.0; }
}  // namespace


namespace {

// Mean raw value per sensel over frames that must all share one geometry.
std::vector<double> mean_frame(std::span<const MatFrame> frames, std::uint16_t rows, std::uint16_t cols, const char* what) {
  if (frames.empty()) throw std::invalid_argument(std::string(what) + ": no frames");
  std::size_t n = std::size_t{rows} * cols;
  std::vector<double> sum(n, 0.0);
  for (const MatFrame& f : frames) {
    if (f.rows != rows || f.cols != cols || f.raw.size() != n)
      throw std::invalid_argument(std::string(what) + ": frames differ in geometry");
    for (std::size_t i = 0; i < n; ++i) sum[i] += f.raw[i];
  }
  for (double& s : sum) s /= static_cast<double>(frames.size());
  return sum;
}

}  // namespace

EquilibrationFit compute_equilibration(std::span<const MatFrame> unloaded, std::span<const LoadedSet> loaded) {
  if (unloaded.empty()) throw std::invalid_argument("compute_equilibration: no unloaded frames");
  if (loaded.empty()) throw std::invalid_argument("compute_equilibration: no loaded sets");
  const std::uint16_t rows = unloaded.front().rows, cols = unloaded.front().cols;
  if (rows == 0 || cols == 0) throw std::invalid_argument("compute_equilibration: empty frames");
  const std::size_t n = std::size_t{rows} * cols;
  std::vector<double> offset = mean_frame(unloaded, rows, cols, "unloaded frames");
  // Sample SD (n - 1) of each sensel's unloaded values about its offset: the noise the
  // Calibrator's per-sensel floor is measured in.
  std::vector<double> spread;
  if (unloaded.size() >= 2) {
    spread.assign(n, 0.0);
    for (const MatFrame& f : unloaded)
      for (std::size_t i = 0; i < n; ++i) {
        const double d = f.raw[i] - offset[i];
        spread[i] += d * d;
      }
    for (double& v : spread) v = std::sqrt(v / static_cast<double>(unloaded.size() - 1));
  }

  // response[k][i]: mean raw above offset of sensel i under load k; target[k]: its mat mean.
  std::vector<std::vector<double>> response;
  EquilibrationFit fit;
  for (const LoadedSet& set : loaded) {
    if (!finite_positive(set.known_kpa)) throw std::invalid_argument("compute_equilibration: known_kpa must be > 0");
    std::vector<double> r = mean_frame(set.frames, rows, cols, "loaded frames");
    double total = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
      r[i] = std::max(0.0, r[i] - offset[i]);
      total += r[i];
    }
    fit.response.push_back(total / static_cast<double>(n));
    fit.known_kpa.push_back(set.known_kpa);
    response.push_back(std::move(r));
  }

  // Least squares through the origin per sensel: gain = sum_k T_k r_ik / sum_k r_ik^2.
  // A sensel that never responds (below one count in every set) is dead: gain 0.
  fit.equilibration.rows = rows;
  fit.equilibration.cols = cols;
  fit.equilibration.offset.resize(n);
  fit.equilibration.gain.resize(n);
  for (double sd : spread) fit.equilibration.spread.push_back(static_cast<float>(sd));
  for (std::size_t i = 0; i < n; ++i) {
    double num = 0.0, den = 0.0, best = 0.0;
    for (std::size_t k = 0; k < response.size(); ++k) {
      num += fit.response[k] * response[k][i];
      den += response[k][i] * response[k][i];
      best = std::max(best, response[k][i]);
    }
    fit.equilibration.offset[i] = static_cast<float>(offset[i]);
    if (best < 1.0 || den <= 0.0) {
      fit.equilibration.gain[i] = 0.0f;
      ++fit.dead_sensels;
    } else {
      fit.equilibration.gain[i] = static_cast<float>(num / den);
    }
  }
  return fit;
}

namespace {
void check_points(std::span<const double> x, std::span<const double> p, std::size_t minimum, const char* what) {
  if (x.size() != p.size() || x.size() < minimum)
    throw std::invalid_argument(std::string(what) + ": needs at least " + std::to_string(minimum) + " (response, kPa) points");
  for (std::size_t i = 0; i < x.size(); ++i)
    if (!finite_positive(x[i]) || !finite_positive(p[i]))
      throw std::invalid_argument(std::string(what) + ": responses and pressures must be > 0");
}
}  // namespace

CalibrationCurve fit_linear_curve(std::span<const double> x, std::span<const double> p) {
  check_points(x, p, 1, "fit_linear_curve");
  double num = 0.0, den = 0.0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    num += x[i] * p[i];
    den += x[i] * x[i];
  }
  CalibrationCurve c;
  c.kind = CurveKind::linear;
  c.scale = num / den;
  return c;
}

CalibrationCurve fit_power_curve(std::span<const double> x, std::span<const double> p) {
  check_points(x, p, 2, "fit_power_curve");
  // Ordinary least squares of ln P = ln a + b ln x.
  double mx = 0.0, my = 0.0;
  const double n = static_cast<double>(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) {
    mx += std::log(x[i]);
    my += std::log(p[i]);
  }
  mx /= n;
  my /= n;
  double sxy = 0.0, sxx = 0.0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    sxy += (std::log(x[i]) - mx) * (std::log(p[i]) - my);
    sxx += (std::log(x[i]) - mx) * (std::log(x[i]) - mx);
  }
  if (sxx <= 0.0) throw std::invalid_argument("fit_power_curve: needs at least two different responses");
  CalibrationCurve c;
  c.kind = CurveKind::power;
  c.b = sxy / sxx;
  c.a = std::exp(my - c.b * mx);
  validate_curve(c);
  return c;
}

CalibrationCurve table_curve(std::span<const double> x, std::span<const double> p) {
  check_points(x, p, 1, "table_curve");
  std::vector<std::size_t> order(x.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](std::size_t l, std::size_t r) { return x[l] < x[r]; });
  CalibrationCurve c;
  c.kind = CurveKind::table;
  for (std::size_t i : order) {
    c.table_x.push_back(x[i]);
    c.table_p.push_back(p[i]);
  }
  validate_curve(c);
  return c;
}

}  // namespace plinth
