#include "daemon/pressure/region_metrics.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <stdexcept>

#include "daemon/pressure/frame_metrics.hpp"

namespace plinth {

void compute_region_loads(std::span<const float> mmhg, const MatGeometry& g, double contact_threshold_mmhg,
                          std::span<const RegionSpec> regions, std::span<RegionLoad> out) {
  if (out.size() != regions.size()) throw std::invalid_argument("compute_region_loads: output size differs from regions");
  const double area = g.sensel_area_cm2();
  for (std::size_t k = 0; k < regions.size(); ++k) {
    const auto& mask = regions[k].mask;
    if (mask.size() != mmhg.size()) throw std::invalid_argument("compute_region_loads: region mask size differs from map");
    double sum = 0.0, peak = 0.0, contact_sum = 0.0;
    std::uint32_t contact = 0;
    for (std::size_t i = 0; i < mmhg.size(); ++i) {
      if (!mask[i]) continue;
      const double p = mmhg[i];
      sum += p;
      peak = std::max(peak, p);
      if (p > contact_threshold_mmhg) {
        ++contact;
        contact_sum += p;
      }
    }
    RegionLoad& r = out[k];
    r.load_n = force_n(sum, area);
    r.contact_area_cm2 = contact * area;
    r.peak_pressure_mmhg = peak;
    r.mean_pressure_mmhg = contact ? contact_sum / contact : 0.0;
  }
}

SymmetryResult compute_symmetry(std::span<const float> mmhg, const MatGeometry& g, SymmetryAxis axis,
                                double cop_row_cm, double cop_col_cm) {
  if (mmhg.size() != g.sensels()) throw std::invalid_argument("compute_symmetry: map size differs from rows*cols");
  SymmetryResult s;
  s.axis_angle_deg = axis == SymmetryAxis::along_cols ? 90.0 : 0.0;
  if (!std::isfinite(cop_row_cm) || !std::isfinite(cop_col_cm)) return s;

  // Direction of the long axis in (row, col) centimetres.
  double u_row = 1.0, u_col = 0.0;
  if (axis == SymmetryAxis::along_cols) {
    u_row = 0.0;
    u_col = 1.0;
  } else if (axis == SymmetryAxis::principal) {
    double srr = 0.0, scc = 0.0, src = 0.0;
    for (int r = 0; r < g.rows; ++r) {
      const double dr = (r + 0.5) * g.pitch_row_cm - cop_row_cm;
      for (int c = 0; c < g.cols; ++c) {
        const double p = mmhg[static_cast<std::size_t>(r) * g.cols + c];
        if (p <= 0.0) continue;
        const double dc = (c + 0.5) * g.pitch_col_cm - cop_col_cm;
        srr += p * dr * dr;
        scc += p * dc * dc;
        src += p * dr * dc;
      }
    }
    double theta = 0.5 * std::atan2(2.0 * src, srr - scc);  // major axis, (-pi/2, pi/2]
    if (theta <= -std::numbers::pi / 2 + 1e-12) theta += std::numbers::pi;
    u_row = std::cos(theta);
    u_col = std::sin(theta);
    s.axis_angle_deg = theta * 180.0 / std::numbers::pi;
  }

  // Signed distance from the axis through the CoP; the rule for "left" is in the spec.
  double left = 0.0, right = 0.0;
  for (int r = 0; r < g.rows; ++r) {
    const double dr = (r + 0.5) * g.pitch_row_cm - cop_row_cm;
    for (int c = 0; c < g.cols; ++c) {
      const double p = mmhg[static_cast<std::size_t>(r) * g.cols + c];
      if (p <= 0.0) continue;
      const double dc = (c + 0.5) * g.pitch_col_cm - cop_col_cm;
      double side = 0.0;
      if (axis == SymmetryAxis::along_cols) side = dr;
      else side = u_row * dc - u_col * dr;
      if (std::abs(side) < 1e-9) {
        left += 0.5 * p;
        right += 0.5 * p;
      } else if (side < 0.0) {
        left += p;
      } else {
        right += p;
      }
    }
  }
  const double area = g.sensel_area_cm2();
  s.left_load_n = force_n(left, area);
  s.right_load_n = force_n(right, area);
  const double mean = 0.5 * (s.left_load_n + s.right_load_n);
  s.symmetry_index_pct = mean > 0.0 ? (s.left_load_n - s.right_load_n) / mean * 100.0 : 0.0;
  return s;
}

double dispersion_index_pct(std::span<const float> mmhg, const RegionSpec& region) {
  if (region.mask.size() != mmhg.size()) throw std::invalid_argument("dispersion_index_pct: mask size differs from map");
  double in = 0.0, all = 0.0;
  for (std::size_t i = 0; i < mmhg.size(); ++i) {
    all += mmhg[i];
    if (region.mask[i]) in += mmhg[i];
  }
  return all > 0.0 ? 100.0 * in / all : 0.0;
}

}  // namespace plinth
