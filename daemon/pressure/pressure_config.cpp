#include "daemon/pressure/pressure_config.hpp"

#include <cmath>
#include <set>
#include <stdexcept>

namespace plinth {

RegionSpec rect_region(std::string name, const MatGeometry& g, int row0, int col0, int rows, int cols) {
  if (row0 < 0 || col0 < 0 || rows < 1 || cols < 1 || row0 + rows > g.rows || col0 + cols > g.cols)
    throw std::invalid_argument("region '" + name + "': rectangle [" + std::to_string(row0) + ", " + std::to_string(col0) + ", " +
                                std::to_string(rows) + ", " + std::to_string(cols) + "] does not fit a " +
                                std::to_string(g.rows) + "x" + std::to_string(g.cols) + " mat");
  RegionSpec region{std::move(name), std::vector<std::uint8_t>(g.sensels(), 0)};
  for (int r = row0; r < row0 + rows; ++r)
    for (int c = col0; c < col0 + cols; ++c) region.mask[static_cast<std::size_t>(r) * g.cols + c] = 1;
  return region;
}

void validate(const PressureConfig& c) {
  auto fail = [](const std::string& what) { throw std::invalid_argument("pressure config: " + what); };
  const MatGeometry& g = c.geometry;
  if (g.rows == 0 || g.cols == 0) fail("rows and cols must be >= 1");
  if (!(g.pitch_row_cm > 0.0) || !(g.pitch_col_cm > 0.0) || !std::isfinite(g.pitch_row_cm) || !std::isfinite(g.pitch_col_cm))
    fail("pitches must be finite and > 0");
  try {
    validate_curve(c.calibration.curve);
  } catch (const std::invalid_argument& e) {
    fail(e.what());
  }
  const Equilibration& eq = c.calibration.equilibration;
  if (!eq.empty() && (eq.rows != g.rows || eq.cols != g.cols || eq.offset.size() != g.sensels() || eq.gain.size() != g.sensels()))
    fail("equilibration is for a " + std::to_string(eq.rows) + "x" + std::to_string(eq.cols) + " mat");
  if (c.saturation_raw == 0) fail("saturation_raw must be >= 1");
  if (!(c.noise_threshold_mmhg >= 0.0) || !std::isfinite(c.noise_threshold_mmhg)) fail("noise threshold must be >= 0");
  if (!eq.empty() && eq.has_spread() && eq.spread.size() != g.sensels()) fail("equilibration spread does not match rows*cols");
  if (!(c.noise_floor_sd >= 0.0) || c.noise_floor_sd > 100.0) fail("noise_floor_sd must be in [0, 100]");
  if (!(c.contact_threshold_mmhg >= 0.0) || !std::isfinite(c.contact_threshold_mmhg)) fail("contact threshold must be >= 0");
  if (!(c.sway_window_s > 0.0) || c.sway_window_s > 3600.0) fail("sway window must be in (0, 3600] s");
  if (!(c.exposure_threshold_mmhg >= 0.0) || !std::isfinite(c.exposure_threshold_mmhg)) fail("exposure threshold must be >= 0");
  if (!(c.exposure_max_gap_s > 0.0) || !std::isfinite(c.exposure_max_gap_s)) fail("exposure max gap must be > 0");
  if (!(c.occupancy.on_load_n > c.occupancy.off_load_n) || !(c.occupancy.off_load_n >= 0.0))
    fail("occupancy needs on_load_n > off_load_n >= 0");
  if (!(c.occupancy.on_hold_s >= 0.0) || !(c.occupancy.off_hold_s >= 0.0)) fail("occupancy hold times must be >= 0");
  std::set<std::string> names;
  for (const RegionSpec& r : c.regions) {
    if (r.name.empty()) fail("a region has no name");
    if (!names.insert(r.name).second) fail("region '" + r.name + "' is defined twice");
    if (r.mask.size() != g.sensels()) fail("region '" + r.name + "' mask does not match rows*cols");
  }
  if (!c.dispersion_region.empty() && !names.count(c.dispersion_region))
    fail("dispersion region '" + c.dispersion_region + "' is not a configured region");
}

}  // namespace plinth
