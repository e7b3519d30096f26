/*
 * suggest.c: optimisation suggestions, each with its estimated saving
 * computed from the real sizes in the dump.
 */
#include <stdlib.h>
#include <string.h>

#include "grow.h"
#include "report.h"
#include "textout.h"

#define PY_OBJECT_HEADER 16   /* refcount and type pointer */
#define PY_GC_HEADER 16       /* what the cycle collector adds to a container */
#define PY_LIST_HEADER 56     /* sys.getsizeof([]) on 64-bit CPython 3.8+ */
#define ARRAY_HEADER 80       /* sys.getsizeof(array.array("d")) */
#define BOUNDED_ENTRIES 100   /* the bound the deque and cache savings assume */
#define LAZY_MIN_BYTES (1u << 20)  /* smaller strings are rarely whole files worth streaming */

typedef struct adder {
    report *r;
    const retention *paths;
    const report_options *o;
    size_t cap;
} adder;

/* Do the filters keep suggestions about object v? */
static int accepted(const adder *a, uint32_t v)
{
    char name[512];
    return v == HEAP_NONE || !a->o->accept_type ||
           a->o->accept_type(a->o->filter_ctx, report_type_name(a->r, v, name, sizeof name));
}

static suggestion *add(adder *a, suggestion_kind kind, uint32_t object, uint64_t instances,
                       uint64_t savings)
{
    report *r = a->r;
    if (grow(&r->suggestions, sizeof *r->suggestions, &a->cap, r->suggestion_count + 1) < 0)
        return NULL;
    suggestion *s = &r->suggestions[r->suggestion_count++];
    /* Bounding, streaming or weakening pays off only if the program allows it. */
    double confidence = kind == SUGGEST_DEQUE || kind == SUGGEST_BOUNDED_CACHE ? 0.15
                        : kind == SUGGEST_GENERATOR || kind == SUGGEST_WEAK_CALLBACKS ||
                                  kind == SUGGEST_LAZY_LOADING
                            ? 0.5
                                                                                      : 1.0;
    *s = (suggestion){.kind = kind, .object = object, .instances = instances,
                      .estimated_savings = savings, .confidence = confidence};
    return s;
}

/* The path to v as text, or its type and address when no root reaches it. */
static char *where(const adder *a, uint32_t v)
{
    path p;
    char *text = NULL;
    if (path_find(a->r->heap, a->paths, v, HEAP_NONE, &p) > 0)
        text = path_text(a->r->heap, &p);
    path_release(&p);
    if (!text) {
        char name[512];
        text = report_format("%s@0x%llx", report_type_name(a->r, v, name, sizeof name),
                             (unsigned long long)a->r->heap->address[v]);
    }
    return text;
}

static int type_is(const heap *h, uint32_t v, const char *name)
{
    return strcmp(heap_type_name(h, v), name) == 0;
}

static uint64_t worth(const adder *a)
{
    return a->o->min_retained / 2;
}

/* ---- __slots__ ------------------------------------------------------------------ */

/* The attribute names of instance v, as an order-free signature; *count gets how many. */
static uint64_t attribute_signature(const heap *h, uint32_t v, uint32_t *count, uint64_t *dict_size)
{
    uint64_t signature = 0;
    *count = 0;
    *dict_size = 0;
    for (uint32_t e = h->out_start[v]; e < h->out_start[v] + h->out_count[v]; e++) {
        uint32_t label = h->out_label[e], t = h->out_target[e] & HEAP_INDEX_MASK;
        if (h->out_label_kind[e] == HEAPAN_LABEL_ATTRIBUTE) {
            signature += (uint64_t)label * 0x9e3779b97f4a7c15ull ^ label;
            (*count)++;
        } else if (heap_edge_is_dict(h, e)) {
            *dict_size += h->size[t];
            for (uint32_t k = h->out_start[t]; k < h->out_start[t] + h->out_count[t]; k++)
                if (h->out_label_kind[k] == HEAPAN_LABEL_KEY) {
                    signature += (uint64_t)h->out_label[k] * 0x9e3779b97f4a7c15ull ^ h->out_label[k];
                    (*count)++;
                }
        }
    }
    return signature;
}

