# V8 snapshots carrying the quirks of real ones (made by tests/tools/mksnapshot.py):
# the synthetic root is never a finding, a healthy page has none, a 2017 V8's
# undeclared node type and Julia's 64-bit ids are read, and the lenient cases
# (data after the end, a raw NUL, a second "meta", an id past 2^53) are refused
# with one line each.
. "$CLI_LIB"
mk() { python3 "$top_srcdir/tests/tools/mksnapshot.py" "$1" "$1.heapsnapshot" || die "mksnapshot $1"; }
findings() {
    heapan report -o "$1.json" "$1.heapsnapshot" 2>&1 || echo "[report exit $?]"
    python3 - "$1.json" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
found = doc["leak_candidates"]
print("%d finding(s)%s" % (len(found), "".join(
    "\n  %s %s: %s" % (f["kind"], f["type"], f["path_text"]) for f in found)))
PY
}
for kind in healthy leaky old_v8 julia trailing raw_nul two_meta id_2_54; do
    mk "$kind"
done
echo "== a healthy page"
findings healthy
echo "== the same page holding 2000 requests in a global Array"
findings leaky
echo "== a 2017 V8: symbols typed past the meta's list"
findings old_v8
run heapan top -n 3 old_v8.heapsnapshot
echo "== Julia: ids are addresses near 2^47"
findings julia
run heapan paths -n 1 --type Request julia.heapsnapshot
echo "== refused"
for kind in trailing raw_nul two_meta id_2_54; do
    run heapan check "$kind.heapsnapshot"
    run heapan top "$kind.heapsnapshot"
done
