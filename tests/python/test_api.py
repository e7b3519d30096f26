"""heapan's Python API around dump(): tracebacks, paths, signals, exit, `-m heapan run`.

Run by `make check` with PYTHONPATH set to the build tree, HEAPAN and
DUMPTEXT naming the tool and tests/tools/dumptext.
"""
import errno
import json
import os
import signal
import subprocess
import sys
import tempfile
import textwrap
import tracemalloc
import unittest

import heapan

HEAPAN = os.environ["HEAPAN"]
DUMPTEXT = os.environ["DUMPTEXT"]


def records(path):
    return subprocess.run([DUMPTEXT, path], check=True, capture_output=True,
                          text=True).stdout.splitlines()


class Tracked:
    pass


class ApiTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.addCleanup(self.dir.cleanup)

    def path(self, name):
        return os.path.join(self.dir.name, name)

    def assert_sound(self, path):
        result = subprocess.run([HEAPAN, "check", path], capture_output=True, text=True)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)

    def test_tracebacks_name_the_allocating_line(self):
        tracemalloc.start(4)
        try:
            tracked = Tracked()  # the line tracemalloc records
            line = sys._getframe().f_lineno - 1
            heapan.dump(self.path("t.zst"))
        finally:
            tracemalloc.stop()
        lines = records(self.path("t.zst"))
        obj = next(l for l in lines if l.startswith("object 0x%x " % id(tracked)))
        stack = obj.split(" stack=")[1].split()[0]
        frame = next(l.split("frame=")[1] for l in lines if l.startswith("stack %s " % stack))
        self.assertIn("frame %s %s:%d" % (frame, __file__, line), lines)

    def test_no_tracebacks_without_tracemalloc(self):
        heapan.dump(self.path("n.zst"))
        self.assertFalse([l for l in records(self.path("n.zst"))
                          if " stack=" in l.split(" text=")[0]])

    def test_by_type_tallies_what_was_written(self):
        kept = [Tracked() for _ in range(1000)]
        counts = heapan.dump(self.path("b.zst"), by_type=True)
        tallies = counts["by_type"]
        self.assertEqual(sum(n for n, _ in tallies.values()), counts["objects"])
        self.assertEqual(sum(size for _, size in tallies.values()), counts["total_size"])
        self.assertGreaterEqual(tallies["%s.Tracked" % __name__][0], len(kept))
        self.assertIn("dict", tallies)  # builtins are named bare, as reports name them
        self.assertNotIn("by_type", heapan.dump(self.path("n.zst")))

    def test_expand_path(self):
        expanded = heapan.expand_path("dump-%p-%t-%%.zst")
        self.assertTrue(expanded.startswith("dump-%d-" % os.getpid()))
        self.assertTrue(expanded.endswith("Z-%.zst"))

    def test_dump_on_signal(self):
        previous = heapan.dump_on_signal(signal.SIGUSR1, self.path("sig-%p.zst"))
        try:
            os.kill(os.getpid(), signal.SIGUSR1)
        finally:
            signal.signal(signal.SIGUSR1, previous)
        self.assert_sound(self.path("sig-%d.zst" % os.getpid()))

    def run_script(self, body, *options, status=0):
        script = self.path("script.py")
        with open(script, "w") as f:
            f.write(textwrap.dedent(body))
        result = subprocess.run([sys.executable, "-m", "heapan", "run", *options, script,
                                 "one", "two"], capture_output=True, text=True,
                                cwd=self.dir.name)
        self.assertEqual(result.returncode, status, result.stderr)
        return result

    def test_run_dumps_at_exit_with_the_script_arguments(self):
        result = self.run_script("""
            import sys
            KEPT = ["kept-%d" % i for i in range(100)]
            print(sys.argv[1:], __name__)
            """, "--dump-at-exit", "exit-%p.zst")
        self.assertEqual(result.stdout.strip(), "['one', 'two'] __main__")
        dumps = [f for f in os.listdir(self.dir.name) if f.startswith("exit-")]
        self.assertEqual(len(dumps), 1)
        self.assert_sound(self.path(dumps[0]))

    def test_run_runs_a_module_as_python_m_does(self):
        package = self.path("tool")
        os.mkdir(package)
        open(os.path.join(package, "__init__.py"), "w").close()
        with open(os.path.join(package, "__main__.py"), "w") as f:
            f.write("import sys\nKEPT = [bytes(100) for i in range(50)]\n"
                    "print(sys.argv[1:], __name__, __spec__.name)\n")
        for module_option in (["-m", "tool"], ["-mtool"], ["--tracemalloc", "4", "-m", "tool"]):
            result = subprocess.run([sys.executable, "-m", "heapan", "run", "--dump-at-exit",
                                     "m.zst", *module_option, "-v", "--x", "a"],
                                    capture_output=True, text=True, cwd=self.dir.name)
            self.assertEqual(result.returncode, 0, result.stderr)
            self.assertEqual(result.stdout.strip(), "['-v', '--x', 'a'] __main__ tool.__main__")
            self.assert_sound(self.path("m.zst"))
        # the stdlib's own: python3 -m heapan run -m unittest works as python3 -m unittest
        result = subprocess.run([sys.executable, "-m", "heapan", "run", "--dump-at-exit", "u.zst",
                                 "-m", "unittest", "-h"], capture_output=True, text=True,
                                cwd=self.dir.name)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("-m unittest [-h]", result.stdout)
        missing = subprocess.run([sys.executable, "-m", "heapan", "run", "-m", "no_such_module"],
                                 capture_output=True, text=True, cwd=self.dir.name)
        self.assertEqual(missing.returncode, 1)
        self.assertIn("No module named no_such_module", missing.stderr)

    def test_run_dumps_on_signal_and_keeps_the_exit_status(self):
        self.run_script("""
            import os, signal, sys
            os.kill(os.getpid(), signal.SIGUSR1)
            sys.exit(3)
            """, "--dump-on-signal", "USR1", "--signal-path", "sig.zst", status=3)
        self.assert_sound(self.path("sig.zst"))

    def test_run_gc_collect_leaves_cycles_out_of_the_dump(self):
        script = """
            import gc
            gc.disable()  # so that every cycle waits for the dump's collection
            class Node:
                pass
            for n in range(5000):
                a, b = Node(), Node()
                a.peer, b.peer = b, a
            """
        unreachable = []
        for options in ((), ("--gc-collect",)):
            self.run_script(script, "--dump-at-exit", "cycles.zst", *options)
            report = self.path("cycles.json")
            subprocess.run([HEAPAN, "report", "-o", report, self.path("cycles.zst")], check=True)
            with open(report) as f:
                unreachable.append(json.load(f)["summary"]["unreachable_objects"])
        self.assertGreater(unreachable[0], 1000)
        self.assertLess(unreachable[1], 100)

    # ---- the dump file ------------------------------------------------------------

    def test_a_symlink_is_refused_and_its_target_untouched(self):
        target, link = self.path("target.txt"), self.path("link.zst")
        with open(target, "w") as f:
            f.write("precious")
        os.symlink(target, link)
        with self.assertRaises(OSError) as caught:
            heapan.dump(link)
        self.assertEqual(caught.exception.errno, errno.ELOOP)
        self.assertIn("symbolic link", str(caught.exception))
        self.assertEqual(caught.exception.filename, link)
        with open(target) as f:
            self.assertEqual(f.read(), "precious")
        self.assertEqual(sorted(os.listdir(self.dir.name)), ["link.zst", "target.txt"])

    def test_the_dump_is_owner_only_whatever_was_there(self):
        path = self.path("old.zst")
        with open(path, "w") as f:
            f.write("old")
        os.chmod(path, 0o644)
        heapan.dump(path)
        self.assertEqual(os.stat(path).st_mode & 0o777, 0o600)
        self.assert_sound(path)
        self.assertEqual(os.listdir(self.dir.name), ["old.zst"])  # no temporary file left

    def test_a_failed_write_is_an_oserror_and_keeps_the_old_dump(self):
        path = self.path("keep.zst")
        heapan.dump(path)
        with open(path, "rb") as f:
            old = f.read()
        # A file-size limit makes writes fail as a full disk does, with EFBIG.
        script = textwrap.dedent("""
            import errno, resource, signal, sys, heapan
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (65536, 65536))
            keep = [str(i) * 50 for i in range(200000)]
            try:
                heapan.dump(sys.argv[1])
            except OSError as e:
                print(type(e).__name__, errno.errorcode.get(e.errno), e.filename == sys.argv[1])
        """)
        out = subprocess.run([sys.executable, "-c", script, path], capture_output=True,
                             text=True, check=True).stdout
        self.assertEqual(out.strip(), "OSError EFBIG True")
        with open(path, "rb") as f:
            self.assertEqual(f.read(), old)
        self.assertEqual(os.listdir(self.dir.name), ["keep.zst"])

    def test_a_path_that_cannot_be_written_is_an_oserror(self):
        for path in ("/proc/version", self.path("missing/dir/x.zst")):
            with self.assertRaises(OSError) as caught:
                heapan.dump(path)
            self.assertTrue(caught.exception.errno, path)
            self.assertEqual(caught.exception.filename, path)

    def test_a_fifo_is_written_in_place(self):
        fifo = self.path("fifo")
        os.mkfifo(fifo)
        with open(self.path("copy.zst"), "wb") as copy:
            reader = subprocess.Popen(["cat", fifo], stdout=copy)
            heapan.dump(fifo)
            reader.wait()
        self.assert_sound(self.path("copy.zst"))

    def test_values_false_keeps_the_command_line_out(self):
        script = "import sys, heapan; heapan.dump(sys.argv[1], values=False)"
        path = self.path("v.zst")
        subprocess.run([sys.executable, "-c", script, path, "--password=hunter2"], check=True)
        info = subprocess.run([HEAPAN, "info", path], capture_output=True, text=True).stdout
        self.assertNotIn("hunter2", info)
        with open(path, "rb") as f:
            raw = f.read()
        self.assertNotIn(b"hunter2", subprocess.run(["zstd", "-dc"], input=raw,
                                                    capture_output=True).stdout)
        subprocess.run([sys.executable, "-c", script.replace("values=False", "values=True"),
                        path, "--password=hunter2"], check=True)
        info = subprocess.run([HEAPAN, "info", path], capture_output=True, text=True).stdout
        self.assertIn("hunter2", info)

    def test_the_build_tree_carries_the_package_metadata(self):
        import importlib.metadata as metadata
        import re
        top = os.environ["top_srcdir"]
        with open(os.path.join(top, "configure.ac")) as f:
            version = re.search(r"AC_INIT\(\[heapan\], \[([^\]]+)\]", f.read()).group(1)
        self.assertEqual(metadata.version("heapan"), version)
        dist = metadata.distribution("heapan")
        self.assertEqual(os.path.dirname(os.path.dirname(heapan.__file__)),
                         os.path.dirname(str(dist.locate_file("heapan"))))
        scripts = [e.value for e in dist.entry_points if e.group == "console_scripts"]
        self.assertEqual(scripts, ["heapan.tool:main"])

    def test_the_package_finds_the_analyzer(self):
        import heapan.tool
        self.assertEqual(os.path.realpath(heapan.tool.find_tool()),
                         os.path.realpath(os.environ["HEAPAN"]))
        env = dict(os.environ, HEAPAN="/nonexistent", PATH="/nonexistent")
        script = "import heapan.tool as t; print(t.find_tool())"
        # from the build tree, the tool beside the package is found without PATH
        out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                             text=True, check=True)
        self.assertTrue(out.stdout.strip().endswith(os.path.join("src", "heapan")), out.stdout)
        result = subprocess.run([sys.executable, "-c", "import heapan.tool as t, sys; "
                                 "t.find_tool = lambda: None; sys.exit(t.main())"],
                                env=env, capture_output=True, text=True)
        self.assertEqual(result.returncode, 2)
        self.assertIn("make install", result.stderr)

    def test_run_rejects_an_unknown_signal(self):
        result = self.run_script("pass\n", "--dump-on-signal", "NOPE", status=1)
        self.assertIn("unknown signal", result.stderr)


if __name__ == "__main__":
    unittest.main()
