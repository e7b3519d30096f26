/*
 * report.h: the model behind `heapan report`: ranked leak candidates,
 * optimisation suggestions with their estimated savings, and the tables.
 * Built from an analysed heap; it never prints.  Three renderers
 * (render_md.c, render_html.c, render_json.c) write it out.
 */
#ifndef HEAPAN_REPORT_H
#define HEAPAN_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "dominators.h"
#include "heap.h"
#include "histogram.h"
#include "paths.h"

typedef enum leak_kind {
    LEAK_ACCUMULATION,  /* a collection under a root fanning out into many similar entries */
    LEAK_BIG_RETAINER,  /* one object retaining a large share of the heap */
    LEAK_TRACEBACK,     /* a stored traceback keeping frames and their locals alive */
    LEAK_GARBAGE        /* cycles no root reaches, not collected yet; gc.garbage */
} leak_kind;

/* The lower-case name of a leak kind, as in the JSON report ("accumulation"). */
const char *leak_kind_name(leak_kind kind);

typedef struct type_count {
    uint32_t type;   /* type id */
    uint64_t count, retained_size;
} type_count;

#define REPORT_TYPES_PER_FINDING 3

typedef struct leak_candidate {
    leak_kind kind;
    double score;               /* 0..100: share of the heap, weighted by how leak-like */
    uint32_t object;            /* the object, or HEAP_NONE for garbage as a whole */
    uint64_t retained_size, retained_count;
    uint64_t entries;           /* accumulation: its entries; garbage: objects */
    type_count types[REPORT_TYPES_PER_FINDING];  /* what it accumulates, most first */
    size_t type_count;
    uint32_t site;              /* frame id where most of those were allocated, 0 if unknown */
    path path;                  /* from its root; count 0 when unreachable */
    char *reason;               /* one sentence */
    uint32_t entry_type;        /* accumulation: the commonest type of its entries */
} leak_candidate;

typedef enum suggestion_kind {
    SUGGEST_SLOTS,
    SUGGEST_GENERATOR,
    SUGGEST_NUMPY_ARRAY,
    SUGGEST_INTERN_STRINGS,
    SUGGEST_EMPTY_COLLECTIONS,
    SUGGEST_OVERALLOCATED,
    SUGGEST_DEQUE,
    SUGGEST_BOUNDED_CACHE,
    SUGGEST_WEAK_CALLBACKS,
    SUGGEST_LAZY_LOADING,
    SUGGEST_REUSE_BUFFER,       /* from an allocation trace only */
    SUGGEST_DEDUPE_STRINGS,     /* V8 snapshots: what intern_strings is for Python */
    SUGGESTION_KIND_COUNT
} suggestion_kind;

/* "slots", "generator", ... as in the JSON report. */
const char *suggestion_kind_name(suggestion_kind kind);

/* A short before/after example in Markdown for each kind. */
const char *suggestion_example(suggestion_kind kind);

typedef struct suggestion {
    suggestion_kind kind;
    char *target;               /* a type name, or a path to the object */
    uint64_t instances;
    uint64_t estimated_savings; /* bytes */
    double confidence;          /* 1 when measured; less when it depends on how the program
                                   uses the data (ranks by savings times this) */
    uint32_t object;            /* an example object, HEAP_NONE if none */
    char *message;              /* what to change and why, with the evidence */
    uint64_t value_hash;        /* intern_strings: the most duplicated value's hash */
    char *example_value;        /* its text, when the caller could read it; else NULL */
} suggestion;

/* The least a finding retains by default: 2% of the heap, and at least this. */
#define REPORT_MIN_RETAINED (64u << 10)

typedef struct report_options {
    uint64_t min_retained;      /* findings must retain at least this; 0: the default */
    double big_share;           /* a big retainer holds at least this share (default 0.2) */
    uint64_t min_entries;       /* an accumulation point has at least this many (100) */
    size_t top;                 /* rows per table (default 10) */
    /* Filters on type names and allocation sites: NULL to accept all. */
    int (*accept_type)(void *ctx, const char *type_name);
    int (*accept_site)(void *ctx, const char *site);
    void *filter_ctx;
} report_options;

typedef struct report {
    const heap *heap;
    const dominators *dom;
    leak_candidate *leaks;
    size_t leak_count;
    suggestion *suggestions;
    size_t suggestion_count;
    uint64_t min_retained;      /* the threshold used */
    histogram types, modules, sites;
    uint32_t *subtrees;         /* the largest dominator subtrees' roots */
    size_t subtree_count;
    path *subtree_paths;        /* how each is held */
} report;

/*
 * Builds the report; `paths` must be computed and `d` must have its tree.
 * Returns 0, or -1 when out of memory (release `r` either way).
 */
int report_build(const heap *h, const dominators *d, const retention *paths,
                 const report_options *options, report *r);
void report_release(report *r);

/* Type name as group_name() writes it, for object i. */
const char *report_type_name(const report *r, uint32_t i, char *buf, size_t size);

/* A new string, printf-style, or NULL when out of memory. */
char *report_format(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

/* Is object i a builtin collection that can grow (dict, list, set, deque...)? */
int report_is_collection(const heap *h, uint32_t i);

/* Is object i a namespace: the __dict__ of a module or a class? */
int report_is_namespace(const heap *h, uint32_t i);

/* Filled in leaks.c and suggest.c; report.c calls them. */
int find_leak_candidates(report *r, const retention *paths, const report_options *o);
int find_suggestions(report *r, const retention *paths, const report_options *o);

/* Orders r->suggestions by savings times confidence and keeps the first `top`. */
void report_rank_suggestions(report *r, size_t top);

#endif
