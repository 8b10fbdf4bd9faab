#include "tools/analyze/calibration_procedure.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>

#include "daemon/pressure/corrupt_frame.hpp"

namespace plinth {

std::vector<MatFrame> usable_calibration_frames(std::span<const MatFrame> frames, std::size_t* dropped) {
  std::vector<MatFrame> out;
  out.reserve(frames.size());
  for (const MatFrame& f : frames)
    if (!f.suspect && !looks_corrupt(f)) out.push_back(f);
  if (dropped) *dropped += frames.size() - out.size();
  return out;
}

CalibrationOutcome calibrate_from_frames(std::span<const MatFrame> unloaded, std::span<const LoadedSet> loaded,
                                         const std::string& curve, const std::string& device_serial,
                                         const std::string& created_at) {
  CalibrationOutcome o;
  const std::vector<MatFrame> empty = usable_calibration_frames(unloaded, &o.dropped_frames);
  if (empty.empty()) throw std::invalid_argument("no usable frames of the unloaded mat");
  o.unloaded_frames = empty.size();
  std::vector<LoadedSet> sets;
  for (const LoadedSet& set : loaded) {
    LoadedSet usable{usable_calibration_frames(set.frames, &o.dropped_frames), set.known_kpa};
    if (usable.frames.empty())
      throw std::invalid_argument("no usable frames under the " + std::to_string(set.known_kpa) + " kPa load");
    o.loaded_frames.push_back(usable.frames.size());
    sets.push_back(std::move(usable));
  }
  o.fit = compute_equilibration(empty, sets);
  if (curve == "linear") {
    o.file.curve = fit_linear_curve(o.fit.response, o.fit.known_kpa);
  } else if (curve == "power") {
    o.file.curve = fit_power_curve(o.fit.response, o.fit.known_kpa);
  } else if (curve == "table") {
    o.file.curve = table_curve(o.fit.response, o.fit.known_kpa);
  } else {
    throw std::invalid_argument("curve must be linear, power or table, not " + curve);
  }
  o.file.has_curve = true;
  o.file.equilibration = o.fit.equilibration;
  o.file.device_serial = device_serial;
  o.file.created_at = created_at;
  return o;
}

nlohmann::json calibration_report(const CalibrationOutcome& o) {
  nlohmann::json j;
  const Equilibration& e = o.file.equilibration;
  j["rows"] = e.rows;
  j["cols"] = e.cols;
  j["unloaded_frames"] = o.unloaded_frames;
  j["loaded_frames"] = o.loaded_frames;
  j["dropped_suspect_frames"] = o.dropped_frames;
  j["dead_sensels"] = o.fit.dead_sensels;
  j["known_kpa"] = o.fit.known_kpa;
  j["mean_response_counts"] = o.fit.response;
  const CalibrationCurve& c = o.file.curve;
  switch (c.kind) {
    case CurveKind::linear: j["curve"] = {{"kind", "linear"}, {"unit", "kPa"}, {"scale", c.scale}}; break;
    case CurveKind::power: j["curve"] = {{"kind", "power"}, {"unit", "kPa"}, {"a", c.a}, {"b", c.b}}; break;
    case CurveKind::table: j["curve"] = {{"kind", "table"}, {"unit", "kPa"}, {"x", c.table_x}, {"p", c.table_p}}; break;
  }
  std::vector<float> live;
  for (float g : e.gain)
    if (g > 0) live.push_back(g);
  if (!live.empty()) {
    std::sort(live.begin(), live.end());
    j["gain_min"] = live.front();
    j["gain_median"] = live[live.size() / 2];
    j["gain_max"] = live.back();
  }
  // The unloaded noise the per-sensel floor (offset + k * spread) is measured in.
  if (e.has_spread()) {
    std::vector<float> sd = e.spread;
    std::sort(sd.begin(), sd.end());
    j["spread_min_counts"] = sd.front();
    j["spread_median_counts"] = sd[sd.size() / 2];
    j["spread_max_counts"] = sd.back();
  }
  return j;
}

std::pair<std::string, double> parse_loaded_argument(const std::string& argument) {
  const auto colon = argument.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == argument.size())
    throw std::invalid_argument("--loaded wants FILE:KPA (e.g. plate20.txt:20), not '" + argument + "'");
  const std::string number = argument.substr(colon + 1);
  double kpa = 0.0;
  const auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), kpa);
  if (ec != std::errc() || end != number.data() + number.size() || !std::isfinite(kpa) || kpa <= 0)
    throw std::invalid_argument("--loaded " + argument + ": the load must be a pressure in kPa > 0");
  return {argument.substr(0, colon), kpa};
}

CalibrationOutcome run_offline_calibration(const OfflineCalibrationOptions& options) {
  if (options.output.empty()) throw std::invalid_argument("give --output for the calibration file");
  if (options.loaded.empty()) throw std::invalid_argument("give at least one --loaded FILE:KPA");
  if (!options.overwrite && std::filesystem::exists(options.output))
    throw std::runtime_error(options.output + " exists: choose another name or pass --force");
  const MatData unloaded = load_mat_data(options.unloaded, options.data);
  std::vector<LoadedSet> sets;
  for (const std::string& argument : options.loaded) {
    const auto [file, kpa] = parse_loaded_argument(argument);
    MatData data = load_mat_data(file, options.data);
    if (data.rows != unloaded.rows || data.cols != unloaded.cols)
      throw std::runtime_error(file + " holds " + std::to_string(data.rows) + "x" + std::to_string(data.cols) +
                               " frames, the unloaded recording " + std::to_string(unloaded.rows) + "x" +
                               std::to_string(unloaded.cols));
    sets.push_back({std::move(data.frames), kpa});
  }
  CalibrationOutcome outcome =
      calibrate_from_frames(unloaded.frames, sets, options.curve, options.device_serial, options.created_at);
  save_calibration_file(options.output, outcome.file);
  return outcome;
}

}  // namespace plinth
