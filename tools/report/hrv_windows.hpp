#pragma once
// HRV over chosen windows of a session's final beat decisions (/heart/<id>/beats_final,
// schemas/hrv.md §3.2): the whole session, first vs last N minutes, and before vs after each
// technique marker, with the Task Force (1996) minimum-length caveats where a window is too
// short. Pure: arrays in, numbers out (schemas/report.md §Heart).
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "daemon/hrv/hrv_metrics.hpp"
#include "tools/report/report_model.hpp"

namespace plinth::report {

// The decided beats of one strap, in input order (one entry per archived row).
struct DecidedBeats {
  std::vector<std::int64_t> time_ns;
  std::vector<double> nn_ms;
  std::vector<double> hr_bpm;
  std::vector<std::uint32_t> flags;
  std::vector<std::uint32_t> nn_count;
  std::size_t size() const { return time_ns.size(); }
};

// The NN series of the beats with begin < time_ns <= end, exactly as the live engine builds a
// window (HrvMonitor's BeatHistory::window): a beat contributes nn_count intervals of nn_ms; a
// segment start (and the window's first interval) has no successive difference.
void window_nn(const DecidedBeats& beats, std::int64_t begin_exclusive_ns, std::int64_t end_ns,
               std::vector<double>& nn, std::vector<std::uint8_t>& segment_start, std::size_t& beat_count,
               std::size_t& artifact_count);

// The Task Force minimum lengths and our own limits, as sentences for the reader.
std::vector<std::string> window_caveats(const HrvWindow& w, double artifact_limit_pct = 5.0);

// One window's metrics. `truncated_tail`: the window reaches the end of a session that did not
// end cleanly, whose last ~52 beats have no final decision.
HrvWindow hrv_window(const DecidedBeats& beats, std::int64_t begin_exclusive_ns, std::int64_t end_ns,
                     std::int64_t session_start_ns, HrvCalculator& calculator, std::string label,
                     bool truncated_tail = false);

struct MarkerTime {
  std::int64_t time_ns = 0;
  std::string label;
};

// First vs last `compare_s` of the beats (halves when the beats span less than 2 * compare_s),
// then, for each technique marker within the beats' span, the window before it (back to
// compare_s, the previous technique marker or the first beat) against the window after it (to
// compare_s, the next technique marker or the last beat). At most `max_markers` markers.
std::vector<HrvComparison> hrv_comparisons(const DecidedBeats& beats, std::span<const MarkerTime> techniques,
                                           double compare_s, std::int64_t session_start_ns,
                                           HrvCalculator& calculator, bool truncated_tail,
                                           std::size_t max_markers = 20);

}  // namespace plinth::report
