#!/usr/bin/env bash
# The report's performance target (issue #14): a one-hour 64x32 @ 50 Hz session reports in under
# 30 s on one core with bounded memory.
#   bench/report_bench.sh [BUILD_DIR] [MINUTES] [--pdf]
# Writes the session with bench/synth_session (the real pipeline on a virtual clock: MatChannel,
# HrvMonitor, RelaxationTracker, the archive writer), then times `plinth report` pinned to one CPU
# with GNU time (wall, CPU, peak RSS). --pdf also times the PDF (headless Chromium's print engine).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
minutes=${2:-60}
pdf=0
[[ "${3:-}" == "--pdf" ]] && pdf=1

cmake --build "$build" --target plinth synth_session -j2 >/dev/null
work=$(mktemp -d /tmp/plinth-report-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT

echo "== machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg)"
start=$(date +%s.%N)
"$build/bench/synth_session" --dir "$work" --subject P-BENCH --minutes "$minutes" --rate 50 --rows 64 --cols 32 \
  --distinct 0 --regions --marker 600:effleurage --marker 1800:petrissage --pain 30:6 --pain $((minutes * 60 - 30)):3 \
  >/dev/null
session=$(find "$work" -name '*.h5' | head -1)
frames=$(/usr/bin/python3 -c "import h5py,sys; g=h5py.File(sys.argv[1],'r')['pressure']; print(sum(g[k]['raw'].shape[0] for k in g))" "$session" 2>/dev/null || echo "?")
printf '== session: %s min, %s frames, %.0f MB on disk (written in %.0f s)\n' "$minutes" "$frames" \
  "$(echo "$(stat -c %s "$session") / 1048576" | bc -l)" "$(echo "$(date +%s.%N) - $start" | bc -l)"

measure() {  # label, command...
  local label=$1
  shift
  /usr/bin/time -f '%e %U %S %M' -o "$work/time" taskset -c 0 "$@" >/dev/null 2>"$work/stderr" ||
    { cat "$work/stderr" >&2; exit 1; }
  read -r wall user sys rss <"$work/time"
  printf '%-28s wall %6.2f s   cpu %6.2f s   peak RSS %5.0f MB\n' "$label" "$wall" "$(echo "$user + $sys" | bc -l)" \
    "$(echo "$rss / 1024" | bc -l)"
}
measure "plinth report (HTML)" "$build/tools/plinth" report "$session" -o "$work/report.html"
printf '%-28s %.1f MB\n' "report.html size" "$(echo "$(stat -c %s "$work/report.html") / 1048576" | bc -l)"
if ((pdf)); then
  # Chromium runs its own processes: GNU time's peak RSS is the largest single process.
  measure "plinth report (HTML + PDF)" "$build/tools/plinth" report "$session" -o "$work/report.html" --pdf "$work/report.pdf"
fi
