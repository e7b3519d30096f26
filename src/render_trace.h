/* render_trace.h: `heapan trace` as text, Markdown, HTML or JSON ("heapan.trace/1"). */
#ifndef HEAPAN_RENDER_TRACE_H
#define HEAPAN_RENDER_TRACE_H

#include <stdio.h>

#include "trace.h"

/* Each returns 0, or -1 when out of memory. */
int render_trace_text(FILE *out, const trace *t, const char *file, size_t top);
int render_trace_markdown(FILE *out, const trace *t, const char *file, size_t top);
int render_trace_html(FILE *out, const trace *t, const char *file, size_t top);
int render_trace_json(FILE *out, const trace *t, const char *file, size_t top);

/* Is this site a leak candidate: live at the end, and a steady climb? */
int trace_site_grows(const trace *t, uint32_t stack);

#endif
