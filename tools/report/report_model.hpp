#pragma once
// What `plinth report` says about one session, as plain values: computed once
// (session_report.cpp from the archive, with the pure functions of report_numbers.hpp and
// hrv_windows.hpp), then rendered as HTML (report_html.cpp), as JSON (report_json.cpp: the
// dashboard's session summary) and summarised across sessions (history.cpp). Definitions of
// every number: schemas/report.md. Times are seconds since the session start; NaN = not
// computable.
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace plinth::report {

inline constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// mean / min / max over the values that count (finite, in the frames or beats chosen).
struct Stat {
  double mean = kNaN;
  double min = kNaN;
  double max = kNaN;
  std::size_t count = 0;
};

// A series over the session for a chart: points (t_s, value), NaN breaks the line.
struct Series {
  std::string name;
  std::string unit;
  std::vector<double> t_s;
  std::vector<double> value;
};

// Markers, notes, pain scores and other moments shown on every time axis.
struct TimedEvent {
  double t_s = 0.0;
  std::string kind;   // marker, pain, baseline, gap, device.lost, ...
  std::string label;
  double value = kNaN;
  std::string detail;
};

// A map over the mat, row-major (row 0 = head edge), in `unit`.
struct MapImage {
  std::uint16_t rows = 0;
  std::uint16_t cols = 0;
  double pitch_row_cm = 0.0;
  double pitch_col_cm = 0.0;
  std::string unit;
  std::vector<double> values;
};

struct RegionRow {
  std::string name;
  double share_of_load_pct = kNaN;      // mean region load / mean total load
  double mean_load_n = kNaN;
  double mean_contact_area_cm2 = kNaN;
  double mean_peak_mmhg = kNaN;
  double max_peak_mmhg = kNaN;
  double max_time_above_s = kNaN;       // longest time at or above the exposure threshold, any sensel
  double area_time_above_cm2 = kNaN;    // area of the sensels with any time at or above it
};

struct ExposureSummary {
  double threshold_mmhg = kNaN;
  double duration_s = kNaN;             // frame time covered by the last snapshot
  double max_pti_mmhg_s = kNaN;
  double max_time_above_s = kNaN;
  double area_any_above_cm2 = kNaN;     // sensels with any time at or above the threshold
  double area_above_5min_cm2 = kNaN;    // ... with 5 min or more
  std::size_t snapshots = 0;
};

struct MatReport {
  std::string id;
  std::string driver, model, serial, usb_serial;
  std::uint16_t rows = 0, cols = 0;
  double pitch_row_cm = kNaN, pitch_col_cm = kNaN;
  std::string calibration_json;         // the calibration in force, as archived
  std::string calibration_summary;      // e.g. "linear 0.025 mmHg/count, no equilibration"
  std::string calibration_fingerprint;  // 16 hex digits (schemas/report.md §Calibration identity)
  std::string device_identity;          // driver + model + serial, what tells two mats apart

  std::size_t frames = 0;
  double frame_rate_hz = kNaN;
  std::uint64_t sequence_gaps = 0;      // from the device counter
  std::uint64_t frames_lost = 0;
  std::size_t suspect_frames = 0;
  std::size_t occupied_frames = 0;      // occupied and not suspect: the frames every figure uses
  double time_on_table_s = kNaN;

  Stat total_load_n, contact_area_cm2, mean_pressure_mmhg, peak_pressure_mmhg, ppi_mmhg, symmetry_index_pct;
  std::vector<Series> series;           // peak, PPI, contact area, symmetry over time (binned means)
  double bin_s = kNaN;

  MapImage mean_map;                    // mmHg, mean over the occupied non-suspect frames
  std::string mean_map_basis;           // how it was computed (or why it is absent)
  double mean_map_peak_mmhg = kNaN;
  double mean_map_contact_area_cm2 = kNaN;
  MapImage exposure_pti;                // mmHg*s, the last exposure snapshot
  MapImage time_above;                  // s
  ExposureSummary exposure;
  std::vector<double> cop_row_cm, cop_col_cm;  // the trail (binned means), for the map overlay

  std::vector<RegionRow> regions;
  std::string regions_basis;            // configured regions, or the default zones
};

// HRV over one window of final beat decisions (schemas/hrv.md §3.2).
struct HrvWindow {
  std::string label;
  double begin_s = kNaN;                // (begin, end]: beats ending in it, as the live windows
  double end_s = kNaN;
  std::size_t beats = 0;
  std::size_t nn_count = 0;
  double nn_duration_s = kNaN;
  double artifact_pct = kNaN;
  double hr_bpm = kNaN;
  double rmssd_ms = kNaN;
  double ln_rmssd = kNaN;
  double sdnn_ms = kNaN;
  double hf_ms2 = kNaN;
  double lf_hf = kNaN;
  std::vector<std::string> caveats;     // Task Force minimum lengths, artifacts, crash
};

struct HrvComparison {
  std::string title;                    // "First vs last 5 min", "Around effleurage at 4:00"
  std::string marker_label;             // "" for first vs last
  double marker_t_s = kNaN;
  HrvWindow before, after;
  double hr_change_bpm = kNaN;          // after - before
  double rmssd_change_pct = kNaN;       // 100 (RMSSD after / before - 1)
  double hf_change_pct = kNaN;
};

struct HeartReport {
  std::string id, driver, model, spectrum;
  std::size_t beats = 0;                // final decisions archived
  std::size_t live_beats = 0;           // provisional decisions archived (the live record)
  std::size_t artifact_beats = 0;       // final decisions with an artifact flag
  double artifact_pct = kNaN;
  double strap_missing_beats = 0.0;
  bool final_decisions = true;          // false: a format-1 archive, the live decisions are used
  Stat hr_bpm;
  Series hr;                            // binned mean heart rate of the final decisions
  Series rmssd, ln_rmssd, hf;           // the archived 300-s standard windows
  HrvWindow whole;                      // the whole session
  double baseline_hr_bpm = kNaN;        // the session baseline's HRV row (hrv kind 2), the last one
  double baseline_ln_rmssd = kNaN;
  double baseline_t_s = kNaN;
  std::vector<HrvComparison> comparisons;
};

struct RelaxationReport {
  Series index;                         // live readings only
  Stat index_stat;
  double last_index = kNaN;             // mean of the live readings over the last compare window
  std::size_t readings = 0;
};

struct SessionReport {
  std::string file;
  std::string session_id, subject, software_version;
  std::int64_t format_version = 0;
  std::string started_at;               // ISO 8601 UTC as archived
  std::int64_t started_at_ns = 0;
  std::string ended_at;                 // "" if the session did not end cleanly
  double duration_s = kNaN;
  std::string end_state;                // "clean", "crash" (no ended_at) or "crash, repaired"
  bool opened_as_swmr = false;

  std::vector<MatReport> mats;
  std::vector<HeartReport> hearts;
  RelaxationReport relaxation;
  std::vector<TimedEvent> events;       // every archived event but calibration/status chatter
  std::vector<std::string> quality;     // data-quality lines, worst first
  std::vector<std::string> notices;     // e.g. "did not end cleanly: plinth repair FILE"
  std::uint64_t archive_dropped = 0;
  double compare_minutes = 5.0;
  std::string summary;                  // the plain-language line
};

}  // namespace plinth::report
