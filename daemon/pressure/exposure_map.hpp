#pragma once
// Session-long exposure per sensel (schemas/pressure-metrics.md §Exposure map): the
// pressure-time integral and the time spent above a threshold.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace plinth {

struct ExposureMap {
  std::uint16_t rows = 0;
  std::uint16_t cols = 0;
  double threshold_mmhg = 0.0;
  double duration_s = 0.0;                  // integrated time
  std::vector<double> pti_mmhg_s;          // rows*cols pressure-time integral
  std::vector<double> time_above_s;         // rows*cols time with pressure >= threshold
  double max_pti_mmhg_s = 0.0;
  double max_time_above_s = 0.0;
  std::uint32_t sensels_above = 0;          // sensels with any time above the threshold
};

class ExposureAccumulator {
 public:
  ExposureAccumulator(std::uint16_t rows, std::uint16_t cols, double threshold_mmhg, double max_gap_s);
  // Sample-and-hold: the previous frame's pressure is held until this frame's time. Gaps
  // longer than max_gap_s (device dropouts) and backward time steps add nothing.
  void add(std::span<const float> mmhg, std::int64_t t_ns);
  // Copies the current state into `out` (reusing its buffers); call every few seconds.
  void snapshot(ExposureMap& out) const;
  const ExposureMap& current() const { return map_; }
  void reset();

 private:
  ExposureMap map_;
  double max_gap_s_;
  std::vector<float> held_;
  std::int64_t held_ns_ = 0;
  bool have_held_ = false;
};

}  // namespace plinth
