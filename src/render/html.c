/*
 * render_html.c: the report as one self-contained HTML file: inline CSS
 * and JavaScript, no network, sortable tables, collapsible details, bar
 * charts as inline SVG.  Every string from the dump is escaped.
 */
#include <cmark.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "render/render.h"
#include "textout.h"

static const char style[] =
    "body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:75em;color:#222;padding:0 1em}"
    "h1{font-size:1.5em}h2{margin-top:2em;border-bottom:1px solid #ddd}"
    "table{border-collapse:collapse;margin:.5em 0}th,td{padding:.25em .6em;border-bottom:1px solid #eee;"
    "text-align:left;vertical-align:top}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}"
    "th{background:#f6f6f6}table.sortable th{cursor:pointer;user-select:none}"
    "table.sortable th:after{content:' \\2195';color:#aaa}"
    ".warn{background:#fff4e5;border-left:4px solid #f90;padding:.5em 1em}"
    ".note{background:#eef4fb;border-left:4px solid #4a7fd0;padding:.5em 1em}"
    ".path{font-family:ui-monospace,monospace;font-size:.92em;word-break:break-all}"
    "details{margin:.4em 0 .8em}summary{cursor:pointer}.score{font-weight:bold}"
    "pre{background:#f6f8fa;padding:.6em;overflow:auto}.ok{color:#080}"
    "svg text{font:12px system-ui,sans-serif}ul{list-style:none;padding-left:1.2em}"
    "li{margin:.15em 0}";

/* Sorts a table by the clicked column: numbers by their data-v, text as text. */
static const char script[] =
    "document.querySelectorAll('table.sortable th').forEach(function(th,col){"
    "th.addEventListener('click',function(){var t=th.closest('table'),b=t.tBodies[0],"
    "rows=Array.from(b.rows),up=th.dataset.up!=='1';th.dataset.up=up?'1':'0';"
    "rows.sort(function(x,y){var a=x.cells[col],c=y.cells[col],"
    "p=a.dataset.v!==undefined?+a.dataset.v:a.textContent,q=c.dataset.v!==undefined?+c.dataset.v:c.textContent;"
    "return (p<q?-1:p>q?1:0)*(up?-1:1);});rows.forEach(function(r){b.appendChild(r);});});});";

static void size_cell(FILE *out, uint64_t bytes)
{
    char buf[32];
    fprintf(out, "<td class=n data-v=%" PRIu64 ">%s</td>", bytes, format_bytes(bytes, buf, sizeof buf));
}

static void summary(FILE *out, const report *r, const render_source *src)
{
    const heap *h = r->heap;
    fputs("<h1>heapan report: ", out);
    render_html_text(out, src->path);
    fputs("</h1>\n<table><tbody><tr><th>process</th><td>", out);
    char process[256];
    render_html_text(out, render_process_text(h, process, sizeof process));
    fprintf(out, "</td></tr>\n<tr><th>objects</th><td>%" PRIu32 " (%" PRIu64
                 " reference%s, %zu root%s)</td></tr>\n<tr><th>heap</th>",
            h->count, h->edge_count, plural(h->edge_count), h->root_count, plural(h->root_count));
    size_cell(out, h->total_size);
    fputs("</tr>\n<tr><th>reachable</th>", out);
    size_cell(out, r->dom->reachable_size);
    fprintf(out, "</tr>\n<tr><th>%s</th>",
            r->incomplete ? "not reached in what was read" : "unreachable");
    size_cell(out, h->total_size - r->dom->reachable_size);
    char collector[256];
    if (render_collector_text(r, collector, sizeof collector))
        fprintf(out, "</tr>\n<tr><th>collector</th><td>%s</td>", collector);
    fputs("</tr>\n<tr><th>evidence</th><td>this dump", out);
    if (src->trace_path) {
        fputs("; the allocation trace ", out);
        render_html_text(out, src->trace_path);
    }
    if (src->baseline_path) {
        fputs("; the baseline dump ", out);
        render_html_text(out, src->baseline_path);
    }
    fputs("</td></tr></tbody></table>\n", out);
    if (report_incomplete_text(r)) {
        fputs("<p class=warn><b>Incomplete dump.</b> ", out);
        render_html_text(out, report_incomplete_text(r));
        fputs("</p>\n", out);
    }
    for (size_t k = 0; k < h->warning_count; k++) {
        fputs("<p class=warn><b>Warning:</b> ", out);
        render_html_text(out, h->warnings[k]);
        fputs("</p>\n", out);
    }
}

