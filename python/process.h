/*
 * process.h: what a file says about the process that wrote it, shared by
 * the heap dumper and the allocation tracer.
 */
#ifndef HEAPAN_PROCESS_H
#define HEAPAN_PROCESS_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "heapan.h"

/*
 * Writes the header: `pid` (this process's, or the parent's in a background
 * dump's child, so that the dump names the process it shows), sys.argv (only argv[0] in a heap
 * dump without values), CPython's version and the time now.  `content`, `flags` and `sample_bytes` as in heapan_header.
 * Call with the GIL held.
 */
heapan_status write_process_header(heapan_writer *w, unsigned content, unsigned flags,
                                   uint64_t sample_bytes, uint64_t pid);

/*
 * Raises the OSError for a file heapan_writer_open() refused, from errno:
 * for a symbolic link, OSError(ELOOP, "refusing to write through a
 * symbolic link", path).
 */
void py_raise_open_error(const char *path);

/*
 * The pending Python exception's str() as one line in `out`, or `otherwise`
 * when there is none or it has no text; the exception is cleared.  str() of
 * the exceptions the dumper and the writer raise (OSError, RuntimeError,
 * MemoryError) is C code.
 */
void py_take_error(char *out, size_t size, const char *otherwise);

/* This process's resident set from /proc/self/statm, in bytes; 0 where unreadable.
 * Reads without the GIL and allocates nothing. */
uint64_t process_rss_bytes(void);

#endif
