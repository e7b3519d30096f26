"""A dump series: heapan.dump_every() and `python3 -m heapan run --dump-every`
take dumps at intervals and keep the first and the newest; `heapan trend`
shows what grew across them; `heapan leaks` and `heapan compare` take the
series itself.  The program here leaks into a dict cache at each step,
among 10^5 objects of the leak's class made and released each step.

Run by `make check` with PYTHONPATH set to the build tree and HEAPAN
naming the tool.
"""
import glob
import json
import os
import subprocess
import sys
import tempfile
import textwrap
import unittest

import heapan

HEAPAN = os.environ["HEAPAN"]
VALIDATE = os.path.join(os.environ["top_srcdir"], "tests", "tools", "validate_json.py")
SCHEMA = os.path.join(os.environ["top_srcdir"], "docs", "trend.schema.json")

PROGRAM = textwrap.dedent("""\
    import sys, heapan
    cache = {}
    class Session:
        def __init__(self, i):
            self.data = [i] * 50
    series = heapan.dump_every(3600, sys.argv[1], keep=int(sys.argv[2]), gc_collect=True)
    for step in range(6):
        churn = [Session(i) for i in range(100000)]
        del churn
        for i in range(step * 300, step * 300 + 300):
            cache[i] = Session(i)
        series.dump_now()
    series.stop()
    print("\\n".join(series.paths))
    """)


class SeriesTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        script = os.path.join(cls.tmp.name, "grow.py")
        with open(script, "w") as f:
            f.write(PROGRAM)
        pattern = os.path.join(cls.tmp.name, "app-%n.zst")
        out = subprocess.run([sys.executable, script, pattern, "4"], check=True,
                             capture_output=True, text=True)
        cls.paths = out.stdout.split()

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_keep_holds_the_first_and_the_newest(self):
        names = [os.path.basename(p) for p in self.paths]
        self.assertEqual(names, ["app-0001.zst", "app-0004.zst", "app-0005.zst", "app-0006.zst"])
        on_disk = sorted(os.path.basename(p) for p in glob.glob(os.path.join(self.tmp.name, "*.zst")))
        self.assertEqual(on_disk, names)

    def test_trend_puts_the_growing_cache_first(self):
        out = os.path.join(self.tmp.name, "trend.json")
        result = subprocess.run([HEAPAN, "trend", "-o", out, *self.paths], capture_output=True,
                                text=True)
        self.assertEqual(result.returncode, 0, result.stderr)
        check = subprocess.run([sys.executable, VALIDATE, SCHEMA, out], capture_output=True,
                               text=True)
        self.assertEqual(check.returncode, 0, check.stdout)
        with open(out) as f:
            doc = json.load(f)
        self.assertEqual(len(doc["dumps"]), 4)
        names = [row["name"] for row in doc["structures"]]
        self.assertIn("module __main__ . cache", names[:3], names)
        cache = doc["structures"][names.index("module __main__ . cache")]
        self.assertEqual(cache["retained"], sorted(cache["retained"]))  # it grew at every step
        self.assertIn("__main__.Session", [row["name"] for row in doc["types"]][:3])
        text = subprocess.run([HEAPAN, "trend", *self.paths], capture_output=True, text=True)
        self.assertIn("module __main__ . cache", text.stdout)

    def test_leaks_and_compare_take_the_series(self):
        out = os.path.join(self.tmp.name, "leaks.json")
        result = subprocess.run([HEAPAN, "leaks", "-o", out, *self.paths], capture_output=True,
                                text=True)
        self.assertEqual(result.returncode, 0, result.stderr)
        with open(out) as f:
            doc = json.load(f)
        # the first, a middle and the last dump of the series
        self.assertEqual([doc["baseline"], doc["target"], doc["final"]],
                         [self.paths[0], self.paths[2], self.paths[3]])
        self.assertEqual(doc["clusters"][0]["held_by"], "module __main__ . cache")
        compare = subprocess.run([HEAPAN, "compare", "--format", "json", *self.paths],
                                 capture_output=True, text=True)
        self.assertEqual(compare.returncode, 0, compare.stderr)
        self.assertEqual(json.loads(compare.stdout)["new"], self.paths[-1])

    def test_run_takes_a_series_at_intervals(self):
        script = os.path.join(self.tmp.name, "slow.py")
        with open(script, "w") as f:
            f.write("import time\nkeep = []\nfor i in range(30):\n    keep.append([i] * 1000)\n"
                    "    time.sleep(0.03)\n")
        pattern = os.path.join(self.tmp.name, "run-%n.zst")
        subprocess.run([sys.executable, "-m", "heapan", "run", "--dump-every", "0.2s",
                        "--dump-keep", "2", "--series-path", pattern, script], check=True)
        kept = sorted(glob.glob(os.path.join(self.tmp.name, "run-*.zst")))
        self.assertEqual(len(kept), 2, kept)
        self.assertTrue(kept[0].endswith("run-0001.zst"), kept)

    def test_bad_arguments(self):
        with self.assertRaises(ValueError):
            heapan.dump_every(0, "x-%n.zst")
        with self.assertRaises(ValueError):
            heapan.dump_every(1, "x-%n.zst", keep=1)
        run = subprocess.run([sys.executable, "-m", "heapan", "run", "--dump-every", "soon", "x.py"],
                             capture_output=True, text=True)
        self.assertEqual(run.returncode, 2)
        self.assertIn("not an interval", run.stderr)


if __name__ == "__main__":
    unittest.main()
