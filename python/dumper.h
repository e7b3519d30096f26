/*
 * dumper.h: walks a live CPython heap and writes it through libheapan.
 * Runs with the GIL held and the cycle collector paused; runs no Python
 * code of the program; its own bookkeeping is malloc'd, outside the heap.
 */
#ifndef HEAPAN_DUMPER_H
#define HEAPAN_DUMPER_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "heapan.h"

typedef struct dump_options {
    int values;      /* record str/bytes prefixes and numbers */
    int gc_collect;  /* run a full collection first */
    int tracebacks;  /* record allocation stacks when tracemalloc traces */
    int level;       /* zstd level; 0 = libheapan's default */
    int by_type;     /* tally objects and bytes by type into result->by_type */
    PyObject *call_args, *call_kwargs;  /* borrowed: the call's own tuple and dict, left out */
} dump_options;

typedef struct dump_result {
    heapan_counts counts;
    uint64_t total_size;  /* shallow bytes of all objects */
    uint64_t inline_values_size;  /* of which inline attribute values (3.11+) */
    double seconds;
    PyObject *by_type;    /* with options.by_type: bytes, "module.Type\tobjects\tbytes\n" lines; a new reference */
} dump_result;

/*
 * Dumps the heap to `path`.  Returns 0, or -1 with a Python exception set
 * (OSError for files, RuntimeError for writer failures, MemoryError).
 */
int dump_heap(const char *path, const dump_options *options, dump_result *result);

/* A dump being written by a forked child of this process. */
typedef struct dump_child {
    pid_t pid;
    int fd; /* the pipe the child reports through; -1 once finished */
} dump_child;

/*
 * Starts a background dump: forks, and the child walks the heap as of the
 * fork and writes `path`, running no Python code, then _exits.  The caller
 * goes on as soon as fork() returns.  Returns 0, or -1 with a Python
 * exception set (OSError when fork() or pipe() fail: the caller may dump
 * in the foreground instead).  Call with the GIL held.
 */
int dump_heap_start(const char *path, const dump_options *options, dump_child *child);

/*
 * Waits for the child's report and reaps it; needs no GIL, so release it
 * around the call.  Returns 0 with `result` filled, or -1 with the reason
 * in `error`.
 */
int dump_child_finish(dump_child *child, dump_result *result, char *error, size_t error_size);

#endif
