#!/bin/sh
# driver.sh TEST.sh: runs one command-line test in a scratch directory and
# compares what it printed with TEST.sh.stdout.exact and TEST.sh.stderr.exact
# beside it (a missing file means "prints nothing").  The test passes when
# both match and the script itself exits 0.
#
# HEAPAN_UPDATE_EXPECTED=1 rewrites the expected files from this run; read
# the diff before committing it.
set -u
: "${top_builddir:?run through make check}" "${top_srcdir:?run through make check}"
test_path=$1
dir=$(cd "$(dirname "$test_path")" && pwd)
name=$(basename "$test_path")
work=$(mktemp -d "${TMPDIR:-/tmp}/heapan-cli.XXXXXX") || exit 99
trap 'rm -rf "$work"' EXIT

HEAPAN="$top_builddir/src/heapan"
MKDUMP="$top_builddir/tests/tools/mkdump"
CLI_LIB="$top_srcdir/tests/cli/lib.sh"
export HEAPAN MKDUMP CLI_LIB

mkdir "$work/run"
(cd "$work/run" && sh "$dir/$name") >"$work/stdout" 2>"$work/stderr"
status=$?

failed=0
for stream in stdout stderr; do
    expected="$dir/$name.$stream.exact"
    if [ "${HEAPAN_UPDATE_EXPECTED:-}" = 1 ]; then
        if [ -s "$work/$stream" ]; then cp "$work/$stream" "$expected"; else rm -f "$expected"; fi
        continue
    fi
    [ -f "$expected" ] || expected=/dev/null
    if ! diff -u "$expected" "$work/$stream"; then
        echo "$name: $stream differs from $expected" >&2
        failed=1
    fi
done
if [ "$status" -ne 0 ]; then
    echo "$name: the script exited $status" >&2
    cat "$work/stderr" >&2
    failed=1
fi
exit "$failed"
