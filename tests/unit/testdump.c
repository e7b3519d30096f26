/* testdump.c: in-memory dumps for the unit tests. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <zstd.h>

#include "encoding.h"
#include "testdump.h"

static int collect(void *ctx, const void *buf, size_t len)
{
    test_dump *d = ctx;
    if (d->len + len > d->cap) {
        size_t cap = d->cap ? d->cap : 4096;
        while (cap < d->len + len)
            cap *= 2;
        unsigned char *data = realloc(d->data, cap);
        if (!data)
            return -1;
        d->data = data;
        d->cap = cap;
    }
    memcpy(d->data + d->len, buf, len);
    d->len += len;
    return 0;
}

static void start(test_dump *d, const heapan_writer_options *options, unsigned content,
                  uint64_t sample_bytes)
{
    memset(d, 0, sizeof *d);
    ck_assert_int_eq(heapan_writer_open_sink(&d->w, collect, d, options), HEAPAN_OK);
    static const char *const argv[] = {"python3", "test.py"};
    heapan_header h = {.content = content, .sample_bytes = sample_bytes, .producer = "unit-test",
                       .producer_version = "1", .runtime = "CPython",
                       .runtime_version = "3.11.7", .pid = 7, .time_us = 1,
                       .pointer_size = 8, .argc = 2, .argv = argv};
    ck_assert_int_eq(heapan_writer_header(d->w, &h), HEAPAN_OK);
}

void test_dump_start(test_dump *d, const heapan_writer_options *options)
{
    start(d, options, HEAPAN_CONTENT_HEAP, 0);
}

void test_trace_start(test_dump *d, uint64_t sample_bytes)
{
    start(d, NULL, HEAPAN_CONTENT_TRACE, sample_bytes);
}

void test_dump_finish(test_dump *d)
{
    heapan_status st = heapan_writer_close(d->w, NULL);
    ck_assert_msg(st == HEAPAN_OK, "close: %s", heapan_writer_error(d->w));
    heapan_writer_free(d->w);
    d->w = NULL;
}

void test_dump_release(test_dump *d)
{
    heapan_writer_free(d->w);
    free(d->data);
    memset(d, 0, sizeof *d);
}

uint32_t test_string(test_dump *d, const char *s)
{
    uint32_t id = heapan_writer_string(d->w, s, strlen(s));
    ck_assert_msg(id != 0, "string: %s", heapan_writer_error(d->w));
    return id;
}

uint32_t test_type(test_dump *d, const char *module, const char *name)
{
    return test_type_at(d, module, name, 0);
}

uint32_t test_type_at(test_dump *d, const char *module, const char *name, uint64_t address)
{
    heapan_type t = {.name = test_string(d, name), .module = test_string(d, module),
                     .address = address};
    uint32_t id = heapan_writer_type(d->w, &t);
    ck_assert_msg(id != 0, "type: %s", heapan_writer_error(d->w));
    return id;
}

void test_object(test_dump *d, uint64_t address, uint32_t type, uint64_t size)
{
    heapan_object o = {.address = address, .type = type, .size = size, .refcount = 1};
    ck_assert_msg(heapan_writer_object(d->w, &o) == HEAPAN_OK, "object: %s",
                  heapan_writer_error(d->w));
}

void test_ref(test_dump *d, uint64_t from, uint64_t to)
{
    heapan_ref r = {.from = from, .to = to};
    ck_assert_msg(heapan_writer_ref(d->w, &r) == HEAPAN_OK, "ref: %s",
                  heapan_writer_error(d->w));
}

uint32_t test_class(test_dump *d, const char *module, const char *name, uint64_t address,
                    unsigned flags, const uint64_t *bases, size_t base_count)
{
    heapan_type t = {.name = test_string(d, name), .module = test_string(d, module),
                     .flags = flags, .address = address};
    uint32_t id = heapan_writer_type(d->w, &t);
    ck_assert_msg(id != 0, "type: %s", heapan_writer_error(d->w));
    uint32_t meta = test_type(d, "builtins", "type"), tuple = test_type(d, "builtins", "tuple");
    uint64_t mro = address + 8; /* its __mro__ tuple, just after it */
    test_object(d, address, meta, 400);
    test_object(d, mro, tuple, 40 + 8 * (uint64_t)base_count);
    test_labelled_ref(d, address, mro, HEAPAN_LABEL_FIELD, "__mro__", 0);
    test_labelled_ref(d, mro, address, HEAPAN_LABEL_INDEX, NULL, 0);
    for (size_t i = 0; i < base_count; i++)
        test_labelled_ref(d, mro, bases[i], HEAPAN_LABEL_INDEX, NULL, (int64_t)i + 1);
    return id;
}

