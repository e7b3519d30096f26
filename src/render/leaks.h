/* leaks.h: `heapan leaks` as a document, and as JSON ("schema": "heapan.leaks/1"). */
#ifndef HEAPAN_RENDER_LEAKS_H
#define HEAPAN_RENDER_LEAKS_H

#include <stdio.h>

#include "render/doc.h"
#include "report/survivors.h"

typedef struct leaks_source {
    const char *baseline, *target, *final;  /* the files as named; target NULL with two */
    uint64_t limit;                         /* --fail-on-leak, 0 without */
    size_t top;                             /* clusters shown */
} leaks_source;

/* The survivors as a document; 0, or -1 when out of memory. */
int render_leaks_doc(doc *d, const survivors *s, const report *final, const leaks_source *src);

/* The survivors as JSON; 0, or -1 when out of memory. */
int render_leaks_json(FILE *out, const survivors *s, const report *final, const leaks_source *src);

#endif
