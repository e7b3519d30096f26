/*
 * causes.c: what a finding is, in Python terms.  Each rule reads the
 * layout of CPython's own objects and of the standard library's classes:
 * a functools cache wrapper and its dict, asyncio futures and their
 * state, exceptions and their tracebacks, logging's registry of loggers,
 * a class's namespace.  None looks for a name the program chose; the
 * names it finds (a class, a method, a logger's) are only quoted.
 *
 * A cause says what the structure is and what usually follows from it.
 * It claims no growth: story.c decides that from the evidence.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "report/report.h"
#include "textout.h"
#include "model/sort.h"

#define LOGGERS_MIN 100  /* loggers sharing a name pattern before they are a cause */

/* The entries of collection v, values not keys, strong only: calls visit(ctx, entry). */
static void each_entry(const heap *h, uint32_t v, void (*visit)(void *ctx, uint32_t entry),
                       void *ctx)
{
    uint32_t end = h->out_start[v] + h->out_count[v];
    for (uint32_t e = h->out_start[v]; e < end; e++)
        if (!(h->out_target[e] & HEAP_WEAK_BIT) && h->out_label_kind[e] != HEAPAN_LABEL_DICT_KEY)
            visit(ctx, h->out_target[e] & HEAP_INDEX_MASK);
}

/* The target of v's reference labelled FIELD `name`, or HEAP_NONE. */
static uint32_t field_of(const heap *h, uint32_t v, const char *name)
{
    for (uint32_t e = h->out_start[v]; e < h->out_start[v] + h->out_count[v]; e++)
        if (h->out_label_kind[e] == HEAPAN_LABEL_FIELD &&
            strcmp(heap_string(h, h->out_label[e], NULL), name) == 0)
            return h->out_target[e] & HEAP_INDEX_MASK;
    return HEAP_NONE;
}

/* The item at index `i` of tuple or list v, or HEAP_NONE. */
static uint32_t item_of(const heap *h, uint32_t v, int64_t i)
{
    for (uint64_t e = h->out_start[v]; e < (uint64_t)h->out_start[v] + h->out_count[v]; e++)
        if (h->out_label_kind[e] == HEAPAN_LABEL_INDEX && heap_label_number(h, e) == i)
            return h->out_target[e] & HEAP_INDEX_MASK;
    return HEAP_NONE;
}

/*
 * Is v held as an entry of a class's or a module's namespace?  *owner gets
 * the class or module, *name the entry's key (a string id).
 */
static int namespace_entry(const report *r, uint32_t v, uint32_t *owner, uint32_t *name)
{
    const heap *h = r->heap;
    for (uint32_t k = h->in_start[v]; k < h->in_start[v + 1]; k++) {
        uint32_t dict = h->in_source[k] & HEAP_INDEX_MASK;
        uint64_t e = heap_find_edge(h, dict, v);
        if (e == UINT64_MAX || h->out_label_kind[e] != HEAPAN_LABEL_KEY ||
            !report_is_namespace(h, dict))
            continue;
        for (uint32_t j = h->in_start[dict]; j < h->in_start[dict + 1]; j++) {
            uint32_t s = h->in_source[j] & HEAP_INDEX_MASK;
            uint64_t d = heap_find_edge(h, s, dict);
            if (d != UINT64_MAX && heap_edge_is_dict(h, d)) {
                *owner = s;
                *name = h->out_label[e];
                return 1;
            }
        }
    }
    return 0;
}

/* Is v a class's namespace entry: the class's own object into *cls? */
static int class_attribute(const report *r, uint32_t v, uint32_t *cls, uint32_t *name)
{
    return namespace_entry(r, v, cls, name) &&
           (pytypes_bases_of(&r->classes, r->heap, *cls) & PYBASE_TYPE);
}

