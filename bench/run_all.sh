#!/usr/bin/env bash
# Builds (if needed) and runs the numbered rows of README "Performance" (older series: bench/RESULTS.md).
#   bench/run_all.sh [BUILD_DIR] [--quick]
# Run from the repository root (the HRV figures read ../shared/data). --quick shortens the
# latency runs to 10 s and the memory run to 20 session-minutes (for a smoke check only).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build-perf}
quick=0
[[ "${2:-}" == "--quick" || "${1:-}" == "--quick" ]] && quick=1
[[ "$build" == "--quick" ]] && build=build-perf

if [[ ! -f "$build/build.ninja" && ! -f "$build/Makefile" ]]; then
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPLINTH_WERROR=ON
fi
cmake --build "$build" --target plinthd plinth bench_latency bench_pipeline bench_publish bench_hrv -j2

seconds=30; memory_frames=360000
if ((quick)); then seconds=10; memory_frames=60000; fi

echo "== machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg)"

echo "== 1. end-to-end latency (plinthd in its own process, archive on, 3 extra subscribers)"
for geometry in "64 32" "64 64"; do
  set -- $geometry
  "$build/bench/bench_latency" --rows "$1" --cols "$2" --rate 100 --seconds "$seconds" --extra-subscribers 3
done

echo "== 2. throughput (processing thread pinned to one CPU)"
for geometry in "64 32" "64 64"; do
  set -- $geometry
  "$build/bench/bench_pipeline" --rows "$1" --cols "$2" --frames 20000 --no-archive
  "$build/bench/bench_pipeline" --rows "$1" --cols "$2" --frames 20000
  "$build/bench/bench_pipeline" --rows "$1" --cols "$2" --frames 20000 --lz4  # archive.compression = "lz4"
done
echo "== 2b. one pressure.frame encoded and handed to ZeroMQ"
"$build/bench/bench_publish" --benchmark_repetitions=5 --benchmark_report_aggregates_only=true 2>/dev/null | grep -E "median|^Bench"

echo "== 3. HRV update on a 5-minute window"
"$build/daemon/hrv/bench_hrv" --benchmark_filter='BM_HrvUpdate5min$|BM_MonitorComputeNow5min' 2>/dev/null

echo "== 4. memory over a two-hour session (50 Hz, 64x32, archive on)"
"$build/bench/bench_pipeline" --memory --rows 64 --cols 32 --rate 50 --frames "$memory_frames"

echo "== 5. HRV side by side with NumPy/SciPy"
if /usr/bin/python3 -c 'import scipy' 2>/dev/null; then
  /usr/bin/python3 bench/hrv_reference.py "$build"
else
  echo "skipped: needs python3-scipy (apt-get install python3-scipy)"
fi

echo "== 6. plinth report of a one-hour 64x32 @ 50 Hz session (one pinned CPU)"
bash bench/report_bench.sh "$build" $((quick ? 5 : 60))

echo "== 7. plinth hub: 8 stations x 64x32 @ 50 Hz, added latency and throughput"
cmake --build "$build" --target plinth_proto_python -j2 >/dev/null
/usr/bin/python3 bench/hub_bench.py "$build" --seconds "$seconds"
