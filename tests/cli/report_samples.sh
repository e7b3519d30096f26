# heapan report on every sample: the planted problem is the first leak
# candidate or the first suggestion, with its retention path; the healthy
# program gets neither.  Every JSON report validates against the schema.
. "$CLI_LIB"
samples="unbounded_cache listeners no_slots float_list duplicate_strings readlines gc_cycles healthy"
for name in $samples; do
    heapan report -o "$name.json" "$top_srcdir/samples/$name.zst" || die "report $name"
done
python3 - $samples <<'PY'
import json, sys
for name in sys.argv[1:]:
    doc = json.load(open(name + ".json"))
    leaks, suggestions = doc["leak_candidates"], doc["suggestions"]
    first = leaks[0] if leaks else None
    leak = "%s at %s" % (first["kind"], first["path_text"] or "(unreachable)") if first else "none"
    suggestion = ("%s for %s" % (suggestions[0]["kind"], suggestions[0]["target"])
                  if suggestions else "none")
    if suggestions and suggestions[0]["example_value"]:
        suggestion += " (most repeated: %r)" % suggestions[0]["example_value"]
    print("%-18s leak 1: %s; suggestion 1: %s" % (name, leak, suggestion))
PY
# The schema is checked, and the checker does catch a bad document.
python3 "$top_srcdir/tests/tools/validate_json.py" "$top_srcdir/docs/report.schema.json" *.json
echo "schema: [exit $?]"
python3 - <<'PY'
import json
doc = json.load(open("unbounded_cache.json"))
doc["leak_candidates"][0]["kind"] = "bogus"
del doc["summary"]["objects"]
json.dump(doc, open("broken.json.bad", "w"))
PY
python3 "$top_srcdir/tests/tools/validate_json.py" "$top_srcdir/docs/report.schema.json" broken.json.bad
echo "schema on a broken document: [exit $?]"
# The whole Markdown report of the healthy program, and of the cache.
cp "$top_srcdir/samples/healthy.zst" "$top_srcdir/samples/unbounded_cache.zst" .
run heapan report healthy.zst
run heapan report --top 3 unbounded_cache.zst
# A big bytes object under a global: a file read whole, to stream instead.
make_dump bigvalue
heapan report -o bigvalue.json bigvalue.zst
python3 - <<'PY'
import json
s = json.load(open("bigvalue.json"))["suggestions"][0]
print(s["kind"], s["target"], s["estimated_savings"])
PY
