/*
 * accounting.h: where a process's resident memory (RSS) went, beside its
 * objects, from the memory facts a dump records (docs/format.md,
 * "Memory"): the rows of the accounting table, which add up to RSS, and
 * the findings they support.  Builds only; renderers show it.
 */
#ifndef HEAPAN_ACCOUNTING_H
#define HEAPAN_ACCOUNTING_H

#include <stddef.h>
#include <stdint.h>

#include "model/heap.h"

/* The rows, in the table's order; every one is always shown. */
typedef enum account_row_kind {
    ACCOUNT_OBJECTS,          /* the dump's objects, by their sizes */
    ACCOUNT_NOT_RESIDENT,     /* of those, bytes never touched: negative */
    ACCOUNT_PYMALLOC_FREE,    /* free blocks, headers and waste in pools in use */
    ACCOUNT_PYMALLOC_EMPTY,   /* resident empty pools, and arenas' unused space */
    ACCOUNT_MALLOC_FREE,      /* free chunks malloc keeps */
    ACCOUNT_MALLOC_MAPPED,    /* malloc's mmap'd large blocks that no object counts */
    ACCOUNT_MALLOC_UNCOUNTED, /* malloc's other blocks in use that no object counts */
    ACCOUNT_STATIC,           /* the interpreter's and libraries' written data */
    ACCOUNT_STACKS,           /* the main stack and the threads' found */
    ACCOUNT_FILE,             /* file-backed: code, libraries, mapped files */
    ACCOUNT_SHARED,           /* shared memory: mmap(-1), memfd, /dev/shm */
    ACCOUNT_REMAINDER,        /* RSS less every row above: "not accounted for" */
    ACCOUNT_ROW_COUNT
} account_row_kind;

/* The row's name in the JSON report ("python_objects", ...). */
const char *account_row_name(account_row_kind kind);
/* Its label in the table ("Python objects", ...). */
const char *account_row_label(account_row_kind kind);

typedef struct account_row {
    int64_t bytes;            /* 0 when unknown */
    int known;
    char note[160];           /* how it was found, or why it is unknown; "" for none */
} account_row;

typedef enum account_finding_kind {
    ACCOUNT_FRAGMENTATION,    /* pymalloc arenas kept by few live blocks */
    ACCOUNT_MALLOC_KEEPS,     /* glibc keeps much freed memory */
    ACCOUNT_OUTSIDE_OBJECTS,  /* large memory no object counts */
    ACCOUNT_FINDING_KIND_COUNT
} account_finding_kind;

/* "pymalloc_fragmentation", "malloc_keeps_freed", "outside_objects". */
const char *account_finding_name(account_finding_kind kind);

typedef struct account_finding {
    account_finding_kind kind;
    account_row_kind row;     /* the row it explains */
    uint64_t bytes;
} account_finding;

typedef struct memory_mapping {
    uint64_t start, size, rss;
    int shared;
} memory_mapping;

typedef struct pymalloc_class {
    uint64_t size, pools, used, free;
} pymalloc_class;

#define ACCOUNT_TENTHS 10
#define ACCOUNT_MAPPINGS 8
#define ACCOUNT_CLASSES 64

typedef enum pymalloc_source {
    PYMALLOC_UNKNOWN,         /* not recorded */
    PYMALLOC_OFF,             /* not in use: PYTHONMALLOC=malloc, or a debug build */
    PYMALLOC_ARENAS,          /* walked: exact, with residency and the arena histogram */
    PYMALLOC_DEBUG_STATS      /* CPython's report parsed: no residency, no arenas' own */
} pymalloc_source;

typedef struct accounting {
    int present;              /* the dump has memory facts; nothing else holds when 0 */
    int incomplete;           /* the dump was cut short: the objects row has only what was read */
    char runtime[24];         /* "3.11" */
    int64_t rss, pss, swap, anonymous, file, shmem;   /* -1 when unknown */
    int64_t cgroup_current, cgroup_max;               /* -1 unknown; max -1 also "no limit" */
    int cgroup_unlimited;
    /* pymalloc */
    pymalloc_source pymalloc;
    uint64_t arena_size, pool_size, arenas, pools_used, pools_empty;
    int64_t pools_full, resident;                     /* -1 when unknown */
    uint64_t allocated, available, headers, quantization, alignment;
    uint64_t arena_live[ACCOUNT_TENTHS];             /* arenas (or pools) by live share */
    int histogram;            /* 0 none, 1 arenas (exact), 2 pools (from objects' addresses) */
    pymalloc_class classes[ACCOUNT_CLASSES];
    size_t class_count;
    /* glibc malloc */
    int glibc;
    char allocator[128];      /* what provides malloc when not glibc */
    uint64_t malloc_arena, malloc_in_use, malloc_free, malloc_mmapped, malloc_mmapped_count,
        malloc_top_pad;
    /* the rest */
    uint64_t stack, thread_stacks, threads_found, threads, static_data;
    memory_mapping mappings[ACCOUNT_MAPPINGS];
    size_t mapping_count;
    uint64_t objects_not_resident, objects_static;
    int has_not_resident;
    account_row rows[ACCOUNT_ROW_COUNT];
    account_row_kind main_gap;  /* the largest row that is neither objects nor code */
    account_finding findings[ACCOUNT_FINDING_KIND_COUNT];
    size_t finding_count;
} accounting;

/*
 * Reads the memory facts of `h` into *a and splits its RSS into rows.
 * a->present is 0 for a dump without them (older producers, V8).
 * Returns 0, or -1 when out of memory.
 */
int accounting_build(const heap *h, accounting *a);

/* A share of RSS in percent, 0 when RSS is unknown. */
double accounting_percent(const accounting *a, int64_t bytes);

#endif
