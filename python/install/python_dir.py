"""python_dir.py PREFIX: where under PREFIX this interpreter imports packages
from, as a path relative to PREFIX ("lib/python3/dist-packages").  Exits 0
when it imports from there, and 1, printing the directory automake would
use (lib/pythonX.Y/site-packages), when it imports nothing under PREFIX.

python_dir.py --check DIR: says nothing when the interpreter imports from
DIR; else prints how to make it do so (make install runs it).

It asks the interpreter itself, as configure must: site.getsitepackages()
and sys.path.  sysconfig alone is wrong on Debian, whose python3 reads
dist-packages and whose default scheme doubles local/ for /usr/local."""
import os
import site
import sys


def imported_dirs():
    dirs = []
    try:
        dirs += site.getsitepackages()
    except AttributeError:  # the site.py of an old virtualenv
        pass
    if site.ENABLE_USER_SITE:
        dirs.append(site.getusersitepackages())
    return dirs + [p for p in sys.path if p]


def main(prefix):
    real_prefix = os.path.realpath(prefix)
    for d in imported_dirs():
        rel = os.path.relpath(os.path.realpath(d), real_prefix)
        # lib/... under the prefix itself: /usr/local/lib is not /usr's
        if rel.split(os.sep)[0] in ("lib", "lib64") and \
                os.path.basename(rel) in ("site-packages", "dist-packages"):
            print(rel)
            return 0
    print(os.path.join("lib", "python%d.%d" % sys.version_info[:2], "site-packages"))
    return 1


def check(directory):
    real = os.path.realpath(directory)
    if any(os.path.realpath(d) == real for d in imported_dirs()):
        return 0
    sites = [d for d in imported_dirs() if os.path.basename(d) in ("site-packages", "dist-packages")]
    print("heapan: the Python package is in %s, which %s does not import from; "
          "make it importable with" % (directory, sys.executable))
    print("  export PYTHONPATH=%s" % directory)
    if sites:
        print("or for good, with a .pth file in a directory it imports from:")
        print("  echo %s > %s" % (directory, os.path.join(sites[0], "heapan-prefix.pth")))
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--check":
        sys.exit(check(sys.argv[2]))
    if len(sys.argv) != 2:
        raise SystemExit(__doc__.split("\n")[0])
    sys.exit(main(sys.argv[1]))
