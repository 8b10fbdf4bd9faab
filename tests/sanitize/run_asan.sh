#!/usr/bin/env bash
# Builds everything with AddressSanitizer + UndefinedBehaviorSanitizer (-DPLINTH_SANITIZE=ON)
# in build-asan and runs the test suite there. Not part of the default ctest run: a full
# sanitized build takes a long time on a small machine.
#
#   tests/sanitize/run_asan.sh [ctest arguments...]     e.g.  -LE slow   or   -R end_to_end
#
# Any sanitizer report fails the test that triggered it (halt_on_error, abort on UBSan).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
build="${PLINTH_ASAN_BUILD_DIR:-$root/build-asan}"
jobs="${PLINTH_JOBS:-2}"

cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPLINTH_SANITIZE=ON -DPLINTH_WERROR=ON \
  -DPLINTH_BUILD_BENCH=OFF
cmake --build "$build" -j "$jobs"

export ASAN_OPTIONS="${ASAN_OPTIONS:-halt_on_error=1:detect_leaks=1:abort_on_error=0:strict_string_checks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}"
export LSAN_OPTIONS="${LSAN_OPTIONS:-suppressions=$root/tests/sanitize/lsan.supp}"
cd "$root"
# valgrind cannot run sanitized binaries; fuzz_short and sanitized_core make their own builds.
ctest --test-dir "$build" --output-on-failure -j "$jobs" -E "^(valgrind_end_to_end|fuzz_short|sanitized_core)$" "$@"
