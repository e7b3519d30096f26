/* check_doc.c: documents of shapes and the three markups (src/render/doc.c, markup_*.c). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render/doc.h"
#include "suites.h"
#include "textout.h"

/* The document drawn by markup m at `width` columns, as a new string. */
static char *drawn(const doc *d, const markup *m, int width, int color)
{
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(doc_render(d, m, f, width, color), 0);
    fclose(f);
    return out;
}

/* A paragraph with a hostile dump string, and a table of a long path. */
static void sample(doc *d)
{
    static const char *const names[] = {"where", "retained"};
    static const column_kind kinds[] = {COL_TEXT, COL_BYTES};
    doc_init(d);
    doc_title(d);
    doc_text(d, "heapan report: ");
    doc_dump(d, "app_(1)\x1b[2J<b>");
    doc_table(d, 2, names, kinds, SIZE_MAX);
    doc_cell(d), doc_dump(d, "module app.cache . _CACHE [ 'a very long key that goes on' ] . payload");
    doc_cell(d), doc_bytes(d, 3 << 20);
    doc_para(d, TONE_NOTE);
    doc_styled(d, SPAN_STRONG, 0, "Note:");
    doc_text(d, " words that wrap at the width of the terminal when it is narrow");
}

START_TEST(markdown_escapes_what_it_would_misread_only)
{
    doc d;
    sample(&d);
    char *md = drawn(&d, &markup_md, 80, 0);
    ck_assert_ptr_nonnull(strstr(md, "# heapan report: app\\_(1)\\\\x1b\\[2J&lt;b&gt;\n"));
    ck_assert_ptr_nonnull(strstr(md, "| where | retained |\n|---|---|\n"));
    ck_assert_ptr_nonnull(strstr(md, "> **Note:** words"));
    free(md);
    doc_free(&d);
}
END_TEST

START_TEST(html_escapes_every_dump_string)
{
    doc d;
    sample(&d);
    char *html = drawn(&d, &markup_html, 80, 0);
    ck_assert_ptr_null(strstr(html, "<b>"));
    ck_assert_ptr_nonnull(strstr(html, "app_(1)\\x1b[2J&lt;b&gt;"));
    ck_assert_ptr_nonnull(strstr(html, "<td class=n>3.0 MiB</td>"));
    ck_assert_ptr_nonnull(strstr(html, "<p class=note><strong>Note:</strong> words"));
    free(html);
    doc_free(&d);
}
END_TEST

START_TEST(the_terminal_fits_the_width)
{
    doc d;
    sample(&d);
    char *text = drawn(&d, &markup_term, 40, 0);
    ck_assert_ptr_null(strchr(text, '\x1b'));  /* no colour, and the dump's escape is escaped */
    ck_assert_ptr_nonnull(strstr(text, "heapan report: app_(1)\\x1b[2J<b>\n"));
    for (char *line = text, *end; *line; line = end + 1) {
        end = strchr(line, '\n');
        ck_assert_ptr_nonnull(end);
        *end = '\0';
        if (strncmp(line, "heapan report", 13) != 0)
            ck_assert_uint_le(text_width(line), 40);
    }
    free(text);
    doc_free(&d);
}
END_TEST

START_TEST(the_terminal_cuts_long_cells_in_the_middle)
{
    doc d;
    sample(&d);
    char *text = drawn(&d, &markup_term, 40, 0);
    ck_assert_ptr_nonnull(strstr(text, "module app.c"));
    ck_assert_ptr_nonnull(strstr(text, "…"));
    ck_assert_ptr_nonnull(strstr(text, "payload   3.0 MiB\n"));
    free(text);
    doc_free(&d);
}
END_TEST

START_TEST(colour_marks_headings_and_sizes)
{
    doc d;
    sample(&d);
    char *text = drawn(&d, &markup_term, 80, 1);
    ck_assert_ptr_nonnull(strstr(text, "\033[1mheapan report: "));
    ck_assert_ptr_nonnull(strstr(text, "\033[36m3.0 MiB\033[0m"));
    free(text);
    doc_free(&d);
}
END_TEST

START_TEST(cut_middle_keeps_utf8_whole)
{
    char buf[64];
    ck_assert_str_eq(text_cut_middle("abcdefghij", 5, buf, sizeof buf), "ab…ij");
    ck_assert_str_eq(text_cut_middle("short", 10, buf, sizeof buf), "short");
    ck_assert_str_eq(text_cut_middle("ééééééééé", 5, buf, sizeof buf), "éé…éé");
    ck_assert_uint_eq(text_width("é…x"), 3);
}
END_TEST

START_TEST(a_failed_document_renders_nothing)
{
    doc d;
    doc_init(&d);
    d.failed = 1;
    doc_title(&d);
    doc_text(&d, "ignored");
    ck_assert_int_eq(d.count, 0);
    ck_assert_int_eq(doc_render(&d, &markup_md, stdout, 80, 0), -1);
    doc_free(&d);
}
END_TEST

START_TEST(tree_nesting_closes_every_level)
{
    doc d;
    doc_init(&d);
    doc_tree(&d);
    int depths[] = {0, 1, 2, 1, 0, 1};
    for (size_t i = 0; i < sizeof depths / sizeof *depths; i++) {
        doc_tree_item(&d, depths[i]);
        doc_textf(&d, "item %zu", i);
    }
    char *html = drawn(&d, &markup_html, 80, 0);
    size_t opened = 0, closed = 0;
    for (char *p = html; (p = strstr(p, "<details>")); p++)
        opened++;
    for (char *p = html; (p = strstr(p, "</details>")); p++)
        closed++;
    ck_assert_uint_eq(opened, 3);
    ck_assert_uint_eq(closed, 3);
    free(html);
    doc_free(&d);
}
END_TEST

Suite *doc_suite(void)
{
    Suite *s = suite_create("doc");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, markdown_escapes_what_it_would_misread_only);
    tcase_add_test(tc, html_escapes_every_dump_string);
    tcase_add_test(tc, the_terminal_fits_the_width);
    tcase_add_test(tc, the_terminal_cuts_long_cells_in_the_middle);
    tcase_add_test(tc, colour_marks_headings_and_sizes);
    tcase_add_test(tc, cut_middle_keeps_utf8_whole);
    tcase_add_test(tc, a_failed_document_renders_nothing);
    tcase_add_test(tc, tree_nesting_closes_every_level);
    suite_add_tcase(s, tc);
    return s;
}
