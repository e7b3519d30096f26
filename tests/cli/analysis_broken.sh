# Truncated and inconsistent dumps load what they can: every command says
# what is wrong on standard error, still reports, and exits 1.  No cut
# crashes any command.
. "$CLI_LIB"
make_dump chain 20000
size=$(wc -c < chain.zst)
head -c $((size / 2)) chain.zst > half.zst
hide_counts() {
    sed -e 's/after [1-9][0-9]* objects and [1-9][0-9]* references/after N objects and M references/' \
        -e 's/^[0-9]* objects, .* unreachable (.*)$/N objects, SIZE; N reachable (SIZE), N unreachable (SIZE)/' \
        -e 's/^ *[0-9.]* [KMG]*i*B *[0-9.]*% *[0-9.]* [KMG]*i*B *[0-9]*  /  ROW  /'
}
heapan top half.zst 2>&1 | hide_counts
heapan top half.zst > /dev/null 2>&1
echo "[exit $?]"
# References and roots naming objects the dump lacks are dropped, with a warning.
make_dump dangling
run heapan top dangling.zst
run heapan paths --type Node dangling.zst
# Cuts every 1999 bytes: exit 1 (read in part) or 2 (not even a header).
offset=0
while [ $offset -lt $size ]; do
    head -c $offset chain.zst > cut.zst
    for command in top dominators "paths --type Node" "export --format json"; do
        heapan $command cut.zst > /dev/null 2>&1
        status=$?
        case $status in
        1|2) ;;
        *) die "$command, cut at $offset: exit $status" ;;
        esac
    done
    offset=$((offset + 1999))
done
echo "all cuts reported"
