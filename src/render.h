/*
 * render.h: the report's three renderers.  Everything that comes from the
 * dump (type names, keys, labels) is untrusted and escaped for the output
 * format: Markdown, HTML, or JSON.
 */
#ifndef HEAPAN_RENDER_H
#define HEAPAN_RENDER_H

#include <stdio.h>

#include "report.h"

/* Facts about the file, for the summary. */
typedef struct render_source {
    const char *path;
} render_source;

/* Each returns 0, or -1 when out of memory. */
int render_markdown(FILE *out, const report *r, const render_source *src);
int render_html(FILE *out, const report *r, const render_source *src);
int render_json(FILE *out, const report *r, const render_source *src);

/* Helpers the renderers share (render_common.c). */

/* The step texts of a path ("module app", " . x", ...) joined; NULL when out of memory. */
char *render_path_text(const report *r, const path *p);

/* Text from the dump, inert in Markdown (punctuation escaped, HTML as entities). */
void render_md_text(FILE *out, const char *s);

/* Text from the dump, inert in HTML. */
void render_html_text(FILE *out, const char *s);

/* "12.3%" of the heap. */
double render_share(const report *r, uint64_t bytes);

#endif
