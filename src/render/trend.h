/* trend.h: `heapan trend` as a document, and as JSON ("schema": "heapan.trend/1"). */
#ifndef HEAPAN_RENDER_TREND_H
#define HEAPAN_RENDER_TREND_H

#include <stdio.h>

#include "render/doc.h"
#include "render/render.h"
#include "report/trend.h"

/* The series as a document; `files` names its dumps.  0, or -1 when out of memory. */
int render_trend_doc(doc *d, const trend *t, char *const *files);

/* The series as JSON; 0, or -1 when out of memory. */
int render_trend_json(FILE *out, const trend *t, char *const *files);

#endif
