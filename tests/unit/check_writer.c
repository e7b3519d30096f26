/* check_writer.c: the writer's contract (lib/writer.c). */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "suites.h"
#include "testdump.h"

START_TEST(equal_things_get_equal_ids)
{
    test_dump d;
    test_dump_start(&d, NULL);
    uint32_t a = test_string(&d, "alpha"), b = test_string(&d, "beta");
    ck_assert_uint_eq(a, 1);
    ck_assert_uint_eq(b, 2);
    ck_assert_uint_eq(test_string(&d, "alpha"), a);
    ck_assert_uint_eq(heapan_writer_string(d.w, "alpha\0x", 7), 3);
    uint32_t t1 = test_type(&d, "app", "Order"), t2 = test_type(&d, "app", "Item");
    ck_assert_uint_ne(t1, t2);
    ck_assert_uint_eq(test_type(&d, "app", "Order"), t1);
    uint32_t f = heapan_writer_frame(d.w, a, b, 10);
    ck_assert_uint_eq(heapan_writer_frame(d.w, a, b, 10), f);
    ck_assert_uint_ne(heapan_writer_frame(d.w, a, b, 11), f);
    uint32_t s1 = heapan_writer_stack(d.w, 0, f);
    uint32_t s2 = heapan_writer_stack(d.w, s1, f);
    ck_assert_uint_ne(s1, s2);
    ck_assert_uint_eq(heapan_writer_stack(d.w, s1, f), s2);
    uint32_t names[] = {a, b};
    uint32_t shape = heapan_writer_shape(d.w, names, 2);
    ck_assert_uint_eq(heapan_writer_shape(d.w, names, 2), shape);
    ck_assert_uint_ne(heapan_writer_shape(d.w, names, 1), shape);
    test_dump_finish(&d);
    test_dump_release(&d);
}
END_TEST

/* Writes the same 20 000 objects with the given options; returns the record count read back. */
static uint64_t objects_read_back(const heapan_writer_options *options)
{
    test_dump d;
    test_dump_start(&d, options);
    uint32_t t = test_type(&d, "app", "Node");
    for (uint64_t i = 1; i <= 20000; i++) {
        test_object(&d, i * 16, t, 48);
        if (i > 1)
            test_ref(&d, i * 16, (i - 1) * 16);
    }
    test_dump_finish(&d);
    heapan_reader *r = test_dump_reader(&d);
    uint64_t objects = 0;
    heapan_record rec;
    heapan_status st;
    while ((st = heapan_reader_next(r, &rec)) == HEAPAN_OK)
        objects += rec.kind == HEAPAN_REC_OBJECT;
    ck_assert_int_eq(st, HEAPAN_END);
    heapan_reader_close(r);
    test_dump_release(&d);
    return objects;
}

START_TEST(a_threaded_writer_writes_the_same_dump)
{
    heapan_writer_options threaded = {.workers = 1}, tiny_flushes = {.workers = 2, .flush_interval = 64};
    ck_assert_uint_eq(objects_read_back(NULL), 20000);
    ck_assert_uint_eq(objects_read_back(&threaded), 20000);
    ck_assert_uint_eq(objects_read_back(&tiny_flushes), 20000);
}
END_TEST

static int discard_sink(void *ctx, const void *buf, size_t len)
{
    (void)ctx, (void)buf, (void)len;
    return 0;
}

START_TEST(records_before_the_header_are_refused_for_good)
{
    heapan_writer *w;
    ck_assert_int_eq(heapan_writer_open_sink(&w, NULL, NULL, NULL), HEAPAN_ERR_INVALID);
    ck_assert_ptr_null(w);
    ck_assert_int_eq(heapan_writer_open_sink(&w, discard_sink, NULL, NULL), HEAPAN_OK);
    ck_assert_uint_eq(heapan_writer_string(w, "x", 1), 0);
    ck_assert_ptr_nonnull(strstr(heapan_writer_error(w), "before the header"));
    heapan_header h = {.content = HEAPAN_CONTENT_HEAP};
    ck_assert_int_eq(heapan_writer_header(w, &h), HEAPAN_ERR_INVALID);
    ck_assert_int_eq(heapan_writer_close(w, NULL), HEAPAN_ERR_INVALID);
    heapan_writer_free(w);
}
END_TEST

START_TEST(undefined_ids_are_refused)
{
    test_dump d;
    test_dump_start(&d, NULL);
    heapan_object o = {.address = 0x10, .type = 99, .size = 8};
    ck_assert_int_eq(heapan_writer_object(d.w, &o), HEAPAN_ERR_INVALID);
    ck_assert_ptr_nonnull(strstr(heapan_writer_error(d.w), "type id 99"));
    test_dump_release(&d);

    test_dump_start(&d, NULL);
    ck_assert_uint_eq(heapan_writer_stack(d.w, 0, 5), 0);
    test_dump_release(&d);

    test_dump_start(&d, NULL);
    heapan_ref r = {.from = 1, .to = 2, .label_kind = HEAPAN_LABEL_ATTRIBUTE, .label = 3};
    ck_assert_int_eq(heapan_writer_ref(d.w, &r), HEAPAN_ERR_INVALID);
    test_dump_release(&d);

    test_dump_start(&d, NULL);
    uint32_t t = test_type(&d, "m", "T");
    heapan_object zero = {.address = 0, .type = t};
    ck_assert_int_eq(heapan_writer_object(d.w, &zero), HEAPAN_ERR_INVALID);
    test_dump_release(&d);
}
END_TEST

