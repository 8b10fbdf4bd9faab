#include "tools/archive_records.hpp"

#include <cmath>
#include <limits>
#include <string_view>

namespace plinth {

namespace {

template <typename Int>
Int to_integer(double v, Int fallback) {
  if (!std::isfinite(v)) return fallback;
  const double lo = static_cast<double>(std::numeric_limits<Int>::lowest());
  const double hi = static_cast<double>(std::numeric_limits<Int>::max());
  if (v < lo || v > hi) return fallback;
  return static_cast<Int>(v);
}

template <typename Record>
struct Setter {
  std::string_view name;
  void (*set)(Record&, double);
};

// The names are those of flatten_metrics (daemon/pressure/pressure_pipeline.cpp); a field the
// archive lacks is simply not set.
constexpr Setter<PressureResult> kPressureSetters[] = {
    {"total_load_n", [](PressureResult& r, double v) { r.frame.total_load_n = v; }},
    {"contact_area_cm2", [](PressureResult& r, double v) { r.frame.contact_area_cm2 = v; }},
    {"contact_sensels", [](PressureResult& r, double v) { r.frame.contact_sensels = to_integer<std::uint32_t>(v, 0); }},
    {"mean_pressure_mmhg", [](PressureResult& r, double v) { r.frame.mean_pressure_mmhg = v; }},
    {"peak_pressure_mmhg", [](PressureResult& r, double v) { r.frame.peak_pressure_mmhg = v; }},
    {"peak_row", [](PressureResult& r, double v) { r.frame.peak_row = to_integer<int>(v, -1); }},
    {"peak_col", [](PressureResult& r, double v) { r.frame.peak_col = to_integer<int>(v, -1); }},
    {"ppi_mmhg", [](PressureResult& r, double v) { r.frame.ppi_mmhg = v; }},
    {"ppi_row", [](PressureResult& r, double v) { r.frame.ppi_row = to_integer<int>(v, -1); }},
    {"ppi_col", [](PressureResult& r, double v) { r.frame.ppi_col = to_integer<int>(v, -1); }},
    {"coefficient_of_variation", [](PressureResult& r, double v) { r.frame.coefficient_of_variation = v; }},
    {"cop_row_cm", [](PressureResult& r, double v) { r.frame.cop_row_cm = v; }},
    {"cop_col_cm", [](PressureResult& r, double v) { r.frame.cop_col_cm = v; }},
    {"gradient_max_mmhg_per_cm", [](PressureResult& r, double v) { r.frame.gradient_max_mmhg_per_cm = v; }},
    {"saturated_count", [](PressureResult& r, double v) { r.frame.saturated_count = to_integer<std::uint32_t>(v, 0); }},
    {"suspect", [](PressureResult& r, double v) { r.suspect = v != 0.0 && !std::isnan(v); }},
    {"occupied", [](PressureResult& r, double v) { r.occupied = v != 0.0 && !std::isnan(v); }},
    {"left_load_n", [](PressureResult& r, double v) { r.symmetry.left_load_n = v; }},
    {"right_load_n", [](PressureResult& r, double v) { r.symmetry.right_load_n = v; }},
    {"symmetry_index_pct", [](PressureResult& r, double v) { r.symmetry.symmetry_index_pct = v; }},
    {"axis_angle_deg", [](PressureResult& r, double v) { r.symmetry.axis_angle_deg = v; }},
    {"midline_row_cm", [](PressureResult& r, double v) { r.symmetry.midline_row_cm = v; }},
    {"midline_col_cm", [](PressureResult& r, double v) { r.symmetry.midline_col_cm = v; }},
    {"dispersion_index_pct", [](PressureResult& r, double v) { r.dispersion_index_pct = v; }},
    {"sway_window_s", [](PressureResult& r, double v) { r.sway.window_s = v; }},
    {"sway_samples", [](PressureResult& r, double v) { r.sway.samples = to_integer<std::uint32_t>(v, 0); }},
    {"sway_path_length_cm", [](PressureResult& r, double v) { r.sway.path_length_cm = v; }},
    {"sway_mean_velocity_cm_s", [](PressureResult& r, double v) { r.sway.mean_velocity_cm_s = v; }},
    {"sway_rms_distance_cm", [](PressureResult& r, double v) { r.sway.rms_distance_cm = v; }},
    {"sway_ellipse95_area_cm2", [](PressureResult& r, double v) { r.sway.ellipse95_area_cm2 = v; }},
    {"movement_index_per_s", [](PressureResult& r, double v) { r.movement_index_per_s = v; }},
};

// The names are those of flatten_hrv_record (daemon/hrv/hrv_flatten.cpp).
constexpr Setter<HrvMetrics> kHrvSetters[] = {
    {"kind", [](HrvMetrics& m, double v) { m.kind = static_cast<HrvWindowKind>(to_integer<std::uint8_t>(v, 0)); }},
    {"window_s", [](HrvMetrics& m, double v) { m.window_s = v; }},
    {"duration_s", [](HrvMetrics& m, double v) { m.time.duration_s = v; }},
    {"beat_count", [](HrvMetrics& m, double v) { m.beat_count = to_integer<std::uint32_t>(v, 0); }},
    {"nn_count", [](HrvMetrics& m, double v) { m.time.nn_count = to_integer<std::uint32_t>(v, 0); }},
    {"artifact_count", [](HrvMetrics& m, double v) { m.artifact_count = to_integer<std::uint32_t>(v, 0); }},
    {"artifact_pct", [](HrvMetrics& m, double v) { m.artifact_pct = v; }},
    {"mean_nn_ms", [](HrvMetrics& m, double v) { m.time.mean_nn_ms = v; }},
    {"hr_bpm", [](HrvMetrics& m, double v) { m.time.hr_bpm = v; }},
    {"sdnn_ms", [](HrvMetrics& m, double v) { m.time.sdnn_ms = v; }},
    {"rmssd_ms", [](HrvMetrics& m, double v) { m.time.rmssd_ms = v; }},
    {"ln_rmssd", [](HrvMetrics& m, double v) { m.time.ln_rmssd = v; }},
    {"pnn50_pct", [](HrvMetrics& m, double v) { m.time.pnn50_pct = v; }},
    {"sd1_ms", [](HrvMetrics& m, double v) { m.time.sd1_ms = v; }},
    {"sd2_ms", [](HrvMetrics& m, double v) { m.time.sd2_ms = v; }},
    {"sd1_sd2", [](HrvMetrics& m, double v) { m.time.sd1_sd2 = v; }},
    {"vlf_ms2", [](HrvMetrics& m, double v) { m.frequency.vlf_ms2 = v; }},
    {"lf_ms2", [](HrvMetrics& m, double v) { m.frequency.lf_ms2 = v; }},
    {"hf_ms2", [](HrvMetrics& m, double v) { m.frequency.hf_ms2 = v; }},
    {"lf_hf", [](HrvMetrics& m, double v) { m.frequency.lf_hf = v; }},
    {"lf_nu", [](HrvMetrics& m, double v) { m.frequency.lf_nu = v; }},
    {"hf_nu", [](HrvMetrics& m, double v) { m.frequency.hf_nu = v; }},
    {"lf_peak_hz", [](HrvMetrics& m, double v) { m.frequency.lf_peak_hz = v; }},
    {"hf_peak_hz", [](HrvMetrics& m, double v) { m.frequency.hf_peak_hz = v; }},
    {"resp_rate_bpm", [](HrvMetrics& m, double v) { m.frequency.resp_rate_bpm = v; }},
    {"pns_index", [](HrvMetrics& m, double v) { m.pns_index = v; }},
    {"baseline_ln_rmssd", [](HrvMetrics& m, double v) { m.baseline.baseline_ln_rmssd = v; }},
    {"delta_ln_rmssd", [](HrvMetrics& m, double v) { m.baseline.delta_ln_rmssd = v; }},
    {"rmssd_change_pct", [](HrvMetrics& m, double v) { m.baseline.rmssd_change_pct = v; }},
    {"baseline_hf_ms2", [](HrvMetrics& m, double v) { m.baseline.baseline_hf_ms2 = v; }},
    {"hf_change_pct", [](HrvMetrics& m, double v) { m.baseline.hf_change_pct = v; }},
};

template <typename Record, std::size_t N>
void restore(const Setter<Record> (&setters)[N], const ArchiveTable& table, std::size_t row, Record& out) {
  for (std::size_t k = 0; k < table.names.size(); ++k)
    for (const auto& s : setters)
      if (s.name == table.names[k]) {
        s.set(out, table.columns[k][row]);
        break;
      }
}

}  // namespace

void restore_pressure_metrics(const ArchiveTable& metrics, std::size_t row, PressureResult& out) {
  if (row >= metrics.size()) return;
  out.host_time_ns = metrics.time_ns[row];
  restore(kPressureSetters, metrics, row, out);
  for (RegionLoad& region : out.regions) {
    const std::string prefix = "region." + region.name + ".";
    region.load_n = metrics.value(prefix + "load_n", row, region.load_n);
    region.contact_area_cm2 = metrics.value(prefix + "contact_area_cm2", row, region.contact_area_cm2);
    region.peak_pressure_mmhg = metrics.value(prefix + "peak_pressure_mmhg", row, region.peak_pressure_mmhg);
    region.mean_pressure_mmhg = metrics.value(prefix + "mean_pressure_mmhg", row, region.mean_pressure_mmhg);
  }
}

BeatRecord restore_beat(const ArchiveTable& beats, std::size_t row) {
  constexpr double nan = std::numeric_limits<double>::quiet_NaN();
  BeatRecord b;
  if (row >= beats.size()) return b;
  b.time_ns = beats.time_ns[row];
  b.beat_index = to_integer<std::uint64_t>(beats.value("beat_index", row, static_cast<double>(row)), row);
  b.rr_ms = beats.value("rr_ms", row, nan);
  b.nn_ms = beats.value("nn_ms", row, nan);
  b.hr_bpm = beats.value("hr_bpm", row, nan);
  b.flags = to_integer<std::uint32_t>(beats.value("flags", row, 0.0), 0);
  const std::uint32_t implied = (b.flags & beat_dropped) ? 0u : (b.flags & beat_split) ? 2u : 1u;
  b.nn_count = to_integer<std::uint32_t>(beats.value("nn_count", row, implied), implied);
  b.provisional_flags = to_integer<std::uint32_t>(beats.value("provisional_flags", row, 0.0), 0);
  return b;
}

std::uint32_t restore_beat_missing(const ArchiveTable& beats, std::size_t row) {
  return to_integer<std::uint32_t>(beats.value("missing", row, 0.0), 0);
}

HrvMetrics restore_hrv(const ArchiveTable& hrv, std::size_t row) {
  HrvMetrics m;
  if (row >= hrv.size()) return m;
  m.time_ns = hrv.time_ns[row];
  restore(kHrvSetters, hrv, row, m);
  // Archives written before rmssd_change_pct existed carry ln_rmssd_change_pct instead (not
  // restored: a percent change of the logarithm); the RMSSD change follows from delta_ln_rmssd.
  if (std::isnan(m.baseline.rmssd_change_pct) && std::isfinite(m.baseline.delta_ln_rmssd)) {
    m.baseline.rmssd_change_pct = 100.0 * std::expm1(m.baseline.delta_ln_rmssd);
  }
  return m;
}

}  // namespace plinth
