/*
 * trace.c: the allocation trace as one document: the summary, the
 * timeline, live bytes by call stack at the peak and at the end, tables of
 * call sites (live at the peak, live at the end, allocated in all,
 * growing), and the suggestions that need time.  Each markup draws it.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "render/doc.h"
#include "render/trace.h"
#include "textout.h"
#include "trace/advice.h"

#define ICICLE_WIDTH 1000.0
/* Rows of callers drawn: a recursion a million deep would make a page of gigabytes. */
#define ICICLE_ROWS 64

static const char *const titles[] = {"Sites by bytes live at the peak",
                                     "Sites by bytes still live at the end",
                                     "Sites by bytes allocated (churn)",
                                     "Growing sites (leak candidates)"};

size_t render_trace_sites(const trace *t, int key, uint32_t *out, size_t top)
{
    size_t n = trace_top_sites(t, key, out, key == 3 ? t->stack_count : top), kept = 0;
    for (size_t i = 0; i < n && kept < top; i++)
        if (key != 3 || trace_site_grows(t, out[i]))
            out[kept++] = out[i];
    return kept;
}

static void summary(doc *d, const trace *t, const char *file)
{
    char a[32], b[32], c[32];
    doc_title(d);
    doc_text(d, "heapan trace: ");
    doc_styled(d, SPAN_PATH, 1, file);
    doc_facts(d);
    doc_fact(d, "process");
    doc_textf(d, "pid %" PRIu64 ", ", t->header.pid);
    if (t->header.sample_bytes)
        doc_textf(d, "sampled every %s allocated",
                  format_bytes(t->header.sample_bytes, a, sizeof a));
    else
        doc_text(d, "every allocation");
    doc_fact(d, "duration");
    doc_textf(d, "%.3f s", (double)t->end_time_us / 1e6);
    doc_fact(d, "allocations");
    doc_textf(d, "%" PRIu64 " (", t->allocations);
    doc_styled(d, SPAN_SIZE, 0, format_bytes(t->total_allocated, a, sizeof a));
    doc_text(d, ")");
    doc_fact(d, "frees");
    doc_textf(d, "%" PRIu64 " (%" PRIu64 " of blocks allocated before tracing)", t->frees,
              t->unmatched_frees);
    doc_fact(d, "peak");
    doc_styled(d, SPAN_SIZE, 0, format_bytes(t->peak, b, sizeof b));
    doc_textf(d, " at %.3f s", (double)t->peak_time_us / 1e6);
    doc_fact(d, "live at the end");
    doc_styled(d, SPAN_SIZE, 0, format_bytes(t->live, c, sizeof c));
    char note[512];
    if (trace_reuse_note(t, note, sizeof note)) {
        doc_para(d, TONE_NOTE);
        doc_lead(d, "Note:");
        doc_text(d, note);
    }
    for (size_t k = 0; k < t->warning_count; k++) {
        doc_para(d, TONE_WARN);
        doc_lead(d, "Warning:");
        doc_dump(d, t->warnings[k]);
    }
}

/* Traced bytes and the resident set over time. */
static void timeline(doc *d, const trace *t)
{
    if (t->point_count < 2)
        return;
    uint64_t *values = malloc(t->point_count * 4 * sizeof *values);
    if (!values) {
        d->failed = 1;
        return;
    }
    for (size_t i = 0; i < t->point_count; i++) {
        const trace_point *p = &t->timeline[i];
        values[2 * i] = values[2 * (t->point_count + i)] = p->time_us;
        values[2 * i + 1] = p->traced_bytes;
        values[2 * (t->point_count + i) + 1] = p->rss;
    }
    doc_heading(d, 2, NULL);
    doc_rich(d);
    doc_text(d, "Timeline");
    doc_lines(d, 2, t->point_count, values);
    doc_item(d), doc_text(d, "traced bytes");
    doc_item(d), doc_text(d, "resident set size");
    free(values);
}

/* Where RSS ran furthest ahead of what the trace saw, drawn or not. */
static void rss_gap(doc *d, const trace *t)
{
    trace_gap g;
    if (!trace_rss_gap(t, &g))
        return;
    char rss[32], traced[32], growth_text[32], start[32];
    int64_t growth = g.gap - g.gap_at_start;
    doc_para(d, TONE_PLAIN);
    doc_lead(d, "RSS beside the traced bytes:");
    if (growth <= 0) {
        doc_textf(d, "the gap between them never grew past the first sample's (%s): what is "
                     "resident is what the trace saw, and the interpreter's own.",
                  format_signed_bytes(g.gap_at_start, 0, start, sizeof start));
        return;
    }
    doc_textf(d, "the largest gap is at %.1f s: RSS %s, traced %s, %s more than at the start "
                 "(%s). ",
              (double)g.time_us / 1e6, format_bytes(g.rss, rss, sizeof rss),
              format_bytes(g.traced_bytes, traced, sizeof traced),
              format_signed_bytes(growth, 0, growth_text, sizeof growth_text),
              format_signed_bytes(g.gap_at_start, 0, start, sizeof start));
    doc_text(d, "RSS the trace does not see is memory the allocators keep after it is freed "
                "(pymalloc's arenas, malloc's free chunks), or memory allocated outside the "
                "traced domains (a C library's own malloc or mmap). A heap dump taken then "
                "(heapan report) splits RSS into those rows, in its memory accounting.");
}

