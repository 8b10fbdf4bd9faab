#include "daemon/pressure/calibration_in_force.hpp"

#include <algorithm>
#include <cstring>
#include <nlohmann/json.hpp>

namespace plinth {
namespace {

nlohmann::json curve_json(const CalibrationCurve& c) {
  nlohmann::json j;
  j["unit"] = c.unit == PressureUnit::kpa ? "kPa" : "mmHg";
  switch (c.kind) {
    case CurveKind::linear:
      j["kind"] = "linear";
      j["scale"] = c.scale;
      break;
    case CurveKind::power:
      j["kind"] = "power";
      j["a"] = c.a;
      j["b"] = c.b;
      break;
    case CurveKind::table:
      j["kind"] = "table";
      j["x"] = c.table_x;
      j["p"] = c.table_p;
      break;
  }
  return j;
}

nlohmann::json summary(const std::vector<float>& values) {  // min, mean, max
  if (values.empty()) return nullptr;
  double sum = 0.0;
  for (float v : values) sum += v;
  const auto [lo, hi] = std::minmax_element(values.begin(), values.end());
  return {{"min", *lo}, {"mean", sum / static_cast<double>(values.size())}, {"max", *hi}};
}

void fnv1a(std::uint64_t& h, const std::vector<float>& values) {
  for (float v : values) {
    std::uint32_t bits = 0;
    std::memcpy(&bits, &v, sizeof bits);
    for (int byte = 0; byte < 4; ++byte) {  // little-endian order whatever the host
      h ^= (bits >> (8 * byte)) & 0xFFu;
      h *= 0x100000001b3ULL;
    }
  }
}

}  // namespace

std::string equilibration_fingerprint(const Equilibration& e) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  fnv1a(h, e.offset);
  fnv1a(h, e.gain);
  fnv1a(h, e.spread);  // nothing when not measured: older files keep their fingerprint
  char text[17];
  for (int i = 0; i < 16; ++i) text[i] = "0123456789abcdef"[(h >> (60 - 4 * i)) & 0xF];
  text[16] = '\0';
  return text;
}

std::string calibration_in_force_json(const PressureConfig& config) {
  const Calibration& cal = config.calibration;
  nlohmann::json j;
  j["format"] = "plinth-calibration-in-force";
  j["format_version"] = 1;
  j["source"] = cal.source;
  j["curve"] = curve_json(cal.curve);
  j["saturation_raw"] = config.saturation_raw;
  j["noise_threshold_mmhg"] = config.noise_threshold_mmhg;
  j["noise_floor_sd"] = config.noise_floor_sd;
  j["contact_threshold_mmhg"] = config.contact_threshold_mmhg;
  j["pitch_row_cm"] = config.geometry.pitch_row_cm;
  j["pitch_col_cm"] = config.geometry.pitch_col_cm;
  const Equilibration& e = cal.equilibration;
  if (e.empty()) {
    j["equilibration"] = nullptr;
  } else {
    const auto dead = std::count(e.gain.begin(), e.gain.end(), 0.0f);
    j["equilibration"] = {{"file", cal.source},
                          {"rows", e.rows},
                          {"cols", e.cols},
                          {"fnv1a64", equilibration_fingerprint(e)},
                          {"offset", summary(e.offset)},
                          {"gain", summary(e.gain)},
                          {"spread", summary(e.spread)},  // null: not measured, no per-sensel floor
                          {"dead_sensels", dead}};
  }
  return j.dump();
}

}  // namespace plinth
