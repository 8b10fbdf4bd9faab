// parse_pressure_config: good configs parse, every bad value names its line and key.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "daemon/config/pressure_config_toml.hpp"

namespace plinth {
namespace {

PressureConfig parse(const std::string& text, const std::string& file = "/etc/plinth/plinthd.toml") {
  toml::table root = toml::parse(text, file);
  return parse_pressure_config(*root["mat"].as_table(), file, "mat");
}

// Parses `text`, expects a ConfigError and returns it for inspection.
ConfigError error_of(const std::string& text) {
  try {
    parse(text);
  } catch (const ConfigError& e) {
    return e;
  }
  ADD_FAILURE() << "no ConfigError for:\n" << text;
  return ConfigError("", 0, "", "");
}

const char* kGood = R"(# line 1
[mat]
driver = "plinth-mat"
rows = 4
cols = 3
pitch_cm = 2.54
saturation_raw = 4095
noise_threshold_mmhg = 2
symmetry_axis = "principal"
dispersion_region = "pelvis"

[mat.calibration]
curve = "table"
unit = "mmHg"
points = [[10, 1.0], [20, 3.0]]

[mat.occupancy]
on_load_n = 80
off_load_n = 30

[[mat.regions]]
name = "pelvis"
rect = [1, 0, 2, 3]

[[mat.regions]]
name = "corner"
mask = ["#..", "...", "...", "..1"]
)";

TEST(PressureConfig, ParsesAFullConfig) {
  PressureConfig c = parse(kGood);
  EXPECT_EQ(c.geometry.rows, 4);
  EXPECT_EQ(c.geometry.cols, 3);
  EXPECT_DOUBLE_EQ(c.geometry.pitch_row_cm, 2.54);
  EXPECT_DOUBLE_EQ(c.geometry.pitch_col_cm, 2.54);
  EXPECT_EQ(c.saturation_raw, 4095);
  EXPECT_DOUBLE_EQ(c.noise_threshold_mmhg, 2.0);
  EXPECT_EQ(c.symmetry_axis, SymmetryAxis::principal);
  EXPECT_EQ(c.calibration.curve.kind, CurveKind::table);
  EXPECT_EQ(c.calibration.curve.unit, PressureUnit::mmhg);
  EXPECT_EQ(c.calibration.curve.table_p, (std::vector<double>{1.0, 3.0}));
  EXPECT_DOUBLE_EQ(c.occupancy.on_load_n, 80.0);
  EXPECT_DOUBLE_EQ(c.sway_window_s, 10.0);       // defaults
  EXPECT_DOUBLE_EQ(c.noise_floor_sd, 3.0);
  EXPECT_DOUBLE_EQ(c.contact_threshold_mmhg, 0.0);
  EXPECT_DOUBLE_EQ(c.exposure_threshold_mmhg, 32.0);
  ASSERT_EQ(c.regions.size(), 2u);
  EXPECT_EQ(c.regions[0].mask, (std::vector<std::uint8_t>{0, 0, 0, 1, 1, 1, 1, 1, 1, 0, 0, 0}));
  EXPECT_EQ(c.regions[1].mask, (std::vector<std::uint8_t>{1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}));
  EXPECT_EQ(c.dispersion_region, "pelvis");
}

TEST(PressureConfig, NoiseFloorDefaultsAndKeys) {
  const std::string head = "[mat]\nrows = 2\ncols = 2\npitch_cm = 1\n";
  const std::string cal = "[mat.calibration]\ncurve = \"linear\"\nscale = 0.1\n";
  PressureConfig c = parse(head + cal);
  EXPECT_DOUBLE_EQ(c.noise_threshold_mmhg, 5.0);  // schemas/calibration.md §Noise floor
  EXPECT_DOUBLE_EQ(c.noise_floor_sd, 3.0);
  c = parse(head + "noise_threshold_mmhg = 0\nnoise_floor_sd = 4.5\n" + cal);
  EXPECT_DOUBLE_EQ(c.noise_threshold_mmhg, 0.0);
  EXPECT_DOUBLE_EQ(c.noise_floor_sd, 4.5);
  EXPECT_THROW(parse(head + "noise_floor_sd = -1\n" + cal), ConfigError);
  EXPECT_THROW(parse(head + "noise_floor_sd = \"3\"\n" + cal), ConfigError);
}

TEST(PressureConfig, SeparatePitches) {
  PressureConfig c = parse("[mat]\nrows = 2\ncols = 2\npitch_row_cm = 1.5\npitch_col_cm = 2\n"
                           "[mat.calibration]\ncurve = \"linear\"\nscale = 0.1\n");
  EXPECT_DOUBLE_EQ(c.geometry.pitch_row_cm, 1.5);
  EXPECT_DOUBLE_EQ(c.geometry.pitch_col_cm, 2.0);
  EXPECT_EQ(c.calibration.curve.unit, PressureUnit::kpa);
}

struct BadCase {
  std::string text;
  std::uint32_t line;
  std::string key;
};

const std::string kHead = "[mat]\nrows = 2\ncols = 2\npitch_cm = 1\n";  // lines 1-4
const std::string kCal = "[mat.calibration]\ncurve = \"linear\"\nscale = 1\n";

TEST(PressureConfig, BadValuesNameTheirLineAndKey) {
  const BadCase cases[] = {
      {"[mat]\nrows = \"four\"\ncols = 2\npitch_cm = 1\n" + kCal, 2, "mat.rows"},
      {"[mat]\nrows = 0\ncols = 2\npitch_cm = 1\n" + kCal, 2, "mat.rows"},
      {"[mat]\nrows = 2\npitch_cm = 1\n" + kCal, 1, "mat.cols"},
      {"[mat]\nrows = 2\ncols = 2\npitch_cm = -1\n" + kCal, 4, "mat.pitch_cm"},
      {"[mat]\nrows = 2\ncols = 2\npitch_row_cm = 1\n" + kCal, 1, "mat.pitch_col_cm"},
      {kHead + "noise_threshold_mmhg = true\n" + kCal, 5, "mat.noise_threshold_mmhg"},
      {kHead + "saturation_raw = 70000\n" + kCal, 5, "mat.saturation_raw"},
      {kHead + "symmetry_axis = \"diagonal\"\n" + kCal, 5, "mat.symmetry_axis"},
      {kHead + "sway_window_s = 0\n" + kCal, 5, "mat.sway_window_s"},
      {kHead, 1, "mat.calibration"},
      {kHead + "[mat.calibration]\ncurve = \"cubic\"\n", 6, "mat.calibration.curve"},
      {kHead + "[mat.calibration]\ncurve = \"linear\"\n", 5, "mat.calibration.scale"},
      {kHead + "[mat.calibration]\ncurve = \"power\"\na = 1\nb = 11\n", 8, "mat.calibration.b"},
      {kHead + "[mat.calibration]\ncurve = \"linear\"\nscale = 1\nunit = \"psi\"\n", 8, "mat.calibration.unit"},
      {kHead + "[mat.calibration]\ncurve = \"linear\"\nscale = 1\nscael = 2\n", 8, "mat.calibration.scael"},
      {kHead + "[mat.calibration]\ncurve = \"table\"\npoints = [\n  [1, 1],\n  [1, 2],\n]\n", 9, "mat.calibration.points"},
      {kHead + "[mat.calibration]\nfile = \"/nonexistent/cal.json\"\ncurve = \"linear\"\nscale = 1\n", 6,
       "mat.calibration.file"},
      {kHead + kCal + "[mat.occupancy]\non_load_n = 10\noff_load_n = 20\n", 10, "mat.occupancy.off_load_n"},
      {kHead + kCal + "[[mat.regions]]\nname = \"x\"\nrect = [0, 0, 3, 1]\n", 10, "mat.regions[0].rect"},
      {kHead + kCal + "[[mat.regions]]\nname = \"x\"\nmask = [\"#.\", \"#\"]\n", 10, "mat.regions[0].mask[1]"},
      {kHead + kCal + "[[mat.regions]]\nname = \"x\"\nrect = [0, 0, 1, 1]\n[[mat.regions]]\nname = \"x\"\nrect = [1, 1, 1, 1]\n",
       11, "mat.regions[1].name"},
      {kHead + "dispersion_region = \"pelvis\"\n" + kCal, 5, "mat.dispersion_region"},
  };
  for (const BadCase& c : cases) {
    ConfigError e = error_of(c.text);
    EXPECT_EQ(e.line(), c.line) << c.text << "\n-> " << e.what();
    EXPECT_EQ(e.key(), c.key) << c.text << "\n-> " << e.what();
    EXPECT_EQ(e.file(), "/etc/plinth/plinthd.toml");
  }
}

TEST(PressureConfig, CalibrationFileIsReadRelativeToTheConfigAndMustMatchTheMat) {
  const auto dir = std::filesystem::temp_directory_path() / ("plinth_cfg_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  {
    std::ofstream(dir / "cal.json") << R"({"format":"plinth-calibration","format_version":1,"rows":2,"cols":2,
      "offset":[1,2,3,4],"gain":[1,1,1,0.5],"curve":{"kind":"power","a":2,"b":0.5}})";
    std::ofstream(dir / "wrong.json") << R"({"format":"plinth-calibration","format_version":1,"rows":1,"cols":1,
      "offset":[1],"gain":[1]})";
  }
  const std::string file = (dir / "plinthd.toml").string();
  PressureConfig c = parse(kHead + "[mat.calibration]\nfile = \"cal.json\"\n", file);
  EXPECT_EQ(c.calibration.equilibration.offset, (std::vector<float>{1, 2, 3, 4}));
  EXPECT_EQ(c.calibration.curve.kind, CurveKind::power);  // from the file
  EXPECT_EQ(c.calibration.source, (dir / "cal.json").string());
  try {
    parse(kHead + "[mat.calibration]\nfile = \"wrong.json\"\ncurve = \"linear\"\nscale = 1\n", file);
    ADD_FAILURE() << "a 1x1 calibration file was accepted for a 2x2 mat";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.line(), 6u);
    EXPECT_EQ(e.key(), "mat.calibration.file");
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace plinth
