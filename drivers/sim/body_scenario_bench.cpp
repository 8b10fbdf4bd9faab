// Cost of one simulated frame (the sim must sustain 64x64 at 100 Hz with a wide margin)
// and of reading a recording.
#include <benchmark/benchmark.h>

#include "drivers/sim/body_scenario.hpp"
#include "drivers/sim/recording_reader.hpp"

namespace {

using namespace plinth;
using namespace plinth::sim;

// Still body: the rigid regions come from the cache, breathing and noise are per frame.
void BM_BodyFrameStill(benchmark::State& state) {
  BodyScenarioOptions o;
  o.mean_shift_interval_s = 0;
  BodyScenario s(64, 64, 3.0, 100.0, 1, o);
  MatFrame f;
  std::uint64_t i = 0;
  for (auto _ : state) {
    s.fill_frame(i++, f);
    benchmark::DoNotOptimize(f.raw.data());
  }
}
BENCHMARK(BM_BodyFrameStill);

// Worst case: the client is shifting, so every region is redrawn every frame.
void BM_BodyFrameShifting(benchmark::State& state) {
  BodyScenarioOptions o;
  o.mean_shift_interval_s = 4.0;
  o.shift_duration_s = 3.9;
  BodyScenario s(64, 64, 3.0, 100.0, 1, o);
  MatFrame f;
  std::uint64_t i = 1000;
  for (auto _ : state) {
    s.fill_frame(i++, f);
    benchmark::DoNotOptimize(f.raw.data());
  }
}
BENCHMARK(BM_BodyFrameShifting);

void BM_ReadVistaRecording(benchmark::State& state) {
  for (auto _ : state) {
    Recording r = read_recording("../shared/data/pressure/pmatdata/S1/1.txt");
    benchmark::DoNotOptimize(r.frames.data());
  }
}
BENCHMARK(BM_ReadVistaRecording)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
