# heapan attach: bad arguments exit 2 with one line and a hint, before any
# process is touched (tests/python/test_attach.py attaches for real).
. "$CLI_LIB"
run heapan attach
run heapan attach 12 13
run heapan attach abc
run heapan attach 0
run heapan attach 99999999999
run heapan attach --trace 0 1
run heapan attach --trace soon 1
run heapan attach --timeout -1 1
run heapan attach --sample-bytes 512K 1
run heapan attach --rearm 1
run heapan attach --on-memory lots 1
run heapan attach --on-memory 0 1
run heapan attach --trace 1 --on-memory 80% 1
run heapan attach --bogus 1
run heapan help attach
