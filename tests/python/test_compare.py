"""heapan compare on real dumps: a program dumped before and after a planted
growth (its cache, its listener list, and a new class of objects), and an
unchanged program dumped by two separate runs.

Run by `make check` with PYTHONPATH set to the build tree, and HEAPAN and
top_srcdir set.
"""
import json
import os
import subprocess
import sys
import tempfile
import unittest

HEAPAN = os.environ["HEAPAN"]
SAMPLES = os.path.join(os.environ["top_srcdir"], "samples")
ENV = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")


def compare(*args):
    return subprocess.run([HEAPAN, "compare", *args], capture_output=True, text=True)


class CompareTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.before = os.path.join(cls.tmp.name, "before.zst")
        cls.after = os.path.join(cls.tmp.name, "after.zst")
        subprocess.run([sys.executable, "-S", os.path.join(SAMPLES, "growth.py"), cls.before,
                        cls.after], check=True, env=ENV)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def json_of(self, *args):
        out = os.path.join(self.tmp.name, "compare.json")
        result = compare(*args, "-o", out)
        with open(out, encoding="utf-8") as f:
            return result, json.load(f)

    def candidates_of(self, dump):
        out = os.path.join(self.tmp.name, "report.json")
        subprocess.run([HEAPAN, "report", dump, "-o", out], check=True, capture_output=True)
        with open(out, encoding="utf-8") as f:
            return [leak["path_text"] for leak in json.load(f)["leak_candidates"]]

    def test_planted_growth_is_found_with_its_structure_and_numbers(self):
        result, doc = self.json_of(self.before, self.after)
        self.assertEqual(result.returncode, 0, result.stderr)  # no limit given
        self.assertEqual(doc["schema"], "heapan.compare/1")
        rows = {row["name"]: row for row in doc["structures"]}
        cache = rows["module __main__ . _CACHE"]
        self.assertEqual((cache["baseline"]["count"], cache["new"]["count"]), (200, 3000))
        self.assertGreater(cache["new"]["retained_size"], 10 * cache["baseline"]["retained_size"])
        listeners = rows["module __main__ . BUS . listeners"]
        self.assertEqual((listeners["baseline"]["count"], listeners["new"]["count"]), (200, 3000))
        self.assertEqual(rows["module __main__ . AUDIT"]["status"], "new")
        types = {row["name"]: row for row in doc["types"]}
        self.assertEqual(types["__main__.AuditRecord"]["status"], "new")
        self.assertEqual(types["__main__.AuditRecord"]["new"]["count"], 2800)
        self.assertEqual(types["__main__.Handler"]["new"]["count"], 3000)
        new_paths = [leak["path_text"] for leak in doc["new_leak_candidates"]]
        self.assertIn("module __main__ . AUDIT", new_paths)
        # Before 3.11 each instance has its own dict: the 200 cached ones already make
        # _CACHE a candidate of the baseline, so it is not a new one.
        if "module __main__ . _CACHE" not in new_paths:
            self.assertIn("module __main__ . _CACHE", self.candidates_of(self.before))

    def test_the_gate_exits_1_naming_each_crossed_limit(self):
        result = compare(self.before, self.after, "--fail-on-growth", "10%",
                         "--fail-on-growth", "path:module __main__ . _CACHE=+50%",
                         "--fail-on-growth", "type:AuditRecord=+1K",
                         "--fail-on-growth", "type:__main__.Response=+100MB")
        self.assertEqual(result.returncode, 1, result.stderr)
        crossed = [line for line in result.stdout.splitlines() if line.startswith("- CROSSED")]
        self.assertEqual(len(crossed), 3, result.stdout)
        self.assertIn("path:module __main__ . _CACHE=+50%", crossed[1])
        self.assertIn("type:AuditRecord=+1K", crossed[2])
        self.assertIn("- ok type:__main__.Response=+100MB", result.stdout)

    def test_an_unchanged_program_passes_on_two_runs(self):
        runs = []
        for run in range(2):
            path = os.path.join(self.tmp.name, "healthy%d.zst" % run)
            subprocess.run([sys.executable, "-S", os.path.join(SAMPLES, "healthy.py"), path],
                           check=True, env=ENV)
            runs.append(path)
        result = compare(*runs, "--fail-on-growth", "10%", "--fail-on-growth", "type:dict=+10%")
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertIn("no limit crossed", result.stdout)

    def test_allocation_sites_are_compared_when_both_dumps_have_tracebacks(self):
        before = os.path.join(self.tmp.name, "traced_before.zst")
        after = os.path.join(self.tmp.name, "traced_after.zst")
        subprocess.run([sys.executable, "-S", "-X", "tracemalloc=4",
                        os.path.join(SAMPLES, "growth.py"), before, after], check=True, env=ENV)
        result, doc = self.json_of(before, after, "--fail-on-growth", "site:growth.py=+100K")
        self.assertEqual(result.returncode, 1, result.stdout + result.stderr)
        grown = [row for row in doc["sites"] if "growth.py" in row["name"]
                 and row["retained_delta"] > 0]
        self.assertTrue(grown, doc["sites"][:5])
        self.assertTrue(doc["gate"][0]["crossed"])

    def test_a_dump_compared_with_itself_shows_no_change(self):
        result, doc = self.json_of(self.after, self.after, "--fail-on-growth", "0.1%")
        self.assertEqual(result.returncode, 0, result.stderr)
        for table in ("structures", "types", "modules"):
            for row in doc[table]:
                self.assertEqual(row["retained_delta"], 0, row)
                self.assertEqual(row["status"], "both", row)
        self.assertEqual(doc["new_leak_candidates"], [])
        self.assertEqual(doc["new_suggestions"], [])
        self.assertFalse(doc["regression"])


if __name__ == "__main__":
    unittest.main()
