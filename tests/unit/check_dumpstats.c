/* check_dumpstats.c: what `heapan info` gathers (src/model/dumpstats.c). */
#include <check.h>
#include <string.h>

#include "model/dumpstats.h"
#include "suites.h"
#include "testdump.h"

START_TEST(counts_sizes_and_roots)
{
    test_dump d;
    test_dump_start(&d, NULL);
    uint32_t small = test_type(&d, "app", "Small"), big = test_type(&d, "app", "Big");
    for (uint64_t i = 1; i <= 10; i++)
        test_object(&d, i * 16, small, 32);
    test_object(&d, 0x1000, big, 1000);
    test_ref(&d, 0x1000, 16);
    heapan_ref weak = {.from = 0x1000, .to = 32, .weak = 1};
    ck_assert_int_eq(heapan_writer_ref(d.w, &weak), HEAPAN_OK);
    test_root(&d, 0x1000, HEAPAN_ROOT_MODULE);
    test_root(&d, 16, HEAPAN_ROOT_EXTERNAL);
    test_root(&d, 32, 200);
    test_dump_finish(&d);

    heapan_reader *r = test_dump_reader(&d);
    dump_stats s;
    ck_assert_int_eq(dumpstats_collect(r, &s), 0);
    ck_assert_int_eq(s.status, HEAPAN_END);
    ck_assert_uint_eq(s.counts.objects, 11);
    ck_assert_uint_eq(s.shallow_total, 10 * 32 + 1000);
    ck_assert_uint_eq(s.types[small].count, 10);
    ck_assert_uint_eq(s.types[small].shallow, 320);
    ck_assert_uint_eq(s.weak_refs, 1);
    ck_assert_uint_eq(s.roots_by_kind[HEAPAN_ROOT_MODULE], 1);
    ck_assert_uint_eq(s.roots_by_kind[HEAPAN_ROOT_EXTERNAL], 1);
    ck_assert_uint_eq(s.roots_by_kind[HEAPAN_ROOT_KIND_COUNT], 1);
    uint32_t order[3];
    ck_assert_uint_eq(dumpstats_types_by_size(&s, order), 2);
    ck_assert_uint_eq(order[0], big);
    ck_assert_uint_eq(order[1], small);
    dumpstats_release(&s);
    heapan_reader_close(r);
    test_dump_release(&d);
}
END_TEST

START_TEST(a_cut_dump_keeps_its_counts_and_says_why)
{
    test_dump d;
    heapan_writer_options options = {.flush_interval = 256};
    test_dump_start(&d, &options);
    uint32_t t = test_type(&d, "app", "Node");
    for (uint64_t i = 1; i <= 5000; i++)
        test_object(&d, i * 16, t, 48);
    test_dump_finish(&d);
    d.len = d.len * 3 / 4;
    heapan_reader *r = test_dump_reader(&d);
    dump_stats s;
    ck_assert_int_eq(dumpstats_collect(r, &s), 0);
    ck_assert_int_eq(s.status, HEAPAN_ERR_TRUNCATED);
    ck_assert_uint_gt(s.counts.objects, 1000);
    ck_assert_uint_lt(s.counts.objects, 5000);
    ck_assert_uint_eq(s.shallow_total, s.counts.objects * 48);
    ck_assert_ptr_nonnull(strstr(s.message, "truncated after"));
    dumpstats_release(&s);
    heapan_reader_close(r);
    test_dump_release(&d);
}
END_TEST

Suite *dumpstats_suite(void)
{
    Suite *s = suite_create("dumpstats");
    TCase *tc = tcase_create("dumpstats");
    tcase_add_test(tc, counts_sizes_and_roots);
    tcase_add_test(tc, a_cut_dump_keeps_its_counts_and_says_why);
    suite_add_tcase(s, tc);
    return s;
}
