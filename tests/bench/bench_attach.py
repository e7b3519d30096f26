"""How long `heapan attach` stops a running program: a busy loop measures the
longest gap between two of its iterations, without an attach (the floor:
the machine's own jitter), with `heapan attach` (a background dump: the
ptrace calls, the wait for the GIL and the fork) and with `--foreground`
(the whole walk).  The modes run in turn, `--runs` times each.

    PYTHONPATH=BUILDDIR/python python3 tests/bench/bench_attach.py HEAPAN [--objects N] [--runs N]

HEAPAN is the heapan program of the same build.  Results go in
docs/performance.md.
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile

TARGET = r'''
import sys, time
class Planted:
    pass
keep = [Planted() for _ in range(int(sys.argv[1]))]
print("ready", flush=True)
worst, last = 0.0, time.perf_counter()
end = last + float(sys.argv[2])
while last < end:
    now = time.perf_counter()
    worst = max(worst, now - last)
    last = now
print(worst)
'''


def one_run(heapan, objects, mode, directory):
    target = subprocess.Popen([sys.executable, "-c", TARGET, str(objects), "4"],
                              stdout=subprocess.PIPE, text=True)
    target.stdout.readline()
    if mode != "no attach":
        extra = ["--foreground"] if mode == "attach --foreground" else []
        subprocess.run([heapan, "attach", str(target.pid), "-o",
                        os.path.join(directory, "bench.zst")] + extra,
                       check=True, stdout=subprocess.DEVNULL)
    out, _ = target.communicate()
    return float(out) * 1000


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("heapan")
    parser.add_argument("--objects", type=int, nargs="+", default=[40000, 1200000])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    modes = ["no attach", "attach", "attach --foreground"]
    print("%-10s %-22s %s" % ("instances", "mode", "longest stop, ms: median (min-max)"))
    with tempfile.TemporaryDirectory() as directory:
        for objects in args.objects:
            gaps = {mode: [] for mode in modes}
            for _ in range(args.runs):
                for mode in modes:
                    gaps[mode].append(one_run(args.heapan, objects, mode, directory))
            for mode in modes:
                g = gaps[mode]
                print("%-10d %-22s %8.2f (%.2f-%.2f)" % (objects, mode, statistics.median(g),
                                                       min(g), max(g)))


if __name__ == "__main__":
    main()