START_TEST(long_value_prefixes_are_refused)
{
    test_dump d;
    test_dump_start(&d, NULL);
    char text[HEAPAN_MAX_VALUE_PREFIX + 1];
    memset(text, 'x', sizeof text);
    heapan_object o = {.address = 0x10, .type = test_type(&d, "builtins", "str"),
                       .value_kind = HEAPAN_VALUE_TEXT, .data = text, .len = sizeof text};
    ck_assert_int_eq(heapan_writer_object(d.w, &o), HEAPAN_ERR_LIMIT);
    test_dump_release(&d);
}
END_TEST

START_TEST(properties_need_a_key_and_a_bounded_value)
{
    test_dump d;
    test_dump_start(&d, NULL);
    heapan_property p = {.key = 5, .value_kind = HEAPAN_VALUE_INT, .i = 1};
    ck_assert_int_eq(heapan_writer_property(d.w, &p), HEAPAN_ERR_INVALID);
    ck_assert_ptr_nonnull(strstr(heapan_writer_error(d.w), "string id 5"));
    test_dump_release(&d);

    test_dump_start(&d, NULL);
    static char text[HEAPAN_MAX_PROPERTY_VALUE + 1];
    heapan_property big = {.key = test_string(&d, "sys.prefix"), .value_kind = HEAPAN_VALUE_TEXT,
                           .data = text, .len = sizeof text};
    ck_assert_int_eq(heapan_writer_property(d.w, &big), HEAPAN_ERR_LIMIT);
    test_dump_release(&d);

    test_dump_start(&d, NULL);
    heapan_property keyless = {.value_kind = HEAPAN_VALUE_BOOL};
    ck_assert_int_eq(heapan_writer_property(d.w, &keyless), HEAPAN_ERR_INVALID);
    test_dump_release(&d);
}
END_TEST

/* Records of 128 bytes or more take a two-byte length: the writer moves their payload. */
START_TEST(records_of_every_length_read_back_whole)
{
    test_dump d;
    test_dump_start(&d, NULL);
    uint32_t str = test_type(&d, "builtins", "str");
    char text[HEAPAN_MAX_VALUE_PREFIX];
    memset(text, 'x', sizeof text);
    size_t lengths[] = {0, 100, 115, 116, 117, 200, sizeof text};
    size_t n = sizeof lengths / sizeof *lengths;
    for (size_t i = 0; i < n; i++) {
        heapan_object o = {.address = 16 * (i + 1), .type = str, .size = 64 + lengths[i],
                           .flags = HEAPAN_OBJ_HAS_HASH, .value_hash = 1000 + i,
                           .value_kind = HEAPAN_VALUE_TEXT, .data = text, .len = lengths[i]};
        ck_assert_int_eq(heapan_writer_object(d.w, &o), HEAPAN_OK);
        test_root(&d, o.address, HEAPAN_ROOT_MODULE);
    }
    test_dump_finish(&d);
    heapan_reader *r = test_dump_reader(&d);
    heapan_record rec;
    size_t objects = 0, roots = 0;
    while (heapan_reader_next(r, &rec) == HEAPAN_OK) {
        if (rec.kind == HEAPAN_REC_ROOT)
            ck_assert_uint_eq(rec.u.root.object, 16 * ++roots);
        if (rec.kind != HEAPAN_REC_OBJECT)
            continue;
        ck_assert_uint_lt(objects, n);
        ck_assert_uint_eq(rec.u.object.address, 16 * (objects + 1));
        ck_assert_uint_eq(rec.u.object.len, lengths[objects]);
        ck_assert_uint_eq(rec.u.object.value_hash, 1000 + objects);
        ck_assert(memcmp(rec.u.object.data, text, lengths[objects]) == 0);
        objects++;
    }
    ck_assert_uint_eq(objects, n);
    ck_assert_uint_eq(roots, n);
    heapan_reader_close(r);
    test_dump_release(&d);
}
END_TEST

static int failing_sink(void *ctx, const void *buf, size_t len)
{
    (void)ctx, (void)buf, (void)len;
    return -1;
}

START_TEST(a_failing_sink_is_an_io_error)
{
    heapan_writer *w;
    ck_assert_int_eq(heapan_writer_open_sink(&w, failing_sink, NULL, NULL), HEAPAN_OK);
    heapan_header h = {.content = HEAPAN_CONTENT_HEAP};
    ck_assert_int_eq(heapan_writer_header(w, &h), HEAPAN_OK);
    ck_assert_int_eq(heapan_writer_flush(w), HEAPAN_ERR_IO);
    ck_assert_int_eq(heapan_writer_close(w, NULL), HEAPAN_ERR_IO);
    ck_assert_ptr_nonnull(strstr(heapan_writer_error(w), "write failed"));
    heapan_writer_free(w);
}
END_TEST

