/* identity.c: matching the objects of two dumps of one process (see identity.h). */
#include <stdlib.h>
#include <string.h>

#include "addrmap.h"
#include "model/identity.h"

int identity_same_process(const heap *earlier, const heap *later)
{
    const heap_property *a = heap_property_next(earlier, NULL, HEAP_NONE, "process.start");
    const heap_property *b = heap_property_next(later, NULL, HEAP_NONE, "process.start");
    if (earlier->header.pid != later->header.pid)
        return 0;
    if (!a || !b)
        return -1;
    return strcmp(heap_property_text(earlier, a), heap_property_text(later, b)) == 0;
}

/* A type's name for matching: "module\0name" compared as two strings. */
static int type_cmp(const heap *h1, uint32_t t1, const heap *h2, uint32_t t2)
{
    int c = strcmp(heap_string(h1, h1->types[t1].module, NULL), heap_string(h2, h2->types[t2].module, NULL));
    return c ? c : strcmp(heap_string(h1, h1->types[t1].name, NULL), heap_string(h2, h2->types[t2].name, NULL));
}

static const heap *sort_heap;  /* qsort has no context argument */

static int by_type_name(const void *a, const void *b)
{
    return type_cmp(sort_heap, *(const uint32_t *)a, sort_heap, *(const uint32_t *)b);
}

/*
 * For each type of `later`, the type of `earlier` with its name, or 0.
 * Two classes may share a name (a namedtuple and the class made from it):
 * of those, the one at the same address, else the first.
 */
