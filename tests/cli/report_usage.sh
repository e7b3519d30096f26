# heapan report's bad arguments and rule files: one line, exit 2.
. "$CLI_LIB"
make_dump basic
run heapan report -o report.pdf basic.zst
run heapan report -o report.txt basic.zst && head -1 report.txt
run heapan report --format pdf basic.zst
run heapan report --color=rainbow basic.zst
run heapan trace --color sometimes basic.zst
run heapan report --top 0 basic.zst
run heapan report --min-retained lots basic.zst
run heapan report --exclude-type '(unclosed' basic.zst
run heapan report --suppress missing.rules basic.zst
printf '# known\ntype ^app\\.\nsite vendor/\nwhatever x\n' > bad.rules
run heapan report --suppress bad.rules basic.zst
printf 'type ok\nsite [z-a]\n' > badregex.rules
run heapan report --suppress badregex.rules basic.zst
run heapan report -o no/such/dir/r.html basic.zst
# Rules that silence the cache in the unbounded_cache sample.
cp "$top_srcdir/samples/unbounded_cache.zst" cache.zst
printf '# the response cache is known\ntype ^__main__\\.Response$\n' > known.rules
heapan report --suppress known.rules -o filtered.json cache.zst
echo "[exit $?]"
heapan report --exclude-type 'Response' -o excluded.json cache.zst
heapan report --include-type '^nothing$' -o included.json cache.zst
python3 - <<'PY'
import json
for name in ("filtered", "excluded", "included"):
    doc = json.load(open(name + ".json"))
    print(name, [l["path_text"] for l in doc["leak_candidates"]],
          [s["kind"] for s in doc["suggestions"]])
PY
# --trace: a trace of another process adds its growing sites and says it cannot match.
make_dump trace
heapan report --trace trace.zst -o traced.json basic.zst
echo "[exit $?]"
python3 - <<'PY'
import json
doc = json.load(open("traced.json"))
print(doc["trace"]["same_process"], [s["function"] for s in doc["trace"]["growing_sites"]],
      [l["allocation_sites"] for l in doc["leak_candidates"]])
PY
run heapan report --trace basic.zst basic.zst
run heapan report --trace missing.zst basic.zst
# --baseline: an unreadable or wrong baseline stops the report with one line.
run heapan report --baseline missing.zst basic.zst
run heapan report --baseline trace.zst basic.zst
# The same dump as its own baseline: nothing grew, so nothing is a leak.
heapan report --baseline basic.zst -o same.json basic.zst
echo "[exit $?]"
python3 -c 'import json; d = json.load(open("same.json")); print(d["summary"]["evidence"], [(l["evidence"], l["leak"]) for l in d["leak_candidates"]])'
# --own-code takes no argument.
run heapan report --own-code=yes basic.zst