typedef struct instance_shape {
    uint64_t key;       /* type id << 32 | attribute count, then the signature */
    uint64_t signature;
    uint64_t bytes;     /* instance plus its materialised __dict__ */
    uint32_t object;
} instance_shape;

static int by_type_and_shape(const void *a, const void *b)
{
    const instance_shape *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return x->signature < y->signature ? -1 : x->signature > y->signature;
}

static int suggest_slots_for(adder *a, const instance_shape *run, size_t same, size_t all)
{
    uint32_t type = (uint32_t)(run->key >> 32), attributes = (uint32_t)run->key;
    uint64_t bytes = 0;
    size_t with_dict = 0;
    for (size_t i = 0; i < same; i++) {
        bytes += run[i].bytes;
        with_dict += (a->r->heap->flags[run[i].object] & HEAP_OBJ_DICT_MATERIALISED) != 0;
    }
    uint64_t slotted = same * (uint64_t)(PY_GC_HEADER + PY_OBJECT_HEADER + 8 * attributes);
    if (same < a->o->min_entries || same * 10 < all * 9 || bytes <= slotted ||
        bytes - slotted < worth(a) || !accepted(a, run->object))
        return 0;
    char name[512], now[32], then[32];
    suggestion *s = add(a, SUGGEST_SLOTS, run->object, same, bytes - slotted);
    if (!s)
        return -1;
    group_name(a->r->heap, GROUP_BY_TYPE, type, name, sizeof name);
    s->target = strdup(name);
    /* From 3.11 an instance keeps its attributes inline until its __dict__ is asked for. */
    const char *storage = with_dict == same ? "their dicts"
                          : with_dict    ? "their dicts or inline values"
                                         : "their inline attribute values";
    s->message = report_format(
        "%llu instances of %s have the same %u attributes and no __slots__; they take %s with "
        "%s, and %s with __slots__ (%u bytes each).",
        (unsigned long long)same, name, attributes, format_bytes(bytes, now, sizeof now), storage,
        format_bytes(slotted, then, sizeof then), PY_GC_HEADER + PY_OBJECT_HEADER + 8 * attributes);
    return s->target && s->message ? 0 : -1;
}

static int suggest_slots(adder *a)
{
    const heap *h = a->r->heap;
    instance_shape *shapes = malloc((h->count ? h->count : 1) * sizeof *shapes);
    if (!shapes)
        return -1;
    size_t n = 0;
    for (uint32_t v = 0; v < h->count; v++) {
        uint32_t t = h->type[v];
        if (t >= h->type_count || (h->types[t].flags & (HEAPAN_TYPE_BUILTIN | HEAPAN_TYPE_HAS_SLOTS)) ||
            !(h->types[t].flags & HEAPAN_TYPE_HAS_DICT))
            continue;
        uint32_t count;
        uint64_t dict_size;
        uint64_t signature = attribute_signature(h, v, &count, &dict_size);
        shapes[n++] = (instance_shape){(uint64_t)t << 32 | count, signature, h->size[v] + dict_size, v};
    }
    qsort(shapes, n, sizeof *shapes, by_type_and_shape);
    int failed = 0;
    for (size_t i = 0; i < n && !failed;) {
        size_t type_end = i, best = i, best_len = 0;
        while (type_end < n && shapes[type_end].key >> 32 == shapes[i].key >> 32)
            type_end++;
        for (size_t j = i; j < type_end;) {
            size_t k = j;
            while (k < type_end && !by_type_and_shape(&shapes[k], &shapes[j]))
                k++;
            if (k - j > best_len)
                best = j, best_len = k - j;
            j = k;
        }
        failed = suggest_slots_for(a, &shapes[best], best_len, type_end - i) < 0;
        i = type_end;
    }
    free(shapes);
    return failed ? -1 : 0;
}

/* ---- big lists of numbers or strings ------------------------------------------ */

typedef struct items {
    uint64_t count, floats, ints, strs, owned_bytes;
} items;

