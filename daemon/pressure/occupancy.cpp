#include "daemon/pressure/occupancy.hpp"

#include <cmath>
#include <stdexcept>

namespace plinth {

OccupancyTracker::OccupancyTracker(const OccupancyConfig& config) : config_(config) {
  if (!(config.on_load_n > config.off_load_n) || !(config.off_load_n >= 0.0))
    throw std::invalid_argument("occupancy: need on_load_n > off_load_n >= 0");
  if (!(config.on_hold_s >= 0.0) || !(config.off_hold_s >= 0.0))
    throw std::invalid_argument("occupancy: hold times must be >= 0");
}

void OccupancyTracker::reset() {
  occupied_ = false;
  pending_ = false;
  seen_ = false;
}

bool OccupancyTracker::update(double total_load_n, std::int64_t t_ns) {
  if (seen_ && t_ns < last_ns_) pending_ = false;
  seen_ = true;
  last_ns_ = t_ns;
  const bool wants_change = occupied_ ? !(total_load_n >= config_.off_load_n) : total_load_n >= config_.on_load_n;
  if (!wants_change) {
    pending_ = false;
    return occupied_;
  }
  if (!pending_) {
    pending_ = true;
    pending_since_ns_ = t_ns;
  }
  const double hold = occupied_ ? config_.off_hold_s : config_.on_hold_s;
  if (static_cast<double>(t_ns - pending_since_ns_) * 1e-9 >= hold) {
    occupied_ = !occupied_;
    pending_ = false;
  }
  return occupied_;
}

}  // namespace plinth
