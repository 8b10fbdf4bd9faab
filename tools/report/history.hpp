#pragma once
// `plinth history`: one row per session of one pseudonymous subject (schemas/report.md
// §History), the same columns as `plinth.history()` in the Python package. Sessions measured
// with another calibration or another device are put in their own group and marked, never
// silently mixed into one trend line. Pure, apart from list_session_files().
#include <filesystem>
#include <string>
#include <vector>

#include "tools/report/report_model.hpp"

namespace plinth::report {

struct HistoryRow {
  std::string date;               // YYYY-MM-DD of started_at (UTC)
  std::string started_at;
  std::int64_t started_at_ns = 0;
  std::string session_id;
  std::string file;
  double duration_min = kNaN;
  std::string end_state;
  double pain_before = kNaN;      // first and last pain score of the session
  double pain_after = kNaN;
  double baseline_hr_bpm = kNaN;  // the session baseline (resting HR, lnRMSSD)
  double baseline_ln_rmssd = kNaN;
  double hr_change_bpm = kNaN;    // last vs first N min (the report's first comparison)
  double rmssd_change_pct = kNaN;
  double relaxation_end = kNaN;   // mean readout over the last N min (50 = as at baseline)
  double time_on_table_min = kNaN;
  double contact_area_cm2 = kNaN; // mean over occupied, non-suspect frames
  double peak_pressure_mmhg = kNaN;
  double ppi_mmhg = kNaN;
  std::string techniques;         // technique marker labels, in order of first use, "; "-separated
  std::string calibration;        // calibration identity of the first mat (16 hex digits)
  std::string calibration_group;  // A, B, ... in order of first appearance
  std::string device;             // mat and strap identity
  std::string device_group;
  std::string marks;              // "calibration changed", "device changed", "did not end cleanly"
};

HistoryRow history_row(const SessionReport& report);

// Sorts by start time, gives calibration and device groups (letters in order of first
// appearance) and fills `marks` where either changes from the session before.
void assign_groups(std::vector<HistoryRow>& rows);

std::vector<std::string> history_columns();
std::string history_csv(const std::vector<HistoryRow>& rows);
std::string history_html(const std::vector<HistoryRow>& rows, const std::string& subject, const std::string& directory);

// Every *.h5 under `directory` (recursively), sorted by path; .repaired.h5 copies are left out
// when their original is there too (the original is read; its crash is noted).
std::vector<std::filesystem::path> list_session_files(const std::filesystem::path& directory);

}  // namespace plinth::report
