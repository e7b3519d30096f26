/* check_identity.c: the same object in two dumps of one process (src/model/identity.c). */
#include <check.h>
#include <stdlib.h>

#include "input/dumpload.h"
#include "model/identity.h"
#include "suites.h"
#include "testdump.h"

static uint32_t dict_type, list_type, str_type;

static void start(test_dump *d, const char *process)
{
    test_dump_start(d, NULL);
    dict_type = test_type(d, "builtins", "dict");
    list_type = test_type(d, "builtins", "list");
    str_type = test_type(d, "builtins", "str");
    if (process)
        test_property(d, 0, "process.start", 0, process);
}

static void load(test_dump *d, heap *h)
{
    test_dump_finish(d);
    ck_assert_int_eq(heap_load(h, test_dump_reader(d), NULL, NULL), 0);
}

/* Is the later object at `address` taken for the earlier one at the same address? */
static int same(const heap *a, const heap *b, const identity *id, uint64_t address)
{
    uint32_t j = heap_find_address(b, address);
    ck_assert_uint_ne(j, HEAP_NONE);
    return id->earlier[j] != HEAP_NONE && a->address[id->earlier[j]] == address;
}

/*
 * Earlier: a cache dict (0x10) owning a list (0x20), a churned list at 0x30
 * owning a str (0x40), and an empty dict (0x50).  Later: the cache grew
 * (a second list, 0x60) but keeps 0x20; at 0x30 a new list of the same
 * size owning a new str at 0x70; 0x50 filled up, owning 0x80.
 */
START_TEST(what_an_object_owns_tells_a_survivor_from_a_reused_address)
{
    test_dump d1, d2;
    heap a, b;
    start(&d1, "boot:1");
    test_object(&d1, 0x10, dict_type, 232), test_root(&d1, 0x10, HEAPAN_ROOT_MODULE);
    test_object(&d1, 0x20, list_type, 56), test_ref(&d1, 0x10, 0x20);
    test_object(&d1, 0x30, list_type, 56), test_root(&d1, 0x30, HEAPAN_ROOT_MODULE);
    test_object(&d1, 0x40, str_type, 50), test_ref(&d1, 0x30, 0x40);
    test_object(&d1, 0x50, dict_type, 64), test_root(&d1, 0x50, HEAPAN_ROOT_MODULE);
    load(&d1, &a);
    start(&d2, "boot:1");
    test_object(&d2, 0x10, dict_type, 360), test_root(&d2, 0x10, HEAPAN_ROOT_MODULE);
    test_object(&d2, 0x20, list_type, 56), test_ref(&d2, 0x10, 0x20);
    test_object(&d2, 0x60, list_type, 56), test_ref(&d2, 0x10, 0x60);
    test_object(&d2, 0x30, list_type, 56), test_root(&d2, 0x30, HEAPAN_ROOT_MODULE);
    test_object(&d2, 0x70, str_type, 50), test_ref(&d2, 0x30, 0x70);
    test_object(&d2, 0x50, dict_type, 232), test_root(&d2, 0x50, HEAPAN_ROOT_MODULE);
    test_object(&d2, 0x80, str_type, 50), test_ref(&d2, 0x50, 0x80);
    load(&d2, &b);
    ck_assert_int_eq(identity_same_process(&a, &b), 1);
    identity id;
    ck_assert_int_eq(identity_compute(&a, &b, &id), 0);
    ck_assert(same(&a, &b, &id, 0x10));   /* grew, kept its list */
    ck_assert(same(&a, &b, &id, 0x20));
    ck_assert(!same(&a, &b, &id, 0x60));  /* new */
    ck_assert(!same(&a, &b, &id, 0x30));  /* a new list at a reused address: owns a new str */
    ck_assert(!same(&a, &b, &id, 0x70));
    ck_assert(same(&a, &b, &id, 0x50));   /* owned nothing before: filled up */
    ck_assert_uint_eq(id.new_count, 4);   /* 0x60, 0x30, 0x70, 0x80 */
    ck_assert_uint_eq(id.gone_count, 2);  /* the earlier 0x30 and 0x40 */
    identity_release(&id);
    heap_release(&a), heap_release(&b);
    test_dump_release(&d1), test_dump_release(&d2);
}
END_TEST

