#include "tools/report/report_summary.hpp"

#include <cmath>
#include <cstdio>

#include "tools/report/report_numbers.hpp"

namespace plinth::report {
namespace {

std::string format(const char* pattern, auto... values) {
  char buffer[512];
  std::snprintf(buffer, sizeof buffer, pattern, values...);
  return buffer;
}

std::string date_of(const std::string& iso) { return iso.size() >= 10 ? iso.substr(0, 10) : iso; }

}  // namespace

PainScores pain_before_after(const SessionReport& r) {
  PainScores p;
  for (const TimedEvent& e : r.events) {
    if (e.kind != "pain" || !std::isfinite(e.value)) continue;
    if (p.count == 0) p.before = e.value;
    else p.after = e.value;
    ++p.count;
  }
  return p;
}

void describe_quality(SessionReport& r) {
  r.quality.clear();
  r.notices.clear();
  if (r.end_state == "crash") {
    r.quality.push_back("The session did not end cleanly (no ended_at: the daemon was killed, or the disk filled): "
                        "everything up to its last flush is here.");
    r.notices.push_back("This archive did not end cleanly. `plinth repair " + r.file +
                        "` writes a clean, closed copy that every HDF5 tool opens (the original is not touched).");
  } else if (r.end_state == "crash, repaired") {
    r.quality.push_back("A repaired copy of a session that did not end cleanly (plinth repair): it ends at the last "
                        "record the daemon flushed.");
  } else {
    r.quality.push_back("Ended cleanly at " + r.ended_at + ".");
  }
  for (const MatReport& m : r.mats) {
    std::string line = std::isfinite(m.frame_rate_hz) ? format("%s: %zu frames at %.1f Hz", m.id.c_str(), m.frames, m.frame_rate_hz)
                                                      : format("%s: %zu frame(s)", m.id.c_str(), m.frames);
    line += m.sequence_gaps == 0
                ? "; no gaps in the device counter"
                : format("; %llu gap(s) in the device counter, %llu frames lost",
                         static_cast<unsigned long long>(m.sequence_gaps), static_cast<unsigned long long>(m.frames_lost));
    line += format("; %zu suspect frame(s) (%.2f %%)", m.suspect_frames,
                   m.frames ? 100.0 * static_cast<double>(m.suspect_frames) / static_cast<double>(m.frames) : 0.0);
    r.quality.push_back(line + ".");
  }
  for (const HeartReport& h : r.hearts) {
    std::string line = format("%s: %zu beats (%s decisions), %zu with artifacts (%.1f %%)", h.id.c_str(), h.beats,
                              h.final_decisions ? "final" : "live", h.artifact_beats,
                              std::isfinite(h.artifact_pct) ? h.artifact_pct : 0.0);
    if (h.strap_missing_beats > 0) line += format("; %.0f reported missing by the strap", h.strap_missing_beats);
    r.quality.push_back(line + ".");
  }
  r.quality.push_back(r.archive_dropped == 0 ? "The archive dropped no records."
                                              : format("The archive dropped %llu records (its queue was full).",
                                                       static_cast<unsigned long long>(r.archive_dropped)));
}

std::string summary_line(const SessionReport& r) {
  std::string s = format("%.0f-minute session on %s", r.duration_s / 60.0, date_of(r.started_at).c_str());
  if (!r.mats.empty() && std::isfinite(r.mats.front().time_on_table_s))
    s += format(", client on the table for %.0f min", r.mats.front().time_on_table_s / 60.0);
  s += ".";
  const PainScores pain = pain_before_after(r);
  if (pain.count >= 2) {
    s += format(" Pain %.0f before, %.0f after.", pain.before, pain.after);
  } else if (pain.count == 1) {
    s += format(" Pain %.0f (one score).", pain.before);
  }
  if (!r.hearts.empty() && !r.hearts.front().comparisons.empty()) {
    const HrvComparison& c = r.hearts.front().comparisons.front();
    if (std::isfinite(c.before.hr_bpm) && std::isfinite(c.after.hr_bpm)) {
      s += format(" Heart rate %.0f → %.0f bpm", c.before.hr_bpm, c.after.hr_bpm);
      if (std::isfinite(c.rmssd_change_pct)) s += format(", RMSSD %+.0f %%", c.rmssd_change_pct);
      s += c.title.rfind("First vs last", 0) == 0 ? format(" (first vs last %.0f min", r.compare_minutes)
                                                  : std::string(" (first vs second half");
      s += c.before.caveats.empty() && c.after.caveats.empty() ? ")." : "; short windows, see the caveats).";
    }
  }
  if (std::isfinite(r.relaxation.last_index))
    s += format(" Relaxation readout %.0f at the end (50 = as at baseline; an indicator, not a diagnosis).",
                r.relaxation.last_index);
  if (!r.mats.empty()) {
    const MatReport& m = r.mats.front();
    const RegionRow* top = nullptr;
    for (const RegionRow& row : m.regions)
      if (std::isfinite(row.mean_peak_mmhg) && (!top || row.mean_peak_mmhg > top->mean_peak_mmhg)) top = &row;
    if (top) s += format(" Highest pressure over the %s (peak %.0f mmHg on average).", top->name.c_str(), top->mean_peak_mmhg);
    if (std::isfinite(m.exposure.area_above_5min_cm2))
      s += format(" %.0f cm² bore %.0f mmHg or more for 5 min or longer.", m.exposure.area_above_5min_cm2,
                  m.exposure.threshold_mmhg);
  }
  bool clean = r.end_state == "clean" && r.archive_dropped == 0;
  for (const MatReport& m : r.mats) clean = clean && m.sequence_gaps == 0 && m.suspect_frames == 0;
  for (const HeartReport& h : r.hearts) clean = clean && !(h.artifact_pct > 5.0);
  if (r.end_state != "clean") {
    s += " The recording did not end cleanly.";
  } else {
    s += clean ? " Data complete." : " Some data gaps or artifacts: see Data quality.";
  }
  return s;
}

}  // namespace plinth::report
