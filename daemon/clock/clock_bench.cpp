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

void BM_DeviceClockObserve(benchmark::State& state) {
  plinth::DeviceClockModel model;
  std::uint64_t rng = 1;
  std::int64_t device = 0;
  std::int64_t host = 1'765'000'000'000'000'000;
  for (int k = 0; k < 5000; ++k, device += 20'000'000, host += 19'998'000) model.observe(device, host + delay_ns(rng));
  for (auto _ : state) {
    device += 20'000'000;
    host += 19'998'000;
    benchmark::DoNotOptimize(model.observe(device, host + delay_ns(rng)));
  }
  state.SetLabel("50 Hz mat, 100 ppm, 120-block window");
}
BENCHMARK(BM_DeviceClockObserve);

// The dearest frame: the one that closes a block and refits the 120-block window (one in 25 at
// 50 Hz). Here every sample is half a second on, so every one closes a block.
void BM_DeviceClockBlockClose(benchmark::State& state) {
  plinth::DeviceClockModel model;
  std::uint64_t rng = 1;
  std::int64_t device = 0;
  std::int64_t host = 1'765'000'000'000'000'000;
  for (int k = 0; k < 500; ++k, device += 500'000'000, host += 499'950'000) model.observe(device, host + delay_ns(rng));
  for (auto _ : state) {
    device += 500'000'000;
    host += 499'950'000;
    benchmark::DoNotOptimize(model.observe(device, host + delay_ns(rng)));
  }
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
