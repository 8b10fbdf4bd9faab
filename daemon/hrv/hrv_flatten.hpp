#pragma once
// Flat float64 views of the HRV and beat records for the archive's compound datasets
// (/heart/<id>/hrv and /heart/<id>/beats): the field names, in order, and a writer of one
// record's values in that order. Field meanings: schemas/hrv.md ("Archive fields").
#include <span>
#include <string_view>

#include "daemon/hrv/beat_record.hpp"
#include "daemon/hrv/hrv_metrics.hpp"
#include "daemon/util/field_table.hpp"

namespace plinth {

// The HRV record's table (names, values, restore), for `plinth replay` as recorded.
std::span<const Field<HrvMetrics>> hrv_record_field_table();
std::span<const std::string_view> hrv_record_fields();
// `out` must have exactly hrv_record_fields().size() elements (std::invalid_argument otherwise).
void flatten_hrv_record(const HrvMetrics& record, std::span<double> out);

std::span<const std::string_view> beat_record_fields();
void flatten_beat_record(const BeatRecord& record, std::span<double> out);

}  // namespace plinth
