/* check_encoding.c: varints, zigzag and the byte buffer (lib/encoding.h). */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>

#include "encoding.h"
#include "suites.h"

static uint64_t round_trip(uint64_t v, size_t *encoded_len)
{
    uint8_t buf[HEAPAN_VARINT_MAX];
    *encoded_len = varint_put(buf, v);
    const uint8_t *p = buf;
    uint64_t out = 0;
    ck_assert_int_eq(varint_get(&p, buf + *encoded_len, &out), 0);
    ck_assert_ptr_eq(p, buf + *encoded_len);
    return out;
}

START_TEST(varint_round_trips_at_boundaries)
{
    const uint64_t values[] = {0, 1, 127, 128, 300, 16383, 16384, UINT32_MAX,
                               1ull << 32, (1ull << 63) - 1, UINT64_MAX};
    const size_t lengths[] = {1, 1, 1, 2, 2, 2, 3, 5, 5, 9, 10};
    for (size_t i = 0; i < sizeof values / sizeof *values; i++) {
        size_t len;
        ck_assert_uint_eq(round_trip(values[i], &len), values[i]);
        ck_assert_uint_eq(len, lengths[i]);
    }
}
END_TEST

START_TEST(varint_300_is_ac_02)
{
    uint8_t buf[HEAPAN_VARINT_MAX];
    ck_assert_uint_eq(varint_put(buf, 300), 2);
    ck_assert_uint_eq(buf[0], 0xac);
    ck_assert_uint_eq(buf[1], 0x02);
}
END_TEST

START_TEST(varint_rejects_values_past_64_bits)
{
    static const uint8_t eleven[] = {0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
                                     0x80, 0x80, 0x80, 0x80, 0x01};
    static const uint8_t tenth_too_big[] = {0xff, 0xff, 0xff, 0xff, 0xff,
                                            0xff, 0xff, 0xff, 0xff, 0x02};
    uint64_t v;
    const uint8_t *p = eleven;
    ck_assert_int_eq(varint_get(&p, eleven + sizeof eleven, &v), -2);
    ck_assert_ptr_eq(p, eleven);
    p = tenth_too_big;
    ck_assert_int_eq(varint_get(&p, tenth_too_big + sizeof tenth_too_big, &v), -2);
}
END_TEST

START_TEST(varint_reports_running_out)
{
    static const uint8_t cut[] = {0x80, 0x80};
    uint64_t v;
    const uint8_t *p = cut;
    ck_assert_int_eq(varint_get(&p, cut + sizeof cut, &v), -1);
    ck_assert_int_eq(varint_get(&p, cut, &v), -1);
}
END_TEST

START_TEST(zigzag_round_trips)
{
    const int64_t values[] = {0, -1, 1, -64, 63, INT64_MIN, INT64_MAX};
    for (size_t i = 0; i < sizeof values / sizeof *values; i++)
        ck_assert_int_eq(zigzag_decode(zigzag_encode(values[i])), values[i]);
    ck_assert_uint_eq(zigzag_encode(-1), 1);
    ck_assert_uint_eq(zigzag_encode(1), 2);
}
END_TEST

START_TEST(bytebuf_grows_and_keeps_contents)
{
    bytebuf b = {0};
    for (unsigned i = 0; i < 100000; i++)
        ck_assert_int_eq(bytebuf_put(&b, &i, sizeof i), 0);
    ck_assert_uint_eq(b.len, 100000 * sizeof(unsigned));
    unsigned last;
    memcpy(&last, b.data + b.len - sizeof last, sizeof last);
    ck_assert_uint_eq(last, 99999);
    ck_assert_int_eq(bytebuf_reserve(&b, SIZE_MAX), -1);
    bytebuf_release(&b);
    ck_assert_ptr_null(b.data);
}
END_TEST

START_TEST(bytebuf_u64le_is_little_endian)
{
    bytebuf b = {0};
    ck_assert_int_eq(bytebuf_put_u64le(&b, 0x0102030405060708ull), 0);
    ck_assert_uint_eq(b.data[0], 0x08);
    ck_assert_uint_eq(b.data[7], 0x01);
    ck_assert_uint_eq(u64le_get(b.data), 0x0102030405060708ull);
    bytebuf_release(&b);
}
END_TEST

Suite *encoding_suite(void)
{
    Suite *s = suite_create("encoding");
    TCase *tc = tcase_create("encoding");
    tcase_add_test(tc, varint_round_trips_at_boundaries);
    tcase_add_test(tc, varint_300_is_ac_02);
    tcase_add_test(tc, varint_rejects_values_past_64_bits);
    tcase_add_test(tc, varint_reports_running_out);
    tcase_add_test(tc, zigzag_round_trips);
    tcase_add_test(tc, bytebuf_grows_and_keeps_contents);
    tcase_add_test(tc, bytebuf_u64le_is_little_endian);
    suite_add_tcase(s, tc);
    return s;
}
