/*
 * doc.h: a document as a sequence of shapes, built once and rendered by
 * any markup (doc_render()).
 *
 * The rule of this folder: a document (report.c, compare.c, trace.c here)
 * reads a model and says what to show, as shapes; a markup (markup_md.c,
 * markup_html.c, markup_term.c) says how a shape looks, and knows nothing
 * of reports, comparisons or traces.  A new section is one change to its
 * document; a new format is one new markup.  JSON is not a markup: it is
 * written from the model itself (json.c).
 *
 * Text is added to the shape begun last (its summary, its current cell or
 * list item) as spans.  Text from the dump goes in with doc_dump(), and
 * every markup escapes it; doc_text() is for heapan's own words.  After an
 * allocation fails, every call does nothing and doc_failed() is true, so
 * a document is built without a check at each step.
 */
#ifndef HEAPAN_DOC_H
#define HEAPAN_DOC_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef enum span_style {
    SPAN_PLAIN,
    SPAN_STRONG,  /* a lead-in: "Cause:" */
    SPAN_CODE,    /* a literal value from the program */
    SPAN_PATH,    /* a retention path or a file name */
    SPAN_SIZE,    /* a number of bytes */
    SPAN_KIND,    /* what kind of finding */
    SPAN_LINK,    /* a reference to the heading with anchor `target` */
    SPAN_CURVE,   /* values over time, drawn small */
} span_style;

typedef struct doc_span {
    char *text;          /* owned; NULL for a curve */
    uint64_t *values;    /* a curve's points, owned */
    size_t count;        /* of values */
    char *target;        /* SPAN_LINK: the anchor it names, owned */
    unsigned char style; /* span_style */
    unsigned char dump;  /* from the dump: escape it */
} doc_span;

/* A run of spans: a paragraph's text, a cell, an item, a summary. */
typedef struct doc_line {
    doc_span *spans;
    size_t count, cap;
    double sort;         /* a number cell's value, for sortable tables */
    int has_sort;
} doc_line;

typedef enum shape_kind {
    SHAPE_TITLE,         /* the document's name */
    SHAPE_HEADING,       /* level 2 (a section) or 3; `anchor` when linked to */
    SHAPE_PARA,          /* `tone` */
    SHAPE_LIST,          /* items in cells[] */
    SHAPE_FACTS,         /* a key-value table: cells[] in pairs */
    SHAPE_TABLE,         /* columns, then cells[] by rows */
    SHAPE_DETAILS,       /* a collapsible part: its summary; the shapes up to DETAILS_END */
    SHAPE_DETAILS_END,
    SHAPE_EXAMPLE,       /* a before/after code example, heapan's own Markdown */
    SHAPE_BARS,          /* a bar chart: labels, values, value texts */
    SHAPE_BOXES,         /* a treemap or icicle: boxes in a frame */
    SHAPE_TREE,          /* nested items: cells[] with depths */
    SHAPE_LINES,         /* series over time, with a time axis */
} shape_kind;

typedef enum para_tone { TONE_PLAIN, TONE_NOTE, TONE_WARN, TONE_OK } para_tone;

typedef enum column_kind { COL_TEXT, COL_BYTES, COL_PERCENT, COL_COUNT, COL_CURVE } column_kind;

typedef struct doc_column {
    char *name;
    column_kind kind;
} doc_column;

/* A box of a treemap or icicle chart, in the frame's units. */
typedef struct doc_box {
    double x, y, w, h;
    unsigned char fill;  /* a colour index: 0 the heap's own, 1 and 2 its children, 3 the rest */
} doc_box;

