#pragma once
// Metrics of one calibrated pressure map (schemas/pressure-metrics.md §Per frame).
// Pure: a map in, numbers out; the caller owns every buffer.
#include <cstdint>
#include <span>

#include "daemon/pressure/pressure_config.hpp"

namespace plinth {

// Newtons on one sensel of area_cm2 at p_mmhg: 1 kPa acting on 1 cm^2 is 0.1 N.
inline double force_n(double p_mmhg, double area_cm2) { return p_mmhg * kKpaPerMmhg * 0.1 * area_cm2; }

// Window of the peak pressure index: the square-ish block of sensels whose area is nearest
// (by ratio) to 9-10 cm^2. `also_transposed` when the rotated block is equally near.
struct PpiWindow {
  int rows = 1;
  int cols = 1;
  bool also_transposed = false;
  double area_cm2 = 0.0;
};
PpiWindow choose_ppi_window(double pitch_row_cm, double pitch_col_cm);

struct FrameMetrics {
  double total_load_n = 0.0;
  double contact_area_cm2 = 0.0;
  std::uint32_t contact_sensels = 0;
  double mean_pressure_mmhg = 0.0;      // over the contact area; 0 when no contact
  double peak_pressure_mmhg = 0.0;
  int peak_row = -1;                    // first sensel (row-major) at the peak, -1 if none
  int peak_col = -1;
  double ppi_mmhg = 0.0;                // peak pressure index
  int ppi_row = -1;                     // top-left sensel of the PPI window, -1 if none
  int ppi_col = -1;
  int ppi_rows = 0;                     // the window actually used (may be transposed)
  int ppi_cols = 0;
  double coefficient_of_variation = 0.0;  // population SD / mean over contact sensels
  double cop_row_cm = 0.0;              // NaN when there is no load
  double cop_col_cm = 0.0;
  double gradient_max_mmhg_per_cm = 0.0;
  std::uint32_t saturated_count = 0;    // filled in by the pipeline from the calibrator
};

// `integral` must hold (rows+1)*(cols+1) doubles (a summed-area table for the PPI).
FrameMetrics compute_frame_metrics(std::span<const float> mmhg, const MatGeometry& geometry,
                                   double contact_threshold_mmhg, const PpiWindow& window,
                                   std::span<double> integral);

}  // namespace plinth
