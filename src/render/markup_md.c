/*
 * markup_md.c: shapes as GitHub-flavoured Markdown, for CI summaries and
 * PR comments.  Every block ends with a blank line; charts are left out.
 */
#include <string.h>

#include "render/doc.h"
#include "render/render.h"
#include "textout.h"

static void text(FILE *out, const doc_span *sp)
{
    if (sp->dump)
        render_md_text(out, sp->text);
    else
        fputs(sp->text, out);
}

static void line(FILE *out, const doc_line *l)
{
    for (size_t i = 0; i < l->count; i++) {
        const doc_span *sp = &l->spans[i];
        switch (sp->style) {
        case SPAN_STRONG: fputs("**", out), text(out, sp), fputs("**", out); break;
        case SPAN_CODE: fputc('\'', out), text(out, sp), fputc('\'', out); break;
        case SPAN_CURVE: print_sparkline(out, sp->values, sp->count, sp->count); break;
        default: text(out, sp);
        }
    }
}

static void title(markup_out *o, const shape *s)
{
    fputs("# ", o->out), line(o->out, &s->text), fputs("\n\n", o->out);
}

static void heading(markup_out *o, const shape *s)
{
    fputs(s->level > 2 ? "### " : "## ", o->out);
    line(o->out, &s->text);
    fputs("\n\n", o->out);
}

static void para(markup_out *o, const shape *s)
{
    fputs(s->tone == TONE_NOTE || s->tone == TONE_WARN ? "> " : "", o->out);
    line(o->out, &s->text);
    fputs("\n\n", o->out);
}

static void list(markup_out *o, const shape *s)
{
    for (size_t i = 0; i < s->cell_count; i++)
        fputs("- ", o->out), line(o->out, &s->cells[i]), fputc('\n', o->out);
    fputc('\n', o->out);
}

static void rows(markup_out *o, const shape *s, size_t columns, size_t shown)
{
    for (size_t r = 0; r < shown; r++) {
        for (size_t c = 0; c < columns; c++)
            fputs("| ", o->out), line(o->out, &s->cells[r * columns + c]), fputc(' ', o->out);
        fputs("|\n", o->out);
    }
    fputc('\n', o->out);
}

static void facts(markup_out *o, const shape *s)
{
    fputs("| | |\n|---|---|\n", o->out);
    rows(o, s, 2, s->cell_count / 2);
}

static void table(markup_out *o, const shape *s)
{
    size_t n = s->column_count, count = n ? s->cell_count / n : 0;
    for (size_t c = 0; c < n; c++)
        fprintf(o->out, "| %s ", s->columns[c].name);
    fputs("|\n", o->out);
    for (size_t c = 0; c < n; c++)
        fputs("|---", o->out);
    fputs("|\n", o->out);
    rows(o, s, n, count < s->brief_rows ? count : s->brief_rows);
}

static void details(markup_out *o, const shape *s)
{
    fputs("<details><summary>", o->out), line(o->out, &s->text), fputs("</summary>\n\n", o->out);
}

static void details_end(markup_out *o, const shape *s)
{
    (void)s;
    fputs("</details>\n\n", o->out);
}

static void example(markup_out *o, const shape *s)
{
    line(o->out, &s->text);
    fputc('\n', o->out);
}

const markup markup_md = {
    .brief = 1,
    .shape = {[SHAPE_TITLE] = title, [SHAPE_HEADING] = heading, [SHAPE_PARA] = para,
              [SHAPE_LIST] = list, [SHAPE_FACTS] = facts, [SHAPE_TABLE] = table,
              [SHAPE_DETAILS] = details, [SHAPE_DETAILS_END] = details_end,
              [SHAPE_EXAMPLE] = example},
};
