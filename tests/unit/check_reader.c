/* check_reader.c: round trips and every class of bad input (lib/reader.c). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "suites.h"
#include "testdump.h"

static heapan_record expect_next(heapan_reader *r, heapan_record_kind kind)
{
    heapan_record rec;
    heapan_status st = heapan_reader_next(r, &rec);
    ck_assert_msg(st == HEAPAN_OK, "next: %s", heapan_reader_error(r));
    ck_assert_int_eq(rec.kind, kind);
    return rec;
}

/* Writes one record of every kind, each field set to something distinct. */
static void write_everything(test_dump *d)
{
    uint32_t name = test_string(d, "Order");
    ck_assert_uint_eq(heapan_writer_string(d->w, "a\0b", 3), 2);
    heapan_type t = {.name = name, .module = 2, .flags = HEAPAN_TYPE_HAS_DICT | HEAPAN_TYPE_HAS_SLOTS,
                     .address = 0xabc, .basic_size = 48};
    ck_assert_uint_eq(heapan_writer_type(d->w, &t), 1);
    ck_assert_uint_eq(heapan_writer_frame(d->w, name, 2, 77), 1);
    ck_assert_uint_eq(heapan_writer_stack(d->w, 0, 1), 1);
    ck_assert_uint_eq(heapan_writer_stack(d->w, 1, 1), 2);
    uint32_t names[] = {2, 1};
    ck_assert_uint_eq(heapan_writer_shape(d->w, names, 2), 1);
    heapan_object objects[] = {
        {.address = 0x10, .type = 1, .flags = HEAPAN_OBJ_GC_TRACKED, .size = 64, .refcount = 3,
         .length = 2, .stack = 2, .shape = 1, .value_kind = HEAPAN_VALUE_INT, .i = -123456789},
        {.address = 0x20, .type = 1, .size = 24, .value_kind = HEAPAN_VALUE_FLOAT, .f = -2.5},
        {.address = 0x30, .type = 1, .size = 56, .value_kind = HEAPAN_VALUE_TEXT, .data = "hi\n",
         .len = 3, .flags = HEAPAN_OBJ_HAS_HASH, .value_hash = 0xfedcba9876543210ull},
        {.address = 0x40, .type = 1, .size = 40, .value_kind = HEAPAN_VALUE_BYTES, .data = "\0\1",
         .len = 2},
        {.address = 0x50, .type = 1, .size = 28, .value_kind = HEAPAN_VALUE_BOOL, .i = 1},
    };
    for (size_t i = 0; i < 5; i++)
        ck_assert_int_eq(heapan_writer_object(d->w, &objects[i]), HEAPAN_OK);
    heapan_ref refs[] = {
        {.from = 0x10, .to = 0x20, .label_kind = HEAPAN_LABEL_ATTRIBUTE, .label = 1},
        {.from = 0x10, .to = 0x30, .label_kind = HEAPAN_LABEL_INDEX, .label_number = -3},
        {.from = 0x10, .to = 0x40, .weak = 1, .label_kind = HEAPAN_LABEL_INT_KEY, .label_number = 1ll << 40},
        {.from = 0x20, .to = 0x10, .label_kind = HEAPAN_LABEL_DICT_KEY},
    };
    for (size_t i = 0; i < 4; i++)
        ck_assert_int_eq(heapan_writer_ref(d->w, &refs[i]), HEAPAN_OK);
    heapan_root root = {.object = 0x10, .kind = HEAPAN_ROOT_FRAME, .label = 1};
    ck_assert_int_eq(heapan_writer_root(d->w, &root), HEAPAN_OK);
    heapan_alloc a = {.time_us = 5, .address = 0x99, .size = 1000, .stack = 2, .thread = 7};
    heapan_free f = {.time_us = 6, .address = 0x99};
    heapan_sample s = {.time_us = 7, .rss = 1 << 20, .traced_bytes = 1000};
    ck_assert_int_eq(heapan_writer_alloc_event(d->w, &a), HEAPAN_OK);
    ck_assert_int_eq(heapan_writer_free_event(d->w, &f), HEAPAN_OK);
    ck_assert_int_eq(heapan_writer_sample(d->w, &s), HEAPAN_OK);
    heapan_property properties[] = {
        {.object = 0, .key = 1, .value_kind = HEAPAN_VALUE_BOOL, .i = 1},
        {.object = 0x10, .key = 2, .value_kind = HEAPAN_VALUE_TEXT, .data = "FINISHED", .len = 8},
        {.object = 0x10, .key = 1, .value_kind = HEAPAN_VALUE_INT, .i = -1},
    };
    for (size_t i = 0; i < 3; i++)
        ck_assert_int_eq(heapan_writer_property(d->w, &properties[i]), HEAPAN_OK);
}

