#!/usr/bin/env bash
# Installs the Debian 12 packages Plinth builds, runs and tests with. Idempotent; run as root.
# Only what the code uses: Boost headers (Asio, Beast), not libboost-all-dev.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git
  libboost-dev libserialport-dev libzmq3-dev cppzmq-dev
  libhdf5-dev hdf5-tools protobuf-compiler libprotobuf-dev
  libspdlog-dev libcli11-dev libtomlplusplus-dev nlohmann-json3-dev
  libfftw3-dev libeigen3-dev libsystemd-dev zlib1g-dev libdeflate-dev liblz4-dev
  help2man dpkg-dev
  libgtest-dev libgmock-dev libbenchmark-dev valgrind
  python3 python3-h5py python3-zmq python3-numpy python3-protobuf
  dbus python3-dbusmock
)
# ctest fuzz_short (tests/fuzz/run_fuzz.sh) builds with clang and libFuzzer; the normal build does not need them.
if [[ ${PLINTH_WITH_TEST_DEPS:-0} == 1 || ${PLINTH_WITH_FUZZ:-0} == 1 ]]; then packages+=(clang libclang-rt-14-dev); fi
# plinth web: uPlot comes from npm at build time (Debian's npm if no node is installed); its browser test drives chromium.
command -v npm >/dev/null || packages+=(npm)
# The report tests print the page to PDF with chromium and read the PDF with poppler (pdfinfo, pdftotext, pdftoppm).
if [[ ${PLINTH_WITH_TEST_DEPS:-0} == 1 ]]; then packages+=(chromium poppler-utils); fi
# ctest archive_lz4_plugin reads an LZ4 archive through Debian's own LZ4 filter plugin.
if [[ ${PLINTH_WITH_TEST_DEPS:-0} == 1 ]]; then packages+=(hdf5-filter-plugin); fi
# ctest package_deb runs the package's maintainer scripts (systemd-sysusers, systemd-tmpfiles,
# deb-systemd-helper) on an unpacked root; a container image may lack systemd.
if [[ ${PLINTH_WITH_TEST_DEPS:-0} == 1 ]]; then packages+=(systemd); fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO=sudo
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update
  $SUDO apt-get install -y --no-install-recommends "${missing[@]}"
fi
