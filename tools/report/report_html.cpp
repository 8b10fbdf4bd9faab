#include "tools/report/report_html.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "plinth/version.hpp"
#include "tools/report/report_numbers.hpp"
#include "tools/report/report_summary.hpp"
#include "tools/report/svg_render.hpp"

namespace plinth::report {
namespace {

constexpr const char* kStyle = R"CSS(
@page { size: A4; margin: 12mm 12mm 14mm 12mm; }
* { box-sizing: border-box; }
body { font: 10.5pt/1.35 "DejaVu Sans", "Liberation Sans", Arial, sans-serif; color: #1d2733; margin: 0 auto;
       max-width: 190mm; padding: 8mm 0; background: #fff; }
h1 { font-size: 17pt; margin: 0 0 2mm; }
h2 { break-after: avoid; font-size: 13pt; margin: 6mm 0 2mm; padding-bottom: 1mm; border-bottom: 1.5px solid #2c5d8a; color: #1f4a70; }
h3 { break-after: avoid; font-size: 11pt; margin: 4mm 0 1.5mm; }
p { margin: 1.5mm 0; }
.muted { color: #5b6b7b; }
.small { font-size: 8.5pt; }
.summary { font-size: 11.5pt; background: #eef4fa; border-left: 4px solid #2c5d8a; padding: 2.5mm 3.5mm; }
.notice { background: #fff4e0; border-left: 4px solid #e08a00; padding: 2mm 3mm; }
table { border-collapse: collapse; width: 100%; margin: 1.5mm 0 3mm; font-size: 9.5pt; }
th, td { text-align: left; padding: 1mm 1.8mm; border-bottom: 1px solid #d8dee5; vertical-align: top; }
th { background: #f2f5f8; font-weight: 600; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
td.n { white-space: nowrap; }
th { font-size: 8.5pt; }
table.kv th { width: 30%; background: none; }
td .small { word-break: break-all; }
#history-table { font-size: 8.5pt; }
.maps { display: flex; gap: 4mm; align-items: flex-start; break-inside: avoid; }
.maps figure { margin: 0; flex: 1 1 0; }
figure figcaption { font-size: 8.5pt; color: #5b6b7b; margin-top: 1mm; }
svg.heatmap { width: 100%; height: auto; }
svg.chart { width: 100%; height: auto; display: block; margin: 1mm 0 2mm; break-inside: avoid; }
svg text { font-family: "DejaVu Sans", Arial, sans-serif; }
svg .edge { font-size: 7px; fill: #5b6b7b; letter-spacing: 1px; }
svg .legend { font-size: 7px; fill: #33414f; }
svg .tick { stroke: #33414f; stroke-width: 0.6; }
svg .tick.ref { stroke: #000; stroke-width: 1.6; }
svg .frame { fill: none; stroke: #8795a3; stroke-width: 0.6; }
svg .cop-halo { fill: none; stroke: #1d2733; stroke-width: 2.4; stroke-linejoin: round; opacity: 0.55; }
svg .cop { fill: none; stroke: #fff; stroke-width: 1.1; stroke-linejoin: round; }
svg .cop-end { fill: #fff; stroke: #1d2733; stroke-width: 0.8; }
svg .chart-title { font-size: 11px; font-weight: 600; fill: #1d2733; }
svg .unit { font-weight: 400; fill: #5b6b7b; }
svg .axis { font-size: 9px; fill: #5b6b7b; }
svg .grid { stroke: #e3e8ee; stroke-width: 1; }
svg .plot { fill: none; stroke: #b8c2cc; stroke-width: 1; }
svg .line { fill: none; stroke-width: 1.6; stroke-linejoin: round; stroke-linecap: round; }
svg .reference { stroke: #7a8793; stroke-dasharray: 4 3; stroke-width: 1; }
svg .mark { stroke: #6b4fa0; stroke-dasharray: 3 2; stroke-width: 1; }
svg .mark.pain { stroke: #c62828; }
svg .mark-label { font-size: 8px; fill: #6b4fa0; }
svg .mark-label.pain { fill: #c62828; }
.caveat { color: #8a4b00; font-size: 8.5pt; }
ul.quality { margin: 1mm 0 2mm; padding-left: 5mm; }
section { break-inside: auto; }
.chart-block { break-inside: avoid; }
.page-break { break-before: page; }
footer { margin-top: 6mm; font-size: 8pt; color: #5b6b7b; border-top: 1px solid #d8dee5; padding-top: 2mm; }
@media screen { body { padding: 10mm 6mm; } }
)CSS";

std::string fmt(const char* pattern, auto... values) {
  char buffer[512];
  std::snprintf(buffer, sizeof buffer, pattern, values...);
  return buffer;
}

std::string e(const std::string& text) { return escape_html(text); }

std::string num(const std::string& key, double v, int digits) { return number_html(key, v, digits); }

std::string row(const std::string& label, const std::string& value) {
  return "<tr><th>" + e(label) + "</th><td>" + value + "</td></tr>";
}

std::string stat_row(const std::string& key, const std::string& label, const std::string& unit, const Stat& s, int digits) {
  return "<tr><td>" + e(label) + " <span class=\"muted\">" + e(unit) + "</span></td><td class=\"n\">" +
         num(key + ".mean", s.mean, digits) + "</td><td class=\"n\">" + num(key + ".min", s.min, digits) +
         "</td><td class=\"n\">" + num(key + ".max", s.max, digits) + "</td></tr>";
}

// Markers, notes and pain scores: what every time axis shows.
std::vector<TimedEvent> axis_marks(const SessionReport& r) {
  std::vector<TimedEvent> marks;
  for (const TimedEvent& ev : r.events)
    if (ev.kind == "marker" || ev.kind == "pain") marks.push_back(ev);
  return marks;
}

std::string chart(const std::string& id, const std::string& title, const std::string& unit,
                  std::vector<ChartLine> lines, const SessionReport& r, double reference = kNaN,
                  std::string reference_label = {}, double y_min = kNaN, double y_max = kNaN) {
  ChartSpec spec;
  spec.id = id;
  spec.title = title;
  spec.unit = unit;
  spec.lines = std::move(lines);
  spec.duration_s = r.duration_s;
  spec.marks = axis_marks(r);
  spec.reference = reference;
  spec.reference_label = std::move(reference_label);
  spec.y_min = y_min;
  spec.y_max = y_max;
  return "<div class=\"chart-block\">" + line_chart_svg(spec) + "</div>";
}

std::string device_lines(const SessionReport& r) {
  std::string out;
  for (const MatReport& m : r.mats) {
    out += "<div>" + e(m.id) + ": pressure mat " + e(m.model.empty() ? m.driver : m.model);
    if (!m.serial.empty()) out += ", serial " + e(m.serial);
    out += fmt(", %u × %u sensels at %.2f cm", m.rows, m.cols, m.pitch_row_cm) + "</div>";
  }
  for (const HeartReport& h : r.hearts) {
    out += "<div>" + e(h.id) + ": heart-rate strap " + e(h.model.empty() ? h.driver : h.model);
    if (!h.spectrum.empty()) out += " (spectrum preset " + e(h.spectrum) + ")";
    out += "</div>";
  }
  return out.empty() ? "none" : out;
}

std::string hrv_window_cells(const std::string& key, const HrvWindow& w) {
  return "<td class=\"n\">" + clock_text(w.begin_s) + "–" + clock_text(w.end_s) + "</td><td class=\"n\">" +
         num(key + ".beats", static_cast<double>(w.beats), 0) + "</td><td class=\"n\">" +
         num(key + ".hr_bpm", w.hr_bpm, 1) + "</td><td class=\"n\">" + num(key + ".rmssd_ms", w.rmssd_ms, 1) +
         "</td><td class=\"n\">" + num(key + ".ln_rmssd", w.ln_rmssd, 2) + "</td><td class=\"n\">" +
         num(key + ".hf_ms2", w.hf_ms2, 0) + "</td><td class=\"n\">" + num(key + ".artifact_pct", w.artifact_pct, 1) +
         "</td>";
}

std::string caveat_list(const HrvWindow& before, const HrvWindow& after) {
  std::string out;
  for (const auto* w : {&before, &after})
    for (const std::string& c : w->caveats) out += "<div class=\"caveat\">" + e(w->label) + ": " + e(c) + "</div>";
  return out;
}

std::string pressure_section(const SessionReport& r, const MatReport& m, std::size_t index) {
  const std::string k = "mat." + std::to_string(index) + ".";
  std::string s = "<section id=\"pressure-" + e(m.id) + "\"><h2>Pressure — " + e(m.id) + "</h2>";
  s += "<p class=\"small muted\">Figures use the " + num(k + "occupied_frames", static_cast<double>(m.occupied_frames), 0) +
       " frames with the client on the table and no suspect flag, " + num(k + "time_on_table_min", m.time_on_table_s / 60.0, 1) +
       " min on the table. Calibration: " + e(m.calibration_summary) + " (identity " + e(m.calibration_fingerprint) +
       ").</p>";
  HeatmapStyle mean_style;
  mean_style.id = "map-mean-" + m.id;
  mean_style.title = "Mean pressure";
  HeatmapStyle pti_style;
  pti_style.id = "map-exposure-" + m.id;
  pti_style.title = "Exposure";
  pti_style.clinical = false;
  pti_style.scale_max = std::isfinite(m.exposure.max_pti_mmhg_s) ? m.exposure.max_pti_mmhg_s : 1.0;
  pti_style.legend_unit = "mmHg·min";
  pti_style.legend_factor = 1.0 / 60.0;
  HeatmapStyle above_style;
  above_style.id = "map-above-" + m.id;
  above_style.title = "Time above threshold";
  above_style.clinical = false;
  above_style.scale_max = std::isfinite(m.exposure.max_time_above_s) && m.exposure.max_time_above_s > 0 ? m.exposure.max_time_above_s : 1.0;
  above_style.legend_unit = "min";
  above_style.legend_factor = 1.0 / 60.0;
  s += "<div class=\"maps\">";
  s += "<figure>" + (m.mean_map.values.empty() ? "<p class=\"missing\">no mean map</p>"
                                               : heatmap_svg(m.mean_map, mean_style, m.cop_row_cm, m.cop_col_cm)) +
       "<figcaption><b>Mean pressure</b> (mmHg, clinical scale, green = 32) with the centre-of-pressure trail; " +
       e(m.mean_map_basis) + ".</figcaption></figure>";
  s += "<figure>" + (m.exposure_pti.values.empty() ? "<p class=\"missing\">no exposure snapshot</p>"
                                                   : heatmap_svg(m.exposure_pti, pti_style)) +
       "<figcaption><b>Exposure</b>: pressure × time per sensel (mmHg·min), the same colours from 0 to the session's "
       "maximum.</figcaption></figure>";
  s += "<figure>" + (m.time_above.values.empty() ? "<p class=\"missing\">no exposure snapshot</p>"
                                                 : heatmap_svg(m.time_above, above_style)) +
       "<figcaption><b>Time at or above " + fmt("%.0f", m.exposure.threshold_mmhg) +
       " mmHg</b> per sensel (min). A physiological reference (Landis 1930), not an injury threshold.</figcaption></figure>";
  s += "</div>";

  s += "<h3>Over the session</h3><table><tr><th></th><th class=\"n\">mean</th><th class=\"n\">min</th><th class=\"n\">max</th></tr>";
  s += stat_row(k + "peak_pressure_mmhg", "Peak pressure", "mmHg", m.peak_pressure_mmhg, 0);
  s += stat_row(k + "ppi_mmhg", "Peak pressure index", "mmHg", m.ppi_mmhg, 0);
  s += stat_row(k + "contact_area_cm2", "Contact area", "cm²", m.contact_area_cm2, 0);
  s += stat_row(k + "mean_pressure_mmhg", "Mean pressure", "mmHg", m.mean_pressure_mmhg, 1);
  s += stat_row(k + "total_load_n", "Total load", "N", m.total_load_n, 0);
  s += stat_row(k + "symmetry_index_pct", "Left/right symmetry (+ = mat's left)", "%", m.symmetry_index_pct, 1);
  s += "</table>";

  s += "<h3>Time at or above " + fmt("%.0f", m.exposure.threshold_mmhg) + " mmHg</h3><table class=\"kv\">";
  s += row("Longest at one sensel", num(k + "exposure.max_time_above_min", m.exposure.max_time_above_s / 60.0, 1) + " min");
  s += row("Area with any time above", num(k + "exposure.area_any_above_cm2", m.exposure.area_any_above_cm2, 0) + " cm²");
  s += row("Area with 5 min or more", num(k + "exposure.area_above_5min_cm2", m.exposure.area_above_5min_cm2, 0) + " cm²");
  s += row("Highest exposure", num(k + "exposure.max_pti_mmhg_min", m.exposure.max_pti_mmhg_s / 60.0, 0) + " mmHg·min");
  s += "</table>";

  s += "<h3>Regions</h3><p class=\"small muted\">" + e(m.regions_basis) + ".</p>";
  s += "<table><tr><th>region</th><th class=\"n\">share of load %</th><th class=\"n\">load N</th><th class=\"n\">contact cm²</th>"
       "<th class=\"n\">peak mmHg (mean)</th><th class=\"n\">peak mmHg (max)</th><th class=\"n\">longest at ≥ " +
       fmt("%.0f", m.exposure.threshold_mmhg) + " mmHg, min</th><th class=\"n\">area at ≥ " +
       fmt("%.0f", m.exposure.threshold_mmhg) + " mmHg, cm²</th></tr>";
  for (std::size_t i = 0; i < m.regions.size(); ++i) {
    const RegionRow& g = m.regions[i];
    const std::string rk = k + "region." + g.name + ".";
    s += "<tr><td>" + e(g.name) + "</td><td class=\"n\">" + num(rk + "share_of_load_pct", g.share_of_load_pct, 1) +
         "</td><td class=\"n\">" + num(rk + "mean_load_n", g.mean_load_n, 0) + "</td><td class=\"n\">" +
         num(rk + "mean_contact_area_cm2", g.mean_contact_area_cm2, 0) + "</td><td class=\"n\">" +
         num(rk + "mean_peak_mmhg", g.mean_peak_mmhg, 0) + "</td><td class=\"n\">" +
         num(rk + "max_peak_mmhg", g.max_peak_mmhg, 0) + "</td><td class=\"n\">" +
         num(rk + "max_time_above_min", g.max_time_above_s / 60.0, 1) + "</td><td class=\"n\">" +
         num(rk + "area_time_above_cm2", g.area_time_above_cm2, 0) + "</td></tr>";
  }
  s += "</table>";

  static const char* kColours[] = {"#c62828", "#e65100", "#1565c0", "#2e7d32"};
  static const char* kIds[] = {"peak", "ppi", "area", "symmetry"};
  for (std::size_t i = 0; i < m.series.size() && i < 4; ++i) {
    const Series& series = m.series[i];
    const bool symmetry = i == 3;
    s += chart("chart-" + std::string(kIds[i]) + "-" + m.id, series.name + fmt(" (mean per %.0f s)", m.bin_s), series.unit,
               {ChartLine{series, kColours[i]}}, r, symmetry ? 0.0 : kNaN, symmetry ? "even" : "");
  }
  return s + "</section>";
}

std::string heart_section(const SessionReport& r, const HeartReport& h, std::size_t index) {
  const std::string k = "heart." + std::to_string(index) + ".";
  std::string s = "<section id=\"heart-" + e(h.id) + "\" class=\"page-break\"><h2>Heart — " + e(h.id) + "</h2>";
  s += "<p class=\"small muted\">HRV from the " + std::string(h.final_decisions ? "final" : "live (format-1 archive)") +
       " beat decisions (schemas/hrv.md §3.2): " + num(k + "beats", static_cast<double>(h.beats), 0) + " beats, " +
       num(k + "artifact_pct", h.artifact_pct, 1) + " % with artifacts. Over the whole session: heart rate " +
       num(k + "whole.hr_bpm", h.whole.hr_bpm, 1) + " bpm, RMSSD " + num(k + "whole.rmssd_ms", h.whole.rmssd_ms, 1) +
       " ms (lnRMSSD " + num(k + "whole.ln_rmssd", h.whole.ln_rmssd, 2) + "), HF " + num(k + "whole.hf_ms2", h.whole.hf_ms2, 0) +
       " ms².</p>";
  s += chart("chart-hr-" + h.id, "Heart rate", "bpm", {ChartLine{h.hr, "#c62828"}}, r);
  s += chart("chart-rmssd-" + h.id, "RMSSD, 300-s windows", "ms", {ChartLine{h.rmssd, "#1565c0"}}, r);
  s += chart("chart-lnrmssd-" + h.id, "lnRMSSD, 300-s windows", "ln ms", {ChartLine{h.ln_rmssd, "#283593"}}, r);
  s += chart("chart-hf-" + h.id, "HF power (0.15–0.4 Hz), 300-s windows", "ms²", {ChartLine{h.hf, "#00838f"}}, r);

  s += "<h3>Before and after</h3><p class=\"small muted\">Each window holds the beats that end in it. Change = after − "
       "before (heart rate) and after ÷ before − 1 (RMSSD, HF). Short windows are named under the table: HRV from "
       "less than 5 minutes is not comparable with 5-minute values (Task Force 1996).</p>";
  s += "<table><tr><th>comparison</th><th></th><th class=\"n\">time</th><th class=\"n\">beats</th><th class=\"n\">HR bpm</th>"
       "<th class=\"n\">RMSSD ms</th><th class=\"n\">lnRMSSD</th><th class=\"n\">HF ms²</th><th class=\"n\">artifacts %</th></tr>";
  for (std::size_t i = 0; i < h.comparisons.size(); ++i) {
    const HrvComparison& c = h.comparisons[i];
    const std::string ck = k + "comparison." + std::to_string(i) + ".";
    s += "<tr><td rowspan=\"3\">" + e(c.title) + "</td><td>" + e(c.before.label) + "</td>" + hrv_window_cells(ck + "before", c.before) + "</tr>";
    s += "<tr><td>" + e(c.after.label) + "</td>" + hrv_window_cells(ck + "after", c.after) + "</tr>";
    s += "<tr><td>change</td><td></td><td></td><td class=\"n\">" + num(ck + "hr_change_bpm", c.hr_change_bpm, 1) +
         "</td><td class=\"n\">" + num(ck + "rmssd_change_pct", c.rmssd_change_pct, 0) + " %</td><td></td><td class=\"n\">" +
         num(ck + "hf_change_pct", c.hf_change_pct, 0) + " %</td><td></td></tr>";
    const std::string caveats = caveat_list(c.before, c.after);
    if (!caveats.empty()) s += "<tr><td></td><td colspan=\"8\">" + caveats + "</td></tr>";
  }
  return s + "</table></section>";
}

}  // namespace

std::string number_html(const std::string& key, double value, int digits) {
  if (!std::isfinite(value)) return "<span data-key=\"" + e(key) + "\" data-value=\"\">–</span>";
  char shown[64], exact[40];
  std::snprintf(shown, sizeof shown, "%.*f", digits, value);
  if (std::string(shown) == "-0" || std::string(shown).find_first_not_of("-0.") == std::string::npos)
    std::snprintf(shown, sizeof shown, "%.*f", digits, 0.0);
  std::snprintf(exact, sizeof exact, "%.17g", value);
  return "<span data-key=\"" + e(key) + "\" data-value=\"" + exact + "\">" + shown + "</span>";
}

std::string page_head(const std::string& title) {
  return "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
         "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>" +
         e(title) + "</title><style>" + kStyle + "</style></head><body>\n";
}

std::string page_foot() { return "</body></html>\n"; }

std::string report_html(const SessionReport& r) {
  std::string s = page_head("Session report " + r.subject + " " + r.started_at.substr(0, 10));
  s += "<header><h1>Session report</h1><p class=\"muted\">Client <b>" + e(r.subject) + "</b> · " +
       e(r.started_at.substr(0, 10)) + " · session " + e(r.session_id) + "</p></header>";
  for (const std::string& n : r.notices) s += "<p class=\"notice\" id=\"notice\">" + e(n) + "</p>";
  s += "<p class=\"summary\" id=\"summary\">" + e(r.summary) + "</p>";

  s += "<section id=\"session\"><h2>Session</h2><table class=\"kv\">";
  s += row("Client (pseudonym)", e(r.subject));
  s += row("Started", e(r.started_at) + " (UTC)");
  s += row("Duration", num("duration_min", r.duration_s / 60.0, 1) + " min");
  s += row("End", r.end_state == "clean" ? "clean, " + e(r.ended_at)
                                         : "<b>" + e(r.end_state == "crash" ? "did not end cleanly" : "repaired copy of a "
                                                                              "session that did not end cleanly") + "</b>");
  s += row("Devices", device_lines(r));
  for (const MatReport& m : r.mats)
    s += row("Calibration in force (" + m.id + ")", e(m.calibration_summary) + "<br><span class=\"small muted\">identity " +
                                                       e(m.calibration_fingerprint) + "</span>");
  const PainScores pain = pain_before_after(r);
  s += row("Pain (0–10)", pain.count == 0 ? std::string("not recorded")
                                          : "first " + num("pain.before", pain.before, 0) + ", last " + num("pain.after", pain.after, 0));
  s += row("Software", "plinthd " + e(r.software_version) + ", archive format " + std::to_string(r.format_version));
  s += "</table>";
  s += "<h3>Data quality</h3><ul class=\"quality\" id=\"quality\">";
  for (const std::string& q : r.quality) s += "<li>" + e(q) + "</li>";
  s += "</ul></section>";

  for (std::size_t i = 0; i < r.mats.size(); ++i) s += pressure_section(r, r.mats[i], i);
  for (std::size_t i = 0; i < r.hearts.size(); ++i) s += heart_section(r, r.hearts[i], i);

  s += "<section id=\"relaxation\"><h2>Relaxation readout</h2><p class=\"small muted\">A documented indicator for the "
       "therapist that fuses HRV and stillness against the client's own baseline (schemas/relaxation.md); 50 = as at "
       "baseline. It is not a diagnosis. Readings: " +
       num("relaxation.readings", static_cast<double>(r.relaxation.readings), 0) + ", mean " +
       num("relaxation.index.mean", r.relaxation.index_stat.mean, 0) + ", over the last " +
       fmt("%.0f", r.compare_minutes) + " min " + num("relaxation.last_index", r.relaxation.last_index, 0) + ".</p>";
  s += chart("chart-relaxation", "Relaxation readout", "0–100", {ChartLine{r.relaxation.index, "#6a1b9a"}}, r, 50.0,
             "baseline", 0.0, 100.0);
  s += "</section>";

  s += "<section id=\"events\"><h2>Markers, notes and pain scores</h2><table><tr><th class=\"n\">time</th><th>kind</th>"
       "<th>label</th><th class=\"n\">value</th><th>detail</th></tr>";
  std::size_t n = 0;
  for (const TimedEvent& ev : r.events) {
    if (ev.kind != "marker" && ev.kind != "pain" && ev.kind != "baseline" && ev.kind != "gap" &&
        ev.kind.rfind("device.", 0) != 0 && ev.kind.rfind("archive.", 0) != 0)
      continue;
    s += "<tr class=\"event\" data-kind=\"" + e(ev.kind) + "\"><td class=\"n\">" + clock_text(ev.t_s) + "</td><td>" +
         e(ev.kind) + "</td><td>" + e(ev.label) + "</td><td class=\"n\">" +
         (std::isfinite(ev.value) ? fmt("%g", ev.value) : std::string()) + "</td><td>" + e(ev.detail) + "</td></tr>";
    ++n;
  }
  if (n == 0) s += "<tr><td colspan=\"5\" class=\"muted\">none recorded</td></tr>";
  s += "</table></section>";
  s += "<footer>Made by plinth report " + std::string(kSoftwareVersion) + " from " + e(r.file) +
       ". Definitions of every number: schemas/report.md. Pressure and HRV readings describe this session on this "
       "table; they are not a diagnosis.</footer>";
  return s + page_foot();
}

}  // namespace plinth::report
