"""heapan.leakcheck(): what a block of code allocated and left alive, and what holds it.

    with heapan.leakcheck() as lc:
        handle(request)
    lc.assert_none(limit="64K")

Two dumps of this process, after gc.collect(), around the block; the heapan
program matches their objects by identity (heapan leaks) and clusters what
survived by the holder that keeps it, with a retention path.  Objects that
only a functools cache, a library module's own state or a new import keeps
are told apart ("cache", "import"): one run cannot tell a cache that fills
once from one that grows.  leakcheck(warmed_up=True), after running the
code once before the block, counts them too.
"""

import array
import gc
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tracemalloc

from heapan import _heapan, parse_by_type
from heapan import tool

__all__ = ["leakcheck", "LeakCheck", "Cluster", "LeakError", "parse_size", "format_size",
           "printable"]

_UNITS = {"": 1, "b": 1, "k": 1 << 10, "kb": 1 << 10, "kib": 1 << 10, "m": 1 << 20,
          "mb": 1 << 20, "mib": 1 << 20, "g": 1 << 30, "gb": 1 << 30, "gib": 1 << 30}


def parse_size(size):
    """Bytes from an int or a size as heapan's options spell it: 4096, 512K, 1.5MiB, 1MB."""
    if isinstance(size, int) and not isinstance(size, bool) and size >= 0:
        return size
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([A-Za-z]*)\s*", str(size))
    if not match or match.group(2).lower() not in _UNITS:
        raise ValueError("a size is a number of bytes or like 512K, 1.5MiB, 1MB, not %r" % (size,))
    return int(float(match.group(1)) * _UNITS[match.group(2).lower()])


def format_size(n):
    """1536 -> '1.5 KiB', as heapan's reports write sizes."""
    value, unit = float(n), "B"
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if value < 1024 or unit == "TiB":
            break
        value /= 1024
    return "%d B" % n if unit == "B" else "%.1f %s" % (value, unit)


def printable(text):
    """Text from a dump, with no control character or bidi override left to reach a terminal."""
    return "".join(c if c.isprintable() else "\ufffd" for c in str(text))


class LeakError(AssertionError):
    """Raised by LeakCheck.assert_none(): more was left alive than the limit allows."""


class Cluster:
    """The survivors one holder keeps: `held_by` (the holder's structure name),
    `path` (a retention path to one of them, `path_ends_at` its class), `kept` ("leak", or why they are
    kept on purpose: "cache", "bounded", "import", "local", "interpreter",
    "garbage"),
    `kept_by`, `counted` (whether it counts as leaked), `objects`, `bytes`,
    `retained_size`, `types` (a list of
    (name, objects, bytes)), and the `cause` and `fix` heapan names, if any."""

    def __init__(self, fields):
        self.held_by = fields.get("held_by")
        self.path = fields.get("path")
        self.path_ends_at = fields.get("path_ends_at")
        self.kept = fields.get("kept", "leak")
        self.counted = bool(fields.get("counted", self.kept == "leak"))
        self.kept_by = fields.get("kept_by")
        self.objects = int(fields.get("objects", 0))
        self.bytes = int(fields.get("bytes", 0))
        self.retained_size = int(fields.get("retained_size", 0))
        self.types = [(t["name"], int(t["objects"]), int(t["bytes"]))
                      for t in fields.get("types", [])]
        self.cause = fields.get("cause")
        self.fix = fields.get("fix")

    def __str__(self):
        where = self.path or self.held_by or "?"
        short = (self.path_ends_at or "").split(".")[-1]
        if self.path and short and not self.path.endswith(short):
            where += " -> " + short
        return "%s (%d object%s, %s)" % (printable(where), self.objects, "" if self.objects == 1 else "s",
                                         format_size(self.bytes))

    def __repr__(self):
        return "<heapan.Cluster %s: %s>" % (self.kept, self)


