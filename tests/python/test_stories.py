"""The report's whole story on programs shaped like real ones (tests/python/stories/):
the first finding and its wording, the first suggestion, no bounding advice on
legitimate data, no finding on healthy programs, whose code each finding is in,
and a leak claimed only with evidence of growth.

Run by `make check` with PYTHONPATH set to the build tree and HEAPAN set; a
program that needs a package this Python lacks is skipped, saying which.
"""
import importlib.util
import json
import os
import re
import subprocess
import sys
import tempfile
import unittest

HEAPAN = os.environ["HEAPAN"]
STORIES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "stories")
BOUNDING = {"bounded_cache", "deque", "class_cache"}


def needs(*modules):
    missing = [m for m in modules if importlib.util.find_spec(m) is None]
    return unittest.skipIf(missing, "needs %s, which this Python lacks" % ", ".join(missing))


def needs_version(major, minor, why):
    return unittest.skipIf(sys.version_info < (major, minor), why)


class Stories(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def path(self, name):
        return os.path.join(self.tmp.name, name)

    def run_program(self, name, *args):
        env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1",
                   PYTHONPATH=os.pathsep.join([os.environ.get("PYTHONPATH", ""), STORIES]))
        subprocess.run([sys.executable, os.path.join(STORIES, name + ".py")] + list(args),
                       check=True, env=env, cwd=self.tmp.name)

    def heapan(self, *args, expect=(0, 1)):
        result = subprocess.run([HEAPAN] + list(args), capture_output=True, text=True)
        self.assertIn(result.returncode, expect, result.stderr)
        return result

    def report(self, dump, *options, fmt="json"):
        out = self.path(os.path.basename(dump) + "." + fmt)
        self.heapan("report", "--progress", "never", "-o", out, *options, dump)
        with open(out, encoding="utf-8") as f:
            return json.load(f) if fmt == "json" else f.read()

    def story(self, name):
        dump = self.path(name + ".zst")
        self.run_program(name, dump)
        return self.report(dump), dump

    # ---- what every story must hold -----------------------------------------------

    def assert_truthful(self, doc):
        """No claim beyond the evidence, every finding told apart, the schema's fields."""
        self.assertEqual(doc["schema"], "heapan.report/2")
        paths = [f["path_text"] for f in doc["leak_candidates"] if f["path_text"]]
        self.assertEqual(len(paths), len(set(paths)), paths)
        for finding in doc["leak_candidates"]:
            if finding["evidence"] == "one_dump":
                self.assertFalse(finding["leak"], finding)
                for word in ("classic leak", "grows with every", "only grows"):
                    self.assertNotIn(word, finding["reason"])
                    self.assertNotIn(word, finding["cause_text"] or "")
            if not finding["leak"] and finding["cause"] is None:
                self.assertIsNone(finding["fix"], finding)
        for suggestion in doc["suggestions"]:
            if suggestion["kind"] in {"bounded_cache", "deque"}:
                fixed = doc["leak_candidates"][suggestion["fixes"] - 1]
                self.assertTrue(fixed["leak"] or fixed["cause"], (suggestion, fixed))
        ranks = [s["in_library"] for s in doc["suggestions"]]
        self.assertEqual(ranks, sorted(ranks), "the program's own suggestions come first")

    def assert_data(self, doc):
        """Legitimate data: sizes, no leak, no bounding or eviction advice."""
        self.assert_truthful(doc)
        self.assertFalse([f for f in doc["leak_candidates"] if f["leak"]])
        self.assertFalse([s for s in doc["suggestions"] if s["kind"] in BOUNDING])
        if doc["leak_candidates"]:
            self.assertIsNotNone(doc["summary"]["limits"])

    def assert_healthy(self, doc):
        self.assert_truthful(doc)
        self.assertEqual(doc["leak_candidates"], [], [f["reason"] for f in doc["leak_candidates"]])
        self.assertFalse([s for s in doc["suggestions"] if s["kind"] in BOUNDING])

    def first(self, doc, cause):
        """The first finding has `cause`, and its fix is the first suggestion."""
        self.assert_truthful(doc)
        self.assertTrue(doc["leak_candidates"], "no finding")
        finding = doc["leak_candidates"][0]
        self.assertEqual(finding["cause"], cause, finding["reason"])
        self.assertEqual(finding["fix"], 1, doc["suggestions"][:2])
        self.assertEqual(doc["suggestions"][0]["fixes"], 1)
        return finding, doc["suggestions"][0]

    # ---- legitimate data ---------------------------------------------------------

    @needs("networkx")
    def test_a_networkx_graph_is_data_not_a_leak(self):
        doc, _ = self.story("networkx_routes")
        self.assert_data(doc)
        finding = doc["leak_candidates"][0]
        self.assertEqual(finding["kind"], "large_collection")
        self.assertRegex(finding["reason"], r"^This dict holds \d+ entries")
        self.assertIn("roads", finding["path_text"])
        self.assertEqual((finding["owner"], finding["owner_name"]), ("package", "networkx"))
        self.assertIsNone(finding["fix"])

    @needs("boto3")
    def test_boto3_clients_are_botocore_data_told_apart(self):
        doc, _ = self.story("boto3_clients")
        self.assert_data(doc)
        self.assertGreaterEqual(len(doc["leak_candidates"]), 2)
        for finding in doc["leak_candidates"]:
            self.assertEqual((finding["owner"], finding["owner_name"]), ("package", "botocore"))
        interning = [s for s in doc["suggestions"] if s["kind"] == "intern_strings"]
        self.assertTrue(interning and interning[0]["in_library"], interning)

    @needs("sympy")
    def test_sympy_expressions_are_data(self):
        doc, _ = self.story("sympy_algebra")
        self.assert_data(doc)

    @needs("pydantic")
    def test_pydantic_models_are_data_and_get_no_slots(self):
        doc, _ = self.story("pydantic_orders")
        self.assert_data(doc)
        self.assertEqual(doc["leak_candidates"][0]["path_text"], "module __main__ . orders")
        # BaseModel keeps a __dict__: __slots__ on Order would save nothing
        self.assertFalse([s for s in doc["suggestions"] if s["kind"] == "slots" and
                          s["target"].endswith("Order")])

    def test_a_registry_of_classes_is_no_cache(self):
        doc, _ = self.story("plugin_registry")
        self.assert_data(doc)
        self.assertFalse([f for f in doc["leak_candidates"] if f["cause"]])

    # ---- healthy programs --------------------------------------------------------

    @needs("flask")
    def test_a_flask_service_after_its_requests_has_no_finding(self):
        doc, _ = self.story("flask_service")
        self.assert_healthy(doc)

    def test_a_batch_job_that_drops_its_batches_has_no_finding(self):
        doc, _ = self.story("healthy_batches")
        self.assert_healthy(doc)

    @needs("test.test_json")
    def test_unittest_suites_leave_cycles_for_the_collector_not_a_finding(self):
        doc, _ = self.story("unittest_run")
        self.assert_healthy(doc)
        self.assertFalse([f for f in doc["leak_candidates"] if f["kind"] == "garbage"])
        collector = doc["summary"]["collector"]
        self.assertTrue(collector["enabled"] and collector["collects_automatically"])
        pending = doc["summary"]["pending_cycles"]
        if pending["objects"]:
            self.assertIn("await the next collection", pending["text"])

    # ---- causes named from one dump ------------------------------------------------

    def test_loggers_made_per_request(self):
        doc, _ = self.story("request_loggers")
        finding, fix = self.first(doc, "loggers_per_request")
        self.assertFalse(finding["leak"])
        self.assertIn("'shop.checkout.*'", finding["cause_text"])
        self.assertEqual(finding["owner"], "program")
        self.assertEqual(fix["kind"], "shared_logger")
        self.assertIn('getLogger("shop.checkout")', fix["example"])
        # the loggers' own empty lists are the logger fix's, not a suggestion ahead of it
        self.assertFalse([s for s in doc["suggestions"] if s["kind"] == "empty_collections"
                          and "Logger" in s["target"]])

    def test_lru_cache_on_a_method_comes_before_the_strings_it_keeps(self):
        doc, _ = self.story("method_cache")
        finding, fix = self.first(doc, "method_cache")
        self.assertTrue(finding["class_name"].endswith("Template"), finding["class_name"])
        self.assertEqual(finding["member_name"], "render")
        self.assertIn("B019", finding["cause_text"])
        self.assertIn("keys hold self", finding["cause_text"])
        self.assertEqual(finding["lru_cache"], {"hits": 0, "misses": 1200, "maxsize": None})
        self.assertEqual(fix["kind"], "method_cache")
        self.assertTrue(fix["target"].endswith("Template.render"))
        self.assertIn("class Template:", fix["example"])
        self.assertIn("def render(self", fix["example"])
        self.assertIn("intern_strings", fix["note"])
        own = [s["kind"] for s in doc["suggestions"] if not s["in_library"]]
        self.assertNotIn("intern_strings", own[:1])

    def test_finished_asyncio_tasks_and_their_weak_index(self):
        doc, _ = self.story("asyncio_tasks")
        finding, fix = self.first(doc, "finished_tasks")
        self.assertEqual(finding["path_text"], "module __main__ . background")
        self.assertEqual(len(finding["folded"]), 1)
        # asyncio's WeakSet of all tasks: a module global before 3.12, module state after
        self.assertRegex(finding["folded"][0]["path_text"], r"_all_tasks|WeakSet")
        self.assertEqual(len([f for f in doc["leak_candidates"]
                              if re.search(r"_all_tasks|WeakSet", f["path_text"])]), 0)
        self.assertEqual(fix["kind"], "done_tasks")
        self.assertIn("background.discard", fix["example"])

    def test_stored_exceptions_keep_their_frames(self):
        doc, _ = self.story("stored_exceptions")
        finding, fix = self.first(doc, "stored_exceptions")
        self.assertIn("traceback", finding["cause_text"])
        self.assertEqual(fix["kind"], "drop_tracebacks")
        self.assertIn("except ValueError as e:", fix["example"])
        self.assertIn("failures", fix["example"])

    def test_bound_methods_in_an_event_bus(self):
        doc, _ = self.story("event_bus")
        finding, fix = self.first(doc, "callbacks")
        self.assertEqual(fix["kind"], "weak_callbacks")
        self.assertIn("subscribers", fix["example"])

    @needs("blinker")
    def test_receivers_of_a_signal_and_their_index(self):
        doc, _ = self.story("signal_receivers")
        finding, fix = self.first(doc, "callbacks")
        self.assertTrue(finding["path_text"].endswith("receivers"), finding["path_text"])
        self.assertEqual(finding["owner"], "program")
        # blinker's index of the same receivers, by their ids, is folded in
        self.assertEqual(len(finding["folded"]), 1, finding["folded"])
        self.assertFalse([f for f in doc["leak_candidates"] if "_by_receiver" in f["path_text"]])
        self.assertEqual(fix["kind"], "weak_callbacks")
        self.assertFalse(fix["in_library"])

    def test_a_class_attribute_used_as_a_cache(self):
        doc, _ = self.story("class_attribute_cache")
        finding, fix = self.first(doc, "class_attribute_cache")
        self.assertFalse(finding["leak"])
        self.assertEqual(finding["member_name"], "_answers")
        self.assertIn("never freed while the class lives", finding["cause_text"])
        self.assertEqual(fix["kind"], "class_cache")
        self.assertIn("class Geocoder:", fix["example"])

    # ---- leaks the dump proves ------------------------------------------------------

    def test_a_cache_that_never_hits_is_a_leak_the_dump_proves(self):
        doc, _ = self.story("memo_never_hits")
        finding, fix = self.first(doc, "function_cache")
        self.assertTrue(finding["leak"])
        self.assertEqual(finding["evidence"], "in_dump")
        self.assertEqual(finding["lru_cache"]["hits"], 0)
        self.assertEqual(fix["kind"], "bounded_cache")
        self.assertIn("Remove the cache on render_page()", fix["message"])

    def test_cycles_with_the_collector_disabled(self):
        doc, _ = self.story("gc_disabled")
        finding, fix = self.first(doc, "gc_disabled")
        self.assertEqual(finding["kind"], "garbage")
        self.assertTrue(finding["leak"])
        self.assertFalse(doc["summary"]["collector"]["enabled"])
        self.assertEqual(fix["kind"], "collect_garbage")

    @needs_version(3, 11, "frozen objects are found from 3.11 on")
    def test_cycles_frozen_by_gc_freeze(self):
        doc, _ = self.story("frozen_cycles")
        finding, fix = self.first(doc, "gc_frozen")
        self.assertTrue(finding["leak"])
        self.assertIn("gc.collect() just before gc.freeze()", fix["message"])

    # ---- leaks proven by growth --------------------------------------------------

    def test_a_cache_that_grew_since_a_baseline_is_a_leak(self):
        early, late = self.path("growth-early.zst"), self.path("growth-late.zst")
        self.run_program("cache_growth", early, late)
        alone = self.report(late)
        self.assertFalse(alone["leak_candidates"][0]["leak"])
        self.assertFalse([s for s in alone["suggestions"] if s["kind"] in BOUNDING])
        doc = self.report(late, "--baseline", early)
        finding, fix = self.first(doc, None)
        self.assertTrue(finding["leak"])
        self.assertEqual(finding["evidence"], "baseline")
        self.assertIn("from 300 entries", finding["evidence_text"])
        self.assertEqual(fix["kind"], "bounded_cache")
        self.assertIn("baseline", doc["summary"]["evidence"])
        compared = self.path("growth.json")
        self.heapan("compare", "-o", compared, early, late)
        with open(compared, encoding="utf-8") as f:
            leaks = json.load(f)["leaks"]
        self.assertEqual([l["path_text"] for l in leaks], ["module __main__ . _RESPONSES"])
        self.assertIn("bound it", leaks[0]["fix"])

    def test_a_list_whose_sites_grow_in_the_trace_is_a_leak(self):
        trace, dump = self.path("audit.trace.zst"), self.path("audit.zst")
        env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
        subprocess.run([sys.executable, "-m", "heapan", "run", "--trace", trace, "--dump-at-exit",
                        dump, os.path.join(STORIES, "event_log_growth.py")], check=True, env=env,
                       cwd=self.tmp.name)
        doc = self.report(dump, "--trace", trace)
        finding, fix = self.first(doc, None)
        self.assertTrue(finding["leak"])
        self.assertEqual(finding["evidence"], "trace")
        self.assertIn("event_log_growth.py", finding["evidence_text"])
        self.assertEqual(fix["kind"], "deque")

    # ---- the same story in every format, said once ---------------------------------------

    def test_markdown_and_html_tell_the_json_story(self):
        doc, dump = self.story("request_loggers")
        markdown = self.report(dump, fmt="md")
        html = self.report(dump, fmt="html")
        finding, fix = doc["leak_candidates"][0], doc["suggestions"][0]
        self.assertEqual(markdown.count("What one dump shows."), 1)
        self.assertEqual(html.count("What one dump shows."), 1)
        for text in (markdown, html):
            self.assertIn("shop.checkout.", text)
            self.assertIn("Growth:", text)
            self.assertIn("the program", text)
            self.assertIn("shared_logger", text)
            self.assertIn("the fix of finding 1", text)
        self.assertIn("suggestion 1 (shared_logger)", markdown)
        self.assertRegex(html, r"suggestion 1 \(shared_logger\)")
        self.assertIn(re.sub(r"'", "&#39;", finding["cause_text"])[:60], html)
        self.assertIn(fix["kind"], markdown)

    def test_own_code_leaves_out_what_libraries_would_change(self):
        doc, dump = self.story("buffered_log_records")
        self.assert_data(doc)
        slots = [s for s in doc["suggestions"] if s["kind"] == "slots"]
        self.assertTrue(slots and slots[0]["target"] == "logging.LogRecord", slots)
        self.assertEqual((slots[0]["owner"], slots[0]["in_library"]), ("stdlib", True))
        everything = self.report(dump)
        own = self.report(dump, "--own-code")
        self.assertTrue(any(s["in_library"] for s in everything["suggestions"]),
                        everything["suggestions"])
        self.assertFalse([s for s in own["suggestions"] if s["in_library"]])


if __name__ == "__main__":
    unittest.main()
