# The report's story of a dump with the facts heapan-python records (mkdump
# story): a functools cache on a method, loggers made per request, a dict
# keyed by tuples.  The names the causes quote and the examples would fit
# are hostile: they stay text everywhere, and stay out of the example code.
. "$CLI_LIB"
make_dump story
run heapan report -o story.json story.zst
run heapan report -o story.md story.zst
run heapan report -o story.html story.zst
python3 - <<'PY'
import json
doc = json.load(open("story.json"))
for finding in doc["leak_candidates"]:
    print(finding["kind"], finding["cause"], finding["leak"], finding["evidence"], finding["fix"],
          finding["owner"])
    print("  class:", finding["class_name"], "member:", finding["member_name"])
for s in doc["suggestions"]:
    print(s["rank"], s["kind"], s["fixes"], s["target"])
    # a name that is no identifier never reaches the example's code
    assert "<img" not in s["example"] and "rm -rf" not in s["example"] and "<b>" not in s["example"], s["example"]
print("method example:", [l for l in doc["suggestions"][0]["example"].splitlines() if l.startswith("class")])
print("logger example:", [l for l in doc["suggestions"][1]["example"].splitlines() if "getLogger" in l])
PY
python3 "$top_srcdir/tests/tools/validate_json.py" "$top_srcdir/docs/report.schema.json" story.json
echo "schema: [exit $?]"
# No tag from the dump in the HTML or the Markdown; its text is there, escaped.
grep -c '<img src=x\|<b>[0-9]' story.html
grep -c '&lt;img src=x onerror=alert(3)&gt;' story.html
grep -c '<img\|<b>[0-9]\|<script>' story.md
grep -c 'rm -rf /\\`' story.md
