#include "tools/report/history.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>

#include "tools/report/report_html.hpp"
#include "tools/report/report_numbers.hpp"
#include "tools/report/report_summary.hpp"
#include "tools/report/svg_render.hpp"

namespace plinth::report {
namespace {

std::string fmt(const char* pattern, auto... values) {
  char buffer[256];
  std::snprintf(buffer, sizeof buffer, pattern, values...);
  return buffer;
}

std::string e(const std::string& text) { return escape_html(text); }

// CSV: the shortest text that reads back to the same double; empty for NaN.
std::string csv_number(double v) {
  if (!std::isfinite(v)) return "";
  char buffer[32];
  const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, v);
  return ec == std::errc() ? std::string(buffer, end) : "";
}

std::string csv_text(const std::string& text) {
  if (text.find_first_of(",\"\n\r") == std::string::npos) return text;
  std::string out = "\"";
  for (const char c : text) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string letters(std::size_t k) {
  std::string out;
  do {
    out.insert(out.begin(), static_cast<char>('A' + k % 26));
    k /= 26;
  } while (k-- > 0);
  return out;
}

}  // namespace

HistoryRow history_row(const SessionReport& r) {
  HistoryRow row;
  row.started_at = r.started_at;
  row.started_at_ns = r.started_at_ns;
  row.date = r.started_at.substr(0, 10);
  row.session_id = r.session_id;
  row.file = r.file;
  row.duration_min = r.duration_s / 60.0;
  row.end_state = r.end_state;
  const PainScores pain = pain_before_after(r);
  row.pain_before = pain.before;
  row.pain_after = pain.after;
  row.relaxation_end = r.relaxation.last_index;
  std::vector<std::string> devices;
  if (!r.mats.empty()) {
    const MatReport& m = r.mats.front();
    row.time_on_table_min = m.time_on_table_s / 60.0;
    row.contact_area_cm2 = m.contact_area_cm2.mean;
    row.peak_pressure_mmhg = m.peak_pressure_mmhg.mean;
    row.ppi_mmhg = m.ppi_mmhg.mean;
    row.calibration = m.calibration_fingerprint;
    devices.push_back("mat " + m.device_identity);
  }
  if (!r.hearts.empty()) {
    const HeartReport& h = r.hearts.front();
    row.baseline_hr_bpm = h.baseline_hr_bpm;
    row.baseline_ln_rmssd = h.baseline_ln_rmssd;
    if (!h.comparisons.empty()) {
      row.hr_change_bpm = h.comparisons.front().hr_change_bpm;
      row.rmssd_change_pct = h.comparisons.front().rmssd_change_pct;
    }
    devices.push_back("strap " + h.driver + " " + h.model);
  }
  for (std::size_t i = 0; i < devices.size(); ++i) row.device += (i ? "; " : "") + devices[i];
  std::vector<std::string> used;
  for (const TimedEvent& ev : r.events)
    if (ev.kind == "marker" && is_technique_label(ev.label) && std::find(used.begin(), used.end(), ev.label) == used.end())
      used.push_back(ev.label);
  for (std::size_t i = 0; i < used.size(); ++i) row.techniques += (i ? "; " : "") + used[i];
  return row;
}

void assign_groups(std::vector<HistoryRow>& rows) {
  std::stable_sort(rows.begin(), rows.end(),
                   [](const HistoryRow& a, const HistoryRow& b) { return a.started_at_ns < b.started_at_ns; });
  std::map<std::string, std::string> calibrations, devices;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    HistoryRow& row = rows[i];
    if (!calibrations.count(row.calibration)) calibrations[row.calibration] = letters(calibrations.size());
    if (!devices.count(row.device)) devices[row.device] = letters(devices.size());
    row.calibration_group = calibrations[row.calibration];
    row.device_group = devices[row.device];
    std::vector<std::string> marks;
    if (i > 0 && row.calibration != rows[i - 1].calibration) marks.push_back("calibration changed");
    if (i > 0 && row.device != rows[i - 1].device) marks.push_back("device changed");
    if (row.end_state == "crash") marks.push_back("did not end cleanly");
    for (std::size_t k = 0; k < marks.size(); ++k) row.marks += (k ? "; " : "") + marks[k];
  }
}

std::vector<std::string> history_columns() {
  return {"date",           "started_at",         "started_at_ns",     "session_id",        "file",          "duration_min",
          "end_state",      "pain_before",        "pain_after",        "baseline_hr_bpm", "baseline_ln_rmssd",
          "hr_change_bpm",  "rmssd_change_pct",   "relaxation_end",    "time_on_table_min", "contact_area_cm2",
          "peak_pressure_mmhg", "ppi_mmhg",       "techniques",        "calibration",   "calibration_group",
          "device",         "device_group",       "marks"};
}

