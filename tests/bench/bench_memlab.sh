#!/bin/sh
# bench_memlab.sh BUILDDIR [NODES...]: heapan against memlab on the same
# V8 heap snapshots, made here by node (tests/bench/gen_snapshot.js).
# Times memlab's getFullHeapFromFile (parse, dominators, retained sizes),
# `heapan top` (parse, dominators, retained sizes, the table) and `heapan
# report` (all that, the names, the paths and the findings, as HTML), and
# prints wall time and peak RSS of each, and heapan's ratios to memlab.  Installs
# memlab's heap-analysis package with npm into tests/bench/.memlab when it
# is missing.  Default sizes: 1, 4 and 12 million nodes.
set -eu
builddir=$(cd "${1:?usage: bench_memlab.sh BUILDDIR [NODES...]}" && pwd)
shift
here=$(cd "$(dirname "$0")" && pwd)
[ $# -gt 0 ] || set -- 1000000 4000000 12000000
memlab="$here/.memlab"
if [ ! -d "$memlab/node_modules/@memlab/heap-analysis" ]; then
    mkdir -p "$memlab"
    PUPPETEER_SKIP_DOWNLOAD=1 npm install --silent --no-audit --no-fund --prefix "$memlab" \
        @memlab/heap-analysis >/dev/null
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/heapan-memlab.XXXXXX")
trap 'rm -rf "$work"' EXIT
measure() {  # prints "seconds peak-KB"
    /usr/bin/time -f "%e %M" -o "$work/time" "$@" >/dev/null 2>"$work/err" ||
        { cat "$work/err" >&2; exit 1; }
    cat "$work/time"
}
echo "| nodes | snapshot MB | memlab s | memlab peak MiB | command | heapan s | heapan peak MiB | time ratio | memory ratio |"
echo "|---|---|---|---|---|---|---|---|---|"
for nodes in "$@"; do
    snapshot="$work/$nodes.heapsnapshot"
    node --max-old-space-size=16384 "$here/gen_snapshot.js" "$nodes" "$snapshot"
    real=$("$builddir/src/heapan" info "$snapshot" | sed -n 's/^nodes: *\([0-9]*\),.*/\1/p')
    mb=$(($(wc -c < "$snapshot") / 1000000))
    set -- $(NODE_PATH="$memlab/node_modules" measure node --max-old-space-size=20000 \
        "$here/memlab_full_heap.js" "$snapshot")
    m_s=$1 m_kb=$2
    for command in top report; do
        output=
        [ $command = report ] && output="-o $work/report.html"
        set -- $(measure "$builddir/src/heapan" $command "$snapshot" $output)
        awk -v n="$real" -v mb="$mb" -v ms="$m_s" -v mk="$m_kb" -v c="$command" -v hs="$1" \
            -v hk="$2" 'BEGIN {
            printf "| %d | %d | %.2f | %.0f | %s | %.2f | %.0f | %.1fx faster | %.2f of the memory |\n",
                   n, mb, ms, mk / 1024, c, hs, hk / 1024, ms / hs, hk / mk }'
    done
    rm -f "$snapshot"
done
