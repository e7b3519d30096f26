/*
 * trace_link.h: a heap report joined with an allocation trace of the same
 * process, taken when the trace ended (`python3 -m heapan run --trace T
 * --dump-at-exit D`): where each finding's objects were allocated and how
 * those sites grew (the evidence of growth story.c weighs), the trace's
 * growing sites, and its time-based suggestions among the report's.
 * Never prints.
 */
#ifndef HEAPAN_TRACE_LINK_H
#define HEAPAN_TRACE_LINK_H

#include <stddef.h>
#include <stdint.h>

#include "report/report.h"
#include "trace/trace.h"

#define LINK_SITES_PER_LEAK 3

typedef struct origin_site {
    uint32_t stack; /* the trace's stack id */
    uint64_t bytes, objects;
} origin_site;

/* Where a leak candidate's retained objects were allocated, most bytes first. */
typedef struct leak_origin {
    origin_site sites[LINK_SITES_PER_LEAK];
    size_t site_count;
    uint64_t objects; /* objects the candidate retains */
    uint64_t matched; /* of those, found live at the trace's end */
} leak_origin;

typedef struct trace_link {
    const trace *trace;
    int same_process;     /* the dump's pid is the trace's: addresses can match */
    leak_origin *origins; /* one per finding, by its `origin` index */
    uint32_t *growing;    /* steadily growing sites, fastest first */
    size_t growing_count;
} trace_link;

/*
 * Joins `r`'s findings, in their order then, with `t`: where each one's
 * objects were allocated, and the trace's growing sites.  report_build()
 * calls it with the trace of its options.  Returns 0, or -1 when out of
 * memory (release `l` either way).
 */
int trace_link_origins(trace_link *l, const report *r, const trace *t);

/* Adds the trace's advice (suggestions that need time) to r->suggestions; 0, or -1. */
int trace_link_advice(report *r, const trace *t);
void trace_link_release(trace_link *l);

#endif
