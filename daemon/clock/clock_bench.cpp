// Cost of one sample through a device clock model, as the acquisition path pays it per frame
// (mat, 50 Hz) or per notification (strap). Jittered arrivals, so blocks close and refit as in use.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

#include "daemon/clock/device_clock_model.hpp"
#include "daemon/clock/rr_beat_clock.hpp"

namespace {

// A fixed pseudo-random delay of 0-6 ms (cheap, so the model dominates the figure).
std::int64_t delay_ns(std::uint64_t& state) {
  state = state * 6364136223846793005ULL + 1442695040888963407ULL;
  return static_cast<std::int64_t>((state >> 33) % 6'000'000);
}

// A device sampling every device_step ns on a crystal 100 ppm fast, arriving 0-6 ms late.
class JitteredDevice {
 public:
  explicit JitteredDevice(std::int64_t device_step)
      : device_step_(device_step), host_step_(device_step - device_step / 10'000) {}
  const plinth::ClockEstimate& next(plinth::DeviceClockModel& model) {
    device_ += device_step_;
    host_ += host_step_;
    return model.observe(device_, host_ + delay_ns(rng_));
  }

 private:
  std::int64_t device_step_;
  std::int64_t host_step_;
  std::int64_t device_ = 0;
  std::int64_t host_ = 1'765'000'000'000'000'000;
  std::uint64_t rng_ = 1;
};

void run_device(benchmark::State& state, std::int64_t device_step, int warm_up) {
  plinth::DeviceClockModel model;
  JitteredDevice device(device_step);
  for (int k = 0; k < warm_up; ++k) device.next(model);
  for (auto _ : state) benchmark::DoNotOptimize(device.next(model));
}

void BM_DeviceClockObserve(benchmark::State& state) {
  run_device(state, 20'000'000, 5000);
  state.SetLabel("50 Hz mat, 100 ppm, 120-block window");
}
BENCHMARK(BM_DeviceClockObserve);

// The dearest frame: the one that closes a block and refits the 120-block window (one in 25 at
// 50 Hz). Here every sample is half a second on, so every one closes a block.
void BM_DeviceClockBlockClose(benchmark::State& state) {
  run_device(state, 500'000'000, 500);
  state.SetLabel("refit of 120 blocks + residual median of 128");
}
BENCHMARK(BM_DeviceClockBlockClose);

void BM_RrBeatClockNotification(benchmark::State& state) {
  plinth::RrBeatClock clock;
  std::vector<std::int64_t> times;
  times.reserve(3);
  const double rr[] = {850.0, 870.0};
  std::uint64_t rng = 1;
  std::int64_t host = 1'765'000'000'000'000'000;
  for (int k = 0; k < 500; ++k) {
    host += 1'720'000'000;
    clock.on_notification(host + delay_ns(rng), rr, times);
  }
  for (auto _ : state) {
    host += 1'720'000'000;
    benchmark::DoNotOptimize(clock.on_notification(host + delay_ns(rng), rr, times));
  }
  state.SetLabel("two RR per notification");
}
BENCHMARK(BM_RrBeatClockNotification);

}  // namespace

BENCHMARK_MAIN();
