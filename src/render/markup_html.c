/*
 * markup_html.c: shapes as one self-contained HTML page: inline CSS and
 * JavaScript, no network, sortable tables, collapsible details, and the
 * charts as inline SVG.  Every string from the dump is escaped.
 */
#include <cmark.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "render/doc.h"
#include "render/render.h"
#include "textout.h"

#define BAR_LABEL_CHARS 40   /* a bar's label, cut in the middle; its tooltip has it whole */
#define BAR_X 300.0
#define BAR_WIDTH 340.0

static const char style[] =
    "body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:75em;color:#222;padding:0 1em}"
    "h1{font-size:1.5em}h2{margin-top:2em;border-bottom:1px solid #ddd}"
    "table{border-collapse:collapse;margin:.5em 0}th,td{padding:.25em .6em;border-bottom:1px solid #eee;"
    "text-align:left;vertical-align:top}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}"
    "th{background:#f6f6f6}table.sortable th{cursor:pointer;user-select:none}"
    "table.sortable th:after{content:' \\2195';color:#aaa}"
    ".warn{background:#fff4e5;border-left:4px solid #f90;padding:.5em 1em}"
    ".note{background:#eef4fb;border-left:4px solid #4a7fd0;padding:.5em 1em}"
    ".path{font-family:ui-monospace,monospace;font-size:.92em;word-break:break-all}"
    "details{margin:.4em 0 .8em}summary{cursor:pointer}"
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

static const char *const fills[] = {"#4a7fd0", "#f0c080", "#e8a55a", "#ddd", "#d0584a"};

static void curve(FILE *out, const uint64_t *values, size_t n)
{
    uint64_t max = 1;
    for (size_t k = 0; k < n; k++)
        max = values[k] > max ? values[k] : max;
    fputs("<svg width=120 height=24 role=img><polyline fill=none stroke=#4a7fd0 stroke-width=1.5 "
          "points='", out);
    for (size_t k = 0; k < n; k++)
        fprintf(out, "%.1f,%.1f ", n > 1 ? 118.0 * (double)k / (double)(n - 1) + 1 : 1.0,
                22.0 - 20.0 * (double)values[k] / (double)max);
    fputs("'></polyline></svg>", out);
}

static void line(FILE *out, const doc_line *l)
{
    static const char *const open[] = {[SPAN_STRONG] = "<strong>", [SPAN_CODE] = "<code>",
                                       [SPAN_PATH] = "<span class=path>"};
    static const char *const close[] = {[SPAN_STRONG] = "</strong>", [SPAN_CODE] = "</code>",
                                        [SPAN_PATH] = "</span>"};
    for (size_t i = 0; i < l->count; i++) {
        const doc_span *sp = &l->spans[i];
        if (sp->style == SPAN_CURVE) {
            curve(out, sp->values, sp->count);
            continue;
        }
        if (sp->style == SPAN_LINK) {
            fputs("<a href='#", out), render_html_text(out, sp->target), fputs("'>", out);
        }
        fputs(sp->style <= SPAN_PATH && open[sp->style] ? open[sp->style] : "", out);
        render_html_text(out, sp->text);
        fputs(sp->style <= SPAN_PATH && close[sp->style] ? close[sp->style] : "", out);
        fputs(sp->style == SPAN_LINK ? "</a>" : "", out);
    }
}

/* The line's text alone, cut in the middle to `width` characters. */
static void cut_line(FILE *out, const doc_line *l, size_t width)
{
    char whole[2048] = "", cut[2048];
    for (size_t i = 0, used = 0; i < l->count && used + 1 < sizeof whole; i++)
        if (l->spans[i].text)
            used += (size_t)snprintf(whole + used, sizeof whole - used, "%s", l->spans[i].text);
    render_html_text(out, text_cut_middle(whole, width, cut, sizeof cut));
}

static void begin(markup_out *o)
{
    fputs("<!DOCTYPE html>\n<html lang=en><head><meta charset=utf-8>"
          "<meta name=viewport content='width=device-width'>"
          "<meta http-equiv=Content-Security-Policy content=\"default-src 'none'; "
          "style-src 'unsafe-inline'; script-src 'unsafe-inline'\"><title>", o->out);
    for (size_t i = 0; i < o->d->count; i++)
        if (o->d->shapes[i].kind == SHAPE_TITLE) {
            cut_line(o->out, &o->d->shapes[i].text, 200);
            break;
        }
    fprintf(o->out, "</title><style>%s</style></head><body>\n", style);
}

static void end(markup_out *o)
{
    fprintf(o->out, "<script>%s</script>\n</body></html>\n", script);
}

static void title(markup_out *o, const shape *s)
{
    fputs("<h1>", o->out), line(o->out, &s->text), fputs("</h1>\n", o->out);
}

