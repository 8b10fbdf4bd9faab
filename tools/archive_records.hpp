#pragma once
// Archived rows back into the records the daemon published them from: the inverse of
// flatten_metrics (daemon/pressure), flatten_hrv_record and the beat fields (daemon/hrv), by
// field name, so that replay can hand them to the same encoders as live. Pure functions.
#include <cstddef>

#include "daemon/hrv/beat_record.hpp"
#include "daemon/hrv/hrv_metrics.hpp"
#include "daemon/pressure/pressure_pipeline.hpp"
#include "tools/archive_reader.hpp"

namespace plinth {

// Scalar metrics of row `row` of /pressure/<id>/metrics into `out` (fields the table lacks
// keep their value). Region loads are restored from "region.<name>.<field>" columns for the
// regions already in out.regions.
void restore_pressure_metrics(const ArchiveTable& metrics, std::size_t row, PressureResult& out);

// Row `row` of /heart/<id>/beats. beat_index and nn_count come from their columns if the
// archive has them, else from the row number and the flags.
BeatRecord restore_beat(const ArchiveTable& beats, std::size_t row);
std::uint32_t restore_beat_missing(const ArchiveTable& beats, std::size_t row);

// Row `row` of /heart/<id>/hrv.
HrvMetrics restore_hrv(const ArchiveTable& hrv, std::size_t row);

}  // namespace plinth
