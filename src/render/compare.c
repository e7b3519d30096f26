/*
 * render_compare.c: a comparison as a terminal table (the default),
 * Markdown, self-contained HTML, or JSON ("schema": "heapan.compare/1").
 */
#include <cJSON.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "render/jsonout.h"
#include "render/compare.h"
#include "textout.h"

#define ROWS_SHOWN 10
#define SHOWN_CHANGE 1024  /* smaller changes are noise in a table */

static char *signed_bytes(int64_t delta, char *buf, size_t size)
{
    char plain[24];  /* format_bytes() needs 16; the sign and this fit in 32 */
    format_bytes((uint64_t)(delta < 0 ? -delta : delta), plain, sizeof plain);
    snprintf(buf, size, "%s%s", delta < 0 ? "-" : "+", plain);
    return buf;
}

static double percent_change(uint64_t before, uint64_t after)
{
    return before ? 100.0 * ((double)after - (double)before) / (double)before : 0.0;
}

/* Rows worth showing: those that changed, biggest growth first, then the biggest shrink. */
static int changed(const delta_row *row)
{
    int64_t growth = delta_growth(row);
    return growth >= SHOWN_CHANGE || growth <= -SHOWN_CHANGE || row->present[BASE] != row->present[NEW];
}

/* ---- terminal ------------------------------------------------------------------------ */

static void text_table(FILE *out, const delta_table *t, const char *title, const char *what,
                       int structures)
{
    size_t shown = 0;
    for (size_t i = 0; i < t->count && shown < ROWS_SHOWN; i++) {
        const delta_row *row = &t->rows[i];
        if (!changed(row) || delta_growth(row) <= 0)
            continue;
        if (!shown++)
            fprintf(out, "\n%s:\n%11s %11s %11s %8s %17s  %s\n", title, "baseline", "new", "delta",
                    "%", structures ? "entries" : "count", what);
        char a[32], b[32], d[32], counts[48];
        snprintf(counts, sizeof counts, "%" PRIu64 " -> %" PRIu64, row->count[BASE], row->count[NEW]);
        fprintf(out, "%11s %11s %11s ", row->present[BASE] ? format_bytes(row->retained[BASE], a, sizeof a) : "(none)",
                row->present[NEW] ? format_bytes(row->retained[NEW], b, sizeof b) : "(gone)",
                signed_bytes(delta_growth(row), d, sizeof d));
        if (row->present[BASE] && row->retained[BASE])
            fprintf(out, "%+7.0f%%", percent_change(row->retained[BASE], row->retained[NEW]));
        else
            fprintf(out, "%8s", "new");
        fprintf(out, " %17s  ", counts);
        print_cstr(out, row->name);
        fputc('\n', out);
    }
}

static void text_gate(FILE *out, const comparison *c)
{
    if (!c->gate_count)
        return;
    fputs("\ngate:\n", out);
    for (size_t i = 0; i < c->gate_count; i++) {
        const gate_result *g = &c->gates[i];
        char before[32], after[32], d[32];
        fprintf(out, "  %-8s ", g->crossed ? "CROSSED" : g->matched ? "ok" : "no match");
        print_cstr(out, g->limit->spec);
        fprintf(out, ": %s -> %s (%s", format_bytes(g->before, before, sizeof before),
                format_bytes(g->after, after, sizeof after),
                signed_bytes((int64_t)g->after - (int64_t)g->before, d, sizeof d));
        if (g->before)
            fprintf(out, ", %+.1f%%", percent_change(g->before, g->after));
        fputc(')', out);
        if (g->under_noise)
            fprintf(out, ", under --noise %s: not counted",
                    format_bytes(c->noise, d, sizeof d));
        fputc('\n', out);
    }
}

