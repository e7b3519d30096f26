#!/bin/sh
# test-pythons.sh: the Python producer's tests against every CPython from
# 3.8 to 3.13 this machine has (pyenv's, or python3.X on PATH) with its
# headers, each in its own build under build/python3.X.  test-all.sh runs
# it for the versions besides the default one.
#
#   scripts/test-pythons.sh [--except X.Y] [PYTHON...]   # default: all found
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
./autogen.sh >/dev/null 2>&1 || { ./autogen.sh; exit 1; }
jobs=$(nproc 2>/dev/null || echo 2)

found() { # the interpreters of 3.8 to 3.13 on this machine, one a line
    for minor in 8 9 10 11 12 13; do
        for candidate in "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3."$minor".*/bin/python3 \
            "$(command -v python3."$minor" || true)"; do
            if [ -x "$candidate" ]; then
                echo "$candidate"
                break
            fi
        done
    done
}

except=
if [ "${1:-}" = --except ]; then
    except=$2
    shift 2
fi
pythons=${*:-$(found)}
tests=$(cd "$top" && ls tests/python/test_*.py | tr '\n' ' ')
# The slowest tests, whose version-dependent parts the oldest and the
# newest CPython cover: between them, they are left out to keep CI
# within its time.  HEAPAN_ALL_TESTS=1 runs every test on every version.
slow="test_samples.py test_savings.py test_stories.py test_attach.py test_background.py"
oldest=$(echo $pythons | tr ' ' '\n' | head -1)
newest=$(echo $pythons | tr ' ' '\n' | tail -1)
status=0
for python in $pythons; do
    version=$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
    bin=$(dirname "$python")
    [ "$version" = "$except" ] && continue
    if [ ! -x "$bin/python3-config" ] && [ ! -x "$bin/python$version-config" ]; then
        echo "== CPython $version ($python): skipped, no python3-config beside it"
        continue
    fi
    dir="build/python$version"
    mkdir -p "$dir"
    these=$tests
    if [ "${HEAPAN_ALL_TESTS:-0}" != 1 ] && [ "$python" != "$oldest" ] && [ "$python" != "$newest" ]; then
        these=
        for t in $tests; do
            case " $slow " in *" ${t##*/} "*) ;; *) these="$these $t" ;; esac
        done
    fi
    echo "== CPython $version ($python)"
    # configure finds python3-config beside the interpreter, first on PATH.
    if ! (cd "$dir" && PATH="$bin:$PATH" && export PATH &&
          { [ -f Makefile ] || "$top/configure" -q PYTHON="$python"; } &&
          make -s -j"$jobs" >/dev/null && make -s -j"$jobs" check TESTS="$these" >/dev/null); then
        cat "$dir"/tests/python/*.log 2>/dev/null | tail -40
        status=1
    fi
    grep -h "^Ran \|^OK\|^FAILED" "$dir"/tests/python/*.log | paste -sd' ' -
    grep "^# \(PASS\|FAIL\|XPASS\|ERROR\):" "$dir/test-suite.log" 2>/dev/null || true
done
exit $status
