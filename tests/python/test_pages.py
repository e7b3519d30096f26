"""The HTML pages, read as a browser would: the report's treemap names
each box by the reference that holds it, each chart sits under its own
heading, compare's bars leave out growths under the noise floor and cut
long labels in the middle (whole in the tooltip), and the trace's
timeline has a time axis while its icicle hides heapan's own runner.

Run by `make check` with PYTHONPATH set to the build tree and HEAPAN
naming the tool.
"""
import os
import re
import subprocess
import sys
import tempfile
import textwrap
import unittest
from html.parser import HTMLParser

HEAPAN = os.environ["HEAPAN"]
SAMPLES = os.path.join(os.environ["top_srcdir"], "samples")
UNITS = {"B": 1, "KiB": 1024, "MiB": 1024 ** 2, "GiB": 1024 ** 3}


class Page(HTMLParser):
    """Headings in order, and per SVG chart: the heading above it, its
    <title> tooltips and its <text> labels."""

    def __init__(self):
        super().__init__()
        self.headings, self.charts = [], []
        self.stack, self.text = [], ""

    def handle_starttag(self, tag, attrs):
        self.stack.append(tag)
        self.text = ""
        if tag == "svg":
            self.charts.append({"heading": self.headings[-1] if self.headings else None,
                                "titles": [], "labels": []})

    def handle_endtag(self, tag):
        if tag in ("h2", "h3"):
            self.headings.append(self.text)
        elif tag == "title" and "svg" in self.stack:
            self.charts[-1]["titles"].append(self.text)
        elif tag == "text" and "svg" in self.stack:
            self.charts[-1]["labels"].append(self.text)
        while self.stack and self.stack.pop() != tag:
            pass

    def handle_data(self, data):
        self.text += data


def page(*args):
    out = subprocess.run([HEAPAN, *args, "--format", "html"], capture_output=True, text=True)
    assert out.returncode in (0, 1), out.stderr
    p = Page()
    p.feed(out.stdout)
    return p


def size(text):
    number, unit = re.search(r"([\d.]+) (B|KiB|MiB|GiB)", text).groups()
    return float(number) * UNITS[unit]


class PagesTest(unittest.TestCase):
    def test_treemap_boxes_are_named_by_the_reference_that_holds_them(self):
        p = page("report", os.path.join(SAMPLES, "unbounded_cache.zst"))
        treemap = [c for c in p.charts if c["heading"] == "Treemap of the dominator tree"]
        self.assertEqual(len(treemap), 1)
        titles = treemap[0]["titles"]
        self.assertTrue(any("_CACHE" in t and "→" in t for t in titles), titles[:5])
        self.assertFalse(any(re.match(r"^\w+@0x", t) for t in titles), titles[:5])
        for heading in ("Types by retained size", "Modules by retained size"):
            self.assertIn(heading, [c["heading"] for c in p.charts])

    def test_compare_bars_skip_the_noise_and_cut_labels_in_the_middle(self):
        with tempfile.TemporaryDirectory() as tmp:
            script = os.path.join(tmp, "grow.py")
            with open(script, "w") as f:
                f.write(textwrap.dedent("""\
                    import logging, sys, heapan
                    n = int(sys.argv[2])
                    loggers = [logging.getLogger("service.handlers.requests.worker.%d" % i)
                               for i in range(n)]
                    small = ["x%d" % i for i in range(n // 100)]
                    heapan.dump(sys.argv[1], gc_collect=True)
                    """))
            dumps = []
            for n in (100, 3000):
                dumps.append(os.path.join(tmp, "d%d.zst" % n))
                subprocess.run([sys.executable, script, dumps[-1], str(n)], check=True)
            p = page("compare", "--noise", "64K", *dumps)
        bars = [c for c in p.charts if c["heading"] in ("Structures (matched by retention path)", "Types")]
        self.assertEqual(len(bars), 2, [c["heading"] for c in p.charts])
        for chart in bars:
            names = chart["labels"][0::2]
            values = chart["labels"][1::2]
            self.assertTrue(names)
            for name, value, title in zip(names, values, chart["titles"]):
                self.assertGreaterEqual(size(value), 64 * 1024, (name, value))
                self.assertLessEqual(len(name), 40)
                if len(title) > 40:
                    self.assertIn("…", name)
                    self.assertTrue(title.startswith(name.split("…")[0]), (name, title))
                    self.assertTrue(title.endswith(name.split("…")[1]), (name, title))

    def test_trace_timeline_has_a_time_axis_and_the_icicle_hides_the_runner(self):
        with tempfile.TemporaryDirectory() as tmp:
            script = os.path.join(tmp, "prog.py")
            with open(script, "w") as f:
                f.write("import time\nkeep = []\nfor i in range(30000):\n"
                        "    keep.append('v%d' % i * 3)\n    if i % 3000 == 0: time.sleep(0.01)\n")
            trace = os.path.join(tmp, "run.trace.zst")
            subprocess.run([sys.executable, "-m", "heapan", "run", "--trace", trace, script],
                           check=True)
            p = page("trace", trace)
        timeline = [c for c in p.charts if c["heading"] == "Timeline"]
        self.assertEqual(len(timeline), 1)
        self.assertTrue(any(re.fullmatch(r"[\d.]+ s", l) for l in timeline[0]["labels"]),
                        timeline[0]["labels"])
        icicles = [c for c in p.charts if c["heading"].startswith("Live bytes")]
        self.assertEqual(len(icicles), 2)
        for chart in icicles:
            self.assertTrue(chart["titles"])
            runner = [t for t in chart["titles"]
                      if "heapan/__main__.py" in t.split(", from")[0] or "runpy" in t.split(", from")[0]]
            self.assertEqual(runner, [])
            self.assertTrue(any("prog.py" in t for t in chart["titles"]))


if __name__ == "__main__":
    unittest.main()
