/* check_addrmap.c: the address-to-index map (lib/addrmap.c). */
#include <check.h>

#include "addrmap.h"
#include "suites.h"

START_TEST(inserts_finds_and_reports_duplicates)
{
    addrmap m;
    ck_assert_int_eq(addrmap_init(&m, 4), 0);
    ck_assert_int_eq(addrmap_insert(&m, 0x7f0010, 0, NULL), 0);
    ck_assert_int_eq(addrmap_insert(&m, 0x7f0020, 1, NULL), 0);
    uint32_t existing = 99;
    ck_assert_int_eq(addrmap_insert(&m, 0x7f0010, 5, &existing), 1);
    ck_assert_uint_eq(existing, 0);
    ck_assert_uint_eq(addrmap_find(&m, 0x7f0020), 1);
    ck_assert_uint_eq(addrmap_find(&m, 0x7f0030), ADDRMAP_ABSENT);
    ck_assert_uint_eq(addrmap_find(&m, 0), ADDRMAP_ABSENT);
    addrmap_release(&m);
}
END_TEST

START_TEST(holds_a_million_aligned_addresses)
{
    addrmap m;
    ck_assert_int_eq(addrmap_init(&m, 16), 0);
    const uint64_t base = 0x7f3a00000000ull;
    for (uint32_t i = 0; i < 1000000; i++)
        ck_assert_int_eq(addrmap_insert(&m, base + (uint64_t)i * 16, i, NULL), 0);
    ck_assert_uint_eq(m.used, 1000000);
    for (uint32_t i = 0; i < 1000000; i += 7)
        ck_assert_uint_eq(addrmap_find(&m, base + (uint64_t)i * 16), i);
    ck_assert_uint_eq(addrmap_find(&m, base + 8), ADDRMAP_ABSENT);
    addrmap_release(&m);
}
END_TEST

START_TEST(addresses_in_far_apart_regions_are_all_found)
{
    addrmap m;
    ck_assert_int_eq(addrmap_init(&m, 16), 0);
    /* One object per 1 GiB region, and runs at the table's own stride. */
    for (uint32_t i = 0; i < 200000; i++)
        ck_assert_int_eq(addrmap_insert(&m, ((uint64_t)i + 1) << 30, i, NULL), 0);
    const uint64_t stride = 16 * (m.mask + 1); /* fixed: the table grows meanwhile */
    for (uint32_t i = 0; i < 200000; i++)
        ck_assert_int_eq(addrmap_insert(&m, (1ull << 50) + (uint64_t)i * stride, 200000 + i,
                                        NULL), 0);
    for (uint32_t i = 0; i < 200000; i += 13) {
        ck_assert_uint_eq(addrmap_find(&m, ((uint64_t)i + 1) << 30), i);
    }
    ck_assert_uint_eq(m.used, 400000);
    addrmap_release(&m);
}
END_TEST

/* Removal against a plain array, in a small table where probe runs wrap around. */
START_TEST(removes_keep_every_other_key_findable)
{
    enum { KEYS = 4000 };
    static uint8_t present[KEYS];
    addrmap m;
    ck_assert_int_eq(addrmap_init(&m, 16), 0);
    uint64_t rng = 12345;
    for (int step = 0; step < 200000; step++) {
        rng = rng * 6364136223846793005ull + 1442695040888963407ull;
        uint32_t key = (uint32_t)(rng >> 33) % KEYS;
        uint64_t address = 0x1000 + (uint64_t)key * 16;
        if (present[key]) {
            ck_assert_int_eq(addrmap_remove(&m, address), 1);
            present[key] = 0;
        } else {
            ck_assert_int_eq(addrmap_insert(&m, address, key, NULL), 0);
            present[key] = 1;
        }
    }
    size_t count = 0;
    for (uint32_t key = 0; key < KEYS; key++) {
        uint64_t address = 0x1000 + (uint64_t)key * 16;
        ck_assert_uint_eq(addrmap_find(&m, address), present[key] ? key : ADDRMAP_ABSENT);
        count += present[key];
    }
    ck_assert_uint_eq(m.used, count);
    ck_assert_int_eq(addrmap_remove(&m, 0x8), 0);
    addrmap_release(&m);
}
END_TEST

Suite *addrmap_suite(void)
{
    Suite *s = suite_create("addrmap");
    TCase *tc = tcase_create("addrmap");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, inserts_finds_and_reports_duplicates);
    tcase_add_test(tc, holds_a_million_aligned_addresses);
    tcase_add_test(tc, addresses_in_far_apart_regions_are_all_found);
    tcase_add_test(tc, removes_keep_every_other_key_findable);
    suite_add_tcase(s, tc);
    return s;
}
