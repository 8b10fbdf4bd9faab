#pragma once
// Beat times for a strap that has no clock but its RR intervals. The running RR sum is the
// strap's clock: each notification feeds (RR sum at its last beat, arrival) to a
// DeviceClockModel, and every beat it carries is timed from its own RR sum through that fit,
// not stamped with the notification's arrival. A lost notification takes its intervals with it,
// so the sum falls behind host time: the model sees one late arrival and re-anchors
// (ClockRestart::device_lost_time). Spec: schemas/clock-model.md, section "RR streams".
#include <cstdint>
#include <span>
#include <vector>

#include "daemon/clock/device_clock_model.hpp"

namespace plinth {

// A model tuned for a notification stream: one late arrival beyond the limit is a lost
// notification (a beat is at least 250 ms, longer than any delivery stall we accept).
DeviceClockSettings rr_clock_settings();

class RrBeatClock {
 public:
  explicit RrBeatClock(DeviceClockSettings settings = rr_clock_settings());

  // The beats of one notification, RR intervals oldest first (its last beat ends about when it
  // was sent). Writes one host time per interval into beat_host_ns, oldest first.
  const ClockEstimate& on_notification(std::int64_t arrival_ns, std::span<const double> rr_ms,
                                       std::vector<std::int64_t>& beat_host_ns);

  const DeviceClockModel& model() const { return model_; }

 private:
  DeviceClockModel model_;
  std::int64_t rr_sum_ns_ = 0;  // the strap's clock: every interval received, summed
};

}  // namespace plinth
