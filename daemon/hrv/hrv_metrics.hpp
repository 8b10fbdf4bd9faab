#pragma once
// One HRV result over one window of NN intervals, and the calculator that produces it
// (time domain + Poincaré + spectrum + PNS index + change against a baseline).
#include <cstdint>
#include <limits>
#include <span>
#include <string_view>

#include "daemon/hrv/frequency_domain.hpp"
#include "daemon/hrv/pns_index.hpp"
#include "daemon/hrv/time_domain.hpp"

namespace plinth {

enum class HrvWindowKind : std::uint8_t { sliding = 0, standard = 1, baseline = 2, on_demand = 3, whole = 4 };
std::string_view to_string(HrvWindowKind kind);

struct BaselineComparison {
  static constexpr double nan = std::numeric_limits<double>::quiet_NaN();
  double baseline_ln_rmssd = nan;
  double baseline_hf_ms2 = nan;
  double delta_ln_rmssd = nan;        // lnRMSSD - baseline lnRMSSD (= ln of the RMSSD ratio)
  double rmssd_change_pct = nan;      // 100 (e^delta_ln_rmssd - 1) = 100 (RMSSD / baseline RMSSD - 1)
  double hf_change_pct = nan;         // 100 (HF / baseline HF - 1)
};

struct HrvMetrics {
  std::int64_t time_ns = 0;           // time of the last beat in the window
  HrvWindowKind kind = HrvWindowKind::sliding;
  double window_s = 0.0;              // nominal window length
  std::uint32_t beat_count = 0;       // beats (strap intervals) decided in the window
  std::uint32_t artifact_count = 0;   // of those, beats with an artifact flag
  double artifact_pct = std::numeric_limits<double>::quiet_NaN();
  TimeDomainMetrics time;
  FrequencyMetrics frequency;
  double pns_index = std::numeric_limits<double>::quiet_NaN();
  BaselineComparison baseline;
};

// Fills `metrics.baseline` from a baseline result (NaN where either side lacks the value).
void compare_with_baseline(HrvMetrics& metrics, const HrvMetrics& baseline);

class HrvCalculator {
 public:
  explicit HrvCalculator(const FrequencySettings& frequency = {}, const PnsNorms& norms = {});
  // time_ns/kind/window_s/beat counts are the caller's; everything else is computed.
  HrvMetrics compute(std::span<const double> nn_ms, std::span<const std::uint8_t> segment_start);
  FrequencyAnalyzer& frequency() { return frequency_; }

 private:
  FrequencyAnalyzer frequency_;
  PnsNorms norms_;
};

}  // namespace plinth
