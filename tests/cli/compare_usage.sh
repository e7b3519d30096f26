# heapan compare: bad arguments and inputs exit 2 with one line; the same
# dump twice shows no change; every renderer escapes names from the dumps.
. "$CLI_LIB"
make_dump basic
make_dump trace
make_dump chain 20000
head -c 3000 chain.zst > cut.zst
make_dump hostile
run heapan compare basic.zst
run heapan compare basic.zst basic.zst basic.zst
run heapan compare --fail-on-growth lots basic.zst basic.zst
run heapan compare --fail-on-growth type:=5% basic.zst basic.zst
run heapan compare --fail-on-growth 'type:Order=+x' basic.zst basic.zst
run heapan compare --noise soft basic.zst basic.zst
run heapan compare -o out.pdf basic.zst basic.zst
run heapan compare basic.zst missing.zst
run heapan compare trace.zst basic.zst
run heapan compare basic.zst cut.zst
# The same dump twice: nothing changed, the gate passes.
cp "$top_srcdir/samples/unbounded_cache.zst" cache.zst
run heapan compare --fail-on-growth 1% --fail-on-growth 'type:Response=+1%' cache.zst cache.zst
# Against an older, smaller program: a growth, named.
cp "$top_srcdir/samples/healthy.zst" healthy.zst
run heapan compare --fail-on-growth 'path:module __main__ . _CACHE=+1MB' \
    --fail-on-growth 'path:module __main__ . _CACHE=+100K' healthy.zst cache.zst
# Hostile names stay text in every format.
heapan compare -o c.html basic.zst hostile.zst
heapan compare -o c.md basic.zst hostile.zst
heapan compare -o c.json basic.zst hostile.zst
grep -c '<script>alert\|<img' c.html c.md
python3 -c 'import json; d = json.load(open("c.json")); print(d["types"][0]["name"])'