static void count_items(const heap *h, const dominators *d, uint32_t v, items *out)
{
    memset(out, 0, sizeof *out);
    for (uint32_t e = h->out_start[v]; e < h->out_start[v] + h->out_count[v]; e++) {
        uint32_t t = h->out_target[e];
        if (t & HEAP_WEAK_BIT)
            continue;
        out->count++;
        out->floats += type_is(h, t, "float");
        out->ints += type_is(h, t, "int");
        out->strs += type_is(h, t, "str");
        if (d->idom[t] == v)
            out->owned_bytes += d->retained_size[t];
    }
}

static int suggest_for_list(adder *a, uint32_t v)
{
    const heap *h = a->r->heap;
    items it;
    count_items(h, a->r->dom, v, &it);
    if (it.count < 1000 || !accepted(a, v))
        return 0;
    char size[32];
    uint64_t bytes = h->size[v] + it.owned_bytes;
    if ((it.floats + it.ints) * 10 >= it.count * 9) {
        uint64_t packed = ARRAY_HEADER + 8 * it.count;
        if (bytes <= packed || bytes - packed < worth(a))
            return 0;
        suggestion *s = add(a, SUGGEST_NUMPY_ARRAY, v, it.count, bytes - packed);
        if (!s || !(s->target = where(a, v)))
            return -1;
        s->message = report_format(
            "A %s of %llu %s takes %s; array.array or a NumPy array stores the same numbers "
            "in 8 bytes each.",
            heap_type_name(h, v), (unsigned long long)it.count,
            it.floats >= it.ints ? "floats" : "ints", format_bytes(bytes, size, sizeof size));
        return s->message ? 0 : -1;
    }
    if (it.strs * 10 >= it.count * 9 && a->r->dom->retained_size[v] >= a->o->min_retained) {
        suggestion *s = add(a, SUGGEST_GENERATOR, v, it.count, a->r->dom->retained_size[v]);
        if (!s || !(s->target = where(a, v)))
            return -1;
        s->message = report_format(
            "A list of %llu strings is kept whole (%s): if it is read from a file (readlines()) "
            "or built by a comprehension and used once, iterate over the source instead.",
            (unsigned long long)it.count, format_bytes(a->r->dom->retained_size[v], size, sizeof size));
        return s->message ? 0 : -1;
    }
    return 0;
}

/* ---- one big string or bytes: a file read whole? ---------------------------------- */

static int suggest_lazy_loading(adder *a, uint32_t v)
{
    const heap *h = a->r->heap;
    if (h->size[v] < a->o->min_retained || h->size[v] < LAZY_MIN_BYTES || !accepted(a, v) ||
        (!type_is(h, v, "str") && !type_is(h, v, "bytes")))
        return 0;
    char size[32];
    suggestion *s = add(a, SUGGEST_LAZY_LOADING, v, 1, h->size[v]);
    if (!s || !(s->target = where(a, v)))
        return -1;
    s->message = report_format(
        "One %s of %s is kept in memory whole: if it is a file's content read at once, process "
        "it in chunks or map it (mmap) instead.",
        heap_type_name(h, v), format_bytes(h->size[v], size, sizeof size));
    return s->message ? 0 : -1;
}

/* ---- duplicate strings ------------------------------------------------------------ */

