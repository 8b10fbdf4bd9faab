#!/usr/bin/env bash
# ctest man_pages: plinthd(8) and plinth(1) were made at build time (help2man) and hold what
# --help says: every option of plinthd, every subcommand of plinth; groff renders them without
# a warning; no build path shows.
#
#   tools/packaging/test_man_pages.sh MAN_DIR PLINTHD PLINTH
set -euo pipefail
man_dir=$1 plinthd=$2 plinth=$3
source_dir=$(cd "$(dirname "$0")/../.." && pwd)
failures=0
fail() { echo "man_pages: FAILED: $*" >&2; failures=$((failures + 1)); }

for page in plinthd.8 plinth.1; do
  if [[ ! -f $man_dir/$page.gz ]]; then
    echo "man_pages: FAILED: $man_dir/$page.gz was not made: install help2man (bash tools/install-deps.sh) and re-run cmake" >&2
    exit 1
  fi
  gzip -t "$man_dir/$page.gz" || fail "$page.gz is not valid gzip"
  text=$(zcat "$man_dir/$page.gz")
  name=${page%.*} section=${page##*.}
  grep -q "^\.TH ${name^^} \"$section\"" <<<"$text" || fail "$page: no .TH ${name^^} \"$section\" header"
  for heading in NAME SYNOPSIS DESCRIPTION OPTIONS "SEE ALSO"; do
    grep -q "^\.SH \"\?$heading\"\?$" <<<"$text" || fail "$page: no $heading section"
  done
  if grep -qF "$source_dir" <<<"$text"; then fail "$page names the source tree $source_dir"; fi
  if command -v groff >/dev/null; then
    warnings=$(groff -man -Tutf8 -ww -z <<<"$text" 2>&1)
    [[ -z $warnings ]] || fail "$page: groff warns: $warnings"
  fi
done

daemon_page=$(zcat "$man_dir/plinthd.8.gz")
# Every long option of plinthd --help is documented (help2man writes "\-\-name").
for option in $("$plinthd" --help | grep -oE -- '--[a-z][a-z-]+' | sort -u); do
  grep -qF -- "${option//-/\\-}" <<<"$daemon_page" || fail "plinthd.8 does not document $option"
done
grep -qF "$("$plinthd" --version | sed 's/ (.*//')" <<<"$(zcat "$man_dir/plinthd.8.gz" | sed 's/\\//g')" ||
  fail "plinthd.8 does not carry the version"

tool_page=$(zcat "$man_dir/plinth.1.gz")
grep -q '^\.SH COMMANDS' <<<"$tool_page" || fail "plinth.1: no COMMANDS section"
count=0
for sub in $("$plinth" --help | awk '/^Subcommands:/ { listed = 1; next } listed && /^  [a-z]/ { print $1 } listed && /^$/ { listed = 0 }'); do
  count=$((count + 1))
  grep -qF ".SS \"plinth $sub\"" <<<"$tool_page" || fail "plinth.1 does not document the command $sub"
done
((count >= 5)) || fail "plinth --help lists only $count subcommands"

if ((failures)); then exit 1; fi
echo "man_pages: OK (plinthd.8, plinth.1 with $count commands)"
