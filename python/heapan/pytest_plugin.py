"""pytest --heapan: a test that leaves objects alive fails, with the path that holds them.

Loaded by the pytest11 entry point of the heapan package (or -p
heapan.pytest_plugin, or PYTEST_PLUGINS=heapan.pytest_plugin); it does
nothing without --heapan.  Each test's function runs between two dumps of
the process (heapan.leakcheck()); the heapan program matches their objects
by identity and clusters what survived by holder.  See docs/python.md.

    @pytest.mark.heapan_leaks(limit="1MB")   # this test may leave up to 1 MiB
    @pytest.mark.heapan_leaks(ignore=True)   # no check for this test
"""

import inspect
import os
import re
import shutil
import tempfile

import pytest

from heapan.leaks import LeakCheck, format_size, parse_size, printable

MARKER = "heapan_leaks"
# pytest's own packages: what their objects hold during a test (captured log
# records, warnings, reports) is the runner's, released after the test.
HARNESS = ("_pytest", "pytest", "pluggy")


def pytest_addoption(parser):
    group = parser.getgroup("heapan", "leak check by heap dumps (heapan)")
    group.addoption("--heapan", action="store_true", default=False,
                    help="fail a test that leaves objects alive after it, with what holds them")
    group.addoption("--heapan-leak-limit", metavar="SIZE", default=None,
                    help="what a test may leave alive: 0 (the default) or a size like 64K, 1MB; "
                         "a heapan_leaks(limit=...) marker wins")
    group.addoption("--heapan-repeat", metavar="N", type=int, default=1, choices=(1, 2),
                    help="2: run each test function twice with the same fixtures and count only "
                         "what the second run leaves, caches included (default 1)")
    group.addoption("--heapan-dir", metavar="DIR", default=None,
                    help="keep the two dumps of each failing test here, for heapan leaks")
    group.addoption("--heapan-top", metavar="N", type=int, default=5,
                    help="holders shown for a failing test (default 5)")
    parser.addini("heapan_leak_limit", "what a test may leave alive under --heapan (a size)",
                  default=None)


def pytest_configure(config):
    config.addinivalue_line("markers", "%s(limit=None, ignore=False): the heapan leak check's "
                                       "limit for this test, or no check" % MARKER)
    if config.getoption("heapan"):
        config.pluginmanager.register(LeakPlugin(config), "heapan-leakcheck")


def _limit_of(value, where):
    try:
        return parse_size(value)
    except ValueError as e:
        raise pytest.UsageError("heapan: %s: %s" % (where, e))


def _safe_name(nodeid):
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", nodeid).strip("_")[:150] or "test"


class Outcome:
    """One test's check, its limit, and whether it failed."""

    def __init__(self, nodeid, check, limit):
        self.nodeid, self.check, self.limit = nodeid, check, limit
        self.failed = check.bytes > limit
        self.kept_in = None
        caches = [c for c in check.kept if c.kept in ("cache", "import")]
        self.cached_bytes = sum(c.bytes for c in caches)
        self.largest_cache = str(max(caches, key=lambda c: c.bytes)) if caches else None