/* The function's name of a stack, for its box. */
static const char *function_name(const trace *t, uint32_t stack)
{
    uint32_t frame = t->stacks[stack].frame;
    return frame && frame < t->frame_count
               ? heapan_reader_string(t->reader, t->frames[frame].function, NULL) : NULL;
}

/*
 * An icicle's layout: each stack's bytes with its callees', its x, and its
 * row.  Stacks of heapan's own runner around the program are not drawn,
 * and the program's outermost frame takes the top row.
 */
typedef struct icicle_layout {
    uint64_t *total;
    double *x, *next;
    uint32_t *row;
    uint8_t *hidden;
} icicle_layout;

static int icicle_layout_of(const trace *t, int at_end, double scale, icicle_layout *l)
{
    size_t n = t->stack_count;
    l->total = calloc(n, sizeof *l->total);
    l->x = calloc(n, sizeof *l->x), l->next = calloc(n, sizeof *l->next);
    l->row = calloc(n, sizeof *l->row), l->hidden = calloc(n, 1);
    if (!l->total || !l->x || !l->next || !l->row || !l->hidden)
        return -1;
    for (size_t i = n; i-- > 1;) {  /* a stack's parent has a smaller id */
        l->total[i] += at_end ? t->sites[i].live : t->sites[i].live_at_peak;
        l->total[t->stacks[i].parent] += l->total[i];
    }
    for (size_t i = 1; i < n; i++) {
        uint32_t parent = t->stacks[i].parent;
        l->x[i] = l->next[i] = l->next[parent];
        l->next[parent] += (double)l->total[i] * scale;
        l->hidden[i] = trace_stack_is_runner(t, (uint32_t)i) && (!parent || l->hidden[parent]);
        l->row[i] = !parent || l->hidden[parent] ? 0 : l->row[parent] + 1;
    }
    return 0;
}

static void icicle_free(icicle_layout *l)
{
    free(l->total), free(l->x), free(l->next), free(l->row), free(l->hidden);
}

/* Live bytes at the peak, or at the end, by call stack: a box per stack, its callers above it. */
static void icicle(doc *d, const trace *t, int at_end)
{
    uint64_t whole = at_end ? t->live : t->peak;
    double scale = whole ? ICICLE_WIDTH / (double)whole : 0;
    icicle_layout l = {0};
    if (icicle_layout_of(t, at_end, scale, &l) < 0) {
        icicle_free(&l);
        d->failed = 1;
        return;
    }
    uint32_t deepest = 0, deepest_any = 0;
    for (size_t i = 1; i < t->stack_count; i++) {
        if (l.hidden[i])
            continue;
        if ((double)l.total[i] * scale >= 2 && l.row[i] > deepest)
            deepest = l.row[i];
        deepest_any = l.row[i] > deepest_any ? l.row[i] : deepest_any;
    }
    uint32_t rows = deepest < ICICLE_ROWS ? deepest + 1 : ICICLE_ROWS;
    doc_heading(d, 2, NULL);
    doc_rich(d);
    doc_textf(d, "Live bytes %s, by call stack", at_end ? "at the end" : "at the peak");
    if (deepest >= ICICLE_ROWS) {
        doc_para(d, TONE_NOTE);
        doc_rich(d);
        doc_textf(d, "Stacks go %u calls deep; the outermost %u are drawn.", deepest_any + 1,
                  ICICLE_ROWS);
    }
    doc_boxes(d, ICICLE_WIDTH, rows * 20.0);
    for (size_t i = 1; i < t->stack_count; i++) {
        double width = (double)l.total[i] * scale;
        if (width < 2 || l.row[i] >= ICICLE_ROWS || l.hidden[i])
            continue;
        char name[1024], size[32];
        doc_box_add(d, (doc_box){l.x[i], l.row[i] * 20.0, width, 18, 2});
        doc_dump(d, trace_site_name(t, (uint32_t)i, name, sizeof name));
        doc_textf(d, ": %s", format_bytes(l.total[i], size, sizeof size));
        const char *function = function_name(t, (uint32_t)i);
        if (function)
            doc_box_label(d, function);
    }
    icicle_free(&l);
}

