/*
 * render_trace.c: the allocation trace report.  Tables of call sites (by
 * bytes live at the peak, live at the end, allocated in all, growth), the
 * timeline, and in HTML an icicle chart of live bytes at the peak.
 */
#include <cJSON.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "render/jsonout.h"
#include "render/render.h"
#include "render/trace.h"
#include "textout.h"
#include "trace/advice.h"

#define ICICLE_WIDTH 1000.0
/* Rows of callers drawn: a recursion a million deep would make a page of gigabytes. */
#define ICICLE_ROWS 64
#define MAX_ADVICE 10


/* The suggestions section, in any of the three markups. */
static int advice_section(FILE *out, const trace *t, const markup_style *m)
{
    trace_advice advice[MAX_ADVICE];
    size_t n = trace_find_advice(t, advice, MAX_ADVICE);
    fprintf(out, "%sSuggestions%s", m->heading, m->heading_end);
    if (!n)
        fprintf(out, "%sNone.%s", m->para, m->para_end);
    for (size_t i = 0; i < n; i++) {
        char name[1024], saving[32];
        char *message = trace_advice_message(t, &advice[i]);
        if (!message)
            return -1;
        fprintf(out, "%s%s: saves %s at the peak, at ", m->subheading,
                suggestion_kind_name(trace_advice_suggestion(advice[i].kind)),
                format_bytes(advice[i].saving, saving, sizeof saving));
        m->text(out, trace_site_name(t, advice[i].stack, name, sizeof name));
        fprintf(out, "%s%s", m->subheading_end, m->para);
        m->text(out, message);
        fputs(m->para_end, out);
        free(message);
    }
    return 0;
}

static const char *const titles[] = {"sites by bytes live at the peak",
                                     "sites by bytes still live at the end (leaked)",
                                     "sites by bytes allocated (churn)",
                                     "growing sites (leak candidates)"};

/* The sites of one table: key 3 keeps only the steadily growing ones. */
static size_t sites_for(const trace *t, int key, uint32_t *out, size_t top)
{
    size_t n = trace_top_sites(t, key, out, key == 3 ? t->stack_count : top), kept = 0;
    for (size_t i = 0; i < n && kept < top; i++)
        if (key != 3 || trace_site_grows(t, out[i]))
            out[kept++] = out[i];
    return kept;
}

static void text_header(FILE *out, const trace *t, const char *file)
{
    char a[32], b[32], c[32];
    fputs("trace: ", out);
    print_cstr(out, file);
    fprintf(out, ", pid %" PRIu64 ", %.3f s, %s\n", t->header.pid, (double)t->end_time_us / 1e6,
            t->header.sample_bytes ? "sampled" : "every allocation");
    fprintf(out, "allocations: %" PRIu64 " (%s), frees %" PRIu64 " (%" PRIu64
                 " of blocks allocated before tracing)\n",
            t->allocations, format_bytes(t->total_allocated, a, sizeof a), t->frees,
            t->unmatched_frees);
    fprintf(out, "peak: %s at %.3f s; live at the end: %s\n", format_bytes(t->peak, b, sizeof b),
            (double)t->peak_time_us / 1e6, format_bytes(t->live, c, sizeof c));
}

/* A line of block characters, the traced bytes over time. */
static int sparkline(FILE *out, const trace *t)
{
    if (t->point_count < 2)
        return 0;
    uint64_t *values = malloc(t->point_count * sizeof *values);
    if (!values)
        return -1;
    for (size_t i = 0; i < t->point_count; i++)
        values[i] = t->timeline[i].traced_bytes;
    fputs("\ntimeline (traced bytes): ", out);
    print_sparkline(out, values, t->point_count, 60);
    fputc('\n', out);
    free(values);
    return 0;
}