void test_labelled_ref(test_dump *d, uint64_t from, uint64_t to, heapan_label_kind kind,
                       const char *label, int64_t number)
{
    heapan_ref r = {.from = from, .to = to, .label_kind = kind,
                    .label = label ? test_string(d, label) : 0, .label_number = number};
    ck_assert_msg(heapan_writer_ref(d->w, &r) == HEAPAN_OK, "ref: %s",
                  heapan_writer_error(d->w));
}

void test_property(test_dump *d, uint64_t object, const char *key, int64_t number,
                   const char *text)
{
    heapan_property p = {.object = object, .key = test_string(d, key),
                         .value_kind = text ? HEAPAN_VALUE_TEXT : HEAPAN_VALUE_INT,
                         .i = number, .data = text, .len = text ? strlen(text) : 0};
    ck_assert_msg(heapan_writer_property(d->w, &p) == HEAPAN_OK, "property: %s",
                  heapan_writer_error(d->w));
}

void test_root(test_dump *d, uint64_t address, heapan_root_kind kind)
{
    heapan_root r = {.object = address, .kind = kind};
    ck_assert_msg(heapan_writer_root(d->w, &r) == HEAPAN_OK, "root: %s",
                  heapan_writer_error(d->w));
}

heapan_reader *test_dump_reader(const test_dump *d)
{
    heapan_reader *r;
    heapan_status st = heapan_reader_open_memory(&r, d->data, d->len);
    ck_assert_msg(st == HEAPAN_OK, "open: %s", heapan_reader_error(r));
    return r;
}

heapan_status test_read_all(heapan_reader *r)
{
    heapan_record rec;
    heapan_status st;
    while ((st = heapan_reader_next(r, &rec)) == HEAPAN_OK)
        ;
    return st;
}

void raw_bytes(raw_dump *d, const void *bytes, size_t len)
{
    if (d->len + len > d->cap) {
        size_t cap = d->cap ? d->cap : 256;
        while (cap < d->len + len)
            cap *= 2;
        d->payload = realloc(d->payload, cap);
        ck_assert_ptr_nonnull(d->payload);
        d->cap = cap;
    }
    memcpy(d->payload + d->len, bytes, len);
    d->len += len;
}

void raw_varint(raw_dump *d, uint64_t v)
{
    uint8_t buf[HEAPAN_VARINT_MAX];
    raw_bytes(d, buf, varint_put(buf, v));
}

void raw_record(raw_dump *d, unsigned tag, const void *payload, size_t len)
{
    raw_varint(d, tag);
    raw_varint(d, len);
    raw_bytes(d, payload, len);
}

void raw_start(raw_dump *d, uint64_t major, uint64_t minor, int header)
{
    memset(d, 0, sizeof *d);
    raw_bytes(d, HEAPAN_MAGIC, HEAPAN_MAGIC_LEN);
    raw_varint(d, major);
    raw_varint(d, minor);
    /* content 1, flags 0, four empty texts, pid, time, pointer size 8, sample 0, argc 0 */
    static const uint8_t minimal[] = {1, 0, 0, 0, 0, 0, 0, 0, 8, 0, 0};
    if (header)
        raw_record(d, HEAPAN_REC_HEADER, minimal, sizeof minimal);
}

heapan_status raw_open(raw_dump *d, heapan_reader **r)
{
    size_t cap = ZSTD_compressBound(d->len);
    free(d->compressed);
    d->compressed = malloc(cap);
    ck_assert_ptr_nonnull(d->compressed);
    d->compressed_len = ZSTD_compress(d->compressed, cap, d->payload, d->len, 1);
    ck_assert(!ZSTD_isError(d->compressed_len));
    return heapan_reader_open_memory(r, d->compressed, d->compressed_len);
}

void raw_release(raw_dump *d)
{
    free(d->payload);
    free(d->compressed);
    memset(d, 0, sizeof *d);
}