/* The cause, the growth, whose code, the fix, and what is held again elsewhere. */
static int story(FILE *out, const report *r, const leak_candidate *c)
{
    char owner[256], size[32];
    fputs("<ul class=story>", out);
    if (c->cause_text) {
        fputs("<li><strong>Cause:</strong> ", out);
        render_html_text(out, c->cause_text);
        fputs("</li>", out);
    }
    fputs("<li><strong>Growth:</strong> ", out);
    render_html_text(out, c->growth_text ? c->growth_text
                                         : "not known from one dump (see above how to learn it)");
    fputs("</li><li><strong>Code:</strong> ", out);
    render_html_text(out, render_owner_text(c->owner, c->owner_name, owner, sizeof owner));
    fputs("</li>", out);
    if (c->fix != SIZE_MAX)
        fprintf(out, "<li><strong>Fix:</strong> <a href='#suggestion-%zu'>suggestion %zu (%s)</a></li>",
                c->fix + 1, c->fix + 1, suggestion_kind_name(r->suggestions[c->fix].kind));
    for (size_t k = 0; k < c->folded_count; k++) {
        char *where = render_path_text(r, &c->folded[k].path);
        if (!where)
            return -1;
        fputs("<li><strong>Held again by:</strong> <span class=path>", out);
        render_html_text(out, where);
        fprintf(out, "</span> (%s), which goes when these go</li>",
                format_bytes(c->folded[k].retained_size, size, sizeof size));
        free(where);
    }
    fputs("</ul>\n", out);
    return 0;
}

/* Horizontal bars, one per row, as inline SVG. */
static void bars(FILE *out, const report *r, const char *const *labels, const uint64_t *values,
                 size_t n)
{
    uint64_t max = 1;
    for (size_t i = 0; i < n; i++)
        max = values[i] > max ? values[i] : max;
    fprintf(out, "<svg width=760 height=%zu role=img>", n * 22 + 4);
    for (size_t i = 0; i < n; i++) {
        double width = 340.0 * (double)values[i] / (double)max;
        char size[32];
        fprintf(out, "<text x=0 y=%zu>", i * 22 + 16);
        render_html_text(out, labels[i]);
        fprintf(out, "</text><rect x=250 y=%zu width=%.1f height=16 fill=#4a7fd0></rect>"
                     "<text x=%.1f y=%zu>%s (%.1f%%)</text>",
                i * 22 + 4, width, 256 + width, i * 22 + 16,
                format_bytes(values[i], size, sizeof size), render_share(r, values[i]));
    }
    fputs("</svg>\n", out);
}