int render_trace_text(FILE *out, const trace *t, const char *file, size_t top)
{
    uint32_t *order = malloc((t->stack_count + 1) * sizeof *order);
    if (!order)
        return -1;
    text_header(out, t, file);
    for (int key = 0; key < 4; key++) {
        size_t n = sites_for(t, key, order, top);
        if (!n) {
            if (key == 3)
                fputs("\nno site grows steadily\n", out);
            continue;
        }
        fprintf(out, "\n%s:\n%11s %11s %11s %11s  %s\n", titles[key], "at peak", "at end",
                "allocated", "growth/s", "site");
        for (size_t i = 0; i < n; i++) {
            const trace_site *s = &t->sites[order[i]];
            char a[32], b[32], c[32], d[32], name[1024];
            fprintf(out, "%11s %11s %11s %11s  ", format_bytes(s->live_at_peak, a, sizeof a),
                    format_bytes(s->live, b, sizeof b), format_bytes(s->total_allocated, c, sizeof c),
                    s->growth > 0 ? format_bytes((uint64_t)s->growth, d, sizeof d) : "-");
            print_cstr(out, trace_site_name(t, order[i], name, sizeof name));
            fputc('\n', out);
        }
    }
    int failed = advice_section(out, t, &markup_plain) < 0 || sparkline(out, t) < 0;
    free(order);
    return failed ? -1 : 0;
}

/* ---- Markdown and HTML -------------------------------------------------------------- */

/* The growing sites' table also draws each one's live bytes over time. */
static void curve_cell(FILE *out, const trace *t, uint32_t stack, int html)
{
    fputs(html ? "<td>" : " ", out);
    (html ? render_html_curve : render_md_curve)(out, t, stack);
    fputs(html ? "</td>" : " |", out);
}

static void markup_tables(FILE *out, const trace *t, uint32_t *order, size_t top, int html)
{
    for (int key = 0; key < 4; key++) {
        size_t n = sites_for(t, key, order, top);
        int curves = key == 3;
        fprintf(out, html ? "<h2>%c%s</h2>\n" : "## %c%s\n\n", titles[key][0] - 32, titles[key] + 1);
        if (!n) {
            fputs(html ? "<p>None.</p>\n" : "None.\n\n", out);
            continue;
        }
        fputs(html ? "<table><thead><tr><th>site</th><th>at peak</th><th>at end</th>"
                     "<th>allocated</th><th>allocations</th><th>growth/s</th>"
                   : "| site | at peak | at end | allocated | allocations | growth/s |", out);
        fputs(curves ? (html ? "<th>over time</th>" : " over time |") : "", out);
        fputs(html ? "</tr></thead><tbody>\n" : curves ? "\n|---|---|---|---|---|---|---|\n"
                                                       : "\n|---|---|---|---|---|---|\n", out);
        for (size_t i = 0; i < n; i++) {
            const trace_site *s = &t->sites[order[i]];
            char a[32], b[32], c[32], d[32], name[1024];
            fputs(html ? "<tr><td>" : "| ", out);
            if (html)
                render_html_text(out, trace_site_name(t, order[i], name, sizeof name));
            else
                render_md_text(out, trace_site_name(t, order[i], name, sizeof name));
            fprintf(out, html ? "</td><td>%s</td><td>%s</td><td>%s</td><td>%" PRIu64 "</td><td>%s</td>"
                              : " | %s | %s | %s | %" PRIu64 " | %s |",
                    format_bytes(s->live_at_peak, a, sizeof a), format_bytes(s->live, b, sizeof b),
                    format_bytes(s->total_allocated, c, sizeof c), s->allocations,
                    s->growth > 0 ? format_bytes((uint64_t)s->growth, d, sizeof d) : "-");
            if (curves)
                curve_cell(out, t, order[i], html);
            fputs(html ? "</tr>\n" : "\n", out);
        }
        fputs(html ? "</tbody></table>\n" : "\n", out);
    }
}

