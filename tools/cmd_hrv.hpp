#pragma once
// `plinth hrv FILE`: offline HRV of an RR/NN interval file (one interval in ms per line),
// printed as JSON. The pure part (read, analyse) is exposed for tests.
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "daemon/hrv/beat_record.hpp"
#include "drivers/rr_file.hpp"

namespace CLI {
class App;
}

namespace plinth {

struct HrvCommandOptions {
  CorrectionMode correction = CorrectionMode::lipponen;
  double window_s = 300.0;
  double step_s = 60.0;
  std::string spectrum = "default";  // a frequency_settings_preset name: default, pyhrv or kubios
};

// Whole-recording and per-window metrics plus what the correction changed.
nlohmann::json hrv_report(std::span<const double> rr_ms, const HrvCommandOptions& options);

void add_hrv_command(CLI::App& app);

}  // namespace plinth