static int leaks(FILE *out, const report *r, const render_source *src)
{
    char threshold[32];
    fputs("<h2>Findings</h2>\n", out);
    char *pending = report_pending_text(r);
    if (pending) {
        fputs("<p class=note>", out);
        render_html_text(out, pending);
        fputs("</p>\n", out);
        free(pending);
    }
    if (r->leak_count && report_limits_text(r)) {
        fputs("<p class=note><strong>What one dump shows.</strong> ", out);
        render_html_text(out, report_limits_text(r));
        fputs("</p>\n", out);
    }
    if (!r->leak_count) {
        fprintf(out, "<p class=ok>No leak candidate above threshold (%s retained).</p>\n",
                format_bytes(r->min_retained, threshold, sizeof threshold));
        return 0;
    }
    for (size_t i = 0; i < r->leak_count; i++) {
        const leak_candidate *c = &r->leaks[i];
        char size[32];
        const char *where = c->path_text;
        fprintf(out, "<details%s><summary><span class=score>%zu. %s, score %.0f</span>: %s (%.1f%%), "
                     "leak: %s, ",
                i == 0 ? " open" : "", i + 1, render_kind_words(c->kind), c->score,
                format_bytes(c->retained_size, size, sizeof size), render_share(r, c->retained_size),
                render_growth_word(c));
        fputs("<span class=path>", out);
        render_html_text(out, where ? where : "(unreachable)");
        fputs("</span></summary>\n<p>", out);
        render_html_text(out, c->reason);
        fputs("</p>\n", out);
        if (story(out, r, c) < 0)
            return -1;
        fputs("<table class=sortable><thead><tr><th>type</th><th class=n>objects</th>"
              "<th class=n>bytes</th></tr></thead><tbody>\n", out);
        for (size_t k = 0; k < c->type_count; k++) {
            char name[512];
            fputs("<tr><td>", out);
            render_html_text(out, group_name(r->heap, GROUP_BY_TYPE, c->types[k].type, name, sizeof name));
            fprintf(out, "</td><td class=n data-v=%" PRIu64 ">%" PRIu64 "</td>", c->types[k].count,
                    c->types[k].count);
            size_cell(out, c->types[k].retained_size);
            fputs("</tr>\n", out);
        }
        fputs("</tbody></table>\n", out);
        if (c->site) {
            char site[1024];
            fputs("<p>Allocated at <span class=path>", out);
            render_html_text(out, group_name(r->heap, GROUP_BY_SITE, c->site, site, sizeof site));
            fputs("</span></p>\n", out);
        }
        int failed = render_origins(out, &markup_html, src, c->origin) < 0;
        fputs("</details>\n", out);
        if (failed)
            return -1;
    }
    return 0;
}

static int suggestions(FILE *out, const report *r)
{
    fputs("<h2>Suggestions</h2>\n", out);
    if (!r->suggestion_count)
        fputs("<p class=ok>No suggestion with a worthwhile saving.</p>\n", out);
    for (size_t i = 0; i < r->suggestion_count; i++) {
        const suggestion *s = &r->suggestions[i];
        const char *example = s->example ? s->example : suggestion_example(s->kind);
        char size[32], owner[256],
            *html = cmark_markdown_to_html(example, strlen(example), CMARK_OPT_DEFAULT);
        if (!html)
            return -1;
        fprintf(out, "<h3 id='suggestion-%zu'>%zu. %s: save %s (%.1f%% of the heap)", i + 1, i + 1,
                suggestion_kind_name(s->kind), format_bytes(s->estimated_savings, size, sizeof size),
                render_share(r, s->estimated_savings));
        if (s->fixes != SIZE_MAX)
            fprintf(out, ", the fix of finding %zu", s->fixes + 1);
        fputs("</h3>\n<p>Target: <span class=path>", out);
        render_html_text(out, s->target ? s->target : "");
        fputs("</span></p>\n<p>Code: ", out);
        render_html_text(out, render_owner_text(s->owner, s->owner_name, owner, sizeof owner));
        fputs("</p>\n<p>", out);
        render_html_text(out, s->message ? s->message : "");
        if (s->example_value) {
            fputs(" The most repeated value: <code>", out);
            render_html_text(out, s->example_value);
            fputs("</code>.", out);
        }
        if (s->note) {
            fputc(' ', out);
            render_html_text(out, s->note);
        }
        fprintf(out, "</p>\n<details><summary>example</summary>\n%s</details>\n", html);
        free(html);
    }
    return 0;
}

static void table(FILE *out, const report *r, const histogram *hist, const char *title,
                  const char *what, size_t top)
{
    if (!hist->count)
        return;
    fprintf(out, "<h2>%s</h2>\n", title);
    const char *labels[12];
    uint64_t values[12];
    char names[12][256];
    size_t shown = hist->count < 12 ? hist->count : 12;
    for (size_t i = 0; i < shown; i++) {
        labels[i] = group_name(r->heap, hist->by, hist->rows[i].key, names[i], 40);
        values[i] = hist->rows[i].retained_size;
    }
    bars(out, r, labels, values, shown);
    fprintf(out, "<table class=sortable><thead><tr><th>%s</th><th class=n>count</th>"
                 "<th class=n>shallow</th><th class=n>retained</th><th class=n>%%</th></tr>"
                 "</thead><tbody>\n", what);
    for (size_t i = 0; i < hist->count && i < top; i++) {
        const group_row *row = &hist->rows[i];
        char name[1024];
        fputs("<tr><td>", out);
        render_html_text(out, group_name(r->heap, hist->by, row->key, name, sizeof name));
        fprintf(out, "</td><td class=n data-v=%" PRIu64 ">%" PRIu64 "</td>", row->count, row->count);
        size_cell(out, row->shallow_size);
        size_cell(out, row->retained_size);
        fprintf(out, "<td class=n data-v=%.3f>%.1f%%</td></tr>\n",
                render_share(r, row->retained_size), render_share(r, row->retained_size));
    }
    fputs("</tbody></table>\n", out);
}

