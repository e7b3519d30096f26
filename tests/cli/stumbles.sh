# What a new user met first: help that printed "%%", a tracemalloc site
# read as "file:line in " with no function, "1 objects", and a bounded-cache
# example whose maxsize was not the bound its saving assumed.
. "$CLI_LIB"
make_dump single
make_dump unknown-tags
echo "== help shows percentages as they are typed"
heapan help report | grep -E 'default [0-9]+%'
heapan help compare | grep -E '10%,'
echo "== a frame without a function"
run heapan top --by site single.zst
echo "== one object"
heapan top unknown-tags.zst 2>/dev/null | head -1
echo "== the bounding example uses the bound of the saving"
heapan report --baseline "$top_srcdir/samples/healthy.zst" -o cache.md \
    "$top_srcdir/samples/unbounded_cache.zst" 2>/dev/null
grep -o 'maxsize=[0-9][0-9]*' cache.md | sort -u
grep -o 'at [0-9]* entries' cache.md | sort -u
echo "== the progress line is erased before the report begins"
heapan report --progress=always "$top_srcdir/samples/healthy.zst" 2>&1 |
    head -1 | sed 's/\x1b\[K/<erase>/g; s/\r/<cr>/g; s|[^ ]*healthy.zst|DUMP|g'
