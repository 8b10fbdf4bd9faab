// One HRV update on the standard 5-minute window, as HrvMonitor does every step.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <fstream>
#include <vector>

#include "daemon/hrv/hrv_metrics.hpp"
#include "daemon/hrv/hrv_monitor.hpp"

namespace {

std::vector<double> five_minutes() {
  std::ifstream in("../shared/data/hrv/nsr_5min_nn_ms.txt");
  std::vector<double> v;
  double x = 0.0;
  while (in >> x) v.push_back(x);
  if (v.empty()) {
    // Run from elsewhere than the repo root: a synthetic 5-minute series of the same size.
    for (int i = 0; i < 337; ++i) v.push_back(890.0 + 60.0 * ((i * 37) % 11 - 5) / 5.0);
  }
  return v;
}

void BM_HrvUpdate5min(benchmark::State& state) {
  const std::vector<double> nn = five_minutes();
  const std::vector<std::uint8_t> starts(nn.size(), 0);
  plinth::HrvCalculator calculator;
  calculator.frequency().reserve(2 * nn.size(), 320.0);
  for (auto _ : state) {
    plinth::HrvMetrics m = calculator.compute(nn, starts);
    benchmark::DoNotOptimize(m);
  }
  state.SetLabel(std::to_string(nn.size()) + " NN");
}
BENCHMARK(BM_HrvUpdate5min)->Unit(benchmark::kMicrosecond);

// The same update with the Kubios-style spectrum (smoothness-priors detrending, 256 s Welch).
void BM_HrvUpdate5minKubios(benchmark::State& state) {
  const std::vector<double> nn = five_minutes();
  const std::vector<std::uint8_t> starts(nn.size(), 0);
  plinth::HrvCalculator calculator(plinth::kubios_frequency_settings());
  calculator.frequency().reserve(2 * nn.size(), 320.0);
  for (auto _ : state) {
    plinth::HrvMetrics m = calculator.compute(nn, starts);
    benchmark::DoNotOptimize(m);
  }
  state.SetLabel(std::to_string(nn.size()) + " NN");
}
BENCHMARK(BM_HrvUpdate5minKubios)->Unit(benchmark::kMicrosecond);

// A monitor's on-demand update over its 5-minute history (window gathering included).
void BM_MonitorComputeNow5min(benchmark::State& state) {
  const std::vector<double> nn = five_minutes();
  plinth::HrvMonitorSettings settings;
  settings.baseline_s = 0.0;
  plinth::HrvMonitor monitor(settings);
  plinth::HrvMonitorOutput out;
  std::int64_t t = 0;
  for (const double v : nn) {
    t += static_cast<std::int64_t>(v * 1e6);
    monitor.push(plinth::RawBeat{v, t, 0}, out);
  }
  for (auto _ : state) {
    plinth::HrvMetrics m = monitor.compute_now(300.0);
    benchmark::DoNotOptimize(m);
  }
}
BENCHMARK(BM_MonitorComputeNow5min)->Unit(benchmark::kMicrosecond);

// Per-beat cost of the whole live path (correction + periodic updates).
void BM_MonitorPushBeat(benchmark::State& state) {
  const std::vector<double> nn = five_minutes();
  plinth::HrvMonitor monitor;
  plinth::HrvMonitorOutput out;
  std::int64_t t = 0;
  std::size_t i = 0;
  for (auto _ : state) {
    const double v = nn[i++ % nn.size()];
    t += static_cast<std::int64_t>(v * 1e6);
    out.clear();
    monitor.push(plinth::RawBeat{v, t, 0}, out);
    benchmark::DoNotOptimize(out);
  }
}
BENCHMARK(BM_MonitorPushBeat)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
