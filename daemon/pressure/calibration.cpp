#include "daemon/pressure/calibration.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>

namespace plinth {

namespace {

bool finite_positive(double v) { return std::isfinite(v) && v > 0.0; }

const char* curve_kind_name(CurveKind kind) {
  switch (kind) {
    case CurveKind::linear: return "linear";
    case CurveKind::power: return "power";
    case CurveKind::table: return "table";
  }
  return "linear";
}

}  // namespace

double evaluate_curve(const CalibrationCurve& curve, double x) {
  if (!(x > 0.0)) return 0.0;
  switch (curve.kind) {
    case CurveKind::linear:
      return curve.scale * x;
    case CurveKind::power:
      return curve.a * std::pow(x, curve.b);
    case CurveKind::table: {
      const auto& xs = curve.table_x;
      const auto& ps = curve.table_p;
      // Below the first point the curve runs from (0, 0); beyond the last it continues the
      // last segment's slope, because clamping would silently clip real loads.
      auto upper = std::upper_bound(xs.begin(), xs.end(), x);
      std::size_t hi = static_cast<std::size_t>(upper - xs.begin());
      double x0 = 0.0, p0 = 0.0, x1 = xs.front(), p1 = ps.front();
      if (hi == 0) {
        if (xs.front() <= 0.0) return ps.front();
      } else if (hi < xs.size()) {
        x0 = xs[hi - 1]; p0 = ps[hi - 1]; x1 = xs[hi]; p1 = ps[hi];
      } else if (xs.size() >= 2) {
        x0 = xs[xs.size() - 2]; p0 = ps[ps.size() - 2]; x1 = xs.back(); p1 = ps.back();
      } else {
        x0 = 0.0; p0 = 0.0; x1 = xs.back(); p1 = ps.back();
        if (x1 <= 0.0) return p1;
      }
      return std::max(0.0, p0 + (p1 - p0) * (x - x0) / (x1 - x0));
    }
  }
  return 0.0;
}

void validate_curve(const CalibrationCurve& curve) {
  switch (curve.kind) {
    case CurveKind::linear:
      if (!finite_positive(curve.scale)) throw std::invalid_argument("linear curve: scale must be a finite number > 0");
      return;
    case CurveKind::power:
      if (!finite_positive(curve.a)) throw std::invalid_argument("power curve: a must be a finite number > 0");
      if (!finite_positive(curve.b) || curve.b > 10.0)
        throw std::invalid_argument("power curve: b must be in (0, 10]");
      return;
    case CurveKind::table: {
      const auto& xs = curve.table_x;
      const auto& ps = curve.table_p;
      if (xs.empty() || xs.size() != ps.size())
        throw std::invalid_argument("table curve: needs at least one [x, pressure] point");
      for (std::size_t i = 0; i < xs.size(); ++i) {
        if (!std::isfinite(xs[i]) || !std::isfinite(ps[i]) || xs[i] < 0.0 || ps[i] < 0.0)
          throw std::invalid_argument("table curve: points must be finite and >= 0");
        if (i > 0 && !(xs[i] > xs[i - 1])) throw std::invalid_argument("table curve: x must be strictly increasing");
        if (i > 0 && ps[i] < ps[i - 1]) throw std::invalid_argument("table curve: pressure must not decrease");
      }
      if (xs.size() == 1 && xs[0] == 0.0) throw std::invalid_argument("table curve: a single point must have x > 0");
      return;
    }
  }
  throw std::invalid_argument("unknown curve kind");
}

// --- File format -------------------------------------------------------------------------

namespace {

std::vector<float> float_array(const nlohmann::json& j, const char* key, std::size_t expected) {
  if (!j.contains(key) || !j.at(key).is_array()) throw CalibrationError(std::string("missing array '") + key + "'");
  const auto& arr = j.at(key);
  if (arr.size() != expected)
    throw CalibrationError(std::string("'") + key + "' has " + std::to_string(arr.size()) + " values, expected rows*cols = " +
                           std::to_string(expected));
  std::vector<float> out;
  out.reserve(expected);
  for (const auto& v : arr) {
    if (!v.is_number()) throw CalibrationError(std::string("'") + key + "' holds a non-number");
    double d = v.get<double>();
    if (!std::isfinite(d)) throw CalibrationError(std::string("'") + key + "' holds a non-finite number");
    out.push_back(static_cast<float>(d));
  }
  return out;
}

double number_at(const nlohmann::json& j, const char* key) {
  if (!j.contains(key) || !j.at(key).is_number()) throw CalibrationError(std::string("curve: missing number '") + key + "'");
  return j.at(key).get<double>();
}

CalibrationCurve curve_from_json(const nlohmann::json& j) {
  if (!j.is_object()) throw CalibrationError("'curve' must be an object");
  CalibrationCurve c;
  std::string kind = j.value("kind", "");
  std::string unit = j.value("unit", "kPa");
  if (unit == "kPa") c.unit = PressureUnit::kpa;
  else if (unit == "mmHg") c.unit = PressureUnit::mmhg;
  else throw CalibrationError("curve: unit must be \"kPa\" or \"mmHg\", not \"" + unit + "\"");
  if (kind == "linear") {
    c.kind = CurveKind::linear;
    c.scale = number_at(j, "scale");
  } else if (kind == "power") {
    c.kind = CurveKind::power;
    c.a = number_at(j, "a");
    c.b = number_at(j, "b");
  } else if (kind == "table") {
    c.kind = CurveKind::table;
    if (!j.contains("x") || !j.contains("p") || !j.at("x").is_array() || !j.at("p").is_array())
      throw CalibrationError("table curve: needs arrays 'x' and 'p'");
    for (const auto& v : j.at("x")) {
      if (!v.is_number()) throw CalibrationError("table curve: 'x' holds a non-number");
      c.table_x.push_back(v.get<double>());
    }
    for (const auto& v : j.at("p")) {
      if (!v.is_number()) throw CalibrationError("table curve: 'p' holds a non-number");
      c.table_p.push_back(v.get<double>());
    }
  } else {
    throw CalibrationError("curve: unknown kind \"" + kind + "\" (linear, power or table)");
  }
  try {
    validate_curve(c);
  } catch (const std::invalid_argument& e) {
    throw CalibrationError(e.what());
  }
  return c;
}

nlohmann::json curve_to_json(const CalibrationCurve& c) {
  nlohmann::json j;
  j["kind"] = curve_kind_name(c.kind);
  j["unit"] = c.unit == PressureUnit::kpa ? "kPa" : "mmHg";
  switch (c.kind) {
    case CurveKind::linear: j["scale"] = c.scale; break;
    case CurveKind::power: j["a"] = c.a; j["b"] = c.b; break;
    case CurveKind::table: j["x"] = c.table_x; j["p"] = c.table_p; break;
  }
  return j;
}

}  // namespace

CalibrationFile parse_calibration_json(const std::string& text) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    throw CalibrationError(std::string("not valid JSON: ") + e.what());
  }
  if (!j.is_object() || j.value("format", "") != "plinth-calibration")
    throw CalibrationError("not a Plinth calibration file (format must be \"plinth-calibration\")");
  if (!j.contains("format_version") || !j.at("format_version").is_number_integer() || j.at("format_version").get<int>() != 1)
    throw CalibrationError("unsupported format_version (this build reads version 1)");
  CalibrationFile f;
  auto dim = [&](const char* key) {
    if (!j.contains(key) || !j.at(key).is_number_integer()) throw CalibrationError(std::string("missing integer '") + key + "'");
    auto v = j.at(key).get<std::int64_t>();
    if (v < 1 || v > 4096) throw CalibrationError(std::string("'") + key + "' must be 1..4096");
    return static_cast<std::uint16_t>(v);
  };
  f.equilibration.rows = dim("rows");
  f.equilibration.cols = dim("cols");
  std::size_t n = std::size_t{f.equilibration.rows} * f.equilibration.cols;
  f.equilibration.offset = float_array(j, "offset", n);
  f.equilibration.gain = float_array(j, "gain", n);
  for (float g : f.equilibration.gain)
    if (g < 0.0f) throw CalibrationError("'gain' holds a negative value");
  // Optional since files written before the noise floor have none (schemas/calibration.md).
  if (j.contains("spread") && !j.at("spread").is_null()) {
    f.equilibration.spread = float_array(j, "spread", n);
    for (float sd : f.equilibration.spread)
      if (sd < 0.0f) throw CalibrationError("'spread' holds a negative value");
  }
  if (j.contains("curve") && !j.at("curve").is_null()) {
    f.curve = curve_from_json(j.at("curve"));
    f.has_curve = true;
  }
  f.device_serial = j.value("device_serial", "");
  f.created_at = j.value("created_at", "");
  return f;
}

