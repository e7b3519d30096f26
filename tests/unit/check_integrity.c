/* check_integrity.c: the cross-record checks of `heapan check` (src/model/integrity.c). */
#include <check.h>

#include "model/integrity.h"
#include "suites.h"
#include "testdump.h"

static void run_check(test_dump *d, integrity_report *rep)
{
    test_dump_finish(d);
    heapan_reader *r = test_dump_reader(d);
    ck_assert_int_eq(integrity_check(r, rep), 0);
    heapan_reader_close(r);
}

START_TEST(a_consistent_graph_passes_even_with_forward_references)
{
    test_dump d;
    test_dump_start(&d, NULL);
    uint32_t t = test_type(&d, "app", "Node");
    test_object(&d, 0x10, t, 8);
    test_ref(&d, 0x10, 0x20); /* its target comes later in the file */
    test_object(&d, 0x20, t, 8);
    test_root(&d, 0x10, HEAPAN_ROOT_MODULE);
    integrity_report rep;
    run_check(&d, &rep);
    ck_assert(!integrity_broken(&rep));
    ck_assert_int_eq(rep.read_status, HEAPAN_END);
    ck_assert_uint_eq(rep.counts.objects, 2);
    test_dump_release(&d);
}
END_TEST

START_TEST(each_problem_is_counted_with_its_first_case)
{
    test_dump d;
    test_dump_start(&d, NULL);
    uint32_t t = test_type(&d, "app", "Node");
    test_object(&d, 0x10, t, 8);
    test_object(&d, 0x20, t, 8);
    test_object(&d, 0x20, t, 8);
    test_ref(&d, 0x10, 0x99);
    test_ref(&d, 0x10, 0x98);
    test_ref(&d, 0x77, 0x10);
    test_root(&d, 0x55, HEAPAN_ROOT_FRAME);
    integrity_report rep;
    run_check(&d, &rep);
    ck_assert(integrity_broken(&rep));
    const problem_tally *p = rep.problems;
    ck_assert_uint_eq(p[PROBLEM_DUPLICATE_ADDRESS].count, 1);
    ck_assert_uint_eq(p[PROBLEM_DUPLICATE_ADDRESS].first_from, 0x20);
    ck_assert_uint_eq(p[PROBLEM_DANGLING_REF].count, 2);
    ck_assert_uint_eq(p[PROBLEM_DANGLING_REF].first_to, 0x99);
    ck_assert_uint_eq(p[PROBLEM_UNKNOWN_SOURCE].count, 1);
    ck_assert_uint_eq(p[PROBLEM_UNKNOWN_SOURCE].first_from, 0x77);
    ck_assert_uint_eq(p[PROBLEM_DANGLING_ROOT].count, 1);
    ck_assert_uint_eq(p[PROBLEM_DANGLING_ROOT].first_to, 0x55);
    test_dump_release(&d);
}
END_TEST

START_TEST(a_truncated_dump_is_broken)
{
    test_dump d;
    test_dump_start(&d, NULL);
    uint32_t t = test_type(&d, "app", "Node");
    test_object(&d, 0x10, t, 8);
    test_dump_finish(&d);
    d.len -= 4;
    heapan_reader *r = test_dump_reader(&d);
    integrity_report rep;
    ck_assert_int_eq(integrity_check(r, &rep), 0);
    ck_assert(integrity_broken(&rep));
    ck_assert_int_eq(rep.read_status, HEAPAN_ERR_TRUNCATED);
    heapan_reader_close(r);
    test_dump_release(&d);
}
END_TEST

Suite *integrity_suite(void)
{
    Suite *s = suite_create("integrity");
    TCase *tc = tcase_create("integrity");
    tcase_add_test(tc, a_consistent_graph_passes_even_with_forward_references);
    tcase_add_test(tc, each_problem_is_counted_with_its_first_case);
    tcase_add_test(tc, a_truncated_dump_is_broken);
    suite_add_tcase(s, tc);
    return s;
}
