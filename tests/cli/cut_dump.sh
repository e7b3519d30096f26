# What a dump cut short, or without roots, lets heapan say: a complete dump
# naming no root is warned about, a 1.1 dump with its roots last too, and
# cycles no root reaches in a cut dump are "not reached in what was read",
# never a garbage finding; the summary and every finding say it is incomplete.
. "$CLI_LIB"
make_dump rootless
make_dump roots-last
make_dump garbage-cycle 30000
make_dump cycle 30000
echo "== rootless: complete, no root"
run heapan report rootless.zst 2>&1 | grep -E 'Warning|reached from no root|exit'
echo "== roots last"
run heapan top -n 1 roots-last.zst 2>&1 | grep -E 'warning|exit'
echo "== uncut garbage cycle: a finding"
heapan report -o whole.json garbage-cycle.zst
python3 - whole.json <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
print("complete:", doc["summary"]["complete"], "findings:", [f["kind"] for f in doc["leak_candidates"]])
PY
size=$(wc -c < garbage-cycle.zst)
head -c $((size * 6 / 10)) garbage-cycle.zst > cut-garbage.zst
echo "== the garbage cycle cut at 60%"
heapan report cut-garbage.zst 2>/dev/null | grep -E 'not reached|Incomplete dump|garbage' | sed 's/[0-9][0-9.]* KiB in [0-9]* objects/N KiB in N objects/; s/| [0-9][0-9.]* KiB ([0-9]* objects)/| N/'
heapan report -o cut-garbage.json cut-garbage.zst 2>/dev/null
python3 - cut-garbage.json <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
s = doc["summary"]
print("complete:", s["complete"], "findings:", [f["kind"] for f in doc["leak_candidates"]],
      "incomplete text:", s["incomplete"] is not None)
PY
size=$(wc -c < cycle.zst)
for pct in 40 60 80; do
    head -c $((size * pct / 100)) cycle.zst > cut.zst
    heapan report -o cut.json cut.zst 2>/dev/null
    python3 - cut.json $pct <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
first = doc["leak_candidates"][0] if doc["leak_candidates"] else None
print("rooted cycle cut at %s%%:" % sys.argv[2], first and first["kind"],
      first and " . ".join(first["path_text"].split(" . ")[:3]),
      "says incomplete:", bool(first) and "incomplete dump" in first["reason"])
PY
done
