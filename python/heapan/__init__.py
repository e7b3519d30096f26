"""heapan: heap dumps and allocation traces of a live CPython process.

    import heapan
    heapan.dump("app.zst")
    with heapan.trace("app.trace.zst"):
        work()
    with heapan.leakcheck() as lc:
        work()
    lc.assert_none(limit="64K")

A dump holds the data of the process, secrets included: store and share
it as you would the process's memory.  values=False keeps every string
and number out of it.  See docs/python.md.
"""

import atexit
import os
import signal
import threading
import time

from heapan import _heapan

__all__ = ["dump", "dump_at_exit", "dump_on_signal", "dump_every", "expand_path", "trace",
           "start_trace", "stop_trace", "is_tracing", "Trace", "DumpSeries", "leakcheck",
           "LeakError", "BackgroundDump", "dump_on_memory", "MemoryWatch"]


def dump(path, *, values=True, tracebacks=True, gc_collect=False, level=0, by_type=False,
         background=False):
    """Write a heap dump of this process to `path` (a zstd-compressed heapan file).

    values: record the first 64 characters of str/bytes objects (with a hash
        of the whole) and int/float/bool values; False records none.
    tracebacks: record each object's allocation stack when tracemalloc is
        tracing (start it with tracemalloc.start(NFRAMES) or -X tracemalloc).
    gc_collect: run a full garbage collection first.
    level: zstd compression level, 1 to 22; 0 is the default (3).  19
        makes files about 15% smaller and the dump a few times slower.
    by_type: also tally what was written by class.

    Returns a dict: objects, total_size (their shallow bytes),
    inline_values_size (the part of total_size that is attribute values kept
    inline in instances, which sys.getsizeof leaves out), references, roots,
    types, bytes_written, seconds; with by_type, "by_type" maps each class's
    name (module.qualname, builtins bare, as reports name it) to a tuple
    (objects, bytes).

    background=True forks: a child process walks the heap as it was at the
    fork and writes the file, running no Python code, while this process
    goes on after a pause of milliseconds.  It returns a BackgroundDump;
    its wait() returns the dict above.  Where fork() fails, the dump is
    taken in the foreground, with a warning.  by_type is not available.
    """
    if background:
        return BackgroundDump(path, values=values, tracebacks=tracebacks,
                              gc_collect=gc_collect, level=level, by_type=by_type)
    result = _heapan.dump(os.fspath(path), values=values, tracebacks=tracebacks,
                          gc_collect=gc_collect, level=level, by_type=by_type)
    if by_type:
        result["by_type"] = parse_by_type(result["by_type"])
    return result


class BackgroundDump:
    """A dump being written by a forked child, from heapan.dump(background=True).

    pid: the child's; done: True once the file is complete (or the child
    failed); wait(timeout=None): the counts heapan.dump() returns, raising
    RuntimeError if the child failed and TimeoutError if `timeout` seconds
    pass first.
    """

    def __init__(self, path, by_type, **options):
        if by_type:
            raise ValueError("heapan.dump: by_type is not available with background=True")
        self.path = os.fspath(path)
        self._result = None
        _reap_finished()
        try:
            self.pid, self._fd = _heapan.dump_start(self.path, **options)
        except OSError as error:  # no fork: the pause is the whole walk, but the dump is taken
            import warnings
            warnings.warn("heapan.dump: cannot fork (%s); dumping in the foreground" % error,
                          RuntimeWarning, stacklevel=3)
            self.pid, self._fd = None, None
            self._result = _heapan.dump(self.path, **options)
            return
        _unfinished.add(self)

    @property
    def done(self):
        if self._result is not None:
            return True
        import select
        return bool(select.select([self._fd], [], [], 0)[0])

    def wait(self, timeout=None):
        if self._result is None:
            if timeout is not None:
                import select
                if not select.select([self._fd], [], [], max(timeout, 0))[0]:
                    raise TimeoutError("heapan: the background dump %s is not finished after "
                                       "%g s" % (self.path, timeout))
            _unfinished.discard(self)
            self._result = _heapan.dump_finish(self.pid, self._fd)
        return self._result

    def __repr__(self):
        return "<heapan.BackgroundDump %s pid=%s %s>" % (
            self.path, self.pid, "done" if self._result is not None else "running")


_unfinished = set()  # children not waited for: reaped by the next dump, not left as zombies


def _reap_finished():
    for handle in [h for h in _unfinished if h.done]:
        try:
            handle.wait()
        except RuntimeError:
            pass