CalibrationFile load_calibration_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw CalibrationError("cannot open calibration file " + path);
  std::ostringstream text;
  text << in.rdbuf();
  try {
    return parse_calibration_json(text.str());
  } catch (const CalibrationError& e) {
    throw CalibrationError(path + ": " + e.what());
  }
}

std::string calibration_json(const CalibrationFile& f) {
  nlohmann::json j;
  j["format"] = "plinth-calibration";
  j["format_version"] = 1;
  j["rows"] = f.equilibration.rows;
  j["cols"] = f.equilibration.cols;
  j["offset"] = f.equilibration.offset;
  j["gain"] = f.equilibration.gain;
  if (f.equilibration.has_spread()) j["spread"] = f.equilibration.spread;
  if (f.has_curve) j["curve"] = curve_to_json(f.curve);
  j["device_serial"] = f.device_serial;
  j["created_at"] = f.created_at;
  return j.dump(1);
}

void save_calibration_file(const std::string& path, const CalibrationFile& f) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw CalibrationError("cannot write calibration file " + path);
  out << calibration_json(f) << '\n';
  if (!out) throw CalibrationError("error writing calibration file " + path);
}

// --- Per frame ----------------------------------------------------------------------------

Calibrator::Calibrator(const Calibration& calibration, std::size_t sensels, std::uint16_t saturation_raw,
                       double noise_threshold_mmhg, double noise_floor_sd)
    : calibration_(calibration),
      sensels_(sensels),
      saturation_raw_(saturation_raw),
      noise_threshold_mmhg_(noise_threshold_mmhg),
      to_mmhg_(calibration.curve.unit == PressureUnit::kpa ? 1.0 / kKpaPerMmhg : 1.0) {
  validate_curve(calibration_.curve);
  if (!(noise_threshold_mmhg_ >= 0.0)) throw std::invalid_argument("noise threshold must be >= 0");
  if (!(noise_floor_sd >= 0.0) || !std::isfinite(noise_floor_sd)) throw std::invalid_argument("noise floor (k) must be >= 0");
  const Equilibration& eq = calibration_.equilibration;
  if (!eq.empty() && (eq.offset.size() != sensels || eq.gain.size() != sensels))
    throw std::invalid_argument("equilibration has " + std::to_string(eq.offset.size()) + " sensels, the mat has " +
                                std::to_string(sensels));
  if (!eq.empty() && eq.has_spread()) {
    if (eq.spread.size() != sensels)
      throw std::invalid_argument("equilibration spread has " + std::to_string(eq.spread.size()) + " sensels, the mat has " +
                                  std::to_string(sensels));
    if (noise_floor_sd > 0.0) {
      floor_raw_.resize(sensels);
      for (std::size_t i = 0; i < sensels; ++i)
        floor_raw_[i] = static_cast<double>(eq.offset[i]) + noise_floor_sd * static_cast<double>(eq.spread[i]);
    }
  }
  if (eq.empty()) {
    // Without per-sensel terms the pressure depends on the raw value alone: tabulate it once.
    lookup_mmhg_.resize(std::size_t{std::numeric_limits<std::uint16_t>::max()} + 1);
    for (std::size_t raw = 0; raw < lookup_mmhg_.size(); ++raw) {
      double p = evaluate_curve(calibration_.curve, static_cast<double>(raw)) * to_mmhg_;
      lookup_mmhg_[raw] = p <= noise_threshold_mmhg_ ? 0.0f : static_cast<float>(p);
    }
  }
}

