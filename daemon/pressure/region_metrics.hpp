#pragma once
// Loads per named region, the automatic left/right split and the dispersion index
// (schemas/pressure-metrics.md §Regions, §Symmetry, §Dispersion). Pure functions.
#include <span>
#include <string>
#include <vector>

#include "daemon/pressure/pressure_config.hpp"

namespace plinth {

struct RegionLoad {
  std::string name;
  double load_n = 0.0;
  double contact_area_cm2 = 0.0;
  double peak_pressure_mmhg = 0.0;
  double mean_pressure_mmhg = 0.0;  // over the region's contact sensels; 0 when none
};

// Fills out[k] for config region k (out.size() == regions.size(); names are not touched).
void compute_region_loads(std::span<const float> mmhg, const MatGeometry& geometry, double contact_threshold_mmhg,
                          std::span<const RegionSpec> regions, std::span<RegionLoad> out);

struct SymmetryResult {
  double left_load_n = 0.0;   // mat-left: the side of smaller column (see the spec)
  double right_load_n = 0.0;
  double symmetry_index_pct = 0.0;  // (L-R)/(0.5(L+R))*100; 0 when L+R = 0
  double axis_angle_deg = 0.0;      // long axis against the row direction, (-90, 90]
};

// cop_* in cm as FrameMetrics gives them (NaN when unloaded: all zero, angle per mode).
SymmetryResult compute_symmetry(std::span<const float> mmhg, const MatGeometry& geometry, SymmetryAxis axis,
                                double cop_row_cm, double cop_col_cm);

// 100 * (sum of pressure in the region) / (sum over the whole map); 0 on an empty map.
double dispersion_index_pct(std::span<const float> mmhg, const RegionSpec& region);

}  // namespace plinth