class LeakCheck:
    """The check behind heapan.leakcheck(); see there.  After the block:

    leaked: the clusters that count as leaked, most bytes first;
    kept: the clusters kept on purpose (caches, imports, ...), not counted;
    bytes, objects: what `leaked` holds;
    paths_known: False when the heapan program was not found, and the
        counts are by type (`by_type`) from the dumps' own summaries;
    report: heapan leaks' JSON, as a dict, or None;
    growth: (objects, bytes) the final dump holds more than the baseline
        (net: what the block freed is taken off);
    untouched: True when tracemalloc, started after the baseline, traced
        nothing still alive at the end: no object can have survived, and no
        final dump was taken (the check costs a dump and the hook);
    baseline, final: the dumps' paths while kept (keep=True).
    """

    def __init__(self, directory=None, warmed_up=False, top=10, keep=False, heapan=None,
                 values=False, harness=()):
        self.warmed_up, self.top, self.keep, self.values = warmed_up, top, keep, values
        self.harness = tuple(harness)
        self.heapan = heapan if heapan is not None else tool.find_tool()
        self._owns_directory = directory is None
        self.directory = directory
        self.leaked, self.kept, self.by_type = [], [], []
        self.bytes = self.objects = 0
        self.paths_known = bool(self.heapan)
        self.report = None
        self.baseline = self.final = None
        self._before = None
        # Filled in place at the baseline: a tuple of new ints would itself be left alive.
        self._before_counts = array.array("q", [0, 0])
        self.growth = (0, 0)
        self.untouched = False
        self._tracing = False
        self.checked = False

    def __enter__(self):
        if self.directory is None:
            self.directory = tempfile.mkdtemp(prefix="heapan-leakcheck-")
        else:
            os.makedirs(self.directory, exist_ok=True)
        # Every name the check needs later is made now, before the baseline.
        self.baseline = os.path.join(self.directory, "baseline.zst")
        self.final = os.path.join(self.directory, "final.zst")
        self.begin()
        return self

    def begin(self):
        """Take the baseline dump (done by __enter__)."""
        gc.collect()
        summary = _heapan.dump(self.baseline, values=self.values, tracebacks=False, level=1,
                               by_type=not self.paths_known)
        self._before = summary.get("by_type")
        self._before_counts[0], self._before_counts[1] = summary["objects"], summary["total_size"]
        # tracemalloc says at the end, for the cost of a hook, whether anything the block
        # allocated is still alive; a program that traces already keeps its own trace.
        if not tracemalloc.is_tracing():
            tracemalloc.start(1)
            self._tracing = True

    def end(self):
        """Take the final dump and find what survived (done by __exit__)."""
        gc.collect()
        if self._stop_tracing() == 0:
            # Nothing allocated since the baseline is alive: no object can have survived.
            self.untouched = self.checked = True
            return
        summary = _heapan.dump(self.final, values=self.values, tracebacks=False, level=1,
                               by_type=not self.paths_known)
        # The baseline's summary (one bytes object, without the tool) is the check's own.
        own = (1, sys.getsizeof(self._before)) if self._before is not None else (0, 0)
        self.growth = (summary["objects"] - self._before_counts[0] - own[0],
                       summary["total_size"] - self._before_counts[1] - own[1])
        if self.paths_known:
            self._analyse()
        else:
            self._by_type(parse_by_type(summary["by_type"]))
        self.checked = True

    def _stop_tracing(self):
        """The bytes tracemalloc holds traced (allocated in the block, still alive), or None."""
        if not self._tracing:
            return None
        self._tracing = False
        if not tracemalloc.is_tracing():
            return None  # the block stopped it (and maybe started it again): it proves nothing
        traced = tracemalloc.get_traced_memory()[0]
        tracemalloc.stop()
        return traced

    def __exit__(self, exc_type, exc, tb):
        if exc_type is not None:
            self._stop_tracing()
        try:
            if exc_type is None:
                self.end()
        finally:
            if not self.keep or exc_type is not None:
                self.discard()
        return False

    def _analyse(self):
        command = [self.heapan, "leaks", "--format", "json", "--progress=never",
                   "--top", str(self.top)]
        if self.warmed_up:
            command.append("--warmed-up")
        for module in self.harness:
            command += ["--harness", module]
        run = subprocess.run(command + [self.baseline, self.final], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, universal_newlines=True)
        if run.returncode != 0:
            raise RuntimeError("heapan leakcheck: %s failed: %s"
                               % (self.heapan, run.stderr.strip() or "exit %d" % run.returncode))
        self.report = json.loads(run.stdout)
        clusters = [Cluster(c) for c in self.report["clusters"]]
        self.leaked = [c for c in clusters if c.counted]
        self.kept = [c for c in clusters if not c.counted]
        self.bytes = int(self.report["leaked"]["bytes"])
        self.objects = int(self.report["leaked"]["objects"])

    def _by_type(self, after):
        """Net growth by class, from the two summaries: no identity, no holder."""
        before = parse_by_type(self._before) if self._before else {}
        # The baseline's summary, one bytes object, is all the check itself kept.
        objects, size = after.get("bytes", (0, 0))
        after["bytes"] = (objects - 1, size - sys.getsizeof(self._before or b""))
        grown = []
        for name, (objects, size) in after.items():
            had_objects, had_size = before.get(name, (0, 0))
            if size > had_size and objects > had_objects:
                grown.append((name, objects - had_objects, size - had_size))
        grown.sort(key=lambda t: (-t[2], t[0]))
        self.by_type = grown
        self.bytes = sum(t[2] for t in grown)
        self.objects = sum(t[1] for t in grown)

    def discard(self):
        """Remove the dumps (and the directory leakcheck made for them)."""
        for path in (self.baseline, self.final):
            if path:
                try:
                    os.unlink(path)
                except OSError:
                    pass
        if self._owns_directory and self.directory:
            shutil.rmtree(self.directory, ignore_errors=True)
        self.baseline = self.final = None

    def describe(self, limit=None, most=5):
        """The check's findings as lines of text, for a failure message."""
        lines = []
        if limit is not None:
            lines.append("heapan: %s in %d object%s left alive, over the limit of %s"
                         % (format_size(self.bytes), self.objects,
                            "" if self.objects == 1 else "s", format_size(limit)))
        if not self.paths_known:
            lines.append("  net growth by type (the heapan program was not found, so these "
                         "come from the dumps' summaries: no identity, no retention paths; "
                         "%s):" % tool.INSTALL_HINT)
            lines += ["    %s: +%d, %s" % (printable(name), n, format_size(size))
                      for name, n, size in self.by_type[:most]]
            return lines
        for c in self.leaked[:most]:
            lines.append("  %s" % c)
            if c.cause:
                lines.append("    cause: %s" % printable(c.cause))
        if self.kept:
            kept = sum(c.bytes for c in self.kept)
            lines.append("  not counted: %s kept on purpose (caches, imports, the interpreter, "
                         "pytest, replaced values)%s"
                         % (format_size(kept), "" if self.warmed_up else
                            " (run the code once first, pytest --heapan-repeat 2, to count "
                            "what grows in them)"))
        return lines

    def assert_none(self, limit=0):
        """Raise LeakError when more than `limit` bytes (an int, or "1MB") were left alive."""
        if not self.checked:
            raise RuntimeError("heapan leakcheck: assert_none() before the block ended")
        limit = parse_size(limit)
        if self.bytes > limit:
            raise LeakError("\n".join(self.describe(limit)))


def leakcheck(directory=None, *, warmed_up=False, top=10, keep=False, heapan=None, values=False,
              harness=()):
    """A context manager: what the block allocated and left alive, by what holds it.

    directory: where the two dumps go (default: a temporary directory, removed
        after); keep=True keeps them there for heapan report and heapan leaks.
    warmed_up: the code ran once before the block, so what caches and imports
        keep is growth too, and counts.
    top: how many holders to list.
    heapan: the heapan program (default: found as heapan.tool.find_tool() does);
        False: count by type from the dumps' summaries, without it.
    values: record string prefixes and numbers in the dumps (off: a kept dump
        holds no data of the process but its names).
    harness: the modules of a test runner around the block, whose objects'
        holds are theirs, not the block's (the pytest plugin passes _pytest).
    """
    return LeakCheck(directory, warmed_up=warmed_up, top=top, keep=keep, heapan=heapan,
                     values=values, harness=harness)
