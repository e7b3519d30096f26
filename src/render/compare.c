/*
 * compare.c: a comparison as one document: the heap's change, the gate,
 * what grew (structures matched by retention path, types, modules,
 * sites), the leaks it proves and the new findings.  Each markup draws it.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "render/compare.h"
#include "render/doc.h"
#include "report/survivors.h"
#include "textout.h"

#define ROWS_SHOWN 20
#define BARS_SHOWN 10
#define SHOWN_CHANGE 1024  /* smaller changes are noise in a table */

static double percent_change(uint64_t before, uint64_t after)
{
    return before ? 100.0 * ((double)after - (double)before) / (double)before : 0.0;
}

int compare_row_shown(const delta_row *row)
{
    int64_t growth = delta_growth(row);
    return growth >= SHOWN_CHANGE || growth <= -SHOWN_CHANGE || row->present[BASE] != row->present[NEW];
}

static void heading(doc *d, const char *title)
{
    doc_heading(d, 2, NULL);
    doc_text(d, title);
}

static void summary(doc *d, const comparison *c, const compare_source *src)
{
    const compare_summary *a = c->side[BASE], *b = c->side[NEW];
    char x[32], y[32], delta[32];
    doc_title(d);
    doc_text(d, "heapan compare");
    doc_para(d, TONE_PLAIN);
    doc_styled(d, SPAN_PATH, 1, src->base);
    doc_text(d, " → ");
    doc_styled(d, SPAN_PATH, 1, src->now);
    doc_para(d, TONE_PLAIN);
    doc_text(d, "heap: ");
    doc_styled(d, SPAN_SIZE, 0, format_bytes(a->total_size, x, sizeof x));
    doc_text(d, " → ");
    doc_styled(d, SPAN_SIZE, 0, format_bytes(b->total_size, y, sizeof y));
    doc_textf(d, " (%s, %+.1f%%); objects %" PRIu32 " → %" PRIu32,
              format_signed_bytes((int64_t)b->total_size - (int64_t)a->total_size, 1, delta, sizeof delta),
              percent_change(a->total_size, b->total_size), a->objects, b->objects);
}

static void gate(doc *d, const comparison *c)
{
    if (!c->gate_count)
        return;
    heading(d, c->crossed ? "Gate: limits crossed" : "Gate: no limit crossed");
    doc_list(d);
    for (size_t i = 0; i < c->gate_count; i++) {
        const gate_result *g = &c->gates[i];
        char before[32], after[32], delta[32];
        doc_item(d);
        if (g->crossed)
            doc_styled(d, SPAN_STRONG, 0, "CROSSED");
        else
            doc_text(d, g->matched ? "ok" : "no match");
        doc_text(d, " ");
        doc_dump(d, g->limit->spec);
        doc_textf(d, ": %s → %s (%s", format_bytes(g->before, before, sizeof before),
                  format_bytes(g->after, after, sizeof after),
                  format_signed_bytes((int64_t)g->after - (int64_t)g->before, 1, delta, sizeof delta));
        if (g->before)
            doc_textf(d, ", %+.1f%%", percent_change(g->before, g->after));
        doc_text(d, ")");
        if (g->under_noise)
            doc_textf(d, ", under --noise %s: not counted",
                      format_bytes(c->noise, before, sizeof before));
    }
}

/* The largest growths as bars, leaving out those under the noise floor. */
static void growth_bars(doc *d, const comparison *c, const delta_table *t)
{
    uint64_t floor = c->noise > SHOWN_CHANGE ? c->noise : SHOWN_CHANGE;
    doc_bars(d, 1);
    for (size_t i = 0, n = 0; i < t->count && n < BARS_SHOWN; i++) {
        int64_t growth = delta_growth(&t->rows[i]);
        char text[32];
        if (growth <= 0 || (uint64_t)growth < floor)
            continue;
        doc_bar(d, t->rows[i].name, (uint64_t)growth, format_signed_bytes(growth, 1, text, sizeof text));
        n++;
    }
}

static void changes(doc *d, const comparison *c, const delta_table *t, const char *title,
                    const char *what, int bars)
{
    static const column_kind kinds[] = {COL_TEXT, COL_BYTES, COL_BYTES, COL_BYTES, COL_COUNT};
    const char *names[] = {what, "baseline", "new", "delta", "count"};
    size_t shown = 0;
    for (size_t i = 0; i < t->count && shown < ROWS_SHOWN; i++) {
        const delta_row *row = &t->rows[i];
        char a[32], b[32], delta[32];
        if (!compare_row_shown(row))
            continue;
        if (!shown++) {
            heading(d, title);
            if (bars)
                growth_bars(d, c, t);
            doc_table(d, 5, names, kinds, SIZE_MAX);
        }
        doc_cell(d), doc_styled(d, SPAN_PATH, 1, row->name);
        doc_cell(d), doc_styled(d, SPAN_SIZE, 0, row->present[BASE] ? format_bytes(row->retained[BASE], a, sizeof a) : "(none)");
        doc_sort_key(d, (double)row->retained[BASE]);
        doc_cell(d), doc_styled(d, SPAN_SIZE, 0, row->present[NEW] ? format_bytes(row->retained[NEW], b, sizeof b) : "(gone)");
        doc_sort_key(d, (double)row->retained[NEW]);
        doc_cell(d), doc_styled(d, SPAN_SIZE, 0, format_signed_bytes(delta_growth(row), 1, delta, sizeof delta));
        doc_sort_key(d, (double)delta_growth(row));
        doc_cell(d), doc_textf(d, "%" PRIu64 " → %" PRIu64, row->count[BASE], row->count[NEW]);
        doc_sort_key(d, (double)row->count[NEW]);
    }
}

