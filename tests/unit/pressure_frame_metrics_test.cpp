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

  // CoP column 4.2 cm: column 1 (centre 3 cm) is left, column 2 (5 cm) right.
  // L = 10 + 30 = 40, R = 20 + 40 = 60: SI = (40 - 60) / 50 * 100 = -40 %.
  SymmetryResult s = compute_symmetry(m, kGeom, SymmetryAxis::along_rows, f.cop_row_cm, f.cop_col_cm);
  EXPECT_NEAR(s.symmetry_index_pct, -40.0, 1e-9);
  EXPECT_NEAR(s.left_load_n, 40 * 0.133322 * 0.1 * 4, 1e-12);
  // Split at CoP row 4.4 cm: row 1 (3 cm) has 30, row 2 (5 cm) has 70: (30-70)/50 = -80 %.
  s = compute_symmetry(m, kGeom, SymmetryAxis::along_cols, f.cop_row_cm, f.cop_col_cm);
  EXPECT_NEAR(s.symmetry_index_pct, -80.0, 1e-9);
  EXPECT_DOUBLE_EQ(s.axis_angle_deg, 90.0);

  EXPECT_DOUBLE_EQ(dispersion_index_pct(m, regions[1]), 70.0);
}

TEST(PressureRegions, SensorsOnTheAxisCountHalfEachSide) {
  // Symmetric 1x3 strip 10 | 50 | 10: the CoP runs through the middle column.
  MatGeometry g{1, 3, 1.0, 1.0};
  auto m = map_of({10, 50, 10});
  FrameMetrics f = metrics_of(m, g);
  SymmetryResult s = compute_symmetry(m, g, SymmetryAxis::along_rows, f.cop_row_cm, f.cop_col_cm);
  EXPECT_NEAR(s.symmetry_index_pct, 0.0, 1e-12);
  EXPECT_NEAR(s.left_load_n, force_n(35.0, 1.0), 1e-12);
}

TEST(PressureRegions, PrincipalAxisFollowsADiagonalBody) {
  // Two parallel diagonal lines, 60 mmHg above the main diagonal (col = row + 1) and 20 below
  // (row = col + 1): the long axis runs at 45 degrees and the CoP lies between the lines, half
  // a line spacing towards the heavier one.
  MatGeometry g{5, 5, 1.0, 1.0};
  std::vector<float> m(25, 0.0f);
  for (int i = 0; i < 4; ++i) {
    m[static_cast<std::size_t>(i * 5 + i + 1)] = 60.0f;
    m[static_cast<std::size_t>((i + 1) * 5 + i)] = 20.0f;
  }
  FrameMetrics f = metrics_of(m, g);
  SymmetryResult s = compute_symmetry(m, g, SymmetryAxis::principal, f.cop_row_cm, f.cop_col_cm);
  EXPECT_NEAR(s.axis_angle_deg, 45.0, 1e-9);
  // u = (cos 45, sin 45): side = u_row*dc - u_col*dr > 0 for col > row, which is "right".
  // L = 4*20 = 80, R = 4*60 = 240: SI = (80 - 240) / 160 * 100 = -100 %.
  EXPECT_NEAR(s.symmetry_index_pct, -100.0, 1e-9);
  EXPECT_NEAR(s.right_load_n, force_n(240.0, 1.0), 1e-12);
}

}  // namespace
}  // namespace plinth