static int subtrees(FILE *out, const report *r)
{
    fputs("<h2>Largest dominator subtrees</h2>\n<table class=sortable><thead><tr><th>object</th>"
          "<th class=n>retained</th><th class=n>objects</th><th>held by</th></tr></thead><tbody>\n",
          out);
    for (size_t i = 0; i < r->subtree_count; i++) {
        uint32_t v = r->subtrees[i];
        char name[512], *held = r->subtree_paths[i].count
                                    ? render_path_text(r, &r->subtree_paths[i]) : NULL;
        if (r->subtree_paths[i].count && !held)
            return -1;
        fputs("<tr><td>", out);
        render_html_text(out, report_type_name(r, v, name, sizeof name));
        fprintf(out, "@0x%" PRIx64 "</td>", r->heap->address[v]);
        size_cell(out, r->dom->retained_size[v]);
        fprintf(out, "<td class=n data-v=%" PRIu32 ">%" PRIu32 "</td><td class=path>",
                r->dom->retained_count[v], r->dom->retained_count[v]);
        render_html_text(out, held ? held : "(unreachable)");
        fputs("</td></tr>\n", out);
        free(held);
    }
    fputs("</tbody></table>\n", out);
    return 0;
}

#define TREE_DEPTH 3     /* levels of the dominator tree shown */
#define TREE_CHILDREN 8  /* children shown under each object */

/* The children of x (or of the super-root) that retain the most, biggest first. */
static size_t biggest_children(const report *r, uint32_t x, uint32_t *out)
{
    const dominators *d = r->dom;
    size_t kept = 0;
    for (uint32_t k = d->child_start[x]; k < d->child_start[x + 1]; k++) {
        uint32_t c = d->child[k];
        size_t at = kept < TREE_CHILDREN ? kept++ : TREE_CHILDREN;
        while (at > 0 && d->retained_size[out[at - 1]] < d->retained_size[c]) {
            if (at < TREE_CHILDREN)
                out[at] = out[at - 1];
            at--;
        }
        if (at < TREE_CHILDREN)
            out[at] = c;
    }
    return kept;
}

/* One level of the tree as nested <details>; depth is bounded by TREE_DEPTH. */
static void tree_level(FILE *out, const report *r, uint32_t parent, int depth)
{
    uint32_t kids[TREE_CHILDREN];
    size_t n = biggest_children(r, parent, kids);
    fputs("<ul>\n", out);
    for (size_t i = 0; i < n; i++) {
        uint32_t v = kids[i];
        char name[512], size[32];
        int open = depth + 1 < TREE_DEPTH && r->dom->child_start[v + 1] > r->dom->child_start[v];
        fputs(open ? "<li><details><summary>" : "<li>", out);
        render_html_text(out, report_type_name(r, v, name, sizeof name));
        fprintf(out, "@0x%" PRIx64 ": %s (%.1f%%)", r->heap->address[v],
                format_bytes(r->dom->retained_size[v], size, sizeof size),
                render_share(r, r->dom->retained_size[v]));
        if (open) {
            fputs("</summary>\n", out);
            tree_level(out, r, v, depth + 1);
            fputs("</details>", out);
        }
        fputs("</li>\n", out);
    }
    fputs("</ul>\n", out);
}

#define MAP_WIDTH 1000.0
#define MAP_HEIGHT 360.0

