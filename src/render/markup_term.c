/*
 * markup_term.c: shapes for a terminal: prose wrapped to the width,
 * tables aligned and fitted to it (long cells cut in the middle), bold
 * headings, sizes and kinds in colour when colour is on, code examples
 * indented, collapsible parts printed in full.  No Markdown, no HTML.
 * Text from the dump is escaped as print_text() does: no control
 * character or bidi override reaches the terminal raw.
 */
#include <cmark.h>
#include <stdlib.h>
#include <string.h>

#include "render/doc.h"
#include "textout.h"

#define GAP 2          /* spaces between table columns */
#define MIN_CUT 12     /* a text column is cut to no fewer characters */
#define INDENT 2       /* per collapsible part open */
#define CURVE_COLUMNS 16  /* a site's curve, beside its numbers */

/* One character as the terminal shows it (an escape's characters are one unit each). */
typedef struct unit {
    char b[4];
    unsigned char n, style;
} unit;

typedef struct units {
    unit *u;
    size_t count, cap;
} units;

static const char *const colors[] = {[SPAN_STRONG] = "\033[1m", [SPAN_SIZE] = "\033[36m",
                                     [SPAN_KIND] = "\033[33m", [SPAN_LINK] = "\033[4m"};

static void add_unit(units *us, const char *b, size_t n, int style)
{
    if (us->count == us->cap) {
        size_t cap = us->cap ? us->cap * 2 : 64;
        unit *grown = realloc(us->u, cap * sizeof *grown);
        if (!grown)
            return;  /* out of memory: the line is shown short */
        us->u = grown, us->cap = cap;
    }
    unit *u = &us->u[us->count++];
    memcpy(u->b, b, n);
    u->n = (unsigned char)n, u->style = (unsigned char)style;
}

/* Text as units: what text_unit() escapes becomes the characters of its escape. */
static void add_text(units *us, const char *s, int style)
{
    char escape[12];
    for (size_t left = strlen(s); *s;) {
        size_t n = text_unit(s, left, escape);
        if (escape[0])
            for (const char *e = escape; *e; e++)
                add_unit(us, e, 1, style);
        else
            add_unit(us, s, n, style);
        s += n, left -= n;
    }
}

static void add_line(units *us, const doc_line *l)
{
    static const char *const blocks[] = {"▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"};
    for (size_t i = 0; i < l->count; i++) {
        const doc_span *sp = &l->spans[i];
        if (sp->style == SPAN_CURVE) {  /* as print_sparkline(), at most CURVE_COLUMNS wide */
            uint64_t max = 1;
            size_t columns = sp->count < CURVE_COLUMNS ? sp->count : CURVE_COLUMNS;
            for (size_t k = 0; k < sp->count; k++)
                max = sp->values[k] > max ? sp->values[k] : max;
            for (size_t c = 0; c < columns; c++)
                add_unit(us, blocks[(size_t)((double)sp->values[c * sp->count / columns] * 7 /
                                             (double)max)],
                         3, SPAN_PLAIN);
            continue;
        }
        if (sp->style == SPAN_CODE)
            add_unit(us, "'", 1, SPAN_PLAIN);
        add_text(us, sp->text, sp->style);
        if (sp->style == SPAN_CODE)
            add_unit(us, "'", 1, SPAN_PLAIN);
    }
}

/* Switches the terminal to `style` (SPAN_PLAIN: none), when colour is on and it differs. */
static void set_style(markup_out *o, int style)
{
    const char *code = style < (int)(sizeof colors / sizeof *colors) ? colors[style] : NULL;
    style = code ? style : SPAN_PLAIN;
    if (!o->color || style == o->style)
        return;
    if (o->style != SPAN_PLAIN)
        fputs("\033[0m", o->out);
    if (code)
        fputs(code, o->out);
    o->style = style;
}

/* Units in their styles (or all in `force_style`); the style stays on until set_style() or a line end. */
static void emit(markup_out *o, const unit *u, size_t n, int force_style)
{
    for (size_t i = 0; i < n; i++) {
        set_style(o, force_style ? force_style : u[i].style);
        fwrite(u[i].b, 1, u[i].n, o->out);
    }
}

/* Ends the line, with the style off first. */
static void newline(markup_out *o)
{
    set_style(o, SPAN_PLAIN);
    fputc('\n', o->out);
}

static void spaces(FILE *out, int n)
{
    for (; n > 0; n--)
        fputc(' ', out);
}

static int indent(const markup_out *o)
{
    return o->depth * INDENT;
}

static int is_space(const unit *u)
{
    return u->n == 1 && u->b[0] == ' ';
}

