"""`heapan attach PID`: a dump or a trace of a running CPython process that
never imported heapan, and every way it refuses, each in one line with exit 2.

Each target plants a structure (N instances of a class of its own), runs in
its shape (a busy loop, asleep, blocked in recv, four threads allocating,
a subprocess's child, an asyncio server), and waits for a go-file.  The
test attaches, checks the dump holds the structure, and then that the
target finishes with its own output and exit status, its signal handlers
and threads as they were, and no heapan module imported.

Run by `make check` with PYTHONPATH set to the build tree and HEAPAN naming
the tool.  Exits 77 (skipped) where this user may not ptrace its children.
"""
import contextlib
import glob
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
import unittest

from dumped import dumped_count

HEAPAN = os.environ["HEAPAN"]
EXIT_STATUS = 7

PLANT = textwrap.dedent("""\
    import os, sys, signal, threading, time
    GO = sys.argv[1]
    class Planted:
        def __init__(self, i):
            self.i = i
    planted = [Planted(i) for i in range(int(sys.argv[2]))]
    def go():
        return os.path.exists(GO)
    def finish(extra=""):
        print("done", len(planted), signal.getsignal(signal.SIGINT).__name__,
              threading.active_count(), "heapan" in sys.modules, extra, flush=True)
        sys.exit(%d)
    """ % EXIT_STATUS)

TARGETS = {
    "busy loop": """\
        print("ready", os.getpid(), flush=True)
        n = 0
        while True:
            n += 1
            if n % 200000 == 0 and go():
                break
        finish()
        """,
    "asleep": """\
        print("ready", os.getpid(), flush=True)
        while not go():
            time.sleep(0.5)
        finish()
        """,
    "recv": """\
        import socket
        a, b = socket.socketpair()
        def sender():
            while not go():
                time.sleep(0.05)
            b.send(b"x")
        t = threading.Thread(target=sender)
        t.start()
        print("ready", os.getpid(), flush=True)
        data = a.recv(1)
        t.join()
        finish(data.decode())
        """,
    "4 threads": """\
        def churn():
            kept = []
            while not go():
                kept.append({"k": [0] * 20})
                if len(kept) > 1000:
                    kept.clear()
        threads = [threading.Thread(target=churn) for _ in range(4)]
        for t in threads:
            t.start()
        print("ready", os.getpid(), flush=True)
        for t in threads:
            t.join()
        finish()
        """,
    "asyncio server": """\
        import asyncio
        async def main():
            stop = asyncio.Event()
            async def serve(reader, writer):
                line = (await reader.readline()).decode().strip()
                writer.write(("echo:%s\\n" % line).encode())
                await writer.drain()
                writer.close()
                if line == "quit":
                    stop.set()
            server = await asyncio.start_server(serve, "127.0.0.1", 0)
            print("ready", os.getpid(), server.sockets[0].getsockname()[1], flush=True)
            await stop.wait()
            server.close()
            await server.wait_closed()
        asyncio.run(main())
        finish()
        """,
}

# The parent relays its child's lines and status; the test attaches to the child.
PARENT = textwrap.dedent("""\
    import subprocess, sys
    child = subprocess.Popen([sys.executable, sys.argv[1], sys.argv[2], sys.argv[3]],
                             stdout=subprocess.PIPE, text=True)
    for line in child.stdout:
        print(line.strip(), flush=True)
    print("child exited", child.wait(), flush=True)
    """)


def script(body):
    return PLANT + textwrap.dedent(body)


def attach(*args, **kwargs):
    return subprocess.run([HEAPAN, "attach"] + [str(a) for a in args], capture_output=True,
                          text=True, timeout=120, **kwargs)


def planted_count(dump, type_name="__main__.Planted"):
    return dumped_count(HEAPAN, dump, type_name)


