/* check_accounting.c: RSS split into rows that add up (src/model/accounting.c). */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "input/dumpload.h"
#include "model/accounting.h"
#include "suites.h"
#include "testdump.h"

#define MiB (INT64_C(1) << 20)

static void start(test_dump *d)
{
    test_dump_start(d, NULL);
    uint32_t str = test_type(d, "builtins", "str");
    test_object(d, 0x1000, str, 4 * MiB); /* 4 MiB of objects, outside pymalloc */
    test_root(d, 0x1000, HEAPAN_ROOT_MODULE);
}

static void process(test_dump *d, int64_t rss, int64_t file)
{
    test_property(d, 0, "memory.rss", rss, NULL);
    test_property(d, 0, "memory.file", file, NULL);
    test_property(d, 0, "memory.shmem", 0, NULL);
    test_property(d, 0, "memory.static", MiB, NULL);
    test_property(d, 0, "memory.stack", 0, NULL);
    test_property(d, 0, "memory.objects_not_resident", 0, NULL);
}

static void glibc(test_dump *d, int64_t in_use, int64_t free_bytes)
{
    test_property(d, 0, "malloc.allocator", 0, "glibc");
    test_property(d, 0, "malloc.in_use", in_use, NULL);
    test_property(d, 0, "malloc.free", free_bytes, NULL);
    test_property(d, 0, "malloc.mmapped", 0, NULL);
    test_property(d, 0, "malloc.mmapped", 0, NULL);
    test_property(d, 0, "malloc.top_pad", 0, NULL);
}

static void pymalloc_off(test_dump *d)
{
    test_property(d, 0, "pymalloc.source", 0, "off");
}

static void build(test_dump *d, heap *h, accounting *a)
{
    test_dump_finish(d);
    ck_assert_int_eq(heap_load(h, test_dump_reader(d), NULL, NULL), 0);
    ck_assert_int_eq(accounting_build(h, a), 0);
}

static void done(test_dump *d, heap *h)
{
    heap_release(h);
    test_dump_release(d);
}

static int64_t sum(const accounting *a)
{
    int64_t s = 0;
    for (int k = 0; k < ACCOUNT_ROW_COUNT; k++)
        s += a->rows[k].bytes;
    return s;
}

START_TEST(a_dump_without_memory_facts_has_no_accounting)
{
    test_dump d;
    heap h;
    accounting a;
    start(&d);
    build(&d, &h, &a);
    ck_assert_int_eq(a.present, 0);
    done(&d, &h);
}
END_TEST

START_TEST(rows_add_up_to_rss_and_the_rest_is_the_remainder)
{
    test_dump d;
    heap h;
    accounting a;
    start(&d);
    process(&d, 20 * MiB, 8 * MiB);
    glibc(&d, 5 * MiB, MiB / 2);
    pymalloc_off(&d);
    build(&d, &h, &a);
    ck_assert(a.present);
    ck_assert_int_eq(sum(&a), 20 * MiB);
    ck_assert_int_eq(a.rows[ACCOUNT_OBJECTS].bytes, 4 * MiB);
    /* malloc's 5 MiB in use, of which the 4 MiB object: 1 MiB nobody counts */
    ck_assert_int_eq(a.rows[ACCOUNT_MALLOC_UNCOUNTED].bytes, MiB);
    ck_assert_int_eq(a.rows[ACCOUNT_MALLOC_FREE].bytes, MiB / 2);
    ck_assert_int_eq(a.rows[ACCOUNT_REMAINDER].bytes, 20 * MiB - 4 * MiB - MiB - MiB / 2 - MiB -
                                                          8 * MiB);
    ck_assert(a.rows[ACCOUNT_PYMALLOC_FREE].known);
    ck_assert_int_eq(a.rows[ACCOUNT_PYMALLOC_FREE].bytes, 0);
    done(&d, &h);
}
END_TEST

START_TEST(another_malloc_leaves_its_rows_unknown)
{
    test_dump d;
    heap h;
    accounting a;
    start(&d);
    process(&d, 20 * MiB, 8 * MiB);
    test_property(&d, 0, "malloc.allocator", 0, "/usr/lib/libjemalloc.so.2");
    pymalloc_off(&d);
    build(&d, &h, &a);
    ck_assert_int_eq(a.rows[ACCOUNT_MALLOC_FREE].known, 0);
    ck_assert_ptr_nonnull(strstr(a.rows[ACCOUNT_MALLOC_FREE].note, "libjemalloc"));
    ck_assert_int_eq(sum(&a), 20 * MiB);
    done(&d, &h);
}
END_TEST

START_TEST(malloc_keeping_much_more_than_it_uses_is_a_finding)
{
    test_dump d;
    heap h;
    accounting a;
    start(&d);
    process(&d, 100 * MiB, 8 * MiB);
    glibc(&d, 5 * MiB, 80 * MiB);
    pymalloc_off(&d);
    build(&d, &h, &a);
    ck_assert_int_eq(a.main_gap, ACCOUNT_MALLOC_FREE);
    ck_assert_uint_ge(a.finding_count, 1);
    ck_assert_int_eq(a.findings[0].kind, ACCOUNT_MALLOC_KEEPS);
    done(&d, &h);
}
END_TEST

