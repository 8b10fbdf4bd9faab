#include "daemon/hrv/hrv_flatten.hpp"

#include "daemon/util/field_table.hpp"

namespace plinth {

namespace {

constexpr Field<HrvMetrics> hrv_fields[] = {
    {"time_ns", [](const HrvMetrics& m) { return static_cast<double>(m.time_ns); }},
    {"kind", [](const HrvMetrics& m) { return static_cast<double>(m.kind); },
     [](HrvMetrics& m, double v) { m.kind = static_cast<HrvWindowKind>(archived_integer<std::uint8_t>(v, 0)); }},
    {"window_s", [](const HrvMetrics& m) { return m.window_s; },
     [](HrvMetrics& m, double v) { m.window_s = v; }},
    {"duration_s", [](const HrvMetrics& m) { return m.time.duration_s; },
     [](HrvMetrics& m, double v) { m.time.duration_s = v; }},
    {"beat_count", [](const HrvMetrics& m) { return static_cast<double>(m.beat_count); },
     [](HrvMetrics& m, double v) { m.beat_count = archived_integer<std::uint32_t>(v, 0); }},
    {"nn_count", [](const HrvMetrics& m) { return static_cast<double>(m.time.nn_count); },
     [](HrvMetrics& m, double v) { m.time.nn_count = archived_integer<std::uint32_t>(v, 0); }},
    {"artifact_count", [](const HrvMetrics& m) { return static_cast<double>(m.artifact_count); },
     [](HrvMetrics& m, double v) { m.artifact_count = archived_integer<std::uint32_t>(v, 0); }},
    {"artifact_pct", [](const HrvMetrics& m) { return m.artifact_pct; },
     [](HrvMetrics& m, double v) { m.artifact_pct = v; }},
    {"mean_nn_ms", [](const HrvMetrics& m) { return m.time.mean_nn_ms; },
     [](HrvMetrics& m, double v) { m.time.mean_nn_ms = v; }},
    {"hr_bpm", [](const HrvMetrics& m) { return m.time.hr_bpm; },
     [](HrvMetrics& m, double v) { m.time.hr_bpm = v; }},
    {"sdnn_ms", [](const HrvMetrics& m) { return m.time.sdnn_ms; },
     [](HrvMetrics& m, double v) { m.time.sdnn_ms = v; }},
    {"rmssd_ms", [](const HrvMetrics& m) { return m.time.rmssd_ms; },
     [](HrvMetrics& m, double v) { m.time.rmssd_ms = v; }},
    {"ln_rmssd", [](const HrvMetrics& m) { return m.time.ln_rmssd; },
     [](HrvMetrics& m, double v) { m.time.ln_rmssd = v; }},
    {"pnn50_pct", [](const HrvMetrics& m) { return m.time.pnn50_pct; },
     [](HrvMetrics& m, double v) { m.time.pnn50_pct = v; }},
    {"sd1_ms", [](const HrvMetrics& m) { return m.time.sd1_ms; },
     [](HrvMetrics& m, double v) { m.time.sd1_ms = v; }},
    {"sd2_ms", [](const HrvMetrics& m) { return m.time.sd2_ms; },
     [](HrvMetrics& m, double v) { m.time.sd2_ms = v; }},
    {"sd1_sd2", [](const HrvMetrics& m) { return m.time.sd1_sd2; },
     [](HrvMetrics& m, double v) { m.time.sd1_sd2 = v; }},
    {"vlf_ms2", [](const HrvMetrics& m) { return m.frequency.vlf_ms2; },
     [](HrvMetrics& m, double v) { m.frequency.vlf_ms2 = v; }},
    {"lf_ms2", [](const HrvMetrics& m) { return m.frequency.lf_ms2; },
     [](HrvMetrics& m, double v) { m.frequency.lf_ms2 = v; }},
    {"hf_ms2", [](const HrvMetrics& m) { return m.frequency.hf_ms2; },
     [](HrvMetrics& m, double v) { m.frequency.hf_ms2 = v; }},
    {"lf_hf", [](const HrvMetrics& m) { return m.frequency.lf_hf; },
     [](HrvMetrics& m, double v) { m.frequency.lf_hf = v; }},
    {"lf_nu", [](const HrvMetrics& m) { return m.frequency.lf_nu; },
     [](HrvMetrics& m, double v) { m.frequency.lf_nu = v; }},
    {"hf_nu", [](const HrvMetrics& m) { return m.frequency.hf_nu; },
     [](HrvMetrics& m, double v) { m.frequency.hf_nu = v; }},
    {"lf_peak_hz", [](const HrvMetrics& m) { return m.frequency.lf_peak_hz; },
     [](HrvMetrics& m, double v) { m.frequency.lf_peak_hz = v; }},
    {"hf_peak_hz", [](const HrvMetrics& m) { return m.frequency.hf_peak_hz; },
     [](HrvMetrics& m, double v) { m.frequency.hf_peak_hz = v; }},
    {"resp_rate_bpm", [](const HrvMetrics& m) { return m.frequency.resp_rate_bpm; },
     [](HrvMetrics& m, double v) { m.frequency.resp_rate_bpm = v; }},
    {"pns_index", [](const HrvMetrics& m) { return m.pns_index; },
     [](HrvMetrics& m, double v) { m.pns_index = v; }},
    {"baseline_ln_rmssd", [](const HrvMetrics& m) { return m.baseline.baseline_ln_rmssd; },
     [](HrvMetrics& m, double v) { m.baseline.baseline_ln_rmssd = v; }},
    {"delta_ln_rmssd", [](const HrvMetrics& m) { return m.baseline.delta_ln_rmssd; },
     [](HrvMetrics& m, double v) { m.baseline.delta_ln_rmssd = v; }},
    {"rmssd_change_pct", [](const HrvMetrics& m) { return m.baseline.rmssd_change_pct; },
     [](HrvMetrics& m, double v) { m.baseline.rmssd_change_pct = v; }},
    {"baseline_hf_ms2", [](const HrvMetrics& m) { return m.baseline.baseline_hf_ms2; },
     [](HrvMetrics& m, double v) { m.baseline.baseline_hf_ms2 = v; }},
    {"hf_change_pct", [](const HrvMetrics& m) { return m.baseline.hf_change_pct; },
     [](HrvMetrics& m, double v) { m.baseline.hf_change_pct = v; }},
};

constexpr Field<BeatRecord> beat_fields[] = {
    {"time_ns", [](const BeatRecord& b) { return static_cast<double>(b.time_ns); }},
    {"beat_index", [](const BeatRecord& b) { return static_cast<double>(b.beat_index); }},
    {"rr_ms", [](const BeatRecord& b) { return b.rr_ms; }},
    {"nn_ms", [](const BeatRecord& b) { return b.nn_ms; }},
    {"hr_bpm", [](const BeatRecord& b) { return b.hr_bpm; }},
    {"flags", [](const BeatRecord& b) { return static_cast<double>(b.flags); }},
    {"nn_count", [](const BeatRecord& b) { return static_cast<double>(b.nn_count); }},
    {"provisional_flags", [](const BeatRecord& b) { return static_cast<double>(b.provisional_flags); }},
};

constexpr auto hrv_names = field_names(hrv_fields);
constexpr auto beat_names = field_names(beat_fields);

}  // namespace

std::span<const Field<HrvMetrics>> hrv_record_field_table() { return hrv_fields; }
std::span<const std::string_view> hrv_record_fields() { return hrv_names; }
void flatten_hrv_record(const HrvMetrics& record, std::span<double> out) {
  flatten_fields(hrv_fields, record, out, "flatten_hrv_record");
}

std::span<const std::string_view> beat_record_fields() { return beat_names; }
void flatten_beat_record(const BeatRecord& record, std::span<double> out) {
  flatten_fields(beat_fields, record, out, "flatten_beat_record");
}

}  // namespace plinth