int render_compare_text(FILE *out, const comparison *c, const compare_source *src)
{
    const heap *a = c->side[BASE]->heap, *b = c->side[NEW]->heap;
    char x[32], y[32], d[32];
    fputs("heapan compare: ", out);
    print_cstr(out, src->base);
    fputs(" -> ", out);
    print_cstr(out, src->now);
    fprintf(out, "\nheap: %s -> %s (%s, %+.1f%%); objects %" PRIu32 " -> %" PRIu32 "\n",
            format_bytes(a->total_size, x, sizeof x), format_bytes(b->total_size, y, sizeof y),
            signed_bytes((int64_t)b->total_size - (int64_t)a->total_size, d, sizeof d),
            percent_change(a->total_size, b->total_size), a->count, b->count);
    text_table(out, &c->structures, "structures that grew (matched by retention path)", "where", 1);
    text_table(out, &c->types, "types that grew", "type", 0);
    text_table(out, &c->sites, "allocation sites that grew", "site", 0);
    if (c->leak_count) {
        fputs("\nleaks (they grew since the baseline):\n", out);
        for (size_t i = 0; i < c->leak_count; i++) {
            const report *r = c->side[NEW];
            const leak_candidate *l = &r->leaks[c->leaks[i]];
            fputs("  ", out);
            print_cstr(out, l->path_text ? l->path_text : leak_kind_name(l->kind));
            fputs(": ", out);
            print_cstr(out, l->growth_text ? l->growth_text : "");
            if (l->fix != SIZE_MAX) {
                fputs("\n    fix: ", out);
                print_cstr(out, r->suggestions[l->fix].message);
            }
            fputc('\n', out);
        }
    }
    if (c->new_leak_count) {
        fputs("\nnew leak candidates:\n", out);
        for (size_t i = 0; i < c->new_leak_count; i++) {
            const leak_candidate *l = &c->side[NEW]->leaks[c->new_leaks[i]];
            fprintf(out, "  %s: ", leak_kind_name(l->kind));
            print_cstr(out, l->reason);
            fputc('\n', out);
        }
    }
    if (c->new_suggestion_count) {
        fputs("\nnew suggestions:\n", out);
        for (size_t i = 0; i < c->new_suggestion_count; i++) {
            const suggestion *s = &c->side[NEW]->suggestions[c->new_suggestions[i]];
            fprintf(out, "  %s: ", suggestion_kind_name(s->kind));
            print_cstr(out, s->message);
            fputc('\n', out);
        }
    }
    text_gate(out, c);
    if (!c->crossed)
        fputs(c->gate_count ? "\nno limit crossed\n" : "", out);
    return 0;
}

/* ---- Markdown and HTML share one walk, with their own escaping -------------------- */

typedef struct markup {
    FILE *out;
    int html;
} markup;

static void esc(const markup *m, const char *s)
{
    if (m->html)
        render_html_text(m->out, s);
    else
        render_md_text(m->out, s);
}

static void heading(const markup *m, const char *title)
{
    fprintf(m->out, m->html ? "<h2>%s</h2>\n" : "## %s\n\n", title);
}

static void markup_table(const markup *m, const delta_table *t, const char *title, const char *what)
{
    size_t shown = 0;
    for (size_t i = 0; i < t->count && shown < 2 * ROWS_SHOWN; i++) {
        const delta_row *row = &t->rows[i];
        if (!changed(row))
            continue;
        if (!shown++) {
            heading(m, title);
            fprintf(m->out, m->html ? "<table><thead><tr><th>%s</th><th>baseline</th><th>new</th>"
                                      "<th>delta</th><th>count</th></tr></thead><tbody>\n"
                                    : "| %s | baseline | new | delta | count |\n|---|---|---|---|---|\n",
                    what);
        }
        char a[32], b[32], d[32];
        fputs(m->html ? "<tr><td>" : "| ", m->out);
        esc(m, row->name);
        fprintf(m->out, m->html ? "</td><td>%s</td><td>%s</td><td>%s</td><td>%" PRIu64 " &rarr; %" PRIu64 "</td></tr>\n"
                                : " | %s | %s | %s | %" PRIu64 " → %" PRIu64 " |\n",
                row->present[BASE] ? format_bytes(row->retained[BASE], a, sizeof a) : "(none)",
                row->present[NEW] ? format_bytes(row->retained[NEW], b, sizeof b) : "(gone)",
                signed_bytes(delta_growth(row), d, sizeof d), row->count[BASE], row->count[NEW]);
    }
    if (shown)
        fputs(m->html ? "</tbody></table>\n" : "\n", m->out);
}

