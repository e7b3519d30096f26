/* render_compare.h: the renderers of `heapan compare`; text from the dumps is escaped. */
#ifndef HEAPAN_RENDER_COMPARE_H
#define HEAPAN_RENDER_COMPARE_H

#include <stdio.h>

#include "report/compare.h"
#include "render/render.h"

typedef struct compare_source {
    const char *base, *now;  /* the two files as named */
} compare_source;

/* Each returns 0, or -1 when out of memory. */
int render_compare_text(FILE *out, const comparison *c, const compare_source *src);
int render_compare_markdown(FILE *out, const comparison *c, const compare_source *src);
int render_compare_html(FILE *out, const comparison *c, const compare_source *src);
int render_compare_json(FILE *out, const comparison *c, const compare_source *src);

#endif
