"""Times heapan.dump() against a pure-Python walk of the same heap.

    PYTHONPATH=<builddir>/python python3 tests/bench/bench_dump.py [N]

Builds a heap of about N objects (default 1 000 000: instances with a
dict of attributes, strings, floats, lists), then measures, each in a
fresh child process so peak memory is its own:
  - heapan.dump() to a temporary file;
  - the pure-Python walk: gc.get_objects() + gc.get_referents() +
    sys.getsizeof(), the way a Python tool would do it;
  - the bare C walk (tests/bench/bare_walk.c, built here with the C
    compiler and python3-config): every object and reference found once
    and nothing else, the floor under any complete dump.  Skipped when it
    cannot be built.
Prints wall time and the peak RSS the step added (ru_maxrss after the
heap was built versus after the step).
"""
import os
import resource
import subprocess
import sys
import tempfile

CHILD = r'''
import gc, os, resource, sys, time
n = int(sys.argv[2])

class Record:
    def __init__(self, i):
        self.id = i
        self.name = "record-%d" % i
        self.values = [float(i), float(i) / 3]

# About 5 objects per record: the instance, its name, a list, two floats.
heap = [Record(i) for i in range(n // 5)]
gc.collect()
gc.disable()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start = time.perf_counter()
if sys.argv[1] == "dump":
    import heapan
    counts = heapan.dump(sys.argv[3], values=True)
    objects = counts["objects"]
elif sys.argv[1] == "bare":
    sys.path.insert(0, os.path.dirname(sys.argv[3]))
    import bare_walk
    objects = bare_walk.walk()[0]
else:
    def walk():  # a function, so its bookkeeping is not among the globals it walks
        seen = {}
        stack = gc.get_objects()
        while stack:
            o = stack.pop()
            if id(o) not in seen:
                seen[id(o)] = sys.getsizeof(o)
                stack.extend(gc.get_referents(o))
        return len(seen)
    objects = walk()
elapsed = time.perf_counter() - start
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(objects, elapsed, (after - before) * 1024)
'''


def run(step, n, path):
    out = subprocess.run([sys.executable, "-c", CHILD, step, str(n), path], check=True,
                         capture_output=True, text=True).stdout.split()
    return int(out[0]), float(out[1]), int(out[2])


def build_bare_walk(tmp):
    """The bare_walk module's path in tmp, or None when it does not build."""
    here = os.path.dirname(os.path.abspath(__file__))
    src = os.path.join(here, "..", "..", "src")
    suffix = subprocess.run(["python3-config", "--extension-suffix"], capture_output=True,
                            text=True).stdout.strip()
    includes = subprocess.run(["python3-config", "--includes"], capture_output=True,
                              text=True).stdout.split()
    module = os.path.join(tmp, "bare_walk" + (suffix or ".so"))
    cc = os.environ.get("CC", "cc")
    built = subprocess.run([cc, "-O2", "-shared", "-fPIC", *includes, "-I" + src,
                            os.path.join(here, "bare_walk.c"), os.path.join(src, "addrmap.c"),
                            "-o", module], capture_output=True, text=True)
    if built.returncode != 0:
        print("bare C walk skipped: %s" % built.stderr.strip().splitlines()[-1:], file=sys.stderr)
        return None
    return module


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "bench.zst")
        rows.append(("heapan.dump()",) + run("dump", n, path))
        size = os.path.getsize(path)
        rows.append(("pure-Python walk",) + run("walk", n, path))
        module = build_bare_walk(tmp)
        if module:
            rows.append(("bare C walk (writes nothing)",) + run("bare", n, module))
    print("%-28s %10s %10s %14s" % ("step", "objects", "seconds", "peak RSS added"))
    for name, objects, seconds, rss in rows:
        print("%-28s %10d %10.3f %11.1f MB" % (name, objects, seconds, rss / 1e6))
    (_, d_objects, d_time, d_rss), (_, _, w_time, _) = rows[:2]
    print("dump file: %.1f MB; dump is %.1fx faster; dumper memory %.0f bytes/object"
          % (size / 1e6, w_time / d_time, d_rss / d_objects))
    if len(rows) > 2:
        print("the bare walk is %.1fx faster than the Python walk" % (w_time / rows[2][2]))


if __name__ == "__main__":
    main()