/* The classmethod or staticmethod object that holds v, if one does, else v. */
static uint32_t unwrap_descriptor(const report *r, uint32_t v)
{
    const heap *h = r->heap;
    for (uint32_t k = h->in_start[v]; k < h->in_start[v + 1]; k++) {
        uint32_t s = h->in_source[k] & HEAP_INDEX_MASK;
        const char *type = heap_type_name(h, s);
        if ((strcmp(type, "classmethod") == 0 || strcmp(type, "staticmethod") == 0) &&
            strcmp(heap_type_module(h, s), "builtins") == 0)
            return s;
    }
    return v;
}

/* The qualified name of the class whose own object is `cls` ("app.Document"). */
static char *class_name_of(const report *r, uint32_t cls)
{
    uint32_t id = pytypes_id_of_class(&r->classes, r->heap, cls);
    char name[512];
    return strdup(id ? group_name(r->heap, GROUP_BY_TYPE, id, name, sizeof name) : "?");
}

static double share(const report *r, uint64_t bytes)
{
    return r->heap->total_size ? 100.0 * (double)bytes / (double)r->heap->total_size : 0.0;
}

/* ---- functools caches ------------------------------------------------------------ */

/* The lru_cache wrapper whose dict is v (or v itself), or HEAP_NONE. */
static uint32_t cache_wrapper(const report *r, uint32_t v, uint32_t *dict)
{
    const heap *h = r->heap;
    if (pytypes_bases_of(&r->classes, h, v) & PYBASE_LRU_CACHE) {
        *dict = field_of(h, v, "cache");
        return *dict == HEAP_NONE ? HEAP_NONE : v;
    }
    *dict = v;
    for (uint32_t k = h->in_start[v]; k < h->in_start[v + 1]; k++) {
        uint32_t w = h->in_source[k] & HEAP_INDEX_MASK;
        if ((pytypes_bases_of(&r->classes, h, w) & PYBASE_LRU_CACHE) && field_of(h, w, "cache") == v)
            return w;
    }
    /* A dump without the labelled field: the wrapper alone holds its dict. */
    uint32_t idom = r->dom->idom[v];
    return idom != HEAP_NONE && (pytypes_bases_of(&r->classes, h, idom) & PYBASE_LRU_CACHE)
               ? idom
               : HEAP_NONE;
}

/*
 * Of the cache's keys, how many hold an instance of `cls` first (the
 * `self` of a method; any class statement's instance when cls is
 * HEAP_NONE), among how many looked at; *instance_type gets their type.
 */
static uint64_t keys_holding_self(const report *r, uint32_t dict, uint32_t cls, uint64_t *looked,
                                  uint32_t *instance_type)
{
    const heap *h = r->heap;
    uint64_t holding = 0;
    *looked = 0;
    for (uint32_t e = h->out_start[dict]; e < h->out_start[dict] + h->out_count[dict]; e++) {
        if (h->out_label_kind[e] != HEAPAN_LABEL_DICT_KEY)
            continue;
        uint32_t key = h->out_target[e] & HEAP_INDEX_MASK;
        uint32_t first = strcmp(heap_type_name(h, key), "tuple") == 0 ? item_of(h, key, 0) : key;
        (*looked)++;
        if (first == HEAP_NONE)
            continue;
        uint32_t type = h->type[first];
        int instance = cls != HEAP_NONE ? pytypes_is_instance(&r->classes, h, first, cls)
                                        : type < h->type_count &&
                                              !(h->types[type].flags & HEAPAN_TYPE_BUILTIN);
        if (instance && (!*instance_type || *instance_type == type)) {
            *instance_type = type;
            holding++;
        }
    }
    return holding;
}

static const char *decorator_of(int64_t maxsize, char *buf, size_t size)
{
    if (maxsize == -1)
        snprintf(buf, size, "functools.cache (or lru_cache(maxsize=None))");
    else if (maxsize > 0)
        snprintf(buf, size, "functools.lru_cache(maxsize=%lld)", (long long)maxsize);
    else
        snprintf(buf, size, "functools.cache (or lru_cache)");
    return buf;
}