int render_trace_markdown(FILE *out, const trace *t, const char *file, size_t top)
{
    uint32_t *order = malloc((t->stack_count + 1) * sizeof *order);
    if (!order)
        return -1;
    char a[32], b[32], c[32];
    fputs("# heapan trace: ", out);
    render_md_text(out, file);
    fprintf(out, "\n\n| | |\n|---|---|\n| duration | %.3f s |\n| allocations | %" PRIu64 " (%s) |\n"
                 "| peak | %s at %.3f s |\n| live at the end | %s |\n\n",
            (double)t->end_time_us / 1e6, t->allocations, format_bytes(t->total_allocated, a, sizeof a),
            format_bytes(t->peak, b, sizeof b), (double)t->peak_time_us / 1e6,
            format_bytes(t->live, c, sizeof c));
    for (size_t k = 0; k < t->warning_count; k++) {
        fputs("> **Warning:** ", out);
        render_md_text(out, t->warnings[k]);
        fputs("\n\n", out);
    }
    markup_tables(out, t, order, top, 0);
    free(order);
    return advice_section(out, t, &markup_md);
}

static void timeline_svg(FILE *out, const trace *t)
{
    if (t->point_count < 2)
        return;
    uint64_t max = 1, last = t->timeline[t->point_count - 1].time_us;
    for (size_t i = 0; i < t->point_count; i++) {
        max = t->timeline[i].traced_bytes > max ? t->timeline[i].traced_bytes : max;
        max = t->timeline[i].rss > max ? t->timeline[i].rss : max;
    }
    fputs("<h2>Timeline</h2>\n<svg width=1000 height=220 role=img>", out);
    for (int series = 0; series < 2; series++) {
        fprintf(out, "<polyline fill=none stroke=%s stroke-width=1.5 points='",
                series ? "#d0584a" : "#4a7fd0");
        for (size_t i = 0; i < t->point_count; i++) {
            const trace_point *p = &t->timeline[i];
            uint64_t v = series ? p->rss : p->traced_bytes;
            if (series && !v)
                continue;
            fprintf(out, "%.1f,%.1f ", last ? 990.0 * (double)p->time_us / (double)last + 5 : 5.0,
                    205.0 - 195.0 * (double)v / (double)max);
        }
        fputs("'></polyline>", out);
    }
    char top[32];
    fprintf(out, "<text x=8 y=14>%s</text><text x=8 y=218>0</text></svg>\n"
                 "<p><span style=color:#4a7fd0>traced bytes</span>, "
                 "<span style=color:#d0584a>resident set size</span></p>\n",
            format_bytes(max, top, sizeof top));
}

/* The function's name inside its box, cut to fit (at a character boundary). */
static void icicle_label(FILE *out, const trace *t, uint32_t stack, double x, uint32_t y, double width)
{
    uint32_t frame = t->stacks[stack].frame;
    const char *name = frame && frame < t->frame_count
                           ? heapan_reader_string(t->reader, t->frames[frame].function, NULL) : NULL;
    size_t fits = width > 12 ? (size_t)((width - 6) / 7) : 0, len = 0;
    if (!name || fits < 4)
        return;
    char text[160];
    while (name[len] && len < fits && len < sizeof text - 1)
        len++;
    while (len && name[len] && ((unsigned char)name[len] & 0xc0) == 0x80)
        len--;  /* do not split a UTF-8 sequence */
    memcpy(text, name, len);
    text[len] = '\0';
    fprintf(out, "<text x=%.1f y=%u>", x + 3, y + 13);
    render_html_text(out, text);
    fputs("</text>", out);
}