static void heading(markup_out *o, const shape *s)
{
    int level = s->level > 2 ? 3 : 2;
    fprintf(o->out, "<h%d", level);
    if (s->anchor[0])
        fputs(" id='", o->out), render_html_text(o->out, s->anchor), fputc('\'', o->out);
    fputc('>', o->out), line(o->out, &s->text), fprintf(o->out, "</h%d>\n", level);
}

static void para(markup_out *o, const shape *s)
{
    static const char *const classes[] = {"", " class=note", " class=warn", " class=ok"};
    fprintf(o->out, "<p%s>", classes[s->tone & 3]);
    line(o->out, &s->text);
    fputs("</p>\n", o->out);
}

static void list(markup_out *o, const shape *s)
{
    fputs("<ul>\n", o->out);
    for (size_t i = 0; i < s->cell_count; i++)
        fputs("<li>", o->out), line(o->out, &s->cells[i]), fputs("</li>\n", o->out);
    fputs("</ul>\n", o->out);
}

static void facts(markup_out *o, const shape *s)
{
    fputs("<table><tbody>", o->out);
    for (size_t i = 0; i + 1 < s->cell_count; i += 2) {
        fputs("<tr><th>", o->out), line(o->out, &s->cells[i]);
        fputs("</th><td>", o->out), line(o->out, &s->cells[i + 1]), fputs("</td></tr>\n", o->out);
    }
    fputs("</tbody></table>\n", o->out);
}

static void table(markup_out *o, const shape *s)
{
    size_t n = s->column_count;
    fputs("<table class=sortable><thead><tr>", o->out);
    for (size_t c = 0; c < n; c++)
        fprintf(o->out, "<th%s>%s</th>", s->columns[c].kind == COL_TEXT ? "" : " class=n",
                s->columns[c].name);
    fputs("</tr></thead><tbody>\n", o->out);
    for (size_t i = 0; n && i + n <= s->cell_count; i += n) {
        fputs("<tr>", o->out);
        for (size_t c = 0; c < n; c++) {
            const doc_line *cell = &s->cells[i + c];
            int number = s->columns[c].kind != COL_TEXT && s->columns[c].kind != COL_CURVE;
            fputs(number ? "<td class=n" : "<td", o->out);
            if (cell->has_sort)
                fprintf(o->out, " data-v=%.17g", cell->sort);
            fputc('>', o->out), line(o->out, cell), fputs("</td>", o->out);
        }
        fputs("</tr>\n", o->out);
    }
    fputs("</tbody></table>\n", o->out);
}

static void details(markup_out *o, const shape *s)
{
    fprintf(o->out, "<details%s><summary>", s->open ? " open" : "");
    line(o->out, &s->text);
    fputs("</summary>\n", o->out);
}

static void details_end(markup_out *o, const shape *s)
{
    (void)s;
    fputs("</details>\n", o->out);
}

static void example(markup_out *o, const shape *s)
{
    const char *md = s->text.count ? s->text.spans[0].text : "";
    char *html = cmark_markdown_to_html(md, strlen(md), CMARK_OPT_DEFAULT);
    fputs(html ? html : "", o->out);  /* heapan's own Markdown: cmark escapes the code in it */
    free(html);
}

/* Horizontal bars, one per row; the label is cut in the middle, whole in its tooltip. */
static void bars(markup_out *o, const shape *s)
{
    uint64_t max = 1;
    for (size_t i = 0; i < s->cell_count; i++)
        max = s->values[i] > max ? s->values[i] : max;
    if (!s->cell_count)
        return;
    fprintf(o->out, "<svg width=760 height=%zu role=img>", s->cell_count * 22 + 4);
    for (size_t i = 0; i < s->cell_count; i++) {
        double width = BAR_WIDTH * (double)s->values[i] / (double)max;
        fputs("<g><title>", o->out), line(o->out, &s->cells[i]);
        fprintf(o->out, "</title><text x=0 y=%zu>", i * 22 + 16);
        cut_line(o->out, &s->cells[i], BAR_LABEL_CHARS);
        fprintf(o->out, "</text><rect x=%.0f y=%zu width=%.1f height=16 fill=%s></rect>"
                        "<text x=%.1f y=%zu>",
                BAR_X, i * 22 + 4, width, s->tone ? fills[4] : fills[0], BAR_X + 6 + width,
                i * 22 + 16);
        line(o->out, &s->labels[i]);
        fputs("</text></g>", o->out);
    }
    fputs("</svg>\n", o->out);
}

