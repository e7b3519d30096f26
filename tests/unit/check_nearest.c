/* check_nearest.c: edit distances and the nearest names kept. */
#include <string.h>

#include "report/nearest.h"
#include "suites.h"

START_TEST(distances_count_edits)
{
    ck_assert_uint_eq(nearest_distance("Loggr", "Logger", 0), 1);
    ck_assert_uint_eq(nearest_distance("", "abc", 0), 3);
    ck_assert_uint_eq(nearest_distance("kitten", "sitting", 0), 3);
    /* as a substring: the closest part counts */
    ck_assert_uint_eq(nearest_distance("cahce.py", "app/cache.py:12 in get", 1), 2);
    ck_assert_uint_eq(nearest_distance("cache.py", "app/cache.py:12 in get", 1), 0);
    /* names past 128 bytes are compared by their first 128 */
    char long_a[300], long_b[300];
    memset(long_a, 'a', sizeof long_a - 1);
    long_a[sizeof long_a - 1] = '\0';
    memcpy(long_b, long_a, sizeof long_b);
    long_b[200] = 'b';
    ck_assert_uint_eq(nearest_distance(long_a, long_b, 0), 0);
}
END_TEST

START_TEST(the_closest_three_are_kept_in_order)
{
    nearest n;
    nearest_init(&n, "Sesion", NEAREST_LAST_PART);
    const char *names[] = {"dict", "app.cache.Session", "module", "app.Sessions",
                           "str",  "app.cache.Session"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        nearest_consider(&n, names[i]);
    ck_assert_uint_eq(n.count, 3);
    ck_assert_str_eq(n.name[0], "app.cache.Session");
    ck_assert_str_eq(n.name[1], "app.Sessions");
    ck_assert_uint_le(n.distance[1], n.distance[2]);
}
END_TEST

Suite *nearest_suite(void)
{
    Suite *s = suite_create("nearest");
    TCase *tc = tcase_create("nearest");
    tcase_add_test(tc, distances_count_edits);
    tcase_add_test(tc, the_closest_three_are_kept_in_order);
    suite_add_tcase(s, tc);
    return s;
}