/*
 * The units word-wrapped: the first line goes on from column `col`, the
 * others start at column `hang`.  Ends the last line.
 */
static void wrap(markup_out *o, const units *us, int col, int hang, int force_style)
{
    int start = col;
    for (size_t i = 0; i < us->count;) {
        size_t j = i;
        while (j < us->count && !is_space(&us->u[j]))
            j++;
        int word = (int)(j - i);
        if (word && col > start && col + 1 + word > o->width) {
            newline(o), spaces(o->out, hang);
            col = start = hang;
        } else if (word && col > start) {
            if ((force_style ? force_style : us->u[i].style) != o->style)
                set_style(o, SPAN_PLAIN);  /* no coloured space before a word of another style */
            fputc(' ', o->out);
            col++;
        }
        emit(o, &us->u[i], j - i, force_style);
        col += word;
        i = j + 1;
    }
    newline(o);
}

/* A line of text at the shape's indent, after `prefix`, wrapped under itself. */
static void prose(markup_out *o, const doc_line *l, const char *prefix, int force_style)
{
    units us = {0};
    add_line(&us, l);
    spaces(o->out, indent(o));
    fputs(prefix, o->out);
    int col = indent(o) + (int)text_width(prefix);
    wrap(o, &us, col, col, force_style);
    free(us.u);
}

static void title(markup_out *o, const shape *s)
{
    prose(o, &s->text, "", SPAN_STRONG);
    fputc('\n', o->out);
}

static void heading(markup_out *o, const shape *s)
{
    units us = {0};
    add_line(&us, &s->text);
    spaces(o->out, indent(o));
    wrap(o, &us, indent(o), indent(o), SPAN_STRONG);
    if (s->level <= 2) {
        spaces(o->out, indent(o));
        for (size_t i = 0; i < us.count && (int)i + indent(o) < o->width; i++)
            fputs("─", o->out);
        fputc('\n', o->out);
    }
    free(us.u);
}

static void para(markup_out *o, const shape *s)
{
    static const char *const prefixes[] = {"", "│ ", "│ ", ""};
    prose(o, &s->text, prefixes[s->tone & 3], 0);
    fputc('\n', o->out);
}

static void list(markup_out *o, const shape *s)
{
    for (size_t i = 0; i < s->cell_count; i++)
        prose(o, &s->cells[i], "- ", 0);
    fputc('\n', o->out);
}

static void facts(markup_out *o, const shape *s)
{
    int key_width = 0;
    for (size_t i = 0; i + 1 < s->cell_count; i += 2) {
        units key = {0};
        add_line(&key, &s->cells[i]);
        key_width = (int)key.count > key_width ? (int)key.count : key_width;
        free(key.u);
    }
    for (size_t i = 0; i + 1 < s->cell_count; i += 2) {
        units key = {0}, value = {0};
        add_line(&key, &s->cells[i]);
        add_line(&value, &s->cells[i + 1]);
        spaces(o->out, indent(o));
        emit(o, key.u, key.count, SPAN_STRONG);
        set_style(o, SPAN_PLAIN);
        spaces(o->out, key_width - (int)key.count + GAP);
        int col = indent(o) + key_width + GAP;
        wrap(o, &value, col, col, 0);
        free(key.u), free(value.u);
    }
    fputc('\n', o->out);
}

/* A cell in `width` columns: cut in the middle when longer, padded on the side of its kind. */
static void cell(markup_out *o, const units *us, int width, int right, int last)
{
    int n = (int)us->count;
    if (n > width) {
        int head = (width - 1) / 2, tail = width - 1 - head;
        emit(o, us->u, (size_t)head, 0);
        fputs("…", o->out);
        emit(o, us->u + n - tail, (size_t)tail, 0);
        set_style(o, SPAN_PLAIN);
        return;
    }
    if (right)
        spaces(o->out, width - n);
    emit(o, us->u, us->count, 0);
    set_style(o, SPAN_PLAIN);
    if (!right && !last)
        spaces(o->out, width - n);
}

/* Narrows the widest text columns until the table fits, none below MIN_CUT. */
static void fit(const shape *s, int *widths, int room)
{
    for (;;) {
        int total = 0, widest = -1;
        for (size_t c = 0; c < s->column_count; c++) {
            total += widths[c] + (c ? GAP : 0);
            if (s->columns[c].kind == COL_TEXT && widths[c] > MIN_CUT &&
                (widest < 0 || widths[c] > widths[widest]))
                widest = (int)c;
        }
        if (total <= room || widest < 0)
            return;
        int over = total - room;
        widths[widest] = widths[widest] - over >= MIN_CUT ? widths[widest] - over : MIN_CUT;
    }
}

