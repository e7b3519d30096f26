/* render_trace.h: `heapan trace` as text, Markdown, HTML or JSON ("heapan.trace/1"). */
#ifndef HEAPAN_RENDER_TRACE_H
#define HEAPAN_RENDER_TRACE_H

#include <stdio.h>

#include "trace/trace.h"

/* Each returns 0, or -1 when out of memory. */
int render_trace_text(FILE *out, const trace *t, const char *file, size_t top);
int render_trace_markdown(FILE *out, const trace *t, const char *file, size_t top);
int render_trace_html(FILE *out, const trace *t, const char *file, size_t top);
int render_trace_json(FILE *out, const trace *t, const char *file, size_t top);

/*
 * A call site as in the "sites" of heapan.trace/1: file, function, line,
 * stack, live_at_peak, live_at_end, total_allocated, allocations, growth,
 * growth_fit, grows, curve.  A new object, or NULL when out of memory.
 */
struct cJSON;
struct cJSON *render_trace_site_json(const trace *t, uint32_t stack);

#endif
