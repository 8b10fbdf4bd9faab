#pragma once
// A 50 Hz mat with its own microsecond clock, run through a DeviceClockModel: the scenario
// (drift, delivery, gaps, a counter reset or wrap) in, per-segment scores out.
#include <cstdint>
#include <vector>

#include "daemon/clock/device_clock_model.hpp"
#include "tests/unit/clock_simulation.hpp"

namespace plinth::testing {

struct MatScenario {
  double drift_ppm = 100.0;
  std::uint64_t seed = 1;
  DeliveryDelay delay;
  double duration_s = 7200.0;
  double frame_period_s = 0.020;
  double gap_start_s = -1.0;  // no frames reach the host for gap_length_s from here
  double gap_length_s = 0.0;
  double reset_at_s = -1.0;   // the device reboots here: 2 s silent, then its counter from 0
  std::int64_t counter_wrap_ns = 0;  // the wire's counter wraps (e.g. 2^32 µs); 0: never
  double ramp_ppm = 0.0;  // the crystal's drift moves by this much over the first ramp_s
  double ramp_s = 0.0;
  DeviceClockSettings settings;
};

struct MatRunResult {
  std::vector<ClockScore> segments;  // one per model segment
  std::vector<ClockRestart> restarts;
  ClockEstimate final_estimate;
  double max_unsettled_error_ms = 0.0;
};

inline MatRunResult run_mat(const MatScenario& s) {
  DeviceClockSettings settings = s.settings;
  settings.counter_wrap_ns = s.counter_wrap_ns;
  DeviceClockModel model(settings);
  InOrderDelivery delivery(s.delay, s.seed);
  SimulatedCrystal crystal{s.drift_ppm};
  crystal.ramp_ppm = s.ramp_ppm;
  crystal.ramp_s = s.ramp_s;
  crystal.device_offset_ns = 123'456'789'000 + static_cast<std::int64_t>(s.seed) * 7'777'777;  // powered up long ago
  MatRunResult result;
  const auto period = static_cast<std::int64_t>(s.frame_period_s * 1e9);
  const auto end_ns = crystal.host_origin_ns + static_cast<std::int64_t>(s.duration_s * 1e9);
  const auto at = [&](double seconds) { return crystal.host_origin_ns + static_cast<std::int64_t>(seconds * 1e9); };
  bool reset_done = s.reset_at_s < 0.0;
  std::int64_t device = crystal.device_ns(crystal.host_origin_ns);
  std::int64_t segment_start_ns = crystal.host_origin_ns;
  for (;; device += period) {
    std::int64_t truth = crystal.true_host_ns(device);
    if (!reset_done && truth >= at(s.reset_at_s)) {
      reset_done = true;
      const std::int64_t reboot = at(s.reset_at_s + 2.0);
      crystal.device_offset_ns = -crystal.device_ns(reboot) + crystal.device_offset_ns;  // counter 0 at reboot
      device = 0;
      truth = crystal.true_host_ns(device);
    }
    if (truth >= end_ns) break;
    if (s.gap_start_s >= 0.0 && truth >= at(s.gap_start_s) && truth < at(s.gap_start_s + s.gap_length_s)) continue;
    const std::int64_t arrival = delivery.arrival_ns(truth);
    // The wire carries whole microseconds, wrapped if the counter is narrow.
    std::int64_t wire_us = device / 1000;
    if (s.counter_wrap_ns > 0) wire_us %= s.counter_wrap_ns / 1000;
    const ClockEstimate& e = model.observe(wire_us * 1000, arrival);
    if (e.restart != ClockRestart::none) {
      result.restarts.push_back(e.restart);
      result.segments.emplace_back();
      segment_start_ns = truth;
    }
    result.segments.back().add(e.host_ns, truth, e.settled, static_cast<double>(truth - segment_start_ns) / 1e9);
    if (!e.settled)
      result.max_unsettled_error_ms =
          std::max(result.max_unsettled_error_ms, std::abs(static_cast<double>(e.host_ns - truth)) / 1e6);
  }
  result.final_estimate = model.last();
  return result;
}

}  // namespace plinth::testing