/* Live bytes at the peak, or at the end, by call stack: a box per stack, its callers above it. */
static int icicle(FILE *out, const trace *t, int at_end)
{
    size_t n = t->stack_count;
    uint64_t *total = calloc(n, sizeof *total);
    double *x = calloc(n, sizeof *x), *next = calloc(n, sizeof *next);
    uint32_t *depth = calloc(n, sizeof *depth);
    if (!total || !x || !next || !depth) {
        free(total), free(x), free(next), free(depth);
        return -1;
    }
    for (size_t i = n; i-- > 1;) {  /* a stack's parent has a smaller id */
        total[i] += at_end ? t->sites[i].live : t->sites[i].live_at_peak;
        total[t->stacks[i].parent] += total[i];
    }
    uint64_t whole = at_end ? t->live : t->peak;
    double scale = whole ? ICICLE_WIDTH / (double)whole : 0;
    uint32_t deepest = 0, deepest_any = 0;
    for (size_t i = 1; i < n; i++) {
        uint32_t parent = t->stacks[i].parent;
        x[i] = parent ? next[parent] : next[0];
        next[i] = x[i];
        if (parent)
            next[parent] += (double)total[i] * scale;
        else
            next[0] += (double)total[i] * scale;
        depth[i] = parent ? depth[parent] + 1 : 0;
        if (total[i] * scale >= 2 && depth[i] > deepest)
            deepest = depth[i];
        if (depth[i] > deepest_any)
            deepest_any = depth[i];
    }
    uint32_t rows = deepest < ICICLE_ROWS ? deepest + 1 : ICICLE_ROWS;
    fprintf(out, "<h2>Live bytes %s, by call stack</h2>\n", at_end ? "at the end" : "at the peak");
    if (deepest >= ICICLE_ROWS)
        fprintf(out, "<p class=note>Stacks go %u calls deep; the outermost %u are drawn.</p>\n",
                deepest_any + 1, ICICLE_ROWS);
    fprintf(out, "<svg width=1000 height=%u role=img>", rows * 20);
    for (size_t i = 1; i < n; i++) {
        double width = (double)total[i] * scale;
        if (width < 2 || depth[i] >= ICICLE_ROWS)
            continue;
        char name[1024], size[32];
        fprintf(out, "<g><title>");
        render_html_text(out, trace_site_name(t, (uint32_t)i, name, sizeof name));
        fprintf(out, ": %s</title><rect x=%.1f y=%u width=%.1f height=18 fill=#e8a55a stroke=#fff>"
                     "</rect>",
                format_bytes(total[i], size, sizeof size), x[i], depth[i] * 20, width);
        icicle_label(out, t, (uint32_t)i, x[i], depth[i] * 20, width);
        fputs("</g>", out);
    }
    fputs("</svg>\n", out);
    free(total), free(x), free(next), free(depth);
    return 0;
}

int render_trace_html(FILE *out, const trace *t, const char *file, size_t top)
{
    uint32_t *order = malloc((t->stack_count + 1) * sizeof *order);
    if (!order)
        return -1;
    char a[32], b[32];
    fputs("<!DOCTYPE html>\n<html lang=en><head><meta charset=utf-8>"
          "<meta http-equiv=Content-Security-Policy content=\"default-src 'none'; "
          "style-src 'unsafe-inline'\"><title>heapan trace</title><style>"
          "body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:75em;padding:0 1em}"
          "table{border-collapse:collapse}th,td{padding:.25em .6em;border-bottom:1px solid #eee;"
          "text-align:left}th{background:#f6f6f6}svg text{font:12px system-ui,sans-serif}"
          "</style></head><body>\n<h1>heapan trace: ", out);
    render_html_text(out, file);
    fprintf(out, "</h1>\n<p>peak %s at %.3f s; %s live at the end, after %.3f s</p>\n",
            format_bytes(t->peak, a, sizeof a), (double)t->peak_time_us / 1e6,
            format_bytes(t->live, b, sizeof b), (double)t->end_time_us / 1e6);
    for (size_t k = 0; k < t->warning_count; k++) {
        fputs("<p><b>Warning:</b> ", out);
        render_html_text(out, t->warnings[k]);
        fputs("</p>\n", out);
    }
    timeline_svg(out, t);
    int failed = icicle(out, t, 0) < 0 || icicle(out, t, 1) < 0;
    markup_tables(out, t, order, top, 1);
    failed |= advice_section(out, t, &markup_html) < 0;
    fputs("</body></html>\n", out);
    free(order);
    return failed ? -1 : 0;
}

