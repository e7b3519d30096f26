# The memory accounting of a dump with the memory facts heapan-python
# records (mkdump memory): a fragmented program whose pools hold one small
# object each.  The rows add up to RSS in every format; the finding names
# the fragmentation; a dump whose malloc is not glibc's says its rows are
# unknown, and the allocator's hostile file name stays inert.
. "$CLI_LIB"
make_dump memory
make_dump memory-foreign
run heapan report -f text memory.zst > memory.txt
sed -n '/^Memory accounting/,/^Findings/p' memory.txt
run heapan report -o memory.json memory.zst
run heapan report -o memory.md memory.zst
run heapan report -o memory.html memory.zst
python3 - <<'PY'
import json
acc = json.load(open("memory.json"))["accounting"]
print("rss", acc["rss"], "sum", sum(r["bytes"] for r in acc["rows"]))
print("main gap", acc["main_gap"], "findings", [(f["kind"], f["row"]) for f in acc["findings"]])
print("histogram", acc["pymalloc_histogram"])
PY
python3 "$top_srcdir/tests/tools/validate_json.py" "$top_srcdir/docs/report.schema.json" memory.json
echo "schema: [exit $?]"
grep -c 'Memory accounting' memory.md memory.html
grep -c '<svg' memory.html
run heapan report -o foreign.json memory-foreign.zst
run heapan report -o foreign.md memory-foreign.zst
run heapan report -o foreign.html memory-foreign.zst
run heapan report -f text memory-foreign.zst > foreign.txt
python3 - <<'PY'
import json
for row in json.load(open("foreign.json"))["accounting"]["rows"]:
    if not row["known"]:
        print("unknown:", row["name"])
PY
# The allocator's name is text: no tag in HTML or Markdown, no escape or bidi control anywhere.
grep -c '<b>evil' foreign.html foreign.md
grep -c "$(printf '\033')\|$(printf '\342\200\256')" foreign.txt foreign.md foreign.html
# A trend and a comparison of the two: the rows' change, unknown where one side cannot tell.
run heapan compare -f text memory.zst memory-foreign.zst | sed -n '/^Memory accounting/,/^Types/p'
run heapan trend -f json -o trend.json memory.zst memory.zst
python3 -c 'import json; print(json.load(open("trend.json"))["accounting"]["largest_growth"])'
python3 "$top_srcdir/tests/tools/validate_json.py" "$top_srcdir/docs/trend.schema.json" trend.json
echo "trend schema: [exit $?]"
