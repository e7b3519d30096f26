"""heapan leaks: objects allocated after a baseline and still alive, known
again by identity across dumps of one process.  Each program here makes
10^5 objects and releases them at each step, in the size classes of what
it leaks, so that pymalloc hands the freed blocks to the next objects:
identity must tell the churn from the leak.

Run by `make check` with PYTHONPATH set to the build tree and HEAPAN
naming the tool.
"""
import collections
import functools
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
        self.assertEqual(top[0]["kept"], "leak")
        self.assertEqual(doc["leaked"]["bytes"], top[0]["bytes"] + sum(
            c["bytes"] for c in doc["clusters"][1:] if c["kept"] == "leak"))
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
        # one interval cannot tell logging's registry from a cache that fills once ...
        self.assertEqual(top[0]["kept"], "cache", top[0])
        self.assertEqual(top[0]["kept_by"], "module logging", top[0])
        self.assertLess(doc["leaked"]["bytes"], 1024, doc["leaked"])
        # ... a baseline after a warm-up can: what the registry keeps since is growth
        warmed = self.json_of("--warmed-up", *self.dumps["loggers"])
        self.assertGreater(warmed["leaked"]["bytes"], 100 * 1024, warmed["leaked"])
        self.assertTrue(warmed["warmed_up"])

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
        # the baseline's model is freed before NEW loads unless NEW may be of its process;
        # NEW on standard input cannot be read twice to tell, so the model stays
        with open(final, "rb") as piped:
            result = subprocess.run([HEAPAN, "compare", "--format", "json", base, "-"],
                                    stdin=piped, capture_output=True, text=True)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(json.loads(result.stdout)["identity"], identity)

    def test_dumps_of_other_processes_are_refused(self):
        result = leaks(self.dumps["cache"][0], self.dumps["none"][2])
        self.assertEqual(result.returncode, 2)
        self.assertIn("different processes", result.stderr)
        self.assertEqual(len(result.stderr.splitlines()), 1, result.stderr)


class Session:
    def __init__(self):
        self.data = list(range(300))


_CACHE = {}
_LOG = []
_GRAPHS = {}
_TALLY = collections.Counter()


@functools.lru_cache(maxsize=None)
def _lookup(key):
    return Session()


