// plinth inspect: what a session archive holds, for a person (text) or a program (--json):
// session, devices, frames and rates, sequence gaps, archive drops, events, metric ranges.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>

#include "daemon/hrv/beat_record.hpp"
#include "tools/archive_reader.hpp"
#include "tools/commands.hpp"

namespace plinth::tools {
namespace {

using Json = nlohmann::ordered_json;

constexpr const char* kMainPressureMetrics[] = {
    "total_load_n",      "contact_area_cm2", "mean_pressure_mmhg",   "peak_pressure_mmhg",     "ppi_mmhg",
    "cop_row_cm",        "cop_col_cm",       "symmetry_index_pct",   "sway_mean_velocity_cm_s", "movement_index_per_s",
};
constexpr const char* kMainBeatFields[] = {"rr_ms", "nn_ms", "hr_bpm"};
constexpr const char* kMainHrvFields[] = {"hr_bpm", "rmssd_ms", "sdnn_ms", "ln_rmssd", "hf_ms2", "lf_hf", "pns_index"};
constexpr std::size_t kMarkersShown = 10;

Json number(double v) { return std::isfinite(v) ? Json(v) : Json(nullptr); }

// min/mean/max over the finite values (count = how many), or null when there are none.
Json range_of(const std::vector<double>& values) {
  double lo = INFINITY, hi = -INFINITY, sum = 0;
  std::size_t n = 0;
  for (double v : values)
    if (std::isfinite(v)) {
      lo = std::min(lo, v);
      hi = std::max(hi, v);
      sum += v;
      ++n;
    }
  if (n == 0) return nullptr;
  return Json{{"min", lo}, {"mean", sum / static_cast<double>(n)}, {"max", hi}, {"count", n}};
}

Json ranges(const ArchiveTable& table, std::span<const char* const> fields) {
  Json out = Json::object();
  for (const char* f : fields)
    if (const auto* c = table.column(f)) out[f] = range_of(*c);
  return out;
}

Json attributes_json(const ArchiveValues& values) {
  Json out = Json::object();
  // Named, not captured as a structured binding: Clang 14 cannot capture those (P1091).
  for (const auto& [name, value] : values)
    std::visit([&out, &key = name](const auto& v) { out[key] = v; }, value);
  return out;
}

Json mat_summary(const ArchiveReader& reader, const ArchiveDevice& d, const std::vector<ArchiveEvent>& events) {
  Json m;
  const std::vector<std::int64_t> times = reader.frame_times(d.id);
  const std::vector<std::uint32_t> seqs = reader.frame_seqs(d.id);
  m["frames"] = times.size();
  if (times.size() >= 2) {
    const double span_s = static_cast<double>(times.back() - times.front()) * 1e-9;
    m["first_ns"] = times.front();
    m["last_ns"] = times.back();
    m["span_s"] = span_s;
    m["frame_rate_hz"] = span_s > 0 ? static_cast<double>(times.size() - 1) / span_s : 0.0;
  }
  // Gaps from the device counter itself (modulo 2^32), and as the daemon reported them.
  std::uint64_t gaps = 0, lost = 0, restarts = 0;
  for (std::size_t i = 1; i < seqs.size(); ++i) {
    const std::uint32_t step = seqs[i] - seqs[i - 1];
    if (step == 1) continue;
    if (step == 0 || step > (1u << 25)) ++restarts;
    else {
      ++gaps;
      lost += step - 1;
    }
  }
  std::uint64_t gap_events = 0;
  double gap_event_frames = 0;
  for (const ArchiveEvent& e : events)
    if (e.kind == "gap" && e.label == d.id) {
      ++gap_events;
      if (std::isfinite(e.value)) gap_event_frames += e.value;
    }
  m["sequence_gaps"] = gaps;
  m["frames_lost"] = lost;
  m["counter_restarts"] = restarts;
  m["gap_events"] = gap_events;
  m["gap_event_frames"] = gap_event_frames;
  const ArchiveTable metrics = reader.metrics(d.id);
  m["metrics_rows"] = metrics.size();
  if (const auto* suspect = metrics.column("suspect"))
    m["suspect_frames"] = std::count_if(suspect->begin(), suspect->end(), [](double v) { return v != 0 && !std::isnan(v); });
  m["metric_ranges"] = ranges(metrics, kMainPressureMetrics);
  return m;
}

Json heart_summary(const ArchiveReader& reader, const ArchiveDevice& d) {
  Json h;
  const ArchiveTable beats = reader.beats(d.id);
  const ArchiveTable hrv = reader.hrv(d.id);
  h["beats"] = beats.size();
  std::size_t artifacts = 0;
  double missing = 0;
  if (const auto* flags = beats.column("flags"))
    for (double f : *flags)
      if (std::isfinite(f) && (static_cast<std::uint32_t>(f) & beat_artifact_mask) != 0) ++artifacts;
  if (const auto* m = beats.column("missing"))
    for (double v : *m)
      if (std::isfinite(v)) missing += v;
  h["artifact_beats"] = artifacts;
  h["strap_missing_beats"] = missing;
  h["beat_ranges"] = ranges(beats, kMainBeatFields);
  h["hrv_updates"] = hrv.size();
  h["hrv_ranges"] = ranges(hrv, kMainHrvFields);
  return h;
}

Json summarize(const ArchiveReader& reader) {
  const ArchiveValues& a = reader.attributes();
  const std::vector<ArchiveEvent> events = reader.events();
  Json s;
  s["file"] = reader.path().string();
  s["session_id"] = text_of(a, "session_id");
  s["subject"] = text_of(a, "subject");
  s["format_version"] = integer_of(a, "format_version").value_or(0);
  s["software_version"] = text_of(a, "software_version");
  s["started_at"] = text_of(a, "started_at");
  s["ended_at"] = a.count("ended_at") ? Json(text_of(a, "ended_at")) : Json(nullptr);
  s["ended_cleanly"] = a.count("ended_at_ns") > 0;

  const auto started = integer_of(a, "started_at_ns");
  std::int64_t last_ns = started.value_or(0);
  Json devices = Json::array();
  for (const ArchiveDevice& d : reader.devices()) {
    Json dev;
    dev["id"] = d.id;
    dev["kind"] = d.kind;
    dev["attributes"] = attributes_json(d.attributes);
    if (d.kind == "mat") {
      dev.update(mat_summary(reader, d, events));
      if (dev.contains("last_ns")) last_ns = std::max(last_ns, dev["last_ns"].get<std::int64_t>());
    } else if (d.kind == "heart") {
      dev.update(heart_summary(reader, d));
    }
    devices.push_back(std::move(dev));
  }
  if (!events.empty()) last_ns = std::max(last_ns, events.back().time_ns);
  const auto ended = integer_of(a, "ended_at_ns");
  s["duration_s"] = started ? number(static_cast<double>(ended.value_or(last_ns) - *started) * 1e-9) : Json(nullptr);

  // Records the archive could not keep: closing attributes, and events written during the session.
  Json drops = Json::object();
  for (const auto& [name, value] : a)
    if (name.rfind("archive_dropped_", 0) == 0)
      if (const auto v = integer_of(a, name)) drops[name.substr(16)] = *v;
  std::map<std::string, double> dropped_events;
  for (const ArchiveEvent& e : events)
    if (e.kind == "archive.dropped" && std::isfinite(e.value)) dropped_events[e.label] += e.value;
  s["archive_dropped"] = drops;
  s["archive_dropped_events"] = dropped_events;
  s["devices"] = std::move(devices);

  std::map<std::string, std::size_t> counts;
  Json markers = Json::array();
  std::size_t marker_total = 0;
  for (const ArchiveEvent& e : events) {
    ++counts[e.kind];
    if (e.kind == "marker" || e.kind == "pain") {
      if (markers.size() < kMarkersShown)
        markers.push_back({{"offset_s", started ? number(static_cast<double>(e.time_ns - *started) * 1e-9) : Json(nullptr)},
                           {"time_ns", e.time_ns},
                           {"kind", e.kind},
                           {"label", e.label},
                           {"value", number(e.value)},
                           {"detail", e.detail}});
      ++marker_total;
    }
  }
  s["events"] = {{"total", events.size()}, {"by_kind", counts}, {"markers_and_pain", marker_total},
                 {"first_markers", markers}};
  return s;
}

// --- text ------------------------------------------------------------------------------------

std::string duration_text(const Json& seconds) {
  if (!seconds.is_number()) return "unknown";
  const double s = seconds.get<double>();
  const long whole = static_cast<long>(s);
  char buffer[48];
  std::snprintf(buffer, sizeof buffer, "%ld:%02ld:%04.1f", whole / 3600, whole / 60 % 60, s - static_cast<double>(whole / 60 * 60));
  return buffer;
}

std::string value_text(const Json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number_float()) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.4g", v.get<double>());
    return buffer;
  }
  return v.dump();
}

