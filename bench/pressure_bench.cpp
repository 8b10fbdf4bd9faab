// Per-frame cost of the pressure pipeline (schemas/pressure-metrics.md) on body-like frames.
//   bench_pressure --benchmark_min_time=1
#include <benchmark/benchmark.h>

#include <cmath>
#include <vector>

#include "daemon/pressure/pressure_pipeline.hpp"

namespace plinth {
namespace {

// A lying body: an ellipse of load along the rows, heavier at "shoulders" and "pelvis",
// with a small frame-to-frame wobble so nothing is constant.
std::vector<MatFrame> body_frames(std::uint16_t rows, std::uint16_t cols, int count) {
  std::vector<MatFrame> frames;
  for (int k = 0; k < count; ++k) {
    MatFrame f;
    f.rows = rows;
    f.cols = cols;
    f.raw.assign(std::size_t{rows} * cols, 0);
    for (int r = 0; r < rows; ++r)
      for (int c = 0; c < cols; ++c) {
        const double y = (r + 0.5) / rows - 0.5, x = ((c + 0.5) / cols - 0.5) * 2.5 + 0.01 * std::sin(0.3 * k);
        const double inside = 1.0 - (y * y / 0.2 + x * x / 0.35);
        if (inside <= 0.0) continue;
        const double bumps = 1.0 + std::exp(-std::pow((y + 0.25) / 0.06, 2)) + 1.5 * std::exp(-std::pow((y - 0.05) / 0.07, 2));
        f.raw[static_cast<std::size_t>(r) * cols + c] = static_cast<std::uint16_t>(std::lround(600.0 * inside * bumps + (r * 7 + c * 3 + k) % 11));
      }
    frames.push_back(std::move(f));
  }
  return frames;
}

PressureConfig bench_config(std::uint16_t rows, std::uint16_t cols, bool full) {
  PressureConfig c;
  c.geometry = MatGeometry{rows, cols, 2.54, 2.54};
  c.saturation_raw = 4095;
  c.noise_threshold_mmhg = 1.0;
  c.occupancy.on_hold_s = 0.0;
  if (!full) {  // linear curve, no equilibration: the lookup-table path
    c.calibration.curve.kind = CurveKind::linear;
    c.calibration.curve.scale = 0.01;
    return c;
  }
  // Per-sensel equilibration, power-law curve, five regions, principal-axis symmetry.
  c.calibration.curve.kind = CurveKind::power;
  c.calibration.curve.a = 0.02;
  c.calibration.curve.b = 1.1;
  const std::size_t n = std::size_t{rows} * cols;
  c.calibration.equilibration = Equilibration{rows, cols, std::vector<float>(n, 2.0f), std::vector<float>(n, 1.05f), {}};
  const int band = rows / 5;
  const char* names[] = {"head", "shoulders", "torso", "pelvis", "legs"};
  for (int k = 0; k < 5; ++k)
    c.regions.push_back(rect_region(names[k], c.geometry, k * band, 0, k == 4 ? rows - 4 * band : band, cols));
  c.dispersion_region = "pelvis";
  c.symmetry_axis = SymmetryAxis::principal;
  return c;
}

void BM_PressurePipeline(benchmark::State& state) {
  const auto rows = static_cast<std::uint16_t>(state.range(0));
  const auto cols = static_cast<std::uint16_t>(state.range(1));
  const bool full = state.range(2) != 0;
  PressurePipeline pipeline(bench_config(rows, cols, full));
  const std::vector<MatFrame> frames = body_frames(rows, cols, 64);
  std::int64_t t = 0;
  std::size_t k = 0;
  for (auto _ : state) {
    const PressureResult& r = pipeline.process(frames[k], t);
    benchmark::DoNotOptimize(r.frame.total_load_n);
    k = (k + 1) % frames.size();
    t += 16'666'667;  // 60 Hz
  }
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(full ? "equilibration+power+5 regions+principal axis" : "linear lookup");
}
BENCHMARK(BM_PressurePipeline)
    ->ArgNames({"rows", "cols", "full"})
    ->Args({64, 32, 0})
    ->Args({64, 32, 1})
    ->Args({64, 64, 0})
    ->Args({64, 64, 1})
    ->Unit(benchmark::kMicrosecond);

void BM_Calibrate(benchmark::State& state) {
  const bool full = state.range(0) != 0;
  PressureConfig c = bench_config(64, 64, full);
  Calibrator calibrator(c.calibration, c.geometry.sensels(), c.saturation_raw, c.noise_threshold_mmhg, c.noise_floor_sd);
  const std::vector<MatFrame> frames = body_frames(64, 64, 8);
  std::vector<float> out(c.geometry.sensels());
  std::vector<std::uint8_t> sat(c.geometry.sensels());
  std::size_t k = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(calibrator.apply(frames[k].raw, out, sat));
    k = (k + 1) % frames.size();
  }
}
BENCHMARK(BM_Calibrate)->ArgNames({"full"})->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace plinth

BENCHMARK_MAIN();
