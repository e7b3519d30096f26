"""pytest --heapan, run through pytester in fresh processes, as a user's suite runs.

Run as a script (make check runs it so): it runs itself under pytest, or
exits 77 (skipped) where this Python has no pytest, unless
HEAPAN_REQUIRE_PYTEST=1 (scripts/test-pytest.sh) makes that a failure.
"""
import os
import shutil
import subprocess
import sys

try:
    import pytest
except ImportError:
    pytest = None

if __name__ == "__main__":
    if pytest is None:
        print("SKIP: this Python (%s) has no pytest" % sys.executable)
        sys.exit(1 if os.environ.get("HEAPAN_REQUIRE_PYTEST") == "1" else 77)
    sys.exit(pytest.main([__file__, "-q", "-p", "pytester", "-p", "no:cacheprovider"]))

pytest_plugins = ["pytester"]

SUITE = '''
import functools, re
import pytest

class Session:
    def __init__(self):
        self.data = list(range(300))

_CACHE = {}
_HANDLERS = []
_MEMO = {}

def test_leaks_into_module_dict():
    _CACHE[len(_CACHE)] = Session()

@functools.lru_cache(maxsize=32)
def lookup(key):
    return Session()

def test_caches_on_purpose():
    lookup(1)
    re.compile(r"heapan[0-9]+ pattern")

def test_closure_in_registry():
    session = Session()
    _HANDLERS.append(lambda: session.data)

def test_only_garbage():
    a, b = Session(), Session()
    a.other, b.other = b, a

def test_clean():
    sessions = [Session() for _ in range(10)]
    assert len(sessions) == 10
'''


def run(pytester, *args, **env):
    """pytest in a fresh process, where the plugin loads by its entry point."""
    for name, value in env.items():
        pytester._monkeypatch.setenv(name, value)
    return pytester.runpytest_subprocess("-p", "no:cacheprovider", *args)


def test_a_leak_into_a_module_dict_fails_with_its_path(pytester):
    pytester.makepyfile(test_app=SUITE)
    result = run(pytester, "--heapan", "-k", "module_dict")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*left alive, over the limit of 0 B*",
                                 "*module test_app . _CACHE [[] 0 []] -> Session (* objects, * KiB)*"])


def test_caching_on_purpose_and_garbage_and_clean_tests_pass(pytester):
    pytester.makepyfile(test_app=SUITE)
    result = run(pytester, "--heapan", "-k", "on_purpose or garbage or clean")
    result.assert_outcomes(passed=3)


def test_a_closure_in_a_registry_fails(pytester):
    pytester.makepyfile(test_app=SUITE)
    result = run(pytester, "--heapan", "-k", "closure")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*module test_app . _HANDLERS [[] 0 []] -> function (* objects, *)*"])


def test_without_the_option_nothing_is_checked(pytester):
    pytester.makepyfile(test_app=SUITE)
    run(pytester).assert_outcomes(passed=5)


MARKED = '''
import pytest
_KEPT = []

@pytest.mark.heapan_leaks(ignore=True)
def test_ignored():
    _KEPT.append(bytearray(4096))

@pytest.mark.heapan_leaks(limit="1MB")
def test_under_its_limit():
    _KEPT.append(bytearray(4096))

@pytest.mark.heapan_leaks(limit=1000)
def test_over_its_limit():
    _KEPT.append(bytearray(4096))

def test_default_limit():
    _KEPT.append(bytearray(4096))
'''


def test_markers_set_a_limit_or_opt_out(pytester):
    pytester.makepyfile(test_marked=MARKED)
    result = run(pytester, "--heapan")
    result.assert_outcomes(passed=2, failed=2)
    result.stdout.fnmatch_lines(["*FAILED test_marked.py::test_over_its_limit*"])
    result.stdout.fnmatch_lines(["*FAILED test_marked.py::test_default_limit*"])


def test_the_option_and_the_ini_set_the_default_limit(pytester):
    pytester.makepyfile(test_marked=MARKED)
    # the marker's 1000 bytes still win over the option's 64K
    result = run(pytester, "--heapan", "--heapan-leak-limit", "64K")
    result.assert_outcomes(passed=3, failed=1)
    pytester.makeini("[pytest]\nheapan_leak_limit = 64K\n")
    run(pytester, "--heapan").assert_outcomes(passed=3, failed=1)
    result = run(pytester, "--heapan", "--heapan-leak-limit", "lots")
    assert result.ret != 0
    result.stderr.fnmatch_lines(["*--heapan-leak-limit*not 'lots'*"])


REPEATED = '''
import functools
_MEMO = {}
_LOG = []
calls = {"n": 0}

class Table:
    def __init__(self):
        self.rows = list(range(300))

def test_fills_a_memo_once():
    if "table" not in _MEMO:
        _MEMO["table"] = Table()

def test_leaks_each_call():
    _LOG.append(Table())

@functools.lru_cache(maxsize=None)
def cached(n):
    return Table()

def test_grows_an_unbounded_cache():
    calls["n"] += 1
    cached(calls["n"])
'''


def test_repeat_2_counts_only_what_the_second_call_leaves(pytester):
    pytester.makepyfile(test_repeat=REPEATED)
    once = run(pytester, "--heapan")
    # the memo filled on the first call is the program's own dict: with one call, a leak
    once.stdout.fnmatch_lines(["*FAILED test_repeat.py::test_fills_a_memo_once*",
                               "*FAILED test_repeat.py::test_leaks_each_call*"])
    once.assert_outcomes(passed=1, failed=2)
    twice = run(pytester, "--heapan", "--heapan-repeat", "2")
    # warmed up: the memo is full, the log and the unbounded cache grow again
    twice.stdout.fnmatch_lines(["*FAILED test_repeat.py::test_leaks_each_call*",
                                "*FAILED test_repeat.py::test_grows_an_unbounded_cache*"])
    twice.assert_outcomes(passed=1, failed=2)