def parse_by_type(text):
    """_heapan.dump(by_type=True)'s summary, one bytes object, as a dict name -> (objects, bytes)."""
    tallies = {}
    for line in text.decode("utf-8", "surrogateescape").splitlines():
        name, objects, size = line.rsplit("\t", 2)
        tallies[name] = (int(objects), int(size))
    return tallies


def expand_path(template, number=None):
    """`template` with %p replaced by the process id, %t by a UTC timestamp, %n by
    `number` (a dump's place in a series, 0001 first, so that names sort), %% by %."""
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    codes = "pt%" + ("n" if number is not None else "")
    out, i = [], 0
    while i < len(template):
        if template[i] == "%" and i + 1 < len(template) and template[i + 1] in codes:
            code = template[i + 1]
            out.append({"p": str(os.getpid()), "t": stamp, "%": "%",
                        "n": "%04d" % (number or 0)}[code])
            i += 2
        else:
            out.append(template[i])
            i += 1
    return "".join(out)


def dump_at_exit(path, **options):
    """Dump the heap when the interpreter exits normally (atexit); `path` may use %p and %t."""
    atexit.register(lambda: dump(expand_path(path), **options))


def dump_on_signal(signum, path, **options):
    """Dump the heap each time signal `signum` arrives; `path` may use %p and %t.

    The dump runs in the main thread between two bytecodes, as every
    Python signal handler does.  Returns the previous handler.
    """
    def handler(received, frame):
        dump(expand_path(path), **options)

    return signal.signal(signum, handler)


class DumpSeries:
    """Dumps taken at intervals, from heapan.dump_every(); stop() ends them.

    `paths` lists the dumps kept, oldest first: with keep=N, the first (the
    baseline, for heapan leaks and heapan trend) and the newest N-1.
    """

    def __init__(self, seconds, path, keep, options):
        if not seconds > 0:
            raise ValueError("dump_every: seconds must be positive, not %r" % (seconds,))
        if keep < 0 or keep == 1:
            raise ValueError("dump_every: keep is 0 (every dump) or at least 2 "
                             "(the first and the newest), not %r" % (keep,))
        self.seconds, self.path, self.keep, self.options = seconds, path, keep, options
        self.paths, self.taken = [], 0
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name="heapan-dump-every", daemon=True)
        self._thread.start()

    def _run(self):
        while not self._stopped.wait(self.seconds):
            self.dump_now()

    def dump_now(self):
        """Take the series' next dump now; returns its path."""
        self.taken += 1
        path = expand_path(self.path, self.taken)
        dump(path, **self.options)
        self.paths.append(path)
        if self.keep and len(self.paths) > self.keep:
            dropped = self.paths.pop(1)  # never the first: the baseline
            try:
                os.unlink(dropped)
            except OSError:
                pass
        return path

    def stop(self):
        """No more dumps; waits for one in progress."""
        self._stopped.set()
        if self._thread is not threading.current_thread():
            self._thread.join()


def dump_every(seconds, path="heapan-%p-%n.zst", *, keep=0, **options):
    """Dump the heap every `seconds`, from a thread of its own, to `path` (%n: the
    dump's number in the series, %p, %t); the options are dump()'s.  keep=N keeps
    the first dump and the newest N-1, deleting the others.  Returns the
    DumpSeries; stop() ends it.  Each dump pauses the process as dump() does.
    """
    return DumpSeries(seconds, path, keep, options)


# A background dump's own memory, as a share of the process's RSS (measured:
# python/watch.h, docs/performance.md "Background dumps").
DUMP_MEMORY_SHARE = _heapan.DUMP_MEMORY_PERCENT / 100


class MemoryWatch:
    """The watchdog heapan.dump_on_memory() starts; stop() ends it.

    state: a dict: running, dumps (taken so far), threshold (the memory,
    in bytes, of the next dump), memory (the last sample), last_path,
    last_error.
    """

    def __init__(self, limit, path, rearm, interval, options):
        limit_bytes, percent = _parse_limit(limit)
        if not interval > 0:
            raise ValueError("dump_on_memory: interval must be positive, not %r" % (interval,))
        _heapan.watch_start(os.path.abspath(os.fspath(path)), limit_bytes=limit_bytes,
                            percent=percent, rearm=rearm,
                            interval_ms=max(1, round(interval * 1000)), **options)
        self._stopped = False
        atexit.register(self.stop)
        self._warn_if_no_room()

    def _warn_if_no_room(self):
        cgroup = _heapan.cgroup_memory()
        threshold = self.state["threshold"]
        if not cgroup or not cgroup["limit"]:
            return
        room = cgroup["limit"] - threshold
        if room < threshold * DUMP_MEMORY_SHARE:
            import warnings
            from heapan.leaks import format_size
            warnings.warn(
                "heapan.dump_on_memory: the dump at %s needs about %s of its own, and the "
                "cgroup's limit (%s) leaves %s: the OOM killer may come first; set a lower "
                "limit" % (format_size(threshold), format_size(threshold * DUMP_MEMORY_SHARE),
                           format_size(cgroup["limit"]), format_size(max(room, 0))),
                RuntimeWarning, stacklevel=3)

    @property
    def state(self):
        return _heapan.watch_state()

    def stop(self):
        """No more dumps; waits for one in progress."""
        if not self._stopped:
            self._stopped = True
            _heapan.watch_stop()


