#pragma once
// Small builders shared by the pressure tests.
#include <cstdint>
#include <initializer_list>
#include <vector>

#include "daemon/pressure/pressure_config.hpp"
#include "drivers/samples.hpp"

namespace plinth::pressure_test {

// Raw counts read directly as mmHg, so hand-computed grids stay readable: no noise floor.
inline PressureConfig identity_config(std::uint16_t rows, std::uint16_t cols, double pitch_cm) {
  PressureConfig c;
  c.noise_threshold_mmhg = 0.0;
  c.geometry = MatGeometry{rows, cols, pitch_cm, pitch_cm};
  c.calibration.curve.kind = CurveKind::linear;
  c.calibration.curve.unit = PressureUnit::mmhg;
  c.calibration.curve.scale = 1.0;
  return c;
}

inline MatFrame frame_of(std::uint16_t rows, std::uint16_t cols, std::initializer_list<std::uint16_t> values) {
  MatFrame f;
  f.rows = rows;
  f.cols = cols;
  f.raw.assign(values.begin(), values.end());
  return f;
}

inline std::vector<float> map_of(std::initializer_list<float> values) { return std::vector<float>(values); }

}  // namespace plinth::pressure_test
