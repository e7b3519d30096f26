/* compare.h: `heapan compare` as a document, and as JSON; text from the dumps is escaped. */
#ifndef HEAPAN_RENDER_COMPARE_H
#define HEAPAN_RENDER_COMPARE_H

#include <stdio.h>

#include "report/compare.h"
#include "render/render.h"

typedef struct compare_source {
    const char *base, *now;  /* the two files as named */
    const struct survivors *identity;  /* dumps of one process: their objects matched; or NULL */
} compare_source;

/* The comparison as a document (compare.c), for any markup; 0, or -1 when out of memory. */
int render_compare_doc(doc *d, const comparison *c, const compare_source *src);

/* The comparison as JSON (compare_json.c); 0, or -1 when out of memory. */
int render_compare_json(FILE *out, const comparison *c, const compare_source *src);

/* Is a row worth showing: it changed by a KiB or more, or it came or went? */
int compare_row_shown(const delta_row *row);

#endif
