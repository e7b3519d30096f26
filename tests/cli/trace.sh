# heapan trace on a small trace: text, the JSON fields, and its errors.
. "$CLI_LIB"
make_dump trace
make_dump basic
run heapan trace trace.zst
heapan trace -o trace.json trace.zst
python3 - <<'PY'
import json
doc = json.load(open("trace.json"))
print(doc["schema"], doc["peak"], doc["end"], len(doc["samples"]), "samples")
site = doc["sites"][0]
print(site["file"], site["line"], site["function"], site["live_at_peak"], site["live_at_end"],
      site["total_allocated"], site["allocations"], site["grows"], len(site["stack"]))
PY
heapan trace -o trace.html trace.zst && grep -c '<svg' trace.html
heapan trace -o trace.md trace.zst && grep -c '^## ' trace.md
run heapan trace basic.zst
run heapan trace --format pdf trace.zst
run heapan trace --top 0 trace.zst
run heapan trace missing.zst
size=$(wc -c < trace.zst)
head -c $((size / 2)) trace.zst > half.zst
heapan trace half.zst > /dev/null 2>&1
echo "half a trace: [exit $?]"
# A recursion 20 000 frames deep: every format reads it in one pass, and the
# HTML draws the outermost callers only, saying how deep the stacks go.
"$MKDUMP" deep-trace deep.zst 20000 || die "mkdump deep-trace"
for format in text md json html; do
    heapan trace --format "$format" -o "deep.$format" deep.zst || die "trace --format $format"
done
grep -o 'Stacks go [0-9]* calls deep; the outermost [0-9]* are drawn' deep.html
[ "$(wc -c < deep.html)" -lt 200000 ] && echo "deep.html is small"
grep -m1 -o 'walk (app/walk.py:12)' deep.md