static void expect_properties(heapan_reader *r)
{
    heapan_property p = expect_next(r, HEAPAN_REC_PROPERTY).u.property;
    ck_assert(p.object == 0 && p.key == 1 && p.value_kind == HEAPAN_VALUE_BOOL && p.i == 1);
    p = expect_next(r, HEAPAN_REC_PROPERTY).u.property;
    ck_assert(p.object == 0x10 && p.key == 2 && p.value_kind == HEAPAN_VALUE_TEXT);
    ck_assert(p.len == 8 && memcmp(p.data, "FINISHED", 8) == 0);
    p = expect_next(r, HEAPAN_REC_PROPERTY).u.property;
    ck_assert(p.value_kind == HEAPAN_VALUE_INT && p.i == -1);
}

static void expect_objects(heapan_reader *r)
{
    heapan_object o = expect_next(r, HEAPAN_REC_OBJECT).u.object;
    ck_assert_uint_eq(o.address, 0x10);
    ck_assert_uint_eq(o.flags, HEAPAN_OBJ_GC_TRACKED);
    ck_assert_uint_eq(o.size, 64);
    ck_assert_uint_eq(o.refcount, 3);
    ck_assert_uint_eq(o.length, 2);
    ck_assert_uint_eq(o.stack, 2);
    ck_assert_uint_eq(o.shape, 1);
    ck_assert_int_eq(o.value_kind, HEAPAN_VALUE_INT);
    ck_assert_int_eq(o.i, -123456789);
    o = expect_next(r, HEAPAN_REC_OBJECT).u.object;
    ck_assert(o.value_kind == HEAPAN_VALUE_FLOAT && o.f == -2.5);
    o = expect_next(r, HEAPAN_REC_OBJECT).u.object;
    ck_assert_int_eq(o.value_kind, HEAPAN_VALUE_TEXT);
    ck_assert(o.len == 3 && memcmp(o.data, "hi\n", 3) == 0);
    ck_assert_uint_eq(o.value_hash, 0xfedcba9876543210ull);
    o = expect_next(r, HEAPAN_REC_OBJECT).u.object;
    ck_assert(o.value_kind == HEAPAN_VALUE_BYTES && o.len == 2 && memcmp(o.data, "\0\1", 2) == 0);
    o = expect_next(r, HEAPAN_REC_OBJECT).u.object;
    ck_assert(o.value_kind == HEAPAN_VALUE_BOOL && o.i == 1);
}

static void expect_refs(heapan_reader *r)
{
    heapan_ref ref = expect_next(r, HEAPAN_REC_REF).u.ref;
    ck_assert(ref.from == 0x10 && ref.to == 0x20 && !ref.weak);
    ck_assert(ref.label_kind == HEAPAN_LABEL_ATTRIBUTE && ref.label == 1);
    ref = expect_next(r, HEAPAN_REC_REF).u.ref;
    ck_assert(ref.label_kind == HEAPAN_LABEL_INDEX && ref.label_number == -3);
    ref = expect_next(r, HEAPAN_REC_REF).u.ref;
    ck_assert(ref.weak && ref.label_kind == HEAPAN_LABEL_INT_KEY && ref.label_number == 1ll << 40);
    ref = expect_next(r, HEAPAN_REC_REF).u.ref;
    ck_assert(ref.from == 0x20 && ref.to == 0x10 && ref.label_kind == HEAPAN_LABEL_DICT_KEY);
}

