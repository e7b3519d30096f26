"""heapan leaks: objects allocated after a baseline and still alive, known
again by identity across dumps of one process.  Each program here makes
10^5 objects and releases them at each step, in the size classes of what
it leaks, so that pymalloc hands the freed blocks to the next objects:
identity must tell the churn from the leak.

Run by `make check` with PYTHONPATH set to the build tree and HEAPAN
naming the tool.
"""
import json
import os
import subprocess
import sys
import tempfile
import textwrap
import unittest

HEAPAN = os.environ["HEAPAN"]
VALIDATE = os.path.join(os.environ["top_srcdir"], "tests", "tools", "validate_json.py")
SCHEMA = os.path.join(os.environ["top_srcdir"], "docs", "leaks.schema.json")

# Three dumps: after a warm-up (baseline), after the work (target), after
# more work that keeps nothing (final).  argv[2] picks what the work leaks.
PROGRAM = textwrap.dedent("""\
    import logging, sys, heapan
    cache = {}
    class Session:
        def __init__(self, i):
            self.data = [i] * 50
            self.name = "s%d" % i
    def churn():
        made = [Session(i) for i in range(100000)]   # made and released each step
        del made
    def work(n, leak):
        churn()
        if leak == "cache":
            for i in range(n, n + 500):
                cache[i] = Session(i)
        elif leak == "loggers":   # a logger per request: logging keeps each one
            for i in range(n, n + 300):
                logging.getLogger("service.request.%d" % i).debug("handled")
    out, leak = sys.argv[1], sys.argv[2]
    work(0, "none")
    heapan.dump(out + "-base.zst", gc_collect=True)
    work(0, leak)
    heapan.dump(out + "-target.zst", gc_collect=True)
    work(1000, "none")
    heapan.dump(out + "-final.zst", gc_collect=True)
    """)


def leaks(*args):
    return subprocess.run([HEAPAN, "leaks", *args], capture_output=True, text=True)


class LeaksTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        script = os.path.join(cls.tmp.name, "work.py")
        with open(script, "w") as f:
            f.write(PROGRAM)
        cls.dumps = {}
        for leak in ("cache", "loggers", "none"):
            stem = os.path.join(cls.tmp.name, leak)
            subprocess.run([sys.executable, script, stem, leak], check=True)
            cls.dumps[leak] = [stem + "-%s.zst" % step for step in ("base", "target", "final")]

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def json_of(self, *dumps):
        out = os.path.join(self.tmp.name, "leaks.json")
        result = leaks("-o", out, *dumps)
        self.assertEqual(result.returncode, 0, result.stderr)
        check = subprocess.run([sys.executable, VALIDATE, SCHEMA, out], capture_output=True,
                               text=True)
        self.assertEqual(check.returncode, 0, check.stdout)
        with open(out) as f:
            return json.load(f)

    def big(self, doc):
        return [c for c in doc["clusters"] if c["bytes"] >= 1024]

    def test_a_planted_leak_is_found_among_the_churn(self):
        doc = self.json_of(*self.dumps["cache"])
        top = self.big(doc)
        self.assertEqual(len(top), 1, top)
        self.assertEqual(top[0]["held_by"], "module __main__ . cache")
        types = {t["name"]: t["objects"] for t in top[0]["types"]}
        self.assertEqual(types.get("__main__.Session"), 500, types)
        self.assertEqual(types.get("list"), 500, types)
        self.assertIn("bound it", top[0]["fix"])
        # not the 10^5 churned Sessions: their blocks went to the leak and to the next churn
        self.assertLess(doc["alive"]["objects"], 3000, doc["alive"])

    def test_a_library_leak_is_held_by_the_library(self):
        doc = self.json_of(*self.dumps["loggers"])
        top = self.big(doc)
        self.assertTrue(top, doc["clusters"][:3])
        self.assertIn("loggerDict", top[0]["held_by"])
        self.assertIn("logging.Logger", [t["name"] for t in top[0]["types"]])

    def test_a_program_that_releases_everything_leaks_nothing(self):
        doc = self.json_of(*self.dumps["none"])
        self.assertEqual(self.big(doc), [], doc["clusters"][:3])
        text = leaks(*self.dumps["none"])
        self.assertEqual(text.returncode, 0, text.stderr)
        self.assertIn("no leak between these dumps", " ".join(text.stdout.split()))

    def test_two_dumps_and_the_limit(self):
        base, _, final = self.dumps["cache"]
        result = leaks("--fail-on-leak", "100K", base, final)
        self.assertEqual(result.returncode, 1, result.stderr)
        self.assertIn("limit crossed", result.stderr)
        self.assertEqual(leaks("--fail-on-leak", "10MB", base, final).returncode, 0)

    def test_compare_matches_one_process_by_identity_too(self):
        base, _, final = self.dumps["cache"]
        result = subprocess.run([HEAPAN, "compare", "--format", "json", base, final],
                                capture_output=True, text=True)
        self.assertEqual(result.returncode, 0, result.stderr)
        identity = json.loads(result.stdout)["identity"]
        self.assertGreater(identity["new_alive"]["bytes"], 200 * 1024, identity)
        self.assertEqual(identity["clusters"][0]["held_by"], "module __main__ . cache")
        other = subprocess.run([HEAPAN, "compare", "--format", "json", base,
                                self.dumps["none"][2]], capture_output=True, text=True)
        self.assertIsNone(json.loads(other.stdout)["identity"])  # other processes: by meaning only
        text = subprocess.run([HEAPAN, "compare", base, final], capture_output=True, text=True)
        self.assertIn("Objects by identity (one process)", text.stdout)

    def test_dumps_of_other_processes_are_refused(self):
        result = leaks(self.dumps["cache"][0], self.dumps["none"][2])
        self.assertEqual(result.returncode, 2)
        self.assertIn("different processes", result.stderr)
        self.assertEqual(len(result.stderr.splitlines()), 1, result.stderr)


if __name__ == "__main__":
    unittest.main()
