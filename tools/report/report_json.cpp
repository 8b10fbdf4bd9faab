#include "tools/report/report_json.hpp"

#include <cmath>
#include <nlohmann/json.hpp>

#include "tools/report/report_summary.hpp"

namespace plinth::report {
namespace {

using Json = nlohmann::ordered_json;

Json number(double v) { return std::isfinite(v) ? Json(v) : Json(nullptr); }

Json numbers(const std::vector<double>& values) {
  Json out = Json::array();
  for (double v : values) out.push_back(number(v));
  return out;
}

Json stat(const Stat& s) {
  return Json{{"mean", number(s.mean)}, {"min", number(s.min)}, {"max", number(s.max)}, {"count", s.count}};
}

Json series(const Series& s) {
  return Json{{"name", s.name}, {"unit", s.unit}, {"t_s", numbers(s.t_s)}, {"value", numbers(s.value)}};
}

Json map(const MapImage& m) {
  return Json{{"rows", m.rows}, {"cols", m.cols}, {"unit", m.unit}, {"values", numbers(m.values)}};
}

Json window(const HrvWindow& w) {
  return Json{{"label", w.label},           {"begin_s", number(w.begin_s)},   {"end_s", number(w.end_s)},
              {"beats", w.beats},           {"nn_count", w.nn_count},         {"nn_duration_s", number(w.nn_duration_s)},
              {"artifact_pct", number(w.artifact_pct)}, {"hr_bpm", number(w.hr_bpm)}, {"rmssd_ms", number(w.rmssd_ms)},
              {"ln_rmssd", number(w.ln_rmssd)}, {"sdnn_ms", number(w.sdnn_ms)}, {"hf_ms2", number(w.hf_ms2)},
              {"lf_hf", number(w.lf_hf)},   {"caveats", w.caveats}};
}

Json mat_json(const MatReport& m, bool with_maps) {
  Json j{{"id", m.id},
         {"driver", m.driver},
         {"model", m.model},
         {"serial", m.serial},
         {"rows", m.rows},
         {"cols", m.cols},
         {"pitch_row_cm", number(m.pitch_row_cm)},
         {"pitch_col_cm", number(m.pitch_col_cm)},
         {"calibration_summary", m.calibration_summary},
         {"calibration_fingerprint", m.calibration_fingerprint},
         {"device_identity", m.device_identity},
         {"frames", m.frames},
         {"frame_rate_hz", number(m.frame_rate_hz)},
         {"sequence_gaps", m.sequence_gaps},
         {"frames_lost", m.frames_lost},
         {"suspect_frames", m.suspect_frames},
         {"occupied_frames", m.occupied_frames},
         {"time_on_table_s", number(m.time_on_table_s)},
         {"total_load_n", stat(m.total_load_n)},
         {"contact_area_cm2", stat(m.contact_area_cm2)},
         {"mean_pressure_mmhg", stat(m.mean_pressure_mmhg)},
         {"peak_pressure_mmhg", stat(m.peak_pressure_mmhg)},
         {"ppi_mmhg", stat(m.ppi_mmhg)},
         {"symmetry_index_pct", stat(m.symmetry_index_pct)},
         {"mean_map_basis", m.mean_map_basis},
         {"mean_map_peak_mmhg", number(m.mean_map_peak_mmhg)},
         {"mean_map_contact_area_cm2", number(m.mean_map_contact_area_cm2)},
         {"exposure",
          {{"threshold_mmhg", number(m.exposure.threshold_mmhg)},
           {"duration_s", number(m.exposure.duration_s)},
           {"max_pti_mmhg_s", number(m.exposure.max_pti_mmhg_s)},
           {"max_time_above_s", number(m.exposure.max_time_above_s)},
           {"area_any_above_cm2", number(m.exposure.area_any_above_cm2)},
           {"area_above_5min_cm2", number(m.exposure.area_above_5min_cm2)},
           {"snapshots", m.exposure.snapshots}}},
         {"regions_basis", m.regions_basis}};
  Json regions = Json::array();
  for (const RegionRow& row : m.regions)
    regions.push_back({{"name", row.name},
                       {"share_of_load_pct", number(row.share_of_load_pct)},
                       {"mean_load_n", number(row.mean_load_n)},
                       {"mean_contact_area_cm2", number(row.mean_contact_area_cm2)},
                       {"mean_peak_mmhg", number(row.mean_peak_mmhg)},
                       {"max_peak_mmhg", number(row.max_peak_mmhg)},
                       {"max_time_above_s", number(row.max_time_above_s)},
                       {"area_time_above_cm2", number(row.area_time_above_cm2)}});
  j["regions"] = std::move(regions);
  if (with_maps) {
    j["bin_s"] = number(m.bin_s);
    Json s = Json::array();
    for (const Series& one : m.series) s.push_back(series(one));
    j["series"] = std::move(s);
    j["mean_map"] = map(m.mean_map);
    j["exposure_pti"] = map(m.exposure_pti);
    j["time_above"] = map(m.time_above);
    j["cop_row_cm"] = numbers(m.cop_row_cm);
    j["cop_col_cm"] = numbers(m.cop_col_cm);
  }
  return j;
}

Json heart_json(const HeartReport& h, bool with_maps) {
  Json j{{"id", h.id},
         {"driver", h.driver},
         {"model", h.model},
         {"spectrum", h.spectrum},
         {"beats", h.beats},
         {"live_beats", h.live_beats},
         {"final_decisions", h.final_decisions},
         {"artifact_beats", h.artifact_beats},
         {"artifact_pct", number(h.artifact_pct)},
         {"strap_missing_beats", h.strap_missing_beats},
         {"hr_bpm", stat(h.hr_bpm)},
         {"whole", window(h.whole)},
         {"baseline", {{"hr_bpm", number(h.baseline_hr_bpm)}, {"ln_rmssd", number(h.baseline_ln_rmssd)},
                       {"t_s", number(h.baseline_t_s)}}}};
  Json comparisons = Json::array();
  for (const HrvComparison& c : h.comparisons)
    comparisons.push_back({{"title", c.title},
                           {"marker_label", c.marker_label},
                           {"marker_t_s", number(c.marker_t_s)},
                           {"before", window(c.before)},
                           {"after", window(c.after)},
                           {"hr_change_bpm", number(c.hr_change_bpm)},
                           {"rmssd_change_pct", number(c.rmssd_change_pct)},
                           {"hf_change_pct", number(c.hf_change_pct)}});
  j["comparisons"] = std::move(comparisons);
  if (with_maps) {
    j["hr"] = series(h.hr);
    j["rmssd"] = series(h.rmssd);
    j["ln_rmssd"] = series(h.ln_rmssd);
    j["hf"] = series(h.hf);
  }
  return j;
}

}  // namespace

std::string report_json(const SessionReport& r, bool with_maps) {
  Json j{{"format", "plinth-session-report"},
         {"format_version", 1},
         {"file", r.file},
         {"session_id", r.session_id},
         {"subject", r.subject},
         {"software_version", r.software_version},
         {"archive_format_version", r.format_version},
         {"started_at", r.started_at},
         {"started_at_ns", r.started_at_ns},
         {"ended_at", r.ended_at.empty() ? Json(nullptr) : Json(r.ended_at)},
         {"duration_s", number(r.duration_s)},
         {"end_state", r.end_state},
         {"summary", r.summary},
         {"quality", r.quality},
         {"notices", r.notices},
         {"archive_dropped", r.archive_dropped},
         {"compare_minutes", r.compare_minutes}};
  const PainScores pain = pain_before_after(r);
  j["pain"] = {{"before", number(pain.before)}, {"after", number(pain.after)}, {"count", pain.count}};
  Json mats = Json::array();
  for (const MatReport& m : r.mats) mats.push_back(mat_json(m, with_maps));
  j["mats"] = std::move(mats);
  Json hearts = Json::array();
  for (const HeartReport& h : r.hearts) hearts.push_back(heart_json(h, with_maps));
  j["hearts"] = std::move(hearts);
  j["relaxation"] = {{"readings", r.relaxation.readings},
                     {"index", stat(r.relaxation.index_stat)},
                     {"last_index", number(r.relaxation.last_index)}};
  if (with_maps) j["relaxation"]["series"] = series(r.relaxation.index);
  Json events = Json::array();
  for (const TimedEvent& e : r.events)
    events.push_back({{"t_s", number(e.t_s)}, {"kind", e.kind}, {"label", e.label}, {"value", number(e.value)},
                      {"detail", e.detail}});
  j["events"] = std::move(events);
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace plinth::report
