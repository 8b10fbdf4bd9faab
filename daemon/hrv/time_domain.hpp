#pragma once
// Time-domain and Poincaré HRV metrics over a window of NN intervals. Definitions:
// schemas/hrv.md ("Time domain", "Poincaré").
#include <cstdint>
#include <limits>
#include <span>

namespace plinth {

struct TimeDomainMetrics {
  static constexpr double nan = std::numeric_limits<double>::quiet_NaN();
  std::size_t nn_count = 0;
  std::size_t diff_count = 0;   // successive differences used (segment starts excluded)
  double duration_s = nan;      // sum of NN
  double mean_nn_ms = nan;
  double hr_bpm = nan;          // 60000 / MeanNN
  double sdnn_ms = nan;         // sample SD (ddof = 1)
  double rmssd_ms = nan;
  double ln_rmssd = nan;        // natural log of RMSSD in ms
  double pnn50_pct = nan;       // % of successive differences > 50 ms
  double sd1_ms = nan;          // sqrt(Var(dNN) / 2), Var with ddof = 1
  double sd2_ms = nan;          // sqrt(2 SDNN^2 - Var(dNN) / 2)
  double sd1_sd2 = nan;
};

// `segment_start[k] != 0` marks NN k as not following NN k-1 (lost beats between them);
// empty means one continuous segment. Fewer than 2 NN (or 2 differences) leave fields NaN.
TimeDomainMetrics time_domain_metrics(std::span<const double> nn_ms, std::span<const std::uint8_t> segment_start = {});

}  // namespace plinth