/* The findings proven to grow, each with its evidence and its fix. */
static void markup_leaks(const markup *m, const comparison *c)
{
    const report *r = c->side[NEW];
    if (!c->leak_count)
        return;
    heading(m, "Leaks: grew since the baseline");
    fputs(m->html ? "<ul>\n" : "", m->out);
    for (size_t i = 0; i < c->leak_count; i++) {
        const leak_candidate *l = &r->leaks[c->leaks[i]];
        fputs(m->html ? "<li><strong>" : "- **", m->out);
        esc(m, l->path_text ? l->path_text : leak_kind_name(l->kind));
        fputs(m->html ? "</strong>: " : "**: ", m->out);
        esc(m, l->growth_text ? l->growth_text : "");
        if (l->fix != SIZE_MAX) {
            fputs(" Fix: ", m->out);
            esc(m, r->suggestions[l->fix].message);
        }
        fputs(m->html ? "</li>\n" : "\n", m->out);
    }
    fputs(m->html ? "</ul>\n" : "\n", m->out);
}

static void markup_findings(const markup *m, const comparison *c)
{
    markup_leaks(m, c);
    if (!c->new_leak_count && !c->new_suggestion_count)
        return;
    heading(m, "New findings");
    fputs(m->html ? "<ul>\n" : "", m->out);
    for (size_t i = 0; i < c->new_leak_count; i++) {
        const leak_candidate *l = &c->side[NEW]->leaks[c->new_leaks[i]];
        fprintf(m->out, m->html ? "<li><b>%s</b>: " : "- **%s**: ", leak_kind_name(l->kind));
        esc(m, l->reason);
        fputs(m->html ? "</li>\n" : "\n", m->out);
    }
    for (size_t i = 0; i < c->new_suggestion_count; i++) {
        const suggestion *s = &c->side[NEW]->suggestions[c->new_suggestions[i]];
        fprintf(m->out, m->html ? "<li><b>%s</b>: " : "- **%s**: ", suggestion_kind_name(s->kind));
        esc(m, s->message);
        fputs(m->html ? "</li>\n" : "\n", m->out);
    }
    fputs(m->html ? "</ul>\n" : "\n", m->out);
}

static void markup_gate(const markup *m, const comparison *c)
{
    if (!c->gate_count)
        return;
    heading(m, c->crossed ? "Gate: limits crossed" : "Gate: no limit crossed");
    fputs(m->html ? "<ul>\n" : "", m->out);
    for (size_t i = 0; i < c->gate_count; i++) {
        const gate_result *g = &c->gates[i];
        char before[32], after[32];
        fprintf(m->out, m->html ? "<li>%s " : "- %s ",
                g->crossed ? (m->html ? "<b>CROSSED</b>" : "**CROSSED**")
                           : g->matched ? "ok" : "no match");
        esc(m, g->limit->spec);
        fprintf(m->out, ": %s → %s", format_bytes(g->before, before, sizeof before),
                format_bytes(g->after, after, sizeof after));
        if (g->under_noise)
            fprintf(m->out, " (%+.1f%%), under --noise %s: not counted",
                    percent_change(g->before, g->after),
                    format_bytes(c->noise, before, sizeof before));
        fputs(m->html ? "</li>\n" : "\n", m->out);
    }
    fputs(m->html ? "</ul>\n" : "\n", m->out);
}

/* The largest growths as bars, in the HTML. */
static void growth_bars(FILE *out, const delta_table *t)
{
    int64_t max = 1;
    size_t n = 0;
    for (size_t i = 0; i < t->count && n < ROWS_SHOWN && delta_growth(&t->rows[i]) > 0; i++, n++)
        max = delta_growth(&t->rows[i]) > max ? delta_growth(&t->rows[i]) : max;
    if (!n)
        return;
    fprintf(out, "<svg width=760 height=%zu role=img>", n * 22 + 4);
    for (size_t i = 0; i < n; i++) {
        char d[32], label[64];
        double width = 340.0 * (double)delta_growth(&t->rows[i]) / (double)max;
        snprintf(label, sizeof label, "%.40s", t->rows[i].name);
        fprintf(out, "<text x=0 y=%zu>", i * 22 + 16);
        render_html_text(out, label);
        fprintf(out, "</text><rect x=300 y=%zu width=%.1f height=16 fill=#d0584a></rect>"
                     "<text x=%.1f y=%zu>%s</text>",
                i * 22 + 4, width, 306 + width, i * 22 + 16,
                signed_bytes(delta_growth(&t->rows[i]), d, sizeof d));
    }
    fputs("</svg>\n", out);
}

