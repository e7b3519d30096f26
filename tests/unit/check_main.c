/* check_main.c: the one runner of every unit-test suite. */
#include <stdlib.h>

#include "suites.h"

/*
 * Check's default of 4 s per test fails on a loaded two-core machine; make
 * check also sets CK_TIMEOUT_MULTIPLIER for sanitizer and valgrind builds.
 */
#define DEFAULT_TIMEOUT_SECONDS "60"

START_TEST(each_test_has_a_minute_at_least)
{
    const char *timeout = getenv("CK_DEFAULT_TIMEOUT");
    ck_assert_ptr_nonnull(timeout);
    ck_assert_double_ge(strtod(timeout, NULL), 60);
}
END_TEST

static Suite *runner_suite(void)
{
    Suite *s = suite_create("runner");
    TCase *tc = tcase_create("runner");
    tcase_add_test(tc, each_test_has_a_minute_at_least);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    setenv("CK_DEFAULT_TIMEOUT", DEFAULT_TIMEOUT_SECONDS, 0);
    Suite *(*const suites[])(void) = {encoding_suite, intern_suite,    writer_suite,
                                      reader_suite,   addrmap_suite,   dumpstats_suite,
                                      integrity_suite, textout_suite, heap_suite,
                                      dominators_suite, histogram_suite, paths_suite, leaks_suite,
                                      trace_suite, trace_link_suite, nearest_suite, doc_suite, identity_suite, accounting_suite,
                                      json_suite,
                                      runner_suite};
    SRunner *runner = srunner_create(NULL);
    for (size_t i = 0; i < sizeof suites / sizeof *suites; i++)
        srunner_add_suite(runner, suites[i]());
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
