/*
 * kept.h: why a survivor is still alive, told by structure: what holds
 * it on every path (its dominators) and where its retention path begins.
 * One pair of dumps cannot tell a cache that filled once from one that
 * grows each time; these kinds say which holders keep objects on purpose,
 * so that a second, warmed-up run can decide.  Never prints.
 */
#ifndef HEAPAN_KEPT_H
#define HEAPAN_KEPT_H

#include <stdint.h>

#include "model/paths.h"
#include "report/report.h"

typedef enum kept_kind {
    KEPT_LEAK,         /* by the program's own structures, or by the program and a library at once */
    KEPT_CACHE,        /* only through a functools cache, a library module's or object's own state */
    KEPT_BOUNDED,      /* only through a bounded lru_cache(maxsize=N): it stops growing at N */
    KEPT_IMPORT,       /* a module imported since the baseline, and what only it holds */
    KEPT_LOCAL,        /* by a running function's variables: gone when it returns */
    KEPT_INTERPRETER,  /* by the interpreter or C code: interned strings, static objects, and
                        * what a system-defined __name__ holds (__warningregistry__) */
    KEPT_GARBAGE,      /* by nothing: garbage the cycle collector will free */
    KEPT_REPLACED,     /* in the place (key, attribute) of an object freed since: no growth */
    KEPT_HARNESS       /* through the objects of a test runner (pytest's log capture) */
} kept_kind;

#define KEPT_KIND_COUNT 9

/* "leak", "cache", "bounded", "import", "local", "interpreter", "garbage", "replaced",
 * "harness", as in the JSON. */
const char *kept_kind_name(kept_kind kind);

/* Does a leak check count this kind?  Leaks always; after a warm-up, whatever still grows. */
int kept_counts(kept_kind kind, int warmed_up);

/* What kept_init() is told besides the final dump. */
typedef struct kept_inputs {
    const uint8_t *is_new;    /* by object of the final dump: allocated after the baseline */
    const uint8_t *replaced;  /* by object: took a freed one's place (replaced.h), or NULL */
    const char *const *harness;  /* modules (and their submodules) of the test runner */
    size_t harness_count;
} kept_inputs;

typedef struct kept {
    report *r;
    const retention *paths;
    kept_inputs in;
    uint32_t *near;         /* memo: each object's nearest keeper among its dominators */
    uint32_t *near_path;    /* memo: the nearest on its retention path */
    uint32_t *near_harness; /* memo: the nearest test runner's object on its retention path */
    uint32_t *root;         /* memo: the root each object's retention path starts at */
    uint32_t *chain;        /* scratch: the objects one climb passed */
    uint8_t *edge;          /* KEPT_EDGE_* bits: how each object's retention parent names it */
} kept;

/* 0, or -1 when out of memory (release `k` either way). */
int kept_init(kept *k, report *r, const retention *paths, const kept_inputs *in);

/*
 * Why object t is kept; *by receives the holder that says so (a root's
 * text, a module or a cache's name), to free, or NULL.  Amortised O(1):
 * each dominator chain and retention path is climbed once.
 */
kept_kind kept_why(kept *k, uint32_t t, char **by);

void kept_release(kept *k);

#endif