static void read_counters(const report *r, uint32_t wrapper, leak_candidate *c)
{
    const heap *h = r->heap;
    int64_t hits, misses, maxsize;
    if (heap_property_number(h, wrapper, "lru_cache.hits", 0, &hits) == 0 &&
        heap_property_number(h, wrapper, "lru_cache.misses", 0, &misses) == 0 &&
        heap_property_number(h, wrapper, "lru_cache.maxsize", 0, &maxsize) == 0)
        c->hits = hits, c->misses = misses, c->maxsize = maxsize;
    else
        c->maxsize = 0; /* unknown */
}

static int method_cache(report *r, leak_candidate *c, uint32_t dict, uint32_t cls,
                        uint32_t instance_type, uint64_t holding)
{
    char decorator[64], size[32], name[512];
    c->cause = CAUSE_METHOD_CACHE;
    c->cause_count = holding;
    c->cause_bytes = c->retained_size;
    c->cause_type = cls != HEAP_NONE ? pytypes_id_of_class(&r->classes, r->heap, cls) : instance_type;
    c->class_name = strdup(c->cause_type ? group_name(r->heap, GROUP_BY_TYPE, c->cause_type, name,
                                                      sizeof name)
                                         : "?");
    if (!c->class_name)
        return -1;
    (void)dict;
    int bounded = c->maxsize > 0;
    c->cause_text = report_format(
        "%s on the method %s.%s: the cache's keys hold self, so every %s it was called on "
        "stays alive with its results, %s: %llu of them, %s (%.1f%% of the heap). This is "
        "flake8-bugbear's B019.",
        decorator_of(c->hits >= 0 ? c->maxsize : 0, decorator, sizeof decorator), c->class_name,
        c->member_name ? c->member_name : "?", c->class_name,
        bounded ? "until the cache evicts it" : "for as long as the class lives",
        (unsigned long long)holding, format_bytes(c->retained_size, size, sizeof size),
        share(r, c->retained_size));
    return c->cause_text ? 0 : -1;
}

static int function_cache(leak_candidate *c)
{
    char decorator[64], size[32], counts[160] = "";
    if (c->maxsize > 0)
        return 0; /* bounded: a large cache, but it stops there */
    c->cause = CAUSE_FUNCTION_CACHE;
    c->cause_count = c->entries;
    c->cause_bytes = c->retained_size;
    if (c->hits >= 0 && c->hits == 0)
        snprintf(counts, sizeof counts, " Its counters say %lld calls and no hit: no result was "
                 "ever used again.", (long long)c->misses);
    else if (c->hits > 0)
        snprintf(counts, sizeof counts, " Its counters say %lld misses and %lld hits.",
                 (long long)c->misses, (long long)c->hits);
    c->cause_text = report_format(
        "%s on %s(): a cache without a bound keeps every result it computed, %llu of them "
        "retaining %s, and evicts none.%s",
        decorator_of(c->hits >= 0 ? c->maxsize : 0, decorator, sizeof decorator),
        c->member_name ? c->member_name : "a function", (unsigned long long)c->entries,
        format_bytes(c->retained_size, size, sizeof size), counts);
    return c->cause_text ? 0 : -1;
}

/* functools.cache or lru_cache: on a method, its keys keep every `self` alive. */
static int cache_cause(report *r, leak_candidate *c)
{
    uint32_t dict, wrapper = cache_wrapper(r, c->object, &dict);
    if (wrapper == HEAP_NONE)
        return 0;
    read_counters(r, wrapper, c);
    uint32_t owner = HEAP_NONE, name = 0, held = unwrap_descriptor(r, wrapper);
    /* a classmethod's or staticmethod's cache holds no instance: it is a function's */
    int in_class = held == wrapper && class_attribute(r, held, &owner, &name);
    if (!in_class && !namespace_entry(r, held, &owner, &name))
        owner = HEAP_NONE;
    if (name && !(c->member_name = strdup(heap_string(r->heap, name, NULL))))
        return -1;
    uint64_t looked, holding;
    uint32_t instance_type = 0;
    holding = keys_holding_self(r, dict, in_class ? owner : HEAP_NONE, &looked, &instance_type);
    if (looked && holding * 2 >= looked && holding >= 1)
        return method_cache(r, c, dict, in_class ? owner : HEAP_NONE, instance_type, holding);
    return function_cache(c);
}