class LeakPlugin:
    def __init__(self, config):
        self.config = config
        self.repeat = config.getoption("heapan_repeat")
        self.top = config.getoption("heapan_top")
        self.keep_dir = config.getoption("heapan_dir")
        option = config.getoption("heapan_leak_limit")
        ini = config.getini("heapan_leak_limit")
        if option is not None:
            self.limit = _limit_of(option, "--heapan-leak-limit")
        elif ini:
            self.limit = _limit_of(ini, "heapan_leak_limit in the ini file")
        else:
            self.limit = 0
        self.scratch = tempfile.mkdtemp(prefix="heapan-pytest-")
        self.outcomes = {}

    def _limit_for(self, item):
        marker = item.get_closest_marker(MARKER)
        if marker is not None and "limit" in marker.kwargs:
            return _limit_of(marker.kwargs["limit"], "%s: heapan_leaks(limit=...)" % item.nodeid)
        return self.limit

    @pytest.hookimpl(tryfirst=True)
    def pytest_pyfunc_call(self, pyfuncitem):
        marker = pyfuncitem.get_closest_marker(MARKER)
        function = pyfuncitem.obj
        if (marker is not None and marker.kwargs.get("ignore")) or \
                inspect.iscoroutinefunction(function) or inspect.isasyncgenfunction(function):
            return None  # pytest (or an async plugin) calls it, unchecked
        limit = self._limit_for(pyfuncitem)
        arguments = {name: pyfuncitem.funcargs[name]
                     for name in pyfuncitem._fixtureinfo.argnames}
        if self.repeat == 2:
            function(**arguments)  # the warm-up: what it keeps on purpose is kept before the baseline
        directory = os.path.join(self.scratch, _safe_name(pyfuncitem.nodeid))
        check = LeakCheck(directory, warmed_up=self.repeat == 2, top=self.top, keep=True,
                          harness=HARNESS)
        with check:
            function(**arguments)
        outcome = Outcome(pyfuncitem.nodeid, check, limit)
        self.outcomes[pyfuncitem.nodeid] = outcome
        if outcome.failed and self.keep_dir:
            outcome.kept_in = self._keep(check, pyfuncitem.nodeid)
        check.discard()
        return True

    def _keep(self, check, nodeid):
        where = os.path.join(self.keep_dir, _safe_name(nodeid))
        os.makedirs(where, exist_ok=True)
        for path in (check.baseline, check.final):
            shutil.move(path, os.path.join(where, os.path.basename(path)))
        check.baseline = check.final = None
        return where

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item, call):
        result = yield
        report = result.get_result()
        outcome = self.outcomes.get(item.nodeid)
        if report.when != "call" or not report.passed or outcome is None or not outcome.failed:
            return
        lines = outcome.check.describe(outcome.limit, self.top)
        if outcome.kept_in:
            lines.append("  dumps: %s (heapan leaks %s %s)" % (
                outcome.kept_in, os.path.join(outcome.kept_in, "baseline.zst"),
                os.path.join(outcome.kept_in, "final.zst")))
        report.outcome = "failed"
        report.longrepr = "\n".join(lines)

    def pytest_terminal_summary(self, terminalreporter):
        failed = [o for o in self.outcomes.values() if o.failed]
        largest = sorted((o for o in self.outcomes.values() if o.check.bytes),
                         key=lambda o: -o.check.bytes)[:5]
        if largest:
            terminalreporter.write_sep("-", "heapan: tests that left the most alive")
            for o in largest:
                terminalreporter.write_line("%s %s%s" % (format_size(o.check.bytes), o.nodeid,
                                                         " (over its limit)" if o.failed else ""))
        # What one call cannot tell from a leak: shown, not counted.
        cached = sorted((o for o in self.outcomes.values() if o.cached_bytes),
                        key=lambda o: -o.cached_bytes)[:5]
        if cached and self.repeat == 1:
            terminalreporter.write_sep("-", "heapan: kept by a cache (not counted; "
                                            "--heapan-repeat 2 tells a cache from a leak)")
            for o in cached:
                terminalreporter.write_line("%s %s: %s" % (format_size(o.cached_bytes), o.nodeid,
                                                           o.largest_cache))
        summary = os.environ.get("GITHUB_STEP_SUMMARY")
        if summary and (failed or largest):
            with open(summary, "a", encoding="utf-8") as f:
                f.write(markdown_summary(failed, largest))

    def pytest_unconfigure(self, config):
        shutil.rmtree(self.scratch, ignore_errors=True)


def _md(text):
    """Text from a dump or a test id, safe in a Markdown table cell."""
    text = printable(text).replace("&", "&amp;").replace("<", "&lt;")
    return re.sub(r"([\\`*_\[\]|~#])", r"\\\1", text)


def markdown_summary(failed, largest):
    """The session as Markdown, for $GITHUB_STEP_SUMMARY."""
    out = ["## heapan: objects left alive by tests\n\n"]
    if failed:
        out.append("%d test%s left more alive than allowed:\n\n" % (
            len(failed), "" if len(failed) == 1 else "s"))
        out.append("| test | left alive | limit | held by |\n|---|---:|---:|---|\n")
        for o in failed:
            top = o.check.leaked[0] if o.check.leaked else None
            out.append("| %s | %s | %s | %s |\n" % (
                _md(o.nodeid), format_size(o.check.bytes), format_size(o.limit),
                _md(top) if top else "(by type: the heapan program was not found)"))
        out.append("\n")
    else:
        out.append("No test left more alive than its limit.\n\n")
    if largest:
        out.append("Largest: %s.\n\n" % ", ".join(
            "%s (%s)" % (_md(o.nodeid), format_size(o.check.bytes)) for o in largest))
    return "".join(out)
