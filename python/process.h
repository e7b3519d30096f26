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
 * Writes the header: this process's pid, sys.argv (only argv[0] in a heap
 * dump without values), CPython's version and the time now.  `content`, `flags` and `sample_bytes` as in heapan_header.
 * Call with the GIL held.
 */
heapan_status write_process_header(heapan_writer *w, unsigned content, unsigned flags,
                                   uint64_t sample_bytes);

/*
 * Raises the OSError for a file heapan_writer_open() refused, from errno:
 * for a symbolic link, OSError(ELOOP, "refusing to write through a
 * symbolic link", path).
 */
void py_raise_open_error(const char *path);

#endif
