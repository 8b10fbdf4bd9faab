#include "daemon/pressure/exposure_map.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace plinth {

ExposureAccumulator::ExposureAccumulator(std::uint16_t rows, std::uint16_t cols, double threshold_mmhg, double max_gap_s)
    : max_gap_s_(max_gap_s) {
  if (rows == 0 || cols == 0) throw std::invalid_argument("exposure map: empty geometry");
  if (!(threshold_mmhg >= 0.0) || !std::isfinite(threshold_mmhg)) throw std::invalid_argument("exposure map: threshold must be >= 0");
  if (!(max_gap_s > 0.0)) throw std::invalid_argument("exposure map: max gap must be > 0");
  map_.rows = rows;
  map_.cols = cols;
  map_.threshold_mmhg = threshold_mmhg;
  const std::size_t n = std::size_t{rows} * cols;
  map_.pti_mmhg_s.assign(n, 0.0);
  map_.time_above_s.assign(n, 0.0);
  held_.assign(n, 0.0f);
}

void ExposureAccumulator::reset() {
  std::fill(map_.pti_mmhg_s.begin(), map_.pti_mmhg_s.end(), 0.0);
  std::fill(map_.time_above_s.begin(), map_.time_above_s.end(), 0.0);
  map_.duration_s = map_.max_pti_mmhg_s = map_.max_time_above_s = 0.0;
  map_.sensels_above = 0;
  have_held_ = false;
}

void ExposureAccumulator::add(std::span<const float> mmhg, std::int64_t t_ns) {
  if (mmhg.size() != held_.size()) throw std::invalid_argument("exposure map: frame size differs from rows*cols");
  if (have_held_) {
    const double dt = static_cast<double>(t_ns - held_ns_) * 1e-9;
    if (dt > 0.0 && dt <= max_gap_s_) {
      map_.duration_s += dt;
      const double threshold = map_.threshold_mmhg;
      // The maxima and the count in locals: stores into the per-sensel maps could otherwise
      // alias them, and the compiler would reload them for every sensel.
      double max_pti = map_.max_pti_mmhg_s, max_above = map_.max_time_above_s;
      auto sensels_above = map_.sensels_above;
      const float* held = held_.data();
      double* pti = map_.pti_mmhg_s.data();
      double* time_above = map_.time_above_s.data();
      for (std::size_t i = 0; i < held_.size(); ++i) {
        const double p = held[i];
        if (p <= 0.0) continue;
        double& dose = pti[i];
        dose += p * dt;
        max_pti = std::max(max_pti, dose);
        if (p >= threshold) {
          double& above = time_above[i];
          if (above == 0.0) ++sensels_above;
          above += dt;
          max_above = std::max(max_above, above);
        }
      }
      map_.max_pti_mmhg_s = max_pti;
      map_.max_time_above_s = max_above;
      map_.sensels_above = sensels_above;
    }
  }
  std::copy(mmhg.begin(), mmhg.end(), held_.begin());
  held_ns_ = t_ns;
  have_held_ = true;
}

void ExposureAccumulator::snapshot(ExposureMap& out) const { out = map_; }

}  // namespace plinth
