"""heapan: heap dumps of a live CPython process, for the heapan analyzer.

    import heapan
    heapan.dump("app.zst")

A dump holds the data of the process, secrets included: store and share
it as you would the process's memory.  values=False keeps every string
and number out of it.  See docs/python.md.
"""

import atexit
import os
import signal
import time

from heapan import _heapan

__all__ = ["dump", "dump_at_exit", "dump_on_signal", "expand_path"]


def dump(path, *, values=True, tracebacks=True, gc_collect=False, level=0):
    """Write a heap dump of this process to `path` (a zstd-compressed heapan file).

    values: record the first 64 characters of str/bytes objects (with a hash
        of the whole) and int/float/bool values; False records none.
    tracebacks: record each object's allocation stack when tracemalloc is
        tracing (start it with tracemalloc.start(NFRAMES) or -X tracemalloc).
    gc_collect: run a full garbage collection first.
    level: zstd compression level, 1 to 22; 0 is the default (3).  19
        makes files about 15% smaller and the dump a few times slower.

    Returns a dict: objects, total_size (their shallow bytes),
    inline_values_size (the part of total_size that is attribute values kept
    inline in instances, which sys.getsizeof leaves out), references, roots,
    types, bytes_written, seconds.
    """
    return _heapan.dump(os.fspath(path), values=values, tracebacks=tracebacks,
                        gc_collect=gc_collect, level=level)


def expand_path(template):
    """`template` with %p replaced by the process id, %t by a UTC timestamp, %% by %."""
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    out, i = [], 0
    while i < len(template):
        if template[i] == "%" and i + 1 < len(template) and template[i + 1] in "pt%":
            code = template[i + 1]
            out.append(str(os.getpid()) if code == "p" else stamp if code == "t" else "%")
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
