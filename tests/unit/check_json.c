/* check_json.c: the number arrays of the JSON tokenizer, inline and piped (src/input/json*.c). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "input/json.h"
#include "input/snapsource.h"
#include "suites.h"

typedef int (*numbers_fn)(json_stream *, json_numbers_fn, void *);

typedef struct collected {
    uint64_t *values;
    size_t count, cap;
    size_t fail_after; /* the sink fails once this many are in; 0: never */
    json_stream *stream;
} collected;

static int collect(void *ctx, const uint64_t *values, size_t n)
{
    collected *c = ctx;
    ck_assert_uint_le(n, JSON_NUMBERS_AT_ONCE);
    if (c->count + n > c->cap) {
        c->cap = (c->count + n) * 2;
        c->values = realloc(c->values, c->cap * sizeof *c->values);
        ck_assert_ptr_nonnull(c->values);
    }
    memcpy(c->values + c->count, values, n * sizeof *values);
    c->count += n;
    if (c->fail_after && c->count >= c->fail_after)
        return json_fail(c->stream, "the sink stopped at %zu", c->count);
    return 0;
}

/* Writes `text` to a file and tokenizes one array from it with `run`. */
static int tokenize(const char *text, numbers_fn run, collected *c, char *why, size_t why_size)
{
    char path[] = "/tmp/check_json.XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    size_t len = strlen(text);
    ck_assert_int_eq(write(fd, text, len), (ssize_t)len);
    close(fd);
    snapsource *src = snapsource_open(path);
    ck_assert_ptr_nonnull(src);
    json_stream j;
    why[0] = '\0';
    ck_assert_int_eq(json_open(&j, src, why, why_size, NULL, NULL), 0);
    c->stream = &j;
    int status = run(&j, collect, c);
    if (status == 0) /* the stream goes on after the array */
        ck_assert_int_eq(json_peek(&j), '!');
    json_close(&j);
    snapsource_close(src);
    unlink(path);
    return status;
}

/* Numbers of every length from 1 to 15 digits, over several 1 MiB windows. */
static char *many_numbers(uint64_t **expected, size_t *count)
{
    size_t n = 600000, len = 0;
    char *text = malloc(n * 20 + 16);
    *expected = malloc(n * sizeof **expected);
    ck_assert(text && *expected);
    uint64_t x = 88172645463325252ull;
    text[len++] = '[';
    for (size_t i = 0; i < n; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        unsigned digits = 1 + (unsigned)(x % 15);
        uint64_t value = (x >> 8) % 1000000000000000ull;
        for (unsigned d = digits; d < 15; d++)
            value /= 10;
        (*expected)[i] = value;
        len += (size_t)sprintf(text + len, "%s%llu", i ? (i % 7 ? "," : ",\n") : "",
                               (unsigned long long)value);
    }
    strcpy(text + len, "] !");
    *count = n;
    return text;
}

static void reads_numbers_of_every_length(numbers_fn run)
{
    uint64_t *expected;
    size_t count;
    char *text = many_numbers(&expected, &count);
    collected c = {0};
    char why[256];
    ck_assert_int_eq(tokenize(text, run, &c, why, sizeof why), 0);
    ck_assert_uint_eq(c.count, count);
    for (size_t i = 0; i < count; i++)
        ck_assert_uint_eq(c.values[i], expected[i]);
    free(c.values), free(expected), free(text);
}

START_TEST(inline_reads_numbers_of_every_length)
{
    reads_numbers_of_every_length(json_numbers);
}
END_TEST

START_TEST(piped_reads_numbers_of_every_length)
{
    reads_numbers_of_every_length(json_numbers_piped);
}
END_TEST

static const struct {
    const char *text, *why;
} refused[] = {
    {"[1,2,,3] !", "expected a non-negative integer at byte 5 of the text"},
    {"[1 2] !", "expected a non-negative integer at byte 3 of the text"},
    {"[12345678,-1] !", "expected a non-negative integer at byte 10 of the text"},
    {"[1,9007199254740993] !", "a number over 2^53 at byte 18 of the text"},
    {"[1,2,3", "the snapshot ends early, at byte 6 of its text"},
    {"[1,2,] !", "expected a non-negative integer at byte 5 of the text"},
};

static void refuses_what_is_no_number_array(numbers_fn run)
{
    for (size_t k = 0; k < sizeof refused / sizeof *refused; k++) {
        collected c = {0};
        char why[256];
        ck_assert_int_eq(tokenize(refused[k].text, run, &c, why, sizeof why), -1);
        ck_assert_str_eq(why, refused[k].why);
        free(c.values);
    }
}

START_TEST(inline_refuses_what_is_no_number_array)
{
    refuses_what_is_no_number_array(json_numbers);
}
END_TEST

START_TEST(piped_refuses_what_is_no_number_array)
{
    refuses_what_is_no_number_array(json_numbers_piped);
}
END_TEST

/* The sink's failure is the message, though the thread has read past it to bad text. */
START_TEST(piped_keeps_the_sinks_earlier_failure)
{
    uint64_t *expected;
    size_t count;
    char *text = many_numbers(&expected, &count);
    strcpy(text + strlen(text) - 3, ",x] !");
    collected c = {.fail_after = 5000};
    char why[256];
    ck_assert_int_eq(tokenize(text, json_numbers_piped, &c, why, sizeof why), -1);
    ck_assert_str_eq(why, "the sink stopped at 8192");
    collected all = {0};
    ck_assert_int_eq(tokenize(text, json_numbers_piped, &all, why, sizeof why), -1);
    char bad_byte[80];
    snprintf(bad_byte, sizeof bad_byte, "expected a non-negative integer at byte %zu of the text",
             strlen(text) - 4);
    ck_assert_str_eq(why, bad_byte);
    free(c.values), free(all.values), free(expected), free(text);
}
END_TEST

Suite *json_suite(void)
{
    Suite *s = suite_create("json");
    TCase *tc = tcase_create("numbers");
    tcase_add_test(tc, inline_reads_numbers_of_every_length);
    tcase_add_test(tc, piped_reads_numbers_of_every_length);
    tcase_add_test(tc, inline_refuses_what_is_no_number_array);
    tcase_add_test(tc, piped_refuses_what_is_no_number_array);
    tcase_add_test(tc, piped_keeps_the_sinks_earlier_failure);
    tcase_set_timeout(tc, 60);
    suite_add_tcase(s, tc);
    return s;
}
