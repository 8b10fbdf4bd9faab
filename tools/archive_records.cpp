#include "tools/archive_records.hpp"

#include <cmath>
#include <limits>
#include <string_view>

#include "daemon/hrv/hrv_flatten.hpp"

namespace plinth {

namespace {

// Restores the table's fields from one archive row.
template <typename Record>
void restore(std::span<const Field<Record>> fields, const ArchiveTable& table, std::size_t row, Record& out) {
  restore_fields(fields, table.names, [&](std::size_t k) { return table.columns[k][row]; }, out);
}

}  // namespace

void restore_pressure_metrics(const ArchiveTable& metrics, std::size_t row, PressureResult& out) {
  if (row >= metrics.size()) return;
  out.host_time_ns = metrics.time_ns[row];
  restore(pressure_metric_fields(), metrics, row, out);
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
  b.beat_index = archived_integer<std::uint64_t>(beats.value("beat_index", row, static_cast<double>(row)), row);
  b.rr_ms = beats.value("rr_ms", row, nan);
  b.nn_ms = beats.value("nn_ms", row, nan);
  b.hr_bpm = beats.value("hr_bpm", row, nan);
  b.flags = archived_integer<std::uint32_t>(beats.value("flags", row, 0.0), 0);
  const std::uint32_t implied = (b.flags & beat_dropped) ? 0u : (b.flags & beat_split) ? 2u : 1u;
  b.nn_count = archived_integer<std::uint32_t>(beats.value("nn_count", row, implied), implied);
  b.provisional_flags = archived_integer<std::uint32_t>(beats.value("provisional_flags", row, 0.0), 0);
  return b;
}

std::uint32_t restore_beat_missing(const ArchiveTable& beats, std::size_t row) {
  return archived_integer<std::uint32_t>(beats.value("missing", row, 0.0), 0);
}

HrvMetrics restore_hrv(const ArchiveTable& hrv, std::size_t row) {
  HrvMetrics m;
  if (row >= hrv.size()) return m;
  m.time_ns = hrv.time_ns[row];
  restore(hrv_record_field_table(), hrv, row, m);
  // Archives written before rmssd_change_pct existed carry ln_rmssd_change_pct instead (not
  // restored: a percent change of the logarithm); the RMSSD change follows from delta_ln_rmssd.
  if (std::isnan(m.baseline.rmssd_change_pct) && std::isfinite(m.baseline.delta_ln_rmssd)) {
    m.baseline.rmssd_change_pct = 100.0 * std::expm1(m.baseline.delta_ln_rmssd);
  }
  return m;
}

}  // namespace plinth
