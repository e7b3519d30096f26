/* trace.h: `heapan trace` as a document, and as JSON ("heapan.trace/1"). */
#ifndef HEAPAN_RENDER_TRACE_H
#define HEAPAN_RENDER_TRACE_H

#include <stdio.h>

#include "render/doc.h"
#include "trace/trace.h"

/* The suggestions a trace report lists at most. */
#define RENDER_TRACE_ADVICE 10

/* The trace as a document (trace.c), for any markup; 0, or -1 when out of memory. */
int render_trace_doc(doc *d, const trace *t, const char *file, size_t top);

/* The trace as JSON (trace_json.c); 0, or -1 when out of memory. */
int render_trace_json(FILE *out, const trace *t, const char *file, size_t top);

/*
 * The sites of table `key` (0 live at the peak, 1 live at the end, 2
 * allocated, 3 growing steadily), at most `top`, into out; how many.
 */
size_t render_trace_sites(const trace *t, int key, uint32_t *out, size_t top);

/*
 * A call site as in the "sites" of heapan.trace/1: file, function, line,
 * stack, live_at_peak, live_at_end, total_allocated, allocations, growth,
 * growth_fit, grows, curve.  A new object, or NULL when out of memory.
 */
struct cJSON;
struct cJSON *render_trace_site_json(const trace *t, uint32_t stack);

#endif