/* Two classes of one name (a namedtuple and the class made from it) are told apart by address. */
START_TEST(classes_of_one_name_are_told_apart_by_address)
{
    test_dump d1, d2;
    heap a, b;
    for (int k = 0; k < 2; k++) {
        test_dump *d = k ? &d2 : &d1;
        start(d, "boot 1");
        uint32_t base = test_type_at(d, "ssl", "_ASN1Object", 0x9000);
        uint32_t made = test_type_at(d, "ssl", "_ASN1Object", 0x9100);
        /* the later dump lists them the other way round */
        test_object(d, 0x10, k ? base : made, 72), test_root(d, 0x10, HEAPAN_ROOT_MODULE);
        test_object(d, 0x20, str_type, 50), test_ref(d, 0x10, 0x20);
        load(d, k ? &b : &a);
    }
    identity id;
    ck_assert_int_eq(identity_compute(&a, &b, &id), 0);
    ck_assert(!same(&a, &b, &id, 0x10));  /* the class at 0x9000 is not the one at 0x9100 */
    identity_release(&id);
    heap_release(&b), test_dump_release(&d2);
    start(&d2, "boot 1");
    test_type_at(&d2, "ssl", "_ASN1Object", 0x9000);
    uint32_t made = test_type_at(&d2, "ssl", "_ASN1Object", 0x9100);
    test_object(&d2, 0x10, made, 72), test_root(&d2, 0x10, HEAPAN_ROOT_MODULE);
    test_object(&d2, 0x20, str_type, 50), test_ref(&d2, 0x10, 0x20);
    load(&d2, &b);
    ck_assert_int_eq(identity_compute(&a, &b, &id), 0);
    ck_assert(same(&a, &b, &id, 0x10));
    identity_release(&id);
    heap_release(&a), heap_release(&b);
    test_dump_release(&d1), test_dump_release(&d2);
}
END_TEST

/*
 * A dict that "filled up" under a new owner is new with it (a new
 * instance's __dict__ at a freed dict's address), and so is what only it
 * owns; an instance whose size changed (its attributes moved to a
 * __dict__) is still itself.
 */
START_TEST(what_a_new_owner_owns_is_new)
{
    test_dump d1, d2;
    heap a, b;
    start(&d1, "boot 1");
    uint32_t point = test_type(&d1, "app", "Point");
    test_object(&d1, 0x10, dict_type, 64), test_root(&d1, 0x10, HEAPAN_ROOT_MODULE);
    test_object(&d1, 0x50, dict_type, 64), test_ref(&d1, 0x10, 0x50);   /* empty */
    test_object(&d1, 0x90, point, 48), test_root(&d1, 0x90, HEAPAN_ROOT_MODULE);
    load(&d1, &a);
    start(&d2, "boot 1");
    point = test_type(&d2, "app", "Point");
    test_object(&d2, 0x10, dict_type, 64), test_root(&d2, 0x10, HEAPAN_ROOT_MODULE);
    test_object(&d2, 0x30, point, 48), test_ref(&d2, 0x10, 0x30);       /* a new instance */
    test_object(&d2, 0x50, dict_type, 96), test_ref(&d2, 0x30, 0x50);   /* its __dict__ */
    test_object(&d2, 0x80, list_type, 56), test_ref(&d2, 0x50, 0x80);
    test_object(&d2, 0x90, point, 40), test_root(&d2, 0x90, HEAPAN_ROOT_MODULE);
    load(&d2, &b);
    identity id;
    ck_assert_int_eq(identity_compute(&a, &b, &id), 0);
    ck_assert(!same(&a, &b, &id, 0x50));  /* filled up, but under the new 0x30 */
    ck_assert(same(&a, &b, &id, 0x90));   /* 48 B then 40 B: an instance, owning nothing */
    identity_release(&id);
    heap_release(&a), heap_release(&b);
    test_dump_release(&d1), test_dump_release(&d2);
}
END_TEST

