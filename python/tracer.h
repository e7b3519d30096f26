/*
 * tracer.h: allocation tracing of a live CPython process.  Hooks the raw,
 * mem and object allocator domains and writes every allocation and free,
 * or a Poisson-sampled subset, with its Python stack through libheapan.
 */
#ifndef HEAPAN_TRACER_H
#define HEAPAN_TRACER_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "heapan.h"

#define TRACE_MAX_FRAMES 128

typedef struct trace_options {
    int frames;             /* innermost Python frames kept per stack, 1..TRACE_MAX_FRAMES */
    uint64_t sample_bytes;  /* mean bytes between sampled allocations; 0 = record all */
    unsigned interval_ms;   /* period of the RSS samples, >= 1 */
    int level;              /* zstd level; 0 = libheapan's default */
} trace_options;

typedef struct trace_result {
    heapan_counts counts;
    double seconds;
} trace_result;

/*
 * Starts tracing into `path`.  Returns 0, or -1 with a Python exception
 * set (RuntimeError when already tracing, OSError for the file).  Call
 * with the GIL held.
 */
int trace_start(const char *path, const trace_options *options);

/*
 * Stops tracing and closes the file.  Returns 0, or -1 with a Python
 * exception set: RuntimeError when not tracing, when another allocator
 * hook was installed over heapan's since it started, or when writing
 * failed.  Call with the GIL held.
 */
int trace_stop(trace_result *result);

/* 1 while tracing. */
int trace_is_active(void);

#endif
