# heapan check names each problem of a broken dump and exits 1.
. "$CLI_LIB"
for kind in dangling unfinished bad-varint huge-count huge-length undefined-type wrong-end; do
    make_dump $kind
    run heapan check $kind.zst
done
run heapan check -q dangling.zst