class LeakCheckTest(unittest.TestCase):
    """heapan.leakcheck(), in this process."""

    def test_a_leak_into_a_module_dict_is_found_with_its_path(self):
        with heapan.leakcheck() as lc:
            _CACHE["k"] = Session()
        self.assertEqual(len(lc.leaked), 1, lc.leaked)
        self.assertEqual(str(lc.leaked[0]).split(" (")[0],
                         "module %s . _CACHE [ 'k' ] -> Session" % __name__)
        self.assertGreater(lc.bytes, sys.getsizeof(_CACHE["k"].data))
        with self.assertRaises(heapan.LeakError) as raised:
            lc.assert_none()
        self.assertIn("_CACHE [ 'k' ] -> Session", str(raised.exception))
        lc.assert_none(limit="1MB")
        self.assertIsNone(lc.baseline)  # the dumps are gone

    def test_what_a_cache_keeps_counts_only_after_a_warm_up(self):
        with heapan.leakcheck() as lc:
            _lookup(1)
        self.assertEqual(lc.leaked, [])
        self.assertEqual(lc.bytes, 0)
        self.assertIn("cache", [c.kept for c in lc.kept])
        with heapan.leakcheck(warmed_up=True) as warm:
            _lookup(2)  # an unbounded cache that grows each call
        self.assertGreater(warm.bytes, 2000, warm.kept)
        self.assertEqual(warm.leaked[0].kept, "cache")

    def test_items_of_a_library_container_are_the_programs(self):
        # a Counter is a library class, but what the program puts in it is no library state
        with heapan.leakcheck() as lc:
            _TALLY["requests"] = 10 ** 40
        self.assertEqual([c.kept for c in lc.leaked], ["leak"], lc.kept)
        self.assertIn("_TALLY [ 'requests' ]", str(lc.leaked[0]))

    def test_garbage_and_released_objects_are_no_leak(self):
        with heapan.leakcheck() as lc:
            a, b = Session(), Session()
            a.other, b.other = b, a
            del a, b
            made = [Session() for _ in range(100)]
            del made
        self.assertEqual((lc.leaked, lc.bytes), ([], 0))
        lc.assert_none()

    def test_a_clean_block_needs_no_second_dump(self):
        def churn():
            made = [Session() for _ in range(100)]
            return len(made)
        churn()  # up to 3.10 each code object keeps a frame for its next call: made now
        with heapan.leakcheck() as lc:
            churn()
        self.assertTrue(lc.untouched)
        with heapan.leakcheck() as lc:
            _LOG.append(Session())
        self.assertFalse(lc.untouched)
        self.assertGreater(lc.bytes, 1000)

    def test_a_block_that_stops_tracemalloc_is_still_checked(self):
        import tracemalloc
        with heapan.leakcheck() as lc:
            _LOG.append(Session())
            tracemalloc.stop()  # what it traced is gone: no proof of a clean block
        self.assertFalse(lc.untouched)
        self.assertGreater(lc.bytes, 1000)
        self.assertFalse(tracemalloc.is_tracing())

    def test_without_the_program_it_counts_by_type(self):
        with heapan.leakcheck(heapan=False) as lc:
            _LOG.append(Session())
        self.assertFalse(lc.paths_known)
        grown = {name: (n, size) for name, n, size in lc.by_type}
        self.assertEqual(grown["%s.Session" % __name__][0], 1, lc.by_type)
        self.assertLess(lc.bytes, 16 * 1024, lc.by_type)
        with self.assertRaises(heapan.LeakError) as raised:
            lc.assert_none()
        self.assertIn("the heapan program was not found", str(raised.exception))

    def test_kept_dumps_and_a_failing_block(self):
        with tempfile.TemporaryDirectory() as where:
            with heapan.leakcheck(where, keep=True) as lc:
                _LOG.append(Session())
            self.assertEqual(sorted(os.listdir(where)), ["baseline.zst", "final.zst"])
            self.assertEqual(leaks(lc.baseline, lc.final).returncode, 0)
            lc.discard()
            self.assertEqual(os.listdir(where), [])
            with self.assertRaises(KeyError):
                with heapan.leakcheck(where, keep=True):
                    raise KeyError("the block's own error")
            self.assertEqual(os.listdir(where), [])  # a failed block is not checked

    def test_real_libraries_leak_nothing_after_a_warm_up(self):
        """Flask, pydantic and networkx keep caches and state of their own; once warmed
        up, a request, a model and a graph algorithm leave nothing."""
        try:
            import flask
            import networkx
            import pydantic
        except ImportError as missing:
            self.skipTest("this Python has no %s" % missing.name)
        app = flask.Flask("heapan_test")
        app.add_url_rule("/u/<int:n>", "user", lambda n: {"n": n, "name": "u%d" % n})
        client = app.test_client()
        model = type("User", (pydantic.BaseModel,), {"__annotations__": {"id": int, "name": str}})
        works = {
            "flask": lambda i: client.get("/u/%d" % i).status_code,
            "pydantic": lambda i: model(id=i, name="n%d" % i).model_dump_json()
            if hasattr(model, "model_dump_json") else model(id=i, name="n").json(),
            "networkx": lambda i: networkx.shortest_path_length(
                networkx.karate_club_graph(), 0, 33),
        }
        for name, work in works.items():
            work(1)
            with heapan.leakcheck(warmed_up=True) as lc:
                work(2)
            self.assertEqual(lc.leaked, [], name)
        # and a real leak through them is found, with its path
        graphs = _GRAPHS
        work = lambda i: graphs.__setitem__(i, networkx.karate_club_graph())
        work(1)
        with heapan.leakcheck(warmed_up=True) as lc:
            work(2)
        self.assertEqual(str(lc.leaked[0]).split(" (")[0],
                         "module %s . _GRAPHS [ 2 ] -> Graph" % __name__)
        self.assertGreater(lc.bytes, 20000)

    def test_sizes(self):
        from heapan.leaks import format_size, parse_size
        self.assertEqual([parse_size(s) for s in ("0", "4096", "512K", "1.5MiB", "1MB", 7)],
                         [0, 4096, 512 << 10, 3 << 19, 1 << 20, 7])
        for bad in ("lots", "-1", "1XB", True):
            with self.assertRaises(ValueError):
                parse_size(bad)
        self.assertEqual((format_size(512), format_size(1536)), ("512 B", "1.5 KiB"))


if __name__ == "__main__":
    unittest.main()
