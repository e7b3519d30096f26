# Inputs that are no heapan dump at all: one line naming the file and the
# problem, exit 2, from every command.
. "$CLI_LIB"
: > empty.zst
echo 'hello, world' > text.zst
mkdir directory.zst
printf '\050\265\057' > short.zst
for kind in not-heapan newer-version no-header; do
    make_dump $kind
done
for file in empty.zst text.zst directory.zst short.zst missing.zst not-heapan.zst \
            newer-version.zst no-header.zst; do
    run heapan info $file
    run heapan check $file
    run heapan top $file
    run heapan paths --type dict $file
    run heapan dominators $file
    run heapan export --format json $file
done
