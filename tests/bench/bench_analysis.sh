#!/bin/sh
# bench_analysis.sh: the analysis pipeline on synthetic dumps of 10^5 to 10^7
# objects (tests/bench/gendump.c), with wall time and peak memory per phase,
# beside decompression and the yardstick on the same file, and the ratios.
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
make -s -C "$build" tests/bench/yardstick >/dev/null 2>&1 || true  # a column of "-" without it
heapan="$build/src/heapan"
gendump="$build/tests/bench/gendump"
yardstick="$build/tests/bench/yardstick"
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

# wall CMD...: "seconds peak-MiB" of a command, its output thrown away.
wall() {
    /usr/bin/time -f "%e %M" -o "$work/time" "$@" >/dev/null 2>"$work/err" || true
    awk '{ printf "%.3f %.1f", $1, $2 / 1024 }' "$work/time"
}

# The analysis beside its floors, all on the same file in one run: `zstd -d`
# (decompression alone), `pzstd -d -p2` of a pzstd copy of the same stream
# (decompression on both cores), and the yardstick (decode, CSR and
# semi-NCA, tests/bench/yardstick.c).  Then `report`, and `compare` against
# a second dump (seed 7) of another process and of the same one.
top_table="$work/top.txt"
report_table="$work/report.txt"
printf '%10s %10s %8s %8s %8s %8s %8s %8s %9s %6s %8s %8s %9s %8s %8s\n' objects references \
    decode load dominators histogram paths "top total" "peak MiB" "B/obj" "zstd -d" "pzstd -2" \
    yardstick "/zstd -d" "/yard" > "$top_table"
printf '%10s %9s %9s %11s %11s %11s %11s %9s %9s\n' objects "report s" "report MiB" \
    "compare2 s" "compare2 MiB" "compare1 s" "compare1 MiB" "2 procs" "1 proc" > "$report_table"
for n in $sizes; do
    dump="$work/g$n.zst"
    line=$("$gendump" "$n" "$dump")
    objects=$(echo "$line" | awk '{ print $1 }')
    refs=$(echo "$line" | awk '{ print $3 }')
    decode=$(seconds "$heapan" info "$dump")
    zstd_d=$(seconds zstd -d -c "$dump")
    pzstd_d=-
    if command -v pzstd >/dev/null; then
        zstd -d -c "$dump" | pzstd -q -p2 -1 -c > "$work/copy.pzst"
        pzstd_d=$(seconds pzstd -q -d -p2 -c "$work/copy.pzst")
        rm -f "$work/copy.pzst"
    fi
    yard=-
    [ -x "$yardstick" ] && yard=$(seconds "$yardstick" "$dump")
    start=$(date +%s.%N)
    HEAPAN_TIMINGS=1 "$heapan" top "$dump" >/dev/null 2>"$work/top.err"
    end=$(date +%s.%N)
    total=$(echo "$start $end" | awk '{ printf "%.3f", $2 - $1 }')
    HEAPAN_TIMINGS=1 "$heapan" paths --type app.models.Model1 -n 1 "$dump" >/dev/null \
        2>"$work/paths.err"
    peak=$(awk '$3 == "report" { print $8 }' "$work/top.err")
    printf '%10s %10s %8s %8s %8s %8s %8s %8s %9s %6.0f %8s %8s %9s %8s %8s\n' "$objects" \
        "$refs" "$decode" "$(phase loading "$work/top.err")" "$(phase dominators "$work/top.err")" \
        "$(phase histogram "$work/top.err")" "$(phase paths "$work/paths.err")" "$total" \
        "$peak" "$(echo "$peak $objects" | awk '{ print $1 * 1048576 / $2 }')" "$zstd_d" \
        "$pzstd_d" "$yard" "$(echo "$total $zstd_d" | awk '{ printf "%.1fx", $1 / $2 }')" \
        "$(echo "$total $yard" | awk '{ if ($2 == "-") print "-"; else printf "%.1fx", $1 / $2 }')" >> "$top_table"
    set -- $(wall "$heapan" report "$dump" -o "$work/r.html")
    r_s=$1 r_mib=$2
    "$gendump" "$n" "$work/other.zst" 7 2 >/dev/null
    set -- $(wall "$heapan" compare "$dump" "$work/other.zst" -o "$work/c.txt")
    c2_s=$1 c2_mib=$2
    "$gendump" "$n" "$work/other.zst" 7 >/dev/null
    set -- $(wall "$heapan" compare "$dump" "$work/other.zst" -o "$work/c.txt")
    c1_s=$1 c1_mib=$2
    printf '%10s %9s %10s %11s %12s %11s %12s %8.2fx %8.2fx\n' "$objects" "$r_s" "$r_mib" \
        "$c2_s" "$c2_mib" "$c1_s" "$c1_mib" "$(echo "$c2_mib $r_mib" | awk '{ print $1 / $2 }')" \
        "$(echo "$c1_mib $r_mib" | awk '{ print $1 / $2 }')" >> "$report_table"
    rm -f "$dump" "$work/other.zst" "$work/r.html"
done
cat "$top_table"
echo
echo "report, and compare of two processes (compare2) and of one (compare1); peaks against report's:"
cat "$report_table"
