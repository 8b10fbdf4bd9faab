#!/usr/bin/env bash
# Makes a gzipped man page from a program's --help and --version with help2man(1), at build time
# (tools/packaging/man_pages.cmake). A program with subcommands (CLI11 lists them under
# "Subcommands:") gets a COMMANDS section with each subcommand's --help.
#
#   man_page.sh HELP2MAN PROGRAM SECTION "one-line description" INCLUDE.h2m OUT.gz
set -euo pipefail
help2man=$1 program=$2 section=$3 description=$4 include=$5 out=$6
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cp "$include" "$work/include.h2m"
name=$(basename "$program")
subcommands=$("$program" --help | awk '/^Subcommands:/ { listed = 1; next } listed && /^  [a-z]/ { print $1 } listed && /^$/ { listed = 0 }')
if [[ -n $subcommands ]]; then
  {
    echo "[COMMANDS]"
    for sub in $subcommands; do
      echo ".SS \"$name $sub\""
      echo ".nf"
      # Verbatim, so roff must not see escapes or requests in it.
      "$program" "$sub" --help | sed -e 's/\\/\\e/g' -e "s/^[.']/\\\\\\&&/"
      echo ".fi"
    done
  } >>"$work/include.h2m"
fi
"$help2man" --no-info --section="$section" --name="$description" --include="$work/include.h2m" \
  --output="$work/page" "$program"
gzip -9n <"$work/page" >"$out.tmp"
mv "$out.tmp" "$out"