START_TEST(every_record_and_field_round_trips)
{
    test_dump d;
    test_dump_start(&d, NULL);
    write_everything(&d);
    test_dump_finish(&d);
    heapan_reader *r = test_dump_reader(&d);
    const heapan_header *h = heapan_reader_header(r);
    ck_assert_str_eq(h->producer, "unit-test");
    ck_assert_str_eq(h->runtime_version, "3.11.7");
    ck_assert(h->pid == 7 && h->pointer_size == 8 && h->argc == 2);
    ck_assert_str_eq(h->argv[1], "test.py");
    ck_assert_str_eq(expect_next(r, HEAPAN_REC_STRING).u.string.data, "Order");
    heapan_record rec = expect_next(r, HEAPAN_REC_STRING);
    ck_assert(rec.u.string.len == 3 && memcmp(rec.u.string.data, "a\0b", 3) == 0);
    heapan_type t = expect_next(r, HEAPAN_REC_TYPE).u.type;
    ck_assert(t.id == 1 && t.name == 1 && t.module == 2 && t.address == 0xabc);
    ck_assert(t.flags == (HEAPAN_TYPE_HAS_DICT | HEAPAN_TYPE_HAS_SLOTS) && t.basic_size == 48);
    heapan_frame f = expect_next(r, HEAPAN_REC_FRAME).u.frame;
    ck_assert(f.file == 1 && f.function == 2 && f.line == 77);
    ck_assert_uint_eq(expect_next(r, HEAPAN_REC_STACK).u.stack.parent, 0);
    heapan_stack s = expect_next(r, HEAPAN_REC_STACK).u.stack;
    ck_assert(s.id == 2 && s.parent == 1 && s.frame == 1);
    heapan_shape shape = expect_next(r, HEAPAN_REC_SHAPE).u.shape;
    ck_assert(shape.count == 2 && shape.names[0] == 2 && shape.names[1] == 1);
    expect_objects(r);
    expect_refs(r);
    heapan_root root = expect_next(r, HEAPAN_REC_ROOT).u.root;
    ck_assert(root.object == 0x10 && root.kind == HEAPAN_ROOT_FRAME && root.label == 1);
    heapan_alloc a = expect_next(r, HEAPAN_REC_ALLOC).u.alloc;
    ck_assert(a.time_us == 5 && a.address == 0x99 && a.size == 1000 && a.stack == 2 && a.thread == 7);
    ck_assert_uint_eq(expect_next(r, HEAPAN_REC_FREE).u.free.address, 0x99);
    ck_assert_uint_eq(expect_next(r, HEAPAN_REC_SAMPLE).u.sample.rss, 1 << 20);
    expect_properties(r);
    heapan_counts end = expect_next(r, HEAPAN_REC_END).u.end;
    ck_assert(end.objects == 5 && end.refs == 4 && end.strings == 2 && end.allocs == 1);
    ck_assert_uint_eq(end.properties, 3);
    heapan_record after;
    ck_assert_int_eq(heapan_reader_next(r, &after), HEAPAN_END);
    ck_assert_int_eq(heapan_reader_next(r, &after), HEAPAN_END);
    size_t len;
    ck_assert_str_eq(heapan_reader_string(r, 1, &len), "Order");
    ck_assert_ptr_null(heapan_reader_string(r, 3, NULL));
    heapan_reader_close(r);
    test_dump_release(&d);
}
END_TEST

START_TEST(string_pointers_stay_valid)
{
    test_dump d;
    test_dump_start(&d, NULL);
    char text[64];
    for (int i = 0; i < 50000; i++) {
        snprintf(text, sizeof text, "string number %d", i);
        test_string(&d, text);
    }
    test_dump_finish(&d);
    heapan_reader *r = test_dump_reader(&d);
    const char *first = NULL;
    heapan_record rec;
    while (heapan_reader_next(r, &rec) == HEAPAN_OK)
        if (!first)
            first = heapan_reader_string(r, 1, NULL);
    ck_assert_str_eq(first, "string number 0");
    ck_assert_str_eq(heapan_reader_string(r, 50000, NULL), "string number 49999");
    heapan_reader_close(r);
    test_dump_release(&d);
}
END_TEST

START_TEST(large_reference_groups_are_split_and_read_in_order)
{
    test_dump d;
    test_dump_start(&d, NULL);
    const uint64_t n = 3000000; /* about 3 bytes each: beyond one 16 MiB record */
    for (uint64_t i = 1; i <= n; i++)
        test_ref(&d, 0x1000, i * 8);
    test_dump_finish(&d);
    heapan_reader *r = test_dump_reader(&d);
    heapan_record rec;
    uint64_t expected = 1;
    heapan_status st;
    while ((st = heapan_reader_next(r, &rec)) == HEAPAN_OK) {
        if (rec.kind != HEAPAN_REC_REF)
            continue;
        ck_assert_uint_eq(rec.u.ref.from, 0x1000);
        ck_assert_uint_eq(rec.u.ref.to, expected * 8);
        expected++;
    }
    ck_assert_int_eq(st, HEAPAN_END);
    ck_assert_uint_eq(expected, n + 1);
    heapan_reader_close(r);
    test_dump_release(&d);
}
END_TEST