static int suggest_interning(adder *a)
{
    const heap *h = a->r->heap;
    int v8 = heap_is_v8(h);
    if (!(v8 ? (void *)h->name : (void *)h->value_hash))
        return 0;
    ranked *strs = malloc((h->count ? h->count : 1) * sizeof *strs);
    if (!strs)
        return -1;
    size_t n = 0;
    /* V8's string table holds each value once: equal strings share their name id */
    for (uint32_t v = 0; v < h->count; v++)
        if (v8 && type_is(h, v, "(string)"))
            strs[n++] = (ranked){h->name[v], v};
        else if (!v8 && h->flags[v] & HEAP_OBJ_HAS_HASH && type_is(h, v, "str"))
            strs[n++] = (ranked){h->value_hash[v] ^ h->size[v] * 0x9e3779b97f4a7c15ull, v};
    qsort(strs, n, sizeof *strs, ranked_descending);
    uint64_t copies = 0, wasted = 0, groups = 0, best_copies = 0;
    uint32_t best = HEAP_NONE;
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && strs[j].key == strs[i].key)
            j++;
        if (j - i > 1) {
            groups++;
            copies += j - i - 1;
            wasted += (j - i - 1) * h->size[strs[i].object];
            if (j - i - 1 > best_copies)
                best_copies = j - i - 1, best = strs[i].object;
        }
        i = j;
    }
    free(strs);
    if (!copies || wasted < worth(a) || !accepted(a, best))
        return 0;
    suggestion *s = add(a, v8 ? SUGGEST_DEDUPE_STRINGS : SUGGEST_INTERN_STRINGS, best, copies, wasted);
    char size[32];
    if (!s || !(s->target = strdup(v8 ? "(string)" : "str")))
        return -1;
    s->value_hash = v8 ? h->name[best] : h->value_hash[best];
    s->message = report_format(
        "%llu strings are copies of %llu distinct values and waste %s; the most repeated value "
        "has %llu copies (one of them at 0x%llx). %s keeps one of each.",
        (unsigned long long)copies, (unsigned long long)groups,
        format_bytes(wasted, size, sizeof size), (unsigned long long)best_copies,
        (unsigned long long)h->address[best],
        v8 ? "A Map of canonical values" : "sys.intern() or a dict of canonical values");
    return s->message ? 0 : -1;
}

/* ---- empty and over-allocated collections ------------------------------------------- */

static int suggest_collection_waste(adder *a)
{
    const heap *h = a->r->heap;
    uint64_t empty = 0, empty_bytes = 0, spare = 0, spare_lists = 0;
    uint32_t empty_example = HEAP_NONE, spare_example = HEAP_NONE;
    for (uint32_t v = 0; v < h->count; v++) {
        int list = type_is(h, v, "list");
        if (!list && !type_is(h, v, "dict") && !type_is(h, v, "set"))
            continue;
        if (h->length[v] == 0 && h->in_start[v + 1] - h->in_start[v] == 1) {
            empty++;
            empty_bytes += h->size[v];
            empty_example = v;
        }
        uint64_t needed = PY_LIST_HEADER + 8 * (uint64_t)h->length[v];
        if (list && h->size[v] > 2 * needed && h->size[v] - needed >= 256) {
            spare += h->size[v] - needed;
            spare_lists++;
            spare_example = v;
        }
    }
    char size[32];
    if (empty >= a->o->min_entries && empty_bytes >= worth(a) && accepted(a, empty_example)) {
        suggestion *s = add(a, SUGGEST_EMPTY_COLLECTIONS, empty_example, empty, empty_bytes);
        if (!s || !(s->target = strdup("dict, list, set")) ||
            !(s->message = report_format(
                  "%llu empty collections, each held by one object, take %s: allocate them on "
                  "first use, or share None until then.",
                  (unsigned long long)empty, format_bytes(empty_bytes, size, sizeof size))))
            return -1;
    }
    if (spare >= worth(a) && accepted(a, spare_example)) {
        suggestion *s = add(a, SUGGEST_OVERALLOCATED, spare_example, spare_lists, spare);
        if (!s || !(s->target = strdup("list")) ||
            !(s->message = report_format(
                  "%llu lists have more than twice the room their items need: %s spare; build "
                  "them at their final size, or make them tuples once they stop growing.",
                  (unsigned long long)spare_lists, format_bytes(spare, size, sizeof size))))
            return -1;
    }
    return 0;
}

/* ---- unbounded containers found as leak candidates -------------------------------- */

static int is_callable(const heap *h, uint32_t type)
{
    if (type >= h->type_count)
        return 0;
    const char *name = heap_string(h, h->types[type].name, NULL);
    return strcmp(name, "method") == 0 || strcmp(name, "function") == 0;
}

/* A registry of callbacks: each bound method keeps its object alive. */
static int suggest_weak_callbacks(adder *a, const leak_candidate *c)
{
    char size[32];
    suggestion *s = add(a, SUGGEST_WEAK_CALLBACKS, c->object, c->entries, c->retained_size);
    return s && (s->target = where(a, c->object)) &&
                   (s->message = report_format(
                        "This registry holds %llu callbacks, and through them their objects "
                        "(%s): unsubscribe them when their objects are done, or hold bound "
                        "methods through weakref.WeakMethod.",
                        (unsigned long long)c->entries,
                        format_bytes(c->retained_size, size, sizeof size)))
               ? 0
               : -1;
}

