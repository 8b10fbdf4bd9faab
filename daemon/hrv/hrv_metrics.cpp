#include "daemon/hrv/hrv_metrics.hpp"

#include <cmath>

namespace plinth {

std::string_view to_string(HrvWindowKind kind) {
  switch (kind) {
    case HrvWindowKind::sliding: return "sliding";
    case HrvWindowKind::standard: return "standard";
    case HrvWindowKind::baseline: return "baseline";
    case HrvWindowKind::on_demand: return "on_demand";
    case HrvWindowKind::whole: return "whole";
  }
  return "unknown";
}

void compare_with_baseline(HrvMetrics& m, const HrvMetrics& base) {
  BaselineComparison& c = m.baseline;
  c = BaselineComparison{};
  c.baseline_ln_rmssd = base.time.ln_rmssd;
  c.baseline_hf_ms2 = base.frequency.hf_ms2;
  if (std::isfinite(m.time.ln_rmssd) && std::isfinite(c.baseline_ln_rmssd)) {
    c.delta_ln_rmssd = m.time.ln_rmssd - c.baseline_ln_rmssd;
    // The percent change of RMSSD itself: unit-free, and its sign always that of the change
    // (a percent change of the logarithm was neither).
    c.rmssd_change_pct = 100.0 * std::expm1(c.delta_ln_rmssd);
  }
  if (std::isfinite(m.frequency.hf_ms2) && c.baseline_hf_ms2 > 0.0) {
    c.hf_change_pct = 100.0 * (m.frequency.hf_ms2 / c.baseline_hf_ms2 - 1.0);
  }
}

HrvCalculator::HrvCalculator(const FrequencySettings& frequency, const PnsNorms& norms)
    : frequency_(frequency), norms_(norms) {}

HrvMetrics HrvCalculator::compute(std::span<const double> nn_ms, std::span<const std::uint8_t> segment_start) {
  HrvMetrics m;
  m.time = time_domain_metrics(nn_ms, segment_start);
  // The spectrum ignores segment breaks: NN intervals are concatenated (as after removing
  // beats in Kubios); windows with lost beats carry strap_missing flags in their beats.
  m.frequency = frequency_.compute(nn_ms);
  m.pns_index = pns_index(m.time.mean_nn_ms, m.time.rmssd_ms, m.time.sd1_ms, norms_);
  return m;
}

}  // namespace plinth
