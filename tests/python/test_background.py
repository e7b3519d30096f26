"""heapan.dump(background=True): a forked child writes the dump of the heap as
it was at the fork, running no Python code; and heapan.dump_on_memory(),
the watchdog that takes one such dump when memory crosses a limit, read
from the RSS or from a cgroup (v1 or v2; v2 against a fake hierarchy that
HEAPAN_CGROUP_ROOT names).

Run by `make check` with PYTHONPATH set to the build tree and HEAPAN naming
the tool.
"""
import glob
import os
import subprocess
import sys
import tempfile
import textwrap
import unittest

import heapan

from dumped import dumped_count

HEAPAN = os.environ["HEAPAN"]


def run_python(code, *args, env=None):
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)] + list(args),
                          capture_output=True, text=True, timeout=300, env=env)


def type_count(dump, type_name):
    return dumped_count(HEAPAN, dump, type_name)


class Before:
    pass


class Later:
    pass


class BackgroundDump(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.addCleanup(self.dir.cleanup)

    def path(self, name):
        return os.path.join(self.dir.name, name)

    def test_same_counts_as_a_foreground_dump_of_the_same_heap(self):
        # Both dumps are taken from one frame, with the same objects alive: the
        # slot's ints (no constants: a code object would keep them) are replaced
        # by ints of the same size, and the foreground result is made after its walk.
        code = """\
            import sys
            from heapan import _heapan
            class Planted:
                pass
            planted = [Planted() for _ in range(20000)]
            slot = [int("1048576"), 0]
            results = {}
            def take(background, path):
                if background:
                    slot[0], slot[1] = _heapan.dump_start(path)
                else:
                    results["fg"] = _heapan.dump(path)
            take(True, sys.argv[1])
            take(False, sys.argv[2])
            bg = _heapan.dump_finish(slot[0], slot[1])
            fg = results["fg"]
            # (not roots: an object the call's own stack holds counts as rooted outside)
            for key in ("objects", "total_size", "references", "types"):
                print(key, bg[key], fg[key])
            """
        result = run_python(code, self.path("bg.zst"), self.path("fg.zst"))
        self.assertEqual(result.returncode, 0, result.stderr)
        for line in result.stdout.splitlines():
            key, bg, fg = line.split()
            self.assertEqual(bg, fg, key)
        self.assertEqual(type_count(self.path("bg.zst"), "__main__.Planted"), 20000)

    def test_changes_after_the_fork_are_not_in_the_dump(self):
        before = [Before() for _ in range(1000)]
        handle = heapan.dump(self.path("bg.zst"), background=True)
        later = [Later() for _ in range(5000)]
        before.clear()
        counts = handle.wait()
        self.assertTrue(handle.done)
        self.assertIs(handle.wait(), counts)
        self.assertEqual(type_count(self.path("bg.zst"), Before.__module__ + ".Before"), 1000)
        self.assertEqual(type_count(self.path("bg.zst"), Later.__module__ + ".Later"), 0)
        self.assertGreater(counts["objects"], 1000)
        info = subprocess.run([HEAPAN, "info", self.path("bg.zst")], capture_output=True,
                              text=True).stdout
        self.assertIn("pid %d" % os.getpid(), info)  # the parent's, not the child's
        del later

    def test_the_child_runs_no_python_code(self):
        # atexit handlers, at-fork callbacks and finalisers would print here
        code = """\
            import atexit, os, sys, heapan
            atexit.register(lambda: print("atexit in", os.getpid(), flush=True))
            os.register_at_fork(after_in_child=lambda: print("at-fork child", flush=True))
            class Noisy:
                def __del__(self):
                    print("finaliser in", os.getpid(), flush=True)
            noisy = Noisy()
            handle = heapan.dump(sys.argv[1], background=True)
            handle.wait()
            print("parent", os.getpid(), flush=True)
            """
        result = run_python(code, self.path("bg.zst"))
        self.assertEqual(result.returncode, 0, result.stderr)
        lines = result.stdout.splitlines()
        parent = [l for l in lines if l.startswith("parent")][0].split()[1]
        self.assertNotIn("at-fork child", lines)
        for line in lines:
            self.assertTrue(line.endswith(parent), "the child ran Python code: %r" % line)

    def test_while_tracing_exactly(self):
        trace = heapan.trace(self.path("run.trace.zst"))
        try:
            for n in range(10):
                junk = [{"n": i} for i in range(2000)]
                heapan.dump(self.path("bg%d.zst" % n), background=True).wait(timeout=120)
                del junk
        finally:
            trace.stop()
        self.assertEqual(len(glob.glob(self.path("bg*.zst"))), 10)

    def test_a_failing_child_raises_in_wait(self):
        handle = heapan.dump(self.path("no/such/dir/bg.zst"), background=True)
        with self.assertRaisesRegex(RuntimeError, "background dump: .*No such file"):
            handle.wait()

    def test_wait_with_a_timeout(self):
        handle = heapan.dump(self.path("bg.zst"), background=True)
        try:
            handle.wait(timeout=0)
        except TimeoutError as error:
            self.assertIn("not finished", str(error))
        self.assertIn("objects", handle.wait(timeout=120))

    def test_by_type_is_refused(self):
        with self.assertRaisesRegex(ValueError, "by_type"):
            heapan.dump(self.path("bg.zst"), background=True, by_type=True)


def fake_cgroup_v2(root, current, limit):
    os.makedirs(root, exist_ok=True)
    for name, value in (("cgroup.controllers", "cpu memory"), ("memory.current", current),
                        ("memory.max", limit)):
        with open(os.path.join(root, name), "w") as f:
            f.write("%s\n" % value)


class MemoryWatchdog(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.addCleanup(self.dir.cleanup)

    def test_a_growing_program_leaves_one_dump_of_what_grew(self):
        code = """\
            import os, sys, time, heapan
            class Steady:
                pass
            class Grown:
                pass
            steady = [Steady() for _ in range(20000)]
            with open("/proc/self/statm") as f:
                rss = int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
            watch = heapan.dump_on_memory(rss + (30 << 20), sys.argv[1], interval=0.02)
            grown = []
            for step in range(40):  # 45 MB (3.8) to 60 MB in all: past the limit, below the end
                grown.extend(Grown() for _ in range(20000))
                time.sleep(0.02)
            time.sleep(0.5)
            while watch.state["running"]:
                time.sleep(0.05)
            print(watch.state["dumps"], watch.state["last_path"], watch.state["last_error"])
            """
        template = os.path.join(self.dir.name, "oom-%n.zst")
        result = run_python(code, template)
        self.assertEqual(result.returncode, 0, result.stderr)
        dump = os.path.join(self.dir.name, "oom-0001.zst")
        self.assertEqual(result.stdout.split()[:2], ["1", dump])
        self.assertEqual(glob.glob(os.path.join(self.dir.name, "oom-*.zst")), [dump])
        info = subprocess.run([HEAPAN, "info", dump], capture_output=True, text=True).stdout
        self.assertIn("heap dump, complete", info)
        top = subprocess.run([HEAPAN, "top", dump], capture_output=True, text=True).stdout
        first_instances = [l.split()[-1] for l in top.splitlines()[3:] if "__main__." in l]
        self.assertEqual(first_instances[0], "__main__.Grown", top)
        grown = type_count(dump, "__main__.Grown")
        self.assertTrue(0 < grown < 800000, grown)  # taken on the way up, not at the end

    def test_cgroup_v2_share_of_the_limit(self):
        root = os.path.join(self.dir.name, "cgroup")
        fake_cgroup_v2(root, 100 << 20, 1000 << 20)
        env = dict(os.environ, HEAPAN_CGROUP_ROOT=root)
        code = """\
            import sys, time, warnings, heapan
            from heapan import _heapan
            print(_heapan.cgroup_memory())
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                watch = heapan.dump_on_memory("40%", sys.argv[1], interval=0.01)
            print("warned", len(caught))
            time.sleep(0.2)
            print("before", watch.state["dumps"], watch.state["threshold"])
            with open(sys.argv[2], "w") as f:
                f.write("%d\\n" % (500 << 20))
            while watch.state["running"]:
                time.sleep(0.01)
            print("after", watch.state["dumps"])
            """
        dump = os.path.join(self.dir.name, "v2.zst")
        result = run_python(code, dump, os.path.join(root, "memory.current"), env=env)
        self.assertEqual(result.returncode, 0, result.stderr)
        lines = result.stdout.splitlines()
        self.assertEqual(lines[0], "{'version': 2, 'usage': %d, 'limit': %d}"
                         % (100 << 20, 1000 << 20))
        self.assertEqual(lines[1], "warned 0")  # 600 MB of room; the dump needs 1.4 x 400 MB
        self.assertEqual(lines[2], "before 0 %d" % (400 << 20))
        self.assertEqual(lines[3], "after 1")
        self.assertTrue(os.path.exists(dump))

    def test_rearm_dumps_again_at_each_doubling(self):
        root = os.path.join(self.dir.name, "cgroup")
        fake_cgroup_v2(root, 100, 1000 << 20)
        code = """\
            import sys, time, heapan
            watch = heapan.dump_on_memory("10%", sys.argv[1], rearm=True, interval=0.01)
            def reach(usage, dumps):
                with open(sys.argv[2], "w") as f:
                    f.write("%d\\n" % usage)
                while watch.state["dumps"] < dumps:
                    time.sleep(0.01)
                print(watch.state["dumps"], watch.state["threshold"] >> 20)
            reach(150 << 20, 1)   # past 100 MB: the next is at 200 MB
            reach(500 << 20, 2)   # past 200 and 400 MB at once: one dump, the next at 800 MB
            watch.stop()
            """
        result = run_python(code, os.path.join(self.dir.name, "r-%n.zst"),
                            os.path.join(root, "memory.current"),
                            env=dict(os.environ, HEAPAN_CGROUP_ROOT=root))
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout.splitlines(), ["1 200", "2 800"])
        self.assertEqual(sorted(os.path.basename(p) for p in
                                glob.glob(os.path.join(self.dir.name, "r-*.zst"))),
                         ["r-0001.zst", "r-0002.zst"])

    def test_warns_when_the_limit_leaves_no_room_for_the_dump(self):
        root = os.path.join(self.dir.name, "cgroup")
        fake_cgroup_v2(root, 100 << 20, 1000 << 20)
        code = """\
            import sys, warnings, heapan
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                watch = heapan.dump_on_memory("90%", sys.argv[1])
            watch.stop()
            print(caught[0].message if caught else "no warning")
            """
        result = run_python(code, os.path.join(self.dir.name, "x.zst"),
                            env=dict(os.environ, HEAPAN_CGROUP_ROOT=root))
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("the OOM killer may come first", result.stdout)

    def test_cgroup_v1(self):
        with open("/proc/self/cgroup") as f:
            if not any(line.split(":")[1] == "memory" for line in f if line.count(":") >= 2):
                self.skipTest("no cgroup v1 memory controller here")
        root = os.path.join(self.dir.name, "v1")
        os.makedirs(os.path.join(root, "memory"))
        for name, value in (("memory.usage_in_bytes", 300), ("memory.limit_in_bytes", 1000)):
            with open(os.path.join(root, "memory", name), "w") as f:
                f.write("%d\n" % value)
        code = "from heapan import _heapan; print(_heapan.cgroup_memory())"
        result = run_python(code, env=dict(os.environ, HEAPAN_CGROUP_ROOT=root))
        self.assertEqual(result.stdout.strip(), "{'version': 1, 'usage': 300, 'limit': 1000}")

    def test_a_share_needs_a_cgroup_limit(self):
        root = os.path.join(self.dir.name, "cgroup")
        fake_cgroup_v2(root, 100, "max")
        code = """\
            import heapan
            try:
                heapan.dump_on_memory("50%")
            except RuntimeError as error:
                print(error)
            """
        result = run_python(code, env=dict(os.environ, HEAPAN_CGROUP_ROOT=root))
        self.assertIn("needs a cgroup memory limit", result.stdout)

    def test_bad_limits(self):
        for limit in ("0", "150%", "lots", -5):
            with self.assertRaises(ValueError, msg=limit):
                heapan.dump_on_memory(limit)

    def test_only_one_at_a_time(self):
        watch = heapan.dump_on_memory("1000GB", os.path.join(self.dir.name, "x.zst"))
        try:
            with self.assertRaisesRegex(RuntimeError, "running already"):
                heapan.dump_on_memory("1000GB")
        finally:
            watch.stop()

    def test_run_dump_on_memory(self):
        script = os.path.join(self.dir.name, "grow.py")
        with open(script, "w") as f:
            f.write(textwrap.dedent("""\
                import time
                class Grown:
                    def __init__(self):
                        self.payload = bytes(200)
                grown = []
                for step in range(20):  # about 120 MB
                    grown.extend(Grown() for _ in range(20000))
                    time.sleep(0.02)
                time.sleep(0.5)
                print("done")
                """))
        template = os.path.join(self.dir.name, "run-%n.zst")
        result = subprocess.run([sys.executable, "-m", "heapan", "run", "--dump-on-memory",
                                 "60M", "--memory-path", template, script],
                                capture_output=True, text=True, timeout=300)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout, "done\n")
        self.assertEqual(glob.glob(os.path.join(self.dir.name, "run-*.zst")),
                         [os.path.join(self.dir.name, "run-0001.zst")])


if __name__ == "__main__":
    unittest.main()
