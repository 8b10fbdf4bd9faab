#!/usr/bin/env bash
# Builds the libFuzzer targets in their own clang build dir and runs each one for a while
# over the committed corpus (tests/fuzz/README.md).
#
#   tests/fuzz/run_fuzz.sh [options] [SECONDS_PER_TARGET]     (default 60 s per target)
#     --only NAME      run one target (names: build-dir/tests/fuzz/fuzz_targets.txt)
#     --merge          add the inputs that found new coverage to tests/fuzz/corpus/<target>/
#     --make-corpus    rewrite the seed files from the encoders (fuzz_make_corpus) first
#     --build-dir DIR  default: build-fuzz in the repo root (ctest uses <its build>/fuzz)
#
# Exit status 1 if any target crashes, leaks, trips a sanitizer or breaks an invariant;
# the reproducer is left in <build-dir>/artifacts/ and the command to replay it is printed.
# Without --merge the committed corpus is only read: new inputs go to <build-dir>/new-inputs.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
fuzz_dir=$repo/tests/fuzz

seconds=60
only=""
merge=0
make_corpus=0
build_dir=$repo/build-fuzz
while (($#)); do
  case "$1" in
    --only) only=$2; shift 2 ;;
    --merge) merge=1; shift ;;
    --make-corpus) make_corpus=1; shift ;;
    --build-dir) build_dir=$2; shift 2 ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    [0-9]*) seconds=$1; shift ;;
    *) echo "run_fuzz.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done

# A missing compiler must fail loudly: a fuzz test that silently passes proves nothing.
cxx=${PLINTH_FUZZ_CXX:-clang++}
cc=${PLINTH_FUZZ_CC:-clang}
if ! command -v "$cxx" >/dev/null || ! command -v "$cc" >/dev/null; then
  echo "run_fuzz.sh: FAILED: '$cxx' not found. libFuzzer needs clang: install the test dependencies" >&2
  echo "  (PLINTH_WITH_TEST_DEPS=1 bash tools/install-deps.sh, Debian packages clang and libclang-rt-14-dev)." >&2
  exit 1
fi
probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT
echo 'extern "C" int LLVMFuzzerTestOneInput(const unsigned char*, unsigned long) { return 0; }' >"$probe/p.cpp"
if ! "$cxx" -fsanitize=fuzzer,address,undefined "$probe/p.cpp" -o "$probe/p" 2>"$probe/err"; then
  cat "$probe/err" >&2
  echo "run_fuzz.sh: FAILED: '$cxx' cannot link a libFuzzer target: install the Debian package libclang-rt-14-dev" >&2
  echo "  (PLINTH_WITH_TEST_DEPS=1 bash tools/install-deps.sh)." >&2
  exit 1
fi

# A build dir of its own: the main build uses g++, and everything here is instrumented.
# -O1 is libFuzzer's recommendation (fast enough, and sanitizers keep good stack traces).
# Warnings are errors in the main build; here a new clang-only warning must not stop the fuzzing.
cmake -S "$repo" -B "$build_dir" -G Ninja -DCMAKE_C_COMPILER="$cc" -DCMAKE_CXX_COMPILER="$cxx" \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g" \
  -DPLINTH_FUZZ=ON -DPLINTH_BUILD_TESTS=OFF -DPLINTH_BUILD_BENCH=OFF -DPLINTH_WERROR="${PLINTH_FUZZ_WERROR:-OFF}" >/dev/null
cmake --build "$build_dir" --target plinth_fuzzers fuzz_make_corpus -j "${PLINTH_JOBS:-$(nproc)}"

bin_dir=$build_dir/tests/fuzz
if ((make_corpus)); then
  "$bin_dir/fuzz_make_corpus" "$fuzz_dir/corpus" "$repo/daemon/config/plinthd.example.toml"
fi

mapfile -t targets < <(grep -v '^$' "$bin_dir/fuzz_targets.txt")
if [[ -n $only ]]; then
  printf '%s\n' "${targets[@]}" | grep -qx "$only" || { echo "run_fuzz.sh: no target '$only'" >&2; exit 2; }
  targets=("$only")
fi

mkdir -p "$build_dir/artifacts" "$build_dir/logs"
failed=()
summary=()
for t in "${targets[@]}"; do
  bin=$bin_dir/fuzz_$t
  corpus=$fuzz_dir/corpus/$t
  new=$build_dir/new-inputs/$t
  log=$build_dir/logs/$t.log
  mkdir -p "$corpus" "$new"

  # Every crash found so far stays fixed: replay the committed reproducers first.
  regressions=()
  if [[ -d $fuzz_dir/regressions/$t ]]; then
    mapfile -t regressions < <(find "$fuzz_dir/regressions/$t" -type f | sort)
  fi
  if ((${#regressions[@]})) && ! "$bin" "${regressions[@]}" >"$log.regressions" 2>&1; then
    tail -n 40 "$log.regressions" >&2
    echo "run_fuzz.sh: $t: a committed reproducer fails again (log: $log.regressions)" >&2
    failed+=("$t")
    continue
  fi

  echo "== fuzz_$t: ${seconds}s over $(find "$corpus" -type f | wc -l) corpus inputs, ${#regressions[@]} reproducers"
  # New inputs land in the first directory; the committed corpus is only read.
  if "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
      -artifact_prefix="$build_dir/artifacts/$t-" "$new" "$corpus" >"$log" 2>&1; then
    status=ok
  else
    status=FAILED
    failed+=("$t")
    tail -n 60 "$log" >&2
    artifact=$(grep -o "Test unit written to .*" "$log" | tail -n 1 | sed 's/Test unit written to //')
    echo "run_fuzz.sh: $t FAILED; reproduce with: $bin ${artifact:-<artifact>}  (log: $log)" >&2
  fi
  last=$(grep -E '^#[0-9]+' "$log" | tail -n 1 || true)
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
  cov=$(grep -oE 'cov: [0-9]+' <<<"$last" | tail -n 1 || true)
  ft=$(grep -oE 'ft: [0-9]+' <<<"$last" | tail -n 1 || true)
  summary+=("$(printf '%-20s %-6s runs %-9s exec/s %-7s %-10s %-10s new inputs %s' "$t" "$status" \
    "${runs:-?}" "${speed:-?}" "${cov:-cov: ?}" "${ft:-ft: ?}" "$(find "$new" -type f | wc -l)")")

  if ((merge)) && [[ $status == ok ]]; then
    before=$(find "$corpus" -type f | wc -l)
    "$bin" -merge=1 "$corpus" "$new" >"$log.merge" 2>&1
    echo "   merged: $before -> $(find "$corpus" -type f | wc -l) inputs in $corpus"
  fi
done

echo "== summary (${seconds}s per target; cov = code edges covered, ft = features)"
printf '%s\n' "${summary[@]}"
if ((${#failed[@]})); then
  echo "run_fuzz.sh: FAILED: ${failed[*]} (artifacts in $build_dir/artifacts, logs in $build_dir/logs)" >&2
  exit 1
fi
