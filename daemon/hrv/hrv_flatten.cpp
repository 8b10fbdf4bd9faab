#include "daemon/hrv/hrv_flatten.hpp"

#include "daemon/util/field_table.hpp"

namespace plinth {

namespace {

constexpr Field<HrvMetrics> hrv_fields[] = {
    {"time_ns", [](const HrvMetrics& m) { return static_cast<double>(m.time_ns); }},
    {"kind", [](const HrvMetrics& m) { return static_cast<double>(m.kind); }},
    {"window_s", [](const HrvMetrics& m) { return m.window_s; }},
    {"duration_s", [](const HrvMetrics& m) { return m.time.duration_s; }},
    {"beat_count", [](const HrvMetrics& m) { return static_cast<double>(m.beat_count); }},
    {"nn_count", [](const HrvMetrics& m) { return static_cast<double>(m.time.nn_count); }},
    {"artifact_count", [](const HrvMetrics& m) { return static_cast<double>(m.artifact_count); }},
    {"artifact_pct", [](const HrvMetrics& m) { return m.artifact_pct; }},
    {"mean_nn_ms", [](const HrvMetrics& m) { return m.time.mean_nn_ms; }},
    {"hr_bpm", [](const HrvMetrics& m) { return m.time.hr_bpm; }},
    {"sdnn_ms", [](const HrvMetrics& m) { return m.time.sdnn_ms; }},
    {"rmssd_ms", [](const HrvMetrics& m) { return m.time.rmssd_ms; }},
    {"ln_rmssd", [](const HrvMetrics& m) { return m.time.ln_rmssd; }},
    {"pnn50_pct", [](const HrvMetrics& m) { return m.time.pnn50_pct; }},
    {"sd1_ms", [](const HrvMetrics& m) { return m.time.sd1_ms; }},
    {"sd2_ms", [](const HrvMetrics& m) { return m.time.sd2_ms; }},
    {"sd1_sd2", [](const HrvMetrics& m) { return m.time.sd1_sd2; }},
    {"vlf_ms2", [](const HrvMetrics& m) { return m.frequency.vlf_ms2; }},
    {"lf_ms2", [](const HrvMetrics& m) { return m.frequency.lf_ms2; }},
    {"hf_ms2", [](const HrvMetrics& m) { return m.frequency.hf_ms2; }},
    {"lf_hf", [](const HrvMetrics& m) { return m.frequency.lf_hf; }},
    {"lf_nu", [](const HrvMetrics& m) { return m.frequency.lf_nu; }},
    {"hf_nu", [](const HrvMetrics& m) { return m.frequency.hf_nu; }},
    {"lf_peak_hz", [](const HrvMetrics& m) { return m.frequency.lf_peak_hz; }},
    {"hf_peak_hz", [](const HrvMetrics& m) { return m.frequency.hf_peak_hz; }},
    {"resp_rate_bpm", [](const HrvMetrics& m) { return m.frequency.resp_rate_bpm; }},
    {"pns_index", [](const HrvMetrics& m) { return m.pns_index; }},
    {"baseline_ln_rmssd", [](const HrvMetrics& m) { return m.baseline.baseline_ln_rmssd; }},
    {"delta_ln_rmssd", [](const HrvMetrics& m) { return m.baseline.delta_ln_rmssd; }},
    {"rmssd_change_pct", [](const HrvMetrics& m) { return m.baseline.rmssd_change_pct; }},
    {"baseline_hf_ms2", [](const HrvMetrics& m) { return m.baseline.baseline_hf_ms2; }},
    {"hf_change_pct", [](const HrvMetrics& m) { return m.baseline.hf_change_pct; }},
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

std::span<const std::string_view> hrv_record_fields() { return hrv_names; }
void flatten_hrv_record(const HrvMetrics& record, std::span<double> out) {
  flatten_fields(hrv_fields, record, out, "flatten_hrv_record");
}

std::span<const std::string_view> beat_record_fields() { return beat_names; }
void flatten_beat_record(const BeatRecord& record, std::span<double> out) {
  flatten_fields(beat_fields, record, out, "flatten_beat_record");
}

}  // namespace plinth
