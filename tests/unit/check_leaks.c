/*
 * check_leaks.c: the report's findings (src/report/leaks.c), their causes
 * (src/report/causes.c), what they claim (src/report/story.c), their fixes
 * (src/report/fixes.c) and the savings made of them (src/report/suggest.c), on heaps
 * shaped like real programs.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/dominators.h"
#include "model/paths.h"
#include "report/report.h"
#include "suites.h"
#include "testdump.h"
#include "input/dumpload.h"

#define HOLDER 0x1000u
#define AUDIT 0x2000u /* a list under the holder, with entries only it keeps */
#define BY_ID 0x3000u /* two dicts under the holder sharing the same users */
#define BY_NAME 0x4000u
#define MODULE 0x5000u
#define NAMESPACE 0x6000u
#define CLASSES 0x10000u /* class objects, 0x100 apart */
#define ENTRIES 0x100000u
#define USERS 0x200000u
#define KEYS 0x300000u
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
        if (a->r.leaks[i].object != HEAP_NONE && a->h.address[a->r.leaks[i].object] == address)
            return &a->r.leaks[i];
    return NULL;
}

static const suggestion *suggestion_of(const analysed *a, suggestion_kind kind)
{
    for (size_t i = 0; i < a->r.suggestion_count; i++)
        if (a->r.suggestions[i].kind == kind)
            return &a->r.suggestions[i];
    return NULL;
}

/* The collector's state, as heapan-python records it, enabled or not. */
static void collector(test_dump *d, int enabled)
{
    test_property(d, 0, "gc.enabled", enabled, NULL);
    for (int g = 0; g < 3; g++)
        test_property(d, 0, "gc.threshold", g ? 10 : 700, NULL);
}

/* Classes at CLASSES: object, BaseException, Exception, and a class of the program. */
enum { OBJECT = CLASSES, BASE_EXCEPTION = CLASSES + 0x100, EXCEPTION = CLASSES + 0x200,
       VALUE_ERROR = CLASSES + 0x300, APP_CLASS = CLASSES + 0x400, LOGGER = CLASSES + 0x500 };

static uint32_t builtin_class(test_dump *d, const char *name, uint64_t at, const uint64_t *bases,
                              size_t n)
{
    return test_class(d, "builtins", name, at, HEAPAN_TYPE_BUILTIN, bases, n);
}

/* ---- structures ------------------------------------------------------------------- */