/* Opens `bytes` and reads to the end; checks the status and message. */
static void expect_failure(const void *bytes, size_t len, heapan_status status, const char *phrase)
{
    heapan_reader *r;
    heapan_status st = heapan_reader_open_memory(&r, bytes, len);
    if (st == HEAPAN_OK)
        st = test_read_all(r);
    ck_assert_msg(st == status, "got %s, want %s: %s", heapan_status_name(st),
                  heapan_status_name(status), heapan_reader_error(r));
    ck_assert_msg(strstr(heapan_reader_error(r), phrase), "message '%s' lacks '%s'",
                  heapan_reader_error(r), phrase);
    heapan_reader_close(r);
}

static void expect_raw_failure(raw_dump *d, heapan_status status, const char *phrase)
{
    heapan_reader *r;
    raw_open(d, &r);
    heapan_reader_close(r);
    expect_failure(d->compressed, d->compressed_len, status, phrase);
    raw_release(d);
}

START_TEST(inputs_that_are_no_dump)
{
    expect_failure("", 0, HEAPAN_ERR_EMPTY, "empty");
    expect_failure("hello, world", 12, HEAPAN_ERR_NOT_ZSTD, "not zstd");
    expect_failure("\x28\xb5", 2, HEAPAN_ERR_NOT_ZSTD, "not zstd");
    raw_dump d = {0};
    raw_bytes(&d, "hello, world", 12);
    expect_raw_failure(&d, HEAPAN_ERR_NOT_HEAPAN, "without the heapan magic");
    raw_start(&d, 2, 0, 1);
    expect_raw_failure(&d, HEAPAN_ERR_VERSION, "version 2.0");
    raw_start(&d, 1, 0, 0);
    raw_record(&d, HEAPAN_REC_STRING, "x", 1);
    expect_raw_failure(&d, HEAPAN_ERR_CORRUPT, "must be the header");
}
END_TEST

