# heapan info on an allocation trace.
. "$CLI_LIB"
make_dump trace
run heapan info trace.zst
