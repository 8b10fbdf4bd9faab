#include "daemon/config/pressure_config_toml.hpp"

#include <cmath>
#include <filesystem>
#include <limits>
#include <optional>

#include "daemon/config/toml_access.hpp"

namespace plinth {

namespace {

CalibrationCurve parse_curve(const TomlAccess& cal, const std::string& kind) {
  CalibrationCurve c;
  if (auto unit = cal.optional_string("unit")) {
    if (*unit == "kPa") c.unit = PressureUnit::kpa;
    else if (*unit == "mmHg") c.unit = PressureUnit::mmhg;
    else cal.fail("unit", "must be \"kPa\" or \"mmHg\", not \"" + *unit + "\"");
  }
  const double big = 1e12;
  if (kind == "linear") {
    c.kind = CurveKind::linear;
    auto scale = cal.optional_number("scale", 0.0, big, TomlAccess::Lower::above);
    if (!scale) cal.fail("scale", "a linear curve needs scale (pressure per raw count)");
    c.scale = *scale;
  } else if (kind == "power") {
    c.kind = CurveKind::power;
    auto a = cal.optional_number("a", 0.0, big, TomlAccess::Lower::above);
    if (!a) cal.fail("a", "a power curve needs a (P = a * x^b)");
    auto b = cal.optional_number("b", 0.0, 10.0, TomlAccess::Lower::above);
    if (!b) cal.fail("b", "a power curve needs b (P = a * x^b)");
    c.a = *a;
    c.b = *b;
  } else if (kind == "table") {
    c.kind = CurveKind::table;
    const toml::array* points = cal.optional_array("points");
    if (!points || points->empty()) cal.fail("points", "a table curve needs points = [[x, pressure], ...]");
    for (const toml::node& pt : *points) {
      const toml::array* pair = pt.as_array();
      auto bad = [&](const std::string& what) {
        throw ConfigError(cal.file(), pt.source().begin.line, cal.key_path("points"), what);
      };
      if (!pair || pair->size() != 2 || !(*pair)[0].is_number() || !(*pair)[1].is_number())
        bad("every point must be [x, pressure] with two numbers");
      double x = (*pair)[0].value<double>().value_or(-1.0), p = (*pair)[1].value<double>().value_or(-1.0);
      if (!std::isfinite(x) || !std::isfinite(p) || x < 0.0 || p < 0.0) bad("points must be finite and >= 0");
      if (!c.table_x.empty() && !(x > c.table_x.back())) bad("x must increase strictly from point to point");
      if (!c.table_p.empty() && p < c.table_p.back()) bad("pressure must not decrease from point to point");
      c.table_x.push_back(x);
      c.table_p.push_back(p);
    }
    try {
      validate_curve(c);
    } catch (const std::invalid_argument& e) {
      cal.fail("points", e.what());
    }
  } else {
    cal.fail("curve", "unknown curve kind \"" + kind + "\" (linear, power or table)");
  }
  return c;
}

Calibration parse_calibration(const TomlAccess& dev, const MatGeometry& g) {
  const toml::table* table = dev.optional_table("calibration");
  if (!table) dev.fail("calibration", "missing: a mat needs [calibration] with a curve (schemas/calibration.md)");
  TomlAccess cal(*table, dev.file(), dev.key_path("calibration"));
  cal.allow_only({"file", "curve", "unit", "scale", "a", "b", "points"});
  Calibration out;
  out.source = "config";
  bool have_curve = false;
  if (auto path = cal.optional_string("file")) {
    std::filesystem::path p(*path);
    if (p.is_relative()) p = std::filesystem::path(dev.file()).parent_path() / p;
    CalibrationFile f;
    try {
      f = load_calibration_file(p.string());
    } catch (const CalibrationError& e) {
      cal.fail("file", e.what());
    }
    if (f.equilibration.rows != g.rows || f.equilibration.cols != g.cols)
      cal.fail("file", p.string() + " is for a " + std::to_string(f.equilibration.rows) + "x" +
                           std::to_string(f.equilibration.cols) + " mat, this one is " + std::to_string(g.rows) + "x" +
                           std::to_string(g.cols));
    out.equilibration = std::move(f.equilibration);
    out.source = p.string();
    if (f.has_curve) {
      out.curve = f.curve;
      have_curve = true;
    }
  }
  if (auto kind = cal.optional_string("curve")) {
    out.curve = parse_curve(cal, *kind);
    have_curve = true;
  } else {
    for (std::string_view k : {"unit", "scale", "a", "b", "points"})
      if (cal.has(k)) cal.fail(k, "given without calibration.curve");
  }
  if (!have_curve) cal.fail("curve", "missing: set curve = \"linear\" | \"power\" | \"table\" or use a file that has one");
  return out;
}

RegionSpec parse_region(const toml::node& node, const TomlAccess& dev, std::size_t index, const MatGeometry& g) {
  const std::string path = dev.key_path("regions") + "[" + std::to_string(index) + "]";
  const toml::table* table = node.as_table();
  if (!table) throw ConfigError(dev.file(), node.source().begin.line, path, "must be a table ([[regions]])");
  TomlAccess reg(*table, dev.file(), path);
  reg.allow_only({"name", "rect", "mask"});
  auto name = reg.optional_string("name");
  if (!name || name->empty()) reg.fail("name", "every region needs a non-empty name");
  if (reg.has("rect") == reg.has("mask")) reg.fail("rect", "give exactly one of rect = [row0, col0, rows, cols] or mask");
  if (const toml::array* rect = reg.optional_array("rect")) {
    std::int64_t v[4];
    if (rect->size() != 4) reg.fail("rect", "must be [row0, col0, rows, cols]");
    for (std::size_t i = 0; i < 4; ++i) {
      auto x = (*rect)[i].value_exact<std::int64_t>();
      if (!x) reg.fail("rect", "must hold four integers [row0, col0, rows, cols]");
      v[i] = *x;
    }
    if (v[0] < 0 || v[1] < 0 || v[2] < 1 || v[3] < 1 || v[0] + v[2] > g.rows || v[1] + v[3] > g.cols)
      reg.fail("rect", "[" + std::to_string(v[0]) + ", " + std::to_string(v[1]) + ", " + std::to_string(v[2]) + ", " +
                           std::to_string(v[3]) + "] does not fit the " + std::to_string(g.rows) + "x" + std::to_string(g.cols) +
                           " mat");
    return rect_region(*name, g, static_cast<int>(v[0]), static_cast<int>(v[1]), static_cast<int>(v[2]),
                       static_cast<int>(v[3]));
  }
  const toml::array* mask = reg.optional_array("mask");
  if (mask->size() != g.rows)
    reg.fail("mask", "needs one string per row (" + std::to_string(g.rows) + "), has " + std::to_string(mask->size()));
  RegionSpec region{*name, std::vector<std::uint8_t>(g.sensels(), 0)};
  std::size_t members = 0;
  for (std::size_t r = 0; r < mask->size(); ++r) {
    const toml::node& row_node = (*mask)[r];
    auto row = row_node.value_exact<std::string>();
    auto bad = [&](const std::string& what) {
      throw ConfigError(dev.file(), row_node.source().begin.line, reg.key_path("mask") + "[" + std::to_string(r) + "]", what);
    };
    if (!row) bad("must be a string");
    if (row->size() != g.cols) bad("has " + std::to_string(row->size()) + " characters, the mat has " + std::to_string(g.cols) + " columns");
    for (std::size_t c = 0; c < row->size(); ++c) {
      const char ch = (*row)[c];
      if (ch == '#' || ch == '1') {
        region.mask[r * g.cols + c] = 1;
        ++members;
      } else if (ch != '.' && ch != '0') {
        bad(std::string("may hold only '#' or '1' (in the region) and '.' or '0', not '") + ch + "'");
      }
    }
  }
  if (members == 0) reg.fail("mask", "selects no sensel");
  return region;
}

}  // namespace

const std::vector<std::string_view>& pressure_config_keys() {
  static const std::vector<std::string_view> keys = {
      "rows", "cols", "pitch_cm", "pitch_row_cm", "pitch_col_cm", "saturation_raw", "noise_threshold_mmhg",
      "noise_floor_sd", "contact_threshold_mmhg", "calibration", "regions", "dispersion_region", "symmetry_axis", "sway_window_s",
      "exposure_threshold_mmhg", "exposure_max_gap_s", "occupancy", "detect_corrupt_frames",
      "risk_threshold_mmhg", "risk_max_gap_s"};  // the last two: deprecated aliases
  return keys;
}

PressureConfig parse_pressure_config(const toml::table& device_table, const std::string& file, const std::string& key_prefix,
                                     std::vector<std::string>* warnings) {
  TomlAccess dev(device_table, file, key_prefix);
  // "risk" overstated what a pressure-time integral above 32 mmHg tells (schemas/pressure-metrics.md
  // §Exposure map); the old names keep working, with a warning.
  auto renamed = [&](std::string_view old_key, std::string_view new_key) {
    return dev.current_or_deprecated(old_key, new_key, warnings);
  };
  PressureConfig c;
  MatGeometry& g = c.geometry;
  auto rows = dev.optional_integer("rows", 1, 1024);
  if (!rows) dev.fail("rows", "missing: the mat's number of rows");
  auto cols = dev.optional_integer("cols", 1, 1024);
  if (!cols) dev.fail("cols", "missing: the mat's number of columns");
  g.rows = static_cast<std::uint16_t>(*rows);
  g.cols = static_cast<std::uint16_t>(*cols);
  const double max_pitch = 100.0;
  if (auto pitch = dev.optional_number("pitch_cm", 0.0, max_pitch, TomlAccess::Lower::above)) {
    if (dev.has("pitch_row_cm")) dev.fail("pitch_row_cm", "give either pitch_cm or pitch_row_cm and pitch_col_cm");
    if (dev.has("pitch_col_cm")) dev.fail("pitch_col_cm", "give either pitch_cm or pitch_row_cm and pitch_col_cm");
    g.pitch_row_cm = g.pitch_col_cm = *pitch;
  } else {
    auto pr = dev.optional_number("pitch_row_cm", 0.0, max_pitch, TomlAccess::Lower::above);
    auto pc = dev.optional_number("pitch_col_cm", 0.0, max_pitch, TomlAccess::Lower::above);
    if (!pr && !pc) dev.fail("pitch_cm", "missing: the sensel pitch in cm (or pitch_row_cm and pitch_col_cm)");
    if (!pr) dev.fail("pitch_row_cm", "missing: pitch_col_cm needs pitch_row_cm too");
    if (!pc) dev.fail("pitch_col_cm", "missing: pitch_row_cm needs pitch_col_cm too");
    g.pitch_row_cm = *pr;
    g.pitch_col_cm = *pc;
  }
  c.saturation_raw = static_cast<std::uint16_t>(dev.optional_integer("saturation_raw", 1, 65535).value_or(65535));
  c.noise_threshold_mmhg = dev.optional_number("noise_threshold_mmhg", 0.0, 1000.0).value_or(kDefaultNoiseThresholdMmhg);
  c.noise_floor_sd = dev.optional_number("noise_floor_sd", 0.0, 100.0).value_or(kDefaultNoiseFloorSd);
  c.contact_threshold_mmhg = dev.optional_number("contact_threshold_mmhg", 0.0, 1000.0).value_or(0.0);
  c.sway_window_s = dev.optional_number("sway_window_s", 0.0, 3600.0, TomlAccess::Lower::above).value_or(10.0);
  c.exposure_threshold_mmhg = dev.optional_number(renamed("risk_threshold_mmhg", "exposure_threshold_mmhg"), 0.0, 1000.0).value_or(32.0);
  c.exposure_max_gap_s = dev.optional_number(renamed("risk_max_gap_s", "exposure_max_gap_s"), 0.0, 3600.0, TomlAccess::Lower::above).value_or(5.0);
  c.detect_corrupt_frames = dev.optional_bool("detect_corrupt_frames").value_or(true);
  if (auto axis = dev.optional_string("symmetry_axis")) {
    if (*axis == "rows") c.symmetry_axis = SymmetryAxis::along_rows;
    else if (*axis == "cols") c.symmetry_axis = SymmetryAxis::along_cols;
    else if (*axis == "principal") c.symmetry_axis = SymmetryAxis::principal;
    else dev.fail("symmetry_axis", "must be \"rows\", \"cols\" or \"principal\", not \"" + *axis + "\"");
  }

  c.calibration = parse_calibration(dev, g);

  if (const toml::table* occ = dev.optional_table("occupancy")) {
    TomlAccess o(*occ, file, dev.key_path("occupancy"));
    o.allow_only({"on_load_n", "off_load_n", "on_hold_s", "off_hold_s"});
    c.occupancy.on_load_n = o.optional_number("on_load_n", 0.0, 1e6).value_or(c.occupancy.on_load_n);
    c.occupancy.off_load_n = o.optional_number("off_load_n", 0.0, 1e6).value_or(c.occupancy.off_load_n);
    c.occupancy.on_hold_s = o.optional_number("on_hold_s", 0.0, 3600.0).value_or(c.occupancy.on_hold_s);
    c.occupancy.off_hold_s = o.optional_number("off_hold_s", 0.0, 3600.0).value_or(c.occupancy.off_hold_s);
    if (!(c.occupancy.on_load_n > c.occupancy.off_load_n))
      o.fail(o.has("off_load_n") ? "off_load_n" : "on_load_n",
             "off_load_n (" + TomlAccess::format_number(c.occupancy.off_load_n) + ") must be below on_load_n (" +
                 TomlAccess::format_number(c.occupancy.on_load_n) + ") for the hysteresis");
  }

  if (const toml::node* regions = dev.get("regions")) {
    const toml::array* list = regions->as_array();
    if (!list) dev.fail("regions", "must be an array of tables ([[regions]])");
    for (std::size_t i = 0; i < list->size(); ++i) {
      RegionSpec region = parse_region((*list)[i], dev, i, g);
      for (const RegionSpec& earlier : c.regions)
        if (earlier.name == region.name)
          throw ConfigError(file, (*list)[i].source().begin.line, dev.key_path("regions") + "[" + std::to_string(i) + "].name",
                            "region \"" + region.name + "\" is defined twice");
      c.regions.push_back(std::move(region));
    }
  }
  if (auto name = dev.optional_string("dispersion_region")) {
    bool found = false;
    for (const RegionSpec& r : c.regions) found = found || r.name == *name;
    if (!found) dev.fail("dispersion_region", "\"" + *name + "\" is not one of the configured regions");
    c.dispersion_region = *name;
  }

  try {
    validate(c);
  } catch (const std::invalid_argument& e) {
    throw ConfigError(file, device_table.source().begin.line, key_prefix.empty() ? "device" : key_prefix, e.what());
  }
  return c;
}

}  // namespace plinth
