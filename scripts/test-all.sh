#!/bin/sh
# test-all.sh: the whole test suite, as CI runs it: a release build through
# `make distcheck` (unit, command-line and fuzz-replay tests, the install
# check, the tarball), then the same tests built with ASan and UBSan, then
# the Python producer's tests on the other CPythons the machine has, then
# the Python package installed by make install and by pip (test-install.sh),
# then the pytest plugin under Debian's python3 and python3-pytest (test-pytest.sh).
# Builds go to build/ under the source tree, out of tree, so an in-tree
# build (the README's first command) does not stop it.  Every stage runs;
# the last line counts the tests of all of them: "N passed, N failed".
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
./autogen.sh >/dev/null 2>&1 || { ./autogen.sh; exit 1; }
jobs=$(nproc 2>/dev/null || echo 2)
logs=build/logs
rm -rf "$logs"
mkdir -p "$logs"

# configure refuses an out-of-tree build while the source tree is
# configured itself: clean that first (it keeps what was built in build/).
if [ -f config.status ]; then
    echo "== the source tree was configured in place: make distclean there first"
    make -s distclean >/dev/null 2>&1 || rm -f config.status config.h Makefile
fi

# (sh has no local variables: each function names its own)
build() { # build NAME CONFIGURE-ARGS... : configure a fresh build/NAME
    build_dir=build/$1
    shift
    rm -rf "$build_dir"
    mkdir -p "$build_dir"
    (cd "$build_dir" && "$top/configure" -q "$@")
}

failed_stages=0
stage() { # stage NAME COMMAND...: runs it, its output also in build/logs/NAME.log
    stage_name=$1
    shift
    echo "== $stage_name"
    { "$@"; echo $? > "$logs/$stage_name.status"; } 2>&1 | tee "$logs/$stage_name.log"
    if [ "$(cat "$logs/$stage_name.status" 2>/dev/null)" != 0 ]; then
        failed_stages=$((failed_stages + 1))
        echo "== $stage_name: FAILED"
    fi
}

release() {
    build release && make -C build/release -j"$jobs" distcheck
}

sanitizers() {
    build asan --enable-sanitizers || return 1
    make -C build/asan -j"$jobs" check || { cat build/asan/test-suite.log; return 1; }
}

pythons() {
    scripts/test-pythons.sh --except "$(python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
}

start=$(date +%s)
stage release release
stage sanitizers sanitizers
stage pythons pythons
stage install scripts/test-install.sh
stage pytest scripts/test-pytest.sh
# automake's "# PASS: N" summary lines, one set for each build
awk -v stages="$failed_stages" -v seconds="$(($(date +%s) - start))" '
    /^# PASS:/ {p += $3}
    /^# (FAIL|XPASS|ERROR):/ {f += $3}
    END {
        if (stages && !f) f = stages
        printf "%d passed, %d failed (in %d s)\n", p, f, seconds
        exit f ? 1 : 0
    }' "$logs"/release.log "$logs"/sanitizers.log "$logs"/pythons.log "$logs"/install.log \
    "$logs"/pytest.log
