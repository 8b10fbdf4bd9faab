#pragma once
// The `plinth calibrate` procedure (schemas/calibration.md): frames of the unloaded mat and
// of one or more known uniform loads in, a calibration file (per-sensel offset and gain plus
// a fitted global curve) out. The arithmetic is compute_equilibration and the curve fits of
// daemon/pressure/calibration.hpp; this adds frame selection, the file and a report.
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "daemon/pressure/calibration.hpp"
#include "daemon/pressure/calibration_fit.hpp"
#include "tools/analyze/mat_data.hpp"

namespace plinth {

// Frames fit to calibrate from: neither flagged by the decoder nor looks_corrupt().
std::vector<MatFrame> usable_calibration_frames(std::span<const MatFrame> frames, std::size_t* dropped = nullptr);

struct CalibrationOutcome {
  CalibrationFile file;
  EquilibrationFit fit;
  std::size_t unloaded_frames = 0;          // used
  std::vector<std::size_t> loaded_frames;   // used, per load
  std::size_t dropped_frames = 0;           // suspect frames left out, all stages
};

// curve: "linear" (K >= 1 loads), "power" (K >= 2) or "table". Throws std::invalid_argument.
CalibrationOutcome calibrate_from_frames(std::span<const MatFrame> unloaded, std::span<const LoadedSet> loaded,
                                         const std::string& curve, const std::string& device_serial,
                                         const std::string& created_at);

// What the user is shown: counts, dead sensels, the mat-average response per load, the curve,
// and the gain spread.
nlohmann::json calibration_report(const CalibrationOutcome& outcome);

// "FILE:KPA" -> (FILE, KPA); the last colon splits, so paths may contain colons.
std::pair<std::string, double> parse_loaded_argument(const std::string& argument);

struct OfflineCalibrationOptions {
  std::string unloaded;               // recording, capture or archive of the empty mat
  std::vector<std::string> loaded;    // "FILE:KPA", one per known uniform load
  std::string output;                 // calibration file to write
  bool overwrite = false;             // else an existing output file is an error
  std::string curve = "linear";
  std::string device_serial;
  std::string created_at;             // ISO 8601 UTC; the command fills in "now"
  MatDataOptions data;                // input kind, geometry, archive device
};

// Loads every file, calibrates and writes the file. Throws std::runtime_error subclasses.
CalibrationOutcome run_offline_calibration(const OfflineCalibrationOptions& options);

}  // namespace plinth