START_TEST(sparse_pools_are_fragmentation)
{
    test_dump d;
    heap h;
    accounting a;
    start(&d);
    process(&d, 120 * MiB, 8 * MiB);
    glibc(&d, 5 * MiB, 0);
    test_property(&d, 0, "pymalloc.source", 0, "debug_stats");
    test_property(&d, 0, "pymalloc.arena_size", MiB, NULL);
    test_property(&d, 0, "pymalloc.pool_size", 16384, NULL);
    test_property(&d, 0, "pymalloc.arenas", 100, NULL);
    test_property(&d, 0, "pymalloc.pools", 6400, NULL);
    test_property(&d, 0, "pymalloc.pools", -1, NULL);
    test_property(&d, 0, "pymalloc.pools", 0, NULL);
    test_property(&d, 0, "pymalloc.blocks", 2 * MiB, NULL);
    test_property(&d, 0, "pymalloc.blocks", 97 * MiB, NULL);
    for (int i = 0; i < 3; i++)
        test_property(&d, 0, "pymalloc.overhead", 0, NULL);
    build(&d, &h, &a);
    ck_assert_int_eq(a.main_gap, ACCOUNT_PYMALLOC_FREE);
    ck_assert_int_eq(a.findings[0].kind, ACCOUNT_FRAGMENTATION);
    ck_assert_int_eq(sum(&a), 120 * MiB);
    /* Before 3.12 the histogram comes from the small objects' addresses (here none). */
    ck_assert_int_eq(a.histogram, 2);
    done(&d, &h);
}
END_TEST

START_TEST(hostile_figures_neither_overflow_nor_crash)
{
    test_dump d;
    heap h;
    accounting a;
    start(&d);
    process(&d, INT64_MAX, INT64_MAX);
    glibc(&d, INT64_MAX, INT64_MAX);
    test_property(&d, 0, "pymalloc.source", 0, "arenas");
    test_property(&d, 0, "pymalloc.arena_size", INT64_MAX, NULL);
    test_property(&d, 0, "pymalloc.pool_size", 3, NULL); /* not a power of two */
    test_property(&d, 0, "pymalloc.arenas", INT64_MAX, NULL);
    test_property(&d, 0, "pymalloc.pools", INT64_MAX, NULL);
    test_property(&d, 0, "pymalloc.pools", INT64_MIN, NULL);
    test_property(&d, 0, "pymalloc.pools", INT64_MAX, NULL);
    test_property(&d, 0, "pymalloc.blocks", INT64_MAX, NULL);
    test_property(&d, 0, "pymalloc.resident", INT64_MIN, NULL);
    test_property(&d, 0, "memory.thread_stacks", INT64_MAX, NULL);
    build(&d, &h, &a);
    ck_assert(a.present);
    ck_assert_int_eq(sum(&a), a.rss); /* cut to 64 PiB each, they still add up */
    done(&d, &h);
}
END_TEST

START_TEST(a_dump_cut_short_claims_nothing_of_its_remainder)
{
    test_dump d;
    heap h;
    accounting a;
    test_dump_start(&d, NULL);
    process(&d, 400 * MiB, 8 * MiB);
    glibc(&d, 5 * MiB, 0);
    pymalloc_off(&d);
    uint32_t str = test_type(&d, "builtins", "str");
    for (uint64_t i = 0; i < 20000; i++) /* what a cut dump does not get to */
        test_object(&d, 0x100000 + 64 * i, str, 4096 + i % 7);
    test_dump_finish(&d);
    d.len = d.len * 2 / 3;
    ck_assert_int_eq(heap_load(&h, test_dump_reader(&d), NULL, NULL), 0);
    ck_assert_int_ne(h.status, HEAPAN_END);
    ck_assert_int_eq(accounting_build(&h, &a), 0);
    ck_assert(a.incomplete);
    ck_assert_int_eq(a.main_gap, ACCOUNT_REMAINDER);
    for (size_t i = 0; i < a.finding_count; i++)
        ck_assert_int_ne(a.findings[i].kind, ACCOUNT_OUTSIDE_OBJECTS);
    done(&d, &h);
}
END_TEST

Suite *accounting_suite(void)
{
    Suite *s = suite_create("accounting");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, a_dump_without_memory_facts_has_no_accounting);
    tcase_add_test(tc, rows_add_up_to_rss_and_the_rest_is_the_remainder);
    tcase_add_test(tc, another_malloc_leaves_its_rows_unknown);
    tcase_add_test(tc, malloc_keeping_much_more_than_it_uses_is_a_finding);
    tcase_add_test(tc, sparse_pools_are_fragmentation);
    tcase_add_test(tc, hostile_figures_neither_overflow_nor_crash);
    tcase_add_test(tc, a_dump_cut_short_claims_nothing_of_its_remainder);
    suite_add_tcase(s, tc);
    return s;
}
