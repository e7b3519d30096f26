/*
 * check_trace_link.c: what a trace adds to a report (src/trace/advice.c,
 * src/trace/link.c): sites' curves, the time-based suggestions, and leak
 * candidates matched to the sites that allocated their objects.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "model/paths.h"
#include "report/report.h"
#include "suites.h"
#include "testdump.h"
#include "trace/trace.h"
#include "trace/advice.h"
#include "trace/link.h"
#include "input/dumpload.h"

#define ENTRIES 150
#define ENTRY_SIZE 20000
#define LIST 0x500010ull     /* the list object; its block starts 16 bytes before */
#define ENTRY(i) (0x900000ull + (uint64_t)(i) * 0x10000)
#define MODULE 0x400000ull

enum { LEAK, LIST_ALLOC, LISTCOMP, BUFFERS, STACKS };
static uint32_t stacks[STACKS];

static uint32_t stack_at(test_dump *d, const char *function, uint32_t line)
{
    uint32_t frame = heapan_writer_frame(d->w, test_string(d, "app.py"), test_string(d, function), line);
    return heapan_writer_stack(d->w, 0, frame);
}

static void alloc(test_dump *d, int site, uint64_t t, uint64_t address, uint64_t size)
{
    heapan_alloc a = {.time_us = t, .address = address, .size = size, .stack = stacks[site],
                      .thread = 1};
    ck_assert_int_eq(heapan_writer_alloc_event(d->w, &a), HEAPAN_OK);
}

static void release(test_dump *d, uint64_t t, uint64_t address)
{
    heapan_free f = {.time_us = t, .address = address};
    ck_assert_int_eq(heapan_writer_free_event(d->w, &f), HEAPAN_OK);
}

/*
 * A list filled with one 20 000-byte entry per millisecond (the leak);
 * meanwhile a list comprehension builds and drops 100 000 bytes each
 * step, and a reader takes 20 buffers of 1 MiB, each freed at once.
 */
static void write_trace(test_dump *d)
{
    test_trace_start(d, 0);
    stacks[LEAK] = stack_at(d, "handle", 9);
    stacks[LIST_ALLOC] = stack_at(d, "<module>", 3);
    stacks[LISTCOMP] = stack_at(d, "handle.<locals>.<listcomp>", 6);
    stacks[BUFFERS] = stack_at(d, "read_chunks", 20);
    alloc(d, LIST_ALLOC, 0, LIST - 16, 56);
    for (int i = 0; i < ENTRIES; i++) {
        uint64_t t = 1000 * (uint64_t)(i + 1);
        alloc(d, LISTCOMP, t, 0x7000000, 100000);
        alloc(d, LEAK, t + 1, ENTRY(i), ENTRY_SIZE);
        release(d, t + 2, 0x7000000);
        if (i < 20) {
            alloc(d, BUFFERS, t + 3, 0x8000000, 1 << 20);
            release(d, t + 4, 0x8000000);
        }
    }
    test_dump_finish(d);
}

/* module -> list -> ENTRIES bytearrays, as the process held them at the end. */
static void write_heap(test_dump *d)
{
    test_dump_start(d, NULL);
    uint32_t module = test_type(d, "builtins", "module");
    heapan_type list_type = {.name = test_string(d, "list"), .module = test_string(d, "builtins"),
                             .flags = HEAPAN_TYPE_BUILTIN | HEAPAN_TYPE_CONTAINER |
                                      HEAPAN_TYPE_SEQUENCE};
    uint32_t list = heapan_writer_type(d->w, &list_type);
    uint32_t bytearray = test_type(d, "builtins", "bytearray");
    test_object(d, MODULE, module, 100);
    test_ref(d, MODULE, LIST);
    test_object(d, LIST, list, 1400);
    for (int i = 0; i < ENTRIES; i++)
        test_ref(d, LIST, ENTRY(i));
    for (int i = 0; i < ENTRIES; i++)
        test_object(d, ENTRY(i), bytearray, ENTRY_SIZE);
    test_root(d, MODULE, HEAPAN_ROOT_MODULE);
    test_dump_finish(d);
}

static void load_trace(test_dump *d, trace *t)
{
    write_trace(d);
    ck_assert_int_eq(trace_load(t, test_dump_reader(d)), 0);
}

START_TEST(a_site_curve_follows_its_live_bytes)
{
    test_dump d;
    trace t;
    load_trace(&d, &t);
    uint64_t curve[TRACE_CURVE_POINTS];
    size_t n = trace_site_curve(&t, stacks[LEAK], curve);
    ck_assert_uint_ge(n, TRACE_CURVE_POINTS / 2 + 1);  /* 150 ms in steps that fit 32 */
    ck_assert_uint_eq(curve[n - 1], (uint64_t)ENTRIES * ENTRY_SIZE);
    for (size_t k = 1; k < n; k++)
        ck_assert_uint_ge(curve[k], curve[k - 1]);
    ck_assert_uint_lt(curve[n / 2], curve[n - 1]);
    n = trace_site_curve(&t, stacks[LISTCOMP], curve);
    ck_assert_uint_eq(curve[n - 1], 0);
    trace_release(&t);
    test_dump_release(&d);
}
END_TEST

