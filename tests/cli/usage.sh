# Usage errors exit 2 with a hint; help and version exit 0.
. "$CLI_LIB"
make_dump basic
run heapan
run heapan --help
run heapan --version
run heapan help
run heapan help check
run heapan info --help
run heapan help nosuch
run heapan nosuch
run heapan --bogus
run heapan info
run heapan info basic.zst extra.zst
run heapan info --bogus basic.zst
run heapan info -x basic.zst
run heapan info -n abc basic.zst
run heapan info -n
run heapan check -z basic.zst
run heapan help paths
