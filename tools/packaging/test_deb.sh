#!/usr/bin/env bash
# ctest package_deb: the Release build of CI and a check of the .deb made from it.
# Builds the libraries and programs (no tests, no benchmarks) in Release for /usr in BUILD_DIR,
# runs `cpack -G DEB`, unpacks the package into an empty directory (dpkg -x), runs its
# maintainer scripts against that directory (DPKG_ROOT, as dpkg does for an install into
# another root), checks paths, modes, owners, the unit and Depends, and runs the installed
# programs. Any difference fails the test. Needs root (the unpacked state directory is given
# to the plinth user); without it the test is skipped (exit 77).
#
#   tools/packaging/test_deb.sh BUILD_DIR [more cmake configure arguments]
set -euo pipefail
source_dir=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:?usage: test_deb.sh BUILD_DIR [cmake arguments]}
shift
failures=0
fail() { echo "package_deb: FAILED: $*" >&2; failures=$((failures + 1)); }

if [[ $(id -u) != 0 ]]; then
  echo "package_deb: SKIPPED: needs root (chown in the unpacked root); the README's commands run as root"
  exit 77
fi
for tool in dpkg-deb dpkg-shlibdeps systemd-sysusers systemd-tmpfiles deb-systemd-helper; do
  command -v "$tool" >/dev/null || { echo "package_deb: FAILED: $tool is missing (bash tools/install-deps.sh)" >&2; exit 1; }
done

started=$(date +%s)
mkdir -p "$build"
cmake -S "$source_dir" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=/usr \
  -DPLINTH_BUILD_TESTS=OFF -DPLINTH_BUILD_BENCH=OFF "$@" >"$build/configure.log" 2>&1 ||
  { cat "$build/configure.log"; exit 1; }