/* The site's line, an import's marked, then the program's line that led to it. */
static void site_cells(doc *d, const trace *t, uint32_t stack)
{
    char name[1024];
    doc_cell(d), doc_styled(d, SPAN_PATH, 1, trace_site_label(t, stack, name, sizeof name));
    if (trace_stack_imports(t, stack))
        doc_text(d, " [import]");
    if (!t->code.paths_known)
        return;  /* an older trace: no column to say which code is the program's */
    uint32_t program = trace_program_stack(t, stack);
    doc_cell(d);
    if (program == stack)
        doc_text(d, "(the site)");
    else if (program)
        doc_styled(d, SPAN_PATH, 1, trace_site_label(t, program, name, sizeof name));
    else
        doc_text(d, "-");
}

static void site_row(doc *d, const trace *t, uint32_t stack, int curve)
{
    const trace_site *s = &t->sites[stack];
    char growth[32];
    site_cells(d, t, stack);
    doc_cell(d), doc_bytes(d, s->live_at_peak), doc_sort_key(d, (double)s->live_at_peak);
    doc_cell(d), doc_bytes(d, s->live), doc_sort_key(d, (double)s->live);
    doc_cell(d), doc_bytes(d, s->total_allocated), doc_sort_key(d, (double)s->total_allocated);
    doc_cell(d), doc_textf(d, "%" PRIu64, s->allocations), doc_sort_key(d, (double)s->allocations);
    doc_cell(d);
    doc_styled(d, SPAN_SIZE, 0,
               s->growth > 0 ? format_bytes((uint64_t)s->growth, growth, sizeof growth) : "-");
    if (curve && s->fit_from_us)  /* the steady phase fitted, after a warm-up */
        doc_textf(d, " from %.1f s", (double)s->fit_from_us / 1e6);
    doc_sort_key(d, s->growth);
    if (curve) {
        uint64_t values[TRACE_CURVE_POINTS];
        doc_cell(d), doc_curve(d, values, trace_site_curve(t, stack, values));
    }
}

static void site_tables(doc *d, const trace *t, uint32_t *order, size_t top)
{
    static const char *const all_names[] = {"site",      "in the program", "at peak",
                                            "at end",    "allocated",      "allocations",
                                            "growth/s",  "over time"};
    static const column_kind all_kinds[] = {COL_TEXT,  COL_TEXT,  COL_BYTES, COL_BYTES,
                                            COL_BYTES, COL_COUNT, COL_BYTES, COL_CURVE};
    /* Without the trace's paths, the program's column is left out. */
    const char *names[8];
    column_kind kinds[8];
    size_t columns = 0;
    for (size_t c = 0; c < 8; c++)
        if (c != 1 || t->code.paths_known)
            names[columns] = all_names[c], kinds[columns++] = all_kinds[c];
    for (int key = 0; key < 4; key++) {
        size_t n = render_trace_sites(t, key, order, top);
        doc_heading(d, 2, NULL);
        doc_text(d, titles[key]);
        if (!n) {
            doc_para(d, TONE_PLAIN);
            doc_text(d, "None.");
            continue;
        }
        doc_table(d, key == 3 ? columns : columns - 1, names, kinds, SIZE_MAX);
        for (size_t i = 0; i < n; i++)
            site_row(d, t, order[i], key == 3);
    }
}

static void advice_section(doc *d, const trace *t)
{
    trace_advice advice[RENDER_TRACE_ADVICE];
    size_t n = trace_find_advice(t, advice, RENDER_TRACE_ADVICE);
    doc_heading(d, 2, NULL);
    doc_text(d, "Suggestions");
    if (!n) {
        doc_para(d, TONE_PLAIN);
        doc_text(d, "None.");
    }
    for (size_t i = 0; i < n; i++) {
        char name[1024];
        char *message = trace_advice_message(t, &advice[i]);
        doc_heading(d, 3, NULL);
        doc_styled(d, SPAN_KIND, 0, suggestion_kind_name(trace_advice_suggestion(advice[i].kind)));
        doc_text(d, ": saves ");
        doc_bytes(d, advice[i].saving);
        doc_text(d, " at the peak, at ");
        doc_dump(d, trace_site_name(t, advice[i].stack, name, sizeof name));
        doc_para(d, TONE_PLAIN);
        doc_dump(d, message ? message : "");
        if (!message)
            d->failed = 1;
        free(message);
    }
}

int render_trace_doc(doc *d, const trace *t, const char *file, size_t top)
{
    uint32_t *order = malloc((t->stack_count + 1) * sizeof *order);
    if (!order)
        return -1;
    summary(d, t, file);
    timeline(d, t);
    rss_gap(d, t);
    icicle(d, t, 0);
    icicle(d, t, 1);
    site_tables(d, t, order, top);
    advice_section(d, t);
    free(order);
    return doc_failed(d) ? -1 : 0;
}
