#pragma once
// What a device clock model says about one sample, and how it is tuned. Plain values only;
// the meaning of every field (units, window, outlier rule, settling) is schemas/clock-model.md.
#include <cstdint>

namespace plinth {

// Why a model began a new segment with this sample (the fit before it no longer applies).
enum class ClockRestart : std::uint8_t {
  none = 0,
  first_sample,        // the model had seen nothing yet
  device_clock_reset,  // device time went backwards (counter restarted, not a known wrap)
  device_clock_jump,   // arrival far earlier than the fit allows: device time leapt forward
  device_lost_time,    // arrivals persistently far later than the fit: device time fell behind
  requested,           // the caller said so (e.g. an RR stream lost a notification)
};

const char* to_string(ClockRestart restart);

struct ClockEstimate {
  std::int64_t host_ns = 0;       // this sample on the host timeline: the fit, never after arrival
  std::int64_t offset_ns = 0;     // fit(device time) − device time, for this sample
  double drift_ppm = 0.0;         // device clock rate error: (d device / d host − 1) · 1e6; > 0: fast
  std::int64_t residual_ns = 0;   // median (arrival − fit) over recent samples: typical delivery delay
  std::uint32_t points = 0;       // samples in the fit's window
  std::uint32_t segment = 0;      // restarts so far; samples of one segment share one fit
  bool settled = false;           // the window is long enough for the accuracy the doc states
  ClockRestart restart = ClockRestart::none;
};

struct DeviceClockSettings {
  // Samples are reduced to their earliest arrival per block of device time; the fit runs over
  // the last window_blocks non-empty blocks (60 s at 50 Hz; about 120 s for a 1 Hz strap).
  std::int64_t block_ns = 500'000'000;
  std::uint32_t window_blocks = 120;
  // The drift is refitted through this lowest fraction of each sixth of the window's blocks.
  double envelope_fraction = 0.15;
  // Below this span the drift is held at the last settled value (0 at first): a slope from a
  // few seconds of jittered arrivals would be worse than none.
  std::int64_t min_drift_span_ns = 10'000'000'000;
  // Settled once the window spans this much device time and holds this many blocks.
  std::int64_t settle_span_ns = 30'000'000'000;
  std::uint32_t settle_blocks = 20;
  // Delivery only ever delays, so an arrival this far before the fit means device time jumped.
  std::int64_t early_limit_ns = 20'000'000;
  // Arrivals this far after the fit are left out of the fit; late_streak_limit of them in a row
  // means the device lost time (a delivery stall recovers within a few samples).
  std::int64_t late_limit_ns = 250'000'000;
  std::uint32_t late_streak_limit = 5;
  // A device counter that wraps (e.g. 2^32 µs) is unwrapped, not restarted; 0: it never wraps.
  std::int64_t counter_wrap_ns = 0;
  // A fitted drift beyond this is not a crystal: the segment keeps the previous drift.
  double max_drift_ppm = 1000.0;
  // Recent samples whose median (arrival − fit) is reported as residual_ns.
  std::uint32_t residual_samples = 128;
};

}  // namespace plinth
