#!/bin/sh
# consumer.sh PREFIX HEAPAN SOURCE [CC]: builds SOURCE against the libheapan
# installed under PREFIX, through pkg-config only, runs it, and reads its
# dump back with the installed heapan.
set -eu
prefix=$1 heapan=$2 source=$3 CC=${4:-${CC:-cc}}
work=$(mktemp -d "${TMPDIR:-/tmp}/heapan-consumer.XXXXXX")
trap 'rm -rf "$work"' EXIT
pcdir=$(dirname "$(find "$prefix" -name heapan.pc | head -n 1)")
export PKG_CONFIG_PATH="$pcdir"
flags="$(pkg-config --define-variable=prefix="$prefix" --cflags --libs heapan)"
${CC:-cc} -std=c11 -Wall -Werror -o "$work/consumer" "$source" $flags
libdir=$(pkg-config --define-variable=prefix="$prefix" --variable=libdir heapan)
LD_LIBRARY_PATH="$libdir" "$work/consumer" "$work/out.zst"
"$heapan" info "$work/out.zst" | grep -q '^producer:    consumer '
"$heapan" check "$work/out.zst"
echo "installed library, header and heapan.pc: ok"
