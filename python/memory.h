/*
 * memory.h: the process's memory beside its objects, as PROPERTY records
 * of the process (docs/format.md, "Memory"): the kernel's resident counts,
 * the stacks, the libraries' data and the largest anonymous mappings;
 * pymalloc's arenas, pools and blocks; glibc malloc's totals; the cgroup.
 */
#ifndef HEAPAN_MEMORY_H
#define HEAPAN_MEMORY_H

#include "facts.h" /* Python.h first */

#include <stdint.h>

#define PY_ARENA_TENTHS 10 /* the arena histogram's buckets: live share in tenths */

/* pymalloc's totals, whichever way they were read. */
typedef struct py_pymalloc {
    const char *source;        /* "arenas" (walked), "debug_stats" (parsed), "off" */
    uint64_t arena_size, pool_size, arenas;
    uint64_t pools_used;       /* pools with a block in use, full ones included */
    int64_t pools_full;        /* -1: unknown (the parsed report does not say) */
    uint64_t pools_empty;      /* free or never used pools inside the arenas */
    uint64_t allocated, available;            /* bytes in blocks in use, and free in used pools */
    uint64_t headers, quantization, alignment; /* bytes lost */
    int64_t resident;          /* the arenas' resident bytes, -1 when unknown */
    uint64_t arena_live[PY_ARENA_TENTHS];     /* arenas by the share of them in live blocks */
    int has_histogram;
} py_pymalloc;

/*
 * Gathers the process's memory facts into `f`.  Call it before the walk;
 * it runs no Python code.  Returns 0, or -1 when out of memory (a Python
 * exception is set).
 */
int py_memory_gather(py_facts *f);

/* Resident bytes of [start, start+size), by mincore(); -1 when it cannot tell. */
int64_t py_memory_resident(uintptr_t start, size_t size);

/*
 * Walks pymalloc's arenas (3.12 and 3.13, through CPython's internal
 * headers; pyinternals.c) into *pm, and adds each size class to `f` as a
 * "pymalloc.class" fact.  Returns 1, 0 on a version it cannot walk or
 * when pymalloc has no arena (it is not in use), or -1 when out of memory.
 */
int py_pymalloc_walk(py_facts *f, py_pymalloc *pm);

/* Address ranges, sorted and disjoint: the libraries' writable segments. */
typedef struct py_ranges {
    uintptr_t (*range)[2]; /* [start, end) */
    size_t count;
} py_ranges;

/*
 * The writable segments of the program and its libraries, where static
 * objects live (built-in types; on 3.12+ the immortal ints and strings):
 * their bytes count once, as objects, not again as static data.  Returns
 * 0, or -1 when out of memory.
 */
int py_static_ranges(py_ranges *out);
int py_in_ranges(const py_ranges *r, uintptr_t address);
void py_ranges_free(py_ranges *r);

#endif
