"""A test runner has just run some of the standard library's own unittest suites,
with the collector enabled at its default thresholds."""
import io
import unittest

from _story import dump

suite = unittest.TestSuite()
loader = unittest.TestLoader()
for name in ("test.test_json", "test.test_textwrap", "test.test_heapq", "test.test_fnmatch"):
    suite.addTests(loader.loadTestsFromName(name))
result = unittest.TextTestRunner(stream=io.StringIO()).run(suite)
dump()
