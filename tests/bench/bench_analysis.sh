#!/bin/sh
# bench_analysis.sh: the analysis pipeline on synthetic dumps of 10^5 to 10^7
# objects (tests/bench/gendump.c), with wall time and peak memory per phase.
# A benchmark, not a test: it prints numbers and never fails on them.
#
#   tests/bench/bench_analysis.sh [BUILDDIR] [SIZES...]
#
# BUILDDIR is a configured build tree (default: .); it runs `make` there for
# src/heapan and tests/bench/gendump.  Dumps go to $TMPDIR and are removed.
set -eu
build=${1:-.}
[ $# -gt 0 ] && shift
sizes=${*:-100000 1000000 4000000 10000000}
make -s -C "$build" src/heapan tests/bench/gendump >/dev/null
heapan="$build/src/heapan"
gendump="$build/tests/bench/gendump"
work=$(mktemp -d "${TMPDIR:-/tmp}/heapan-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

# seconds CMD...: wall time of a command, its output thrown away.
seconds() {
    start=$(date +%s.%N)
    "$@" >/dev/null 2>&1 || true
    end=$(date +%s.%N)
    echo "$start $end" | awk '{ printf "%.3f", $2 - $1 }'
}

# phase NAME FILE: the seconds HEAPAN_TIMINGS printed for a phase.
phase() {
    awk -v name="$1" '$3 == name { printf "%.3f", $4 }' "$2"
}

printf '%10s %10s %8s %8s %8s %8s %8s %8s %9s %6s\n' objects references decode load \
    dominators histogram paths "top total" "peak MiB" "B/obj"
for n in $sizes; do
    dump="$work/g$n.zst"
    line=$("$gendump" "$n" "$dump")
    objects=$(echo "$line" | awk '{ print $1 }')
    refs=$(echo "$line" | awk '{ print $3 }')
    decode=$(seconds "$heapan" info "$dump")
    start=$(date +%s.%N)
    HEAPAN_TIMINGS=1 "$heapan" top "$dump" >/dev/null 2>"$work/top.err"
    end=$(date +%s.%N)
    total=$(echo "$start $end" | awk '{ printf "%.3f", $2 - $1 }')
    HEAPAN_TIMINGS=1 "$heapan" paths --type app.models.Model1 -n 1 "$dump" >/dev/null \
        2>"$work/paths.err"
    peak=$(awk '$3 == "report" { print $8 }' "$work/top.err")
    printf '%10s %10s %8s %8s %8s %8s %8s %8s %9s %6.0f\n' "$objects" "$refs" "$decode" \
        "$(phase loading "$work/top.err")" "$(phase dominators "$work/top.err")" \
        "$(phase histogram "$work/top.err")" "$(phase paths "$work/paths.err")" "$total" \
        "$peak" "$(echo "$peak $objects" | awk '{ print $1 * 1048576 / $2 }')"
    rm -f "$dump"
done
