#pragma once
// Is someone on the mat? Total load with hysteresis and minimum durations
// (schemas/pressure-metrics.md §Occupancy), so a shifting patient does not flicker.
#include <cstdint>

#include "daemon/pressure/pressure_config.hpp"

namespace plinth {

class OccupancyTracker {
 public:
  explicit OccupancyTracker(const OccupancyConfig& config);
  // Returns the state after this frame. A time earlier than the last frame restarts the
  // pending change (never the state itself).
  bool update(double total_load_n, std::int64_t t_ns);
  bool occupied() const { return occupied_; }
  void reset();

 private:
  OccupancyConfig config_;
  bool occupied_ = false;
  bool pending_ = false;            // the load is past the threshold for a change
  std::int64_t pending_since_ns_ = 0;
  std::int64_t last_ns_ = 0;
  bool seen_ = false;
};

}  // namespace plinth