def _parse_limit(limit):
    """(bytes, 0) from a size (2GB, 512M, an int), or (0, percent) from a share: '80%'."""
    text = str(limit).strip()
    if text.endswith("%"):
        try:
            percent = float(text[:-1])
        except ValueError:
            percent = 0
        if not 1 <= percent <= 100:
            raise ValueError("dump_on_memory: a share is between 1%% and 100%%, not %r" % (limit,))
        return 0, int(percent)
    from heapan.leaks import parse_size
    size = parse_size(limit)
    if size <= 0:
        raise ValueError("dump_on_memory: the limit must be positive, not %r" % (limit,))
    return size, 0


def dump_on_memory(limit, path="heapan-%p-%t.zst", *, rearm=False, interval=0.1, values=True,
                   tracebacks=True, level=0):
    """Take one background dump when this process's memory crosses `limit`: before
    the OOM killer ends it.

    limit: a size (2GB, 512M, bytes as an int), compared with the RSS; or a
        share of the cgroup's memory limit ("80%"), compared with the
        cgroup's usage (cgroup v2's memory.current and memory.max, or v1's
        memory.usage_in_bytes and memory.limit_in_bytes).
    path: %p (pid), %t (UTC time), %n (the dump's number) expanded per dump.
    rearm: dump again each time the memory doubles past the last limit.
    interval: seconds between samples, taken by a thread outside Python.

    A dump needs memory of its own, about as much as the process uses
    (DUMP_MEMORY_SHARE): a warning says so when the cgroup's limit leaves
    less.  Returns the MemoryWatch; only one runs at a time.
    """
    return MemoryWatch(limit, path, rearm, interval,
                       {"values": values, "tracebacks": tracebacks, "level": level})


class Trace:
    """A running allocation trace, from heapan.trace() or heapan.start_trace().

    Leaving its with-block, or stop(), finishes the file; `result` then holds
    the dict stop() returned.
    """

    def __init__(self, path, frames, sample_bytes, interval, level):
        interval_ms = round(interval * 1000)
        _heapan.trace_start(os.fspath(path), frames=frames, sample_bytes=sample_bytes,
                            interval_ms=interval_ms, level=level)
        self.path = os.fspath(path)
        self.result = None

    def stop(self):
        """Stop tracing and close the file; returns what was written (a dict)."""
        if self.result is None:
            self.result = _heapan.trace_stop()
        return self.result

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.stop()
        return False


def trace(path, *, frames=16, sample_bytes=0, interval=0.01, level=0):
    """Start recording this process's allocations and frees into `path`.

    Every allocation through Python's allocators (raw, mem and object
    domains) is written with its size, address, thread and the innermost
    `frames` Python frames; every free is written too.  A sample of the
    process's RSS is written every `interval` seconds.

    sample_bytes=N records a Poisson sample instead: on average one
    allocation every N bytes, which the analyzer weighs back to unbiased
    totals.  512 KiB (524288) costs a few percent, and is meant for
    production.

    Use it as a context manager, or call stop() on what it returns:

        with heapan.trace("run.trace.zst", sample_bytes=512 * 1024):
            serve()

    Only one trace runs at a time.  Like a dump, a trace names the
    program's files and functions, but holds no values.
    """
    return Trace(path, frames, sample_bytes, interval, level)


_running = None


def start_trace(path, **options):
    """heapan.trace() without the with-block: stop it with heapan.stop_trace()."""
    global _running
    _running = trace(path, **options)
    return _running


def stop_trace():
    """Stop the trace start_trace() began; returns what was written (a dict)."""
    global _running
    if _running is None:
        return _heapan.trace_stop()  # raises: nothing is tracing
    running, _running = _running, None
    return running.stop()


def is_tracing():
    """True while an allocation trace is being recorded."""
    return _heapan.is_tracing()


# Last: heapan.leaks uses dump() through _heapan, and the tool finder.
from heapan.leaks import LeakError, leakcheck  # noqa: E402