START_TEST(rebuilt_comprehensions_and_churned_buffers_get_advice)
{
    test_dump d;
    trace t;
    load_trace(&d, &t);
    trace_advice advice[4];
    size_t n = trace_find_advice(&t, advice, 4);
    ck_assert_uint_eq(n, 2);
    ck_assert_int_eq(advice[0].kind, ADVICE_GENERATOR);
    ck_assert_uint_eq(advice[0].stack, stacks[LISTCOMP]);
    ck_assert_uint_eq(advice[0].saving, 100000);  /* one list is live at the peak */
    ck_assert_int_eq(advice[1].kind, ADVICE_REUSE_BUFFER);
    ck_assert_uint_eq(advice[1].stack, stacks[BUFFERS]);
    ck_assert_uint_eq(advice[1].churn, 19u << 20);
    char *message = trace_advice_message(&t, &advice[1]);
    ck_assert_ptr_nonnull(strstr(message, "20 buffers of 1.0 MiB"));
    free(message);
    trace_release(&t);
    test_dump_release(&d);
}
END_TEST

typedef struct joined {
    test_dump dump_file, trace_file;
    heap h;
    dominators dom;
    retention paths;
    report r;
    trace t;
    const trace_link *link; /* the report's */
} joined;

static void join(joined *j, uint64_t dump_pid)
{
    memset(j, 0, sizeof *j);
    write_heap(&j->dump_file);
    ck_assert_int_eq(heap_load(&j->h, test_dump_reader(&j->dump_file), NULL, NULL), 0);
    j->h.header.pid = dump_pid;
    ck_assert_int_eq(dominators_compute(&j->h, &j->dom), 0);
    ck_assert_int_eq(dominators_build_tree(&j->dom), 0);
    ck_assert_int_eq(retention_compute(&j->h, &j->paths), 0);
    load_trace(&j->trace_file, &j->t);
    report_options o = {.top = 10, .big_share = 0.2, .trace = &j->t};
    ck_assert_int_eq(report_build(&j->h, &j->dom, &j->paths, &o, &j->r), 0);
    j->link = j->r.link;
    ck_assert_ptr_nonnull(j->link);
}

static void unjoin(joined *j)
{
    report_release(&j->r);
    retention_release(&j->paths);
    dominators_release(&j->dom);
    heap_release(&j->h);
    trace_release(&j->t);
    test_dump_release(&j->dump_file);
    test_dump_release(&j->trace_file);
}

START_TEST(a_leak_candidate_gets_the_site_that_allocated_its_objects)
{
    joined j;
    join(&j, 7);  /* the trace's pid */
    ck_assert(j.link->same_process);
    ck_assert_uint_ge(j.r.leak_count, 1);
    ck_assert_uint_eq(j.h.address[j.r.leaks[0].object], LIST);
    const leak_origin *o = &j.link->origins[j.r.leaks[0].origin];
    ck_assert_uint_eq(o->objects, ENTRIES + 1);
    ck_assert_uint_eq(o->matched, ENTRIES + 1);  /* the list itself through its GC header */
    ck_assert_uint_eq(o->site_count, 2);
    ck_assert_uint_eq(o->sites[0].stack, stacks[LEAK]);
    ck_assert_uint_eq(o->sites[0].objects, ENTRIES);
    ck_assert_uint_eq(o->sites[0].bytes, (uint64_t)ENTRIES * ENTRY_SIZE);
    ck_assert_uint_eq(o->sites[1].stack, stacks[LIST_ALLOC]);
    ck_assert_uint_ge(j.link->growing_count, 1);
    ck_assert_uint_eq(j.link->growing[0], stacks[LEAK]);
    /* The sites that filled the list grow: the trace proves the leak, and bounding it comes first. */
    ck_assert_int_eq(j.r.leaks[0].growth, GROWTH_TRACE);
    ck_assert(j.r.leaks[0].leak);
    ck_assert_int_eq(j.r.suggestions[0].kind, SUGGEST_DEQUE);
    ck_assert_uint_eq(j.r.suggestions[0].fixes, 0);
    int generator = 0;
    for (size_t i = 0; i < j.r.suggestion_count; i++)
        generator |= j.r.suggestions[i].kind == SUGGEST_GENERATOR &&
                     strstr(j.r.suggestions[i].target, "<listcomp>") != NULL;
    ck_assert(generator);
    unjoin(&j);
}
END_TEST

START_TEST(a_trace_of_another_process_matches_no_object)
{
    joined j;
    join(&j, 99);
    ck_assert(!j.link->same_process);
    ck_assert_uint_eq(j.link->origins[0].objects, 0);
    ck_assert_uint_eq(j.link->growing[0], stacks[LEAK]);  /* still listed */
    ck_assert_int_eq(j.r.leaks[0].growth, GROWTH_UNKNOWN);
    ck_assert(!j.r.leaks[0].leak);
    unjoin(&j);
}
END_TEST

Suite *trace_link_suite(void)
{
    Suite *s = suite_create("trace_link");
    TCase *tc = tcase_create("trace_link");
    tcase_add_test(tc, a_site_curve_follows_its_live_bytes);
    tcase_add_test(tc, rebuilt_comprehensions_and_churned_buffers_get_advice);
    tcase_add_test(tc, a_leak_candidate_gets_the_site_that_allocated_its_objects);
    tcase_add_test(tc, a_trace_of_another_process_matches_no_object);
    suite_add_tcase(s, tc);
    return s;
}
