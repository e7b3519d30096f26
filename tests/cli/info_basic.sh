# heapan info on a small, complete heap dump.
. "$CLI_LIB"
make_dump basic
run heapan info basic.zst
run heapan info --types 2 basic.zst