static int render_markup(FILE *out, const comparison *c, const compare_source *src, int html)
{
    markup m = {out, html};
    const heap *a = c->side[BASE]->heap, *b = c->side[NEW]->heap;
    char x[32], y[32], d[32];
    if (html)
        fputs("<!DOCTYPE html>\n<html lang=en><head><meta charset=utf-8>"
              "<meta http-equiv=Content-Security-Policy content=\"default-src 'none'; "
              "style-src 'unsafe-inline'\"><title>heapan compare</title><style>"
              "body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:75em;padding:0 1em}"
              "table{border-collapse:collapse}th,td{padding:.25em .6em;border-bottom:1px solid #eee;"
              "text-align:left}th{background:#f6f6f6}svg text{font:12px system-ui,sans-serif}"
              "</style></head><body>\n<h1>heapan compare</h1>\n<p>", out);
    else
        fputs("# heapan compare\n\n", out);
    esc(&m, src->base);
    fputs(" → ", out);
    esc(&m, src->now);
    fprintf(out, html ? "</p>\n<p>heap: %s → %s (%s, %+.1f%%); objects %" PRIu32 " → %" PRIu32 "</p>\n"
                      : "\n\nheap: %s → %s (%s, %+.1f%%); objects %" PRIu32 " → %" PRIu32 "\n\n",
            format_bytes(a->total_size, x, sizeof x), format_bytes(b->total_size, y, sizeof y),
            signed_bytes((int64_t)b->total_size - (int64_t)a->total_size, d, sizeof d),
            percent_change(a->total_size, b->total_size), a->count, b->count);
    markup_gate(&m, c);
    if (html)
        growth_bars(out, &c->structures);
    markup_table(&m, &c->structures, "Structures (matched by retention path)", "where");
    if (html)
        growth_bars(out, &c->types);
    markup_table(&m, &c->types, "Types", "type");
    markup_table(&m, &c->modules, "Modules", "module");
    markup_table(&m, &c->sites, "Allocation sites", "site");
    markup_findings(&m, c);
    if (html)
        fputs("</body></html>\n", out);
    return 0;
}

int render_compare_markdown(FILE *out, const comparison *c, const compare_source *src)
{
    return render_markup(out, c, src, 0);
}

int render_compare_html(FILE *out, const comparison *c, const compare_source *src)
{
    return render_markup(out, c, src, 1);
}

/* ---- JSON ------------------------------------------------------------------------------ */

static int add_clean(cJSON *o, const char *name, const char *text)
{
    char *clean = utf8_sanitize(text ? text : "");
    int ok = clean && cJSON_AddStringToObject(o, name, clean);
    free(clean);
    return ok ? 0 : -1;
}

static int add_table(cJSON *doc, const char *name, const delta_table *t)
{
    cJSON *list = cJSON_AddArrayToObject(doc, name);
    for (size_t i = 0; list && i < t->count; i++) {
        const delta_row *row = &t->rows[i];
        if (!changed(row) && i >= 50)
            continue;
        cJSON *item = cJSON_CreateObject();
        if (!item)
            return -1;
        cJSON_AddItemToArray(list, item);
        if (add_clean(item, "name", row->name) < 0)
            return -1;
        cJSON_AddStringToObject(item, "status", !row->present[BASE] ? "new"
                                                : !row->present[NEW] ? "vanished" : "both");
        const char *sides[2] = {"baseline", "new"};
        for (int s = 0; s < 2; s++) {
            cJSON *side = cJSON_AddObjectToObject(item, sides[s]);
            if (!side)
                return -1;
            cJSON_AddNumberToObject(side, "count", (double)row->count[s]);
            cJSON_AddNumberToObject(side, "shallow_size", (double)row->shallow[s]);
            cJSON_AddNumberToObject(side, "retained_size", (double)row->retained[s]);
        }
        cJSON_AddNumberToObject(item, "retained_delta", (double)delta_growth(row));
    }
    return list ? 0 : -1;
}

