#pragma once
// The Vista FSA 2048 in-bed posture recordings (../shared/data/pressure/pmatdata/S1, see its
// README): 64 rows x 32 columns, 2.54 cm pitch, about 1 frame a second. Shared by the tests
// that run real maps through the pressure pipeline.
#include <algorithm>
#include <cstdint>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "daemon/pressure/pressure_config.hpp"
#include "drivers/samples.hpp"

namespace plinth::vista {

inline const std::string kDir = "../shared/data/pressure/pmatdata/S1/";

// Recording n (posture n of the data set), one frame per line of 2048 raw values.
inline std::vector<MatFrame> read_posture(int n) {
  const std::string path = kDir + std::to_string(n) + ".txt";
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open " + path + " (run the tests from the repo root, ../shared beside it)");
  std::vector<MatFrame> frames;
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream values(line);
    MatFrame f;
    f.rows = 64;
    f.cols = 32;
    f.device_seq = static_cast<std::uint32_t>(frames.size());
    long v = 0;
    while (values >> v) f.raw.push_back(static_cast<std::uint16_t>(std::clamp(v, 0L, 65535L)));
    if (f.raw.empty()) continue;
    if (f.raw.size() != 2048) throw std::runtime_error(path + ": a line without 2048 values");
    frames.push_back(std::move(f));
  }
  return frames;
}

inline constexpr double kMmhgPerCount = 0.05;

// Illustrative calibration only (the data set publishes none): 0.05 mmHg per count, the
// default 5 mmHg noise floor. Tests on it are about stability and direction, not absolute
// pressure.
inline PressureConfig config() {
  PressureConfig c;
  c.geometry = MatGeometry{64, 32, 2.54, 2.54};
  c.calibration.curve.kind = CurveKind::linear;
  c.calibration.curve.unit = PressureUnit::mmhg;
  c.calibration.curve.scale = kMmhgPerCount;
  c.saturation_raw = 4095;
  return c;
}

}  // namespace plinth::vista
