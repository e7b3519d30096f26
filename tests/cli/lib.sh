# lib.sh: helpers for tests/cli scripts; source it with `. "$CLI_LIB"`.
# Scripts run in an empty scratch directory with $HEAPAN and $MKDUMP set.

die() {
    echo "FAIL: $*" >&2
    exit 1
}

# run CMD...: runs a command and prints its exit status after its output,
# so the expected output pins the status too.
run() {
    "$@"
    echo "[exit $?]"
}

heapan() {
    "$HEAPAN" "$@"
}

# make_dump KIND [N]: writes KIND.zst with mkdump (see `mkdump --list`).
make_dump() {
    "$MKDUMP" "$1" "$1.zst" ${2:+"$2"} || die "mkdump $1"
}