START_TEST(malformed_records_are_corrupt)
{
    raw_dump d;
    raw_start(&d, 1, 0, 1);
    static const uint8_t eleven[] = {0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 1};
    raw_bytes(&d, eleven, sizeof eleven);
    raw_varint(&d, 0);
    expect_raw_failure(&d, HEAPAN_ERR_CORRUPT, "varint");

    raw_start(&d, 1, 0, 1);
    raw_varint(&d, HEAPAN_REC_STRING);
    raw_varint(&d, (uint64_t)HEAPAN_MAX_RECORD_SIZE + 1);
    expect_raw_failure(&d, HEAPAN_ERR_CORRUPT, "exceeds");

    raw_start(&d, 1, 0, 1);
    static const uint8_t refs[] = {0x10, 0xe8, 0x07, 0x20, 0x00}; /* 1000 refs in 2 bytes */
    raw_record(&d, HEAPAN_REC_REF, refs, sizeof refs);
    expect_raw_failure(&d, HEAPAN_ERR_CORRUPT, "claims 1000 references");

    raw_start(&d, 1, 0, 1);
    static const uint8_t object[] = {0x10, 3, 0, 8, 1, 0, 0, 0, 0};
    raw_record(&d, HEAPAN_REC_OBJECT, object, sizeof object);
    expect_raw_failure(&d, HEAPAN_ERR_CORRUPT, "type id 3 is not defined");

    raw_start(&d, 1, 1, 1);
    static const uint8_t property[] = {0, 4, 1, 1, 2}; /* key string 4, never defined */
    raw_record(&d, HEAPAN_REC_PROPERTY, property, sizeof property);
    expect_raw_failure(&d, HEAPAN_ERR_CORRUPT, "key string id 4 is not defined");

    raw_start(&d, 1, 1, 1);
    raw_record(&d, HEAPAN_REC_STRING, "k", 1);
    static const uint8_t cut_value[] = {0, 1, 3, 9, 'a'}; /* a 9-byte text in 1 byte */
    raw_record(&d, HEAPAN_REC_PROPERTY, cut_value, sizeof cut_value);
    expect_raw_failure(&d, HEAPAN_ERR_CORRUPT, "property");

    raw_start(&d, 1, 1, 1);
    static const uint8_t end_with_properties[] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};
    raw_record(&d, HEAPAN_REC_END, end_with_properties, sizeof end_with_properties);
    expect_raw_failure(&d, HEAPAN_ERR_CORRUPT, "2 properties but the file holds 0");

    raw_start(&d, 1, 0, 1);
    raw_record(&d, HEAPAN_REC_STRING, "f", 1);
    static const uint8_t frame[] = {1, 1, 9}, stack[] = {5, 1};
    raw_record(&d, HEAPAN_REC_FRAME, frame, sizeof frame);
    raw_record(&d, HEAPAN_REC_STACK, stack, sizeof stack);
    expect_raw_failure(&d, HEAPAN_ERR_CORRUPT, "parent stack id 5");

    raw_start(&d, 1, 0, 1);
    static const uint8_t end[] = {0, 0, 0, 0, 0, 4, 0, 0, 0, 0, 0};
    raw_record(&d, HEAPAN_REC_END, end, sizeof end);
    expect_raw_failure(&d, HEAPAN_ERR_CORRUPT, "counts 4 objects but the file holds 0");

    raw_start(&d, 1, 0, 1);
    raw_record(&d, HEAPAN_REC_END, (const uint8_t[11]){0}, 11);
    raw_record(&d, HEAPAN_REC_STRING, "late", 4);
    expect_raw_failure(&d, HEAPAN_ERR_CORRUPT, "data follows the END record");

    raw_start(&d, 1, 0, 1);
    static const uint8_t float_value[] = {0x10, 1, 0, 8, 1, 0, 0, 0, 2, 3, 1, 2, 3};
    raw_record(&d, HEAPAN_REC_STRING, "T", 1);
    static const uint8_t type[] = {1, 0, 0, 0, 0};
    raw_record(&d, HEAPAN_REC_TYPE, type, sizeof type);
    raw_record(&d, HEAPAN_REC_OBJECT, float_value, sizeof float_value);
    expect_raw_failure(&d, HEAPAN_ERR_CORRUPT, "malformed");
}
END_TEST

START_TEST(newer_minor_versions_are_read)
{
    raw_dump d;
    raw_start(&d, 1, 9, 1);
    raw_record(&d, HEAPAN_REC_STRING, "T", 1);
    static const uint8_t type[] = {1, 0, 0, 0, 0, 42, 42};          /* two new fields */
    static const uint8_t object[] = {0x10, 1, 0, 8, 1, 0, 0, 0, 9, 2, 0xaa, 0xbb, 7}; /* value kind 9 */
    raw_record(&d, HEAPAN_REC_TYPE, type, sizeof type);
    raw_record(&d, 77, "whatever", 8);
    raw_record(&d, HEAPAN_REC_OBJECT, object, sizeof object);
    static const uint8_t end[] = {1, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0};
    raw_record(&d, HEAPAN_REC_END, end, sizeof end);
    heapan_reader *r;
    ck_assert_int_eq(raw_open(&d, &r), HEAPAN_OK);
    unsigned major, minor;
    heapan_reader_version(r, &major, &minor);
    ck_assert(major == 1 && minor == 9);
    expect_next(r, HEAPAN_REC_STRING);
    expect_next(r, HEAPAN_REC_TYPE);
    heapan_object o = expect_next(r, HEAPAN_REC_OBJECT).u.object;
    ck_assert_int_eq(o.value_kind, HEAPAN_VALUE_NONE);
    expect_next(r, HEAPAN_REC_END);
    ck_assert_uint_eq(heapan_reader_skipped(r), 1);
    heapan_reader_close(r);
    raw_release(&d);
}
END_TEST