START_TEST(another_type_at_the_address_is_another_object)
{
    test_dump d1, d2;
    heap a, b;
    start(&d1, NULL);
    test_object(&d1, 0x10, str_type, 50), test_root(&d1, 0x10, HEAPAN_ROOT_MODULE);
    test_object(&d1, 0x20, str_type, 50), test_root(&d1, 0x20, HEAPAN_ROOT_MODULE);
    load(&d1, &a);
    start(&d2, NULL);
    test_object(&d2, 0x10, list_type, 50), test_root(&d2, 0x10, HEAPAN_ROOT_MODULE);
    test_object(&d2, 0x20, str_type, 58), test_root(&d2, 0x20, HEAPAN_ROOT_MODULE);
    load(&d2, &b);
    ck_assert_int_eq(identity_same_process(&a, &b), -1);  /* neither says when it started */
    identity id;
    ck_assert_int_eq(identity_compute(&a, &b, &id), 0);
    ck_assert(!same(&a, &b, &id, 0x10));
    ck_assert(!same(&a, &b, &id, 0x20));  /* a str of another size */
    identity_release(&id);
    heap_release(&a), heap_release(&b);
    test_dump_release(&d1), test_dump_release(&d2);
}
END_TEST

/* Two lists that hold only each other: each owns the other, so neither can be decided first. */
START_TEST(a_cycle_of_owners_is_decided)
{
    test_dump d1, d2;
    heap a, b;
    for (int k = 0; k < 2; k++) {
        test_dump *d = k ? &d2 : &d1;
        start(d, "boot:1");
        test_object(d, 0x10, list_type, 56), test_root(d, 0x10, HEAPAN_ROOT_MODULE);
        test_object(d, 0x20, list_type, 56), test_ref(d, 0x10, 0x20);
        test_object(d, 0x30, list_type, 64), test_ref(d, 0x20, 0x30);
        test_ref(d, 0x30, 0x20);  /* 0x20 and 0x30: each the other's only referrer but for 0x10 */
        test_object(d, 0x40, list_type, 64), test_ref(d, 0x40, 0x50);
        test_object(d, 0x50, list_type, 64), test_ref(d, 0x50, 0x40);
        load(d, k ? &b : &a);
    }
    identity id;
    ck_assert_int_eq(identity_compute(&a, &b, &id), 0);
    ck_assert(same(&a, &b, &id, 0x40));  /* an unreachable pair, each owning the other */
    ck_assert(same(&a, &b, &id, 0x50));
    ck_assert(same(&a, &b, &id, 0x10));
    ck_assert_uint_eq(id.new_count, 0);
    identity_release(&id);
    heap_release(&a), heap_release(&b);
    test_dump_release(&d1), test_dump_release(&d2);
}
END_TEST

START_TEST(another_process_is_told_by_its_start)
{
    test_dump d1, d2;
    heap a, b;
    start(&d1, "boot:1");
    load(&d1, &a);
    start(&d2, "boot:2");
    load(&d2, &b);
    ck_assert_int_eq(identity_same_process(&a, &b), 0);
    heap_release(&a), heap_release(&b);
    test_dump_release(&d1), test_dump_release(&d2);
}
END_TEST

Suite *identity_suite(void)
{
    Suite *s = suite_create("identity");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, what_an_object_owns_tells_a_survivor_from_a_reused_address);
    tcase_add_test(tc, another_type_at_the_address_is_another_object);
    tcase_add_test(tc, classes_of_one_name_are_told_apart_by_address);
    tcase_add_test(tc, what_a_new_owner_owns_is_new);
    tcase_add_test(tc, a_cycle_of_owners_is_decided);
    tcase_add_test(tc, another_process_is_told_by_its_start);
    suite_add_tcase(s, tc);
    return s;
}