class Target:
    """A target script run with this Python, its first line read."""

    def __init__(self, directory, body, planted, argv_script=None):
        self.go = os.path.join(directory, "go")
        path = os.path.join(directory, "target.py")
        with open(path, "w") as f:
            f.write(script(body))
        command = [sys.executable, path, self.go, str(planted)]
        if argv_script:
            parent = os.path.join(directory, "parent.py")
            with open(parent, "w") as f:
                f.write(argv_script)
            command = [sys.executable, parent, path, self.go, str(planted)]
        self.proc = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
        self.first = self.proc.stdout.readline().split()
        self.pid = int(self.first[1])

    def finish(self):
        open(self.go, "w").close()
        out, _ = self.proc.communicate(timeout=60)
        return out, self.proc.returncode

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def ptrace_refused():
    """Why this user may not attach to its own child, or None."""
    with tempfile.TemporaryDirectory() as d:
        target = Target(d, "print('ready', os.getpid(), flush=True)\n"
                           "while not go():\n    time.sleep(0.05)\n", 1)
        try:
            result = attach(target.pid, "-o", os.path.join(d, "probe.zst"))
        finally:
            target.finish()
        return result.stderr.strip() if "may not be traced" in result.stderr else None


class AttachTargets(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="heapan-attach-test-")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def check_target(self, name, planted, parent=None, between=None):
        target = Target(self.dir, TARGETS[name], planted, parent)
        try:
            dump = os.path.join(self.dir, "now.zst")
            result = attach(target.pid, "-o", dump)
            self.assertEqual(result.returncode, 0, result.stderr)
            self.assertRegex(result.stdout, r"now\.zst: \d+ objects, .* it paused [\d.]+ ms")
            self.assertEqual(result.stderr, "")
            self.assertEqual(planted_count(dump), planted, name)
            if between:
                between(target)
            out, status = target.finish()
        finally:
            target.kill()
        return out, status

    def expect_finished(self, out, status, planted, threads=1, extra=""):
        self.assertEqual(status, EXIT_STATUS, out)
        # the handlers, the thread count and sys.modules are the program's own
        self.assertIn("done %d default_int_handler %d False %s" % (planted, threads, extra),
                      out)

    def test_busy_loop(self):
        out, status = self.check_target("busy loop", 3001)
        self.expect_finished(out, status, 3001)

    def test_asleep(self):
        out, status = self.check_target("asleep", 3002)
        self.expect_finished(out, status, 3002)

    def test_blocked_in_recv(self):
        out, status = self.check_target("recv", 3003)
        self.expect_finished(out, status, 3003, extra="x")

    def test_four_threads_allocating(self):
        out, status = self.check_target("4 threads", 3004)
        self.expect_finished(out, status, 3004)

    def test_asyncio_server(self):
        def talk(target):
            port = int(target.first[2])
            for line in ("hello", "quit"):
                with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
                    s.sendall((line + "\n").encode())
                    self.assertEqual(s.makefile().readline().strip(), "echo:" + line)

        out, status = self.check_target("asyncio server", 3005, between=talk)
        self.expect_finished(out, status, 3005)

    def test_child_of_a_subprocess(self):
        out, status = self.check_target("asleep", 3006, parent=PARENT)
        self.assertEqual(status, 0, out)
        self.assertIn("done 3006 default_int_handler 1 False", out)
        self.assertIn("child exited %d" % EXIT_STATUS, out)

    def test_foreground_and_no_values(self):
        target = Target(self.dir, TARGETS["asleep"], 3007)
        try:
            dump = os.path.join(self.dir, "fg.zst")
            result = attach(target.pid, "-o", dump, "--foreground", "--no-values")
            self.assertEqual(result.returncode, 0, result.stderr)
            self.assertEqual(planted_count(dump), 3007)
            info = subprocess.run([HEAPAN, "info", dump], capture_output=True, text=True).stdout
            self.assertIn("no values", info)
            self.assertIn("pid %d" % target.pid, info)
            out, status = target.finish()
        finally:
            target.kill()
        self.expect_finished(out, status, 3007)

    def test_trace(self):
        target = Target(self.dir, TARGETS["4 threads"], 10)
        try:
            trace = os.path.join(self.dir, "run.trace.zst")
            result = attach(target.pid, "--trace", "0.5", "-o", trace)
            self.assertEqual(result.returncode, 0, result.stderr)
            allocations = int(re.search(r"(\d+) allocations", result.stdout).group(1))
            self.assertGreater(allocations, 100, result.stdout)
            info = subprocess.run([HEAPAN, "info", trace], capture_output=True, text=True).stdout
            self.assertIn("allocation trace, complete", info)
            out, status = target.finish()
        finally:
            target.kill()
        self.expect_finished(out, status, 10)

    def test_on_memory_watchdog(self):
        grow = """\
            print("ready", os.getpid(), flush=True)
            while not os.path.exists(GO + ".grow"):
                time.sleep(0.05)
            class Grown:
                pass
            grown = [Grown() for _ in range(600000)]  # 30 MB or more: past the limit
            while not go():
                time.sleep(0.05)
            finish()
            """
        target = Target(self.dir, grow, 5)
        try:
            with open("/proc/%d/statm" % target.pid) as statm:
                rss = int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
            template = os.path.join(self.dir, "oom-%n.zst")
            result = attach(target.pid, "--on-memory", str(rss + (16 << 20)), "-o", template)
            self.assertEqual(result.returncode, 0, result.stderr)
            self.assertIn("one dump to", result.stdout)
            open(target.go + ".grow", "w").close()
            dump = os.path.join(self.dir, "oom-0001.zst")
            for _ in range(600):
                if os.path.exists(dump):
                    break
                time.sleep(0.05)
            out, status = target.finish()
        finally:
            target.kill()
        # the watchdog's thread, which stays, is outside Python: threading sees none
        self.expect_finished(out, status, 5)
        self.assertEqual(glob.glob(os.path.join(self.dir, "oom-*.zst")), [dump])
        self.assertGreater(planted_count(dump, "__main__.Grown"), 0)


