/*
 * check_leaks.c: leak candidates (src/leaks.c) and the suggestions made of
 * them (src/suggest.c), on heaps shaped like real programs.
 */
#include <check.h>
#include <string.h>

#include "dominators.h"
#include "paths.h"
#include "report.h"
#include "suites.h"
#include "testdump.h"

#define HOLDER 0x1000u
#define AUDIT 0x2000u /* a list under the holder, with entries only it keeps */
#define BY_ID 0x3000u /* two dicts under the holder sharing the same users */
#define BY_NAME 0x4000u
#define ENTRIES 0x100000u
#define USERS 0x200000u
#define COUNT 200

typedef struct analysed {
    test_dump d;
    heap h;
    dominators dom;
    retention paths;
    report r;
} analysed;

/*
 * One holder object, rooted, with an audit list of COUNT entries of
 * `entry_size` bytes, and two dicts indexing the same COUNT users of
 * `user_size` bytes: neither dict dominates a user, the holder does.
 */
static void write_holder(test_dump *d, uint64_t entry_size, uint64_t user_size)
{
    test_dump_start(d, NULL);
    uint32_t holder = test_type(d, "app", "Repository"), list = test_type(d, "builtins", "list");
    uint32_t dict = test_type(d, "builtins", "dict"), tuple = test_type(d, "builtins", "tuple");
    uint32_t user = test_type(d, "app", "User");
    test_object(d, HOLDER, holder, 64);
    test_object(d, AUDIT, list, 1000);
    test_object(d, BY_ID, dict, 500);
    test_object(d, BY_NAME, dict, 500);
    for (uint64_t i = 0; i < COUNT; i++) {
        test_object(d, ENTRIES + 16 * i, tuple, entry_size);
        test_object(d, USERS + 16 * i, user, user_size);
    }
    test_ref(d, HOLDER, AUDIT);
    test_ref(d, HOLDER, BY_ID);
    test_ref(d, HOLDER, BY_NAME);
    for (uint64_t i = 0; i < COUNT; i++) {
        test_ref(d, AUDIT, ENTRIES + 16 * i);
        test_ref(d, BY_ID, USERS + 16 * i);
        test_ref(d, BY_NAME, USERS + 16 * i);
    }
    test_root(d, HOLDER, HEAPAN_ROOT_MODULE);
    test_dump_finish(d);
}

/* Loads a->d, written and finished, and builds its report. */
static void analyse_dump(analysed *a)
{
    ck_assert_int_eq(heap_load(&a->h, test_dump_reader(&a->d), NULL, NULL), 0);
    ck_assert_int_eq(dominators_compute(&a->h, &a->dom), 0);
    ck_assert_int_eq(dominators_build_tree(&a->dom), 0);
    ck_assert_int_eq(retention_compute(&a->h, &a->paths), 0);
    report_options o = {.top = 10};
    ck_assert_int_eq(report_build(&a->h, &a->dom, &a->paths, &o, &a->r), 0);
}

/* A heap written by the test itself: begin, then end with its one root. */
static void begin(analysed *a)
{
    memset(a, 0, sizeof *a);
    test_dump_start(&a->d, NULL);
}

static void end_rooted_at(analysed *a, uint64_t root)
{
    test_root(&a->d, root, HEAPAN_ROOT_MODULE);
    test_dump_finish(&a->d);
    analyse_dump(a);
}

static void analyse(analysed *a, uint64_t entry_size, uint64_t user_size)
{
    memset(a, 0, sizeof *a);
    write_holder(&a->d, entry_size, user_size);
    analyse_dump(a);
}

static void release(analysed *a)
{
    report_release(&a->r);
    retention_release(&a->paths);
    dominators_release(&a->dom);
    heap_release(&a->h);
    test_dump_release(&a->d);
}

static const leak_candidate *candidate_at(const analysed *a, uint64_t address)
{
    for (size_t i = 0; i < a->r.leak_count; i++)
        if (a->h.address[a->r.leaks[i].object] == address)
            return &a->r.leaks[i];
    return NULL;
}

