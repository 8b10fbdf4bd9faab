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
  // The point the split line runs through: the unweighted centroid of the contact area, in cm
  // as FrameMetrics' CoP; NaN when nothing is in contact.
  double midline_row_cm = 0.0;
  double midline_col_cm = 0.0;
};

// Left/right split about the body's geometric midline (schemas/pressure-metrics.md §Symmetry):
// the line through the centroid of the contact sensels (P > contact_threshold_mmhg), along the
// rows, the columns or the contact area's principal axis. A sensel the line crosses shares its
// load by the exact fraction of its area on each side.
SymmetryResult compute_symmetry(std::span<const float> mmhg, const MatGeometry& geometry, SymmetryAxis axis,
                                double contact_threshold_mmhg);

// Fraction of the pitch_row x pitch_col rectangle centred at signed distance `centre_side`
// from a line (normal (normal_row, normal_col), unit length) that lies on its negative side.
// Exact: the distribution of the signed distance over the rectangle is the sum of two
// uniforms (a trapezoid), whose CDF is closed-form.
double fraction_on_negative_side(double centre_side, double normal_row, double normal_col, double pitch_row_cm,
                                 double pitch_col_cm);

// 100 * (sum of pressure in the region) / (sum over the whole map); 0 on an empty map.
double dispersion_index_pct(std::span<const float> mmhg, const RegionSpec& region);

}  // namespace plinth