int render_compare_json(FILE *out, const comparison *c, const compare_source *src)
{
    cJSON *doc = cJSON_CreateObject();
    int failed = !doc || !cJSON_AddStringToObject(doc, "schema", "heapan.compare/1") ||
                 add_clean(doc, "baseline", src->base) < 0 || add_clean(doc, "new", src->now) < 0;
    for (int s = 0; !failed && s < 2; s++) {
        cJSON *side = cJSON_AddObjectToObject(doc, s == BASE ? "baseline_summary" : "new_summary");
        const heap *h = c->side[s]->heap;
        failed = !side;
        if (!failed) {
            cJSON_AddNumberToObject(side, "objects", h->count);
            cJSON_AddNumberToObject(side, "total_size", (double)h->total_size);
            cJSON_AddNumberToObject(side, "reachable_size", (double)c->side[s]->dom->reachable_size);
        }
    }
    failed = failed || add_table(doc, "structures", &c->structures) < 0 ||
             add_table(doc, "types", &c->types) < 0 || add_table(doc, "modules", &c->modules) < 0 ||
             add_table(doc, "sites", &c->sites) < 0;
    cJSON *leaks = failed ? NULL : cJSON_AddArrayToObject(doc, "new_leak_candidates");
    for (size_t i = 0; leaks && i < c->new_leak_count && !failed; i++) {
        const leak_candidate *l = &c->side[NEW]->leaks[c->new_leaks[i]];
        cJSON *item = cJSON_CreateObject();
        failed = !item;
        if (!failed) {
            cJSON_AddItemToArray(leaks, item);
            cJSON_AddStringToObject(item, "kind", leak_kind_name(l->kind));
            cJSON_AddNumberToObject(item, "retained_size", (double)l->retained_size);
            char *where = l->path.count ? path_text(c->side[NEW]->heap, &l->path) : NULL;
            failed = add_clean(item, "path_text", where ? where : "") < 0 ||
                     add_clean(item, "reason", l->reason) < 0;
            free(where);
        }
    }
    cJSON *proven = failed ? NULL : cJSON_AddArrayToObject(doc, "leaks");
    for (size_t i = 0; proven && i < c->leak_count && !failed; i++) {
        const report *r = c->side[NEW];
        const leak_candidate *l = &r->leaks[c->leaks[i]];
        cJSON *item = cJSON_CreateObject();
        failed = !item;
        if (!failed) {
            cJSON_AddItemToArray(proven, item);
            cJSON_AddStringToObject(item, "kind", leak_kind_name(l->kind));
            cJSON_AddNumberToObject(item, "retained_size", (double)l->retained_size);
            cJSON_AddNumberToObject(item, "baseline_retained_size", (double)l->baseline_retained);
            failed = add_clean(item, "path_text", l->path_text ? l->path_text : "") < 0 ||
                     add_clean(item, "evidence_text", l->growth_text ? l->growth_text : "") < 0 ||
                     add_clean(item, "fix", l->fix != SIZE_MAX ? r->suggestions[l->fix].message
                                                               : "") < 0;
        }
    }
    cJSON *sugg = failed ? NULL : cJSON_AddArrayToObject(doc, "new_suggestions");
    for (size_t i = 0; sugg && i < c->new_suggestion_count && !failed; i++) {
        const suggestion *s = &c->side[NEW]->suggestions[c->new_suggestions[i]];
        cJSON *item = cJSON_CreateObject();
        failed = !item;
        if (!failed) {
            cJSON_AddItemToArray(sugg, item);
            cJSON_AddStringToObject(item, "kind", suggestion_kind_name(s->kind));
            cJSON_AddNumberToObject(item, "estimated_savings", (double)s->estimated_savings);
            failed = add_clean(item, "target", s->target) < 0 || add_clean(item, "message", s->message) < 0;
        }
    }
    cJSON *gates = failed ? NULL : cJSON_AddArrayToObject(doc, "gate");
    for (size_t i = 0; gates && i < c->gate_count && !failed; i++) {
        const gate_result *g = &c->gates[i];
        cJSON *item = cJSON_CreateObject();
        failed = !item;
        if (!failed) {
            cJSON_AddItemToArray(gates, item);
            failed = add_clean(item, "limit", g->limit->spec) < 0;
            cJSON_AddBoolToObject(item, "crossed", g->crossed);
            cJSON_AddBoolToObject(item, "matched", g->matched);
            cJSON_AddBoolToObject(item, "under_noise", g->under_noise);
            cJSON_AddNumberToObject(item, "before", (double)g->before);
            cJSON_AddNumberToObject(item, "after", (double)g->after);
        }
    }
    if (!failed)
        cJSON_AddBoolToObject(doc, "regression", c->crossed > 0);
    char *text = failed ? NULL : cJSON_Print(doc);
    if (text)
        fprintf(out, "%s\n", text);
    free(text);
    cJSON_Delete(doc);
    return text ? 0 : -1;
}
