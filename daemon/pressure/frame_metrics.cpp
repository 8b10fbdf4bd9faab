#include "daemon/pressure/frame_metrics.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace plinth {

namespace {

constexpr double kPpiLowCm2 = 9.0;
constexpr double kPpiHighCm2 = 10.0;
constexpr int kPpiMaxSide = 32;

// How far (as a log ratio) an area lies outside [9, 10] cm^2; 0 inside.
double ppi_distance(double area) {
  return std::log(std::max({kPpiLowCm2 / area, area / kPpiHighCm2, 1.0}));
}

double aspect(double a, double b) { return std::max(a, b) / std::min(a, b); }

// Highest window mean for an h x w window; updates best/at if strictly higher.
void scan_windows(std::span<const double> integral, int rows, int cols, int h, int w, double& best, int& best_r,
                  int& best_c, int& best_h, int& best_w) {
  if (h > rows || w > cols) return;
  const std::size_t stride = static_cast<std::size_t>(cols) + 1;
  const double inv = 1.0 / (static_cast<double>(h) * w);
  const auto window_mean = [inv, w](const double* top, const double* bottom, int c) {
    return (bottom[c + w] - bottom[c] - top[c + w] + top[c]) * inv;
  };
  const int last = cols - w;
  for (int r = 0; r + h <= rows; ++r) {
    const double* top = integral.data() + static_cast<std::size_t>(r) * stride;
    const double* bottom = integral.data() + static_cast<std::size_t>(r + h) * stride;
    // The row's highest mean first, in vector lanes (a maximum is exact in any order); only a
    // row that beats the best so far is walked in order, so the first window with the highest
    // mean wins, as in a plain scan, with the same arithmetic.
    double row_best = best;
#pragma omp simd reduction(max : row_best)
    for (int c = 0; c <= last; ++c) row_best = std::max(row_best, window_mean(top, bottom, c));
    if (!(row_best > best)) continue;
    for (int c = 0; c <= last; ++c) {
      const double mean = window_mean(top, bottom, c);
      if (mean > best) {
        best = mean;
        best_r = r;
        best_c = c;
        best_h = h;
        best_w = w;
      }
    }
  }
}

}  // namespace

PpiWindow choose_ppi_window(double pitch_row_cm, double pitch_col_cm) {
  if (!(pitch_row_cm > 0.0) || !(pitch_col_cm > 0.0) || !std::isfinite(pitch_row_cm) || !std::isfinite(pitch_col_cm))
    throw std::invalid_argument("choose_ppi_window: pitches must be > 0");
  PpiWindow best;
  double best_distance = std::numeric_limits<double>::infinity();
  double best_aspect = std::numeric_limits<double>::infinity();
  for (int h = 1; h <= kPpiMaxSide; ++h) {
    for (int w = 1; w <= kPpiMaxSide; ++w) {
      const double eh = h * pitch_row_cm, ew = w * pitch_col_cm;
      const double asp = aspect(eh, ew);
      if (asp > 2.0 && !(h == 1 && w == 1)) continue;  // not square-ish
      const double area = eh * ew;
      const double d = ppi_distance(area);
      const bool nearer = d < best_distance - 1e-12;
      const bool tie = std::abs(d - best_distance) <= 1e-12;
      if (nearer || (tie && (asp < best_aspect - 1e-12 || (std::abs(asp - best_aspect) <= 1e-12 && area < best.area_cm2 - 1e-12)))) {
        best = PpiWindow{h, w, false, area};
        best_distance = d;
        best_aspect = asp;
      }
    }
  }
  // The rotated block is just as near when the pitches make it the same area and aspect.
  if (best.rows != best.cols) {
    const double eh = best.cols * pitch_row_cm, ew = best.rows * pitch_col_cm;
    best.also_transposed = std::abs(ppi_distance(eh * ew) - best_distance) <= 1e-12 &&
                           std::abs(aspect(eh, ew) - best_aspect) <= 1e-12;
  }
  return best;
}