float Calibrator::pressure_mmhg(std::size_t i, std::uint16_t raw) const {
  if (!lookup_mmhg_.empty()) return lookup_mmhg_[raw];
  const Equilibration& eq = calibration_.equilibration;
  if (!floor_raw_.empty() && static_cast<double>(raw) <= floor_raw_[i]) return 0.0f;
  double x = (static_cast<double>(raw) - eq.offset[i]) * eq.gain[i];
  double p = evaluate_curve(calibration_.curve, x) * to_mmhg_;
  return p <= noise_threshold_mmhg_ ? 0.0f : static_cast<float>(p);
}

std::uint32_t Calibrator::apply(std::span<const std::uint16_t> raw, std::span<float> out_mmhg,
                                std::span<std::uint8_t> saturated) const {
  if (raw.size() != sensels_ || out_mmhg.size() != sensels_ || saturated.size() != sensels_)
    throw std::invalid_argument("Calibrator::apply: frame has " + std::to_string(raw.size()) + " sensels, expected " +
                                std::to_string(sensels_));
  // Two plain loops: a byte store (the saturation flags) may alias anything, which would make
  // the compiler reload the table and the limits on every sensel.
  if (!lookup_mmhg_.empty()) {
    const float* table = lookup_mmhg_.data();
    for (std::size_t i = 0; i < sensels_; ++i) out_mmhg[i] = table[raw[i]];
  } else {
    for (std::size_t i = 0; i < sensels_; ++i) out_mmhg[i] = pressure_mmhg(i, raw[i]);
  }
  const std::uint16_t limit = saturation_raw_;
  std::uint32_t count = 0;
  for (std::size_t i = 0; i < sensels_; ++i) {
    const bool sat = raw[i] >= limit;
    saturated[i] = sat ? 1 : 0;
    count += sat ? 1u : 0u;
  }
  return count;
}

}  // namespace plinth