static uint32_t *match_types(const heap *earlier, const heap *later)
{
    uint32_t n = earlier->type_count > 1 ? earlier->type_count - 1 : 0;
    uint32_t *sorted = malloc((n ? n : 1) * sizeof *sorted);
    uint32_t *map = calloc(later->type_count ? later->type_count : 1, sizeof *map);
    if (!sorted || !map) {
        free(sorted), free(map);
        return NULL;
    }
    for (uint32_t t = 0; t < n; t++)
        sorted[t] = t + 1;
    sort_heap = earlier;
    if (n)
        qsort(sorted, n, sizeof *sorted, by_type_name);
    for (uint32_t t = 1; t < later->type_count; t++) {
        size_t lo = 0, hi = n;  /* the first of sorted[lo..hi) not below the name */
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (type_cmp(earlier, sorted[mid], later, t) < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
        for (size_t k = lo; k < n && type_cmp(earlier, sorted[k], later, t) == 0; k++)
            if (!map[t] || earlier->types[sorted[k]].address == later->types[t].address)
                map[t] = sorted[k];
    }
    free(sorted);
    return map;
}

/* For each object, its one strong referrer when it has only one (its owner), else HEAP_NONE. */
static uint32_t *owners(const heap *h)
{
    uint32_t *owner = malloc((h->count ? h->count : 1) * sizeof *owner);
    if (!owner)
        return NULL;
    for (uint32_t v = 0; v < h->count; v++) {
        uint32_t only = HEAP_NONE;
        for (uint32_t k = h->in_start[v]; k < h->in_start[v + 1]; k++) {
            uint32_t from = h->in_source[k];
            if (from & HEAP_WEAK_BIT)
                continue;
            if (only != HEAP_NONE && only != from) {
                only = HEAP_NONE;
                break;
            }
            only = from;
        }
        owner[v] = only == v ? HEAP_NONE : only;  /* an object holding itself owns nothing */
    }
    return owner;
}

/*
 * Which types of `h` are immutable containers (tuple, frozenset): one at an
 * old one's address that owns what the old one did not is a new object
 * (a freed tuple's memory is reused at once for the next of its size).
 */
static uint8_t *fixed_types(const heap *h)
{
    uint8_t *fixed = calloc(h->type_count ? h->type_count : 1, 1);
    for (uint32_t t = 1; fixed && t < h->type_count; t++) {
        const char *module = heap_string(h, h->types[t].module, NULL);
        const char *name = heap_string(h, h->types[t].name, NULL);
        fixed[t] = (h->types[t].flags & HEAPAN_TYPE_BUILTIN) && strcmp(module, "builtins") == 0 &&
                   (strcmp(name, "tuple") == 0 || strcmp(name, "frozenset") == 0);
    }
    return fixed;
}

/* Which types of `h` a class statement made (instances whose size may change). */
static uint8_t *instance_types(const heap *h)
{
    uint8_t *instance = calloc(h->type_count ? h->type_count : 1, 1);
    for (uint32_t t = 1; instance && t < h->type_count; t++)
        instance[t] = !(h->types[t].flags & HEAPAN_TYPE_BUILTIN) &&
                      strcmp(heap_string(h, h->types[t].module, NULL), "builtins") != 0;
    return instance;
}

typedef struct matcher {
    const heap *earlier, *later;
    addrmap at;              /* earlier's addresses */
    uint32_t *types;         /* later type -> earlier type */
    uint32_t *owner_earlier, *owner_later;
    uint8_t *owned_any;      /* earlier objects that owned something */
    uint8_t *decided;        /* later objects decided so far */
    uint8_t *fixed;          /* later type -> 1: immutable, its contents cannot fill up */
    uint8_t *instance;       /* later type -> 1: a class statement's, not a C type */
    uint8_t *filled;         /* later objects matched as filled up: owning nothing before */
    uint32_t *result;        /* = identity.earlier */
} matcher;

/* Does later object j own an object that is the same as one the earlier object i owned? */
static int owns_the_same(const matcher *m, uint32_t j, uint32_t i, int *owns_any)
{
    const heap *h = m->later;
    uint32_t end = h->out_start[j] + h->out_count[j];
    for (uint32_t e = h->out_start[j]; e < end; e++) {
        uint32_t c = h->out_target[e] & HEAP_INDEX_MASK;
        /* in a cycle of owners, what is not decided yet is no evidence either way */
        if ((h->out_target[e] & HEAP_WEAK_BIT) || m->owner_later[c] != j || !m->decided[c])
            continue;
        *owns_any = 1;
        if (m->result[c] != HEAP_NONE && m->owner_earlier[m->result[c]] == i)
            return 1;
    }
    return 0;
}

static void decide(matcher *m, uint32_t j)
{
    const heap *a = m->earlier, *b = m->later;
    uint32_t i = addrmap_find(&m->at, b->address[j]);
    m->result[j] = HEAP_NONE;
    if (i == ADDRMAP_ABSENT || !m->types[b->type[j]] || m->types[b->type[j]] != a->type[i])
        return;
    int owns_any = 0;
    if (owns_the_same(m, j, i, &owns_any)) {
        m->result[j] = i;  /* it kept what it owned */
        return;
    }
    if (owns_any && !m->owned_any[i] && !m->fixed[b->type[j]]) {
        m->result[j] = i;  /* it owned nothing before: it filled up, unless its owner is new */
        m->filled[j] = 1;
        return;
    }
    /* An instance's size changes when its attributes move to a __dict__ made on demand. */
    if (owns_any || (a->size[i] != b->size[j] && !m->instance[b->type[j]]))
        return;
    int hashed = a->value_hash && b->value_hash && (a->flags[i] & HEAP_OBJ_HAS_HASH) &&
                 (b->flags[j] & HEAP_OBJ_HAS_HASH);
    if (!hashed || a->value_hash[i] == b->value_hash[j])
        m->result[j] = i;
}

/*
 * Decides every object after the objects it owns (Kahn's order over the
 * forest of owners: each object has at most one), so that an owner sees
 * its owned objects' answers.  Cycles of ownership are decided last.
 */
static int decide_all(matcher *m)
{
    const heap *h = m->later;
    uint32_t *waiting = calloc(h->count ? h->count : 1, sizeof *waiting);
    uint32_t *queue = malloc((h->count ? h->count : 1) * sizeof *queue);
    uint8_t *done = m->decided = calloc(h->count ? h->count : 1, 1);
    m->filled = calloc(h->count ? h->count : 1, 1);
    if (!waiting || !queue || !done || !m->filled) {
        free(waiting), free(queue), free(done), free(m->filled);
        m->decided = m->filled = NULL;
        return -1;
    }
    for (uint32_t v = 0; v < h->count; v++)
        if (m->owner_later[v] != HEAP_NONE)
            waiting[m->owner_later[v]]++;
    size_t head = 0, tail = 0;
    for (uint32_t v = 0; v < h->count; v++)
        if (!waiting[v])
            queue[tail++] = v;
    for (uint32_t pass = 0; pass < 2; pass++) {
        while (head < tail) {
            uint32_t v = queue[head++];
            decide(m, v);
            done[v] = 1;
            uint32_t o = m->owner_later[v];
            if (o != HEAP_NONE && !done[o] && --waiting[o] == 0)
                queue[tail++] = o;
        }
        for (uint32_t v = 0; v < h->count && tail < h->count; v++)
            if (!done[v] && waiting[v]) {  /* in a cycle of owners */
                waiting[v] = 0;
                queue[tail++] = v;
            }
    }
    /*
     * Owners come after what they own in the queue: backwards, each owner is
     * final before what it owns.  A collection that "filled up" under a new
     * owner was made with it at a freed one's address (a new instance's
     * __dict__), so it is new too, and so on down.
     */
    while (tail--) {
        uint32_t v = queue[tail], o = m->owner_later[v];
        if (m->filled[v] && o != HEAP_NONE && m->result[o] == HEAP_NONE)
            m->result[v] = HEAP_NONE;
    }
    free(waiting), free(queue), free(done), free(m->filled);
    m->decided = m->filled = NULL;
    return 0;
}

static void count(identity *id, const heap *earlier, const heap *later, uint8_t *seen)
{
    for (uint32_t j = 0; j < later->count; j++) {
        if (id->earlier[j] == HEAP_NONE) {
            id->new_count++;
            id->new_bytes += later->size[j];
        } else {
            seen[id->earlier[j]] = 1;
        }
    }
    for (uint32_t i = 0; i < earlier->count; i++)
        if (!seen[i]) {
            id->gone_count++;
            id->gone_bytes += earlier->size[i];
        }
}

int identity_compute(const heap *earlier, const heap *later, identity *out)
{
    memset(out, 0, sizeof *out);
    matcher m = {.earlier = earlier, .later = later};
    int failed = addrmap_init(&m.at, earlier->count) < 0;
    for (uint32_t i = 0; !failed && i < earlier->count; i++)
        failed = addrmap_insert(&m.at, earlier->address[i], i, NULL) < 0;
    m.types = failed ? NULL : match_types(earlier, later);
    m.owner_earlier = m.types ? owners(earlier) : NULL;
    m.owner_later = m.owner_earlier ? owners(later) : NULL;
    m.owned_any = m.owner_later ? calloc(earlier->count ? earlier->count : 1, 1) : NULL;
    for (uint32_t i = 0; m.owned_any && i < earlier->count; i++)
        if (m.owner_earlier[i] != HEAP_NONE)
            m.owned_any[m.owner_earlier[i]] = 1;
    m.fixed = m.owned_any ? fixed_types(later) : NULL;
    m.instance = m.fixed ? instance_types(later) : NULL;
    m.result = out->earlier = m.instance ? malloc((later->count ? later->count : 1) * sizeof *m.result) : NULL;
    for (uint32_t j = 0; m.result && j < later->count; j++)
        m.result[j] = HEAP_NONE;
    uint8_t *seen = m.result ? calloc(earlier->count ? earlier->count : 1, 1) : NULL;
    failed = !seen || decide_all(&m) < 0;
    if (!failed)
        count(out, earlier, later, seen);
    free(seen);
    addrmap_release(&m.at);
    free(m.types), free(m.owner_earlier), free(m.owner_later), free(m.owned_any);
    free(m.fixed), free(m.instance);
    if (failed)
        identity_release(out);
    return failed ? -1 : 0;
}

void identity_release(identity *id)
{
    free(id->earlier);
    memset(id, 0, sizeof *id);
}
