#pragma once
// Device sequence numbers in, gaps and duplicates out: a gap is recorded, never hidden.
#include <cstdint>

namespace plinth {

struct SequenceObservation {
  std::uint32_t lost_before = 0;  // frames the counter says are missing before this one
  bool duplicate = false;         // same number as the previous frame (a repeated frame)
  bool restarted = false;         // counter went backwards: the device restarted
};

class SequenceTracker {
 public:
  SequenceObservation observe(std::uint32_t seq) {
    SequenceObservation o;
    if (have_last_) {
      const std::uint32_t step = seq - last_;  // modulo 2^32, so wrap-around is a step of 1
      if (step == 0) {
        o.duplicate = true;
      } else if (step > kMaxPlausibleGap) {
        o.restarted = true;  // far "ahead" modulo 2^32 means it went backwards
      } else {
        o.lost_before = step - 1;
      }
    }
    last_ = seq;
    have_last_ = true;
    return o;
  }
  // After a reconnect the device may have restarted its counter; do not call that a gap.
  void reset() { have_last_ = false; }

 private:
  // More than this many frames missing at once is read as a counter restart (a 100 Hz mat
  // would have to be silent for about 4 days to lose 2^25 frames).
  static constexpr std::uint32_t kMaxPlausibleGap = 1u << 25;
  std::uint32_t last_ = 0;
  bool have_last_ = false;
};

}  // namespace plinth