FrameMetrics compute_frame_metrics(std::span<const float> mmhg, const MatGeometry& g, double contact_threshold_mmhg,
                                   const PpiWindow& window, std::span<double> integral) {
  const int rows = g.rows, cols = g.cols;
  const std::size_t n = g.sensels();
  if (mmhg.size() != n) throw std::invalid_argument("compute_frame_metrics: map size differs from rows*cols");
  if (integral.size() < (n + rows + cols + 1)) throw std::invalid_argument("compute_frame_metrics: integral buffer too small");
  const double area = g.sensel_area_cm2();

  FrameMetrics m;
  double sum_p = 0.0, sum_p_row = 0.0, sum_p_col = 0.0;
  double sum_contact = 0.0, sum_contact_sq = 0.0;
  double peak = 0.0;
  // Largest absolute step between neighbours along each axis, divided by the pitch once at the
  // end (the same maximum: division by a positive constant keeps the order), not per sensel.
  double step_along_col = 0.0, step_along_row = 0.0;
  const std::size_t stride = static_cast<std::size_t>(cols) + 1;
  std::fill(integral.begin(), integral.begin() + static_cast<std::ptrdiff_t>(stride), 0.0);

  for (int r = 0; r < rows; ++r) {
    const float* row = mmhg.data() + static_cast<std::size_t>(r) * cols;
    const float* next = r + 1 < rows ? row + cols : nullptr;
    double* irow = integral.data() + static_cast<std::size_t>(r + 1) * stride;
    const double* iprev = irow - stride;
    irow[0] = 0.0;
    double row_sum = 0.0;  // also the integral's running sum along the row
    for (int c = 0; c < cols; ++c) {
      const double p = row[c];
      row_sum += p;
      irow[c + 1] = iprev[c + 1] + row_sum;
      sum_p_col += p * c;
      if (p > contact_threshold_mmhg) {
        ++m.contact_sensels;
        sum_contact += p;
        sum_contact_sq += p * p;
      }
      if (p > peak) {
        peak = p;
        m.peak_row = r;
        m.peak_col = c;
      }
      if (c + 1 < cols) step_along_col = std::max(step_along_col, std::abs(static_cast<double>(row[c + 1]) - p));
      if (next) step_along_row = std::max(step_along_row, std::abs(static_cast<double>(next[c]) - p));
    }
    sum_p += row_sum;
    sum_p_row += row_sum * r;
  }

  m.total_load_n = force_n(sum_p, area);
  m.contact_area_cm2 = m.contact_sensels * area;
  m.peak_pressure_mmhg = peak;
  m.gradient_max_mmhg_per_cm = std::max(step_along_col / g.pitch_col_cm, step_along_row / g.pitch_row_cm);
  if (m.contact_sensels > 0) {
    const double k = m.contact_sensels;
    m.mean_pressure_mmhg = sum_contact / k;
    const double var = std::max(0.0, sum_contact_sq / k - m.mean_pressure_mmhg * m.mean_pressure_mmhg);
    m.coefficient_of_variation = m.mean_pressure_mmhg > 0.0 ? std::sqrt(var) / m.mean_pressure_mmhg : 0.0;
  }
  if (sum_p > 0.0) {
    m.cop_row_cm = (sum_p_row / sum_p + 0.5) * g.pitch_row_cm;
    m.cop_col_cm = (sum_p_col / sum_p + 0.5) * g.pitch_col_cm;
    double best = 0.0;
    int br = -1, bc = -1, bh = 0, bw = 0;
    scan_windows(integral, rows, cols, window.rows, window.cols, best, br, bc, bh, bw);
    if (window.also_transposed) scan_windows(integral, rows, cols, window.cols, window.rows, best, br, bc, bh, bw);
    if (br < 0) {  // window larger than the mat: fall back to the whole mat
      best = sum_p / static_cast<double>(n);
      br = 0; bc = 0; bh = rows; bw = cols;
    }
    m.ppi_mmhg = best;
    m.ppi_row = br;
    m.ppi_col = bc;
    m.ppi_rows = bh;
    m.ppi_cols = bw;
  } else {
    m.cop_row_cm = std::numeric_limits<double>::quiet_NaN();
    m.cop_col_cm = std::numeric_limits<double>::quiet_NaN();
  }
  return m;
}

}  // namespace plinth