/* ---- asyncio tasks, exceptions, callbacks ---------------------------------------- */

typedef struct entry_count {
    const report *r;
    uint32_t collection;
    uint64_t entries, matching, other, bytes;  /* bytes: what matching entries alone retain */
} entry_count;

static void count_finished(void *ctx, uint32_t entry)
{
    entry_count *n = ctx;
    const heap *h = n->r->heap;
    n->entries++;
    const heap_property *state = heap_property_next(h, NULL, entry, "future.state");
    if (!state)
        return;
    const char *text = heap_property_text(h, state);
    if (strcmp(text, "FINISHED") == 0 || strcmp(text, "CANCELLED") == 0) {
        n->matching++;
        if (n->r->dom->idom[entry] == n->collection)
            n->bytes += n->r->dom->retained_size[entry];
    } else {
        n->other++; /* pending: keeping it is right */
    }
}

static int tasks_cause(report *r, leak_candidate *c)
{
    entry_count n = {.r = r, .collection = c->object};
    each_entry(r->heap, c->object, count_finished, &n);
    if (!n.matching || n.matching * 2 < n.entries)
        return 0;
    char size[32], kind[64];
    c->cause = CAUSE_FINISHED_TASKS;
    c->cause_count = n.matching;
    c->cause_bytes = n.bytes;
    c->cause_text = report_format(
        "A %s of asyncio tasks: %llu of its %llu entries are finished tasks, and each keeps its "
        "result or exception alive (%s). Holding a running task is right; a finished one is "
        "never needed again.",
        report_type_name(r, c->object, kind, sizeof kind), (unsigned long long)n.matching,
        (unsigned long long)n.entries, format_bytes(n.bytes, size, sizeof size));
    return c->cause_text ? 0 : -1;
}

/* The traceback an exception (or an exc_info() tuple) holds, or HEAP_NONE. */
static uint32_t traceback_of(const report *r, uint32_t v)
{
    const heap *h = r->heap;
    uint32_t bases = pytypes_bases_of(&r->classes, h, v);
    if (!(bases & PYBASE_EXCEPTION) && strcmp(heap_type_name(h, v), "tuple") != 0)
        return HEAP_NONE;
    for (uint32_t e = h->out_start[v]; e < h->out_start[v] + h->out_count[v]; e++) {
        uint32_t t = h->out_target[e] & HEAP_INDEX_MASK;
        if (!(h->out_target[e] & HEAP_WEAK_BIT) &&
            (pytypes_bases_of(&r->classes, h, t) & PYBASE_TRACEBACK))
            return t;
    }
    return HEAP_NONE;
}

static void count_exceptions(void *ctx, uint32_t entry)
{
    entry_count *n = ctx;
    n->entries++;
    uint32_t tb = traceback_of(n->r, entry);
    if (tb == HEAP_NONE)
        return;
    n->matching++;
    /* with_traceback(None) frees what only the traceback holds */
    if (tb != n->collection && dominators_dominates(n->r->dom, n->collection, tb))
        n->bytes += n->r->dom->retained_size[tb];
}

