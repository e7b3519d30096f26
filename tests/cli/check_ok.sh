# heapan check accepts whole, consistent files, including ones from a newer
# minor version (unknown record kinds and fields are skipped).
. "$CLI_LIB"
for kind in basic trace newer-minor; do
    make_dump $kind
    run heapan check $kind.zst
done
make_dump chain 20000
run heapan check chain.zst
run heapan check --quiet basic.zst
