/*
 * watch.h: the memory watchdog behind heapan.dump_on_memory() and
 * `heapan attach --on-memory`.  A thread of its own, outside Python, samples
 * the process's memory and takes one background dump when it crosses the
 * limit: before the kernel's OOM killer ends the process.
 */
#ifndef HEAPAN_WATCH_H
#define HEAPAN_WATCH_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <limits.h>
#include <stdint.h>

#include "dumper.h"

/*
 * A background dump's own memory, in percent of the process's RSS: the
 * child's tables and the pages it copies on write came to 118% and 135%
 * (tests/bench/bench_dump.py, docs/performance.md "Background dumps").
 */
#define WATCH_DUMP_MEMORY_PERCENT 140

typedef struct watch_options {
    uint64_t limit_bytes; /* of RSS; 0 with `percent` */
    unsigned percent;     /* 1..100 of the cgroup's limit, against its usage; 0 with limit_bytes */
    int rearm;            /* dump again at each doubling of the limit */
    unsigned interval_ms; /* between samples, >= 1 */
    char path[PATH_MAX];  /* %p, %t, %n expanded per dump */
    dump_options dump;    /* call_args and call_kwargs unused */
} watch_options;

/* What the cgroup of this process allows and uses, from /proc/self/cgroup
 * and the hierarchy under $HEAPAN_CGROUP_ROOT (default /sys/fs/cgroup). */
typedef struct cgroup_memory {
    int version;          /* 1 or 2; 0: no memory controller found */
    uint64_t usage, limit; /* limit 0: none set */
} cgroup_memory;

/* Reads it now; returns 0, or -1 when no cgroup memory controller is found. */
int cgroup_memory_read(cgroup_memory *m);

/*
 * Starts the watchdog.  Returns 0, or -1 with the reason in `error`
 * (one is already running; a percent limit without a cgroup limit; no
 * thread).  Call with the GIL held or without: it takes it only to dump.
 */
int watch_start(const watch_options *options, char *error, size_t error_size);

/* Stops it, waiting for a dump in progress; 0, or -1 when none runs.  Call
 * with the GIL released: the watchdog may be waiting for it. */
int watch_stop(void);

/* What it did: the dumps it took, the last path and the last failure. */
typedef struct watch_state {
    int running;
    unsigned dumps;
    uint64_t threshold;    /* the memory of the next dump, bytes */
    uint64_t last_memory;  /* the last sample */
    char last_path[PATH_MAX];
    char last_error[PATH_MAX + 256];
} watch_state;

void watch_get_state(watch_state *state);

#endif
