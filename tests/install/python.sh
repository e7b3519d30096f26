#!/bin/sh
# python.sh PYTHON DIR VERSION HEAPAN: the package installed in DIR imports
# with PYTHON (from DIR itself, through PYTHONPATH when PYTHON does not import
# from there), carries its metadata (importlib.metadata.version), writes a
# dump the installed HEAPAN reads, and finds that HEAPAN beside itself.
set -eu
python=$1 dir=$2 version=$3 heapan=$4
work=$(mktemp -d "${TMPDIR:-/tmp}/heapan-python.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"  # not the source tree: its python/heapan would shadow the installed one
PYTHONPATH="$dir" HEAPAN= "$python" - "$dir" "$version" "$heapan" <<'PY'
import importlib.metadata as metadata, os, sys
import heapan, heapan.tool
where, version, tool = sys.argv[1:]
assert os.path.realpath(os.path.dirname(os.path.dirname(heapan.__file__))) == os.path.realpath(where), heapan.__file__
assert metadata.version("heapan") == version, metadata.version("heapan")
scripts = [e.value for e in metadata.distribution("heapan").entry_points if e.group == "console_scripts"]
assert scripts == ["heapan.tool:main"], scripts
heapan.dump("installed.zst")
found = heapan.tool.find_tool()
assert found and os.path.realpath(found) == os.path.realpath(tool), (found, tool)
PY
"$heapan" check installed.zst
echo "installed Python package: imports with $python, version $version, dumps, finds $heapan"