std::string history_csv(const std::vector<HistoryRow>& rows) {
  std::string out;
  const auto columns = history_columns();
  for (std::size_t i = 0; i < columns.size(); ++i) out += (i ? "," : "") + columns[i];
  out += "\n";
  for (const HistoryRow& r : rows) {
    const std::vector<std::string> cells{
        r.date, r.started_at, std::to_string(r.started_at_ns), csv_text(r.session_id), csv_text(r.file), csv_number(r.duration_min), csv_text(r.end_state),
        csv_number(r.pain_before), csv_number(r.pain_after), csv_number(r.baseline_hr_bpm),
        csv_number(r.baseline_ln_rmssd), csv_number(r.hr_change_bpm), csv_number(r.rmssd_change_pct),
        csv_number(r.relaxation_end), csv_number(r.time_on_table_min), csv_number(r.contact_area_cm2),
        csv_number(r.peak_pressure_mmhg), csv_number(r.ppi_mmhg), csv_text(r.techniques), csv_text(r.calibration),
        r.calibration_group, csv_text(r.device), r.device_group, csv_text(r.marks)};
    for (std::size_t i = 0; i < cells.size(); ++i) out += (i ? "," : "") + cells[i];
    out += "\n";
  }
  return out;
}

std::string history_html(const std::vector<HistoryRow>& rows, const std::string& subject, const std::string& directory) {
  std::string s = page_head("Session history " + subject);
  s += "<header><h1>Session history</h1><p class=\"muted\">Client <b>" + e(subject) + "</b> · " +
       std::to_string(rows.size()) + " sessions in " + e(directory) + "</p></header>";
  std::set<std::string> calibrations, devices;
  for (const HistoryRow& r : rows) {
    calibrations.insert(r.calibration);
    devices.insert(r.device);
  }
  if (calibrations.size() > 1 || devices.size() > 1)
    s += "<p class=\"notice\" id=\"mixed\">These sessions were measured with " + std::to_string(calibrations.size()) +
         " calibration(s) and " + std::to_string(devices.size()) +
         " device set(s). Pressure values of different calibrations or devices are not directly comparable: each group "
         "has its own marker, and lines never join two groups.</p>";
  if (rows.empty()) return s + "<p>No sessions of this client.</p>" + page_foot();

  TrendSpec base;
  const std::int64_t first = rows.front().started_at_ns;
  for (const HistoryRow& r : rows) {
    base.x_days.push_back(static_cast<double>(r.started_at_ns - first) / 86400e9);
    base.x_labels.push_back(r.date.size() >= 10 ? r.date.substr(5) : r.date);
  }
  auto column = [&](double HistoryRow::*field) {
    std::vector<double> v;
    for (const HistoryRow& r : rows) v.push_back(r.*field);
    return v;
  };
  std::vector<std::string> calibration_groups, device_groups, mixed_groups;
  for (const HistoryRow& r : rows) {
    calibration_groups.push_back("calibration " + r.calibration_group + (devices.size() > 1 ? ", devices " + r.device_group : ""));
    device_groups.push_back(devices.size() > 1 ? "devices " + r.device_group : "");
  }
  auto trend = [&](std::string id, std::string title, std::string unit, std::vector<TrendLine> lines) {
    TrendSpec t = base;
    t.id = std::move(id);
    t.title = std::move(title);
    t.unit = std::move(unit);
    t.lines = std::move(lines);
    return "<div class=\"chart-block\">" + trend_chart_svg(t) + "</div>";
  };
  s += "<section id=\"trends\"><h2>Trends</h2>";
  s += trend("trend-pain", "Pain score", "0–10",
             {TrendLine{"before", "#c62828", column(&HistoryRow::pain_before), {}},
              TrendLine{"after", "#2e7d32", column(&HistoryRow::pain_after), {}}});
  s += trend("trend-resting-hr", "Resting heart rate (session baseline)", "bpm",
             {TrendLine{"baseline HR", "#c62828", column(&HistoryRow::baseline_hr_bpm), device_groups}});
  s += trend("trend-ln-rmssd", "Baseline lnRMSSD", "ln ms",
             {TrendLine{"baseline lnRMSSD", "#283593", column(&HistoryRow::baseline_ln_rmssd), device_groups}});
  s += trend("trend-relaxation", "Relaxation change", "",
             {TrendLine{"readout at end", "#6a1b9a", column(&HistoryRow::relaxation_end), device_groups},
              TrendLine{"RMSSD change %", "#1565c0", column(&HistoryRow::rmssd_change_pct), device_groups}});
  s += trend("trend-contact-area", "Contact area (mean on the table)", "cm²",
             {TrendLine{"contact area", "#1565c0", column(&HistoryRow::contact_area_cm2), calibration_groups}});
  s += trend("trend-peak", "Peak pressure (mean on the table)", "mmHg",
             {TrendLine{"peak", "#c62828", column(&HistoryRow::peak_pressure_mmhg), calibration_groups},
              TrendLine{"PPI", "#e65100", column(&HistoryRow::ppi_mmhg), calibration_groups}});
  s += "</section>";

  s += "<section id=\"sessions\" class=\"page-break\"><h2>Sessions</h2><table id=\"history-table\"><tr><th>date</th>"
       "<th class=\"n\">min</th><th class=\"n\">pain before</th><th class=\"n\">pain after</th><th class=\"n\">resting HR</th>"
       "<th class=\"n\">baseline lnRMSSD</th><th class=\"n\">RMSSD change %</th><th class=\"n\">readout at end</th>"
       "<th class=\"n\">contact cm²</th><th class=\"n\">peak mmHg</th><th>techniques</th><th>calibration</th><th>devices</th></tr>";
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const HistoryRow& r = rows[i];
    const std::string k = "session." + std::to_string(i) + ".";
    s += "<tr class=\"session\" data-session-id=\"" + e(r.session_id) + "\" data-calibration-group=\"" + e(r.calibration_group) +
         "\" data-device-group=\"" + e(r.device_group) + "\"><td>" + e(r.date) + "</td><td class=\"n\">" +
         number_html(k + "duration_min", r.duration_min, 0) + "</td><td class=\"n\">" + number_html(k + "pain_before", r.pain_before, 0) +
         "</td><td class=\"n\">" + number_html(k + "pain_after", r.pain_after, 0) + "</td><td class=\"n\">" +
         number_html(k + "baseline_hr_bpm", r.baseline_hr_bpm, 1) + "</td><td class=\"n\">" +
         number_html(k + "baseline_ln_rmssd", r.baseline_ln_rmssd, 2) + "</td><td class=\"n\">" +
         number_html(k + "rmssd_change_pct", r.rmssd_change_pct, 0) + "</td><td class=\"n\">" +
         number_html(k + "relaxation_end", r.relaxation_end, 0) + "</td><td class=\"n\">" +
         number_html(k + "contact_area_cm2", r.contact_area_cm2, 0) + "</td><td class=\"n\">" +
         number_html(k + "peak_pressure_mmhg", r.peak_pressure_mmhg, 0) + "</td><td>" + e(r.techniques) + "</td><td>" +
         e(r.calibration_group) + " <span class=\"small muted\">" + e(r.calibration) + "</span></td><td>" + e(r.device_group) +
         "</td></tr>";
    if (!r.marks.empty()) s += "<tr class=\"marks\"><td></td><td colspan=\"12\" class=\"caveat\">" + e(r.marks) + "</td></tr>";
  }
  s += "</table><h3>Calibrations and devices</h3><table>";
  std::set<std::string> shown;
  for (const HistoryRow& r : rows) {
    if (shown.insert("c" + r.calibration_group).second)
      s += "<tr><th>calibration " + e(r.calibration_group) + "</th><td>" + e(r.calibration) + "</td></tr>";
    if (shown.insert("d" + r.device_group).second)
      s += "<tr><th>devices " + e(r.device_group) + "</th><td>" + e(r.device) + "</td></tr>";
  }
  s += "</table></section><footer>Made by plinth history. Columns and definitions: schemas/report.md §History. "
       "Export: --csv.</footer>";
  return s + page_foot();
}

std::vector<std::filesystem::path> list_session_files(const std::filesystem::path& directory) {
  std::vector<std::filesystem::path> files;
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(directory, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec))
    if (it->is_regular_file() && it->path().extension() == ".h5") files.push_back(it->path());
  if (ec) throw std::runtime_error(directory.string() + ": " + ec.message());
  std::sort(files.begin(), files.end());
  std::vector<std::filesystem::path> out;
  for (const auto& f : files) {
    const std::string name = f.string();
    const std::string suffix = ".repaired.h5";
    if (name.size() > suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
      const std::filesystem::path original = name.substr(0, name.size() - suffix.size()) + ".h5";
      if (std::binary_search(files.begin(), files.end(), original)) continue;
    }
    out.push_back(f);
  }
  return out;
}

}  // namespace plinth::report