static int exceptions_cause(report *r, leak_candidate *c)
{
    char size[32], total[32], kind[64], entry[512];
    if (c->kind == LEAK_TRACEBACK) {
        c->cause = CAUSE_STORED_EXCEPTIONS;
        c->cause_count = 1;
        c->cause_bytes = c->retained_size;
        c->cause_text = report_format(
            "A stored traceback: whatever holds it (an exception kept after its except block, "
            "sys.last_traceback) keeps every frame it passed through alive, with their locals "
            "(%s).",
            format_bytes(c->retained_size, size, sizeof size));
        return c->cause_text ? 0 : -1;
    }
    entry_count n = {.r = r, .collection = c->object};
    each_entry(r->heap, c->object, count_exceptions, &n);
    if (!n.matching || n.matching * 2 < n.entries)
        return 0;
    c->cause = CAUSE_STORED_EXCEPTIONS;
    c->cause_count = n.matching;
    c->cause_bytes = n.bytes;
    group_name(r->heap, GROUP_BY_TYPE, c->entry_type, entry, sizeof entry);
    c->cause_text = report_format(
        "A %s of %llu stored exceptions (mostly %s), each with its traceback: every frame it "
        "passed through stays alive with its locals, %s of the %s this %s retains.",
        report_type_name(r, c->object, kind, sizeof kind), (unsigned long long)n.matching, entry,
        format_bytes(n.bytes, size, sizeof size), format_bytes(c->retained_size, total, sizeof total),
        kind);
    return c->cause_text ? 0 : -1;
}

static void count_callbacks(void *ctx, uint32_t entry)
{
    entry_count *n = ctx;
    n->entries++;
    if (pytypes_bases_of(&n->r->classes, n->r->heap, entry) & PYBASE_CALLABLE) {
        n->matching++;
        if (n->r->dom->idom[entry] == n->collection)
            n->bytes += n->r->dom->retained_size[entry];
    }
}

static int callbacks_cause(report *r, leak_candidate *c)
{
    entry_count n = {.r = r, .collection = c->object};
    each_entry(r->heap, c->object, count_callbacks, &n);
    if (!n.matching || n.matching * 2 < n.entries)
        return 0;
    char size[32], kind[64];
    c->cause = CAUSE_CALLBACKS;
    c->cause_count = n.matching;
    c->cause_bytes = n.bytes;
    /* the objects the callbacks keep are the subscribers': their class's code subscribes them */
    for (size_t k = 0; k < c->type_count && !c->cause_type; k++)
        if (c->types[k].type < r->heap->type_count &&
            !(r->heap->types[c->types[k].type].flags & HEAPAN_TYPE_BUILTIN))
            c->cause_type = c->types[k].type;
    c->cause_text = report_format(
        "A registry of callbacks: this %s holds %llu of them (functions, bound methods or "
        "callable objects), and each keeps alive what it refers to (%s) until it is removed.",
        report_type_name(r, c->object, kind, sizeof kind), (unsigned long long)n.matching,
        format_bytes(n.bytes, size, sizeof size));
    return c->cause_text ? 0 : -1;
}

/* ---- loggers --------------------------------------------------------------------- */

/* A logger's name with each run of digits, and of hex digits with a digit in it, as "*". */
static char *name_pattern(const char *name)
{
    size_t n = strlen(name);
    char *out = malloc(n + 1), *o = out;
    if (!out)
        return NULL;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        int digits = 0;
        while (j < n && isxdigit((unsigned char)name[j]))
            digits += isdigit((unsigned char)name[j++]) != 0;
        /* a word of letters a-f ("cafe") stays; a run with a digit ("4f2a") is an id */
        if (j > i && digits) {
            *o++ = '*';
            i = j;
        } else {
            *o++ = name[i++];
        }
    }
    *o = '\0';
    return out;
}

