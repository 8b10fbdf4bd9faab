#pragma once
// Simulated devices for the clock-model tests: a crystal with a known drift and offset, and a
// delivery path that only ever delays (gamma jitter of a few ms plus rare stalls of tens of ms),
// in order, as USB and BLE deliver. Own distributions from a fixed-seed mt19937_64, so every
// standard library draws the same numbers.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>

namespace plinth::testing {

struct DeliveryDelay {
  int gamma_shape = 2;          // sum of this many exponentials
  double mean_ms = 3.0;         // mean of the gamma part
  double outlier_rate = 0.01;   // fraction of samples stalled
  double outlier_min_ms = 30.0;
  double outlier_max_ms = 80.0;
};

class DelaySource {
 public:
  DelaySource(DeliveryDelay delay, std::uint64_t seed) : delay_(delay), rng_(seed) {}

  std::int64_t next_ns() {
    double ms = 0.0;
    for (int k = 0; k < delay_.gamma_shape; ++k) ms -= std::log(1.0 - uniform()) * delay_.mean_ms / delay_.gamma_shape;
    if (uniform() < delay_.outlier_rate)
      ms += delay_.outlier_min_ms + uniform() * (delay_.outlier_max_ms - delay_.outlier_min_ms);
    return std::llround(ms * 1e6);
  }

  double uniform() { return static_cast<double>(rng_() >> 11) * 0x1.0p-53; }

 private:
  DeliveryDelay delay_;
  std::mt19937_64 rng_;
};

// The device's crystal: device time = offset + true elapsed · (1 + drift), the drift moving
// linearly by ramp_ppm over the first ramp_s (a crystal warming up) if asked.
struct SimulatedCrystal {
  double drift_ppm = 0.0;
  std::int64_t host_origin_ns = 1'765'000'000'000'000'000;  // session start on the host timeline
  std::int64_t device_offset_ns = 0;
  double ramp_ppm = 0.0;
  double ramp_s = 0.0;

  // Device ns gained on the host after `elapsed` host ns.
  double gained_ns(double elapsed) const {
    const double ramp = ramp_s * 1e9;
    const double start = drift_ppm * 1e-6;
    const double change = ramp_ppm * 1e-6;
    if (elapsed < ramp) return start * elapsed + 0.5 * change / ramp * elapsed * elapsed;
    return start * ramp + 0.5 * change * ramp + (start + change) * (elapsed - ramp);
  }
  std::int64_t device_ns(std::int64_t true_host_ns) const {
    const double elapsed = static_cast<double>(true_host_ns - host_origin_ns);
    return device_offset_ns + std::llround(elapsed + gained_ns(elapsed));
  }
  std::int64_t true_host_ns(std::int64_t device_ns) const {
    const double device_elapsed = static_cast<double>(device_ns - device_offset_ns);
    double elapsed = device_elapsed;  // the gain is ppm-small: a few fixed-point steps converge
    for (int k = 0; k < 4; ++k) elapsed = device_elapsed - gained_ns(elapsed);
    return host_origin_ns + std::llround(elapsed);
  }
};

// In-order delivery: a stalled sample holds back the ones behind it.
class InOrderDelivery {
 public:
  InOrderDelivery(DeliveryDelay delay, std::uint64_t seed) : delays_(delay, seed) {}
  std::int64_t arrival_ns(std::int64_t true_ns) {
    last_ = std::max(true_ns + delays_.next_ns(), last_);
    return last_;
  }
  DelaySource& delays() { return delays_; }

 private:
  DelaySource delays_;
  std::int64_t last_ = 0;
};

// What a run measured: the worst error once settled, and when it first settled.
struct ClockScore {
  double max_settled_error_ms = 0.0;
  double first_settled_s = -1.0;  // seconds after the segment began
  double worst_at_s = 0.0;        // when the largest settled error happened
  std::int64_t settled_samples = 0;
  std::int64_t unsettled_samples = 0;

  void add(std::int64_t recovered_ns, std::int64_t true_ns, bool settled, double elapsed_s) {
    if (!settled) {
      ++unsettled_samples;
      return;
    }
    if (first_settled_s < 0.0) first_settled_s = elapsed_s;
    ++settled_samples;
    const double error_ms = std::abs(static_cast<double>(recovered_ns - true_ns)) / 1e6;
    if (error_ms > max_settled_error_ms) {
      max_settled_error_ms = error_ms;
      worst_at_s = elapsed_s;
    }
  }
};

}  // namespace plinth::testing
