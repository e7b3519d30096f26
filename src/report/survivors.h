/*
 * survivors.h: what `heapan leaks BASELINE TARGET FINAL` finds, as
 * memlab's find-leaks does for JavaScript: the objects allocated after
 * BASELINE (absent from it, by identity), present in TARGET and still
 * alive in FINAL.  They survived the work that should have released them.
 * They are clustered by what holds them: the first object on their
 * retention path that is not one of them.  Three dumps of one process;
 * with two, TARGET is FINAL.  Each cluster says why it is kept (kept.h):
 * what a cache or an import keeps counts as a leak only after a warm-up.
 * Never prints.
 */
#ifndef HEAPAN_SURVIVORS_H
#define HEAPAN_SURVIVORS_H

#include <stddef.h>
#include <stdint.h>

#include "model/dominators.h"
#include "model/identity.h"
#include "model/paths.h"
#include "report/kept.h"
#include "report/report.h"

#define SURVIVOR_TYPES 4          /* types listed per cluster */
#define SURVIVOR_HOLDERS 20000    /* distinct holders named; the rest are counted together */

typedef struct survivor_cluster {
    uint32_t holder;       /* in FINAL; HEAP_NONE: a root holds them directly, or none does */
    char *where;           /* the holder's structure name, or the root's text */
    char *example;         /* the retention path to the one that retains most */
    uint32_t example_top, example_type;  /* that one, and its type id */
    uint64_t objects, bytes;  /* the survivors it holds: count, shallow bytes */
    uint64_t retained;     /* what the survivors it holds directly retain in FINAL */
    type_count types[SURVIVOR_TYPES];
    size_t type_count;
    const leak_candidate *finding;  /* FINAL's report finding about the holder, or NULL */
    kept_kind kind;        /* why they are kept: a leak when any of them is */
    char *kept_by;         /* the cache, module or root that keeps them, or NULL */
} survivor_cluster;

typedef struct survivors {
    identity since_baseline;   /* TARGET's objects against BASELINE's */
    identity until_final;      /* FINAL's against TARGET's (empty with two dumps) */
    uint64_t target_new, target_new_bytes;  /* new in TARGET */
    uint64_t count, bytes;     /* of them still alive in FINAL */
    int warmed_up;             /* the work ran once before the baseline: caches count */
    uint64_t leaked, leaked_bytes;  /* of those, what counts as leaked (kept_counts()) */
    uint64_t kind_objects[KEPT_KIND_COUNT], kind_bytes[KEPT_KIND_COUNT];
    survivor_cluster *clusters;   /* most bytes first */
    size_t cluster_count;
} survivors;

typedef struct survivors_options {
    int warmed_up;                /* the work ran once before the baseline: what a cache or an
                                   * import still keeps is growth too */
    const char *const *harness;   /* the test runner's modules: what they hold is theirs */
    size_t harness_count;
} survivors_options;

/*
 * Finds the survivors.  `final` has its dominators (with the tree), its
 * retention paths and its report; `target` is NULL with two dumps.  A
 * replacement (replaced.h) is told when the baseline and the final dump
 * have their labels.  Returns 0, or -1 when out of memory (release `s`
 * either way).
 */
int survivors_find(const heap *baseline, const heap *target, report *final,
                   const retention *paths, const survivors_options *o, survivors *s);
void survivors_release(survivors *s);

#endif
