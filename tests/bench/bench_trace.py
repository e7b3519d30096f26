"""What tracing costs, against the untraced run and against the floor.

    python3 tests/bench/bench_trace.py BUILDDIR [--runs N] [--workloads cpu,alloc,churn]

Three workloads: CPU-bound (fannkuch 9), allocation-heavy (300k records)
and churn (a tight loop of short-lived strings, tuples and lists).  The
modes: untraced; the floor, a PyMem_SetAllocator hook that only counts
(tests/bench/counting_hook.c, built here with the interpreter's flags);
heapan exact; heapan sampled at 512 KiB, with the RSS sampler every 10 ms
(the default) and every 1 s; tracemalloc.  All keep 16 frames.

A sampled run varies by several percent from run to run, so nothing is
decided from one: each round runs every mode once in a fresh process,
taking turns with the untraced run, `runs` rounds (11 by default).  Each
mode's ratio is taken against the untraced run of its own round, of wall
time and of the main thread's CPU time (which the machine's other load
disturbs less; the trace's own threads, zstd's worker and the RSS
sampler, run beside it); the table prints the median and the minimum of
those ratios, against the untraced run and against the floor, and the
spread of the CPU ratio (largest less smallest).  Results go in docs/performance.md.
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

def churn():
    # Short-lived objects, one or two allocations each, as fast as CPython makes them.
    total = 0
    for i in range(1500000):
        s = str(i)
        pair = (s, i)
        items = [s, pair]
        total += len(items)
    return total

work = {"cpu": cpu_bound, "alloc": allocation_heavy, "churn": churn}[sys.argv[1]]
mode, path, hook_dir = sys.argv[2], sys.argv[3], sys.argv[4]
calls = 0
if mode == "tracemalloc":
    import tracemalloc
    tracemalloc.start(16)
elif mode == "floor":
    sys.path.insert(0, hook_dir)
    import counting_hook
    counting_hook.start()
elif mode != "none":
    import heapan
    sample, interval = mode.split("/")
    heapan.start_trace(path, frames=16, sample_bytes=int(sample), interval=float(interval))
start, cpu_start = time.perf_counter(), time.thread_time()
work()
seconds, cpu = time.perf_counter() - start, time.thread_time() - cpu_start
if mode == "tracemalloc":
    tracemalloc.stop()
elif mode == "floor":
    calls = counting_hook.stop()
elif mode != "none":
    heapan.stop_trace()
size = os.path.getsize(path) if os.path.exists(path) else 0
print(json.dumps({"seconds": seconds, "cpu": cpu, "peak_rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
                  "file": size, "calls": calls}))
'''

MODES = [("untraced", "none"), ("floor: a hook that only counts", "floor"),
         ("heapan exact", "0/0.01"), ("heapan sampled 512 KiB", "%d/0.01" % (512 << 10)),
         ("heapan sampled 512 KiB, RSS every 1 s", "%d/1" % (512 << 10)),
         ("tracemalloc", "tracemalloc")]
NAMES = {"cpu": "CPU-bound (fannkuch 9)", "alloc": "allocation-heavy (300k records)",
         "churn": "churn (1.5M short-lived objects)"}


def build_hook(tmp):
    """The counting hook as an extension of this interpreter, in tmp."""
    import sysconfig
    source = os.path.join(os.path.dirname(os.path.abspath(__file__)), "counting_hook.c")
    target = os.path.join(tmp, "counting_hook" + sysconfig.get_config_var("EXT_SUFFIX"))
    cc = (sysconfig.get_config_var("CC") or "cc").split()
    subprocess.run(cc + ["-shared", "-fPIC", "-O2", "-I", sysconfig.get_paths()["include"],
                         source, "-o", target], check=True)
    return tmp


def run_once(builddir, workload, mode, path, hook_dir):
    env = dict(os.environ, PYTHONPATH=os.path.join(builddir, "python"))
    if os.path.exists(path):
        os.unlink(path)
    out = subprocess.run([sys.executable, "-c", CHILD, workload, mode, path, hook_dir], env=env,
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("builddir")
    parser.add_argument("--runs", type=int, default=11)
    parser.add_argument("--workloads", default="cpu,alloc,churn")
    parser.add_argument("--no-tracemalloc", action="store_true",
                        help="leave tracemalloc out (it takes 40x on churn)")
    args = parser.parse_args()
    modes = [m for m in MODES if not (args.no_tracemalloc and m[1] == "tracemalloc")]
    builddir = os.path.abspath(args.builddir)
    with tempfile.TemporaryDirectory() as tmp:
        hook_dir = build_hook(tmp)
        path = os.path.join(tmp, "trace.zst")
        print("| workload | mode | median s | x untraced (wall): median | min | x untraced (CPU): "
              "median | min | spread | x floor (CPU): median | min | peak RSS MiB | trace MiB |")
        print("|---|---|---|---|---|---|---|---|---|---|---|---|")
        for workload in args.workloads.split(","):
            runs = {mode: [] for _, mode in modes}
            for _ in range(args.runs):  # a round: each mode, taking turns with untraced
                for _, mode in modes:
                    runs[mode].append(run_once(builddir, workload, mode, path, hook_dir))

            def ratios(mode, against, key):
                return [r[key] / b[key] for r, b in zip(runs[mode], runs[against])]

            for label, mode in modes:
                wall, cpu = ratios(mode, "none", "seconds"), ratios(mode, "none", "cpu")
                floor = ratios(mode, "floor", "cpu")
                size = runs[mode][-1]["file"] / (1 << 20)
                print("| %s | %s | %.3f | %.3fx | %.3fx | %.3fx | %.3fx | %.3f | %.3fx | %.3fx "
                      "| %.0f | %s |" % (
                          NAMES[workload], label,
                          statistics.median(r["seconds"] for r in runs[mode]),
                          statistics.median(wall), min(wall), statistics.median(cpu), min(cpu),
                          max(cpu) - min(cpu), statistics.median(floor), min(floor),
                          max(r["peak_rss"] for r in runs[mode]) / (1 << 20),
                          "%.1f" % size if mode not in ("none", "floor", "tracemalloc") else "-"))
            base = [r["seconds"] for r in runs["none"]]
            rate = statistics.median(r["calls"] / s for r, s in zip(runs["floor"], base))
            print("| %s | (allocator calls per second, untraced: %.1f million) | | | | | | | | | | |"
                  % (NAMES[workload], rate / 1e6))
            sys.stdout.flush()


if __name__ == "__main__":
    main()
