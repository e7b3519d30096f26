"""Where heapan trace puts each block: stack by stack against tracemalloc in
the same process (allocations inside C calls and inside library code), the
innermost line kept in a narrow terminal, the program's own frame beside
each site, and imports marked.

Run by `make check` with PYTHONPATH set to the build tree and HEAPAN
naming the tool.
"""
import importlib.util
import json
import os
import re
import subprocess
import sys
import tempfile
import textwrap
import unittest

HEAPAN = os.environ["HEAPAN"]

# One process traced by tracemalloc and heapan at once.  The work calls
# into the standard library (logging, json) and into C (json's scanner,
# sorted, OrderedDict); the loggers' dicts and lists come from CPython's
# free lists, which a temporary of another line filled.
BOTH = textwrap.dedent("""\
    import collections, json, logging, sys, tracemalloc
    import heapan

    def work(keep):
        for i in range(2000):
            log = logging.getLogger("app.request.%d" % i)
            log.debug("made")
            keep.append(log)
            keep.append(json.loads('{"a": [1, 2, 3], "b": "x%d"}' % i))
            keep.append([str(j) * 3 for j in range(5)])
            keep.append(sorted({i, i + 1, -i}))
            keep.append(collections.OrderedDict(a=i))

    tracemalloc.start(16)
    trace = heapan.trace(sys.argv[1], frames=16)
    keep = []
    work(keep)
    trace.stop()
    snapshot = tracemalloc.take_snapshot()
    tracemalloc.stop()
    print(json.dumps([{"stack": [[f.filename, f.lineno] for f in reversed(s.traceback)],
                       "size": s.size} for s in snapshot.statistics("traceback")]))
    """)

# Imports during the trace: a module of the program's own, and one of the library's.
IMPORTS = textwrap.dedent("""\
    import sys
    import heapan

    sys.path.insert(0, sys.argv[2])
    trace = heapan.trace(sys.argv[1])
    import own_module
    import xml.dom.minidom
    trace.stop()
    """)
OWN_MODULE = "TABLE = {%s}\n" % ", ".join("%d: 'entry %d'" % (i, i) for i in range(3000))

# A flat warm-up of churn for 1 s, then a steady leak (line 9) for 0.8 s.
WARM_UP = textwrap.dedent("""\
    import sys, time, heapan
    trace = heapan.trace(sys.argv[1])
    LEAK = []
    start = time.monotonic()
    while time.monotonic() - start < 1.0:
        junk = [bytearray(2000) for _ in range(50)]
        time.sleep(0.005)
    while time.monotonic() - start < 1.8:
        LEAK.append(bytearray(20000))
        time.sleep(0.005)
    trace.stop()
    """)

# A dump with tracebacks: the program builds a networkx graph (line 7) and
# parses JSON (line 8) into a module-level list; the memory is allocated
# inside the package and the standard library.
GRAPH = textwrap.dedent("""\
    import json, sys, tracemalloc
    import networkx
    import heapan
    tracemalloc.start(25)
    KEEP = []
    for i in range(300):
        KEEP.append(networkx.path_graph(40))
        KEEP.append(json.loads(json.dumps({"rows": [[j, str(j)] for j in range(40)]})))
    heapan.dump(sys.argv[1])
    """)

REUSE_ATTRIBUTED = sys.version_info >= (3, 13)


class TraceSitesTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.TemporaryDirectory()
        cls.trace = os.path.join(cls.dir.name, "both.zst")
        script = os.path.join(cls.dir.name, "both.py")
        with open(script, "w", encoding="utf-8") as f:
            f.write(BOTH)
        out = subprocess.run([sys.executable, script, cls.trace], check=True,
                             capture_output=True, text=True, cwd=cls.dir.name).stdout
        cls.tracemalloc = json.loads(out)
        cls.script = script
        result = subprocess.run([HEAPAN, "trace", "--format", "json", "-n", "1000", cls.trace],
                                capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
        cls.doc = json.loads(result.stdout)

    @classmethod
    def tearDownClass(cls):
        cls.dir.cleanup()

    def run_script(self, name, text, output, *args, env=None):
        """Writes the script `name` and runs it with `output` (a path in the directory) first."""
        script = os.path.join(self.dir.name, name)
        with open(script, "w", encoding="utf-8") as f:
            f.write(text)
        path = os.path.join(self.dir.name, output)
        subprocess.run([sys.executable, script, path, *args], check=True, cwd=self.dir.name,
                       env=env)
        return script, path

    @staticmethod
    def heapan(*args, json_out=False):
        out = subprocess.run([HEAPAN, *args], env=dict(os.environ, COLUMNS="200"), check=True,
                             capture_output=True, text=True).stdout
        return json.loads(out) if json_out else out

    def text(self, columns):
        env = dict(os.environ, COLUMNS=str(columns))
        result = subprocess.run([HEAPAN, "trace", "-n", "20", self.trace], capture_output=True,
                                text=True, env=env)
        self.assertEqual(result.returncode, 0, result.stderr)
        return result.stdout

    def heapan_stacks(self):
        live = {}
        for site in self.doc["sites"]:
            key = tuple((f["file"], f["line"]) for f in site["stack"])
            live[key] = live.get(key, 0) + site["live_at_end"]
        return live

    def compared(self):
        """tracemalloc's stacks of 20 KB or more live, each with heapan's bytes for it."""
        live = self.heapan_stacks()
        for entry in self.tracemalloc:
            stack = tuple((file, line) for file, line in entry["stack"])
            if entry["size"] >= 20000 and not any("tracemalloc" in f or "heapan" in f
                                                  for f, _ in stack):
                yield stack, entry["size"], live.get(stack, 0)

    def test_each_stack_holds_what_tracemalloc_says(self):
        compared = list(self.compared())
        self.assertGreaterEqual(len(compared), 8)
        matched = [c for c in compared if abs(c[2] - c[1]) <= 0.02 * c[1]]
        if REUSE_ATTRIBUTED:
            self.assertEqual(len(matched), len(compared),
                             "\n".join("%s: tracemalloc %d, heapan %d" % c for c in compared
                                       if c not in matched))
        else:
            # Before 3.13 a reused dict or list keeps its block's first site; the rest agrees.
            share = sum(c[1] for c in matched) / sum(c[1] for c in compared)
            self.assertGreater(share, 0.7)

    def test_the_trace_says_whether_reuse_moved(self):
        self.assertIs(self.doc["reuse_attributed"], REUSE_ATTRIBUTED)
        self.assertEqual("reuse_note" in self.doc, not REUSE_ATTRIBUTED)
        self.assertEqual("reuses a freed dict" in self.text(100).replace("\n", " ")
                         .replace("  ", " "), not REUSE_ATTRIBUTED)

    def library_site(self):
        """tracemalloc's largest stack whose innermost frame is logging's."""
        for stack, size, _ in sorted(self.compared(), key=lambda c: -c[1]):
            if os.sep + "logging" + os.sep in stack[0][0]:
                return stack
        self.fail("no logging stack")

    def test_a_narrow_terminal_keeps_the_innermost_line(self):
        stack = self.library_site()
        for columns in (80, 200):
            text = self.text(columns)
            rows = [row for row in text.splitlines() if ":%d)" % stack[0][1] in row]
            self.assertTrue(rows, "%d columns: no row ends with line %d\n%s"
                            % (columns, stack[0][1], text))
        self.assertIn("(logging/__init__.py:%d)" % stack[0][1], self.text(200))

    def test_each_site_names_the_programs_own_frame(self):
        stack = self.library_site()
        own = next((file, line) for file, line in stack if file == self.script)
        site = next(s for s in self.doc["sites"]
                    if tuple((f["file"], f["line"]) for f in s["stack"]) == stack)
        self.assertEqual((site["program_frame"]["file"], site["program_frame"]["line"]), own)
        self.assertFalse(site["import"])
        self.assertIn("work (both.py:%d)" % own[1], self.text(200))

    def test_imports_are_marked(self):
        modules = os.path.join(self.dir.name, "modules")
        os.makedirs(modules, exist_ok=True)
        with open(os.path.join(modules, "own_module.py"), "w", encoding="utf-8") as f:
            f.write(OWN_MODULE)
        _, trace = self.run_script("imports.py", IMPORTS, "imports.zst", modules,
                                   env=dict(os.environ, PYTHONDONTWRITEBYTECODE="1"))
        doc = self.heapan("trace", "--format", "json", "-n", "1000", trace, json_out=True)
        live = sum(s["live_at_end"] for s in doc["sites"])
        imported = sum(s["live_at_end"] for s in doc["sites"] if s["import"])
        self.assertGreater(imported, 0.9 * live)
        # The program's own frame of an import is the line that imported it.
        frames = {(s["program_frame"] or {}).get("line") for s in doc["sites"] if s["import"]}
        self.assertTrue(frames & {6, 7}, frames)
        self.assertIn("[import]", self.heapan("trace", "-n", "3", trace))

    def test_a_leak_after_a_warm_up_grows_from_the_warm_ups_end(self):
        script, trace = self.run_script("warm.py", WARM_UP, "warm.zst")
        doc = self.heapan("trace", "--format", "json", trace, json_out=True)
        grows = [s for s in doc["sites"] if s["grows"]]
        self.assertEqual([(s["file"], s["line"]) for s in grows][:1], [(script, 9)])
        leak = grows[0]
        # The fitted phase starts near the warm-up's end (1 s), not at the start of the run.
        self.assertGreater(leak["growth_from_us"], 600000)
        self.assertLess(leak["growth_from_us"], 1300000)
        self.assertGreaterEqual(leak["growth_fit"], 0.8)
        # 20000 bytes about every 5 ms: 4 MB/s at most.
        self.assertGreater(leak["growth"], 1e6)
        self.assertLess(leak["growth"], 4.5e6)
        self.assertRegex(self.heapan("trace", trace), r"MiB from [01]\.[0-9] s")

    @unittest.skipUnless(importlib.util.find_spec("networkx"), "needs networkx")
    def test_a_dump_names_the_programs_own_lines(self):
        script, dump = self.run_script("graph.py", GRAPH, "graph.zst")
        top = self.heapan("top", "--by", "program", "-n", "3", dump)
        rows = [line for line in top.splitlines()
                if re.match(r"\s+\S+ \S+\s+[0-9.]+%", line) and "(unknown site)" not in line][:2]
        self.assertEqual(len(rows), 2, top)
        for row in rows:
            self.assertIn(script, row)
        self.assertTrue(any(script + ":7" in row for row in rows), top)
        # By the innermost frame the same memory sits in the package and the library.
        by_site = self.heapan("top", "--by", "site", "-n", "3", dump)
        rows = [line for line in by_site.splitlines()
                if re.match(r"\s+\S+ \S+\s+[0-9.]+%", line) and "(unknown site)" not in line]
        self.assertNotIn(script, rows[0])
        doc = json.loads(subprocess.run([HEAPAN, "report", "--format", "json", dump],
                                        capture_output=True, text=True).stdout)  # exit 1: findings
        named = [g["name"] for g in doc["program_sites"] if g["name"] != "(unknown site)"]
        self.assertTrue(named and named[0].startswith(script + ":"), named)
        # A finding allocated inside the library names the program's line that called it.
        sited = [c for c in doc["leak_candidates"] if c["site"] and c["program_site"]]
        self.assertTrue(sited, doc["leak_candidates"])
        for c in sited:
            self.assertTrue(c["program_site"].startswith(script + ":"), c)


if __name__ == "__main__":
    unittest.main()