START_TEST(close_reports_counts_and_ends_the_writer)
{
    test_dump d;
    test_dump_start(&d, NULL);
    uint32_t t = test_type(&d, "m", "T");
    for (uint64_t i = 1; i <= 3; i++)
        test_object(&d, i * 16, t, 32);
    test_ref(&d, 16, 32);
    test_ref(&d, 16, 48);
    test_root(&d, 16, HEAPAN_ROOT_MODULE);
    heapan_counts c;
    ck_assert_int_eq(heapan_writer_close(d.w, &c), HEAPAN_OK);
    ck_assert_uint_eq(c.objects, 3);
    ck_assert_uint_eq(c.refs, 2);
    ck_assert_uint_eq(c.roots, 1);
    ck_assert_uint_eq(c.types, 1);
    ck_assert_uint_eq(c.strings, 2);
    ck_assert_uint_eq(c.bytes_written, d.len);
    ck_assert_uint_eq(heapan_writer_string(d.w, "late", 4), 0);
    ck_assert_int_eq(heapan_writer_close(d.w, NULL), HEAPAN_ERR_INVALID);
    test_dump_release(&d);
}
END_TEST

/* A header is the least a dump may hold before heapan_writer_close() accepts it. */
static void write_minimal_header(heapan_writer *w)
{
    heapan_header h = {.content = HEAPAN_CONTENT_HEAP, .producer = "unit-test",
                       .producer_version = "1", .runtime = "CPython",
                       .runtime_version = "3.11.7", .pointer_size = 8};
    ck_assert_int_eq(heapan_writer_header(w, &h), HEAPAN_OK);
}

START_TEST(files_are_private_and_bad_paths_fail)
{
    char path[] = "/tmp/heapan-writer-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    close(fd);
    unlink(path);
    heapan_writer *w;
    /* an old file of another mode: owner-only once the dump is in place */
    fd = open(path, O_WRONLY | O_CREAT, 0644);
    ck_assert_int_eq(write(fd, "old", 3), 3);
    fchmod(fd, 0644);
    close(fd);
    ck_assert_int_eq(heapan_writer_open(&w, path, NULL), HEAPAN_OK);
    struct stat st;
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert_int_eq(st.st_size, 3); /* the old file stays until the new one is whole */
    write_minimal_header(w);
    ck_assert_int_eq(heapan_writer_close(w, NULL), HEAPAN_OK);
    heapan_writer_free(w);
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert_uint_eq(st.st_mode & 0777, 0600);
    ck_assert_int_gt(st.st_size, 3);
    /* freed unclosed: the temporary file goes, the last good file stays */
    ck_assert_int_eq(heapan_writer_open(&w, path, NULL), HEAPAN_OK);
    heapan_writer_free(w);
    struct stat again;
    ck_assert_int_eq(stat(path, &again), 0);
    ck_assert_int_eq(again.st_size, st.st_size);
    /* a symbolic link is refused */
    char link[sizeof path + 8];
    snprintf(link, sizeof link, "%s.link", path);
    ck_assert_int_eq(symlink(path, link), 0);
    errno = 0;
    ck_assert_int_eq(heapan_writer_open(&w, link, NULL), HEAPAN_ERR_IO);
    ck_assert_int_eq(errno, ELOOP);
    unlink(link);
    /* direct: the path itself, as it is written */
    heapan_writer_options direct = {.direct = 1};
    unlink(path);
    ck_assert_int_eq(heapan_writer_open(&w, path, &direct), HEAPAN_OK);
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert_uint_eq(st.st_mode & 0777, 0600);
    heapan_writer_free(w);
    unlink(path);
    ck_assert_int_eq(heapan_writer_open(&w, "/nonexistent-dir/x.zst", NULL), HEAPAN_ERR_IO);
    ck_assert_ptr_null(w);
}
END_TEST

Suite *writer_suite(void)
{
    Suite *s = suite_create("writer");
    TCase *tc = tcase_create("writer");
    tcase_add_test(tc, equal_things_get_equal_ids);
    tcase_add_test(tc, a_threaded_writer_writes_the_same_dump);
    tcase_add_test(tc, records_before_the_header_are_refused_for_good);
    tcase_add_test(tc, undefined_ids_are_refused);
    tcase_add_test(tc, long_value_prefixes_are_refused);
    tcase_add_test(tc, properties_need_a_key_and_a_bounded_value);
    tcase_add_test(tc, records_of_every_length_read_back_whole);
    tcase_add_test(tc, a_failing_sink_is_an_io_error);
    tcase_add_test(tc, close_reports_counts_and_ends_the_writer);
    tcase_add_test(tc, files_are_private_and_bad_paths_fail);
    suite_add_tcase(s, tc);
    return s;
}
