#include "daemon/hrv/time_domain.hpp"

#include <cmath>
#include <stdexcept>

namespace plinth {

TimeDomainMetrics time_domain_metrics(std::span<const double> nn, std::span<const std::uint8_t> segment_start) {
  if (!segment_start.empty() && segment_start.size() != nn.size()) {
    throw std::invalid_argument("time_domain_metrics: segment_start must be empty or as long as nn");
  }
  TimeDomainMetrics m;
  m.nn_count = nn.size();
  if (nn.empty()) return m;
  double sum = 0.0;
  for (const double v : nn) sum += v;
  m.duration_s = sum / 1000.0;
  const double n = static_cast<double>(nn.size());
  m.mean_nn_ms = sum / n;
  m.hr_bpm = 60000.0 / m.mean_nn_ms;
  if (nn.size() < 2) return m;
  double ss = 0.0;
  for (const double v : nn) ss += (v - m.mean_nn_ms) * (v - m.mean_nn_ms);
  const double var_nn = ss / (n - 1.0);
  m.sdnn_ms = std::sqrt(var_nn);

  // Successive differences: two passes (mean, then centred squares) for accuracy.
  double d_sum = 0.0;
  double d_sq = 0.0;
  std::size_t over50 = 0;
  std::size_t count = 0;
  for (std::size_t k = 1; k < nn.size(); ++k) {
    if (!segment_start.empty() && segment_start[k] != 0) continue;
    const double d = nn[k] - nn[k - 1];
    d_sum += d;
    d_sq += d * d;
    if (std::abs(d) > 50.0) ++over50;
    ++count;
  }
  m.diff_count = count;
  if (count == 0) return m;
  const double c = static_cast<double>(count);
  m.rmssd_ms = std::sqrt(d_sq / c);
  m.ln_rmssd = std::log(m.rmssd_ms);
  m.pnn50_pct = 100.0 * static_cast<double>(over50) / c;
  if (count < 2) return m;
  const double d_mean = d_sum / c;
  double d_ss = 0.0;
  for (std::size_t k = 1; k < nn.size(); ++k) {
    if (!segment_start.empty() && segment_start[k] != 0) continue;
    const double d = nn[k] - nn[k - 1] - d_mean;
    d_ss += d * d;
  }
  const double var_d = d_ss / (c - 1.0);
  m.sd1_ms = std::sqrt(0.5 * var_d);
  const double sd2_sq = 2.0 * var_nn - 0.5 * var_d;
  m.sd2_ms = sd2_sq > 0.0 ? std::sqrt(sd2_sq) : 0.0;
  m.sd1_sd2 = m.sd2_ms > 0.0 ? m.sd1_ms / m.sd2_ms : TimeDomainMetrics::nan;
  return m;
}

}  // namespace plinth
