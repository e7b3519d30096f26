/* check_heap.c: loading dumps into the heap model (src/model/heap.c). */
#include <check.h>
#include <string.h>

#include "model/heap.h"
#include "suites.h"
#include "testdump.h"
#include "input/dumpload.h"

static void load(test_dump *d, heap *h)
{
    test_dump_finish(d);
    ck_assert_int_eq(heap_load(h, test_dump_reader(d), NULL, NULL), 0);
}

static void add_ref(test_dump *d, uint64_t from, uint64_t to, heapan_label_kind kind,
                    uint32_t label, int64_t number, int weak)
{
    heapan_ref r = {.from = from, .to = to, .label_kind = kind, .label = label,
                    .label_number = number, .weak = weak};
    ck_assert_int_eq(heapan_writer_ref(d->w, &r), HEAPAN_OK);
}

START_TEST(objects_edges_and_labels_load_in_both_directions)
{
    test_dump d;
    test_dump_start(&d, NULL);
    uint32_t t = test_type(&d, "app", "Node"), name = test_string(&d, "payload");
    test_root(&d, 0x10, HEAPAN_ROOT_MODULE); /* roots first, as format 1.1 orders them */
    test_object(&d, 0x10, t, 100);
    add_ref(&d, 0x10, 0x20, HEAPAN_LABEL_ATTRIBUTE, name, 0, 0);
    add_ref(&d, 0x10, 0x30, HEAPAN_LABEL_INDEX, 0, -5, 0);
    add_ref(&d, 0x10, 0x30, HEAPAN_LABEL_INT_KEY, 0, 1ll << 40, 1);
    test_object(&d, 0x20, t, 20);
    test_object(&d, 0x30, t, 30);
    heap h;
    load(&d, &h);
    ck_assert_int_eq(h.status, HEAPAN_END);
    ck_assert_uint_eq(h.warning_count, 0);
    ck_assert_uint_eq(h.count, 3);
    ck_assert_uint_eq(h.total_size, 150);
    ck_assert_uint_eq(h.edge_count, 3);
    ck_assert_uint_eq(h.weak_edge_count, 1);
    uint32_t a = heap_find_address(&h, 0x10), c = heap_find_address(&h, 0x30);
    ck_assert_str_eq(heap_type_name(&h, a), "Node");
    ck_assert_str_eq(heap_type_module(&h, a), "app");
    ck_assert_uint_eq(h.out_count[a], 3);
    uint32_t e = h.out_start[a];
    ck_assert_str_eq(heap_string(&h, h.out_label[e], NULL), "payload");
    ck_assert_int_eq(h.out_label_kind[e], HEAPAN_LABEL_ATTRIBUTE);
    ck_assert_int_eq(heap_label_number(&h, e + 1), -5);
    ck_assert_int_eq(heap_label_number(&h, e + 2), 1ll << 40);
    ck_assert(h.out_target[e + 2] & HEAP_WEAK_BIT);
    ck_assert_uint_eq(h.in_start[c + 1] - h.in_start[c], 2);
    ck_assert_uint_eq(h.in_source[h.in_start[c]], a);
    ck_assert_uint_eq(h.in_source[h.in_start[c] + 1], a | HEAP_WEAK_BIT);
    ck_assert_uint_eq(h.root_count, 1);
    ck_assert(h.flags[a] & HEAP_OBJ_ROOT);
    heap_release(&h);
    test_dump_release(&d);
}
END_TEST

START_TEST(references_to_missing_objects_are_dropped_with_a_warning)
{
    test_dump d;
    test_dump_start(&d, NULL);
    uint32_t t = test_type(&d, "app", "Node");
    test_root(&d, 0x97, HEAPAN_ROOT_EXTERNAL);
    test_root(&d, 0x20, HEAPAN_ROOT_EXTERNAL);
    test_object(&d, 0x10, t, 1);
    test_ref(&d, 0x10, 0x99);
    test_ref(&d, 0x10, 0x20);
    test_ref(&d, 0x98, 0x10);
    test_object(&d, 0x20, t, 2);
    test_object(&d, 0x20, t, 3); /* twice */
    heap h;
    load(&d, &h);
    ck_assert_uint_eq(h.count, 2);
    ck_assert_uint_eq(h.edge_count, 1);
    ck_assert_uint_eq(h.root_count, 1);
    ck_assert_uint_eq(h.total_size, 3);
    ck_assert_uint_eq(h.warning_count, 2);
    ck_assert_ptr_nonnull(strstr(h.warnings[0], "2 object records share 1 address;"));
    ck_assert_ptr_nonnull(strstr(h.warnings[1], "3 objects are named"));
    ck_assert_ptr_nonnull(strstr(h.warnings[1], "2 references and 1 root to them"));
    uint32_t a = heap_find_address(&h, 0x10), b = heap_find_address(&h, 0x20);
    ck_assert_uint_eq(h.out_target[h.out_start[a]], b);
    ck_assert_uint_eq(h.in_source[h.in_start[b]], a);
    ck_assert_uint_eq(h.roots[0].object, b);
    heap_release(&h);
    test_dump_release(&d);
}
END_TEST