class AttachWarnings(unittest.TestCase):
    def test_on_memory_warns_when_the_cgroup_leaves_no_room_for_the_dump(self):
        with tempfile.TemporaryDirectory() as d:
            root = os.path.join(d, "cgroup")  # a fake cgroup v2, read by the agent in the target
            os.makedirs(root)
            for name, value in (("cgroup.controllers", "memory"), ("memory.current", 100 << 20),
                                ("memory.max", 1000 << 20)):
                with open(os.path.join(root, name), "w") as f:
                    f.write("%s\n" % value)
            proc = subprocess.Popen([sys.executable, "-c", "import time; print('up', flush=True)"
                                     "; time.sleep(30)"], stdout=subprocess.PIPE, text=True,
                                    env=dict(os.environ, HEAPAN_CGROUP_ROOT=root))
            try:
                proc.stdout.readline()
                result = attach(proc.pid, "--on-memory", "90%", "-o", os.path.join(d, "x.zst"))
            finally:
                proc.kill()
                proc.wait()
                proc.stdout.close()
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("when its cgroup's memory reaches 900.0 MiB", result.stdout)
        self.assertRegex(result.stderr, r"^heapan: warning: attach: the dump at 900.0 MiB needs "
                                        r"about 1.2 GiB of its own, and the cgroup's limit "
                                        r"\(1000.0 MiB\) leaves less")


