# top, dominators, paths and export on a real Python dump: a module-level
# cache that grows with every request (samples/unbounded_cache.py).
. "$CLI_LIB"
dump="$top_srcdir/samples/unbounded_cache.zst"
cp "$dump" cache.zst
run heapan top -n 5 cache.zst
run heapan top --by module -n 3 cache.zst
run heapan top --by site -n 2 cache.zst
run heapan dominators --depth 2 -n 2 cache.zst
run heapan dominators cache.zst --depth 3 --min-size 1MiB
run heapan paths --type Response -n 2 cache.zst
# Every path through a referrer: the cache dict's entry for one user.
run heapan paths --object 0x7f88c955f810 cache.zst
run heapan paths --type frame -n 1 cache.zst
# JSON is one document; its counts agree with the dump.
heapan export --format json cache.zst > cache.json
echo "[exit $?]"
python3 - <<'PY'
import json
doc = json.load(open("cache.json"))
print(doc["schema"], len(doc["nodes"]), "nodes", len(doc["edges"]), "edges", len(doc["roots"]), "roots")
assert [n["index"] for n in doc["nodes"]] == list(range(len(doc["nodes"])))
top = [n for n in doc["nodes"] if n["idom"] is None]
print("retained by the top level:", sum(n["retained_size"] for n in top),
      "of", sum(n["shallow_size"] for n in doc["nodes"]))
print("weak edges:", sum(e["weak"] for e in doc["edges"]))
PY
run heapan export --format csv -o cache cache.zst
wc -l < cache.nodes.csv
wc -l < cache.edges.csv
head -2 cache.edges.csv
run heapan export --format dot --root 0x7f88c9932f40 --depth 2 --min-size 300 -o cache.dot cache.zst
head -4 cache.dot
