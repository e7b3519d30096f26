/*
 * check_trace.c: replaying allocation traces (src/trace/trace.c) against a
 * brute-force replay: the peak, each site's bytes live at the peak and at
 * the end, growth, and the weights of a sampled trace.
 */
#include <check.h>
#include <math.h>
#include <string.h>

#include "suites.h"
#include "testdump.h"
#include "trace/trace.h"

#define SITES 4
#define EVENTS 6000  /* make_events() writes at most 5 per step, 1000 steps */

typedef struct event {
    int is_free, site;
    uint64_t time_us, address, size;
} event;

static uint32_t stacks[SITES];

static void write_events(test_dump *d, const event *events, int count)
{
    uint32_t file = test_string(d, "app.py"), fn = test_string(d, "work");
    for (int s = 0; s < SITES; s++)
        stacks[s] = heapan_writer_stack(d->w, 0, heapan_writer_frame(d->w, file, fn, 10 + s));
    int failures = 0;
    for (int i = 0; i < count; i++) {
        const event *e = &events[i];
        if (e->is_free) {
            heapan_free f = {.time_us = e->time_us, .address = e->address};
            failures += heapan_writer_free_event(d->w, &f) != HEAPAN_OK;
        } else {
            heapan_alloc a = {.time_us = e->time_us, .address = e->address, .size = e->size,
                              .stack = stacks[e->site], .thread = 1};
            failures += heapan_writer_alloc_event(d->w, &a) != HEAPAN_OK;
        }
    }
    ck_assert_int_eq(failures, 0);
}

/*
 * Site 0 leaks steadily, site 1 churns, site 2 makes one short-lived big
 * block (the peak), site 3 frees half of what it takes.
 */
static int make_events(event *events)
{
    int n = 0;
    ck_assert_int_ge(EVENTS, 5 * 1000);
    uint64_t next_address = 0x10000;
    uint64_t open_churn = 0, open_half = 0;
    for (int step = 0; step < 1000; step++) {
        uint64_t t = (uint64_t)step * 1000;
        events[n++] = (event){0, 0, t, next_address += 64, 100};
        if (open_churn)
            events[n++] = (event){1, 1, t + 1, open_churn, 0};
        events[n++] = (event){0, 1, t + 2, open_churn = (next_address += 64), 5000};
        if (step == 500)
            events[n++] = (event){0, 2, t + 3, 0x9000000, 400000};
        if (step == 520)
            events[n++] = (event){1, 2, t + 3, 0x9000000, 0};
        if (step % 2 && open_half)
            events[n++] = (event){1, 3, t + 4, open_half, 0};
        else
            events[n++] = (event){0, 3, t + 4, open_half = (next_address += 64), 300};
    }
    return n;
}

/* The obvious replay: live bytes per site after every event. */
static void brute_force(const event *events, int n, uint64_t *peak, uint64_t at_peak[SITES],
                        uint64_t at_end[SITES])
{
    uint64_t live[SITES] = {0}, total = 0;
    *peak = 0;
    for (int i = 0; i < n; i++) {
        const event *e = &events[i];
        uint64_t size = e->size;
        if (e->is_free) {
            for (int k = i - 1; k >= 0; k--)
                if (!events[k].is_free && events[k].address == e->address) {
                    size = events[k].size;
                    break;
                }
            live[e->site] -= size;
            total -= size;
        } else {
            live[e->site] += size;
            total += size;
        }
        if (total > *peak) {
            *peak = total;
            memcpy(at_peak, live, sizeof live);
        }
    }
    memcpy(at_end, live, sizeof live);
}

static void load(test_dump *d, trace *t)
{
    test_dump_finish(d);
    ck_assert_int_eq(trace_load(t, test_dump_reader(d)), 0);
    ck_assert_int_eq(t->status, HEAPAN_END);
}

START_TEST(the_peak_and_each_site_agree_with_a_brute_force_replay)
{
    static event events[EVENTS];
    int n = make_events(events);
    uint64_t peak, at_peak[SITES], at_end[SITES];
    brute_force(events, n, &peak, at_peak, at_end);
    test_dump d;
    test_trace_start(&d, 0);
    write_events(&d, events, n);
    trace t;
    load(&d, &t);
    ck_assert_uint_eq(t.peak, peak);
    for (int s = 0; s < SITES; s++) {
        const trace_site *site = &t.sites[stacks[s]];
        ck_assert_msg(site->live_at_peak == at_peak[s], "site %d: %llu at peak, expected %llu", s,
                      (unsigned long long)site->live_at_peak, (unsigned long long)at_peak[s]);
        ck_assert_uint_eq(site->live, at_end[s]);
    }
    ck_assert_uint_eq(t.peak_time_us, 519000);  /* the last leak step before the big block goes */
    /* Site 0 gains 100 bytes a millisecond, steadily; site 1 does not grow. */
    ck_assert_double_eq_tol(t.sites[stacks[0]].growth, 1e5, 1e3);
    ck_assert_double_ge(t.sites[stacks[0]].fit, 0.99);
    ck_assert_double_lt(fabs(t.sites[stacks[1]].growth), 100.0);
    uint32_t top[SITES];
    ck_assert_uint_ge(trace_top_sites(&t, 3, top, SITES), 1);
    ck_assert_uint_eq(top[0], stacks[0]);
    char name[64];
    ck_assert_str_eq(trace_site_name(&t, stacks[2], name, sizeof name), "app.py:12 in work");
    trace_release(&t);
    test_dump_release(&d);
}
END_TEST

/* A sampled allocation of s bytes stands for s / (1 - exp(-s / T)). */
START_TEST(a_sampled_trace_weighs_each_allocation_up)
{
    event events[2] = {{0, 0, 1, 0x100, 100}, {0, 1, 2, 0x200, 1000000}};
    test_dump d;
    test_trace_start(&d, 512 * 1024);
    write_events(&d, events, 2);
    trace t;
    load(&d, &t);
    double small = 100 / -expm1(-100.0 / (512 * 1024)), big = 1e6 / -expm1(-1e6 / (512 * 1024));
    ck_assert_uint_eq(t.sites[stacks[0]].live, (uint64_t)(small + 0.5));
    ck_assert_uint_eq(t.sites[stacks[1]].live, (uint64_t)(big + 0.5));
    ck_assert_uint_gt(t.sites[stacks[0]].live, 500000);  /* one in ~5000 of such: it stands for many */
    trace_release(&t);
    test_dump_release(&d);
}
END_TEST

Suite *trace_suite(void)
{
    Suite *s = suite_create("trace");
    TCase *tc = tcase_create("replay");
    tcase_add_test(tc, the_peak_and_each_site_agree_with_a_brute_force_replay);
    tcase_add_test(tc, a_sampled_trace_weighs_each_allocation_up);
    suite_add_tcase(s, tc);
    return s;
}
