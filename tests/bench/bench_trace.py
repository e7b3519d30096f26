"""What tracing costs: a CPU-bound and an allocation-heavy workload, run
untraced, under tracemalloc, under heapan's exact trace and under heapan's
sampled trace (512 KiB), all with 16 frames, side by side.

    python3 tests/bench/bench_trace.py BUILDDIR [--runs N]

Each configuration runs in a fresh process, `runs` times, interleaved; the
table shows the median wall time of the traced part, its slowdown against
the untraced run, and the peak RSS.  Results go in docs/performance.md.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

CHILD = r'''
import json, os, resource, sys, time

def cpu_bound():
    # fannkuch(9): permutations of small ints, which CPython caches.
    n = 9
    perm1 = list(range(n))
    count = [0] * n
    max_flips = checksum = 0
    r = n
    permutations = 0
    while True:
        while r != 1:
            count[r - 1] = r
            r -= 1
        perm = perm1[:]
        flips = 0
        k = perm[0]
        while k:
            perm[:k + 1] = perm[k::-1]
            flips += 1
            k = perm[0]
        max_flips = max(max_flips, flips)
        checksum += flips if permutations % 2 == 0 else -flips
        while True:
            if r == n:
                return max_flips, checksum
            perm0 = perm1[0]
            perm1[:r] = perm1[1:r + 1]
            perm1[r] = perm0
            count[r] -= 1
            if count[r] > 0:
                break
            r += 1
        permutations += 1

def allocation_heavy():
    # Records built, kept a while, and dropped: dicts, strings, lists, tuples.
    window = []
    total = 0
    for i in range(300000):
        record = {"id": i, "name": "user-%d" % i, "tags": [str(i % 7), str(i % 11)],
                  "point": (i * 0.5, i * 0.25)}
        window.append(record)
        if len(window) > 5000:
            total += len(window.pop(0)["name"])
    return total

work = {"cpu": cpu_bound, "alloc": allocation_heavy}[sys.argv[1]]
mode, path = sys.argv[2], sys.argv[3]
if mode == "tracemalloc":
    import tracemalloc
    tracemalloc.start(16)
elif mode != "none":
    import heapan
    heapan.start_trace(path, frames=16, sample_bytes=int(mode))
start = time.perf_counter()
work()
seconds = time.perf_counter() - start
if mode == "tracemalloc":
    tracemalloc.stop()
elif mode != "none":
    heapan.stop_trace()
size = os.path.getsize(path) if os.path.exists(path) else 0
print(json.dumps({"seconds": seconds, "peak_rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
                  "file": size}))
'''

MODES = [("untraced", "none"), ("tracemalloc, 16 frames", "tracemalloc"),
         ("heapan exact, 16 frames", "0"), ("heapan sampled 512 KiB", str(512 * 1024))]


def run_once(builddir, workload, mode, path):
    env = dict(os.environ, PYTHONPATH=os.path.join(builddir, "lib", "python"))
    out = subprocess.run([sys.executable, "-c", CHILD, workload, mode, path], env=env,
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("builddir")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    builddir = os.path.abspath(args.builddir)
    with tempfile.TemporaryDirectory() as tmp:
        print("| workload | configuration | median s | slowdown | peak RSS MiB | trace file MiB |")
        print("|---|---|---|---|---|---|")
        for workload in ("cpu", "alloc"):
            results = {mode: [] for _, mode in MODES}
            for _ in range(args.runs):  # interleaved: drift hits every mode alike
                for _, mode in MODES:
                    path = os.path.join(tmp, "trace.zst")
                    results[mode].append(run_once(builddir, workload, mode, path))
            base = statistics.median(r["seconds"] for r in results["none"])
            for label, mode in MODES:
                seconds = statistics.median(r["seconds"] for r in results[mode])
                rss = max(r["peak_rss"] for r in results[mode]) / (1 << 20)
                size = results[mode][-1]["file"] / (1 << 20)
                print("| %s | %s | %.3f | %.2fx | %.0f | %s |" % (
                    "CPU-bound (fannkuch 9)" if workload == "cpu" else "allocation-heavy (300k records)",
                    label, seconds, seconds / base, rss, "%.1f" % size if mode not in ("none", "tracemalloc") else "-"))
            sys.stdout.flush()


if __name__ == "__main__":
    main()
