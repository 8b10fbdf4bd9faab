#include "daemon/pressure/region_metrics.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cmath>
#include <limits>
#include <numbers>
#include <stdexcept>

#include "daemon/pressure/frame_metrics.hpp"

namespace plinth {
namespace {

constexpr int kMaxSideCached = 1024;  // the largest mat side the configuration accepts

}  // namespace

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

double fraction_on_negative_side(double centre_side, double normal_row, double normal_col, double pitch_row_cm,
                                 double pitch_col_cm) {
  // Over the rectangle the signed distance is centre_side + U1 + U2 with U1, U2 uniform on
  // widths w1 >= w2 (the rectangle's extents projected on the normal).
  double w1 = std::abs(normal_col) * pitch_col_cm, w2 = std::abs(normal_row) * pitch_row_cm;
  if (w1 < w2) std::swap(w1, w2);
  const double t = -centre_side;  // fraction = P(U1 + U2 < t)
  const double half_sum = 0.5 * (w1 + w2), half_diff = 0.5 * (w1 - w2);
  if (t <= -half_sum) return 0.0;
  if (t >= half_sum) return 1.0;
  if (w2 <= 1e-12 * w1) return std::clamp((t + 0.5 * w1) / w1, 0.0, 1.0);  // the line runs along an edge
  if (t <= -half_diff) return (t + half_sum) * (t + half_sum) / (2.0 * w1 * w2);
  if (t < half_diff) return (t + 0.5 * w1) / w1;
  return 1.0 - (half_sum - t) * (half_sum - t) / (2.0 * w1 * w2);
}

SymmetryResult compute_symmetry(std::span<const float> mmhg, const MatGeometry& g, SymmetryAxis axis,
                                double contact_threshold_mmhg) {
  if (mmhg.size() != g.sensels()) throw std::invalid_argument("compute_symmetry: map size differs from rows*cols");
  SymmetryResult s;
  s.axis_angle_deg = axis == SymmetryAxis::along_cols ? 90.0 : 0.0;
  const double contact = std::max(0.0, contact_threshold_mmhg);
  const double pr = g.pitch_row_cm, pc = g.pitch_col_cm;

  // The midline runs through the centroid of the contact area, which, unlike the CoP, does
  // not move toward the side that carries more load.
  // Counted in integers: the same sums as adding 1.0, r and c in doubles (exact below 2^53),
  // without a chain of floating-point additions.
  std::int64_t count = 0, count_r = 0, count_c = 0;
  for (int r = 0; r < g.rows; ++r) {
    const float* row = mmhg.data() + static_cast<std::size_t>(r) * g.cols;
    std::int64_t in_row = 0, cols_in_row = 0;
    for (int c = 0; c < g.cols; ++c) {
      const bool in = row[c] > contact;
      in_row += in;
      cols_in_row += in ? c : 0;
    }
    count += in_row;
    count_r += in_row * r;
    count_c += cols_in_row;
  }
  const double n = static_cast<double>(count), sum_r = static_cast<double>(count_r), sum_c = static_cast<double>(count_c);
  if (n == 0.0) {
    s.midline_row_cm = s.midline_col_cm = std::numeric_limits<double>::quiet_NaN();
    return s;
  }
  const double mean_r = sum_r / n, mean_c = sum_c / n;  // in sensel units, from the first centre
  s.midline_row_cm = (mean_r + 0.5) * pr;
  s.midline_col_cm = (mean_c + 0.5) * pc;

  // Unit normal of the split line in (row, col) cm; the negative side is "left".
  double normal_row = 0.0, normal_col = 1.0;  // rows: the line x = midline, left = smaller col
  if (axis == SymmetryAxis::along_cols) {
    normal_row = 1.0;  // the line y = midline, left = smaller row
    normal_col = 0.0;
  } else if (axis == SymmetryAxis::principal) {
    // Unweighted second moments of the contact mask about its centroid.
    double srr = 0.0, scc = 0.0, src = 0.0;
    for (int r = 0; r < g.rows; ++r) {
      const double dr = (r - mean_r) * pr;
      for (int c = 0; c < g.cols; ++c) {
        if (!(mmhg[static_cast<std::size_t>(r) * g.cols + c] > contact)) continue;
        const double dc = (c - mean_c) * pc;
        srr += dr * dr;
        scc += dc * dc;
        src += dr * dc;
      }
    }
    double theta = 0.5 * std::atan2(2.0 * src, srr - scc);  // major axis, (-pi/2, pi/2]
    if (theta <= -std::numbers::pi / 2 + 1e-12) theta += std::numbers::pi;
    s.axis_angle_deg = theta * 180.0 / std::numbers::pi;
    // Axis u = (cos, sin) in (row, col); left when u_row*dc - u_col*dr < 0.
    normal_row = -std::sin(theta);
    normal_col = std::cos(theta);
  }

  // With the line along a grid axis the share on the left depends on the column (or row)
  // alone: worked out once per column (row), with the same expressions as per sensel.
  const bool by_col = normal_row == 0.0 && g.cols <= kMaxSideCached;
  const bool by_row = normal_col == 0.0 && g.rows <= kMaxSideCached;
  std::array<double, kMaxSideCached> share{};
  if (by_col)
    for (int c = 0; c < g.cols; ++c)
      share[static_cast<std::size_t>(c)] =
          fraction_on_negative_side(normal_col * (c - mean_c) * pc, normal_row, normal_col, pr, pc);
  if (by_row)
    for (int r = 0; r < g.rows; ++r)
      share[static_cast<std::size_t>(r)] = fraction_on_negative_side(normal_row * ((r - mean_r) * pr), normal_row, normal_col, pr, pc);
  double left = 0.0, right = 0.0;
  // With the share a lookup, the sums run in no particular order, so the compiler may split
  // them into vector lanes (they differ from one chain's only in rounding, ~1e-16 relative).
  const auto loaded = [](float p) { return p > 0.0f ? static_cast<double>(p) : 0.0; };
  if (by_col) {
    for (int r = 0; r < g.rows; ++r) {
      const float* row = mmhg.data() + static_cast<std::size_t>(r) * g.cols;
#pragma omp simd reduction(+ : left, right)
      for (int c = 0; c < g.cols; ++c) {
        const double p = loaded(row[c]), f = share[static_cast<std::size_t>(c)];
        left += f * p;
        right += (1.0 - f) * p;
      }
    }
  } else if (by_row) {  // one share for the whole row: split the row's load once
    for (int r = 0; r < g.rows; ++r) {
      const float* row = mmhg.data() + static_cast<std::size_t>(r) * g.cols;
      double row_load = 0.0;
#pragma omp simd reduction(+ : row_load)
      for (int c = 0; c < g.cols; ++c) row_load += loaded(row[c]);
      const double f = share[static_cast<std::size_t>(r)];
      left += f * row_load;
      right += (1.0 - f) * row_load;
    }
  } else {
    for (int r = 0; r < g.rows; ++r) {
      const double dr = (r - mean_r) * pr;
      const float* row = mmhg.data() + static_cast<std::size_t>(r) * g.cols;
      for (int c = 0; c < g.cols; ++c) {
        const double p = row[c];
        if (p <= 0.0) continue;
        const double f =
            fraction_on_negative_side(normal_row * dr + normal_col * (c - mean_c) * pc, normal_row, normal_col, pr, pc);
        left += f * p;
        right += (1.0 - f) * p;
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
