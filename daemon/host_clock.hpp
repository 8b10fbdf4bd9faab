#pragma once
// Host arrival times: a monotonic clock, mapped once to UNIX time at start-up, so that
// stamps never jump when NTP steps the wall clock but still read as wall time.
#include <chrono>
#include <cstdint>

namespace plinth {

// The wall clock now, UNIX ns: for times that are not a sample's arrival (flushes, file
// attributes, a subscriber's receive time, the hub's figures).
inline std::int64_t wall_clock_unix_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class HostClock {
 public:
  HostClock() : steady_origin_(std::chrono::steady_clock::now()), unix_origin_ns_(wall_clock_unix_ns()) {}

  std::int64_t now_unix_ns() const { return to_unix_ns(std::chrono::steady_clock::now()); }
  std::int64_t to_unix_ns(std::chrono::steady_clock::time_point t) const {
    return unix_origin_ns_ + std::chrono::duration_cast<std::chrono::nanoseconds>(t - steady_origin_).count();
  }

 private:
  std::chrono::steady_clock::time_point steady_origin_;
  std::int64_t unix_origin_ns_;
};

}  // namespace plinth