static int suggest_bounds(adder *a)
{
    const heap *h = a->r->heap;
    for (size_t i = 0; i < a->r->leak_count; i++) {
        const leak_candidate *c = &a->r->leaks[i];
        if (c->kind != LEAK_ACCUMULATION || c->entries <= BOUNDED_ENTRIES)
            continue;
        int is_list = type_is(h, c->object, "list");
        if (!is_list && !type_is(h, c->object, "dict") && !type_is(h, c->object, "OrderedDict"))
            continue;
        if (is_callable(h, c->entry_type)) {
            if (suggest_weak_callbacks(a, c) < 0)
                return -1;
            continue;
        }
        uint64_t savings = (uint64_t)((double)c->retained_size *
                                      (double)(c->entries - BOUNDED_ENTRIES) / (double)c->entries);
        suggestion *s = add(a, is_list ? SUGGEST_DEQUE : SUGGEST_BOUNDED_CACHE, c->object,
                            c->entries, savings);
        /* functools.cache and lru_cache(maxsize=None) keep their results in a plain dict. */
        uint32_t owner = a->r->dom->idom[c->object];
        int lru_cache = owner < h->count && type_is(h, owner, "_lru_cache_wrapper");
        char size[32];
        if (!s || !(s->target = where(a, c->object)) ||
            !(s->message = report_format(
                  is_list     ? "This list only grows (%llu entries); if only recent entries "
                                "matter, collections.deque(maxlen=...) bounds it: at %d entries "
                                "it would free about %s."
                  : lru_cache ? "This functools.cache (an lru_cache without maxsize) keeps every "
                                "result it computed (%llu entries); "
                                "@functools.lru_cache(maxsize=%d) would free about %s."
                              : "This dict grows with every new key (%llu entries); a bounded "
                                "cache (functools.lru_cache(maxsize=...) or an LRU dict) at %d "
                                "entries would free about %s.",
                  (unsigned long long)c->entries, BOUNDED_ENTRIES,
                  format_bytes(savings, size, sizeof size))))
            return -1;
    }
    return 0;
}

static int by_weighted_savings(const void *x, const void *y)
{
    const suggestion *a = x, *b = y;
    double p = (double)a->estimated_savings * a->confidence,
           q = (double)b->estimated_savings * b->confidence;
    return p < q ? 1 : p > q ? -1 : 0;
}

void report_rank_suggestions(report *r, size_t top)
{
    if (r->suggestion_count)
        qsort(r->suggestions, r->suggestion_count, sizeof *r->suggestions, by_weighted_savings);
    while (r->suggestion_count > top) {
        suggestion *s = &r->suggestions[--r->suggestion_count];
        free(s->target), free(s->message), free(s->example_value);
    }
}

int find_suggestions(report *r, const retention *paths, const report_options *o)
{
    adder a = {.r = r, .paths = paths, .o = o};
    const heap *h = r->heap;
    if (heap_is_v8(h)) {  /* only what holds in any language */
        int failed = suggest_interning(&a) < 0;
        if (!failed)
            report_rank_suggestions(r, o->top);
        return failed ? -1 : 0;
    }
    int failed = suggest_slots(&a) < 0;
    for (uint32_t v = 0; v < h->count && !failed; v++)
        if (!(h->flags[v] & HEAP_OBJ_UNREACHABLE)) {
            if (type_is(h, v, "list") || type_is(h, v, "tuple"))
                failed = suggest_for_list(&a, v) < 0;
            else
                failed = suggest_lazy_loading(&a, v) < 0;
        }
    failed = failed || suggest_interning(&a) < 0 || suggest_collection_waste(&a) < 0 ||
             suggest_bounds(&a) < 0;
    if (!failed)
        report_rank_suggestions(r, o->top);
    return failed ? -1 : 0;
}
