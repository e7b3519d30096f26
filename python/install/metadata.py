"""The Python package's metadata, in one place: setup.py (pip install .) and
dist_info.py (the build tree and make install) both read it."""
import os
import re

NAME = "heapan"
SUMMARY = "Heap dumps and allocation traces of a live CPython process, for the heapan analyzer"
REQUIRES_PYTHON = ">=3.8"
# "[group]" sections of name = module:function lines, as entry_points.txt spells them.
ENTRY_POINTS = {
    "console_scripts": ["heapan = heapan.tool:main"],
    # pytest loads the plugin from any installed distribution; it does nothing without --heapan.
    # Named as its module, so that -p heapan.pytest_plugin finds it registered already.
    "pytest11": ["heapan.pytest_plugin = heapan.pytest_plugin"],
}


def version(top):
    """The version configure.ac gives AC_INIT, under the source tree `top`."""
    with open(os.path.join(top, "configure.ac"), encoding="utf-8") as f:
        match = re.search(r"AC_INIT\(\[heapan\],\s*\[([^\]]+)\]", f.read())
    if not match:
        raise SystemExit("configure.ac: no AC_INIT([heapan], [VERSION])")
    return match.group(1)


def metadata_text(version_text):
    """The METADATA file of a dist-info directory (core metadata 2.1)."""
    return ("Metadata-Version: 2.1\nName: %s\nVersion: %s\nSummary: %s\n"
            "Requires-Python: %s\n" % (NAME, version_text, SUMMARY, REQUIRES_PYTHON))


def entry_points_text():
    return "".join("[%s]\n%s\n\n" % (group, "\n".join(lines))
                   for group, lines in ENTRY_POINTS.items())
