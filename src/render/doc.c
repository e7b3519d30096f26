/* doc.c: building a document of shapes, and handing each to a markup. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "render/doc.h"
#include "textout.h"

/* Grows *p (of *cap elements of `size`) to hold n + 1; 0, or -1 when out of memory. */
static int reserve(void **p, size_t *cap, size_t n, size_t size)
{
    if (n < *cap)
        return 0;
    size_t want = *cap ? *cap * 2 : 8;
    void *grown = want > SIZE_MAX / size ? NULL : realloc(*p, want * size);
    if (!grown)
        return -1;
    memset((char *)grown + *cap * size, 0, (want - *cap) * size);
    *p = grown, *cap = want;
    return 0;
}

void doc_init(doc *d)
{
    memset(d, 0, sizeof *d);
}

static void line_free(doc_line *l)
{
    for (size_t i = 0; i < l->count; i++)
        free(l->spans[i].text), free(l->spans[i].values), free(l->spans[i].target);
    free(l->spans);
}

void doc_free(doc *d)
{
    for (size_t i = 0; i < d->count; i++) {
        shape *s = &d->shapes[i];
        line_free(&s->text);
        for (size_t k = 0; k < s->cell_count; k++) {
            line_free(&s->cells[k]);
            if (s->labels)
                line_free(&s->labels[k]);
        }
        for (size_t k = 0; k < s->column_count; k++)
            free(s->columns[k].name);
        free(s->cells), free(s->columns), free(s->values), free(s->depth), free(s->boxes);
        free(s->line_values);
        free(s->labels);
    }
    free(d->shapes);
    memset(d, 0, sizeof *d);
}

int doc_failed(const doc *d)
{
    return d->failed;
}

static shape *begin(doc *d, shape_kind kind)
{
    if (d->failed || reserve((void **)&d->shapes, &d->cap, d->count, sizeof *d->shapes) < 0) {
        d->failed = 1;
        return NULL;
    }
    shape *s = &d->shapes[d->count++];
    s->kind = kind;
    s->brief_rows = SIZE_MAX;
    return s;
}

static shape *last(doc *d)
{
    return d->failed || !d->count ? NULL : &d->shapes[d->count - 1];
}

/* A new cell of the last shape; its parallel arrays (values, depth, boxes) grow with it. */
static doc_line *new_cell(doc *d)
{
    shape *s = last(d);
    if (!s)
        return NULL;
    size_t cap = s->cell_cap;
    if (reserve((void **)&s->cells, &s->cell_cap, s->cell_count, sizeof *s->cells) < 0) {
        d->failed = 1;
        return NULL;
    }
    if (s->cell_cap != cap) {  /* grow the arrays beside the cells to the same capacity */
        size_t n = s->cell_cap;
        uint64_t *values = realloc(s->values, n * sizeof *values);
        int *depth = values ? realloc(s->depth, n * sizeof *depth) : NULL;
        doc_box *boxes = depth ? realloc(s->boxes, n * sizeof *boxes) : NULL;
        doc_line *labels = boxes ? realloc(s->labels, n * sizeof *labels) : NULL;
        s->values = values ? values : s->values;
        s->depth = depth ? depth : s->depth;
        s->boxes = boxes ? boxes : s->boxes;
        s->labels = labels ? labels : s->labels;
        if (!labels) {
            d->failed = 1;
            return NULL;
        }
        memset(s->labels + cap, 0, (n - cap) * sizeof *labels);
    }
    s->values[s->cell_count] = 0;
    s->depth[s->cell_count] = 0;
    memset(&s->boxes[s->cell_count], 0, sizeof *s->boxes);
    return &s->cells[s->cell_count++];
}

/* Where text goes now: the last cell of the last shape, or its own text. */
static doc_line *target(doc *d)
{
    shape *s = last(d);
    if (!s)
        return NULL;
    return s->cell_count ? &s->cells[s->cell_count - 1] : &s->text;
}

static doc_span *new_span(doc *d, doc_line *l)
{
    if (!l || reserve((void **)&l->spans, &l->cap, l->count, sizeof *l->spans) < 0) {
        d->failed = 1;
        return NULL;
    }
    return &l->spans[l->count++];
}

static void add_span(doc *d, doc_line *l, span_style style, int dump, const char *s)
{
    if (d->failed)
        return;
    char *copy = strdup(s ? s : "");
    doc_span *sp = copy ? new_span(d, l) : NULL;
    if (!sp) {
        free(copy);
        d->failed = 1;
        return;
    }
    sp->text = copy;
    sp->style = (unsigned char)style;
    sp->dump = (unsigned char)dump;
}

void doc_title(doc *d) { begin(d, SHAPE_TITLE); }

void doc_heading(doc *d, int level, const char *anchor)
{
    shape *s = begin(d, SHAPE_HEADING);
    if (s) {
        s->level = level;
        snprintf(s->anchor, sizeof s->anchor, "%s", anchor ? anchor : "");
    }
}

void doc_para(doc *d, para_tone tone)
{
    shape *s = begin(d, SHAPE_PARA);
    if (s)
        s->tone = tone;
}

void doc_list(doc *d) { begin(d, SHAPE_LIST); }
void doc_item(doc *d) { new_cell(d); }

void doc_facts(doc *d) { begin(d, SHAPE_FACTS); }

void doc_fact(doc *d, const char *key)
{
    doc_line *k = new_cell(d);
    if (k)
        add_span(d, k, SPAN_PLAIN, 0, key);
    new_cell(d);
}

