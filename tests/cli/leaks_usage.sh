# heapan leaks: bad arguments and inputs exit 2 with one line; a dump
# against itself has nothing new; names from the dump are escaped.
. "$CLI_LIB"
make_dump basic
make_dump trace
make_dump chain 20000
head -c 3000 chain.zst > cut.zst
make_dump hostile
run heapan leaks basic.zst
run heapan leaks basic.zst basic.zst basic.zst basic.zst
run heapan leaks --fail-on-leak lots basic.zst basic.zst
run heapan leaks --fail-on-leak 5% basic.zst basic.zst
run heapan leaks --top 0 basic.zst basic.zst
run heapan leaks -o out.pdf basic.zst basic.zst
run heapan leaks basic.zst missing.zst
run heapan leaks trace.zst basic.zst
run heapan leaks basic.zst cut.zst
run heapan leaks basic.zst hostile.zst
run heapan leaks --warmed-up --fail-on-leak 1K basic.zst hostile.zst
echo "== a dump against itself: nothing is new"
run heapan leaks chain.zst chain.zst
heapan leaks --format json chain.zst chain.zst chain.zst |
    python3 -c 'import json, sys; d = json.load(sys.stdin); print(d["schema"], d["alive"], d["clusters"])'
echo "== trend"
run heapan trend basic.zst
run heapan trend --top 0 basic.zst basic.zst
run heapan trend basic.zst cut.zst
run heapan trend basic.zst trace.zst
run heapan trend -o out.pdf basic.zst basic.zst
heapan trend chain.zst chain.zst chain.zst | tail -4
heapan trend --format md basic.zst hostile.zst | grep -c '<script>' || true
