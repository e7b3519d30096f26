/* check_textout.c: escaping and formatting for the terminal (src/textout.c). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>

#include "suites.h"
#include "textout.h"

static char *printed(const char *s, size_t len)
{
    char *out = NULL;
    size_t out_len = 0;
    FILE *f = open_memstream(&out, &out_len);
    ck_assert_ptr_nonnull(f);
    print_text(f, s, len);
    fclose(f);
    return out;
}

START_TEST(control_characters_are_escaped)
{
    char *out = printed("a\x1b[31mb\nc\x7f", 10);
    ck_assert_str_eq(out, "a\\x1b[31mb\\x0ac\\x7f");
    free(out);
    out = printed("nul\0byte", 8);
    ck_assert_str_eq(out, "nul\\x00byte");
    free(out);
}
END_TEST

START_TEST(utf8_is_kept)
{
    char *out = printed("caf\xc3\xa9", 5);
    ck_assert_str_eq(out, "caf\xc3\xa9");
    free(out);
}
END_TEST

START_TEST(bytes_are_formatted_with_binary_units)
{
    char buf[32];
    ck_assert_str_eq(format_bytes(0, buf, sizeof buf), "0 B");
    ck_assert_str_eq(format_bytes(1023, buf, sizeof buf), "1023 B");
    ck_assert_str_eq(format_bytes(1024, buf, sizeof buf), "1.0 KiB");
    ck_assert_str_eq(format_bytes(3 << 19, buf, sizeof buf), "1.5 MiB");
    ck_assert_str_eq(format_bytes(UINT64_MAX, buf, sizeof buf), "16.0 EiB");
}
END_TEST

START_TEST(times_are_utc)
{
    char buf[64];
    ck_assert_str_eq(format_time_us(0, buf, sizeof buf), "1970-01-01 00:00:00 UTC");
    ck_assert_str_eq(format_time_us(1764000000000000, buf, sizeof buf),
                     "2025-11-24 16:00:00 UTC");
}
END_TEST

Suite *textout_suite(void)
{
    Suite *s = suite_create("textout");
    TCase *tc = tcase_create("textout");
    tcase_add_test(tc, control_characters_are_escaped);
    tcase_add_test(tc, utf8_is_kept);
    tcase_add_test(tc, bytes_are_formatted_with_binary_units);
    tcase_add_test(tc, times_are_utc);
    suite_add_tcase(s, tc);
    return s;
}
