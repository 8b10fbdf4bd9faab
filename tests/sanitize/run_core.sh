#!/usr/bin/env bash
# The pure core under AddressSanitizer + UndefinedBehaviorSanitizer, as part of every ctest
# run: decoders (every mat and strap protocol, the fault injector), the pressure pipeline,
# HRV, the relaxation readout, the archive, the latency histogram, the device clock models. Builds only those test binaries
# (-DPLINTH_SANITIZE=ON) in BUILD_DIR and runs each; any sanitizer report fails.
# The whole suite under the sanitizers (daemon and integration tests too, longer):
# tests/sanitize/run_asan.sh.
#
#   tests/sanitize/run_core.sh BUILD_DIR
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
build="${1:?usage: run_core.sh BUILD_DIR}"
tests=(drivers_test heart_drivers_test mats_test faults_test pressure_test hrv_test relaxation_test archive_test util_test clock_test)

# -O1 -g1: what the sanitizers recommend, and quicker to compile than the release flags.
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=None -DCMAKE_CXX_FLAGS="-O1 -g1" -DPLINTH_SANITIZE=ON -DPLINTH_WERROR=ON \
  -DPLINTH_BUILD_BENCH=OFF >/dev/null
cmake --build "$build" -j "${PLINTH_JOBS:-2}" --target "${tests[@]}"

export ASAN_OPTIONS="halt_on_error=1:detect_leaks=1:strict_string_checks=1"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
export LSAN_OPTIONS="suppressions=$root/tests/sanitize/lsan.supp"
cd "$root"
failed=()
for t in "${tests[@]}"; do
  binary=$(find "$build" -name "$t" -type f -perm -u+x | head -1)
  echo "== $t"
  if ! "$binary" --gtest_brief=1; then failed+=("$t"); fi
done
if ((${#failed[@]})); then
  echo "sanitized core: FAILED: ${failed[*]}"
  exit 1
fi
echo "sanitized core: all ${#tests[@]} test binaries passed under ASan+UBSan"
