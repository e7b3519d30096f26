/* check_intern.c: the writer's table of interned payloads (lib/intern.c). */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "intern.h"
#include "suites.h"

START_TEST(finds_what_was_added)
{
    intern_table t = {0};
    ck_assert_uint_eq(intern_find(&t, 2, "abc", 3), 0);
    ck_assert_int_eq(intern_add(&t, 2, "abc", 3, 7), 0);
    ck_assert_uint_eq(intern_find(&t, 2, "abc", 3), 7);
    ck_assert_uint_eq(intern_find(&t, 2, "abd", 3), 0);
    ck_assert_uint_eq(intern_find(&t, 2, "ab", 2), 0);
    intern_release(&t);
}
END_TEST

START_TEST(kinds_keep_equal_keys_apart)
{
    intern_table t = {0};
    ck_assert_int_eq(intern_add(&t, 2, "\x01\x02", 2, 1), 0);
    ck_assert_int_eq(intern_add(&t, 5, "\x01\x02", 2, 9), 0);
    ck_assert_uint_eq(intern_find(&t, 2, "\x01\x02", 2), 1);
    ck_assert_uint_eq(intern_find(&t, 5, "\x01\x02", 2), 9);
    ck_assert_uint_eq(intern_find(&t, 4, "\x01\x02", 2), 0);
    intern_release(&t);
}
END_TEST

START_TEST(keeps_every_id_through_growth)
{
    intern_table t = {0};
    char key[32];
    for (unsigned i = 1; i <= 20000; i++) {
        int n = snprintf(key, sizeof key, "key-%u", i);
        ck_assert_int_eq(intern_add(&t, 2, key, (size_t)n, i), 0);
    }
    for (unsigned i = 1; i <= 20000; i++) {
        int n = snprintf(key, sizeof key, "key-%u", i);
        ck_assert_uint_eq(intern_find(&t, 2, key, (size_t)n), i);
    }
    ck_assert_uint_eq(intern_find(&t, 2, "", 0), 0);
    intern_release(&t);
}
END_TEST

Suite *intern_suite(void)
{
    Suite *s = suite_create("intern");
    TCase *tc = tcase_create("intern");
    tcase_add_test(tc, finds_what_was_added);
    tcase_add_test(tc, kinds_keep_equal_keys_apart);
    tcase_add_test(tc, keeps_every_id_through_growth);
    suite_add_tcase(s, tc);
    return s;
}
