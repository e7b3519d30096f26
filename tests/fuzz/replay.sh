#!/bin/sh
# replay.sh: replays each fuzz target's corpus without libFuzzer, plus a
# fresh dump of every kind mkdump makes through the reader target.
set -eu
: "${top_builddir:?run through make check}" "${top_srcdir:?run through make check}"
work=$(mktemp -d "${TMPDIR:-/tmp}/heapan-replay.XXXXXX")
trap 'rm -rf "$work"' EXIT
for kind in $("$top_builddir/tests/tools/mkdump" --list); do
    "$top_builddir/tests/tools/mkdump" "$kind" "$work/$kind.zst"
done
"$top_builddir/tests/fuzz/replay_reader" "$top_srcdir/tests/fuzz/corpus/reader" "$work"
"$top_builddir/tests/fuzz/replay_payload" "$top_srcdir/tests/fuzz/corpus/payload"