void doc_table(doc *d, size_t n, const char *const *names, const column_kind *kinds, size_t brief)
{
    shape *s = begin(d, SHAPE_TABLE);
    if (!s)
        return;
    s->columns = calloc(n, sizeof *s->columns);
    s->brief_rows = brief;
    if (!s->columns) {
        d->failed = 1;
        return;
    }
    s->column_count = n;
    for (size_t i = 0; i < n; i++) {
        s->columns[i].kind = kinds[i];
        if (!(s->columns[i].name = strdup(names[i])))
            d->failed = 1;
    }
}

void doc_cell(doc *d) { new_cell(d); }

void doc_details(doc *d, int open)
{
    shape *s = begin(d, SHAPE_DETAILS);
    if (s)
        s->open = open;
}

void doc_details_end(doc *d) { begin(d, SHAPE_DETAILS_END); }

void doc_example(doc *d, const char *markdown)
{
    if (begin(d, SHAPE_EXAMPLE))
        add_span(d, target(d), SPAN_PLAIN, 0, markdown);
}

void doc_bars(doc *d, int tone)
{
    shape *s = begin(d, SHAPE_BARS);
    if (s)
        s->tone = tone;
}

void doc_bar(doc *d, const char *label, uint64_t value, const char *value_text)
{
    doc_line *l = new_cell(d);
    if (!l)
        return;
    shape *s = last(d);
    s->values[s->cell_count - 1] = value;
    add_span(d, l, SPAN_PLAIN, 1, label);
    add_span(d, &s->labels[s->cell_count - 1], SPAN_SIZE, 0, value_text);
}

void doc_boxes(doc *d, double width, double height)
{
    shape *s = begin(d, SHAPE_BOXES);
    if (s)
        s->width = width, s->height = height;
}

void doc_box_add(doc *d, doc_box box)
{
    if (new_cell(d)) {
        shape *s = last(d);
        s->boxes[s->cell_count - 1] = box;
    }
}

void doc_box_label(doc *d, const char *label)
{
    shape *s = last(d);
    if (s && s->cell_count)
        add_span(d, &s->labels[s->cell_count - 1], SPAN_PLAIN, 1, label);
}

void doc_tree(doc *d) { begin(d, SHAPE_TREE); }

void doc_tree_item(doc *d, int depth)
{
    if (new_cell(d)) {
        shape *s = last(d);
        s->depth[s->cell_count - 1] = depth;
    }
}

void doc_lines(doc *d, size_t series, size_t points, const uint64_t *values)
{
    shape *s = begin(d, SHAPE_LINES);
    if (!s)
        return;
    size_t n = series * points * 2;
    s->line_values = n ? malloc(n * sizeof *s->line_values) : NULL;
    if (n && !s->line_values) {
        d->failed = 1;
        return;
    }
    if (n)
        memcpy(s->line_values, values, n * sizeof *s->line_values);
    s->series = series, s->points = points;
}

void doc_rich(doc *d)
{
    shape *s = last(d);
    if (s)
        s->rich = 1;
}

void doc_text(doc *d, const char *s) { add_span(d, target(d), SPAN_PLAIN, 0, s); }
void doc_dump(doc *d, const char *s) { add_span(d, target(d), SPAN_PLAIN, 1, s); }

void doc_styled(doc *d, span_style style, int dump, const char *s)
{
    add_span(d, target(d), style, dump, s);
}

void doc_textf(doc *d, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n < sizeof buf) {
        doc_text(d, n < 0 ? "" : buf);
        return;
    }
    char *big = malloc((size_t)n + 1);
    if (!big) {
        d->failed = 1;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    doc_text(d, big);
    free(big);
}

void doc_bytes(doc *d, uint64_t bytes)
{
    char buf[32];
    add_span(d, target(d), SPAN_SIZE, 0, format_bytes(bytes, buf, sizeof buf));
}

void doc_lead(doc *d, const char *label)
{
    add_span(d, target(d), SPAN_STRONG, 0, label);
    doc_text(d, " ");
}

void doc_link(doc *d, const char *anchor, const char *s)
{
    add_span(d, target(d), SPAN_LINK, 0, s);
    doc_line *l = target(d);
    if (!d->failed && l && !(l->spans[l->count - 1].target = strdup(anchor)))
        d->failed = 1;
}

void doc_curve(doc *d, const uint64_t *values, size_t n)
{
    doc_line *l = target(d);
    uint64_t *copy = n ? malloc(n * sizeof *copy) : NULL;
    doc_span *sp = (copy || !n) ? new_span(d, l) : NULL;
    if (!sp) {
        free(copy);
        d->failed = 1;
        return;
    }
    if (n)
        memcpy(copy, values, n * sizeof *copy);
    sp->values = copy, sp->count = n, sp->style = SPAN_CURVE;
}

void doc_sort_key(doc *d, double value)
{
    doc_line *l = target(d);
    if (!d->failed && l)
        l->sort = value, l->has_sort = 1;
}

int doc_render(const doc *d, const markup *m, FILE *out, int width, int color)
{
    if (d->failed)
        return -1;
    markup_out o = {out, m, d, width > 20 ? width : 80, color, 0, 0};
    if (m->begin)
        m->begin(&o);
    for (size_t i = 0; i < d->count; i++) {
        const shape *s = &d->shapes[i];
        if (s->kind == SHAPE_DETAILS_END && o.depth)
            o.depth--;
        if (m->shape[s->kind] && !(s->rich && m->brief))
            m->shape[s->kind](&o, s);
        if (s->kind == SHAPE_DETAILS)
            o.depth++;
    }
    if (m->end)
        m->end(&o);
    return 0;
}