static void table(markup_out *o, const shape *s)
{
    size_t n = s->column_count, rows = n ? s->cell_count / n : 0;
    rows = rows < s->brief_rows ? rows : s->brief_rows;
    units *cells = calloc(rows * n + n, sizeof *cells);
    int *widths = calloc(n ? n : 1, sizeof *widths);
    if (!cells || !widths) {
        free(cells), free(widths);
        return;
    }
    for (size_t c = 0; c < n; c++) {
        add_text(&cells[c], s->columns[c].name, SPAN_STRONG);
        widths[c] = (int)cells[c].count;
    }
    for (size_t i = 0; i < rows * n; i++) {
        add_line(&cells[n + i], &s->cells[i]);
        int w = (int)cells[n + i].count;
        widths[i % n] = w > widths[i % n] ? w : widths[i % n];
    }
    fit(s, widths, o->width - indent(o));
    for (size_t r = 0; r <= rows; r++) {
        spaces(o->out, indent(o));
        for (size_t c = 0; c < n; c++) {
            int right = s->columns[c].kind != COL_TEXT && s->columns[c].kind != COL_CURVE;
            if (c)
                spaces(o->out, GAP);
            cell(o, &cells[r * n + c], widths[c], right, c + 1 == n);
        }
        newline(o);
    }
    fputc('\n', o->out);
    for (size_t i = 0; i < rows * n + n; i++)
        free(cells[i].u);
    free(cells), free(widths);
}

static void details(markup_out *o, const shape *s)
{
    prose(o, &s->text, "", SPAN_STRONG);
}

static void details_end(markup_out *o, const shape *s)
{
    (void)o, (void)s;
}

/* heapan's own Markdown example: paragraphs wrapped, code indented. */
static void example(markup_out *o, const shape *s)
{
    const char *md = s->text.count ? s->text.spans[0].text : "";
    cmark_node *root = cmark_parse_document(md, strlen(md), CMARK_OPT_DEFAULT);
    cmark_iter *it = root ? cmark_iter_new(root) : NULL;
    for (cmark_event_type ev; it && (ev = cmark_iter_next(it)) != CMARK_EVENT_DONE;) {
        cmark_node *node = cmark_iter_get_node(it);
        cmark_node_type type = cmark_node_get_type(node);
        if (ev != CMARK_EVENT_ENTER)
            continue;
        if (type == CMARK_NODE_CODE_BLOCK) {
            const char *code = cmark_node_get_literal(node);
            for (const char *p = code ? code : ""; *p;) {
                const char *nl = strchr(p, '\n');
                size_t len = nl ? (size_t)(nl - p) : strlen(p);
                if (len)
                    spaces(o->out, indent(o) + 4);
                print_text(o->out, p, len);
                fputc('\n', o->out);
                p += len + (nl != NULL);
            }
            fputc('\n', o->out);
        } else if (type == CMARK_NODE_TEXT || type == CMARK_NODE_CODE) {
            const char *text = cmark_node_get_literal(node);
            spaces(o->out, indent(o));
            print_cstr(o->out, text ? text : "");
            fputc('\n', o->out);
        }
    }
    cmark_iter_free(it);
    cmark_node_free(root);
}

/* Series over time: the first as a line of blocks as wide as the terminal allows. */
static void lines(markup_out *o, const shape *s)
{
    size_t columns = (size_t)(o->width - indent(o)) > 60 ? 60 : (size_t)(o->width - indent(o));
    uint64_t *values = s->points ? malloc(s->points * sizeof *values) : NULL;
    if (!values)
        return;
    for (size_t p = 0; p < s->points; p++)
        values[p] = s->line_values[2 * p + 1];
    units name = {0};
    if (s->cell_count)
        add_line(&name, &s->cells[0]);
    spaces(o->out, indent(o));
    emit(o, name.u, name.count, 0);
    set_style(o, SPAN_PLAIN);
    fputs(": ", o->out);
    print_sparkline(o->out, values, s->points, columns);
    fputs("\n\n", o->out);
    free(values), free(name.u);
}

const markup markup_term = {
    .brief = 1,
    .shape = {[SHAPE_TITLE] = title, [SHAPE_HEADING] = heading, [SHAPE_PARA] = para,
              [SHAPE_LIST] = list, [SHAPE_FACTS] = facts, [SHAPE_TABLE] = table,
              [SHAPE_DETAILS] = details, [SHAPE_DETAILS_END] = details_end,
              [SHAPE_EXAMPLE] = example, [SHAPE_LINES] = lines},
};
