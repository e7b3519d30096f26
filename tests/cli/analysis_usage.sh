# Bad arguments to the analysing commands: one line naming the problem, exit 2.
# Asking for something the dump does not hold: exit 1.
. "$CLI_LIB"
make_dump basic
run heapan top --by colour basic.zst
run heapan top -n many basic.zst
run heapan top --progress=sometimes basic.zst
run heapan top basic.zst extra.zst
run heapan top
run heapan dominators --depth 0 basic.zst
run heapan dominators --min-size 12 basic.zst --min-size lots
run heapan dominators --min-size 150% basic.zst
run heapan paths basic.zst
run heapan paths --object 0x10 --type Node basic.zst
run heapan paths --object zero basic.zst
run heapan paths --object 0 basic.zst
run heapan paths --object 0xdead0 basic.zst
run heapan paths --type NoSuchType basic.zst
run heapan export basic.zst
run heapan export --format xml basic.zst
run heapan export --format csv basic.zst
run heapan export --format json -o no/such/dir/out.json basic.zst
run heapan export --format dot --root 0xdead0 basic.zst
run heapan export --format json --unknown basic.zst
