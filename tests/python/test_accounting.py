"""The memory accounting: programs that plant each shape of memory outside
the objects, and the report that must name it as the main gap, with rows
that add up to RSS and a small remainder.

Run by `make check` with PYTHONPATH set to the build tree, and HEAPAN and
top_srcdir set.  Each program runs in its own interpreter, so that what
the test itself holds does not blur the shape.
"""
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import textwrap
import unittest

HEAPAN = os.environ["HEAPAN"]
SAMPLES = os.path.join(os.environ["top_srcdir"], "samples")
TOOLS = os.path.join(os.environ["top_srcdir"], "tests", "tools")
DOCS = os.path.join(os.environ["top_srcdir"], "docs")
VERSION = "%d.%d" % sys.version_info[:2]

# Few live objects spread over many pools: one tuple in 64 kept.
FRAGMENTED = """
    objects = [(i, -i) for i in range(3_000_000)]
    kept = objects[::64]
    del objects
"""

# The fix the finding suggests: the long-lived objects first, then the short-lived ones.
LONG_LIVED_FIRST = """
    kept = [(i, -i) for i in range(0, 3_000_000, 64)]
    objects = [(i, -i) for i in range(3_000_000)]
    del objects
"""

# Threads that each fill their own malloc heap with buffers below the
# mmap threshold, then free all but the last, which keeps the heap's top.
MALLOC_KEEPS = """
    import threading
    kept = []
    def work():
        buffers = [b"x" * 60000 for _ in range(500)]
        kept.append(buffers[-1])
        del buffers
    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
"""

# Threads that wait, each on its own stack.
WAITING_THREADS = """
    import threading, time
    release = threading.Event()
    threads = [threading.Thread(target=release.wait) for _ in range(4)]
    for t in threads:
        t.start()
    time.sleep(0.3)  # until each waits: a running thread shows no stack pointer
"""

# A buffer ctypes owns: its __sizeof__ counts none of it.
CTYPES_BUFFER = """
    import ctypes
    buffer = ctypes.create_string_buffer(150 << 20)
"""

# An anonymous shared mapping, written: in RSS, and in no object's size.
MMAP_BUFFER = """
    import mmap
    mapping = mmap.mmap(-1, 150 << 20)
    mapping.write(b"x" * (150 << 20))
"""

# A gigabyte nobody wrote to: counted as an object, not resident.
UNTOUCHED = """
    untouched = bytes(1 << 30)
"""


def dump(tmp, body, name, env=None, how="heapan.dump(sys.argv[1])\nos._exit(0)"):
    path = os.path.join(tmp, name + ".zst")
    script = "import heapan, os, sys\n" + textwrap.dedent(body) + how + "\n"
    subprocess.run([sys.executable, "-c", script, path], check=True,
                   env=dict(os.environ, **(env or {})))
    return path


def accounting(path):
    out = subprocess.run([HEAPAN, "report", "-f", "json", path], check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out)["accounting"]


def rows(acc):
    return {row["name"]: row for row in acc["rows"]}


class AccountingTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        # Under a sanitizer, malloc is the sanitizer's: the malloc rows are unknown.
        probe = accounting(dump(cls.tmp.name, "", "probe"))
        cls.glibc = rows(probe)["malloc_free"]["known"]

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def shape(self, body, name):
        acc = accounting(dump(self.tmp.name, body, name))
        self.assertIsNotNone(acc)
        self.assertEqual(sum(row["bytes"] for row in acc["rows"]), acc["rss"])
        return acc

    def needs_glibc(self):
        if not self.glibc:
            self.skipTest("malloc is not glibc's here (a sanitizer's?): its rows are unknown")

    def remainder_share(self, acc):
        return abs(rows(acc)["not_accounted_for"]["bytes"]) / acc["rss"]

    def findings(self, acc):
        return {f["kind"]: f for f in acc["findings"]}

    def test_fragmentation_is_the_main_gap(self):
        acc = self.shape(FRAGMENTED, "fragmented")
        self.assertIn(acc["main_gap"], ("pymalloc_free_in_used_pools", "pymalloc_empty_pools"))
        self.assertIn("pymalloc_fragmentation", self.findings(acc))
        if self.glibc:
            self.assertLess(self.remainder_share(acc), 0.05, acc)
        hist = acc["pymalloc_histogram"]
        self.assertIsNotNone(hist)
        # Most arenas (or pools) are almost empty of live blocks.
        self.assertGreater(hist["by_tenth_live"][0], sum(hist["by_tenth_live"][5:]))
        self.assertEqual(hist["exact"], sys.version_info >= (3, 12))

    def test_allocating_the_long_lived_first_frees_what_the_rows_say(self):
        before = self.shape(FRAGMENTED, "fragmented_before")
        after = self.shape(LONG_LIVED_FIRST, "fragmented_after")
        waste = sum(rows(before)[name]["bytes"]
                    for name in ("pymalloc_free_in_used_pools", "pymalloc_empty_pools"))
        saved = before["rss"] - after["rss"]
        self.assertGreater(saved, waste * 0.7, (saved, waste))
        self.assertLess(saved, waste * 1.3, (saved, waste))

    def test_malloc_keeping_freed_memory_is_the_main_gap(self):
        self.needs_glibc()
        acc = self.shape(MALLOC_KEEPS, "malloc_keeps")
        self.assertEqual(acc["main_gap"], "malloc_free")
        self.assertIn("malloc_keeps_freed", self.findings(acc))
        self.assertLess(self.remainder_share(acc), 0.10, acc)

    def test_malloc_trim_frees_what_the_row_says(self):
        self.needs_glibc()
        # The finding's fix, applied: RSS falls by about the free row.
        how = textwrap.dedent("""
            heapan.dump(sys.argv[1])
            import ctypes
            def rss():
                with open("/proc/self/status") as f:
                    return next(int(l.split()[1]) * 1024 for l in f if l.startswith("VmRSS:"))
            before = rss()
            ctypes.CDLL("libc.so.6").malloc_trim(0)
            print(before - rss())
        """)
        path = os.path.join(self.tmp.name, "trimmed.zst")
        script = "import heapan, sys\n" + textwrap.dedent(MALLOC_KEEPS) + how
        freed = int(subprocess.run([sys.executable, "-c", script, path], check=True,
                                   capture_output=True, text=True).stdout)
        row = rows(accounting(path))["malloc_free"]["bytes"]
        self.assertGreater(freed, row * 0.7, (freed, row))
        self.assertLess(freed, row * 1.3 + (4 << 20), (freed, row))

    def test_a_ctypes_buffer_is_memory_outside_objects(self):
        self.needs_glibc()
        acc = self.shape(CTYPES_BUFFER, "ctypes")
        self.assertIn(acc["main_gap"], ("malloc_mapped_uncounted", "malloc_in_use_uncounted"))
        self.assertEqual(self.findings(acc)["outside_objects"]["row"], acc["main_gap"])
        self.assertLess(self.remainder_share(acc), 0.10, acc)

    def test_an_mmap_is_memory_outside_objects(self):
        self.needs_glibc()
        acc = self.shape(MMAP_BUFFER, "mmap")
        self.assertEqual(acc["main_gap"], "shared_memory")
        self.assertEqual(self.findings(acc)["outside_objects"]["row"], "shared_memory")

    def test_untouched_bytes_are_not_resident(self):
        acc = self.shape(UNTOUCHED, "untouched")
        r = rows(acc)
        self.assertLessEqual(r["objects_not_resident"]["bytes"], -(1 << 30) + (1 << 20))
        self.assertGreater(r["python_objects"]["bytes"], 1 << 30)
        if self.glibc:
            self.assertLess(self.remainder_share(acc), 0.10, acc)

    def test_the_healthy_sample_is_accounted_for(self):
        self.needs_glibc()
        path = os.path.join(self.tmp.name, "healthy.zst")
        env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
        subprocess.run([sys.executable, "-S", os.path.join(SAMPLES, "healthy.py"), path],
                       check=True, env=env)
        acc = accounting(path)
        self.assertEqual(sum(row["bytes"] for row in acc["rows"]), acc["rss"])
        self.assertLess(self.remainder_share(acc), 0.10, acc)
        self.assertEqual(acc["findings"], [])

    @unittest.skipUnless(importlib.util.find_spec("networkx"), "networkx is not installed")
    def test_a_program_on_real_libraries_has_no_false_finding(self):
        self.needs_glibc()
        body = "import networkx\ngraph = networkx.gnm_random_graph(20000, 80000, seed=1)\n"
        for name in ("boto3", "flask", "pydantic", "sympy"):
            if importlib.util.find_spec(name):
                body += "import %s\n" % name
        acc = self.shape(body, "libraries")
        self.assertEqual(acc["findings"], [])
        self.assertLess(self.remainder_share(acc), 0.10, acc)

    def test_each_threads_stack_is_found(self):
        acc = self.shape(WAITING_THREADS, "threads")
        stacks = rows(acc)["thread_stacks"]
        self.assertEqual(stacks["note"], "")  # every thread's stack was found
        self.assertGreaterEqual(stacks["bytes"], 5 * 4096)

    def test_rows_say_what_this_version_cannot_know(self):
        acc = self.shape("", "plain")
        empty = rows(acc)["pymalloc_empty_pools"]
        self.assertTrue(empty["known"])
        if sys.version_info < (3, 12):
            self.assertIn("unknown on " + VERSION, empty["note"])

    def test_without_pymalloc_its_rows_say_so(self):
        path = dump(self.tmp.name, FRAGMENTED, "malloc_only", env={"PYTHONMALLOC": "malloc"})
        acc = accounting(path)
        r = rows(acc)
        self.assertEqual(sum(row["bytes"] for row in acc["rows"]), acc["rss"])
        for name in ("pymalloc_free_in_used_pools", "pymalloc_empty_pools"):
            self.assertTrue(r[name]["known"])
            self.assertEqual(r[name]["bytes"], 0)
            self.assertIn("pymalloc is not in use", r[name]["note"])
        self.assertNotIn("pymalloc_fragmentation", self.findings(acc))

    def test_a_background_dump_accounts_for_the_parent(self):
        self.needs_glibc()
        path = dump(self.tmp.name, UNTOUCHED, "background",
                    how="heapan.dump(sys.argv[1], background=True).wait()")
        acc = accounting(path)
        self.assertEqual(sum(row["bytes"] for row in acc["rows"]), acc["rss"])
        self.assertLessEqual(rows(acc)["objects_not_resident"]["bytes"], -(1 << 30) + (1 << 20))
        self.assertLess(self.remainder_share(acc), 0.10, acc)

    def test_the_cgroup_is_recorded(self):
        root = os.path.join(self.tmp.name, "cgroup")
        os.makedirs(root)
        for name, value in (("cgroup.controllers", "cpu memory"),
                            ("memory.current", 300 << 20), ("memory.max", "max")):
            with open(os.path.join(root, name), "w") as f:
                f.write("%s\n" % value)
        acc = accounting(dump(self.tmp.name, "", "cgroup", env={"HEAPAN_CGROUP_ROOT": root}))
        self.assertEqual(acc["cgroup"], {"usage": 300 << 20, "limit": None})
        self.assertGreater(acc["pss"], 0)

    def test_a_dump_cut_short_says_its_objects_are_partial(self):
        path = dump(self.tmp.name, FRAGMENTED, "whole")
        cut = os.path.join(self.tmp.name, "cut.zst")
        with open(path, "rb") as f, open(cut, "wb") as out:
            out.write(f.read()[: os.path.getsize(path) // 3])
        result = subprocess.run([HEAPAN, "report", "-f", "json", cut], capture_output=True,
                                text=True)
        acc = json.loads(result.stdout)["accounting"]
        self.assertFalse(acc["complete"])
        self.assertEqual(sum(row["bytes"] for row in acc["rows"]), acc["rss"])
        # What was not read is in the remainder: not memory outside the objects.
        self.assertNotIn("outside_objects", self.findings(acc))
        self.assertTrue(accounting(path)["complete"])

    def test_an_old_dump_has_no_accounting(self):
        out = subprocess.run([HEAPAN, "report", "-f", "json",
                              os.path.join(SAMPLES, "healthy.zst")],
                             check=True, capture_output=True, text=True).stdout
        self.assertIsNone(json.loads(out)["accounting"])
        text = subprocess.run([HEAPAN, "report", os.path.join(SAMPLES, "healthy.zst")],
                              check=True, capture_output=True, text=True).stdout
        self.assertNotIn("Memory accounting", text)

    def test_compare_and_trend_show_where_rss_grew(self):
        self.needs_glibc()
        first, last = (os.path.join(self.tmp.name, n) for n in ("before.zst", "after.zst"))
        script = textwrap.dedent("""
            import ctypes, heapan, sys
            heapan.dump(sys.argv[1])
            buffer = ctypes.create_string_buffer(100 << 20)
            heapan.dump(sys.argv[2])
        """)
        subprocess.run([sys.executable, "-c", script, first, last], check=True)
        for command in ("compare", "trend"):
            with self.subTest(command):
                out = subprocess.run([HEAPAN, command, "-f", "json", first, last], check=True,
                                     capture_output=True, text=True).stdout
                change = json.loads(out)["accounting"]
                self.assertIn(change["largest_growth"],
                              ("malloc_mapped_uncounted", "malloc_in_use_uncounted"))
                grown = {row["name"]: row["bytes"][1] - row["bytes"][0] for row in change["rows"]}
                self.assertGreater(grown[change["largest_growth"]], 90 << 20)
                self.assertLess(abs(grown["python_objects"]), 1 << 20)
                text = subprocess.run([HEAPAN, command, "-f", "md", first, last], check=True,
                                      capture_output=True, text=True).stdout
                self.assertIn("Memory accounting", text)

    def test_every_format_shows_the_table(self):
        path = dump(self.tmp.name, FRAGMENTED, "formats")
        report = os.path.join(self.tmp.name, "formats.json")
        with open(report, "w") as out:
            subprocess.run([HEAPAN, "report", "-f", "json", path], check=True, stdout=out)
        subprocess.run([sys.executable, os.path.join(TOOLS, "validate_json.py"),
                        os.path.join(DOCS, "report.schema.json"), report], check=True)
        for fmt in ("md", "html", "text"):
            with self.subTest(fmt):
                out = subprocess.run([HEAPAN, "report", "-f", fmt, path], check=True,
                                     capture_output=True, text=True).stdout
                self.assertIn("Memory accounting", out)
                self.assertIn("not accounted for", out)
                self.assertIn("pymalloc free space in used pools", out)


if __name__ == "__main__":
    unittest.main()
