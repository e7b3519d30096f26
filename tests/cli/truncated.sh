# A dump cut anywhere reads up to its last whole zstd block: info shows what
# is there, says the dump is incomplete and exits 1; nothing crashes.
. "$CLI_LIB"
make_dump chain 20000
size=$(wc -c < chain.zst)

# Cut in the middle: the objects before the cut are counted.
head -c $((size / 2)) chain.zst > half.zst
heapan info half.zst > half.out 2> half.err
echo "info on half: exit $?"
grep '^format:' half.out
sed 's/after [1-9][0-9]* objects and [1-9][0-9]* references/after N objects and M references/' half.err
heapan check half.zst | sed 's/after [1-9][0-9]* objects and [1-9][0-9]* references/after N objects and M references/'

# The same through standard input.
head -c $((size / 2)) chain.zst | heapan info - 2>&1 >/dev/null |
    sed 's/after [1-9][0-9]* objects and [1-9][0-9]* references/after N objects and M references/'

# Cuts every 997 bytes: every one is reported (exit 1, or 2 before the
# header is whole), none crashes or passes as complete.
offset=0
while [ $offset -lt $size ]; do
    head -c $offset chain.zst > cut.zst
    heapan check -q cut.zst 2>/dev/null
    status=$?
    case $status in
    1|2) ;;
    *) die "cut at $offset: exit $status" ;;
    esac
    offset=$((offset + 997))
done
echo "all cuts reported"
