# heapan's limits: 2^31 - 1 objects and 2^32 - 2 references (docs/analysis.md).
# No test can write such a dump, so HEAPAN_TEST_MAX_OBJECTS and
# HEAPAN_TEST_MAX_REFERENCES lower them: past either, every analysing
# command says which in one line and exits 2; at the limit, it analyses.
. "$CLI_LIB"
make_dump story
objects=$("$HEAPAN" info story.zst | sed -n "s/^objects: *\([0-9]*\),.*/\1/p")
references=$("$HEAPAN" info story.zst | sed -n "s/^references: *\([0-9]*\) .*/\1/p")
[ -n "$objects" ] && [ -n "$references" ] || die "heapan info shows no counts"
for cmd in top report compare; do
    set -- story.zst
    [ $cmd = compare ] && set -- story.zst story.zst
    [ $cmd = report ] && set -- story.zst -o report.html
    HEAPAN_TEST_MAX_OBJECTS=$((objects - 1)) run "$HEAPAN" $cmd "$@"
    HEAPAN_TEST_MAX_REFERENCES=$((references - 1)) run "$HEAPAN" $cmd "$@"
    [ ! -e report.html ] || die "report past the limit wrote its file"
    HEAPAN_TEST_MAX_OBJECTS=$objects HEAPAN_TEST_MAX_REFERENCES=$references \
        "$HEAPAN" $cmd "$@" > /dev/null 2>&1
    [ $? -le 1 ] || die "$cmd at the limits failed"
    rm -f report.html
done
