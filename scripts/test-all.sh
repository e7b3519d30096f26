#!/bin/sh
# test-all.sh: the whole test suite, as CI runs it: a release build through
# `make distcheck` (unit, command-line and fuzz-replay tests, the install
# check, the tarball), then the same tests built with ASan and UBSan, then
# the Python producer's tests on the other CPythons the machine has.
# Builds go to build/ under the source tree.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
./autogen.sh >/dev/null 2>&1 || { ./autogen.sh; exit 1; }
jobs=$(nproc 2>/dev/null || echo 2)

build() { # build NAME CONFIGURE-ARGS... : configure a fresh build/NAME
    name=$1
    shift
    rm -rf "build/$name"
    mkdir -p "build/$name"
    (cd "build/$name" && "$top/configure" -q "$@")
}

summarise() { # summarise LOG...: "N passed, N failed" over automake's logs
    awk '/^# PASS:/ {p += $3} /^# (FAIL|XPASS|ERROR):/ {f += $3}
         END {printf "%d passed, %d failed\n", p, f}' "$@"
}

echo "== release build: make distcheck"
build release
make -C build/release -j"$jobs" distcheck
echo "== sanitizer build: make check"
build asan --enable-sanitizers
if ! make -C build/asan -j"$jobs" check; then
    cat build/asan/test-suite.log
    exit 1
fi
summarise build/asan/test-suite.log
echo "== the Python producer on the other CPythons found (3.8 to 3.13)"
scripts/test-pythons.sh --except "$(python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
