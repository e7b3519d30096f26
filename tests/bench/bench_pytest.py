"""What pytest --heapan costs: a suite of 200 small tests (JSON, regular
expressions, classes, dicts, sorting; none leaks), run with and without
the plugin, in turn, side by side.

    python3 tests/bench/bench_pytest.py BUILDDIR [--runs N] [--python PYTHON] [--tests N]

PYTHON (default /usr/bin/python3) must have pytest; BUILDDIR is a build of
heapan for it (scripts/test-pytest.sh makes build/debian).  The table
shows the median wall time of the whole pytest run, the cost per test,
the ratio against the run without the plugin, and the peak RSS.
Results go in docs/performance.md.
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

TEST = '''
def test_{n}():
    doc = json.loads(json.dumps({{"id": {n}, "items": [{{"k": i, "v": str(i)}} for i in range({size})]}}))
    assert len(doc["items"]) == {size}
    words = re.findall(r"[a-z]+", " ".join(item["v"] + "x" for item in doc["items"]))
    points = sorted((Point(i, -i) for i in range({size})), key=lambda p: p.y)
    assert points[0].x == {size} - 1 and len(words) == {size}
    counts = collections.Counter(w[:1] for w in words)
    assert sum(counts.values()) == {size}
'''

HEADER = '''
import collections, json, re

class Point:
    def __init__(self, x, y):
        self.x, self.y = x, y
'''


def write_suite(directory, count):
    files = 10
    for f in range(files):
        with open(os.path.join(directory, "test_suite_%02d.py" % f), "w") as out:
            out.write(HEADER)
            for n in range(f, count, files):
                out.write(TEST.format(n=n, size=20 + n % 80))


def run_once(python, directory, env, extra):
    """Wall seconds and peak RSS (KiB) of one pytest run, which must pass."""
    start = time.perf_counter()
    child = subprocess.Popen([python, "-m", "pytest", "-q", "-p", "no:cacheprovider"] + extra,
                             cwd=directory, env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT)
    output = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    child.stdout.close()
    if status != 0:
        sys.exit("bench_pytest: pytest %s failed:\n%s" % (" ".join(extra), output.decode()[-3000:]))
    return seconds, usage.ru_maxrss


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("builddir")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--python", default="/usr/bin/python3")
    parser.add_argument("--tests", type=int, default=200)
    args = parser.parse_args()
    build = os.path.abspath(args.builddir)
    env = dict(os.environ, PYTHONPATH=os.path.join(build, "python"),
               HEAPAN=os.path.join(build, "src", "heapan"))
    modes = [("without the plugin", []), ("pytest --heapan", ["--heapan"]),
             ("--heapan --heapan-repeat 2", ["--heapan", "--heapan-repeat", "2"])]
    results = {name: [] for name, _ in modes}
    with tempfile.TemporaryDirectory() as directory:
        write_suite(directory, args.tests)
        for _ in range(args.runs):  # in turn, so that a noisy moment hits every mode
            for name, extra in modes:
                results[name].append(run_once(args.python, directory, env, extra))
    base = statistics.median(s for s, _ in results[modes[0][0]])
    print("%d tests, %d runs each, median wall time (%s)" % (args.tests, args.runs, args.python))
    print("%-28s %9s %12s %7s %10s" % ("mode", "wall", "per test", "ratio", "peak RSS"))
    for name, _ in modes:
        wall = statistics.median(s for s, _ in results[name])
        rss = max(r for _, r in results[name])
        print("%-28s %8.2fs %9.1f ms %6.1fx %7.0f MiB" % (
            name, wall, 1000 * (wall - base) / args.tests, wall / base, rss / 1024))


if __name__ == "__main__":
    main()
