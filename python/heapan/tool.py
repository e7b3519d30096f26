"""Finding the heapan program, the command-line analyzer built with autotools,
from the Python package: for the `heapan` command that `pip install` makes,
and for whatever runs the analyzer from Python."""
import os
import sys

INSTALL_HINT = ("the heapan analyzer is a C program the Python package does not carry: "
                "build and install it from the source tree with "
                "./autogen.sh && ./configure && make && make install, "
                "or name it with HEAPAN=/path/to/heapan")


def is_tool(path):
    """Is `path` an executable file that is not a Python script (such as this
    package's own `heapan` command, which would call itself)?"""
    if not path or not os.path.isfile(path) or not os.access(path, os.X_OK):
        return False
    with open(path, "rb") as f:
        first = f.readline(200)
    return not (first.startswith(b"#!") and b"python" in first)


def candidates():
    """$HEAPAN; the build tree this package was built in (python/heapan beside
    src/heapan); the bin directory of the prefix it is installed under
    (PREFIX/lib/pythonX.Y/site-packages/heapan); then PATH."""
    here = os.path.dirname(os.path.abspath(__file__))
    yield os.environ.get("HEAPAN", "")
    yield os.path.join(here, "..", "..", "src", "heapan")
    yield os.path.join(here, "..", "..", "..", "..", "bin", "heapan")
    for directory in os.environ.get("PATH", os.defpath).split(os.pathsep):
        yield os.path.join(directory or ".", "heapan")


def find_tool():
    """The path of the heapan program, or None when none is found."""
    for path in candidates():
        if is_tool(path):
            return os.path.normpath(path)
    return None


def main():
    """The `heapan` command of a pip install: runs the analyzer with these arguments."""
    tool = find_tool()
    if tool is None:
        sys.stderr.write("heapan: %s\n" % INSTALL_HINT)
        return 2
    os.execv(tool, [tool] + sys.argv[1:])
    return 2  # not reached


if __name__ == "__main__":
    sys.exit(main())
