/* check_histogram.c: groups and their retained sizes (src/model/histogram.c). */
#include <check.h>
#include <string.h>

#include "model/histogram.h"
#include "suites.h"
#include "testdump.h"
#include "input/dumpload.h"

/* Loads the dump and builds its dominator tree. */
static void analyse(test_dump *d, heap *h, dominators *dom)
{
    test_dump_finish(d);
    ck_assert_int_eq(heap_load(h, test_dump_reader(d), NULL, NULL), 0);
    ck_assert_int_eq(dominators_compute(h, dom), 0);
    ck_assert_int_eq(dominators_build_tree(dom), 0);
}

static const group_row *row_named(const heap *h, const histogram *hist, const char *name)
{
    char buf[256];
    for (size_t i = 0; i < hist->count; i++)
        if (strcmp(group_name(h, hist->by, hist->rows[i].key, buf, sizeof buf), name) == 0)
            return &hist->rows[i];
    ck_abort_msg("no group %s", name);
    return NULL;
}

/*
 * root -> a (Node, 10) -> b (Node, 20) -> leaf (Leaf, 5); root -> c (Node, 40);
 * c and a share d (Leaf, 7).  Node retains a's and c's trees once each,
 * not b again: 10 + 20 + 5 + 40 + 7 (d is held by two Nodes, so only by the root).
 */
START_TEST(a_group_retains_what_its_topmost_members_retain)
{
    test_dump d;
    test_dump_start(&d, NULL);
    uint32_t holder = test_type(&d, "app", "Root"), node = test_type(&d, "app", "Node"),
             leaf = test_type(&d, "builtins", "Leaf");
    test_object(&d, 0x10, holder, 1);
    test_object(&d, 0x20, node, 10);
    test_object(&d, 0x30, node, 20);
    test_object(&d, 0x40, leaf, 5);
    test_object(&d, 0x50, node, 40);
    test_object(&d, 0x60, leaf, 7);
    test_ref(&d, 0x10, 0x20);
    test_ref(&d, 0x20, 0x30);
    test_ref(&d, 0x30, 0x40);
    test_ref(&d, 0x10, 0x50);
    test_ref(&d, 0x20, 0x60);
    test_ref(&d, 0x50, 0x60);
    test_root(&d, 0x10, HEAPAN_ROOT_MODULE);
    heap h;
    dominators dom;
    analyse(&d, &h, &dom);
    histogram hist;
    ck_assert_int_eq(histogram_build(&h, &dom, GROUP_BY_TYPE, &hist), 0);
    ck_assert_uint_eq(hist.count, 3);
    const group_row *nodes = row_named(&h, &hist, "app.Node");
    ck_assert_uint_eq(nodes->count, 3);
    ck_assert_uint_eq(nodes->shallow_size, 70);
    ck_assert_uint_eq(nodes->retained_size, 75);
    ck_assert_uint_eq(nodes->retained_count, 4);
    const group_row *leaves = row_named(&h, &hist, "Leaf");
    ck_assert_uint_eq(leaves->retained_size, 12);
    ck_assert_uint_eq(hist.rows[0].retained_size, 83); /* app.Root first */
    histogram_release(&hist);
    ck_assert_int_eq(histogram_build(&h, &dom, GROUP_BY_MODULE, &hist), 0);
    ck_assert_uint_eq(row_named(&h, &hist, "app")->retained_size, 83);
    ck_assert_uint_eq(row_named(&h, &hist, "builtins")->retained_size, 12);
    histogram_release(&hist);
    ck_assert_int_eq(histogram_build(&h, &dom, GROUP_BY_SITE, &hist), 0);
    ck_assert_uint_eq(hist.count, 1);
    ck_assert_uint_eq(row_named(&h, &hist, "(unknown site)")->retained_size, 83);
    histogram_release(&hist);
    dominators_release(&dom);
    heap_release(&h);
    test_dump_release(&d);
}
END_TEST

/* Two objects allocated at one line, one elsewhere: sites group them by their innermost frame. */
START_TEST(sites_group_by_the_innermost_frame)
{
    test_dump d;
    test_dump_start(&d, NULL);
    uint32_t t = test_type(&d, "app", "Node");
    uint32_t file = test_string(&d, "app/cache.py"), fill = test_string(&d, "fill");
    uint32_t outer = heapan_writer_frame(d.w, file, test_string(&d, "main"), 3);
    uint32_t here = heapan_writer_frame(d.w, file, fill, 42);
    uint32_t there = heapan_writer_frame(d.w, file, fill, 50);
    uint32_t base = heapan_writer_stack(d.w, 0, outer);
    uint32_t stacks[3] = {heapan_writer_stack(d.w, base, here), heapan_writer_stack(d.w, 0, here),
                          heapan_writer_stack(d.w, base, there)};
    for (int i = 0; i < 3; i++) {
        heapan_object o = {.address = 0x10 * (i + 1), .type = t, .size = 10 * (i + 1),
                           .stack = stacks[i]};
        ck_assert_int_eq(heapan_writer_object(d.w, &o), HEAPAN_OK);
        test_root(&d, o.address, HEAPAN_ROOT_MODULE);
    }
    heap h;
    dominators dom;
    analyse(&d, &h, &dom);
    histogram hist;
    ck_assert_int_eq(histogram_build(&h, &dom, GROUP_BY_SITE, &hist), 0);
    ck_assert_uint_eq(hist.count, 2);
    const group_row *line42 = row_named(&h, &hist, "app/cache.py:42 in fill");
    ck_assert_uint_eq(line42->count, 2);
    ck_assert_uint_eq(line42->retained_size, 30);
    ck_assert_uint_eq(row_named(&h, &hist, "app/cache.py:50 in fill")->retained_size, 30);
    histogram_release(&hist);
    dominators_release(&dom);
    heap_release(&h);
    test_dump_release(&d);
}
END_TEST

Suite *histogram_suite(void)
{
    Suite *s = suite_create("histogram");
    TCase *tc = tcase_create("groups");
    tcase_add_test(tc, a_group_retains_what_its_topmost_members_retain);
    tcase_add_test(tc, sites_group_by_the_innermost_frame);
    suite_add_tcase(s, tc);
    return s;
}
