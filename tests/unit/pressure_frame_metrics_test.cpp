// Per-frame metrics on grids computed by hand (schemas/pressure-metrics.md §Per frame).
#include <gtest/gtest.h>

#include <cmath>

#include "daemon/pressure/frame_metrics.hpp"
#include "daemon/pressure/region_metrics.hpp"
#include "pressure_test_support.hpp"

namespace plinth {
namespace {

using pressure_test::map_of;

// 4x4 map, pitch 2 cm (sensel area 4 cm^2), in mmHg:
//   0  0  0  0
//   0 10 20  0
//   0 30 40  0
//   0  0  0  0
const MatGeometry kGeom{4, 4, 2.0, 2.0};
std::vector<float> hand_grid() {
  return map_of({0, 0, 0, 0,  //
                 0, 10, 20, 0,  //
                 0, 30, 40, 0,  //
                 0, 0, 0, 0});
}

FrameMetrics metrics_of(const std::vector<float>& m, const MatGeometry& g, double contact = 0.0) {
  std::vector<double> integral(std::size_t{g.rows + 1u} * (g.cols + 1u));
  return compute_frame_metrics(m, g, contact, choose_ppi_window(g.pitch_row_cm, g.pitch_col_cm), integral);
}

TEST(PressureFrameMetrics, HandComputedGrid) {
  FrameMetrics m = metrics_of(hand_grid(), kGeom);
  // Sum P = 100 mmHg; each sensel 4 cm^2: 100 * 0.133322 kPa * 0.1 N/(kPa cm^2) * 4 = 5.33288 N.
  EXPECT_NEAR(m.total_load_n, 5.33288, 1e-9);
  EXPECT_EQ(m.contact_sensels, 4u);
  EXPECT_DOUBLE_EQ(m.contact_area_cm2, 16.0);
  EXPECT_DOUBLE_EQ(m.mean_pressure_mmhg, 25.0);
  EXPECT_DOUBLE_EQ(m.peak_pressure_mmhg, 40.0);
  EXPECT_EQ(m.peak_row, 2);
  EXPECT_EQ(m.peak_col, 2);
  // Deviations -15, -5, 5, 15: variance 125, SD 11.1803, CV = 11.1803 / 25.
  EXPECT_NEAR(m.coefficient_of_variation, std::sqrt(125.0) / 25.0, 1e-12);
  // Row index moment: (10+20)*1 + (30+40)*2 = 170 -> 1.7 -> (1.7 + 0.5) * 2 cm = 4.4 cm.
  EXPECT_NEAR(m.cop_row_cm, 4.4, 1e-12);
  // Column: 10*1 + 20*2 + 30*1 + 40*2 = 160 -> 1.6 -> 4.2 cm.
  EXPECT_NEAR(m.cop_col_cm, 4.2, 1e-12);
  // Largest neighbour step: 40 -> 0 over 2 cm.
  EXPECT_DOUBLE_EQ(m.gradient_max_mmhg_per_cm, 20.0);
  // PPI window at 2 cm pitch is 1x2 sensels (8 cm^2) either way round; best: {30, 40} = 35.
  EXPECT_DOUBLE_EQ(m.ppi_mmhg, 35.0);
  EXPECT_EQ(m.ppi_row, 2);
  EXPECT_EQ(m.ppi_col, 1);
  EXPECT_EQ(m.ppi_rows, 1);
  EXPECT_EQ(m.ppi_cols, 2);
}

TEST(PressureFrameMetrics, ContactThresholdAffectsAreaMeanAndCvButNotLoad) {
  FrameMetrics m = metrics_of(hand_grid(), kGeom, 15.0);
  EXPECT_NEAR(m.total_load_n, 5.33288, 1e-9);
  EXPECT_EQ(m.contact_sensels, 3u);            // 20, 30, 40
  EXPECT_DOUBLE_EQ(m.contact_area_cm2, 12.0);
  EXPECT_DOUBLE_EQ(m.mean_pressure_mmhg, 30.0);
  EXPECT_NEAR(m.coefficient_of_variation, std::sqrt(200.0 / 3.0) / 30.0, 1e-12);
}

TEST(PressureFrameMetrics, VerticalPpiWindowWinsWhenThePairIsVertical) {
  // 20 above 40 in column 2 (mean 30) beats 30|10 horizontally (mean 20).
  auto m = metrics_of(map_of({0, 0, 0, 0, 0, 10, 20, 0, 0, 30, 40, 0, 0, 0, 0, 0}), kGeom);
  EXPECT_DOUBLE_EQ(m.ppi_mmhg, 35.0);
  auto v = metrics_of(map_of({0, 0, 0, 0, 0, 0, 30, 0, 0, 0, 40, 0, 0, 0, 0, 0}), kGeom);
  EXPECT_DOUBLE_EQ(v.ppi_mmhg, 35.0);
  EXPECT_EQ(v.ppi_row, 1);
  EXPECT_EQ(v.ppi_col, 2);
  EXPECT_EQ(v.ppi_rows, 2);
  EXPECT_EQ(v.ppi_cols, 1);
}

// The PPI window by brute force: every window of every allowed shape, in the order the
// definition gives (row-major, the chosen shape before its transpose), the first strictly
// highest mean winning. Integer pressures keep every window sum exact.
struct PpiAt {
  double mean = 0.0;
  int row = -1, col = -1, rows = 0, cols = 0;
};
PpiAt brute_force_ppi(const std::vector<float>& m, const MatGeometry& g) {
  const PpiWindow w = choose_ppi_window(g.pitch_row_cm, g.pitch_col_cm);
  std::vector<std::pair<int, int>> shapes{{w.rows, w.cols}};
  if (w.also_transposed) shapes.emplace_back(w.cols, w.rows);
  PpiAt best;
  for (const auto& [h, wd] : shapes)
    for (int r = 0; r + h <= g.rows; ++r)
      for (int c = 0; c + wd <= g.cols; ++c) {
        double sum = 0.0;
        for (int i = 0; i < h; ++i)
          for (int j = 0; j < wd; ++j) sum += m[static_cast<std::size_t>(r + i) * g.cols + (c + j)];
        const double mean = sum / (h * wd);
        if (mean > best.mean) best = PpiAt{mean, r, c, h, wd};
      }
  return best;
}

TEST(PressureFrameMetrics, PpiScanFindsTheFirstHighestWindowLikeAPlainScan) {
  // Small integer values give many ties; sides that are not multiples of the vector width, and
  // pitches that give 1x2 (and its transpose), 2x2 and 1x1 windows.
  std::uint32_t state = 12345;
  const auto next_value = [&state] {
    state = state * 1664525u + 1013904223u;
    return static_cast<float>((state >> 24) % 5);
  };
  for (const MatGeometry& g : {MatGeometry{5, 7, 2.54, 2.54}, MatGeometry{16, 13, 2.54, 2.54}, MatGeometry{64, 64, 2.54, 2.54},
                               MatGeometry{3, 33, 2.54, 2.54}, MatGeometry{9, 11, 1.6, 1.6}, MatGeometry{8, 6, 3.2, 3.2}})
    for (int trial = 0; trial < 50; ++trial) {
      std::vector<float> m(g.sensels());
      for (float& v : m) v = next_value();
      const FrameMetrics f = metrics_of(m, g);
      const PpiAt want = brute_force_ppi(m, g);
      if (want.row < 0) continue;  // an all-zero map: no window beats 0
      SCOPED_TRACE(std::to_string(g.rows) + "x" + std::to_string(g.cols) + " trial " + std::to_string(trial));
      EXPECT_EQ(f.ppi_mmhg, want.mean);
      EXPECT_EQ(f.ppi_row, want.row);
      EXPECT_EQ(f.ppi_col, want.col);
      EXPECT_EQ(f.ppi_rows, want.rows);
      EXPECT_EQ(f.ppi_cols, want.cols);
    }
}

TEST(PressureFrameMetrics, EmptyMapHasNoCopAndNoPpi) {
  FrameMetrics m = metrics_of(std::vector<float>(16, 0.0f), kGeom);
  EXPECT_EQ(m.total_load_n, 0.0);
  EXPECT_EQ(m.contact_sensels, 0u);
  EXPECT_EQ(m.mean_pressure_mmhg, 0.0);
  EXPECT_TRUE(std::isnan(m.cop_row_cm));
  EXPECT_TRUE(std::isnan(m.cop_col_cm));
  EXPECT_EQ(m.ppi_row, -1);
  EXPECT_EQ(m.peak_row, -1);
}

TEST(PressureFrameMetrics, SeparatePitchesScaleLoadCopAndGradient) {
  // 2x2, rows 1 cm apart, columns 3 cm apart (area 3 cm^2).
  MatGeometry g{2, 2, 1.0, 3.0};
  auto m = metrics_of(map_of({0, 30, 0, 90}), g);
  EXPECT_NEAR(m.total_load_n, 120 * 0.133322 * 0.1 * 3.0, 1e-12);
  EXPECT_NEAR(m.cop_row_cm, (0.75 + 0.5) * 1.0, 1e-12);  // (90*1)/120 = 0.75
  EXPECT_NEAR(m.cop_col_cm, (1.0 + 0.5) * 3.0, 1e-12);
  EXPECT_DOUBLE_EQ(m.gradient_max_mmhg_per_cm, 60.0);    // 30 -> 90 over 1 cm
}

TEST(PressureFrameMetrics, PpiWindowChoice) {
  // 2.54 cm: 1x1 = 6.45 cm^2 (9/6.45 = 1.395), 1x2 = 12.9 cm^2 (12.9/10 = 1.29): 1x2 wins.
  PpiWindow w = choose_ppi_window(2.54, 2.54);
  EXPECT_EQ(w.rows * w.cols, 2);
  EXPECT_TRUE(w.also_transposed);
  // 1.27 cm: 2x3 = 9.68 cm^2 lies inside [9, 10].
  w = choose_ppi_window(1.27, 1.27);
  EXPECT_EQ(w.rows * w.cols, 6);
  EXPECT_NEAR(w.area_cm2, 9.6774, 1e-3);
  // 3.1 cm: a single sensel (9.61 cm^2) already fits.
  w = choose_ppi_window(3.1, 3.1);
  EXPECT_EQ(w.rows, 1);
  EXPECT_EQ(w.cols, 1);
  EXPECT_FALSE(w.also_transposed);
  // 10 cm: still at least one sensel.
  w = choose_ppi_window(10.0, 10.0);
  EXPECT_EQ(w.rows * w.cols, 1);
}

TEST(PressureRegions, LoadsSymmetryAndDispersionOnTheHandGrid) {
  auto m = hand_grid();
  FrameMetrics f = metrics_of(m, kGeom);
  std::vector<RegionSpec> regions = {rect_region("left_col", kGeom, 1, 1, 2, 1), rect_region("lower", kGeom, 2, 0, 2, 4)};
  std::vector<RegionLoad> out(2);
  compute_region_loads(m, kGeom, 0.0, regions, out);
  EXPECT_NEAR(out[0].load_n, 40 * 0.133322 * 0.1 * 4, 1e-12);  // 10 + 30
  EXPECT_DOUBLE_EQ(out[0].contact_area_cm2, 8.0);
  EXPECT_DOUBLE_EQ(out[0].peak_pressure_mmhg, 30.0);
  EXPECT_DOUBLE_EQ(out[0].mean_pressure_mmhg, 20.0);
  EXPECT_NEAR(out[1].load_n, 70 * 0.133322 * 0.1 * 4, 1e-12);

  // The contact area (columns 1-2, rows 1-2) has its centroid at 4 cm, 4 cm, on the line
  // between column 1 (centre 3 cm) and column 2 (5 cm), whereas the CoP (col 4.2 cm) lies
  // toward the heavier side. L = 10 + 30 = 40, R = 20 + 40 = 60: SI = (40 - 60) / 50 = -40 %.
  EXPECT_NEAR(f.cop_col_cm, 4.2, 1e-12);
  SymmetryResult s = compute_symmetry(m, kGeom, SymmetryAxis::along_rows, 0.0);
  EXPECT_NEAR(s.symmetry_index_pct, -40.0, 1e-9);
  EXPECT_NEAR(s.left_load_n, 40 * 0.133322 * 0.1 * 4, 1e-12);
  EXPECT_DOUBLE_EQ(s.midline_row_cm, 4.0);
  EXPECT_DOUBLE_EQ(s.midline_col_cm, 4.0);
  // Split at row 4 cm: row 1 (3 cm) has 30, row 2 (5 cm) has 70: (30-70)/50 = -80 %.
  s = compute_symmetry(m, kGeom, SymmetryAxis::along_cols, 0.0);
  EXPECT_NEAR(s.symmetry_index_pct, -80.0, 1e-9);
  EXPECT_DOUBLE_EQ(s.axis_angle_deg, 90.0);

  EXPECT_DOUBLE_EQ(dispersion_index_pct(m, regions[1]), 70.0);
}

TEST(PressureRegions, SensorsOnTheAxisCountHalfEachSide) {
  // Symmetric 1x3 strip 10 | 50 | 10: the midline runs through the middle column.
  MatGeometry g{1, 3, 1.0, 1.0};
  auto m = map_of({10, 50, 10});
  SymmetryResult s = compute_symmetry(m, g, SymmetryAxis::along_rows, 0.0);
  EXPECT_NEAR(s.symmetry_index_pct, 0.0, 1e-12);
  EXPECT_NEAR(s.left_load_n, force_n(35.0, 1.0), 1e-12);
}

TEST(PressureRegions, AStraddlingColumnSharesItsLoadByTheFractionOnEachSide) {
  // With column 4 below the contact threshold the contact area is columns 0-3, centroid
  // x = 2.0 cm: the line between columns 1 and 2. With every column in contact the centroid
  // moves to 2.5 cm, the middle of column 2, which then gives half its load to each side.
  MatGeometry g{1, 5, 1.0, 1.0};
  auto m = map_of({10, 10, 40, 30, 2});
  SymmetryResult s = compute_symmetry(m, g, SymmetryAxis::along_rows, 5.0);  // column 4 not in contact
  EXPECT_DOUBLE_EQ(s.midline_col_cm, 2.0);
  // L = 10 + 10, R = 40 + 30 + 2 (column 4 still carries load): (20 - 72) / 46 = -113.04 %.
  EXPECT_NEAR(s.symmetry_index_pct, (20.0 - 72.0) / 46.0 * 100.0, 1e-9);
  s = compute_symmetry(m, g, SymmetryAxis::along_rows, 0.0);
  EXPECT_DOUBLE_EQ(s.midline_col_cm, 2.5);
  // Column 2 spans 2..3 cm: the line at 2.5 gives it half to each side. L = 40, R = 52.
  EXPECT_NEAR(s.left_load_n, force_n(40.0, 1.0), 1e-12);
  EXPECT_NEAR(s.right_load_n, force_n(52.0, 1.0), 1e-12);
  // The same strip down the rows, split across them (each row's share of the line): the same loads.
  const SymmetryResult down = compute_symmetry(m, MatGeometry{5, 1, 1.0, 1.0}, SymmetryAxis::along_cols, 0.0);
  EXPECT_DOUBLE_EQ(down.midline_row_cm, 2.5);
  EXPECT_NEAR(down.left_load_n, force_n(40.0, 1.0), 1e-12);
  EXPECT_NEAR(down.right_load_n, force_n(52.0, 1.0), 1e-12);
  // A line at 2.2 cm (pitch 1): 20 % of column 2 on the left.
  EXPECT_NEAR(fraction_on_negative_side(-0.3, 0.0, 1.0, 1.0, 1.0), 0.8, 1e-12);
  EXPECT_NEAR(fraction_on_negative_side(0.3, 0.0, 1.0, 1.0, 1.0), 0.2, 1e-12);
}

TEST(PressureRegions, FractionOfASenselOnEachSideOfATiltedLineIsItsArea) {
  // A unit square cut by the 45-degree line through its centre: half.
  const double h = std::sqrt(0.5);
  EXPECT_NEAR(fraction_on_negative_side(0.0, -h, h, 1.0, 1.0), 0.5, 1e-12);
  // Through a corner: nothing (or everything) on one side.
  EXPECT_NEAR(fraction_on_negative_side(h, -h, h, 1.0, 1.0), 0.0, 1e-12);
  EXPECT_NEAR(fraction_on_negative_side(-h, -h, h, 1.0, 1.0), 1.0, 1e-12);
  // Half-way from the centre to a corner: the corner triangle with legs 0.5 has area 1/8.
  EXPECT_NEAR(fraction_on_negative_side(h / 2, -h, h, 1.0, 1.0), 0.125, 1e-12);
  // A 2 x 1 cm sensel and a line at atan(1/2) through a corner region, checked by counting
  // points of a fine grid.
  const double theta = std::atan2(1.0, 2.0), nr = -std::sin(theta), nc = std::cos(theta);
  for (double centre : {-0.9, -0.4, 0.0, 0.25, 0.7}) {
    int below = 0;
    const int k = 1000;
    for (int i = 0; i < k; ++i)
      for (int j = 0; j < k; ++j) {
        const double dr = ((i + 0.5) / k - 0.5) * 2.0, dc = ((j + 0.5) / k - 0.5) * 1.0;
        below += centre + nr * dr + nc * dc < 0.0;
      }
    EXPECT_NEAR(fraction_on_negative_side(centre, nr, nc, 2.0, 1.0), below / double(k * k), 2e-3) << centre;
  }
}

TEST(PressureRegions, PrincipalAxisFollowsADiagonalBody) {
  // Two parallel diagonal lines, 60 mmHg above the main diagonal (col = row + 1) and 20 below
  // (row = col + 1): the long axis of the contact area runs at 45 degrees between the lines.
  MatGeometry g{5, 5, 1.0, 1.0};
  std::vector<float> m(25, 0.0f);
  for (int i = 0; i < 4; ++i) {
    m[static_cast<std::size_t>(i * 5 + i + 1)] = 60.0f;
    m[static_cast<std::size_t>((i + 1) * 5 + i)] = 20.0f;
  }
  SymmetryResult s = compute_symmetry(m, g, SymmetryAxis::principal, 0.0);
  EXPECT_NEAR(s.axis_angle_deg, 45.0, 1e-9);
  EXPECT_NEAR(s.midline_row_cm, 2.5, 1e-12);  // the contact area's centroid, between the lines
  EXPECT_NEAR(s.midline_col_cm, 2.5, 1e-12);
  // u = (cos 45, sin 45): side = u_row*dc - u_col*dr > 0 for col > row, which is "right"; the
  // line through the centroid touches each sensel at a corner only.
  // L = 4*20 = 80, R = 4*60 = 240: SI = (80 - 240) / 160 * 100 = -100 %.
  EXPECT_NEAR(s.symmetry_index_pct, -100.0, 1e-9);
  EXPECT_NEAR(s.right_load_n, force_n(240.0, 1.0), 1e-12);
}

}  // namespace
}  // namespace plinth