RUNNER = '''
import logging, os, warnings
log = logging.getLogger(__name__)
_CURRENT = {}

class Session:
    def __init__(self):
        self.data = list(range(300))

def test_logs(caplog):
    log.warning("a warning %s", "x" * 100)
    logging.getLogger().error("an error")
    assert "an error" in caplog.text

def test_warns():
    warnings.warn("careful", UserWarning)

def test_prints(capsys):
    print("hello " * 100)
    assert "hello" in capsys.readouterr().out

def test_sets_the_environment(monkeypatch):
    monkeypatch.setenv("HEAPAN_PLUGIN_TEST", "1" * 50)

def test_replaces_the_current_session():
    _CURRENT["session"] = Session()
'''


def test_the_runners_own_state_and_replacements_are_no_leak(pytester):
    pytester.makepyfile(test_runner=RUNNER)
    # the first call fills the replaced slot: with one call, that is what it left
    once = run(pytester, "--heapan")
    once.assert_outcomes(passed=4, failed=1)
    once.stdout.fnmatch_lines(["*FAILED test_runner.py::test_replaces_the_current_session*"])
    # after a warm-up: log records pytest keeps until teardown, the warnings registry,
    # a value set anew in os.environ and in a module's dict: none grows
    run(pytester, "--heapan", "--heapan-repeat", "2").assert_outcomes(passed=5)


def test_a_leak_into_a_library_cache_is_told_apart(pytester):
    pytester.makepyfile(test_logging='''
import logging, itertools
counter = itertools.count()
def test_a_logger_per_call():
    logging.getLogger("svc.request.%d" % next(counter)).info("x")
''')
    # one call cannot tell logging's registry of loggers from a leak: it is "kept"
    once = run(pytester, "--heapan")
    once.assert_outcomes(passed=1)
    once.stdout.fnmatch_lines(["*heapan: kept by a cache (not counted*",
                               "*test_logging.py::test_a_logger_per_call: module logging . *Logger*"])
    # after a warm-up, the registry grows again: a leak
    result = run(pytester, "--heapan", "--heapan-repeat", "2")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*module logging . *Logger*"])


def test_the_session_summary_and_the_kept_dumps(pytester, tmp_path):
    pytester.makepyfile(test_app=SUITE)
    summary, dumps = tmp_path / "summary.md", tmp_path / "dumps"
    # a hostile key: a bidi override, a table's pipe, a tag
    pytester.makepyfile(test_hostile='''
from test_app import Session, _CACHE
def test_hostile_key():
    _CACHE["a|b\\u202e<b>"] = Session()
''')
    result = run(pytester, "--heapan", "--heapan-dir", str(dumps), "-k", "module_dict or clean or hostile",
                 GITHUB_STEP_SUMMARY=str(summary))
    result.assert_outcomes(passed=1, failed=2)
    text = summary.read_text()
    assert "## heapan: objects left alive by tests" in text
    assert "test\\_app.py::test\\_leaks\\_into\\_module\\_dict" in text
    assert "\\_CACHE \\[ 0 \\] -> Session" in text
    assert "\u202e" not in text and "<b>" not in text
    assert "'a\\|b\ufffd&lt;b>' \\] -> Session" in text
    assert "\u202e" not in result.stdout.str()
    kept = dumps / "test_app.py_test_leaks_into_module_dict"
    assert sorted(os.listdir(str(kept))) == ["baseline.zst", "final.zst"]
    heapan = os.environ["HEAPAN"]
    leaks = subprocess.run([heapan, "leaks", "--format", "json", str(kept / "baseline.zst"),
                            str(kept / "final.zst")], stdout=subprocess.PIPE, check=True)
    assert b"_CACHE" in leaks.stdout
    # only the failing tests' dumps are kept
    assert sorted(os.listdir(str(dumps))) == ["test_app.py_test_leaks_into_module_dict",
                                              "test_hostile.py_test_hostile_key"]


def test_loaded_with_p_or_pytest_plugins_too(pytester):
    pytester.makepyfile(test_app=SUITE)
    both = run(pytester, "-p", "heapan.pytest_plugin", "--heapan", "-k", "module_dict")
    both.assert_outcomes(failed=1)
    alone = run(pytester, "-p", "heapan.pytest_plugin", "--heapan", "-k", "module_dict",
                PYTEST_DISABLE_PLUGIN_AUTOLOAD="1")
    alone.assert_outcomes(failed=1)
    named = run(pytester, "--heapan", "-k", "module_dict", PYTEST_DISABLE_PLUGIN_AUTOLOAD="1",
                PYTEST_PLUGINS="heapan.pytest_plugin")
    named.assert_outcomes(failed=1)


def test_without_the_heapan_program_it_counts_by_type(pytester, tmp_path):
    # The package alone, away from the build tree, with no heapan on PATH.
    import heapan
    package = tmp_path / "site" / "heapan"
    shutil.copytree(os.path.dirname(heapan.__file__), str(package))
    for entry in os.listdir(os.path.dirname(os.path.dirname(heapan.__file__))):
        if entry.startswith("heapan-") and entry.endswith(".dist-info"):
            shutil.copytree(os.path.join(os.path.dirname(os.path.dirname(heapan.__file__)), entry),
                            str(tmp_path / "site" / entry))
    pytester.makepyfile(test_app=SUITE)
    result = run(pytester, "--heapan", "-k", "module_dict or clean",
                 PYTHONPATH=str(tmp_path / "site"), HEAPAN="", PATH=os.path.dirname(sys.executable))
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*net growth by type (the heapan program was not found*",
                                 "*test_app.Session: +1, *"])