/* The findings proven to grow, each with its evidence and its fix. */
static void leaks(doc *d, const comparison *c)
{
    const report *r = c->now;
    if (!c->leak_count)
        return;
    heading(d, "Leaks: grew since the baseline");
    doc_list(d);
    for (size_t i = 0; i < c->leak_count; i++) {
        const leak_candidate *l = &r->leaks[c->leaks[i]];
        doc_item(d);
        doc_styled(d, SPAN_STRONG, 1, l->path_text ? l->path_text : leak_kind_name(l->kind));
        doc_text(d, ": ");
        doc_dump(d, l->growth_text ? l->growth_text : "");
        if (l->fix != SIZE_MAX) {
            doc_text(d, " Fix: ");
            doc_dump(d, r->suggestions[l->fix].message);
        }
    }
}

static void findings(doc *d, const comparison *c)
{
    leaks(d, c);
    if (!c->new_leak_count && !c->new_suggestion_count)
        return;
    heading(d, "New findings");
    doc_list(d);
    for (size_t i = 0; i < c->new_leak_count; i++) {
        const leak_candidate *l = &c->now->leaks[c->new_leaks[i]];
        doc_item(d);
        doc_styled(d, SPAN_STRONG, 0, leak_kind_name(l->kind));
        doc_text(d, ": ");
        doc_dump(d, l->reason);
    }
    for (size_t i = 0; i < c->new_suggestion_count; i++) {
        const suggestion *s = &c->now->suggestions[c->new_suggestions[i]];
        doc_item(d);
        doc_styled(d, SPAN_STRONG, 0, suggestion_kind_name(s->kind));
        doc_text(d, ": ");
        doc_dump(d, s->message);
    }
}

/* Dumps of one process: what is new by identity and still alive, and what went. */
static void by_identity(doc *d, const comparison *c, const compare_source *src)
{
    const survivors *s = src->identity;
    if (!s)
        return;
    heading(d, "Objects by identity (one process)");
    doc_para(d, TONE_PLAIN);
    doc_text(d, "The dumps come from one process: its objects are matched by address, type and "
                "what they own (heapan leaks tells more). New in ");
    doc_styled(d, SPAN_PATH, 1, src->now);
    doc_textf(d, " and alive: %" PRIu64 " object%s, ", s->count, plural(s->count));
    doc_bytes(d, s->bytes);
    doc_text(d, "; gone since ");
    doc_styled(d, SPAN_PATH, 1, src->base);
    doc_textf(d, ": %" PRIu32 " object%s, ", s->since_baseline.gone_count,
              plural(s->since_baseline.gone_count));
    doc_bytes(d, s->since_baseline.gone_bytes);
    doc_text(d, ".");
    static const column_kind kinds[] = {COL_TEXT, COL_COUNT, COL_BYTES, COL_TEXT};
    static const char *const names[] = {"held by", "new objects", "new bytes", "path"};
    size_t shown = 0;
    for (size_t k = 0; k < s->cluster_count && shown < ROWS_SHOWN; k++) {
        const survivor_cluster *one = &s->clusters[k];
        if (one->bytes < SHOWN_CHANGE)
            continue;
        if (!shown++)
            doc_table(d, 4, names, kinds, SIZE_MAX);
        doc_cell(d), doc_styled(d, SPAN_PATH, 1, one->where);
        doc_cell(d), doc_textf(d, "%" PRIu64, one->objects), doc_sort_key(d, (double)one->objects);
        doc_cell(d), doc_bytes(d, one->bytes), doc_sort_key(d, (double)one->bytes);
        doc_cell(d), doc_styled(d, SPAN_PATH, 1, one->example ? one->example : "");
    }
    (void)c;
}

int render_compare_doc(doc *d, const comparison *c, const compare_source *src)
{
    summary(d, c, src);
    gate(d, c);
    by_identity(d, c, src);
    const accounting memory[2] = {c->side[BASE]->memory, c->side[NEW]->memory};
    render_accounting_change(d, memory, 2, "baseline", "new");
    changes(d, c, &c->structures, "Structures (matched by retention path)", "where", 1);
    changes(d, c, &c->types, "Types", "type", 1);
    changes(d, c, &c->modules, "Modules", "module", 0);
    changes(d, c, &c->sites, "Allocation sites", "site", 0);
    findings(d, c);
    return doc_failed(d) ? -1 : 0;
}
