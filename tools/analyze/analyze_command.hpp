#pragma once
// `plinth analyze FILE`: the daemon's pressure pipeline over a recording, per-frame metrics
// as JSON lines or CSV. Calibration and geometry come from a plinthd config's mat table
// (--config), from the command line (--scale, --pitch, --rows, --cols), or, for an archive,
// from the config the session was recorded with. Everything but the printing is exposed
// for tests.
#include <iosfwd>
#include <string>
#include <vector>

#include "daemon/pressure/pressure_config.hpp"
#include "tools/analyze/mat_data.hpp"

namespace plinth {

struct AnalyzeOptions {
  std::string file;
  std::string config_path;           // a plinthd TOML config
  std::string device;                // the config's mat / the archive's mat
  std::string format = "jsonl";      // jsonl | csv
  std::string input = "auto";        // MatDataOptions::input
  std::uint16_t rows = 0;            // geometry for data that does not carry it
  std::uint16_t cols = 0;
  double pitch_cm = 0.0;             // without a config: sensel pitch (else the data's)
  double scale = 0.0;                // without a config: linear curve, P = scale * raw ...
  std::string unit = "kPa";          // ... in this unit (kPa or mmHg)
  std::uint16_t saturation_raw = 0;  // without a config: 0 = 65535
  double noise_threshold_mmhg = kDefaultNoiseThresholdMmhg;  // without a config
  double rate_hz = 0.0;              // frame rate when the data has no times
};

struct PreparedAnalysis {
  MatData data;
  PressureConfig config;
  std::string config_origin;  // where the calibration and geometry came from
  std::vector<std::string> warnings;  // deprecated keys in a --config file
};

// Loads the data and resolves the pressure config; throws std::runtime_error (MatDataError,
// ConfigError, ...) with a message for the user.
PreparedAnalysis prepare_analysis(const AnalyzeOptions& options);

// Runs the pipeline over every frame and prints one line per frame: JSON objects (`frame`,
// `time_ns`, `time_s`, `device_seq`, then every metric column; NaN as null, `suspect` and
// `occupied` as booleans) or CSV with a header row (NaN as an empty field).
void write_analysis(const PreparedAnalysis& analysis, const std::string& format, std::ostream& out);

}  // namespace plinth