/* A 1.0 dump: TYPE records without the layout fields, an END without a property count. */
START_TEST(version_1_0_dumps_are_read)
{
    raw_dump d;
    raw_start(&d, 1, 0, 1);
    raw_record(&d, HEAPAN_REC_STRING, "T", 1);
    static const uint8_t type[] = {1, 0, 4, 0x20, 24};
    static const uint8_t object[] = {0x10, 1, 0, 8, 1, 0, 0, 0, 0};
    static const uint8_t end[] = {1, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0};
    raw_record(&d, HEAPAN_REC_TYPE, type, sizeof type);
    raw_record(&d, HEAPAN_REC_OBJECT, object, sizeof object);
    raw_record(&d, HEAPAN_REC_END, end, sizeof end);
    heapan_reader *r;
    ck_assert_int_eq(raw_open(&d, &r), HEAPAN_OK);
    expect_next(r, HEAPAN_REC_STRING);
    heapan_type t = expect_next(r, HEAPAN_REC_TYPE).u.type;
    ck_assert(t.basic_size == 24 && t.pre_header == 0 && t.inline_values == 0);
    expect_next(r, HEAPAN_REC_OBJECT);
    ck_assert_uint_eq(expect_next(r, HEAPAN_REC_END).u.end.properties, 0);
    heapan_reader_close(r);
    raw_release(&d);
}
END_TEST

/* A dump flushed often, so most cuts still leave whole blocks to read. */
static void write_flushed_chain(test_dump *d, uint64_t n)
{
    heapan_writer_options options = {.flush_interval = 512};
    test_dump_start(d, &options);
    uint32_t t = test_type(d, "app", "Node");
    for (uint64_t i = 1; i <= n; i++) {
        test_object(d, i * 16, t, 48);
        if (i < n)
            test_ref(d, i * 16, (i + 1) * 16);
    }
    test_root(d, 16, HEAPAN_ROOT_MODULE);
    test_dump_finish(d);
}

static void read_prefix(const test_dump *d, size_t len, int past_middle)
{
    heapan_reader *r;
    heapan_status st = heapan_reader_open_memory(&r, d->data, len);
    if (st == HEAPAN_OK)
        st = test_read_all(r);
    ck_assert_msg(st != HEAPAN_OK && st != HEAPAN_END, "prefix %zu read as whole", len);
    if (past_middle) {
        ck_assert_int_eq(st, HEAPAN_ERR_TRUNCATED);
        ck_assert_uint_gt(heapan_reader_counts(r)->objects, 0);
        ck_assert_ptr_nonnull(strstr(heapan_reader_error(r), "truncated after"));
    }
    heapan_reader_close(r);
}

START_TEST(every_cut_is_reported_and_keeps_what_came_before)
{
    test_dump d;
    write_flushed_chain(&d, 4000);
    ck_assert_uint_gt(d.len, 4096);
    for (size_t len = 0; len < d.len; len++) {
        int edge = len < 2048 || len > d.len - 2048;
        if (edge || len % 7 == 0)
            read_prefix(&d, len, len > d.len / 2);
    }
    test_dump_release(&d);
}
END_TEST

static long failing_source(void *ctx, void *buf, size_t cap)
{
    (void)ctx, (void)buf, (void)cap;
    return -1;
}

START_TEST(file_errors)
{
    heapan_reader *r;
    ck_assert_int_eq(heapan_reader_open(&r, "/"), HEAPAN_ERR_IO);
    ck_assert_ptr_nonnull(strstr(heapan_reader_error(r), "directory"));
    heapan_reader_close(r);
    ck_assert_int_eq(heapan_reader_open(&r, "/nonexistent/dump.zst"), HEAPAN_ERR_IO);
    ck_assert_ptr_nonnull(strstr(heapan_reader_error(r), "No such file"));
    heapan_reader_close(r);
    ck_assert_int_eq(heapan_reader_open_source(&r, failing_source, NULL), HEAPAN_ERR_IO);
    heapan_reader_close(r);
}
END_TEST

Suite *reader_suite(void)
{
    Suite *s = suite_create("reader");
    TCase *tc = tcase_create("reader");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, every_record_and_field_round_trips);
    tcase_add_test(tc, string_pointers_stay_valid);
    tcase_add_test(tc, large_reference_groups_are_split_and_read_in_order);
    tcase_add_test(tc, inputs_that_are_no_dump);
    tcase_add_test(tc, malformed_records_are_corrupt);
    tcase_add_test(tc, newer_minor_versions_are_read);
    tcase_add_test(tc, version_1_0_dumps_are_read);
    tcase_add_test(tc, every_cut_is_reported_and_keeps_what_came_before);
    tcase_add_test(tc, file_errors);
    suite_add_tcase(s, tc);
    return s;
}
