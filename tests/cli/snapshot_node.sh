# Fresh Node.js heap snapshots (node's v8.writeHeapSnapshot()) with a
# planted leak: the report names the Array under globalThis.keep and what
# it holds, and compare's gate sees the Sessions grow.
. "$CLI_LIB"
command -v node >/dev/null || die "no node: scripts/install-deps.sh installs nodejs"
cat > leak.js <<'EOF'
const v8 = require('v8');
class Session {
  constructor(i) { this.id = i; this.name = 'user-' + i; this.tags = ['a', 'b']; }
}
const keep = [];
for (let i = 0; i < Number(process.argv[2]); i++) keep.push(new Session(i));
globalThis.keep = keep;
v8.writeHeapSnapshot(process.argv[3]);
EOF
node leak.js 1000 before.heapsnapshot || die "node"
node leak.js 20000 after.heapsnapshot || die "node"
gzip -k after.heapsnapshot
heapan report -o report.json after.heapsnapshot.gz || die "report"
python3 - <<'PY'
import json
doc = json.load(open("report.json"))
leak = doc["leak_candidates"][0]
print(leak["kind"], leak["path_text"].endswith(". keep"), leak["entries"] >= 20000,
      [(t["name"], t["count"]) for t in leak["types"] if t["name"] == "Session"])
print("suggestions:", sorted({s["kind"] for s in doc["suggestions"]} - {"dedupe_strings"}))
PY
heapan compare --format json -o compare.json --fail-on-growth 'type:Session=+100%' \
    before.heapsnapshot after.heapsnapshot
echo "compare: [exit $?]"
python3 - <<'PY'
import json
doc = json.load(open("compare.json"))
row = [t for t in doc["types"] if t["name"] == "Session"][0]
print("Session:", row["baseline"]["count"], "->", row["new"]["count"])
PY
