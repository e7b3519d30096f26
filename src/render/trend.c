/*
 * trend.c: a series of dumps as one document: the heap over time, and the
 * structures, types and modules that grew, each with its curve across the
 * series.  Each markup draws it (the curves as block characters, or SVG).
 */
#include <inttypes.h>
#include <stdlib.h>

#include "render/trend.h"
#include "textout.h"

#define CURVE_POINTS 32  /* a curve shows at most this many of the dumps, evenly spread */

static void curve(doc *d, const uint64_t *values, size_t n)
{
    uint64_t shown[CURVE_POINTS];
    size_t m = n < CURVE_POINTS ? n : CURVE_POINTS;
    for (size_t k = 0; k < m; k++)
        shown[k] = values[m > 1 ? k * (n - 1) / (m - 1) : 0];
    doc_curve(d, shown, m);
}

static void summary(doc *d, const trend *t, char *const *files)
{
    size_t last = t->dumps - 1;
    char a[32], b[32];
    doc_title(d);
    doc_textf(d, "heapan trend: %zu dumps", t->dumps);
    doc_facts(d);
    doc_fact(d, "first");
    doc_styled(d, SPAN_PATH, 1, files[0]);
    doc_fact(d, "last");
    doc_styled(d, SPAN_PATH, 1, files[last]);
    doc_fact(d, "span");
    doc_textf(d, "%.1f s", (double)(t->time_us[last] - t->time_us[0]) / 1e6);
    doc_fact(d, "heap");
    doc_styled(d, SPAN_SIZE, 0, format_bytes(t->total[0], a, sizeof a));
    doc_text(d, " → ");
    doc_styled(d, SPAN_SIZE, 0, format_bytes(t->total[last], b, sizeof b));
    doc_fact(d, "objects");
    doc_textf(d, "%" PRIu32 " → %" PRIu32, t->objects[0], t->objects[last]);
}

/* The heap over the series' time, where charts are drawn. */
static void heap_chart(doc *d, const trend *t)
{
    uint64_t *points = malloc(t->dumps * 2 * sizeof *points);
    if (!points) {
        d->failed = 1;
        return;
    }
    for (size_t k = 0; k < t->dumps; k++) {
        int64_t since = t->time_us[k] - t->time_us[0];
        points[2 * k] = since > 0 ? (uint64_t)since : 0;
        points[2 * k + 1] = t->total[k];
    }
    doc_heading(d, 2, NULL);
    doc_rich(d);
    doc_text(d, "The heap over the series");
    doc_lines(d, 1, t->dumps, points);
    doc_item(d), doc_text(d, "heap size");
    free(points);
}

static void table(doc *d, const trend_table *table, size_t dumps, const char *title,
                  const char *what)
{
    static const column_kind kinds[] = {COL_TEXT, COL_BYTES, COL_BYTES, COL_BYTES, COL_CURVE};
    const char *names[] = {what, "first", "last", "growth", "across the series"};
    doc_heading(d, 2, NULL);
    doc_text(d, title);
    if (!table->count) {
        doc_para(d, TONE_OK);
        doc_text(d, "None grew.");
        return;
    }
    doc_table(d, 5, names, kinds, SIZE_MAX);
    for (size_t i = 0; i < table->count; i++) {
        const trend_row *row = &table->rows[i];
        doc_cell(d), doc_styled(d, SPAN_PATH, 1, row->name);
        doc_cell(d), doc_bytes(d, row->values[0]), doc_sort_key(d, (double)row->values[0]);
        doc_cell(d), doc_bytes(d, row->values[dumps - 1]);
        doc_sort_key(d, (double)row->values[dumps - 1]);
        doc_cell(d), doc_text(d, "+"), doc_bytes(d, (uint64_t)row->growth);
        doc_sort_key(d, (double)row->growth);
        doc_cell(d), curve(d, row->values, dumps);
    }
}

int render_trend_doc(doc *d, const trend *t, char *const *files)
{
    summary(d, t, files);
    doc_para(d, TONE_NOTE);
    doc_text(d, "What grows at every step of a series is the likeliest leak. heapan leaks FIRST "
                "MIDDLE LAST tells which objects survive, and what holds them.");
    heap_chart(d, t);
    render_accounting_change(d, t->memory, t->dumps, "first", "last");
    table(d, &t->structures, t->dumps, "Structures that grew (matched by retention path)", "where");
    table(d, &t->types, t->dumps, "Types that grew", "type");
    table(d, &t->modules, t->dumps, "Modules that grew", "module");
    return doc_failed(d) ? -1 : 0;
}