typedef struct shape {
    shape_kind kind;
    int level;           /* a heading's level; in a tree, unused */
    int tone;            /* para_tone; a chart's colour index */
    int open;            /* a details part shown open where it can be */
    int rich;            /* drawn only by markups that draw charts (see doc_rich()) */
    char anchor[32];     /* a heading's anchor ("": none) */
    doc_line text;       /* title, heading, paragraph, summary, example; a chart's title */
    doc_column *columns;
    size_t column_count;
    doc_line *cells;     /* by rows: column_count per row (1 for a list, 2 for facts) */
    size_t cell_count, cell_cap;
    size_t brief_rows;   /* rows a brief markup shows (SIZE_MAX: all) */
    uint64_t *values;    /* bars: one per cell */
    int *depth;          /* tree: one per cell */
    doc_box *boxes;      /* boxes: one per cell, whose text is the tooltip */
    doc_line *labels;    /* boxes: the label drawn in each box (may be empty) */
    double width, height;
    /* lines: `series` series (named by cells[]) of `points` (time, value) pairs */
    uint64_t *line_values;
    size_t series, points;
} shape;

typedef struct doc {
    shape *shapes;
    size_t count, cap;
    int failed;
} doc;

void doc_init(doc *d);
void doc_free(doc *d);
int doc_failed(const doc *d);

/* ---- shapes: each begins a new one, which the text calls fill ---- */
void doc_title(doc *d);
void doc_heading(doc *d, int level, const char *anchor);  /* anchor may be NULL */
void doc_para(doc *d, para_tone tone);
void doc_list(doc *d);
void doc_item(doc *d);                 /* a new item of the list begun last */
void doc_facts(doc *d);
void doc_fact(doc *d, const char *key); /* a new row: its key, then the text calls fill the value */
/* A table of `n` columns named by `names`, of `kinds`; `brief` rows where a markup is brief. */
void doc_table(doc *d, size_t n, const char *const *names, const column_kind *kinds, size_t brief);
void doc_cell(doc *d);                 /* the next cell, row after row */
void doc_details(doc *d, int open);    /* then the text calls fill its summary */
void doc_details_end(doc *d);
void doc_example(doc *d, const char *markdown);
void doc_bars(doc *d, int tone);       /* then doc_bar() per bar */
void doc_bar(doc *d, const char *label, uint64_t value, const char *value_text);
void doc_boxes(doc *d, double width, double height);
void doc_box_add(doc *d, doc_box box); /* then the text calls fill its tooltip; doc_box_label() its label */
void doc_box_label(doc *d, const char *label);
void doc_tree(doc *d);
void doc_tree_item(doc *d, int depth);
/*
 * `series` series of `points` points, given as (time in microseconds,
 * value) pairs in `values`, series after series; then doc_item() names
 * each series.  A value of 0 is no sample.
 */
void doc_lines(doc *d, size_t series, size_t points, const uint64_t *values);

/* The shape begun last is drawn only where charts are: a chart's heading. */
void doc_rich(doc *d);

/* ---- text, into the shape begun last ---- */
void doc_text(doc *d, const char *s);                      /* heapan's own words */
void doc_textf(doc *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void doc_dump(doc *d, const char *s);                      /* text from the dump */
void doc_styled(doc *d, span_style style, int dump, const char *s);
void doc_bytes(doc *d, uint64_t bytes);                    /* "1.2 MiB", as a size */
void doc_lead(doc *d, const char *label);                  /* "Cause: ": a bold lead-in and a space */
void doc_link(doc *d, const char *anchor, const char *s);
void doc_curve(doc *d, const uint64_t *values, size_t n);
void doc_sort_key(doc *d, double value);                   /* the current cell's value */

/* ---- markups ---- */

/* How a markup draws: one function per shape, and one per span. */
typedef struct markup markup;
typedef struct markup_out {
    FILE *out;
    const markup *m;
    const doc *d;
    int width;    /* the terminal's columns */
    int color;    /* ANSI colour and bold */
    int depth;    /* of details parts open around the shape */
    int style;    /* the markup's own state: the terminal's style in effect */
} markup_out;

struct markup {
    int brief;    /* shows tables' brief rows, and draws no chart */
    void (*begin)(markup_out *o);
    void (*end)(markup_out *o);
    void (*shape[SHAPE_LINES + 1])(markup_out *o, const shape *s);
};

extern const markup markup_md, markup_html, markup_term;

/* Writes the document; returns 0, or -1 when it could not be built. */
int doc_render(const doc *d, const markup *m, FILE *out, int width, int color);

#endif
