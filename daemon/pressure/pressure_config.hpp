#pragma once
// Everything the pressure pipeline needs to know about one mat, as plain values.
// Definitions and units: schemas/pressure-metrics.md and schemas/calibration.md.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "daemon/pressure/calibration.hpp"

namespace plinth {

struct MatGeometry {
  std::uint16_t rows = 0;
  std::uint16_t cols = 0;
  double pitch_row_cm = 0.0;  // centre-to-centre distance between rows
  double pitch_col_cm = 0.0;  // centre-to-centre distance between columns

  std::size_t sensels() const { return std::size_t{rows} * cols; }
  double sensel_area_cm2() const { return pitch_row_cm * pitch_col_cm; }
};

// A named set of sensels; rectangles from the config are turned into masks at parse time.
struct RegionSpec {
  std::string name;
  std::vector<std::uint8_t> mask;  // rows*cols, row-major, 1 = in the region
};

RegionSpec rect_region(std::string name, const MatGeometry& geometry, int row0, int col0, int rows, int cols);

// How the left/right split finds the body's long axis (schemas/pressure-metrics.md §Symmetry).
enum class SymmetryAxis {
  along_rows,  // body lies along the rows (head at row 0): split at the CoP column
  along_cols,  // body lies along the columns: split at the CoP row
  principal,   // principal axis of the pressure distribution through the CoP
};

struct OccupancyConfig {
  double on_load_n = 50.0;   // occupied once the total load stays >= this ...
  double on_hold_s = 1.0;    // ... for this long
  double off_load_n = 20.0;  // vacated once the total load stays < this ...
  double off_hold_s = 2.0;   // ... for this long
};

// Pressure-mapping practice counts a sensel as loaded above a few mmHg (schemas/calibration.md
// §Noise floor gives the sources); used when the config does not set noise_threshold_mmhg.
inline constexpr double kDefaultNoiseThresholdMmhg = 5.0;
// k of the per-sensel floor offset + k * spread: 0.13 % of unloaded readings above it for
// Gaussian noise (schemas/calibration.md §Noise floor).
inline constexpr double kDefaultNoiseFloorSd = 3.0;

struct PressureConfig {
  MatGeometry geometry;
  Calibration calibration;
  std::uint16_t saturation_raw = 65535;  // raw >= this is flagged saturated
  // Two floors, both applied: a sensel reads 0 unless raw > offset + k * spread (when the
  // equilibration carries a measured spread) and the calibrated pressure > the threshold.
  double noise_threshold_mmhg = kDefaultNoiseThresholdMmhg;
  double noise_floor_sd = kDefaultNoiseFloorSd;  // k; 0 turns the per-sensel floor off
  // Contact when pressure > this; 0 (default) makes contact = loaded, i.e. above the noise
  // floors. A value at or below noise_threshold_mmhg changes nothing.
  double contact_threshold_mmhg = 0.0;
  std::vector<RegionSpec> regions;
  std::string dispersion_region;         // region name for the dispersion index; "" = none
  SymmetryAxis symmetry_axis = SymmetryAxis::along_rows;
  double sway_window_s = 10.0;
  double exposure_threshold_mmhg = 32.0;
  double exposure_max_gap_s = 5.0;           // longer gaps between frames are not integrated
  OccupancyConfig occupancy;
  bool detect_corrupt_frames = true;     // apply looks_corrupt() to every frame
};

// Throws std::invalid_argument naming the first inconsistent field. The pipeline calls it;
// parse_pressure_config() reports the same problems with file, line and key instead.
void validate(const PressureConfig& config);

}  // namespace plinth