/* The users (80% of the heap) are the holder's alone, beside the audit list it also holds. */
START_TEST(a_holder_is_a_finding_for_what_its_candidates_do_not_hold)
{
    analysed a;
    analyse(&a, 500, 4000);
    const leak_candidate *audit = candidate_at(&a, AUDIT), *holder = candidate_at(&a, HOLDER);
    ck_assert_ptr_nonnull(audit);
    ck_assert_int_eq(audit->kind, LEAK_ACCUMULATION);
    ck_assert_ptr_nonnull(holder);
    ck_assert_int_eq(holder->kind, LEAK_BIG_RETAINER);
    ck_assert_uint_eq(holder->retained_size, 64 + 1000 + 500 + 500 + COUNT * (500 + 4000));
    ck_assert_ptr_nonnull(strstr(holder->reason, "is outside the candidates it holds"));
    /* What it holds itself, the audit list's entries left to the list. */
    ck_assert_uint_ge(holder->type_count, 1);
    ck_assert_uint_eq(holder->types[0].count, COUNT);
    ck_assert_uint_eq(holder->types[0].retained_size, COUNT * 4000);
    for (size_t k = 0; k < holder->type_count; k++)
        ck_assert_uint_ne(holder->types[k].retained_size, COUNT * 500);
    ck_assert(holder->score > audit->score);
    release(&a);
}
END_TEST

/* The audit list is most of the holder: the list is the finding, the holder is not. */
START_TEST(a_holder_that_is_mostly_its_candidate_is_no_finding)
{
    analysed a;
    analyse(&a, 4000, 100);
    ck_assert_ptr_nonnull(candidate_at(&a, AUDIT));
    ck_assert_ptr_null(candidate_at(&a, HOLDER));
    release(&a);
}
END_TEST

/* A list of stored exceptions: each keeps its traceback, a frame and the frame's local. */
START_TEST(stored_exceptions_are_said_to_keep_their_tracebacks)
{
    analysed a;
    begin(&a);
    uint32_t list = test_type(&a.d, "builtins", "list");
    const char *chain[] = {"ValueError", "traceback", "frame", "bytearray"};
    uint64_t sizes[] = {72, 64, 400, 2048};
    uint32_t types[4];
    for (int k = 0; k < 4; k++)
        types[k] = test_type(&a.d, "builtins", chain[k]);
    test_object(&a.d, AUDIT, list, 1000);
    for (uint64_t i = 0; i < COUNT; i++) {
        uint64_t base = ENTRIES + 64 * i;
        for (uint64_t k = 0; k < 4; k++)
            test_object(&a.d, base + 16 * k, types[k], sizes[k]);
        test_ref(&a.d, AUDIT, base);
        for (uint64_t k = 0; k < 3; k++)
            test_ref(&a.d, base + 16 * k, base + 16 * (k + 1));
    }
    end_rooted_at(&a, AUDIT);
    const leak_candidate *errors = candidate_at(&a, AUDIT);
    ck_assert_ptr_nonnull(errors);
    ck_assert_ptr_nonnull(strstr(errors->reason, "each exception keeps its traceback alive"));
    release(&a);
}
END_TEST

/* @functools.cache: the wrapper's dict keeps every result; the suggestion names the decorator. */
START_TEST(an_unbounded_lru_cache_is_told_to_take_a_maxsize)
{
    analysed a;
    begin(&a);
    uint32_t wrapper = test_type(&a.d, "functools", "_lru_cache_wrapper");
    uint32_t dict = test_type(&a.d, "builtins", "dict"), str = test_type(&a.d, "builtins", "str");
    test_object(&a.d, HOLDER, wrapper, 120);
    test_object(&a.d, BY_ID, dict, 9000);
    test_ref(&a.d, HOLDER, BY_ID);
    for (uint64_t i = 0; i < COUNT; i++) {
        test_object(&a.d, ENTRIES + 16 * i, str, 1000);
        test_ref(&a.d, BY_ID, ENTRIES + 16 * i);
    }
    end_rooted_at(&a, HOLDER);
    const suggestion *cache = NULL;
    for (size_t i = 0; i < a.r.suggestion_count; i++)
        if (a.r.suggestions[i].kind == SUGGEST_BOUNDED_CACHE)
            cache = &a.r.suggestions[i];
    ck_assert_ptr_nonnull(cache);
    ck_assert_ptr_nonnull(strstr(cache->message, "functools.cache"));
    ck_assert_ptr_nonnull(strstr(cache->message, "@functools.lru_cache(maxsize=100)"));
    release(&a);
}
END_TEST

Suite *leaks_suite(void)
{
    Suite *s = suite_create("leaks");
    TCase *tc = tcase_create("leaks");
    tcase_add_test(tc, a_holder_is_a_finding_for_what_its_candidates_do_not_hold);
    tcase_add_test(tc, a_holder_that_is_mostly_its_candidate_is_no_finding);
    tcase_add_test(tc, stored_exceptions_are_said_to_keep_their_tracebacks);
    tcase_add_test(tc, an_unbounded_lru_cache_is_told_to_take_a_maxsize);
    suite_add_tcase(s, tc);
    return s;
}
