#!/bin/sh
# test-install.sh: the Python package installed the ways Python users
# install, each into a fresh virtual environment, then imported, asked its
# version (importlib.metadata) and made to write a dump:
#   - `make install` for Debian's python3 and for the default python3,
#     configured --with-python=VENV/bin/python --prefix=VENV: the venv
#     imports it with no PYTHONPATH;
#   - the same build installed under a prefix the interpreter does not
#     import from: make install prints the PYTHONPATH line, and it works;
#   - where configure puts it for Debian's python3 and /usr/local: the
#     dist-packages that python3 reads (configured only: nothing goes to
#     /usr/local);
#   - `pip install --no-build-isolation .` into a venv of Debian's python3
#     made with --system-site-packages (setuptools and wheel from Debian);
#   - `heapan attach` on a process of the venv that never imported heapan.
# test-all.sh runs it; it ends with automake's "# PASS: N" and "# FAIL: N".
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
[ -x configure ] || ./autogen.sh >/dev/null
jobs=$(nproc 2>/dev/null || echo 2)
work=$(mktemp -d "${TMPDIR:-/tmp}/heapan-install.XXXXXX")
trap 'rm -rf "$work"' EXIT
passed=0 failed=0

# check NAME COMMAND...: runs it quietly; on failure shows the end of its output.
check() {
    check_name=$1
    shift
    if "$@" > "$work/out" 2>&1; then
        passed=$((passed + 1))
        echo "PASS: $check_name"
    else
        failed=$((failed + 1))
        echo "FAIL: $check_name"
        tail -n 25 "$work/out"
    fi
}

# imports VENV_PYTHON WHERE: imports heapan from a directory under WHERE, with
# its version, writes a dump, and has the installed heapan read it.
imports() {
    (cd "$work" && HEAPAN= "$1" - "$2" "$(sed -n 's/^AC_INIT(\[heapan\], \[\([^]]*\)\].*/\1/p' "$top/configure.ac")" <<'PY'
import importlib.metadata as metadata, os, sys
import heapan
where, version = sys.argv[1:]
assert os.path.realpath(heapan.__file__).startswith(os.path.realpath(where) + os.sep), heapan.__file__
assert metadata.version("heapan") == version, metadata.version("heapan")
heapan.dump("imported.zst")
print(heapan.__file__, metadata.version("heapan"))
PY
    ) && "$top/build/install-$label/src/heapan" check "$work/imported.zst"
}

# attaches LABEL: `heapan attach` finds the extension installed in the venv
# through the sys.path of a venv process that never imported heapan.
attaches() (
    label=$1 venv=$work/venv-$1
    cd "$work" || exit 1
    rm -f attached.zst
    "$venv/bin/python" -c "import time; time.sleep(20)" &
    pid=$!
    sleep 1
    "$top/build/install-$label/src/heapan" attach "$pid" -o "$work/attached.zst"
    status=$?
    kill "$pid" 2>/dev/null
    [ $status -eq 0 ] && "$top/build/install-$label/src/heapan" check "$work/attached.zst"
)

# make_install LABEL PYTHON: configure, build and install for a venv of PYTHON.
make_install() {
    label=$1 venv=$work/venv-$1
    "$2" -m venv "$venv" &&
        rm -rf "build/install-$label" && mkdir -p "build/install-$label" &&
        (cd "build/install-$label" &&
            "$top/configure" --with-python="$venv/bin/python" --prefix="$venv" > configure.out &&
            grep "Python package goes to" configure.out && grep -q "imports from it" configure.out &&
            make -s -j"$jobs" > /dev/null && make -s install > install.out &&
            ! grep -q PYTHONPATH install.out) &&
        imports "$venv/bin/python" "$venv"
}

# elsewhere LABEL: the same build under a prefix the venv does not import from.
elsewhere() (
    label=$1 venv=$work/venv-$1 prefix=$work/elsewhere-$1
    make -s -C "build/install-$label" install prefix="$prefix" > "$work/elsewhere.out" &&
        cat "$work/elsewhere.out" &&
        line=$(grep -m1 '^  export PYTHONPATH=' "$work/elsewhere.out") &&
        eval "$line" && imports "$venv/bin/python" "$prefix"
)

debian=/usr/bin/python3
default=$(command -v python3)
if [ -x "$debian" ] && [ -x /usr/bin/python3-config ]; then
    check "make install: Debian's python3 imports it" make_install debian "$debian"
    check "make install elsewhere: Debian's python3, through the PYTHONPATH it prints" elsewhere debian
    check "configure for Debian's python3 and /usr/local: its dist-packages" sh -c '
        mkdir -p build/install-usrlocal && cd build/install-usrlocal &&
        "$0/configure" -q --with-python=/usr/bin/python3 --prefix=/usr/local &&
        want=$(/usr/bin/python3 -c "import sys; print(\"/usr/local/lib/python%d.%d/dist-packages\" % sys.version_info[:2])") &&
        grep "^pythondir = \${prefix}/lib/python3\.[0-9]*/dist-packages$" Makefile &&
        /usr/bin/python3 -c "import sys; assert sys.argv[1] in sys.path, sys.path" "$want"' "$top"
    check "pip install --no-build-isolation . into a venv of Debian's python3" sh -c '
        work=$1 top=$2
        mkdir "$work/src" &&
            tar -C "$top" --exclude=./build --exclude=./.git -cf - . | tar -C "$work/src" -xf - &&
            /usr/bin/python3 -m venv --system-site-packages "$work/venv-pip" &&
            "$work/venv-pip/bin/pip" install -q --no-build-isolation --no-index "$work/src" &&
            cd "$work" && "$work/venv-pip/bin/python" -c "
import importlib.metadata as m, heapan
assert \"venv-pip\" in heapan.__file__, heapan.__file__
heapan.dump(\"pip.zst\"); print(heapan.__file__, m.version(\"heapan\"))" &&
            HEAPAN="$top/build/install-debian/src/heapan" "$work/venv-pip/bin/heapan" check pip.zst &&
            { HEAPAN= PATH=/usr/bin:/bin "$work/venv-pip/bin/heapan" info pip.zst 2> hint.txt; [ $? -eq 2 ]; } &&
            grep "make install" hint.txt' sh "$work" "$top"
else
    echo "SKIP: Debian's python3 with python3-config (python3-dev) is not here"
fi
check "make install: the default python3 ($default) imports it" make_install default "$default"
check "make install elsewhere: the default python3, through the PYTHONPATH it prints" elsewhere default
check "heapan attach: a process of the default python3's venv, through its sys.path" attaches default

echo "# PASS: $passed"
echo "# FAIL: $failed"
[ "$failed" -eq 0 ]
