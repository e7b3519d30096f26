# Out of memory, by failure injection (HEAPAN_TEST_FAIL_ALLOC=N fails the
# Nth allocation) and by the memory limit: every command, at every point
# tried, ends with exit 2 and one line, and leaves no output file; an old
# report stays as it was.  Zip bombs (a dump of huge strings, a snapshot of
# 10^8 empty strings) are refused at the limit, which --max-memory moves.
. "$CLI_LIB"
make_dump story
make_dump trace
# inject NAME OUTPUT CMD...: runs CMD with the Nth allocation failing, for N from 1
# up to past the last; checks each failure; prints how many points failed.
inject() {
    name=$1 out=$2
    shift 2
    failures=0 n=1
    while :; do
        rm -f "$out" .*.XXXXXX 2>/dev/null
        HEAPAN_TEST_FAIL_ALLOC=$n "$@" > stdout.txt 2> stderr.txt
        status=$?
        if [ $status -ne 2 ]; then
            [ $status -le 1 ] || die "$name: allocation $n: exit $status"
            break # past the last allocation: the command finished
        fi
        [ "$(wc -l < stderr.txt)" -eq 1 ] || die "$name: allocation $n: $(cat stderr.txt)"
        grep -q 'out of memory' stderr.txt || die "$name: allocation $n: $(cat stderr.txt)"
        [ "$out" = - ] || [ ! -e "$out" ] || die "$name: allocation $n left $out"
        ls -a | grep -q '^\.[^.].*\.......$' && die "$name: allocation $n left a temporary file"
        failures=$((failures + 1))
        # every one of the first 60, then a spread
        if [ $n -lt 60 ]; then n=$((n + 1)); else n=$((n + n / 5 + 1)); fi
    done
    [ $failures -ge 10 ] || die "$name: only $failures points tried"
    echo "$name: every point out of memory tried: exit 2 with one line and no output"
}
inject "info" - heapan info story.zst
inject "check" - heapan check story.zst
inject "top" - heapan top story.zst
inject "paths" - heapan paths --type str -n 2 story.zst
inject "report md" r.md heapan report -o r.md story.zst
inject "report html" r.html heapan report -o r.html story.zst
inject "report json" r.json heapan report -o r.json story.zst
inject "report text" - heapan report --format text --color=always story.zst
inject "compare" c.json heapan compare -o c.json story.zst story.zst
inject "trace" t.html heapan trace -o t.html trace.zst
inject "trace text" - heapan trace trace.zst
inject "export" e.json heapan export --format json -o e.json story.zst

echo "== an old report survives a death by memory while the new one is written"
heapan report -o keep.html story.zst || die "report"
cp keep.html before.html
# the last allocation that can fail, by bisection: it comes while the report is written
low=1 high=1
while HEAPAN_TEST_FAIL_ALLOC=$high heapan report -o keep.html story.zst 2>/dev/null; [ $? -eq 2 ]; do
    low=$high high=$((high * 2))
done
while [ $((high - low)) -gt 1 ]; do
    mid=$(((low + high) / 2))
    if HEAPAN_TEST_FAIL_ALLOC=$mid heapan report -o keep.html story.zst 2>/dev/null; [ $? -eq 2 ]; then
        low=$mid
    else
        high=$mid
    fi
done
cp before.html keep.html
HEAPAN_TEST_FAIL_ALLOC=$low heapan report -o keep.html story.zst 2>/dev/null
echo "the last allocation failing: exit $?"
cmp -s keep.html before.html && echo "keep.html is the old report"

echo "== zip bombs"
"$MKDUMP" string-bomb bomb.zst 64 || die "mkdump string-bomb"
run heapan check bomb.zst
python3 "$top_srcdir/tests/tools/mksnapshot.py" empty_strings - 100000000 | zstd -q -c > strings.zst
run heapan report -o strings.md strings.zst
[ -e strings.md ] && echo "strings.md was written"
echo "== --max-memory"
run heapan --max-memory 1M top story.zst
heapan top story.zst --max-memory=64M > /dev/null && echo "--max-memory=64M after the operand: ok"
run heapan top --max-memory lots story.zst
echo "== the output's directory is checked before the analysis"
run heapan report -o missing/r.md bomb.zst
