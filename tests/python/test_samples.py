"""The samples: each committed dump still loads, and each script still
produces a sound dump in which its planted problem shows in the counts.

Run by `make check` with PYTHONPATH set to the build tree, and HEAPAN and
top_srcdir set.  Dumps are regenerated into a scratch directory, since
the source tree may be read-only (make distcheck).
"""
import os
import re
import subprocess
import sys
import tempfile
import unittest

HEAPAN = os.environ["HEAPAN"]
SAMPLES = os.path.join(os.environ["top_srcdir"], "samples")

# sample: (type, least count) that its problem must produce
EXPECTED = {
    "unbounded_cache": ("__main__.Response", 2000),
    "listeners": ("__main__.RequestHandler", 2000),
    "no_slots": ("__main__.Point", 4000),
    "float_list": ("float", 15000),
    "duplicate_strings": ("str", 4000),
    "readlines": ("str", 3000),
    "gc_cycles": ("__main__.Node", 2000),
    "healthy": (None, 0),
}


def type_counts(path):
    out = subprocess.run([HEAPAN, "info", "-n", "0", path], check=True, capture_output=True,
                         text=True).stdout
    counts = {}
    for line in out.split("types by shallow size:")[1].splitlines()[2:]:
        fields = line.split()
        counts[fields[-1]] = int(fields[0])
    return counts


class SamplesTest(unittest.TestCase):
    def check(self, path):
        result = subprocess.run([HEAPAN, "check", path], capture_output=True, text=True)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)

    def test_committed_dumps_load(self):
        for name in EXPECTED:
            with self.subTest(name):
                self.check(os.path.join(SAMPLES, name + ".zst"))

    def test_scripts_regenerate_their_problem(self):
        env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
        with tempfile.TemporaryDirectory() as tmp:
            for name, (type_name, least) in EXPECTED.items():
                with self.subTest(name):
                    path = os.path.join(tmp, name + ".zst")
                    subprocess.run([sys.executable, "-S", os.path.join(SAMPLES, name + ".py"),
                                    path], check=True, env=env)
                    self.check(path)
                    counts = type_counts(path)
                    if type_name:
                        self.assertGreaterEqual(counts.get(type_name, 0), least, counts)
                    else:  # healthy: no class of the program piles up
                        piled = {t: n for t, n in counts.items()
                                 if t.startswith("__main__.") and n > 100}
                        self.assertEqual(piled, {})


if __name__ == "__main__":
    unittest.main()