/* A treemap or an icicle: each box with its tooltip, and its label where it fits. */
static void boxes(markup_out *o, const shape *s)
{
    if (s->text.count)
        fputs("<p>", o->out), line(o->out, &s->text), fputs("</p>\n", o->out);
    fprintf(o->out, "<svg width=%.0f height=%.0f role=img>", s->width, s->height);
    for (size_t i = 0; i < s->cell_count; i++) {
        const doc_box *b = &s->boxes[i];
        fputs("<g><title>", o->out), line(o->out, &s->cells[i]);
        fprintf(o->out, "</title><rect x=%.1f y=%.1f width=%.1f height=%.1f fill=%s stroke=#fff>"
                        "</rect>",
                b->x, b->y, b->w, b->h, fills[b->fill % 5]);
        size_t fits = b->w > 12 ? (size_t)((b->w - 6) / 7) : 0;
        if (b->h > 16 && fits >= 4 && s->labels[i].count) {
            fprintf(o->out, "<text x=%.1f y=%.1f>", b->x + 3, b->y + 13);
            cut_line(o->out, &s->labels[i], fits);
            fputs("</text>", o->out);
        }
        fputs("</g>", o->out);
    }
    fputs("</svg>\n", o->out);
}

/* Nested items as nested <details>: an item with deeper ones after it opens to them. */
static void tree(markup_out *o, const shape *s)
{
    if (s->text.count)
        fputs("<p>", o->out), line(o->out, &s->text), fputs("</p>\n", o->out);
    fputs("<ul>\n", o->out);
    int open = 0;  /* levels of <details><ul> open */
    for (size_t i = 0; i < s->cell_count; i++) {
        int next = i + 1 < s->cell_count ? s->depth[i + 1] : 0;
        if (next > s->depth[i]) {
            fputs("<li><details><summary>", o->out), line(o->out, &s->cells[i]);
            fputs("</summary>\n<ul>\n", o->out);
            open++;
            continue;
        }
        fputs("<li>", o->out), line(o->out, &s->cells[i]), fputs("</li>\n", o->out);
        for (; open > next; open--)
            fputs("</ul>\n</details></li>\n", o->out);
    }
    fputs("</ul>\n", o->out);
}

/* A step of the time axis near a tenth of `span` microseconds: 1, 2 or 5 times a power of ten. */
static double axis_step(double span)
{
    double step = 1;
    while (step * 10 < span)
        step *= 10;
    return step / 2 >= span / 10 ? step / 2 : step;
}

/* Series over time, with a time axis in seconds and the top value marked. */
static void lines(markup_out *o, const shape *s)
{
    static const char *const strokes[] = {"#4a7fd0", "#d0584a"};
    uint64_t max = 1, last = 1;
    for (size_t k = 0; k < s->series * s->points; k++) {
        max = s->line_values[2 * k + 1] > max ? s->line_values[2 * k + 1] : max;
        last = s->line_values[2 * k] > last ? s->line_values[2 * k] : last;
    }
    fputs("<svg width=1000 height=240 role=img>", o->out);
    for (size_t series = 0; series < s->series; series++) {
        fprintf(o->out, "<polyline fill=none stroke=%s stroke-width=1.5 points='",
                strokes[series % 2]);
        for (size_t p = 0; p < s->points; p++) {
            const uint64_t *v = &s->line_values[2 * (series * s->points + p)];
            if (v[1])
                fprintf(o->out, "%.1f,%.1f ", 930.0 * (double)v[0] / (double)last + 45,
                        205.0 - 195.0 * (double)v[1] / (double)max);
        }
        fputs("'></polyline>", o->out);
    }
    char top[32];
    fprintf(o->out, "<line x1=45 y1=205 x2=975 y2=205 stroke=#888></line>"
                    "<text x=0 y=14>%s</text><text x=0 y=205>0</text>",
            format_bytes(max, top, sizeof top));
    double step = axis_step((double)last);
    for (double t = 0; t <= (double)last; t += step)
        fprintf(o->out, "<line x1=%.1f y1=205 x2=%.1f y2=210 stroke=#888></line>"
                        "<text x=%.1f y=224>%g s</text>",
                930.0 * t / (double)last + 45, 930.0 * t / (double)last + 45,
                930.0 * t / (double)last + 38, t / 1e6);
    fputs("</svg>\n<p>", o->out);
    for (size_t i = 0; i < s->cell_count && i < 2; i++) {
        fprintf(o->out, "%s<span style=color:%s>", i ? ", " : "", strokes[i]);
        line(o->out, &s->cells[i]);
        fputs("</span>", o->out);
    }
    fputs("; time in seconds since the trace began</p>\n", o->out);
}

const markup markup_html = {
    .begin = begin,
    .end = end,
    .shape = {[SHAPE_TITLE] = title, [SHAPE_HEADING] = heading, [SHAPE_PARA] = para,
              [SHAPE_LIST] = list, [SHAPE_FACTS] = facts, [SHAPE_TABLE] = table,
              [SHAPE_DETAILS] = details, [SHAPE_DETAILS_END] = details_end,
              [SHAPE_EXAMPLE] = example, [SHAPE_BARS] = bars, [SHAPE_BOXES] = boxes,
              [SHAPE_TREE] = tree, [SHAPE_LINES] = lines},
};
