"""Times heapan.dump() against a pure-Python walk of the same heap.

    PYTHONPATH=<builddir>/lib/python python3 tests/bench/bench_dump.py [N]

Builds a heap of about N objects (default 1 000 000: instances with a
dict of attributes, strings, floats, lists), then measures, each in a
fresh child process so peak memory is its own:
  - heapan.dump() to a temporary file;
  - the pure-Python walk: gc.get_objects() + gc.get_referents() +
    sys.getsizeof(), the way a Python tool would do it.
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


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "bench.zst")
        d_objects, d_time, d_rss = run("dump", n, path)
        size = os.path.getsize(path)
        w_objects, w_time, w_rss = run("walk", n, path)
    print("%-28s %10s %10s %14s" % ("step", "objects", "seconds", "peak RSS added"))
    print("%-28s %10d %10.3f %11.1f MB" % ("heapan.dump()", d_objects, d_time, d_rss / 1e6))
    print("%-28s %10d %10.3f %11.1f MB" % ("pure-Python walk", w_objects, w_time, w_rss / 1e6))
    print("dump file: %.1f MB; dump is %.1fx faster; dumper memory %.0f bytes/object"
          % (size / 1e6, w_time / d_time, d_rss / d_objects))


if __name__ == "__main__":
    main()
