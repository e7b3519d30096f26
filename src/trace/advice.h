/*
 * trace_advice.h: suggestions that need time, which one heap dump cannot
 * give: what a call site builds and throws away again and again.  From an
 * allocation trace; never prints.
 */
#ifndef HEAPAN_TRACE_ADVICE_H
#define HEAPAN_TRACE_ADVICE_H

#include <stddef.h>
#include <stdint.h>

#include "report/report.h"
#include "trace/trace.h"

typedef enum trace_advice_kind {
    ADVICE_GENERATOR,   /* a list comprehension rebuilt and dropped: iterate lazily */
    ADVICE_REUSE_BUFFER /* large buffers allocated and freed in a row: reuse one */
} trace_advice_kind;

typedef struct trace_advice {
    trace_advice_kind kind;
    uint32_t stack;
    uint64_t saving; /* bytes off the peak */
    uint64_t churn;  /* bytes allocated that need not be */
} trace_advice;

/* Thresholds: a site matters when it holds this share of the peak ... */
#define ADVICE_MIN_PEAK_SHARE 0.01
/* ... or, for buffers, allocates this share of all bytes. */
#define ADVICE_MIN_CHURN_SHARE 0.10
#define ADVICE_LARGE_BUFFER (64u << 10)

/*
 * Up to `max` pieces of advice into `out`, biggest saving first; returns
 * how many.
 */
size_t trace_find_advice(const trace *t, trace_advice *out, size_t max);

/* The report's suggestion kind for this advice, whose name and example it shares. */
suggestion_kind trace_advice_suggestion(trace_advice_kind kind);

/* What to change and why, with the numbers: a new string, or NULL when out of memory. */
char *trace_advice_message(const trace *t, const trace_advice *a);

#endif
