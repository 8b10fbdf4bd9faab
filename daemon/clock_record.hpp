#pragma once
// A device clock model's estimate as an archive row (/pressure|heart/<id>/clock,
// schemas/clock-model.md), the same for mats and straps.
#include <cstdint>

#include "daemon/archive/archive_record.hpp"
#include "daemon/clock/clock_estimate.hpp"

namespace plinth {

inline void fill_clock_record(std::uint32_t device, std::int64_t arrival_ns, const ClockEstimate& e,
                              archived::Clock& r) {
  r.device = device;
  r.time_ns = arrival_ns;
  r.timeline_ns = e.host_ns;
  r.offset_ns = e.offset_ns;
  r.drift_ppm = e.drift_ppm;
  r.residual_ns = e.residual_ns;
  r.points = e.points;
  r.segment = e.segment;
  r.settled = e.settled ? 1 : 0;
  r.restart = static_cast<std::uint32_t>(e.restart);
}

}  // namespace plinth
