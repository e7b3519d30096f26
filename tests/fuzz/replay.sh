#!/bin/sh
# replay.sh: replays the fuzz corpus, plus a fresh set of dumps of every
# kind mkdump makes, through the reader fuzz target without libFuzzer.
set -eu
: "${top_builddir:?run through make check}" "${top_srcdir:?run through make check}"
work=$(mktemp -d "${TMPDIR:-/tmp}/heapan-replay.XXXXXX")
trap 'rm -rf "$work"' EXIT
for kind in $("$top_builddir/tests/tools/mkdump" --list); do
    "$top_builddir/tests/tools/mkdump" "$kind" "$work/$kind.zst"
done
exec "$top_builddir/tests/fuzz/replay_reader" "$top_srcdir/tests/fuzz/corpus/reader" "$work"
