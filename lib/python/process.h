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
 * Writes the header: this process's pid, sys.argv, CPython's version and
 * the time now.  `content`, `flags` and `sample_bytes` as in heapan_header.
 * Call with the GIL held.
 */
heapan_status write_process_header(heapan_writer *w, unsigned content, unsigned flags,
                                   uint64_t sample_bytes);

#endif