void print_ranges(std::ostream& out, const Json& ranges) {
  for (const auto& [name, r] : ranges.items()) {
    char line[160];
    if (r.is_null()) std::snprintf(line, sizeof line, "      %-26s no values\n", name.c_str());
    else
      std::snprintf(line, sizeof line, "      %-26s min %10.4g  mean %10.4g  max %10.4g\n", name.c_str(),
                    r["min"].get<double>(), r["mean"].get<double>(), r["max"].get<double>());
    out << line;
  }
}

void print_text(std::ostream& out, const Json& s) {
  out << "Session   " << s["session_id"].get<std::string>() << "  (format " << s["format_version"] << ", plinthd "
      << s["software_version"].get<std::string>() << ")\n";
  out << "File      " << s["file"].get<std::string>() << "\n";
  out << "Subject   " << s["subject"].get<std::string>() << "\n";
  out << "Started   " << s["started_at"].get<std::string>() << "\n";
  out << "Ended     " << (s["ended_at"].is_string() ? s["ended_at"].get<std::string>() : "did not end cleanly (no ended_at)")
      << "\n";
  if (!s["ended_at"].is_string())
    out << "          `plinth repair " << s["file"].get<std::string>()
        << "` writes a clean, closed copy that every HDF5 tool opens\n";
  out << "Duration  " << duration_text(s["duration_s"]) << "\n";
  out << "Devices\n";
  for (const Json& d : s["devices"]) {
    const Json& a = d["attributes"];
    out << "  " << d["id"].get<std::string>() << "  " << d["kind"].get<std::string>();
    for (const char* key : {"driver", "port", "model", "serial", "usb_serial", "firmware"})
      if (a.contains(key) && !(a[key].is_string() && a[key].get<std::string>().empty()))
        out << "  " << key << "=" << value_text(a[key]);
    out << "\n";
    if (d["kind"] == "mat") {
      out << "    geometry  " << a.value("rows", 0) << " x " << a.value("cols", 0);
      if (a.contains("pitch_row_cm")) out << " sensels, pitch " << value_text(a["pitch_row_cm"]) << " cm";
      if (a.contains("calibration")) out << ", calibration " << value_text(a["calibration"]);
      out << "\n";
      char line[200];
      std::snprintf(line, sizeof line, "    frames    %llu", static_cast<unsigned long long>(d["frames"].get<std::uint64_t>()));
      out << line;
      if (d.contains("frame_rate_hz"))
        out << " at " << value_text(d["frame_rate_hz"]) << " Hz over " << duration_text(d["span_s"]);
      out << "\n    gaps      " << d["sequence_gaps"] << " in the device counter (" << d["frames_lost"]
          << " frames lost), " << d["gap_events"] << " gap events";
      if (d["counter_restarts"].get<std::uint64_t>() > 0) out << ", " << d["counter_restarts"] << " counter restarts";
      out << "\n    metrics   " << d["metrics_rows"] << " rows";
      if (d.contains("suspect_frames")) out << ", " << d["suspect_frames"] << " suspect frames";
      out << "\n";
      print_ranges(out, d["metric_ranges"]);
    } else if (d["kind"] == "heart") {
      out << "    beats     " << d["beats"] << " (" << d["artifact_beats"] << " with artifacts, "
          << value_text(d["strap_missing_beats"]) << " reported missing by the strap)\n";
      print_ranges(out, d["beat_ranges"]);
      out << "    HRV       " << d["hrv_updates"] << " updates\n";
      print_ranges(out, d["hrv_ranges"]);
    }
  }
  out << "Drops     ";
  if (s["archive_dropped"].empty() && s["archive_dropped_events"].empty()) out << "none recorded";
  bool any = false;
  for (const auto& [kind, n] : s["archive_dropped"].items()) {
    out << (any ? ", " : "") << kind << " " << n;
    any = true;
  }
  if (!any && !s["archive_dropped"].empty()) out << "none";
  if (!s["archive_dropped_events"].empty()) out << " (archive.dropped events: " << s["archive_dropped_events"].dump() << ")";
  if (!s["ended_cleanly"].get<bool>()) out << " (closing counts missing: unclean end)";
  out << "\n";
  const Json& e = s["events"];
  out << "Events    " << e["total"];
  bool first = true;
  for (const auto& [kind, n] : e["by_kind"].items()) {
    out << (first ? ": " : ", ") << kind << " " << n;
    first = false;
  }
  out << "\n";
  for (const Json& m : e["first_markers"]) {
    out << "    +" << duration_text(m["offset_s"]) << "  " << m["kind"].get<std::string>() << "  "
        << m["label"].get<std::string>();
    if (!m["value"].is_null()) out << " = " << value_text(m["value"]);
    if (!m["detail"].get<std::string>().empty()) out << "  (" << m["detail"].get<std::string>() << ")";
    out << "\n";
  }
  if (e["markers_and_pain"].get<std::size_t>() > e["first_markers"].size())
    out << "    ... " << e["markers_and_pain"].get<std::size_t>() - e["first_markers"].size() << " more\n";
}

}  // namespace

void add_inspect_command(CLI::App& app) {
  auto file = std::make_shared<std::string>();
  auto as_json = std::make_shared<bool>(false);
  auto* cmd = app.add_subcommand("inspect", "Summarise a session archive: devices, frames, gaps, drops, events, metrics");
  cmd->add_option("file", *file, "session archive (.h5)")->required();
  cmd->add_flag("--json", *as_json, "print one JSON object instead of text");
  cmd->callback([file, as_json] {
    const Json summary = summarize(ArchiveReader::open(*file));
    if (*as_json) std::cout << summary.dump(2) << "\n";
    else print_text(std::cout, summary);
  });
}

}  // namespace plinth::tools
