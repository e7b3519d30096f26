# V8 heap snapshots: retained sizes equal memlab's on a real Node.js
# snapshot (tests/data; memlab's numbers made by tests/bench/memlab_retained.js),
# the same answers plain, zstd- or gzip-compressed, and malformed ones
# refused with one line each.
. "$CLI_LIB"
data="$top_srcdir/tests/data"
zstd -dqc "$data/node8k.heapsnapshot.zst" > node.heapsnapshot || die "zstd"
zstd -dqc "$data/node8k.memlab.txt.zst" > memlab.txt || die "zstd"
gzip -c node.heapsnapshot > node.heapsnapshot.gz
cp "$data/node8k.heapsnapshot.zst" node.zst
heapan export --format csv -o ours node.heapsnapshot || die "export"
python3 - <<'PY'
import csv
memlab = {int(i): int(float(r)) for i, r in (line.split() for line in open("memlab.txt"))}
ours = {int(row["address"], 16): int(row["retained_size"]) for row in csv.DictReader(open("ours.nodes.csv"))}
differ = [node for node in memlab if ours.get(node) != memlab[node]]
print("nodes: memlab %d, heapan %d; retained sizes that differ: %d" % (len(memlab), len(ours), len(differ)))
PY
run heapan info node.heapsnapshot
run heapan check node.heapsnapshot
heapan top -n 5 node.heapsnapshot > plain.top
heapan top -n 5 node.zst > zstd.top
heapan top -n 5 node.heapsnapshot.gz > gzip.top
cmp -s plain.top zstd.top && cmp -s plain.top gzip.top && echo "plain, zstd and gzip agree"
cat plain.top
heapan report -o report.json node.zst || die "report"
python3 "$top_srcdir/tests/tools/validate_json.py" "$top_srcdir/docs/report.schema.json" report.json
python3 - <<'PY'
import json
doc = json.load(open("report.json"))
print("python suggestions:", [s["kind"] for s in doc["suggestions"] if s["kind"] not in ("dedupe_strings",)])
PY
run heapan paths -n 1 --type global node.zst
# Malformed snapshots: each refused with its reason (check: exit 1; the rest: exit 2).
python3 - <<'PY'
text = open("node.heapsnapshot").read()
broken = {
    "cut": text[: len(text) // 2],
    "badnumber": text.replace('"nodes":[', '"nodes":[-', 1),
    "nometa": text.replace('"snapshot":', '"snapshop":', 1),
    "edge_out_of_range": text.replace('"edges":[', '"edges":[1,1,999999999,', 1),
    "strings_short": text[: text.index('"strings":[') + len('"strings":[')] + '"x"]}',
    "nodes_first": '{"snapshot":{},"edges":[],"nodes":[]}',
    "not_json": '{"snapshot": nope',
    "nodes_twice": text.replace('"edges":[', '"nodes":[],"edges":[', 1),
}
for name, body in broken.items():
    open(name + ".heapsnapshot", "w").write(body)
PY
for name in cut badnumber nometa edge_out_of_range strings_short nodes_first not_json nodes_twice; do
    run heapan check "$name.heapsnapshot"
    run heapan top "$name.heapsnapshot"
done