cmake --build "$build" -j "${PLINTH_JOBS:-2}"
built=$(date +%s)
rm -f "$build"/plinth_*.deb
(cd "$build" && cpack -G DEB >cpack.log 2>&1) || { cat "$build/cpack.log"; exit 1; }
packaged=$(date +%s)
debs=("$build"/plinth_*.deb)
[[ -f ${debs[0]} && ${#debs[@]} == 1 ]] || { echo "package_deb: FAILED: cpack made no single plinth_*.deb" >&2; exit 1; }
deb=${debs[0]}
echo "MEASURED Release build (libraries, programs, man pages) $((built - started)) s, cpack $((packaged - built)) s"
echo "MEASURED $(basename "$deb"): $(stat -c %s "$deb") bytes, installed size $(dpkg-deb -f "$deb" Installed-Size) KiB"

work=$(mktemp -d /tmp/plinth-deb-test.XXXXXX)
trap 'rm -rf "$work"' EXIT
root=$work/root
mkdir "$root"
dpkg-deb -x "$deb" "$root"
dpkg-deb -e "$deb" "$work/control"

# --- Files, modes (octal), as dpkg would install them -------------------------------------
expect_mode() {  # PATH-IN-ROOT MODE
  if [[ ! -e $root/$1 ]]; then fail "/$1 is not in the package"; return; fi
  local mode
  mode=$(stat -c %a "$root/$1")
  [[ $mode == "$2" ]] || fail "/$1 has mode $mode, expected $2"
}
expect_mode usr/sbin/plinthd 755
expect_mode usr/bin/plinth 755
expect_mode lib/systemd/system/plinthd.service 644
expect_mode usr/lib/sysusers.d/plinth.conf 644
expect_mode usr/lib/tmpfiles.d/plinth.conf 644
expect_mode etc/plinth/plinthd.example.toml 644
expect_mode var/lib/plinth 700
expect_mode usr/share/man/man8/plinthd.8.gz 644
expect_mode usr/share/man/man1/plinth.1.gz 644
for doc in README.md archive-layout.md config-reference.md security.md topics.md python-client.md; do
  expect_mode "usr/share/doc/plinth/$doc" 644
done
expect_mode usr/share/plinth/proto/plinth.proto 644
for py in __init__.py _proto.py archive.py stream.py plinth_pb2.py; do
  expect_mode "usr/lib/python3/dist-packages/plinth/$py" 644
done
# Nothing else is private, nothing is group- or world-writable, nothing lands in /usr/local.
while IFS= read -r path; do
  [[ $path == ./var/lib/plinth ]] || fail "${path#.} is a directory with mode $(stat -c %a "$root/$path"), expected 755"
done < <(cd "$root" && find . -mindepth 1 -type d ! -perm 755)
while IFS= read -r path; do fail "${path#.} is group- or world-writable"; done < <(cd "$root" && find . -perm /022 ! -type l)
[[ ! -e $root/usr/local ]] || fail "the package installs into /usr/local"
grep -qx /etc/plinth/plinthd.example.toml "$work/control/conffiles" || fail "/etc/plinth/plinthd.example.toml is not a conffile"
for script in postinst prerm postrm; do
  [[ -x $work/control/$script ]] || fail "maintainer script $script is missing or not executable"
  sh -n "$work/control/$script" || fail "maintainer script $script does not parse"
done

# --- The unit names this installation's paths ----------------------------------------------
unit=$root/lib/systemd/system/plinthd.service
grep -qx 'ExecStart=/usr/sbin/plinthd --config /etc/plinth/plinthd.toml' "$unit" || fail "unit: ExecStart is not /usr/sbin/plinthd --config /etc/plinth/plinthd.toml"
grep -qx 'ConditionPathExists=/etc/plinth/plinthd.toml' "$unit" || fail "unit: no ConditionPathExists on the configuration"
grep -q 'file:///usr/share/doc/plinth/security.md' "$unit" || fail "unit: Documentation does not point into /usr/share/doc/plinth"
grep -qx 'WantedBy=multi-user.target' "$unit" || fail "unit: not WantedBy=multi-user.target"
if grep -n '/usr/local' "$unit"; then fail "unit names /usr/local"; fi
# systemd-analyze checks the unit against this host's systemd (the unpacked root has no
# targets), with ExecStart pointing at the unpacked daemon and man looking at its man pages.
if command -v systemd-analyze >/dev/null; then
  mkdir "$work/unit"
  sed "s|^ExecStart=/usr/sbin/plinthd|ExecStart=$root/usr/sbin/plinthd|" "$unit" >"$work/unit/plinthd.service"
  MANPATH=$root/usr/share/man systemd-analyze verify "$work/unit/plinthd.service" ||
    fail "systemd-analyze verify rejects the installed unit"
fi

# --- No path of the build or the source tree in any installed file (man pages unzipped) ----
for tree in "$source_dir" "$(cd "$build" && pwd)"; do
  if hits=$(grep -rlF -- "$tree" "$root"); then fail "installed files name $tree: $hits"; fi
  for page in "$root"/usr/share/man/man*/*.gz; do
    if zcat "$page" | grep -qF -- "$tree"; then fail "${page#"$root"} names $tree"; fi
  done
done

# --- Depends: every shared library the programs load comes from a package it names --------
depends=$(dpkg-deb -f "$deb" Depends)
echo "Depends: $depends"
depends_names=" $(tr ',|' '\n\n' <<<"$depends" | sed -E 's/^ *([^ (]+).*$/\1/' | tr '\n' ' ') "
for program in usr/sbin/plinthd usr/bin/plinth; do
  while read -r library path; do
    [[ -n $path && -e $path ]] || { fail "$program: $library does not resolve"; continue; }
    resolved=$(readlink -f "$path")
    owner=""
    for candidate in "$path" "$resolved" "${resolved#/usr}" "/usr$resolved"; do
      owner=$(dpkg-query -S "$candidate" 2>/dev/null | head -1 | cut -d: -f1) && [[ -n $owner ]] && break
    done
    [[ -n $owner ]] || { fail "$program: no package owns $path ($library)"; continue; }
    named=0
    for name in $owner $(dpkg-query -W -f='${Provides}' "$owner" | tr ',' ' ' | sed -E 's/\([^)]*\)//g'); do
      [[ $depends_names == *" $name "* ]] && named=1
    done
    ((named)) || fail "$program needs $library from $owner, which Depends does not name (nor what it provides)"
  done < <(objdump -p "$root/$program" | awk '/NEEDED/ { print $2 }' | while read -r lib; do
    echo "$lib $(ldd "$root/$program" | awk -v l="$lib" '$1 == l { print $3 }')"
  done)
done
for package in python3 python3-zmq python3-protobuf python3-numpy python3-h5py systemd-sysusers systemd-tmpfiles init-system-helpers; do
  [[ $depends_names == *" $package "* ]] || fail "Depends does not name $package"
done

# --- Maintainer scripts into the unpacked root: user, state directory, unit enabled --------
# Any attempt to start or restart anything is recorded by these stand-ins.
mkdir "$work/stubs"
for tool in systemctl deb-systemd-invoke invoke-rc.d service; do
  printf '#!/bin/sh\necho "%s $*" >>"%s"\n' "$tool" "$work/runtime-calls" >"$work/stubs/$tool"
  chmod +x "$work/stubs/$tool"
done
maintainer() { PATH="$work/stubs:$PATH" DPKG_ROOT="$root" DPKG_MAINTSCRIPT_PACKAGE=plinth sh -e "$work/control/$1" "${@:2}"; }
maintainer postinst configure || fail "postinst configure exits non-zero"
passwd_line=$(grep '^plinth:' "$root/etc/passwd" || true)
if [[ -z $passwd_line ]]; then
  fail "postinst created no plinth user"
else
  IFS=: read -r _ _ uid gid _ home shell <<<"$passwd_line"
  ((uid < 1000)) || fail "plinth is not a system user (uid $uid)"
  [[ $home == /var/lib/plinth ]] || fail "plinth's home is $home"
  [[ $shell == */nologin ]] || fail "plinth's shell is $shell"
  owner=$(stat -c '%a %u %g' "$root/var/lib/plinth")
  [[ $owner == "700 $uid $gid" ]] || fail "/var/lib/plinth after postinst: mode uid gid = $owner, expected 700 $uid $gid"
  for group in dialout bluetooth; do
    grep -Eq "^$group:[^:]*:[0-9]+:(.*,)?plinth(,|$)" "$root/etc/group" || fail "plinth is not in group $group"
  done
fi
wants=$root/etc/systemd/system/multi-user.target.wants/plinthd.service
[[ $(readlink "$wants" 2>/dev/null) == /lib/systemd/system/plinthd.service ]] || fail "postinst did not enable plinthd.service"
[[ ! -s $work/runtime-calls ]] || fail "postinst tried to start or reload something: $(cat "$work/runtime-calls")"

# --- The installed programs work from there --------------------------------------------------
check=$(cd / && "$root/usr/sbin/plinthd" --check-config "$root/etc/plinth/plinthd.example.toml" 2>&1) ||
  fail "installed plinthd --check-config on the installed example: $check"
[[ $check == *": OK ("* ]] || fail "plinthd --check-config said: $check"
echo "$check"
daemon_version=$("$root/usr/sbin/plinthd" --version) || fail "plinthd --version exits non-zero"
tool_version=$("$root/usr/bin/plinth" --version) || fail "plinth --version exits non-zero"
echo "$daemon_version"
echo "$tool_version"
package_version=$(dpkg-deb -f "$deb" Version)
[[ $daemon_version =~ ^plinthd\ ${package_version//./\\.}\ \(revision\ ([^\)]+)\)$ ]] || fail "plinthd --version: '$daemon_version'"
[[ ${tool_version#plinth } == "${daemon_version#plinthd }" ]] || fail "plinth and plinthd report different versions"
if git -C "$source_dir" rev-parse --short=12 HEAD >/dev/null 2>&1; then
  commit=$(git -C "$source_dir" rev-parse --short=12 HEAD)
  [[ $daemon_version == *"(revision $commit"* ]] || fail "plinthd --version does not name the commit $commit"
fi
(cd / && env -u PLINTH_PB2_DIR PYTHONPATH="$root/usr/lib/python3/dist-packages" HOME="$work" /usr/bin/python3 -c '
import sys, plinth
pb2 = sys.modules["plinth_pb2"].__file__
assert pb2.startswith(sys.argv[1]), "plinth_pb2 from " + pb2
print("python: import plinth OK, plinth_pb2 from the package")' "$root/usr/lib/python3/dist-packages/plinth") ||
  fail "the installed Python package does not import with its own plinth_pb2"

# --- Removal as dpkg does it: prerm, the files go (conffiles stay), postrm; purge ------------
maintainer prerm remove || fail "prerm remove exits non-zero"
dpkg-deb --fsys-tarfile "$deb" | tar -t | sed 's|^\./||' | while read -r path; do
  if [[ -f $root/$path ]] && ! grep -qx "/$path" "$work/control/conffiles"; then rm -f "$root/$path"; fi
done
maintainer postrm remove || fail "postrm remove exits non-zero"
[[ ! -e $wants ]] || fail "plinthd.service is still enabled after remove"
while read -r conffile; do rm -f "$root$conffile"; done <"$work/control/conffiles"
maintainer postrm purge || fail "postrm purge exits non-zero"
leftover=$(find "$root/etc/systemd" -name 'plinthd.service' 2>/dev/null || true)
[[ -z $leftover ]] || fail "after purge systemd still has links to plinthd.service: $leftover"
[[ ! -s $work/runtime-calls ]] || fail "the maintainer scripts called into a running system: $(cat "$work/runtime-calls")"

if ((failures)); then
  echo "package_deb: $failures check(s) failed"
  exit 1
fi
echo "package_deb: OK ($(basename "$deb"))"