START_TEST(many_records_at_one_address_are_counted_as_records_and_addresses)
{
    test_dump d;
    test_dump_start(&d, NULL);
    uint32_t t = test_type(&d, "app", "Node");
    test_root(&d, 0x10, HEAPAN_ROOT_EXTERNAL);
    for (int i = 0; i < 100000; i++)
        test_object(&d, 0x10, t, 8);
    test_object(&d, 0x20, t, 8);
    test_object(&d, 0x20, t, 8);
    heap h;
    load(&d, &h);
    ck_assert_uint_eq(h.count, 2);
    ck_assert_uint_eq(h.warning_count, 1);
    ck_assert_ptr_nonnull(strstr(h.warnings[0], "100002 object records share 2 addresses;"));
    heap_release(&h);
    test_dump_release(&d);
}
END_TEST

START_TEST(a_truncated_dump_loads_what_it_can)
{
    test_dump d;
    heapan_writer_options small = {.flush_interval = 1024};
    test_dump_start(&d, &small);
    uint32_t t = test_type(&d, "app", "Node");
    for (uint64_t i = 1; i <= 5000; i++) {
        test_object(&d, i * 16, t, 8);
        test_ref(&d, i * 16, (i + 1) * 16);
    }
    test_dump_finish(&d);
    heapan_reader *r;
    ck_assert_int_eq(heapan_reader_open_memory(&r, d.data, d.len / 2), HEAPAN_OK);
    heap h;
    ck_assert_int_eq(heap_load(&h, r, NULL, NULL), 0);
    ck_assert_int_eq(h.status, HEAPAN_ERR_TRUNCATED);
    ck_assert_uint_gt(h.count, 100);
    ck_assert_uint_lt(h.count, 5000);
    ck_assert_uint_eq(h.warning_count, 3); /* incomplete, no roots, the last target missing */
    ck_assert_ptr_nonnull(strstr(h.warnings[0], "the dump is incomplete"));
    heap_release(&h);
    test_dump_release(&d);
}
END_TEST

START_TEST(stacks_and_shapes_are_kept)
{
    test_dump d;
    test_dump_start(&d, NULL);
    uint32_t t = test_type(&d, "app", "Node");
    uint32_t file = test_string(&d, "app.py"), fn = test_string(&d, "make");
    uint32_t frame = heapan_writer_frame(d.w, file, fn, 7);
    uint32_t stack = heapan_writer_stack(d.w, 0, frame);
    uint32_t names[2] = {test_string(&d, "a"), test_string(&d, "b")};
    uint32_t shape = heapan_writer_shape(d.w, names, 2);
    heapan_object o = {.address = 0x10, .type = t, .size = 8, .stack = stack, .shape = shape};
    ck_assert_int_eq(heapan_writer_object(d.w, &o), HEAPAN_OK);
    test_object(&d, 0x20, t, 8);
    heap h;
    load(&d, &h);
    uint32_t a = heap_find_address(&h, 0x10), b = heap_find_address(&h, 0x20);
    ck_assert_uint_eq(heap_site(&h, a), frame);
    ck_assert_uint_eq(heap_site(&h, b), 0);
    ck_assert_uint_eq(h.frames[frame].line, 7);
    ck_assert_uint_eq(h.shape[a], shape);
    ck_assert_uint_eq(h.shape_start[shape + 1] - h.shape_start[shape], 2);
    ck_assert_str_eq(heap_string(&h, h.shape_names[h.shape_start[shape] + 1], NULL), "b");
    heap_release(&h);
    test_dump_release(&d);
}
END_TEST

Suite *heap_suite(void)
{
    Suite *s = suite_create("heap");
    TCase *tc = tcase_create("load");
    tcase_add_test(tc, objects_edges_and_labels_load_in_both_directions);
    tcase_add_test(tc, references_to_missing_objects_are_dropped_with_a_warning);
    tcase_add_test(tc, many_records_at_one_address_are_counted_as_records_and_addresses);
    tcase_add_test(tc, a_truncated_dump_loads_what_it_can);
    tcase_add_test(tc, stacks_and_shapes_are_kept);
    suite_add_tcase(s, tc);
    return s;
}