static void map_box(FILE *out, const report *r, uint32_t v, double x, double y, double w, double h,
                    const char *fill)
{
    char name[512], size[32];
    report_type_name(r, v, name, sizeof name);
    fputs("<g><title>", out);
    render_html_text(out, name);
    fprintf(out, "@0x%" PRIx64 ": %s (%.1f%%)</title><rect x=%.1f y=%.1f width=%.1f height=%.1f "
                 "fill=%s stroke=#fff></rect>",
            r->heap->address[v], format_bytes(r->dom->retained_size[v], size, sizeof size),
            render_share(r, r->dom->retained_size[v]), x, y, w, h, fill);
    if (w > 70 && h > 16) {
        char label[48];
        snprintf(label, sizeof label, "%.*s", (int)(w / 7), name);
        fprintf(out, "<text x=%.1f y=%.1f>", x + 4, y + 13);
        render_html_text(out, label);
        fputs("</text>", out);
    }
    fputs("</g>", out);
}

/*
 * The top of the dominator tree as a treemap: a column per big top-level
 * object, as wide as what it retains, split into its biggest children.
 */
static void treemap(FILE *out, const report *r)
{
    uint64_t total = r->heap->total_size;
    if (!total || !r->subtree_count)
        return;
    fputs("<h2>Treemap of the dominator tree</h2>\n<p>Each column is an object no other object "
          "dominates, as wide as what it retains; the boxes in it are its biggest children.</p>\n",
          out);
    fprintf(out, "<svg width=%.0f height=%.0f role=img>", MAP_WIDTH, MAP_HEIGHT);
    double x = 0;
    for (size_t i = 0; i < r->subtree_count; i++) {
        uint32_t v = r->subtrees[i];
        double w = MAP_WIDTH * (double)r->dom->retained_size[v] / (double)total;
        if (w < 1)
            break;
        map_box(out, r, v, x, 0, w, 20, "#4a7fd0");
        uint32_t kids[TREE_CHILDREN];
        size_t n = biggest_children(r, v, kids);
        double y = 20, room = MAP_HEIGHT - 20;
        for (size_t k = 0; k < n; k++) {
            double h = room * (double)r->dom->retained_size[kids[k]] /
                       (double)r->dom->retained_size[v];
            if (h < 1)
                break;
            map_box(out, r, kids[k], x, y, w, h, k % 2 ? "#e8a55a" : "#f0c080");
            y += h;
        }
        x += w;
    }
    if (MAP_WIDTH - x >= 1)
        fprintf(out, "<g><title>the rest of the heap</title><rect x=%.1f y=0 width=%.1f height=%.0f "
                     "fill=#ddd stroke=#fff></rect></g>",
                x, MAP_WIDTH - x, MAP_HEIGHT);
    if (MAP_WIDTH - x > 120)
        fprintf(out, "<text x=%.1f y=16>the rest of the heap</text>", x + 4);
    fputs("</svg>\n", out);
}

int render_html(FILE *out, const report *r, const render_source *src)
{
    fputs("<!DOCTYPE html>\n<html lang=en><head><meta charset=utf-8>"
          "<meta name=viewport content='width=device-width'>"
          "<meta http-equiv=Content-Security-Policy content=\"default-src 'none'; "
          "style-src 'unsafe-inline'; script-src 'unsafe-inline'\"><title>heapan: ", out);
    render_html_text(out, src->path);
    fprintf(out, "</title><style>%s</style></head><body>\n", style);
    summary(out, r, src);
    int failed = leaks(out, r, src) < 0 || render_growing_sites(out, &markup_html, src) < 0 ||
                 suggestions(out, r) < 0;
    if (!failed) {
        treemap(out, r);
        table(out, r, &r->types, "Types by retained size", "type", 30);
        table(out, r, &r->modules, "Modules by retained size", "module", 15);
        table(out, r, &r->sites, "Allocation sites by retained size", "site", 15);
        failed = subtrees(out, r) < 0;
        fputs("<h2>Dominator tree</h2>\n<p>What keeps what alive: each object retains the "
              "ones under it.</p>\n", out);
        tree_level(out, r, r->dom->count, 0);
    }
    fprintf(out, "<script>%s</script>\n</body></html>\n", script);
    return failed ? -1 : 0;
}
