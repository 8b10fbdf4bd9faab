#pragma once
// The numbers of a session report, as pure functions of plain arrays read from an archive
// (definitions: schemas/report.md). No I/O; session_report.cpp feeds them.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tools/report/report_model.hpp"

namespace plinth::report {

// 1 for the metrics rows every pressure figure uses: someone on the table (`occupied`) and the
// frame not `suspect`. A missing column counts as 0 (occupied) / 0 (suspect); NaN as 0 / 1.
std::vector<std::uint8_t> usable_frames(const std::vector<double>* occupied, const std::vector<double>* suspect,
                                        std::size_t rows);

// mean / min / max over the finite values whose `use` is 1 (all when `use` is empty).
Stat stat_of(std::span<const double> values, std::span<const std::uint8_t> use = {});

// The chart bin width: the smallest of 1, 2, 5, 10, 15, 30 s, 1, 2, 5, 10 min that gives at most
// `max_bins` bins over `duration_s`, and not below `min_s`.
double bin_seconds(double duration_s, double min_s, std::size_t max_bins);

// Mean of `values` (use = 1, finite) per bin [k*bin_s, (k+1)*bin_s) of time since t0_ns; the
// point sits at the bin's centre, NaN where a bin has no value.
Series binned_series(std::string name, std::string unit, std::span<const std::int64_t> time_ns,
                     std::span<const double> values, std::span<const std::uint8_t> use, std::int64_t t0_ns,
                     double bin_s, double duration_s);

// Time on the table: sum of the steps t[k] - t[k-1] whose earlier frame is usable and that are
// no longer than max_gap_s (a longer step is a dropout, as in the exposure map).
double time_on_table_s(std::span<const std::int64_t> time_ns, std::span<const std::uint8_t> use, double max_gap_s);

struct SequenceGaps {
  std::uint64_t gaps = 0;
  std::uint64_t lost = 0;
  std::uint64_t restarts = 0;
};
// Skips in a device counter (modulo 2^32), as `plinth inspect` counts them.
SequenceGaps count_sequence_gaps(std::span<const std::uint32_t> seq);

// Sums calibrated maps and gives their element-wise mean.
class MeanMap {
 public:
  explicit MeanMap(std::size_t sensels) : sum_(sensels, 0.0) {}
  void add(std::span<const float> mmhg);
  std::size_t count() const { return count_; }
  std::vector<double> mean() const;  // zeros when nothing was added

 private:
  std::vector<double> sum_;
  std::size_t count_ = 0;
};

// Whole-mat summary of the last exposure snapshot.
ExposureSummary summarize_exposure(std::span<const float> pti_mmhg_s, std::span<const float> time_above_s,
                                   double sensel_area_cm2, double threshold_mmhg, double duration_s);

// A region's exposure columns (max time above, area with any time above) from the last snapshot.
void region_exposure(std::span<const float> time_above_s, std::span<const std::uint8_t> mask, double sensel_area_cm2,
                     RegionRow& row);

// Peak and contact area (sensels > 0) of a mean map.
void map_peak_and_area(std::span<const double> mmhg, double sensel_area_cm2, double& peak, double& area_cm2);

// The calibration-in-force JSON (schemas/calibration.md) in words, and its identity: FNV-1a 64
// over a canonical text of everything that changes the numbers (curve, thresholds, pitch,
// equilibration fingerprint), not the file path (schemas/report.md §Calibration identity).
std::string calibration_summary(std::string_view calibration_json);
std::string calibration_canonical_text(std::string_view calibration_json);
std::string calibration_fingerprint(std::string_view calibration_json);
// The archived equilibration's fingerprint (`equilibration.fnv1a64`), "none" without one, "" when
// the text is not a calibration object.
std::string archived_equilibration_fingerprint(std::string_view calibration_json);
std::string fnv1a64_hex(std::string_view bytes);

// Technique markers: every marker label except the rest labels of the relaxation readout
// (rest, hands off, pause, end, stop; schemas/relaxation.md), case-insensitive.
bool is_technique_label(std::string_view label);

// "12:05" (m:ss) or "1:02:05" for a time since the session start.
std::string clock_text(double seconds);

}  // namespace plinth::report