/* ---- JSON ------------------------------------------------------------------------------ */

static int add_clean(cJSON *o, const char *name, const char *text)
{
    char *clean = utf8_sanitize(text ? text : "");
    int ok = clean && cJSON_AddStringToObject(o, name, clean);
    free(clean);
    return ok ? 0 : -1;
}

static int add_frame(cJSON *o, const trace *t, uint32_t frame)
{
    const heapan_frame *f = frame && frame < t->frame_count ? &t->frames[frame] : NULL;
    if (add_clean(o, "file", f ? heapan_reader_string(t->reader, f->file, NULL) : "") < 0 ||
        add_clean(o, "function", f ? heapan_reader_string(t->reader, f->function, NULL) : "") < 0)
        return -1;
    cJSON_AddNumberToObject(o, "line", f ? f->line : 0);
    return 0;
}

/* The site's live bytes over time, one value per curve step. */
static int add_curve(cJSON *item, const trace *t, uint32_t id)
{
    uint64_t curve[TRACE_CURVE_POINTS];
    size_t n = trace_site_curve(t, id, curve);
    cJSON *list = cJSON_AddArrayToObject(item, "curve");
    for (size_t k = 0; list && k < n; k++) {
        cJSON *v = cJSON_CreateNumber((double)curve[k]);
        if (!v)
            return -1;
        cJSON_AddItemToArray(list, v);
    }
    return list ? 0 : -1;
}

cJSON *render_trace_site_json(const trace *t, uint32_t id)
{
    const trace_site *s = &t->sites[id];
    cJSON *item = cJSON_CreateObject(), *stack = item ? cJSON_AddArrayToObject(item, "stack") : NULL;
    int failed = !stack || add_frame(item, t, id ? t->stacks[id].frame : 0) < 0;
    for (uint32_t k = id; k && !failed; k = t->stacks[k].parent) {  /* innermost first */
        cJSON *frame = cJSON_CreateObject();
        failed = !frame;
        if (frame) {
            cJSON_AddItemToArray(stack, frame);
            failed = add_frame(frame, t, t->stacks[k].frame) < 0;
        }
    }
    if (!failed) {
        cJSON_AddNumberToObject(item, "live_at_peak", (double)s->live_at_peak);
        cJSON_AddNumberToObject(item, "live_at_end", (double)s->live);
        cJSON_AddNumberToObject(item, "total_allocated", (double)s->total_allocated);
        cJSON_AddNumberToObject(item, "allocations", (double)s->allocations);
        cJSON_AddNumberToObject(item, "growth", s->growth);
        cJSON_AddNumberToObject(item, "growth_fit", s->fit);
        cJSON_AddBoolToObject(item, "grows", trace_site_grows(t, id));
        failed = add_curve(item, t, id) < 0;
    }
    if (failed) {
        cJSON_Delete(item);
        return NULL;
    }
    return item;
}

static int add_site(cJSON *list, const trace *t, uint32_t id)
{
    cJSON *item = render_trace_site_json(t, id);
    if (item)
        cJSON_AddItemToArray(list, item);
    return item ? 0 : -1;
}

