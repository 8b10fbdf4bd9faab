#include "tools/report/session_report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <optional>

#include "daemon/archive/session_file.hpp"
#include "daemon/config/daemon_config.hpp"
#include "daemon/hrv/beat_record.hpp"
#include "daemon/hrv/frequency_domain.hpp"
#include "daemon/pressure/calibration.hpp"
#include "daemon/pressure/calibration_in_force.hpp"
#include "daemon/pressure/region_metrics.hpp"
#include "tools/archive_reader.hpp"
#include "tools/report/hrv_windows.hpp"
#include "tools/report/report_numbers.hpp"
#include "tools/report/report_summary.hpp"

namespace plinth::report {
namespace {

constexpr double kNsPerS = 1e9;

double seconds_since(std::int64_t t_ns, std::int64_t t0_ns) { return static_cast<double>(t_ns - t0_ns) / kNsPerS; }

std::string attr_text(const ArchiveValues& a, const char* name) { return text_of(a, name); }

// The config archived with the session, parsed as plinthd parsed it; nullopt (with the reason)
// when it cannot be, e.g. its equilibration file is not on this machine.
std::optional<DaemonConfig> archived_config(const ArchiveReader& reader, std::string& why) {
  const std::string text = text_of(reader.attributes(), "config");
  if (text.empty()) {
    why = "the archive holds no config";
    return std::nullopt;
  }
  try {
    return parse_daemon_config(text, "the config archived with the session");
  } catch (const std::exception& e) {
    why = e.what();
    return std::nullopt;
  }
}

// The equilibration file is read again on this machine: a re-recorded or replaced file would
// silently give the map another calibration than the session's. Empty when it is the archived one
// (or the archive names none to compare with).
std::string equilibration_mismatch(const std::string& archived_calibration_json, const Calibration& rebuilt) {
  const std::string archived = archived_equilibration_fingerprint(archived_calibration_json);
  const std::string now =
      rebuilt.equilibration.empty() ? std::string("none") : equilibration_fingerprint(rebuilt.equilibration);
  if (archived.empty() || archived == now) return "";
  return "the equilibration file found now (" + now + ") is not the one the session used (" + archived + ")";
}

// Default zones when the config names none: the example config's five bands along the rows
// (daemon/config/plinthd.example.toml), scaled to this mat.
std::vector<RegionSpec> default_zones(const MatGeometry& g) {
  const int r = g.rows;
  const int bounds[] = {0, r * 10 / 64, r * 18 / 64, r * 30 / 64, r * 40 / 64, r};
  const char* names[] = {"head", "shoulders", "torso", "pelvis", "legs"};
  std::vector<RegionSpec> zones;
  for (int k = 0; k < 5; ++k)
    if (bounds[k + 1] > bounds[k]) zones.push_back(rect_region(names[k], g, bounds[k], 0, bounds[k + 1] - bounds[k], g.cols));
  return zones;
}

// Metrics row -> frame index, by time (the layout matches them by time_ns); -1 if none.
std::vector<std::int64_t> frame_of_rows(std::span<const std::int64_t> row_times, std::span<const std::int64_t> frame_times) {
  std::vector<std::int64_t> out(row_times.size(), -1);
  if (row_times.size() == frame_times.size() && std::equal(row_times.begin(), row_times.end(), frame_times.begin())) {
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = static_cast<std::int64_t>(i);
    return out;
  }
  std::size_t f = 0;
  for (std::size_t i = 0; i < row_times.size(); ++i) {
    while (f < frame_times.size() && frame_times[f] < row_times[i]) ++f;
    if (f < frame_times.size() && frame_times[f] == row_times[i]) out[i] = static_cast<std::int64_t>(f++);
  }
  return out;
}

MapImage map_image(const MatReport& m, std::string unit, std::vector<double> values) {
  return MapImage{m.rows, m.cols, m.pitch_row_cm, m.pitch_col_cm, std::move(unit), std::move(values)};
}

struct RegionAccumulator {
  std::vector<RegionSpec> specs;
  std::vector<RegionLoad> frame;
  std::vector<double> load, area, peak, peak_max;
  double total_load = 0.0;
  std::size_t frames = 0;

