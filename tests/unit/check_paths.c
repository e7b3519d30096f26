/* check_paths.c: retention paths and their text (src/model/paths.c). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/paths.h"
#include "suites.h"
#include "testdump.h"
#include "input/dumpload.h"

static void labelled(test_dump *d, uint64_t from, uint64_t to, heapan_label_kind kind,
                     const char *name, int64_t number, int weak)
{
    heapan_ref r = {.from = from, .to = to, .label_kind = kind,
                    .label = name ? test_string(d, name) : 0, .label_number = number,
                    .weak = weak};
    ck_assert_int_eq(heapan_writer_ref(d->w, &r), HEAPAN_OK);
}

static void named_root(test_dump *d, uint64_t address, heapan_root_kind kind, const char *label)
{
    heapan_root r = {.object = address, .kind = kind, .label = label ? test_string(d, label) : 0};
    ck_assert_int_eq(heapan_writer_root(d->w, &r), HEAPAN_OK);
}

static void load(test_dump *d, heap *h, retention *r)
{
    test_dump_finish(d);
    ck_assert_int_eq(heap_load(h, test_dump_reader(d), NULL, NULL), 0);
    ck_assert_int_eq(retention_compute(h, r), 0);
}

/* The text of the path to `address` (through `via`, unless 0); "" when none. */
static char *text_of(const heap *h, const retention *r, uint64_t address, uint64_t via)
{
    path p;
    int found = path_find(h, r, heap_find_address(h, address),
                          via ? heap_find_address(h, via) : HEAP_NONE, &p);
    ck_assert_int_ge(found, 0);
    char *text = found ? path_text(h, &p) : strdup("");
    path_release(&p);
    ck_assert_ptr_nonnull(text);
    return text;
}

static void expect_path(const heap *h, const retention *r, uint64_t address, uint64_t via,
                        const char *expected)
{
    char *text = text_of(h, r, address, via);
    ck_assert_str_eq(text, expected);
    free(text);
}

/* module app.cache -> its dict -> _CACHE dict -> 'user:42' -> instance -> __dict__ -> payload */
START_TEST(a_path_reads_like_python)
{
    test_dump d;
    test_dump_start(&d, NULL);
    uint32_t t = test_type(&d, "app", "Thing");
    for (uint64_t a = 0x10; a <= 0x90; a += 0x10)
        test_object(&d, a, t, 8);
    named_root(&d, 0x10, HEAPAN_ROOT_MODULE, "app.cache");
    labelled(&d, 0x10, 0x20, HEAPAN_LABEL_FIELD, "__dict__", 0, 0);
    labelled(&d, 0x20, 0x30, HEAPAN_LABEL_KEY, "_CACHE", 0, 0);
    labelled(&d, 0x30, 0x40, HEAPAN_LABEL_KEY, "user:'42'\n", 0, 0);
    labelled(&d, 0x40, 0x50, HEAPAN_LABEL_FIELD, "__dict__", 0, 0);
    labelled(&d, 0x50, 0x60, HEAPAN_LABEL_KEY, "payload", 0, 0);
    labelled(&d, 0x60, 0x70, HEAPAN_LABEL_INDEX, NULL, -3, 0);
    labelled(&d, 0x70, 0x80, HEAPAN_LABEL_NONE, NULL, 0, 0);
    labelled(&d, 0x80, 0x90, HEAPAN_LABEL_FIELD, "__dict__", 0, 0); /* last: no key follows */
    heap h;
    retention r;
    load(&d, &h, &r);
    expect_path(&h, &r, 0x10, 0, "module app.cache");
    expect_path(&h, &r, 0x20, 0, "module app.cache . __dict__");
    expect_path(&h, &r, 0x60, 0,
                "module app.cache . _CACHE [ 'user:\\'42\\'\\x0a' ] . payload");
    expect_path(&h, &r, 0x90, 0,
                "module app.cache . _CACHE [ 'user:\\'42\\'\\x0a' ] . payload [ -3 ] -> "
                "Thing . __dict__");
    retention_release(&r);
    heap_release(&h);
    test_dump_release(&d);
}
END_TEST

/* Chains of every length around the cut: the ends are kept, the middle counted. */
START_TEST(long_paths_keep_both_ends)
{
    for (uint64_t length = 1; length <= 40; length++) {
        test_dump d;
        test_dump_start(&d, NULL);
        uint32_t t = test_type(&d, "app", "Node");
        for (uint64_t i = 0; i < length; i++) {
            test_object(&d, 0x10 * (i + 1), t, 8);
            if (i + 1 < length)
                labelled(&d, 0x10 * (i + 1), 0x10 * (i + 2), HEAPAN_LABEL_ATTRIBUTE, "n", 0, 0);
        }
        named_root(&d, 0x10, HEAPAN_ROOT_MODULE, "m");
        heap h;
        retention r;
        load(&d, &h, &r);
        char expected[1024] = "module m";
        for (uint64_t step = 1; step < length; step++) {
            strcat(expected, " . n");
            if (length > 32 && step == 7)
                sprintf(expected + strlen(expected), " ... (%llu more) ...",
                        (unsigned long long)(length - 32));
            if (length > 32 && step == 7)
                step += length - 32;
        }
        expect_path(&h, &r, 0x10 * length, 0, expected);
        path p;
        ck_assert_int_eq(path_find(&h, &r, heap_find_address(&h, 0x10 * length), HEAP_NONE, &p), 1);
        ck_assert_uint_eq(path_length(&p), length - 1);
        path_release(&p);
        retention_release(&r);
        heap_release(&h);
        test_dump_release(&d);
    }
}
END_TEST

/* Named roots win over shorter external ones; weak references hold nothing. */
START_TEST(named_roots_first_and_weak_references_never)
{
    test_dump d;
    test_dump_start(&d, NULL);
    uint32_t t = test_type(&d, "app", "Node");
    for (uint64_t a = 0x10; a <= 0x60; a += 0x10)
        test_object(&d, a, t, 8);
    named_root(&d, 0x10, HEAPAN_ROOT_EXTERNAL, NULL);
    named_root(&d, 0x20, HEAPAN_ROOT_MODULE, "app");
    labelled(&d, 0x10, 0x40, HEAPAN_LABEL_ATTRIBUTE, "short", 0, 0);
    labelled(&d, 0x20, 0x30, HEAPAN_LABEL_ATTRIBUTE, "a", 0, 0);
    labelled(&d, 0x30, 0x40, HEAPAN_LABEL_ATTRIBUTE, "b", 0, 0);
    labelled(&d, 0x20, 0x50, HEAPAN_LABEL_ATTRIBUTE, "weakly", 0, 1);
    labelled(&d, 0x20, 0x60, HEAPAN_LABEL_LOCAL, "x", 0, 0);
    heap h;
    retention r;
    load(&d, &h, &r);
    expect_path(&h, &r, 0x40, 0, "module app . a . b");
    expect_path(&h, &r, 0x40, 0x10, "external root Node@0x10 . short");
    expect_path(&h, &r, 0x50, 0, "");
    expect_path(&h, &r, 0x60, 0, "module app . x");
    retention_release(&r);
    heap_release(&h);
    test_dump_release(&d);
}
END_TEST

Suite *paths_suite(void)
{
    Suite *s = suite_create("paths");
    TCase *tc = tcase_create("text");
    tcase_add_test(tc, a_path_reads_like_python);
    tcase_add_test(tc, long_paths_keep_both_ends);
    tcase_add_test(tc, named_roots_first_and_weak_references_never);
    suite_add_tcase(s, tc);
    return s;
}
