#include "tools/report/hrv_windows.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "daemon/hrv/beat_record.hpp"
#include "tools/report/report_numbers.hpp"

namespace plinth::report {
namespace {

constexpr double kNsPerS = 1e9;

std::string minutes_text(double seconds) {
  char buffer[48];
  if (seconds < 120.0) {
    std::snprintf(buffer, sizeof buffer, "%.0f s", seconds);
  } else {
    std::snprintf(buffer, sizeof buffer, "%.1f min", seconds / 60.0);
  }
  return buffer;
}

double change_pct(double after, double before) {
  return std::isfinite(after) && std::isfinite(before) && before > 0 ? 100.0 * (after / before - 1.0) : kNaN;
}

}  // namespace

void window_nn(const DecidedBeats& beats, std::int64_t begin_exclusive_ns, std::int64_t end_ns,
               std::vector<double>& nn, std::vector<std::uint8_t>& segment_start, std::size_t& beat_count,
               std::size_t& artifact_count) {
  nn.clear();
  segment_start.clear();
  beat_count = 0;
  artifact_count = 0;
  bool break_next = true;  // the first NN of a window has no predecessor inside it
  for (std::size_t i = 0; i < beats.size(); ++i) {
    if (beats.time_ns[i] <= begin_exclusive_ns || beats.time_ns[i] > end_ns) continue;
    ++beat_count;
    if ((beats.flags[i] & beat_artifact_mask) != 0) ++artifact_count;
    if ((beats.flags[i] & beat_segment_start) != 0) break_next = true;
    for (std::uint32_t c = 0; c < beats.nn_count[i]; ++c) {
      nn.push_back(beats.nn_ms[i]);
      segment_start.push_back(break_next ? 1 : 0);
      break_next = false;
    }
  }
}

std::vector<std::string> window_caveats(const HrvWindow& w, double artifact_limit_pct) {
  std::vector<std::string> out;
  const double d = std::isfinite(w.nn_duration_s) ? w.nn_duration_s : 0.0;
  if (w.nn_count < 3) {
    out.push_back("too few beats for HRV (" + std::to_string(w.nn_count) + " intervals)");
    return out;
  }
  // 5 min less 2 %: a window of exactly 5 min holds a beat more or less at its edges.
  if (d < 294.0)
    out.push_back(minutes_text(d) + " of beats: shorter than the 5-min standard of short-term HRV (Task Force 1996); "
                  "not comparable with 5-min values or norms");
  if (d < 60.0) {
    out.push_back("under 1 min: too short for HF power (Task Force: at least 1 min)");
  } else if (d < 110.0) {
    out.push_back("HF not computed: Plinth computes spectra from 110 s of beats (schemas/hrv.md §5)");
  }
  if (d < 120.0) out.push_back("under 2 min: too short for LF power (Task Force: at least 2 min)");
  if (std::isfinite(w.artifact_pct) && w.artifact_pct > artifact_limit_pct) {
    char buffer[160];
    std::snprintf(buffer, sizeof buffer, "%.1f %% corrected beats (limit %.0f %%): HRV may be biased", w.artifact_pct,
                  artifact_limit_pct);
    out.push_back(buffer);
  }
  return out;
}

HrvWindow hrv_window(const DecidedBeats& beats, std::int64_t begin_exclusive_ns, std::int64_t end_ns,
                     std::int64_t session_start_ns, HrvCalculator& calculator, std::string label,
                     bool truncated_tail) {
  HrvWindow w;
  w.label = std::move(label);
  w.begin_s = static_cast<double>(begin_exclusive_ns - session_start_ns) / kNsPerS;
  w.end_s = static_cast<double>(end_ns - session_start_ns) / kNsPerS;
  std::vector<double> nn;
  std::vector<std::uint8_t> starts;
  window_nn(beats, begin_exclusive_ns, end_ns, nn, starts, w.beats, w.nn_count);  // nn_count holds artifacts for now
  const std::size_t artifacts = w.nn_count;
  w.nn_count = nn.size();
  if (w.beats > 0) w.artifact_pct = 100.0 * static_cast<double>(artifacts) / static_cast<double>(w.beats);
  const HrvMetrics m = calculator.compute(nn, starts);
  w.nn_duration_s = m.time.duration_s;
  w.hr_bpm = m.time.hr_bpm;
  w.rmssd_ms = m.time.rmssd_ms;
  w.ln_rmssd = m.time.ln_rmssd;
  w.sdnn_ms = m.time.sdnn_ms;
  w.hf_ms2 = m.frequency.hf_ms2;
  w.lf_hf = m.frequency.lf_hf;
  w.caveats = window_caveats(w);
  if (truncated_tail)
    w.caveats.push_back("the session did not end cleanly: its last ~52 beats have no final decision and are missing");
  return w;
}

std::vector<HrvComparison> hrv_comparisons(const DecidedBeats& beats, std::span<const MarkerTime> techniques,
                                           double compare_s, std::int64_t session_start_ns,
                                           HrvCalculator& calculator, bool truncated_tail, std::size_t max_markers) {
  std::vector<HrvComparison> out;
  if (beats.size() < 2) return out;
  const std::int64_t first = beats.time_ns.front();
  const std::int64_t last = beats.time_ns.back();
  const auto span_ns = last - first;
  const auto compare_ns = static_cast<std::int64_t>(compare_s * kNsPerS);

  HrvComparison fl;
  const bool halves = span_ns < 2 * compare_ns;
  const std::int64_t width = halves ? span_ns / 2 : compare_ns;
  char title[160];
  if (halves) {
    std::snprintf(title, sizeof title, "First vs second half (the beats span %s, less than 2 x %.0f min)",
                  clock_text(static_cast<double>(span_ns) / kNsPerS).c_str(), compare_s / 60.0);
  } else {
    std::snprintf(title, sizeof title, "First vs last %.0f min", compare_s / 60.0);
  }
  fl.title = title;
  // The first window includes the first beat: it starts one nanosecond before it.
  fl.before = hrv_window(beats, first - 1, first - 1 + width, session_start_ns, calculator, "first");
  fl.after = hrv_window(beats, last - width, last, session_start_ns, calculator, "last", truncated_tail);
  out.push_back(std::move(fl));

  std::vector<MarkerTime> inside;
  for (const MarkerTime& m : techniques)
    if (m.time_ns > first && m.time_ns < last && is_technique_label(m.label)) inside.push_back(m);
  std::sort(inside.begin(), inside.end(), [](const MarkerTime& a, const MarkerTime& b) { return a.time_ns < b.time_ns; });
  for (std::size_t k = 0; k < inside.size() && k < max_markers; ++k) {
    const MarkerTime& m = inside[k];
    HrvComparison c;
    c.marker_label = m.label;
    c.marker_t_s = static_cast<double>(m.time_ns - session_start_ns) / kNsPerS;
    c.title = "Around \"" + m.label + "\" at " + clock_text(c.marker_t_s);
    const std::int64_t before_begin = std::max({m.time_ns - compare_ns, k > 0 ? inside[k - 1].time_ns : first - 1, first - 1});
    const std::int64_t after_end = std::min({m.time_ns + compare_ns, k + 1 < inside.size() ? inside[k + 1].time_ns : last, last});
    c.before = hrv_window(beats, before_begin, m.time_ns, session_start_ns, calculator, "before");
    c.after = hrv_window(beats, m.time_ns, after_end, session_start_ns, calculator, "after",
                         truncated_tail && after_end == last);
    out.push_back(std::move(c));
  }
  for (HrvComparison& c : out) {
    c.hr_change_bpm = std::isfinite(c.after.hr_bpm) && std::isfinite(c.before.hr_bpm) ? c.after.hr_bpm - c.before.hr_bpm : kNaN;
    c.rmssd_change_pct = change_pct(c.after.rmssd_ms, c.before.rmssd_ms);
    c.hf_change_pct = change_pct(c.after.hf_ms2, c.before.hf_ms2);
  }
  return out;
}

}  // namespace plinth::report
