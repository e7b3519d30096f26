"""Allocation traces from heapan.trace(): totals against tracemalloc, a
planted leak found as the top growing site, sampled estimates against the
exact trace, a report joining a dump with its trace, threads, forks, a
killed process, and the API's errors.

Run by `make check` with PYTHONPATH set to the build tree and HEAPAN
naming the tool.
"""
import json
import math
import os
import subprocess
import sys
import tempfile
import textwrap
import unittest

import heapan

HEAPAN = os.environ["HEAPAN"]

# The same work traced by tracemalloc and by heapan: a growing dict of
# strings, churn of bytearrays, and a big list freed before the end.
WORKLOAD = textwrap.dedent("""\
    import json, sys

    def work():
        keep = {}
        junk = []
        for i in range(20000):
            keep[i] = ("value-%d" % i) * 4
            junk.append(bytearray(100 + i % 300))
            if len(junk) > 500:
                junk.clear()
        floats = [float(i) for i in range(200000)]
        del floats
        return keep

    if sys.argv[1] == "tracemalloc":
        import tracemalloc
        tracemalloc.start(16)
        kept = work()
        current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(json.dumps({"current": current, "peak": peak}))
    else:
        import heapan
        heapan.start_trace(sys.argv[2], sample_bytes=int(sys.argv[3]))
        kept = work()
        heapan.stop_trace()
    """)

# A steady leak (line 9) beside more churn and a bigger, short-lived peak.
LEAKY = textwrap.dedent("""\
    import time

    LEAK = []

    def handle(i):
        scratch = [str(n) * 8 for n in range(3000)]
        if i == 10:
            burst = bytearray(8 << 20)
        LEAK.append(bytearray(20000))
        return len(scratch)

    for i in range(int(sys.argv[1]) if len(sys.argv) > 1 else 60):
        handle(i)
        time.sleep(0.01)
    """).replace("import time", "import sys, time")


class TraceTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.addCleanup(self.dir.cleanup)

    def path(self, name):
        return os.path.join(self.dir.name, name)

    def script(self, name, text):
        path = self.path(name)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return path

    def run_python(self, *args):
        return subprocess.run([sys.executable, *args], check=True, capture_output=True,
                              text=True, cwd=self.dir.name)

    def report(self, trace, expect_code=0):
        result = subprocess.run([HEAPAN, "trace", "--format", "json", "-n", "1000", trace],
                                capture_output=True, text=True)
        self.assertEqual(result.returncode, expect_code, result.stderr)
        return json.loads(result.stdout)

    def traced_workload(self, sample_bytes):
        trace = self.path("work-%d.zst" % sample_bytes)
        self.run_python(self.script("work.py", WORKLOAD), "heapan", trace, str(sample_bytes))
        return self.report(trace)

    @staticmethod
    def by_line(doc, key):
        totals = {}
        for site in doc["sites"]:
            where = (site.get("line"), site.get("function"))
            totals[where] = totals.get(where, 0) + site[key]
        return totals

    def test_totals_agree_with_tracemalloc(self):
        out = self.run_python(self.script("work.py", WORKLOAD), "tracemalloc").stdout
        expected = json.loads(out)
        doc = self.traced_workload(0)
        self.assertEqual(doc["schema"], "heapan.trace/1")
        self.assertGreater(expected["peak"], 5 << 20)
        self.assertAlmostEqual(doc["peak"]["bytes"] / expected["peak"], 1.0, delta=0.05)
        self.assertAlmostEqual(doc["end"]["bytes"] / expected["current"], 1.0, delta=0.05)

    def test_planted_steady_leak_is_the_top_growing_site(self):
        trace = self.path("leaky.zst")
        self.run_python("-m", "heapan", "run", "--trace", trace, self.script("leaky.py", LEAKY))
        doc = self.report(trace)
        growing = sorted((s for s in doc["sites"] if s["grows"]), key=lambda s: -s["growth"])
        self.assertTrue(growing, "no growing site")
        top = growing[0]
        self.assertEqual((os.path.basename(top["file"]), top["line"], top["function"]),
                         ("leaky.py", 9, "handle"))
        self.assertGreater(top["live_at_end"], 60 * 20000)
        # The burst is the biggest site at the peak, and not a leak.
        at_peak = max(doc["sites"], key=lambda s: s["live_at_peak"])
        self.assertEqual(at_peak["line"], 8)
        self.assertFalse(at_peak["grows"])
        self.assertGreater(len(doc["samples"]), 10)  # RSS every 10 ms for 0.6 s
        self.assertTrue(all(point["rss"] > 0 for point in doc["samples"]))

    def test_report_gives_leak_candidates_their_allocation_sites(self):
        trace, dump = self.path("leaky.trace.zst"), self.path("leaky.zst")
        self.run_python("-m", "heapan", "run", "--trace", trace, "--dump-at-exit", dump,
                        self.script("leaky.py", LEAKY), "150")
        out = self.path("report.json")
        result = subprocess.run([HEAPAN, "report", dump, "--trace", trace, "-o", out],
                                capture_output=True, text=True)
        self.assertEqual(result.returncode, 0, result.stderr)
        with open(out, encoding="utf-8") as f:
            doc = json.load(f)
        leak = doc["leak_candidates"][0]
        self.assertEqual(leak["path_text"], "module __main__ . LEAK")
        self.assertGreaterEqual(leak["trace_matched"], 150)
        site = leak["allocation_sites"][0]
        self.assertEqual((site["line"], site["function"], site["objects"]), (9, "handle", 150))
        self.assertTrue(site["grows"])
        curve = site["curve"]
        self.assertGreater(len(curve), 16)
        self.assertGreater(curve[-1], curve[len(curve) // 2])
        self.assertTrue(doc["trace"]["same_process"])
        self.assertEqual(doc["trace"]["growing_sites"][0]["line"], 9)
        # From 3.12 a comprehension runs inline (PEP 709): no <listcomp> frame to tell it by.
        if sys.version_info[:2] <= (3, 11):
            generator = [s for s in doc["suggestions"] if s["kind"] == "generator"]
            self.assertTrue(any("<listcomp>" in s["target"] for s in generator),
                            doc["suggestions"])
        schema = os.path.join(os.environ["top_srcdir"], "docs", "report.schema.json")
        validator = os.path.join(os.environ["top_srcdir"], "tests", "tools", "validate_json.py")
        subprocess.run([sys.executable, validator, schema, out], check=True)
        # The Markdown says the same, and a trace of another run matches nothing.
        other = self.path("other.trace.zst")
        self.run_python("-m", "heapan", "run", "--trace", other, self.script("leaky.py", LEAKY))
        text = subprocess.run([HEAPAN, "report", dump, "--trace", other], capture_output=True,
                              text=True, check=True).stdout
        self.assertIn("objects cannot be matched", text)
        self.assertIn("leaky.py:9 in handle", text)
        result = subprocess.run([HEAPAN, "report", dump, "--trace", dump], capture_output=True,
                                text=True)
        self.assertEqual(result.returncode, 2)
        self.assertIn("not an allocation trace", result.stderr)

    def test_sampled_trace_estimates_the_top_sites_within_ten_percent(self):
        exact = self.traced_workload(0)
        # 4 KiB: the sites here hold a few MB; at 512 KiB the same error
        # needs a few hundred MB of allocation.
        sampled = self.traced_workload(4096)
        self.assertEqual(sampled["sample_bytes"], 4096)
        self.assertLess(sampled["allocations"], exact["allocations"] / 10)
        for key in ("total_allocated", "live_at_end"):
            want, got = self.by_line(exact, key), self.by_line(sampled, key)
            top = sorted(want, key=lambda where: -want[where])[:3]
            for where in top:
                if want[where] < (1 << 20):
                    continue
                # The estimate's relative error is about sqrt(sample_bytes / bytes):
                # 6% at 1 MiB.  Three of those: chance fails a check once in a few hundred.
                delta = max(0.10, 3 * math.sqrt(4096 / want[where]))
                self.assertAlmostEqual(got.get(where, 0) / want[where], 1.0, delta=delta,
                                       msg="%s of %s" % (key, where))

    def test_sampling_at_512_kib_estimates_big_sites_within_ten_percent(self):
        # At 512 KiB a site's estimate is within about sqrt(512 KiB / its bytes):
        # 2% for these two sites of 1 GB each.
        script = self.script("churn.py", textwrap.dedent("""\
            import sys, heapan
            def small():
                for _ in range(500000):
                    block = bytes(2000)
            def large():
                for _ in range(250000):
                    block = bytes(4000)
            with heapan.trace(sys.argv[1], sample_bytes=int(sys.argv[2])):
                small()
                large()
            """))
        docs = []
        for sample_bytes in (0, 512 * 1024):
            trace = self.path("churn-%d.zst" % sample_bytes)
            self.run_python(script, trace, str(sample_bytes))
            docs.append(self.by_line(self.report(trace), "total_allocated"))
        exact, sampled = docs
        # Each block once: pymalloc hands these to the raw domain, which is hooked too.
        for where, count, size in (((4, "small"), 500000, 2000), ((7, "large"), 250000, 4000)):
            self.assertAlmostEqual(exact[where] / (count * sys.getsizeof(bytes(size))), 1.0,
                                   delta=0.01, msg=str(where))
            self.assertAlmostEqual(sampled.get(where, 0) / exact[where], 1.0, delta=0.10,
                                   msg=str(where))

    def test_threads_are_traced_with_their_own_stacks(self):
        trace = self.path("threads.zst")
        self.run_python("-c", textwrap.dedent("""\
            import sys, threading, heapan
            def worker(n):  # a loop, not a comprehension: its own frame before 3.12
                blocks = []
                for _ in range(n):
                    blocks.append(bytes(200))
                return blocks
            with heapan.trace(sys.argv[1]):
                threads = [threading.Thread(target=worker, args=(20000,)) for _ in range(4)]
                for t in threads: t.start()
                for t in threads: t.join()
            """), trace)
        subprocess.run([HEAPAN, "check", trace], check=True, capture_output=True)
        doc = self.report(trace)
        worker = [s for s in doc["sites"] if s["function"].startswith("worker")]
        self.assertTrue(worker)
        self.assertGreaterEqual(sum(s["allocations"] for s in worker), 4 * 20000)

    def test_forked_child_leaves_the_parents_trace_whole(self):
        trace = self.path("fork.zst")
        self.run_python("-c", textwrap.dedent("""\
            import os, sys, heapan
            with heapan.trace(sys.argv[1]):
                keep = [bytes(100) for _ in range(10000)]
                pid = os.fork()
                if pid == 0:
                    junk = [bytes(100) for _ in range(10000)]
                    os._exit(0)
                os.waitpid(pid, 0)
            """), trace)
        subprocess.run([HEAPAN, "check", trace], check=True, capture_output=True)
        self.assertGreaterEqual(self.report(trace)["allocations"], 10000)

    def test_killed_process_leaves_a_readable_trace(self):
        trace = self.path("killed.zst")
        result = subprocess.run([sys.executable, "-c", textwrap.dedent("""\
            import os, signal, sys, time, heapan
            heapan.start_trace(sys.argv[1])
            keep = [bytes(1000) for _ in range(5000)]
            time.sleep(1.5)  # the sampler flushes once a second
            os.kill(os.getpid(), signal.SIGKILL)
            """), trace])
        self.assertEqual(result.returncode, -9)
        doc = self.report(trace, expect_code=1)  # read as far as it goes
        self.assertGreaterEqual(doc["allocations"], 5000)
        self.assertTrue(any("incomplete" in w for w in doc["warnings"]), doc["warnings"])

    def test_a_dump_inside_a_trace_and_a_trace_over_tracemalloc(self):
        trace, dump = self.path("both.zst"), self.path("during.zst")
        self.run_python("-c", textwrap.dedent("""\
            import sys, tracemalloc, heapan
            tracemalloc.start(5)
            with heapan.trace(sys.argv[1]):
                kept = [str(i) for i in range(10000)]
                heapan.dump(sys.argv[2])
            tracemalloc.stop()
            """), trace, dump)
        for path in (trace, dump):
            subprocess.run([HEAPAN, "check", path], check=True, capture_output=True)
        self.assertGreaterEqual(self.report(trace)["allocations"], 10000)

    def test_each_block_is_recorded_once(self):
        # pymalloc hands 0-byte requests to the raw allocator, as it does big
        # ones: both hooks used to record the block, and it seemed to live twice.
        trace = self.path("imports.zst")
        self.run_python("-c", textwrap.dedent("""\
            import sys, heapan
            with heapan.trace(sys.argv[1]):
                import json, email.parser, decimal, unittest
            """), trace)
        result = subprocess.run([HEAPAN, "trace", trace], capture_output=True, text=True)
        self.assertEqual((result.returncode, result.stderr), (0, ""))

    def test_without_pymalloc(self):
        trace = self.path("malloc.zst")
        env = dict(os.environ, PYTHONMALLOC="malloc")
        subprocess.run([sys.executable, "-c", textwrap.dedent("""\
            import sys, heapan
            with heapan.trace(sys.argv[1]):
                kept = [bytes(100) for i in range(10000)]
            """), trace], check=True, env=env)
        doc = self.report(trace)
        self.assertGreaterEqual(doc["allocations"], 10000)
        self.assertGreaterEqual(doc["end"]["bytes"], 10000 * 100)

    def test_api_errors(self):
        with self.assertRaises(ValueError):
            heapan.trace(self.path("x.zst"), frames=0)
        with self.assertRaises(ValueError):
            heapan.trace(self.path("x.zst"), sample_bytes=-1)
        with self.assertRaises(OSError):
            heapan.trace(self.path("no/such/dir/x.zst"))
        with self.assertRaises(RuntimeError):
            heapan.stop_trace()
        self.assertFalse(heapan.is_tracing())
        with heapan.trace(self.path("x.zst")) as running:
            self.assertTrue(heapan.is_tracing())
            with self.assertRaises(RuntimeError):
                heapan.trace(self.path("y.zst"))
        self.assertFalse(heapan.is_tracing())
        self.assertGreater(running.result["allocations"], 0)
        self.assertEqual(running.stop(), running.result)  # a second stop is harmless

    def test_a_hook_installed_on_top_must_go_first(self):
        import tracemalloc
        running = heapan.trace(self.path("x.zst"))
        tracemalloc.start()
        try:
            with self.assertRaisesRegex(RuntimeError, "another allocator hook"):
                running.stop()
        finally:
            tracemalloc.stop()
        running.stop()
        subprocess.run([HEAPAN, "check", self.path("x.zst")], check=True, capture_output=True)


if __name__ == "__main__":
    unittest.main()