static int by_text(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The commonest pattern among the names of the loggers in registry v, and how many share it. */
static char *commonest_pattern(const report *r, uint32_t v, uint64_t *loggers, uint64_t *sharing,
                               uint64_t *bytes)
{
    const heap *h = r->heap;
    char **patterns = malloc(((size_t)h->out_count[v] + 1) * sizeof *patterns);
    size_t n = 0;
    *loggers = *sharing = *bytes = 0;
    if (!patterns)
        return NULL;
    for (uint32_t e = h->out_start[v]; e < h->out_start[v] + h->out_count[v]; e++) {
        uint32_t t = h->out_target[e] & HEAP_INDEX_MASK;
        if (h->out_label_kind[e] != HEAPAN_LABEL_KEY ||
            !(pytypes_bases_of(&r->classes, h, t) & (PYBASE_LOGGER | PYBASE_PLACEHOLDER)))
            continue;
        (*loggers)++;
        if (!(patterns[n] = name_pattern(heap_string(h, h->out_label[e], NULL))))
            break;
        n++;
    }
    sort_items(patterns, n, sizeof *patterns, by_text);
    char *best = NULL;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && strcmp(patterns[j], patterns[i]) == 0)
            j++;
        if (j - i > *sharing && strchr(patterns[i], '*'))
            *sharing = j - i, best = patterns[i];
        i = j;
    }
    char *result = best ? strdup(best) : NULL;
    for (size_t i = 0; i < n; i++)
        free(patterns[i]);
    free(patterns);
    for (uint32_t e = h->out_start[v]; result && e < h->out_start[v] + h->out_count[v]; e++) {
        uint32_t t = h->out_target[e] & HEAP_INDEX_MASK;
        char *p = h->out_label_kind[e] == HEAPAN_LABEL_KEY && r->dom->idom[t] == v
                      ? name_pattern(heap_string(h, h->out_label[e], NULL))
                      : NULL;
        if (p && strcmp(p, result) == 0)
            *bytes += r->dom->retained_size[t];
        free(p);
    }
    return result;
}

static int loggers_cause(report *r, leak_candidate *c, uint64_t min_entries)
{
    uint64_t loggers, sharing, bytes;
    char *pattern = commonest_pattern(r, c->object, &loggers, &sharing, &bytes);
    if (!pattern || loggers * 2 < c->entries || sharing < min_entries || sharing * 2 < loggers) {
        free(pattern);
        return 0;
    }
    char size[32];
    c->cause = CAUSE_LOGGERS;
    c->key_pattern = pattern;
    c->cause_count = sharing;
    c->cause_bytes = bytes;
    c->cause_text = report_format(
        "%llu loggers whose names differ only by a number or an id ('%s'): a logger made per "
        "request or per object. logging keeps every logger it made in its registry until the "
        "process ends, with its handlers and filters (%s).",
        (unsigned long long)sharing, pattern, format_bytes(bytes, size, sizeof size));
    return c->cause_text ? 0 : -1;
}

/* ---- a dict on a class ------------------------------------------------------------ */

/* Is string label s no identifier: a key made of data, not a name a program chose? */
static int data_like(const char *s)
{
    if (!*s || isdigit((unsigned char)*s))
        return 1;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '_')
            return 1;
    return 0;
}

/*
 * A class attribute is a cache when its keys are values (tuples, numbers,
 * texts that are no names) and its values are results: not the classes,
 * functions and modules of a registry, nor the class's own instances (an
 * enum's members).
 */
