"""heapan: heap dumps of a live CPython process, for the heapan analyzer.

    import heapan
    heapan.dump("app.zst")

A dump holds the data of the process, secrets included: store and share
it as you would the process's memory.  values=False keeps every string
and number out of it.
"""

from heapan import _heapan

__all__ = ["dump"]


def dump(path, *, values=True, tracebacks=True, gc_collect=False):
    """Write a heap dump of this process to `path` (a zstd-compressed heapan file).

    values: record the first 64 characters of str/bytes objects (with a hash
        of the whole) and int/float values; False records none of the contents.
    tracebacks: record allocation stacks when tracemalloc is tracing
        (not implemented yet: accepted and ignored).
    gc_collect: run a full garbage collection first.

    Returns a dict: objects, total_size (their shallow bytes),
    inline_values_size (the part of total_size that is attribute values kept
    inline in instances, which sys.getsizeof leaves out), references, roots,
    types, bytes_written, seconds.
    """
    del tracebacks  # allocation stacks are not recorded yet
    return _heapan.dump(path, values=values, gc_collect=gc_collect)
