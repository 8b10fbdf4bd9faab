#include "daemon/clock/rr_beat_clock.hpp"

#include <algorithm>
#include <cmath>

namespace plinth {

DeviceClockSettings rr_clock_settings() {
  DeviceClockSettings s;
  s.late_streak_limit = 1;
  // One point per notification (one or two a second, each quantised to 1/1024 s): about
  // 14 min of window and 2 min to settle buy the drift precision a 50 Hz mat gets from 60 s.
  s.window_blocks = 480;
  s.settle_span_ns = 120'000'000'000;
  return s;
}

RrBeatClock::RrBeatClock(DeviceClockSettings settings) : model_(settings) {}

const ClockEstimate& RrBeatClock::on_notification(std::int64_t arrival_ns, std::span<const double> rr_ms,
                                                  std::vector<std::int64_t>& beat_host_ns) {
  beat_host_ns.resize(rr_ms.size());
  if (rr_ms.empty()) return model_.last();
  const std::int64_t first_beat_sum = rr_sum_ns_;
  for (const double rr : rr_ms) rr_sum_ns_ += std::llround(rr * 1e6);
  const ClockEstimate& estimate = model_.observe(rr_sum_ns_, arrival_ns);
  std::int64_t beat_sum = first_beat_sum;
  for (std::size_t k = 0; k < rr_ms.size(); ++k) {
    beat_sum += std::llround(rr_ms[k] * 1e6);
    // No beat can have happened after the notification that reports it arrived.
    beat_host_ns[k] = std::min(model_.to_host_ns(beat_sum), arrival_ns);
  }
  return estimate;
}

}  // namespace plinth