static int add_advice(cJSON *doc, const trace *t)
{
    trace_advice advice[MAX_ADVICE];
    size_t n = trace_find_advice(t, advice, MAX_ADVICE);
    cJSON *list = cJSON_AddArrayToObject(doc, "suggestions");
    for (size_t i = 0; list && i < n; i++) {
        cJSON *item = cJSON_CreateObject();
        char *message = item ? trace_advice_message(t, &advice[i]) : NULL;
        if (item)
            cJSON_AddItemToArray(list, item);
        const char *kind = suggestion_kind_name(trace_advice_suggestion(advice[i].kind));
        int failed = !message || !cJSON_AddStringToObject(item, "kind", kind) ||
                     add_frame(item, t, t->stacks[advice[i].stack].frame) < 0 ||
                     add_clean(item, "message", message) < 0;
        free(message);
        if (failed)
            return -1;
        cJSON_AddNumberToObject(item, "estimated_savings", (double)advice[i].saving);
        cJSON_AddNumberToObject(item, "churn", (double)advice[i].churn);
    }
    return list ? 0 : -1;
}

int render_trace_json(FILE *out, const trace *t, const char *file, size_t top)
{
    uint32_t *order = malloc((t->stack_count + 1) * sizeof *order);
    uint8_t *listed = calloc(t->stack_count + 1, 1);
    cJSON *doc = cJSON_CreateObject();
    int failed = !order || !listed || !doc ||
                 !cJSON_AddStringToObject(doc, "schema", "heapan.trace/1") ||
                 add_clean(doc, "trace", file) < 0;
    cJSON *peak = failed ? NULL : cJSON_AddObjectToObject(doc, "peak");
    cJSON *end = failed ? NULL : cJSON_AddObjectToObject(doc, "end");
    cJSON *samples = failed ? NULL : cJSON_AddArrayToObject(doc, "samples");
    cJSON *sites = failed ? NULL : cJSON_AddArrayToObject(doc, "sites");
    cJSON *warnings = failed ? NULL : cJSON_AddArrayToObject(doc, "warnings");
    failed = !peak || !end || !samples || !sites || !warnings;
    if (!failed) {
        cJSON_AddNumberToObject(peak, "bytes", (double)t->peak);
        cJSON_AddNumberToObject(peak, "time_us", (double)t->peak_time_us);
        cJSON_AddNumberToObject(end, "bytes", (double)t->live);
        cJSON_AddNumberToObject(end, "time_us", (double)t->end_time_us);
        cJSON_AddNumberToObject(doc, "allocations", (double)t->allocations);
        cJSON_AddNumberToObject(doc, "frees", (double)t->frees);
        cJSON_AddNumberToObject(doc, "total_allocated", (double)t->total_allocated);
        cJSON_AddNumberToObject(doc, "sample_bytes", (double)t->header.sample_bytes);
        cJSON_AddNumberToObject(doc, "curve_step_us", (double)t->curve_step_us);
        failed = add_advice(doc, t) < 0;
    }
    for (size_t i = 0; !failed && i < t->point_count; i++) {
        cJSON *p = cJSON_CreateObject();
        failed = !p;
        if (p) {
            cJSON_AddItemToArray(samples, p);
            cJSON_AddNumberToObject(p, "time_us", (double)t->timeline[i].time_us);
            cJSON_AddNumberToObject(p, "traced_bytes", (double)t->timeline[i].traced_bytes);
            cJSON_AddNumberToObject(p, "rss", (double)t->timeline[i].rss);
        }
    }
    for (int key = 0; !failed && key < 4; key++) {
        size_t n = sites_for(t, key, order, top);
        for (size_t i = 0; i < n && !failed; i++)
            if (!listed[order[i]]++)
                failed = add_site(sites, t, order[i]) < 0;
    }
    for (size_t k = 0; !failed && k < t->warning_count; k++) {
        char *clean = utf8_sanitize(t->warnings[k]);
        cJSON *w = clean ? cJSON_CreateString(clean) : NULL;
        free(clean);
        failed = !w;
        if (w)
            cJSON_AddItemToArray(warnings, w);
    }
    char *text = failed ? NULL : cJSON_Print(doc);
    if (text)
        fprintf(out, "%s\n", text);
    free(text);
    cJSON_Delete(doc);
    free(order), free(listed);
    return text ? 0 : -1;
}
