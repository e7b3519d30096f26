#!/bin/sh
# test-pytest.sh: the pytest plugin's tests (tests/python/test_pytest_plugin.py,
# through pytester) and heapan.leakcheck()'s, against Debian's python3 and its
# python3-pytest (the default Python may have no pytest), in build/debian.
# Debian's interpreter comes first on PATH while configuring, so that its
# python3-config gives the headers, as test-pythons.sh does for the others.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
./autogen.sh >/dev/null 2>&1 || { ./autogen.sh; exit 1; }
jobs=$(nproc 2>/dev/null || echo 2)
python=${PYTHON_FOR_PYTEST:-/usr/bin/python3}
if ! "$python" -c 'import pytest' 2>/dev/null; then
    echo "test-pytest: $python has no pytest: install python3-pytest (scripts/install-deps.sh)"
    exit 1
fi
dir=build/debian
mkdir -p "$dir"
bin=$(dirname "$python")
echo "== pytest plugin on $("$python" -c 'import sys; print(sys.version.split()[0])') ($python)"
tests="tests/python/test_pytest_plugin.py tests/python/test_leaks.py"
if ! (cd "$dir" && PATH="$bin:$PATH" && export PATH &&
      { [ -f Makefile ] || "$top/configure" -q PYTHON="$python"; } &&
      make -s -j"$jobs" >/dev/null &&
      HEAPAN_REQUIRE_PYTEST=1 make -s -j"$jobs" check TESTS="$tests" >/dev/null); then
    cat "$dir"/tests/python/test_pytest_plugin.log "$dir"/tests/python/test_leaks.log 2>/dev/null | tail -60
    exit 1
fi
grep -h "passed\|failed" "$dir"/tests/python/test_pytest_plugin.log | tail -1
grep "^# \(PASS\|FAIL\|XPASS\|ERROR\|SKIP\):" "$dir/test-suite.log"