static int class_cache_cause(report *r, leak_candidate *c)
{
    const heap *h = r->heap;
    uint32_t cls, name;
    if (strcmp(heap_type_name(h, c->object), "dict") != 0 || !class_attribute(r, c->object, &cls, &name))
        return 0;
    uint64_t data_keys = 0, keys = 0, code = 0, values = 0;
    for (uint64_t e = h->out_start[c->object]; e < (uint64_t)h->out_start[c->object] + h->out_count[c->object];
         e++) {
        uint32_t t = h->out_target[e] & HEAP_INDEX_MASK;
        switch (h->out_label_kind[e]) {
        case HEAPAN_LABEL_DICT_KEY:
            keys++;
            data_keys += strcmp(heap_type_name(h, t), "tuple") == 0;
            break;
        case HEAPAN_LABEL_KEY:
            data_keys += data_like(heap_string(h, h->out_label[e], NULL));
            /* fall through */
        default:
            values++;
            code += (pytypes_bases_of(&r->classes, h, t) &
                     (PYBASE_TYPE | PYBASE_CALLABLE | PYBASE_MODULE)) != 0 ||
                    pytypes_is_instance(&r->classes, h, t, cls);
            break;
        case HEAPAN_LABEL_INT_KEY:
            data_keys++, values++;
            break;
        }
    }
    if (!values || data_keys * 2 < values || code * 2 >= values)
        return 0;
    (void)keys;
    char size[32];
    c->cause = CAUSE_CLASS_CACHE;
    c->cause_type = pytypes_id_of_class(&r->classes, h, cls);
    c->cause_count = c->entries;
    c->cause_bytes = c->retained_size;
    if (!(c->class_name = class_name_of(r, cls)) ||
        !(c->member_name = strdup(heap_string(h, name, NULL))))
        return -1;
    c->cause_text = report_format(
        "A dict on the class %s (%s.%s), keyed by the values of calls: a class attribute used as a "
        "cache. Its %llu entries (%s) are never freed while the class lives, which for a class "
        "defined in a module is until the process ends.",
        c->class_name, c->class_name, c->member_name, (unsigned long long)c->entries,
        format_bytes(c->retained_size, size, sizeof size));
    return c->cause_text ? 0 : -1;
}

/* ---- the causes of every finding --------------------------------------------------- */

/* Why the collector will not free the garbage leaks.c found, with its state. */
static int garbage_cause(report *r, leak_candidate *c)
{
    const collector_state *gc = &r->interp.gc;
    if (c->cause == CAUSE_GC_DISABLED)
        c->cause_text = strdup(
            gc->known && !gc->enabled
                ? "The collector is disabled (gc.disable()): reference cycles are never freed "
                  "until gc.collect() is called or gc.enable() turns it back on."
                : "Automatic collection is off (gc.set_threshold(0)): reference cycles are never "
                  "freed until gc.collect() is called.");
    else if (c->cause == CAUSE_GC_FROZEN)
        c->cause_text = strdup("gc.freeze() moved these objects to the permanent generation, "
                               "which the collector never looks at again: they were already "
                               "garbage when frozen, or became garbage later.");
    else if (c->cause == CAUSE_GC_GARBAGE)
        c->cause_text = strdup("gc.garbage keeps what the collector found but could not free "
                               "(everything it found, under gc.DEBUG_SAVEALL) until the program "
                               "empties it.");
    c->cause_count = c->entries;
    c->cause_bytes = c->retained_size;
    return c->cause == CAUSE_NONE || c->cause_text ? 0 : -1;
}

static int cause_of(report *r, leak_candidate *c)
{
    if (c->kind == LEAK_TRACEBACK)
        return exceptions_cause(r, c);
    if (c->kind == LEAK_GARBAGE)
        return garbage_cause(r, c);
    if (c->object == HEAP_NONE || heap_is_v8(r->heap))
        return 0;
    int (*const rules[])(report *, leak_candidate *) = {cache_cause, tasks_cause, exceptions_cause,
                                                        callbacks_cause, class_cache_cause};
    if (cache_cause(r, c) < 0)
        return -1;
    if (c->cause == CAUSE_NONE && c->kind == LEAK_LARGE_COLLECTION &&
        loggers_cause(r, c, LOGGERS_MIN) < 0)
        return -1;
    for (size_t k = 1; k < sizeof rules / sizeof *rules && c->cause == CAUSE_NONE; k++)
        if (c->kind == LEAK_LARGE_COLLECTION && rules[k](r, c) < 0)
            return -1;
    return 0;
}

int find_causes(report *r)
{
    for (size_t i = 0; i < r->leak_count; i++)
        if (cause_of(r, &r->leaks[i]) < 0)
            return -1;
    return 0;
}
