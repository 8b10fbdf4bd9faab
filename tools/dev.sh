#!/usr/bin/env bash
# The README's two commands. `tools/dev.sh demo`: install, build, run plinthd on its built-in
# simulated devices. `tools/dev.sh test`: install, build, run every test with ctest (among them
# package_deb, which also builds Release and the .deb: tools/packaging/README.md).
set -euo pipefail
cd "$(dirname "$0")/.."

build_dir=${PLINTH_BUILD_DIR:-build}
jobs=${PLINTH_JOBS:-$(nproc)}

# Warnings are errors here and in CI (PLINTH_WERROR is off for people building from source).
configure_and_build() {
  cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=${PLINTH_BUILD_TYPE:-RelWithDebInfo} -DPLINTH_WERROR=ON "$@"
  cmake --build "$build_dir" -j "$jobs"
}

case "${1:-}" in
  demo)
    bash tools/install-deps.sh
    configure_and_build
    # The daemon on its simulated devices, and the therapist's dashboard beside it.
    "$build_dir/daemon/plinthd" --simulate &
    daemon_pid=$!
    trap 'kill $daemon_pid 2>/dev/null; wait $daemon_pid 2>/dev/null' EXIT INT TERM
    echo "plinthd --simulate: data on tcp://127.0.0.1:7460, control on tcp://127.0.0.1:7461"
    echo "Dashboard: http://127.0.0.1:7480   Stream: $build_dir/tools/plinth sub --brief pressure.metrics"
    "$build_dir/tools/plinth" web
    ;;
  test)
    PLINTH_WITH_TEST_DEPS=1 bash tools/install-deps.sh
    configure_and_build
    ctest --test-dir "$build_dir" --output-on-failure -j "$jobs" --timeout 600
    ;;
  *)
    echo "usage: tools/dev.sh demo|test" >&2
    exit 2
    ;;
esac