/* The users (80% of the heap) are the holder's alone, beside the audit list it also holds. */
START_TEST(a_holder_is_a_finding_for_what_its_candidates_do_not_hold)
{
    analysed a;
    analyse(&a, 500, 4000);
    const leak_candidate *audit = candidate_at(&a, AUDIT), *holder = candidate_at(&a, HOLDER);
    ck_assert_ptr_nonnull(audit);
    ck_assert_int_eq(audit->kind, LEAK_LARGE_COLLECTION);
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

/* One dump shows a size: a big list is a large collection, no leak, and gets no bounding advice. */
START_TEST(one_dump_claims_no_growth)
{
    analysed a;
    analyse(&a, 4000, 100);
    const leak_candidate *audit = candidate_at(&a, AUDIT);
    ck_assert_ptr_nonnull(audit);
    ck_assert_int_eq(audit->growth, GROWTH_UNKNOWN);
    ck_assert(!audit->leak);
    ck_assert_int_eq(audit->cause, CAUSE_NONE);
    ck_assert_ptr_null(strstr(audit->reason, "leak"));
    ck_assert_ptr_null(strstr(audit->reason, "grows"));
    ck_assert_uint_eq(audit->fix, SIZE_MAX);
    ck_assert_ptr_null(suggestion_of(&a, SUGGEST_DEQUE));
    ck_assert_ptr_null(suggestion_of(&a, SUGGEST_BOUNDED_CACHE));
    ck_assert(a.r.size_only);
    ck_assert_ptr_nonnull(report_limits_text(&a.r));
    release(&a);
}
END_TEST

/* Two findings whose labels are the same read differently all the same. */
START_TEST(two_findings_never_read_the_same_path)
{
    analysed a;
    begin(&a);
    uint32_t dict = test_type(&a.d, "builtins", "dict"), str = test_type(&a.d, "builtins", "str");
    test_object(&a.d, HOLDER, dict, 200);
    for (uint64_t k = 0; k < 2; k++) {
        uint64_t inner = BY_ID + 0x100 * k;
        test_object(&a.d, inner, dict, 5000);
        test_ref(&a.d, HOLDER, inner); /* unlabelled: a key that is no plain value */
        for (uint64_t i = 0; i < COUNT; i++) {
            test_object(&a.d, ENTRIES + 0x10000 * k + 16 * i, str, 400);
            test_ref(&a.d, inner, ENTRIES + 0x10000 * k + 16 * i);
        }
    }
    end_rooted_at(&a, HOLDER);
    ck_assert_uint_eq(a.r.leak_count, 2);
    ck_assert_ptr_nonnull(a.r.leaks[0].path_text);
    ck_assert_ptr_nonnull(a.r.leaks[1].path_text);
    ck_assert_str_ne(a.r.leaks[0].path_text, a.r.leaks[1].path_text);
    release(&a);
}
END_TEST

/* ---- causes ------------------------------------------------------------------------ */

/* A list of stored exceptions: each keeps its traceback, a frame and the frame's local. */
START_TEST(stored_exceptions_are_told_to_drop_their_tracebacks)
{
    analysed a;
    begin(&a);
    uint64_t object = OBJECT, base = BASE_EXCEPTION, exception = EXCEPTION;
    builtin_class(&a.d, "object", OBJECT, NULL, 0);
    builtin_class(&a.d, "BaseException", BASE_EXCEPTION, &object, 1);
    builtin_class(&a.d, "Exception", EXCEPTION, (uint64_t[]){base, object}, 2);
    uint32_t value_error = builtin_class(&a.d, "ValueError", VALUE_ERROR,
                                         (uint64_t[]){exception, base, object}, 3);
    uint32_t list = test_type(&a.d, "builtins", "list");
    uint32_t traceback = test_type(&a.d, "builtins", "traceback");
    uint32_t frame = test_type(&a.d, "builtins", "frame"), data = test_type(&a.d, "builtins", "bytearray");
    uint32_t types[4] = {value_error, traceback, frame, data};
    uint64_t sizes[] = {72, 64, 400, 2048};
    test_object(&a.d, AUDIT, list, 1000);
    for (uint64_t i = 0; i < COUNT; i++) {
        uint64_t at = ENTRIES + 64 * i;
        for (uint64_t k = 0; k < 4; k++)
            test_object(&a.d, at + 16 * k, types[k], sizes[k]);
        test_ref(&a.d, AUDIT, at);
        for (uint64_t k = 0; k < 3; k++)
            test_ref(&a.d, at + 16 * k, at + 16 * (k + 1));
    }
    end_rooted_at(&a, AUDIT);
    const leak_candidate *errors = candidate_at(&a, AUDIT);
    ck_assert_ptr_nonnull(errors);
    ck_assert_int_eq(errors->cause, CAUSE_STORED_EXCEPTIONS);
    ck_assert_ptr_nonnull(strstr(errors->cause_text, "traceback"));
    ck_assert(!errors->leak);
    ck_assert_uint_eq(errors->cause_bytes, COUNT * (64 + 400 + 2048));
    ck_assert_uint_gt(a.r.suggestion_count, 0);
    ck_assert_int_eq(a.r.suggestions[0].kind, SUGGEST_DROP_TRACEBACKS);
    ck_assert_uint_eq(a.r.suggestions[0].fixes, 0);
    ck_assert_uint_eq(a.r.suggestions[0].estimated_savings, COUNT * (64 + 400 + 2048));
    ck_assert_ptr_nonnull(strstr(a.r.suggestions[0].example, "except ValueError"));
    release(&a);
}
END_TEST

/* The functools cache of `name` in module MODULE, its dict at BY_ID with COUNT results. */
static void write_function_cache(analysed *a, int64_t hits, int64_t misses)
{
    uint32_t module = test_type(&a->d, "builtins", "module");
    uint32_t wrapper = test_type(&a->d, "functools", "_lru_cache_wrapper");
    uint32_t dict = test_type(&a->d, "builtins", "dict"), str = test_type(&a->d, "builtins", "str");
    test_object(&a->d, MODULE, module, 72);
    test_object(&a->d, NAMESPACE, dict, 600);
    test_labelled_ref(&a->d, MODULE, NAMESPACE, HEAPAN_LABEL_FIELD, "__dict__", 0);
    test_labelled_ref(&a->d, NAMESPACE, HOLDER, HEAPAN_LABEL_KEY, "render", 0);
    test_object(&a->d, HOLDER, wrapper, 120);
    test_object(&a->d, BY_ID, dict, 9000);
    test_labelled_ref(&a->d, HOLDER, BY_ID, HEAPAN_LABEL_FIELD, "cache", 0);
    for (uint64_t i = 0; i < COUNT; i++) {
        test_object(&a->d, ENTRIES + 16 * i, str, 1000);
        test_labelled_ref(&a->d, BY_ID, ENTRIES + 16 * i, HEAPAN_LABEL_INT_KEY, NULL, (int64_t)i);
    }
    if (hits >= 0) {
        test_property(&a->d, HOLDER, "lru_cache.hits", hits, NULL);
        test_property(&a->d, HOLDER, "lru_cache.misses", misses, NULL);
        test_property(&a->d, HOLDER, "lru_cache.maxsize", -1, NULL);
    }
}

/* A functools.cache whose counters show no hit grows with every call: proven in the dump. */
START_TEST(a_cache_that_never_hits_is_a_leak_proven_in_the_dump)
{
    analysed a;
    begin(&a);
    write_function_cache(&a, 0, COUNT);
    end_rooted_at(&a, MODULE);
    const leak_candidate *cache = candidate_at(&a, BY_ID);
    ck_assert_ptr_nonnull(cache);
    ck_assert_int_eq(cache->cause, CAUSE_FUNCTION_CACHE);
    ck_assert_int_eq(cache->growth, GROWTH_IN_DUMP);
    ck_assert(cache->leak);
    ck_assert_str_eq(cache->member_name, "render");
    ck_assert_int_eq(a.r.suggestions[0].kind, SUGGEST_BOUNDED_CACHE);
    ck_assert_ptr_nonnull(strstr(a.r.suggestions[0].message, "Remove the cache on render()"));
    ck_assert_ptr_nonnull(strstr(a.r.suggestions[0].example, "def render("));
    release(&a);
}
END_TEST

/* A cache that hits is named, but neither called a leak nor told to be bounded. */
START_TEST(a_cache_that_hits_gets_no_bounding_advice)
{
    for (int counters = 0; counters < 2; counters++) {
        analysed a;
        begin(&a);
        write_function_cache(&a, counters ? 5000 : -1, COUNT);
        end_rooted_at(&a, MODULE);
        const leak_candidate *cache = candidate_at(&a, BY_ID);
        ck_assert_ptr_nonnull(cache);
        ck_assert_int_eq(cache->cause, CAUSE_FUNCTION_CACHE);
        ck_assert(!cache->leak);
        ck_assert_ptr_nonnull(strstr(cache->cause_text, "render()"));
        ck_assert_ptr_null(suggestion_of(&a, SUGGEST_BOUNDED_CACHE));
        release(&a);
    }
}
END_TEST

/*
 * functools.cache on a method: the class Document holds the wrapper in its
 * namespace, and each key of its dict is a tuple whose first item is a
 * Document.  Duplicate strings in the results would save a lot, but the
 * fix frees them: the cache's fix comes first, and the saving is folded in.
 */
START_TEST(a_cache_on_a_method_is_named_and_its_fix_comes_first)
{
    analysed a;
    begin(&a);
    uint64_t object = OBJECT;
    builtin_class(&a.d, "object", OBJECT, NULL, 0);
    uint32_t document = test_class(&a.d, "app", "Document", APP_CLASS, HEAPAN_TYPE_HAS_DICT,
                                   &object, 1);
    uint32_t module = test_type(&a.d, "builtins", "module");
    uint32_t wrapper = test_type(&a.d, "functools", "_lru_cache_wrapper");
    uint32_t dict = test_type(&a.d, "builtins", "dict"), tuple = test_type(&a.d, "builtins", "tuple");
    uint32_t str = test_type(&a.d, "builtins", "str");
    test_object(&a.d, MODULE, module, 72);
    test_object(&a.d, NAMESPACE, dict, 600);
    test_labelled_ref(&a.d, MODULE, NAMESPACE, HEAPAN_LABEL_FIELD, "__dict__", 0);
    test_labelled_ref(&a.d, NAMESPACE, APP_CLASS, HEAPAN_LABEL_KEY, "Document", 0);
    test_object(&a.d, APP_CLASS + 0x40, dict, 300); /* the class's namespace */
    test_labelled_ref(&a.d, APP_CLASS, APP_CLASS + 0x40, HEAPAN_LABEL_FIELD, "__dict__", 0);
    test_labelled_ref(&a.d, APP_CLASS + 0x40, HOLDER, HEAPAN_LABEL_KEY, "tokens", 0);
    test_object(&a.d, HOLDER, wrapper, 120);
    test_object(&a.d, BY_ID, dict, 9000);
    test_labelled_ref(&a.d, HOLDER, BY_ID, HEAPAN_LABEL_FIELD, "cache", 0);
    for (uint64_t i = 0; i < COUNT; i++) {
        uint64_t key = KEYS + 16 * i, self = USERS + 16 * i, result = ENTRIES + 16 * i;
        test_object(&a.d, key, tuple, 56);
        test_object(&a.d, self, document, 48);
        /* equal results: interning would save all but one, had the cache not held them */
        heapan_object copy = {.address = result, .type = str, .size = 3000, .refcount = 1,
                              .flags = HEAPAN_OBJ_HAS_HASH, .value_hash = 42};
        ck_assert_int_eq(heapan_writer_object(a.d.w, &copy), HEAPAN_OK);
        test_labelled_ref(&a.d, BY_ID, key, HEAPAN_LABEL_DICT_KEY, NULL, 0);
        test_ref(&a.d, BY_ID, result);
        test_labelled_ref(&a.d, key, self, HEAPAN_LABEL_INDEX, NULL, 0);
    }
    test_property(&a.d, HOLDER, "lru_cache.hits", 0, NULL);
    test_property(&a.d, HOLDER, "lru_cache.misses", COUNT, NULL);
    test_property(&a.d, HOLDER, "lru_cache.maxsize", -1, NULL);
    end_rooted_at(&a, MODULE);
    const leak_candidate *cache = candidate_at(&a, BY_ID);
    ck_assert_ptr_nonnull(cache);
    ck_assert_int_eq(cache->cause, CAUSE_METHOD_CACHE);
    ck_assert_str_eq(cache->class_name, "app.Document");
    ck_assert_str_eq(cache->member_name, "tokens");
    ck_assert_uint_eq(cache->cause_count, COUNT);
    ck_assert_ptr_nonnull(strstr(cache->cause_text, "B019"));
    ck_assert_int_eq(a.r.suggestions[0].kind, SUGGEST_METHOD_CACHE);
    ck_assert_str_eq(a.r.suggestions[0].target, "app.Document.tokens");
    ck_assert_ptr_nonnull(strstr(a.r.suggestions[0].example, "class Document:"));
    ck_assert_ptr_nonnull(strstr(a.r.suggestions[0].example, "def tokens(self"));
    ck_assert_ptr_null(suggestion_of(&a, SUGGEST_INTERN_STRINGS));
    ck_assert_ptr_nonnull(a.r.suggestions[0].note);
    ck_assert_ptr_nonnull(strstr(a.r.suggestions[0].note, "intern_strings"));
    release(&a);
}
END_TEST

/* A set of finished asyncio tasks, and the WeakSet that indexes the same tasks, folded in. */
START_TEST(finished_tasks_are_named_and_their_weak_index_folded)
{
    analysed a;
    begin(&a);
    uint32_t set = test_type(&a.d, "builtins", "set"), task = test_type(&a.d, "_asyncio", "Task");
    uint32_t ref = test_type(&a.d, "weakref", "ReferenceType"), dict = test_type(&a.d, "builtins", "dict");
    test_object(&a.d, HOLDER, dict, 200);
    test_object(&a.d, BY_ID, set, 8000);
    test_object(&a.d, BY_NAME, set, 8000);
    test_labelled_ref(&a.d, HOLDER, BY_ID, HEAPAN_LABEL_KEY, "background", 0);
    test_labelled_ref(&a.d, HOLDER, BY_NAME, HEAPAN_LABEL_KEY, "_all_tasks", 0);
    for (uint64_t i = 0; i < COUNT; i++) {
        uint64_t t = ENTRIES + 16 * i, w = USERS + 16 * i, result = KEYS + 16 * i;
        test_object(&a.d, t, task, 200);
        test_object(&a.d, result, dict, 2000);
        test_object(&a.d, w, ref, 400);
        test_property(&a.d, t, "future.state", 0, "FINISHED");
        test_ref(&a.d, BY_ID, t);
        test_labelled_ref(&a.d, t, result, HEAPAN_LABEL_FIELD, "_result", 0);
        test_ref(&a.d, BY_NAME, w);
        heapan_ref weak = {.from = w, .to = t, .weak = 1};
        ck_assert_int_eq(heapan_writer_ref(a.d.w, &weak), HEAPAN_OK);
    }
    end_rooted_at(&a, HOLDER);
    const leak_candidate *tasks = candidate_at(&a, BY_ID);
    ck_assert_ptr_nonnull(tasks);
    ck_assert_int_eq(tasks->cause, CAUSE_FINISHED_TASKS);
    ck_assert_uint_eq(tasks->cause_count, COUNT);
    ck_assert_ptr_null(candidate_at(&a, BY_NAME));
    ck_assert_uint_eq(tasks->folded_count, 1);
    ck_assert_int_eq(a.r.suggestions[0].kind, SUGGEST_DONE_TASKS);
    ck_assert_ptr_nonnull(strstr(a.r.suggestions[0].example, "background.discard"));
    release(&a);
}
END_TEST

/* Loggers named by request ids in logging's registry: a logger made per request. */
START_TEST(loggers_made_per_request_are_named)
{
    analysed a;
    begin(&a);
    uint64_t object = OBJECT;
    builtin_class(&a.d, "object", OBJECT, NULL, 0);
    uint32_t logger = test_class(&a.d, "logging", "Logger", LOGGER, HEAPAN_TYPE_HAS_DICT, &object, 1);
    uint32_t dict = test_type(&a.d, "builtins", "dict");
    test_object(&a.d, HOLDER, dict, 20000);
    for (uint64_t i = 0; i < COUNT; i++) {
        char name[64];
        snprintf(name, sizeof name, "app.request.%llu", (unsigned long long)(1000 + 37 * i));
        test_object(&a.d, ENTRIES + 16 * i, logger, 600);
        test_labelled_ref(&a.d, HOLDER, ENTRIES + 16 * i, HEAPAN_LABEL_KEY, name, 0);
    }
    end_rooted_at(&a, HOLDER);
    const leak_candidate *loggers = candidate_at(&a, HOLDER);
    ck_assert_ptr_nonnull(loggers);
    ck_assert_int_eq(loggers->cause, CAUSE_LOGGERS);
    ck_assert_str_eq(loggers->key_pattern, "app.request.*");
    ck_assert_int_eq(a.r.suggestions[0].kind, SUGGEST_SHARED_LOGGER);
    ck_assert_ptr_nonnull(strstr(a.r.suggestions[0].example, "getLogger(\"app.request\")"));
    release(&a);
}
END_TEST

/* ---- garbage ----------------------------------------------------------------------- */

/* COUNT pairs of nodes pointing at each other, no root reaching them. */
static void write_cycles(analysed *a, int enabled)
{
    uint32_t node = test_type(&a->d, "app", "Node"), list = test_type(&a->d, "builtins", "list");
    if (enabled >= 0)
        collector(&a->d, enabled);
    test_object(&a->d, HOLDER, list, 100);
    for (uint64_t i = 0; i < COUNT; i++) {
        test_object(&a->d, ENTRIES + 32 * i, node, 2000);
        test_object(&a->d, ENTRIES + 32 * i + 16, node, 2000);
        test_ref(&a->d, ENTRIES + 32 * i, ENTRIES + 32 * i + 16);
        test_ref(&a->d, ENTRIES + 32 * i + 16, ENTRIES + 32 * i);
    }
}

/* With the collector on, cycles wait for it: a line in the summary, no finding. */
START_TEST(cycles_the_collector_will_free_are_no_finding)
{
    for (int enabled = -1; enabled <= 1; enabled += 2) {
        analysed a;
        begin(&a);
        write_cycles(&a, enabled);
        end_rooted_at(&a, HOLDER);
        ck_assert_uint_eq(a.r.leak_count, 0);
        ck_assert_uint_eq(a.r.pending_objects, 2 * COUNT);
        char *text = report_pending_text(&a.r);
        ck_assert_ptr_nonnull(text);
        ck_assert_ptr_nonnull(strstr(text, enabled > 0 ? "await the next collection"
                                                        : "does not record whether"));
        free(text);
        release(&a);
    }
}
END_TEST

/* With the collector off, the same cycles are a leak the dump proves, and its fix comes first. */
START_TEST(cycles_with_the_collector_off_are_a_proven_leak)
{
    analysed a;
    begin(&a);
    write_cycles(&a, 0);
    end_rooted_at(&a, HOLDER);
    ck_assert_uint_eq(a.r.leak_count, 1);
    const leak_candidate *garbage = &a.r.leaks[0];
    ck_assert_int_eq(garbage->kind, LEAK_GARBAGE);
    ck_assert_int_eq(garbage->cause, CAUSE_GC_DISABLED);
    ck_assert(garbage->leak);
    ck_assert_int_eq(a.r.suggestions[0].kind, SUGGEST_COLLECT_GARBAGE);
    ck_assert_ptr_nonnull(strstr(a.r.suggestions[0].message, "gc.enable()"));
    ck_assert_uint_eq(a.r.pending_objects, 0);
    release(&a);
}
END_TEST

Suite *leaks_suite(void)
{
    Suite *s = suite_create("leaks");
    TCase *tc = tcase_create("leaks");
    tcase_add_test(tc, a_holder_is_a_finding_for_what_its_candidates_do_not_hold);
    tcase_add_test(tc, a_holder_that_is_mostly_its_candidate_is_no_finding);
    tcase_add_test(tc, one_dump_claims_no_growth);
    tcase_add_test(tc, two_findings_never_read_the_same_path);
    tcase_add_test(tc, stored_exceptions_are_told_to_drop_their_tracebacks);
    tcase_add_test(tc, a_cache_that_never_hits_is_a_leak_proven_in_the_dump);
    tcase_add_test(tc, a_cache_that_hits_gets_no_bounding_advice);
    tcase_add_test(tc, a_cache_on_a_method_is_named_and_its_fix_comes_first);
    tcase_add_test(tc, finished_tasks_are_named_and_their_weak_index_folded);
    tcase_add_test(tc, loggers_made_per_request_are_named);
    tcase_add_test(tc, cycles_the_collector_will_free_are_no_finding);
    tcase_add_test(tc, cycles_with_the_collector_off_are_a_proven_leak);
    suite_add_tcase(s, tc);
    return s;
}
