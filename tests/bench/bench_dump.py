"""Times heapan.dump() against a pure-Python walk of the same heap, and the
pause of a background dump against a foreground one.

    PYTHONPATH=<builddir>/python python3 tests/bench/bench_dump.py [N] [--steps S,...]

Builds a heap of about N objects (default 1 000 000: instances with a
dict of attributes, strings, floats, lists), then measures, each in a
fresh child process so peak memory is its own:
  - heapan.dump() to a temporary file;
  - heapan.dump(background=True): the pause is the time the calling thread
    is stopped (until dump() returns), the total the time until wait()
    returns; "peak RSS added" is the forked child's peak private memory
    (its tables, and the pages it copied on write), sampled from
    /proc/CHILD/smaps_rollup every 5 ms;
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
if sys.argv[1] in ("dump", "background"):
    import heapan, threading  # not timed
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start = time.perf_counter()
pause = None
if sys.argv[1] == "dump":
    counts = heapan.dump(sys.argv[3], values=True)
    objects = counts["objects"]
elif sys.argv[1] == "background":
    handle = heapan.dump(sys.argv[3], values=True, background=True)
    pause = time.perf_counter() - start
    peak = [0]
    def private_bytes(pid):
        total = 0
        with open("/proc/%d/smaps_rollup" % pid) as f:
            for line in f:
                if line.startswith(("Private_Clean:", "Private_Dirty:")):
                    total += int(line.split()[1]) * 1024
        return total
    def sample():
        while not handle.done:
            try:
                peak[0] = max(peak[0], private_bytes(handle.pid))
            except OSError:
                break
            time.sleep(0.005)
    sampler = threading.Thread(target=sample)
    sampler.start()
    objects = handle.wait()["objects"]
    sampler.join()
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
added = peak[0] if sys.argv[1] == "background" else (after - before) * 1024
with open("/proc/self/statm") as f:
    rss = int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
print(objects, elapsed, added, elapsed if pause is None else pause, rss)
'''


def run(step, n, path):
    out = subprocess.run([sys.executable, "-c", CHILD, step, str(n), path], check=True,
                         capture_output=True, text=True).stdout.split()
    return int(out[0]), float(out[1]), int(out[2]), float(out[3]), int(out[4])


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
    args = [a for a in sys.argv[1:] if not a.startswith("--steps")]
    steps = next((a.split("=", 1)[1] for a in sys.argv[1:] if a.startswith("--steps=")),
                 "dump,background,walk,bare").split(",")
    n = int(args[0]) if args else 1_000_000
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "bench.zst")
        names = {"dump": "heapan.dump()", "background": "heapan.dump(background=True)",
                 "walk": "pure-Python walk", "bare": "bare C walk (writes nothing)"}
        for step in steps:
            target = path
            if step == "bare":
                target = build_bare_walk(tmp)
                if not target:
                    continue
            rows.append((step, names[step]) + run(step, n, target))
    print("%-30s %10s %10s %10s %14s %10s" % ("step", "objects", "seconds", "pause s",
                                              "peak RSS added", "heap RSS"))
    for _, name, objects, seconds, rss, pause, heap in rows:
        print("%-30s %10d %10.3f %10.4f %11.1f MB %7.0f MB" % (name, objects, seconds, pause,
                                                            rss / 1e6, heap / 1e6))
    by = {row[0]: row for row in rows}
    if "dump" in by:
        _, _, d_objects, d_time, d_rss, _, _ = by["dump"]
        print("dumper memory %.0f bytes/object" % (d_rss / d_objects))
        if "walk" in by:
            print("dump is %.1fx faster than the Python walk" % (by["walk"][3] / d_time))
        if "background" in by:
            b = by["background"]
            print("background pause %.1f ms = 1/%.0f of the foreground dump; its child's "
                  "own memory %.0f bytes/object" % (b[5] * 1000, d_time / b[5], b[4] / b[2]))
    if "walk" in by and "bare" in by:
        print("the bare walk is %.1fx faster than the Python walk" % (by["walk"][3] / by["bare"][3]))


if __name__ == "__main__":
    main()