  void reset(std::vector<RegionSpec> s) {
    specs = std::move(s);
    frame.assign(specs.size(), {});
    load.assign(specs.size(), 0.0);
    area.assign(specs.size(), 0.0);
    peak.assign(specs.size(), 0.0);
    peak_max.assign(specs.size(), 0.0);
  }
  void add(std::span<const float> mmhg, const MatGeometry& g, double contact_threshold, double frame_load) {
    compute_region_loads(mmhg, g, contact_threshold, specs, frame);
    for (std::size_t k = 0; k < specs.size(); ++k) {
      load[k] += frame[k].load_n;
      area[k] += frame[k].contact_area_cm2;
      peak[k] += frame[k].peak_pressure_mmhg;
      peak_max[k] = std::max(peak_max[k], frame[k].peak_pressure_mmhg);
    }
    total_load += frame_load;
    ++frames;
  }
};

void read_mat(const ArchiveReader& reader, const ArchiveDevice& d, const std::optional<DaemonConfig>& config,
              const std::string& config_problem, std::int64_t t0, double duration_s, const ReportOptions& o,
              MatReport& m) {
  const ArchiveValues& a = d.attributes;
  m.id = d.id;
  m.driver = attr_text(a, "driver");
  m.model = attr_text(a, "model");
  m.serial = attr_text(a, "serial");
  m.usb_serial = attr_text(a, "usb_serial");
  m.rows = d.rows;
  m.cols = d.cols;
  m.pitch_row_cm = number_of(a, "pitch_row_cm").value_or(number_of(a, "pitch_cm").value_or(kNaN));
  m.pitch_col_cm = number_of(a, "pitch_col_cm").value_or(number_of(a, "pitch_cm").value_or(kNaN));
  m.calibration_json = attr_text(a, "calibration");
  m.calibration_summary = calibration_summary(m.calibration_json);
  m.calibration_fingerprint = calibration_fingerprint(m.calibration_json);
  m.device_identity = m.driver + " " + m.model + " " + (m.serial.empty() ? m.usb_serial : m.serial);
  const double sensel_area = m.pitch_row_cm * m.pitch_col_cm;

  const std::vector<std::int64_t> times = reader.frame_times(d.id);
  const std::vector<std::uint32_t> seqs = reader.frame_seqs(d.id);
  m.frames = times.size();
  if (times.size() >= 2 && times.back() > times.front())
    m.frame_rate_hz = static_cast<double>(times.size() - 1) / (static_cast<double>(times.back() - times.front()) / kNsPerS);
  const SequenceGaps gaps = count_sequence_gaps(seqs);
  m.sequence_gaps = gaps.gaps;
  m.frames_lost = gaps.lost;

  static const std::vector<std::string> kFields = {"total_load_n", "contact_area_cm2", "mean_pressure_mmhg",
                                                   "peak_pressure_mmhg", "ppi_mmhg", "symmetry_index_pct",
                                                   "cop_row_cm", "cop_col_cm", "suspect", "occupied"};
  const ArchiveTable metrics = reader.metrics(d.id, kFields);
  const std::vector<std::uint8_t> use = usable_frames(metrics.column("occupied"), metrics.column("suspect"), metrics.size());
  if (const auto* suspect = metrics.column("suspect"))
    m.suspect_frames = static_cast<std::size_t>(std::count_if(suspect->begin(), suspect->end(), [](double v) { return v != 0.0; }));
  m.occupied_frames = static_cast<std::size_t>(std::count(use.begin(), use.end(), std::uint8_t{1}));
  const double max_gap_s = number_of(a, "exposure_max_gap_s").value_or(5.0);
  m.time_on_table_s = time_on_table_s(metrics.time_ns, use, max_gap_s);
  auto stat = [&](const char* name) {
    const auto* c = metrics.column(name);
    return c ? stat_of(*c, use) : Stat{};
  };
  m.total_load_n = stat("total_load_n");
  m.contact_area_cm2 = stat("contact_area_cm2");
  m.mean_pressure_mmhg = stat("mean_pressure_mmhg");
  m.peak_pressure_mmhg = stat("peak_pressure_mmhg");
  m.ppi_mmhg = stat("ppi_mmhg");
  m.symmetry_index_pct = stat("symmetry_index_pct");

  const double min_bin = m.frame_rate_hz > 0 ? 1.0 / m.frame_rate_hz : 1.0;
  m.bin_s = bin_seconds(duration_s, min_bin, o.max_bins);
  for (const auto& [name, label, unit] : {std::tuple{"peak_pressure_mmhg", "Peak pressure", "mmHg"},
                                          std::tuple{"ppi_mmhg", "Peak pressure index", "mmHg"},
                                          std::tuple{"contact_area_cm2", "Contact area", "cm²"},
                                          std::tuple{"symmetry_index_pct", "Left/right symmetry", "%"}}) {
    if (const auto* c = metrics.column(name))
      m.series.push_back(binned_series(label, unit, metrics.time_ns, *c, use, t0, m.bin_s, duration_s));
  }
  // The CoP trail: binned means, at most max_bins points.
  if (const auto* row = metrics.column("cop_row_cm"))
    if (const auto* col = metrics.column("cop_col_cm")) {
      const Series r = binned_series("", "", metrics.time_ns, *row, use, t0, m.bin_s, duration_s);
      const Series c = binned_series("", "", metrics.time_ns, *col, use, t0, m.bin_s, duration_s);
      for (std::size_t k = 0; k < r.value.size(); ++k)
        if (std::isfinite(r.value[k]) && std::isfinite(c.value[k])) {
          m.cop_row_cm.push_back(r.value[k]);
          m.cop_col_cm.push_back(c.value[k]);
        }
    }

  // Exposure: the last snapshot is the session's total.
  m.exposure.threshold_mmhg = number_of(a, "exposure_threshold_mmhg").value_or(number_of(a, "risk_threshold_mmhg").value_or(32.0));
  std::vector<float> pti, above;
  const std::size_t snapshots = reader.exposure_count(d.id);
  if (snapshots > 0) {
    reader.read_exposure(d.id, snapshots - 1, pti, above);
    const std::vector<std::int64_t> snap_times = reader.exposure_times(d.id);
    const double covered = times.empty() ? kNaN : static_cast<double>(snap_times.back() - times.front()) / kNsPerS;
    m.exposure = summarize_exposure(pti, above, sensel_area, m.exposure.threshold_mmhg, covered);
    m.exposure_pti = map_image(m, "mmHg·s", std::vector<double>(pti.begin(), pti.end()));
    m.time_above = map_image(m, "s", std::vector<double>(above.begin(), above.end()));
  }
  m.exposure.snapshots = snapshots;

  // The mean map and the region loads: every usable frame through the session's own calibration.
  const MatConfig* mat_config = nullptr;
  if (config)
    for (const MatConfig& mc : config->mats)
      if (mc.device.id == d.id) mat_config = &mc;
  MatGeometry geometry{m.rows, m.cols, m.pitch_row_cm, m.pitch_col_cm};
  std::vector<RegionSpec> regions = mat_config && !mat_config->pressure.regions.empty() ? mat_config->pressure.regions
                                                                                          : default_zones(geometry);
  m.regions_basis = mat_config && !mat_config->pressure.regions.empty()
                        ? "the regions configured for this mat"
                        : "default zones by mat row (the proportions of plinthd.example.toml), not fitted to the body; "
                          "configure [[mat.regions]] for the client's own";
  RegionAccumulator acc;
  acc.reset(regions);
  if (!o.read_frames) {
    m.mean_map_basis = "not computed (frames not read)";
  } else if (!mat_config) {
    m.mean_map_basis = "not computed: the session's calibration cannot be rebuilt (" +
                       (config ? "its config has no mat '" + d.id + "'" : config_problem) + ")";
  } else if (mat_config->pressure.geometry.rows != m.rows || mat_config->pressure.geometry.cols != m.cols) {
    m.mean_map_basis = "not computed: the archived config's geometry differs from the frames";
  } else if (const std::string why = equilibration_mismatch(m.calibration_json, mat_config->pressure.calibration);
             !why.empty()) {
    m.mean_map_basis = "not computed: " + why;
  } else {
    const PressureConfig& pc = mat_config->pressure;
    geometry = pc.geometry;
    const Calibrator calibrator(pc.calibration, geometry.sensels(), pc.saturation_raw, pc.noise_threshold_mmhg,
                                pc.noise_floor_sd);
    const std::vector<std::int64_t> frame_for_row = frame_of_rows(metrics.time_ns, times);
    std::vector<std::uint8_t> frame_use(times.size(), 0);
    std::vector<double> frame_load(times.size(), 0.0);
    const auto* load = metrics.column("total_load_n");
    for (std::size_t i = 0; i < frame_for_row.size(); ++i)
      if (frame_for_row[i] >= 0 && use[i]) {
        frame_use[static_cast<std::size_t>(frame_for_row[i])] = 1;
        frame_load[static_cast<std::size_t>(frame_for_row[i])] = load ? (*load)[i] : 0.0;
      }
    MeanMap mean(geometry.sensels());
    std::vector<std::uint16_t> block;
    std::vector<float> mmhg(geometry.sensels());
    std::vector<std::uint8_t> saturated(geometry.sensels());
    const std::size_t sensels = geometry.sensels();
    for (std::size_t first = 0; first < times.size(); first += o.frame_block) {
      const std::size_t count = std::min(o.frame_block, times.size() - first);
      // Skip blocks without a usable frame (an empty table) without reading them.
      if (std::none_of(frame_use.begin() + static_cast<std::ptrdiff_t>(first),
                       frame_use.begin() + static_cast<std::ptrdiff_t>(first + count), [](std::uint8_t u) { return u != 0; }))
        continue;
      reader.read_frames(d.id, first, count, block);
      for (std::size_t k = 0; k < count; ++k) {
        if (!frame_use[first + k]) continue;
        calibrator.apply(std::span<const std::uint16_t>(block).subspan(k * sensels, sensels), mmhg, saturated);
        mean.add(mmhg);
        acc.add(mmhg, geometry, pc.contact_threshold_mmhg, frame_load[first + k]);
      }
    }
    m.mean_map = map_image(m, "mmHg", mean.mean());
    char basis[200];
    std::snprintf(basis, sizeof basis, "mean of %zu frames with the client on the table (occupied, not suspect), "
                  "calibrated as archived", mean.count());
    m.mean_map_basis = basis;
    map_peak_and_area(m.mean_map.values, sensel_area, m.mean_map_peak_mmhg, m.mean_map_contact_area_cm2);
  }
  for (std::size_t k = 0; k < acc.specs.size(); ++k) {
    RegionRow row;
    row.name = acc.specs[k].name;
    if (acc.frames > 0) {
      const double n = static_cast<double>(acc.frames);
      row.mean_load_n = acc.load[k] / n;
      row.mean_contact_area_cm2 = acc.area[k] / n;
      row.mean_peak_mmhg = acc.peak[k] / n;
      row.max_peak_mmhg = acc.peak_max[k];
      row.share_of_load_pct = acc.total_load > 0 ? 100.0 * acc.load[k] / acc.total_load : kNaN;
    }
    region_exposure(above, acc.specs[k].mask, sensel_area, row);
    m.regions.push_back(std::move(row));
  }
}

DecidedBeats decided_beats(const ArchiveTable& t) {
  DecidedBeats b;
  b.time_ns = t.time_ns;
  const auto column = [&](const char* name) {
    const auto* c = t.column(name);
    return c ? *c : std::vector<double>(t.size(), kNaN);
  };
  b.nn_ms = column("nn_ms");
  b.hr_bpm = column("hr_bpm");
  const std::vector<double> flags = column("flags");
  const auto* nn_count = t.column("nn_count");
  b.flags.resize(t.size());
  b.nn_count.resize(t.size());
  for (std::size_t i = 0; i < t.size(); ++i) {
    b.flags[i] = std::isfinite(flags[i]) ? static_cast<std::uint32_t>(flags[i]) : 0u;
    // The live table has no nn_count: a beat gives one NN unless dropped, two if split.
    if (nn_count && std::isfinite((*nn_count)[i])) {
      b.nn_count[i] = static_cast<std::uint32_t>((*nn_count)[i]);
    } else {
      b.nn_count[i] = (b.flags[i] & beat_dropped) ? 0u : (b.flags[i] & beat_split) ? 2u : 1u;
    }
  }
  return b;
}

void read_heart(const ArchiveReader& reader, const ArchiveDevice& d, std::int64_t t0, double duration_s,
                bool ended_cleanly, const std::vector<MarkerTime>& markers, const ReportOptions& o, HeartReport& h) {
  const ArchiveValues& a = d.attributes;
  h.id = d.id;
  h.driver = attr_text(a, "driver");
  h.model = attr_text(a, "model");
  h.spectrum = attr_text(a, "spectrum");
  ArchiveTable table = reader.beats_final(d.id);
  const ArchiveTable live = reader.beats(d.id);
  h.live_beats = live.size();
  h.final_decisions = table.column("nn_ms") != nullptr;
  if (!h.final_decisions) table = live;  // format 1: only the live decisions exist
  const DecidedBeats beats = decided_beats(table);
  h.beats = beats.size();
  for (std::size_t i = 0; i < beats.size(); ++i)
    if ((beats.flags[i] & beat_artifact_mask) != 0) ++h.artifact_beats;
  if (h.beats > 0) h.artifact_pct = 100.0 * static_cast<double>(h.artifact_beats) / static_cast<double>(h.beats);
  if (const auto* missing = live.column("missing"))
    for (double v : *missing)
      if (std::isfinite(v)) h.strap_missing_beats += v;

  std::vector<std::uint8_t> has_nn(beats.size());
  for (std::size_t i = 0; i < beats.size(); ++i) has_nn[i] = beats.nn_count[i] > 0 ? 1 : 0;
  h.hr_bpm = stat_of(beats.hr_bpm, has_nn);
  h.hr = binned_series("Heart rate", "bpm", beats.time_ns, beats.hr_bpm, has_nn, t0,
                       bin_seconds(duration_s, 5.0, o.max_bins), duration_s);

  // The archived 300-s standard windows (final decisions) over time.
  const ArchiveTable hrv = reader.hrv(d.id);
  std::vector<std::uint8_t> standard(hrv.size(), 0);
  if (const auto* kind = hrv.column("kind"))
    for (std::size_t i = 0; i < hrv.size(); ++i) standard[i] = (*kind)[i] == 1.0 ? 1 : 0;
  auto points = [&](const char* field, const char* label, const char* unit) {
    Series s{label, unit, {}, {}};
    if (const auto* c = hrv.column(field))
      for (std::size_t i = 0; i < hrv.size(); ++i)
        if (standard[i]) {
          s.t_s.push_back(seconds_since(hrv.time_ns[i], t0));
          s.value.push_back((*c)[i]);
        }
    return s;
  };
  if (const auto* kind = hrv.column("kind"))
    for (std::size_t i = 0; i < hrv.size(); ++i)
      if ((*kind)[i] == 2.0) {  // baseline (schemas/hrv.md §9); a later one replaces an earlier
        h.baseline_hr_bpm = hrv.value("hr_bpm", i, kNaN);
        h.baseline_ln_rmssd = hrv.value("ln_rmssd", i, kNaN);
        h.baseline_t_s = seconds_since(hrv.time_ns[i], t0);
      }
  h.rmssd = points("rmssd_ms", "RMSSD (300-s windows)", "ms");
  h.ln_rmssd = points("ln_rmssd", "lnRMSSD (300-s windows)", "ln ms");
  h.hf = points("hf_ms2", "HF power (300-s windows)", "ms²");

  HrvCalculator calculator(frequency_settings_preset(h.spectrum.empty() ? "default" : h.spectrum));
  if (beats.size() >= 2) {
    h.whole = hrv_window(beats, beats.time_ns.front() - 1, beats.time_ns.back(), t0, calculator, "whole session",
                         !ended_cleanly && h.final_decisions);
    h.comparisons = hrv_comparisons(beats, markers, o.compare_minutes * 60.0, t0, calculator,
                                    !ended_cleanly && h.final_decisions);
  }
}

void read_relaxation(const ArchiveReader& reader, std::int64_t t0, double compare_s, RelaxationReport& r) {
  const ArchiveTable t = reader.relaxation();
  const auto* index = t.column("index");
  const auto* live = t.column("live");
  if (!index) return;
  r.index = Series{"Relaxation readout", "0–100", {}, {}};
  std::vector<std::uint8_t> use(t.size(), 0);
  for (std::size_t i = 0; i < t.size(); ++i) {
    use[i] = (!live || (*live)[i] == 1.0) && std::isfinite((*index)[i]) ? 1 : 0;
    r.index.t_s.push_back(seconds_since(t.time_ns[i], t0));
    r.index.value.push_back(use[i] ? (*index)[i] : kNaN);
  }
  r.index_stat = stat_of(*index, use);
  r.readings = r.index_stat.count;
  if (r.readings > 0) {
    // The last live reading's time minus the compare window: the readout at the end.
    std::int64_t last = 0;
    for (std::size_t i = 0; i < t.size(); ++i)
      if (use[i]) last = t.time_ns[i];
    std::vector<std::uint8_t> tail(t.size(), 0);
    for (std::size_t i = 0; i < t.size(); ++i)
      tail[i] = use[i] && t.time_ns[i] > last - static_cast<std::int64_t>(compare_s * kNsPerS) ? 1 : 0;
    r.last_index = stat_of(*index, tail).mean;
  }
}

}  // namespace

SessionReport build_session_report(const std::filesystem::path& path, const ReportOptions& o) {
  const ArchiveReader reader = ArchiveReader::open(path);
  const ArchiveValues& a = reader.attributes();
  SessionReport r;
  r.file = path.string();
  r.compare_minutes = o.compare_minutes;
  r.session_id = text_of(a, "session_id");
  r.subject = text_of(a, "subject");
  r.software_version = text_of(a, "software_version");
  r.format_version = integer_of(a, "format_version").value_or(0);
  r.started_at = text_of(a, "started_at");
  r.started_at_ns = integer_of(a, "started_at_ns").value_or(0);
  r.opened_as_swmr = reader.opened_as_swmr_reader();
  const bool ended = a.count("ended_at_ns") > 0;
  const bool crashed = text_of(a, "ended") == "crash";
  r.ended_at = ended ? text_of(a, "ended_at") : "";
  r.end_state = crashed ? "crash, repaired" : ended ? "clean" : "crash";
  const bool ended_cleanly = ended && !crashed;

  const std::vector<ArchiveEvent> events = reader.events();
  std::int64_t t0 = r.started_at_ns;
  // The last thing recorded, for a session without ended_at.
  std::int64_t last_ns = t0;
  for (const ArchiveDevice& d : reader.devices()) {
    if (d.kind == "mat") {
      const auto times = reader.frame_times(d.id);
      if (!times.empty()) last_ns = std::max(last_ns, times.back());
      if (t0 == 0 && !times.empty()) t0 = times.front();
    } else if (d.kind == "heart") {
      const ArchiveTable beats = reader.beats(d.id);
      if (beats.size() > 0) last_ns = std::max(last_ns, beats.time_ns.back());
    }
  }
  if (!events.empty()) last_ns = std::max(last_ns, events.back().time_ns);
  const std::int64_t end_ns = ended ? integer_of(a, "ended_at_ns").value_or(last_ns) : last_ns;
  r.duration_s = std::max(0.0, seconds_since(end_ns, t0));

  std::vector<MarkerTime> markers;
  for (const ArchiveEvent& e : events) {
    if (e.kind == "calibration" || e.kind == "device.info" || e.kind == "session.start" || e.kind == "session.stop")
      continue;
    r.events.push_back(TimedEvent{seconds_since(e.time_ns, t0), e.kind, e.label, e.value, e.detail});
    if (e.kind == "marker") markers.push_back(MarkerTime{e.time_ns, e.label});
    if (e.kind == "archive.dropped" && std::isfinite(e.value)) r.archive_dropped += static_cast<std::uint64_t>(e.value);
  }
  // A clean end leaves the totals as closing attributes; a crash only the events written so far.
  std::uint64_t closing_drops = 0;
  bool have_closing = false;
  for (const auto& [name, value] : a)
    if (name.rfind("archive_dropped_", 0) == 0) {
      have_closing = true;
      closing_drops += static_cast<std::uint64_t>(std::max<std::int64_t>(0, integer_of(a, name).value_or(0)));
    }
  if (have_closing) r.archive_dropped = closing_drops;

  std::string config_problem;
  const std::optional<DaemonConfig> config = archived_config(reader, config_problem);
  for (const ArchiveDevice& d : reader.devices()) {
    if (d.kind == "mat") {
      MatReport m;
      read_mat(reader, d, config, config_problem, t0, r.duration_s, o, m);
      r.mats.push_back(std::move(m));
    } else if (d.kind == "heart") {
      HeartReport h;
      read_heart(reader, d, t0, r.duration_s, ended_cleanly, markers, o, h);
      r.hearts.push_back(std::move(h));
    }
  }
  read_relaxation(reader, t0, o.compare_minutes * 60.0, r.relaxation);
  describe_quality(r);
  r.summary = summary_line(r);
  return r;
}

}  // namespace plinth::report
