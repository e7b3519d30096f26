"""Every saving a Python dump estimates, checked against the saving measured when the
fix is applied (tests/python/savings/cases.py): tracemalloc's traced bytes at the
same point of the same program, with and without the fix, within 35%.  Savings off
the peak (generator, lazy_loading) are measured on tracemalloc's peak.  A saving
that needs growth (deque, bounded_cache) is reported against a baseline dump.

Run by `make check` with PYTHONPATH set to the build tree and HEAPAN set.
"""
import json
import os
import subprocess
import sys
import tempfile
import unittest

HEAPAN = os.environ["HEAPAN"]
HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "savings")
sys.path.insert(0, HERE)
from cases import CASES  # noqa: E402

TOLERANCE = 0.35
# a case whose name is not the suggestion kind it checks
KIND = {"slots_on_a_dict_subclass": "slots", "uncached": "bounded_cache"}


class Savings(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def run_case(self, *args):
        env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1",
                   PYTHONPATH=os.pathsep.join([os.environ.get("PYTHONPATH", ""), HERE]))
        return subprocess.run([sys.executable, os.path.join(HERE, "run_case.py")] + list(args),
                              check=True, env=env, capture_output=True, text=True,
                              cwd=self.tmp.name).stdout

    def estimate(self, name):
        dump = os.path.join(self.tmp.name, name + ".zst")
        baseline = os.path.join(self.tmp.name, name + ".early.zst")
        grows = CASES[name][2]
        self.run_case(name, "dump", dump, *([baseline] if grows else []))
        out = dump + ".json"
        result = subprocess.run([HEAPAN, "report", "--progress", "never", "-o", out, dump] +
                                (["--baseline", baseline] if grows else []),
                                capture_output=True, text=True)
        self.assertIn(result.returncode, (0, 1), result.stderr)
        with open(out, encoding="utf-8") as f:
            doc = json.load(f)
        kind = KIND.get(name, name)
        found = [s for s in doc["suggestions"] if s["kind"] == kind]
        self.assertTrue(found, "no %s suggestion: %s" % (kind, [s["kind"] for s in doc["suggestions"]]))
        return found[0]["estimated_savings"]

    def measure(self, name):
        peak = CASES[name][1]
        before = json.loads(self.run_case(name, "measure", "original"))
        after = json.loads(self.run_case(name, "measure", "fixed"))
        key = "peak" if peak else "current"
        return before[key] - after[key]

    def check(self, name):
        estimated, measured = self.estimate(name), self.measure(name)
        self.assertGreater(measured, 0, "the fix saves nothing measurable")
        error = abs(estimated - measured) / measured
        print("%-26s estimated %9d, measured %9d: %+.0f%%" %
              (name, estimated, measured, 100 * (estimated - measured) / measured),
              file=sys.stderr)
        self.assertLessEqual(error, TOLERANCE,
                             "%s: estimated %d, measured %d" % (name, estimated, measured))


def add_case(name):
    def test(self):
        self.check(name)
    test.__name__ = "test_" + name
    test.__doc__ = "the %s estimate is within 35%% of the saving measured" % name
    setattr(Savings, test.__name__, test)


for case in CASES:
    add_case(case)


if __name__ == "__main__":
    unittest.main()
