#!/bin/sh
# bench_shapes.sh: report on the shapes that make an analysis deep, not big:
# a chain of 10^7 objects (a dominator tree 10^7 deep), a cycle of 10^6, and
# a garbage cycle of 10^6 that no root reaches, through `top` and through
# `report` to every format; and a trace whose stacks are 10^6 frames deep
# through `trace` to every format.  Every phase is linear or n log n, so each row
# should take about what `top` takes plus the rendering.  A benchmark, not a
# test: it prints wall time and peak RSS, and never fails on them.
#
#   tests/bench/bench_shapes.sh [BUILDDIR] [CHAIN] [CYCLE]
#
# BUILDDIR is a configured build tree (default: .); `make` builds src/heapan
# and tests/tools/mkdump there.  Dumps go to $TMPDIR and are removed.
set -eu
build=${1:-.}
chain=${2:-10000000}
cycle=${3:-1000000}
make -s -C "$build" src/heapan tests/tools/mkdump >/dev/null
heapan="$build/src/heapan"
mkdump="$build/tests/tools/mkdump"
work=$(mktemp -d "${TMPDIR:-/tmp}/heapan-shapes.XXXXXX")
trap 'rm -rf "$work"' EXIT

# measure LABEL CMD...: wall seconds and peak RSS of a command, output thrown away.
measure() {
    label=$1
    shift
    python3 - "$label" "$@" <<'PY'
import resource, subprocess, sys, time
start = time.perf_counter()
subprocess.run(sys.argv[2:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
wall = time.perf_counter() - start
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print("%-44s %8.2f s %9.1f MiB" % (sys.argv[1], wall, rss))
PY
}

"$mkdump" chain "$work/chain.zst" "$chain"
"$mkdump" cycle "$work/cycle.zst" "$cycle"
"$mkdump" garbage-cycle "$work/garbage.zst" "$cycle"
"$mkdump" deep-trace "$work/deep.zst" "$cycle"
printf '%-44s %10s %13s\n' "step" "wall" "peak RSS"
for shape in chain cycle garbage; do
    dump="$work/$shape.zst"
    measure "$shape: top" "$heapan" top --progress never "$dump"
    for format in md html json; do
        measure "$shape: report --format $format" \
            "$heapan" report --progress never --format "$format" -o "$work/out.$format" "$dump"
    done
done
for format in text md json html; do
    measure "trace $cycle frames deep: --format $format" \
        "$heapan" trace --format "$format" -o "$work/trace.$format" "$work/deep.zst"
done