class AttachErrors(unittest.TestCase):
    """Each refusal: exit 2, one line naming the process and the problem."""

    def refused(self, result, pattern):
        self.assertEqual(result.returncode, 2, result.stdout + result.stderr)
        lines = result.stderr.strip().splitlines()
        self.assertEqual(len(lines), 1, result.stderr)
        self.assertRegex(lines[0], "^heapan: attach: " + pattern)

    def test_no_such_process(self):
        self.refused(attach(2 ** 22 + 12345), r"process \d+ does not exist")

    def test_through_the_python_package(self):
        result = subprocess.run([sys.executable, "-m", "heapan", "attach", str(2 ** 22 + 12345)],
                                capture_output=True, text=True, timeout=60,
                                env=dict(os.environ, HEAPAN=HEAPAN))
        self.refused(result, r"process \d+ does not exist")

    def test_not_a_pid(self):
        result = attach("twelve")
        self.assertEqual(result.returncode, 2)
        self.assertIn("PID needs a whole number, not 'twelve'", result.stderr)

    def test_not_cpython(self):
        with self.idle(["sleep", "30"]) as sleeper:
            self.refused(attach(sleeper.pid), r"process \d+ is not a CPython process "
                                              r"\(it runs .*sleep\)")

    def other_python(self, versions):
        """An interpreter of one of `versions` (minor numbers) on this machine, or None."""
        for minor in versions:
            for pattern in (os.path.expanduser("~/.pyenv/versions/3.%d.*/bin/python3" % minor),
                            "/usr/bin/python3.%d" % minor):
                for path in sorted(glob.glob(pattern)):
                    if os.path.realpath(path) != os.path.realpath(sys.executable):
                        return path
        return None

    @contextlib.contextmanager
    def idle(self, command, env=None):
        """A process of `command` (a Python: one that sleeps) while the block runs; it must
        still run at the end, untouched by the refusal."""
        if not isinstance(command, list):
            command = [command, "-c", "import time; print('up', flush=True); time.sleep(30)"]
        proc = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=env)
        if command[0] != "sleep":
            proc.stdout.readline()
        proc.stdout.close()  # it prints nothing more
        try:
            yield proc
            self.assertIsNone(proc.poll())
        finally:
            proc.kill()
            proc.wait()

    def test_unsupported_version(self):
        python = self.other_python([7, 6])
        if not python:
            self.skipTest("no CPython 3.7 or 3.6 on this machine")
        with self.idle(python) as proc:
            self.refused(attach(proc.pid), r"process \d+ runs CPython 3\.[67]; heapan attach "
                                           r"supports 3\.8 and later")

    def test_no_extension_for_that_version(self):
        mine = sys.version_info[1]
        python = self.other_python([m for m in range(8, 14) if m != mine])
        if not python:
            self.skipTest("no other CPython from 3.8 to 3.13 on this machine")
        env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
        with self.idle(python, env) as proc:
            self.refused(attach(proc.pid), r"process \d+ runs CPython 3\.\d+, and no heapan "
                                           r"extension for 3\.\d+ is on its sys\.path")
            build = os.path.dirname(os.path.dirname(os.path.abspath(
                __import__("heapan").__file__)))
            self.refused(attach(proc.pid, "--module-path", build),
                         r"process \d+ runs CPython 3\.\d+, and .*_heapan.* is heapan's "
                         r"extension for 3\.%d" % mine)

    def test_module_path_without_extension(self):
        with self.idle(sys.executable) as proc, tempfile.TemporaryDirectory() as empty:
            self.refused(attach(proc.pid, "--module-path", empty),
                         r"process \d+ runs CPython .*--module-path .* holds no heapan "
                         r"extension")

    def test_ptrace_not_permitted(self):
        setpriv = shutil.which("setpriv")
        if os.geteuid() != 0 or not setpriv:
            self.skipTest("needs root and setpriv to run heapan as another user")
        with self.idle(sys.executable) as proc:
            result = subprocess.run([setpriv, "--reuid=65534", "--regid=65534", "--clear-groups",
                                     HEAPAN, "attach", str(proc.pid)], capture_output=True,
                                    text=True, timeout=60)
            self.refused(result, r"process \d+ may not be traced by this user .*as root.*"
                                 r"kernel\.yama\.ptrace_scope.*--cap-add SYS_PTRACE")

    def test_traced_by_a_debugger_already(self):
        strace = shutil.which("strace")
        if not strace:
            self.skipTest("no strace to trace the process first")
        proc = subprocess.Popen([strace, "-o", os.devnull, sys.executable, "-c",
                                 "import os, time; print(os.getpid(), flush=True); "
                                 "time.sleep(30)"], stdout=subprocess.PIPE, text=True)
        pid = int(proc.stdout.readline())
        try:
            self.refused(attach(pid), r"process \d+ is being traced by process \d+ already")
        finally:
            os.kill(pid, signal.SIGKILL)  # strace's end would leave it running
            proc.kill()
            proc.wait()
            proc.stdout.close()

    def test_no_safe_point_within_the_timeout(self):
        with tempfile.TemporaryDirectory() as d:
            # ctypes.PyDLL keeps the GIL through the C call: no thread can take it
            hold = ("import ctypes, sys; print('up', flush=True); ctypes.PyDLL(None).sleep(2); "
                    "print('after', flush=True); sys.exit(5)")
            proc = subprocess.Popen([sys.executable, "-c", hold], stdout=subprocess.PIPE,
                                    text=True)
            proc.stdout.readline()
            dump = os.path.join(d, "never.zst")
            try:
                self.refused(attach(proc.pid, "--timeout", "0.5", "-o", dump),
                             r"process \d+ did not let heapan's agent take the GIL within "
                             r"0\.5 s")
                out, _ = proc.communicate(timeout=60)
            finally:
                if proc.poll() is None:
                    proc.kill()
                    proc.wait()
            self.assertEqual((out, proc.returncode), ("after\n", 5))
            self.assertFalse(os.path.exists(dump))


if __name__ == "__main__":
    refused = ptrace_refused()
    if refused:
        print("SKIP: ptrace is not permitted here: %s" % refused)
        sys.exit(77)
    unittest.main()
