/* kept.c: why a survivor is still alive, by its dominators and its path's root (kept.h). */
#include <stdlib.h>
#include <string.h>

#include "report/kept.h"
#include "report/structures.h"

#define UNKNOWN (HEAP_NONE - 1)  /* a memo not filled yet */

enum {
    EDGE_SEEN = 1,    /* the edge from its retention parent was read */
    EDGE_NAMED = 2,   /* an attribute, or a value under a str key: EDGE_ATTRIBUTE or EDGE_KEY */
    EDGE_DUNDER = 4,  /* an attribute or key with a system-defined name: __warningregistry__ */
    EDGE_FIELD = 8,   /* a structural reference: an instance's __dict__, a frame's f_back */
    EDGE_ATTRIBUTE = 16,  /* an attribute held in the instance itself (inline values, slots) */
    EDGE_KEY = 32         /* a value under a str key: an attribute when the dict is a __dict__ */
};

const char *kept_kind_name(kept_kind kind)
{
    static const char *const names[KEPT_KIND_COUNT] = {
        "leak", "cache", "bounded", "import", "local", "interpreter", "garbage", "replaced", "harness"};
    return (unsigned)kind < KEPT_KIND_COUNT ? names[kind] : "leak";
}

int kept_counts(kept_kind kind, int warmed_up)
{
    if (kind == KEPT_LEAK)
        return 1;
    /* A variable goes with its function, garbage with the next collection, a bounded
     * cache stops at its bound, a replacement does not grow, the test runner's state
     * is not the program's, and what C code holds cannot be told apart from the
     * interpreter's own: warm or not. */
    return warmed_up && (kind == KEPT_CACHE || kind == KEPT_IMPORT);
}

static int is_dunder(const char *name)
{
    size_t n = strlen(name);
    return n > 4 && name[0] == '_' && name[1] == '_' && name[n - 2] == '_' && name[n - 1] == '_';
}

/* How each object's retention parent names it, in one pass over the references. */
static void read_edges(kept *k)
{
    const heap *h = k->r->heap;
    for (uint32_t v = 0; h->out_label && v < h->count; v++) {
        for (uint32_t e = h->out_start[v]; e < h->out_start[v] + h->out_count[v]; e++) {
            uint32_t c = h->out_target[e] & HEAP_INDEX_MASK;
            if ((h->out_target[e] & HEAP_WEAK_BIT) || k->paths->parent[c] != v || k->edge[c])
                continue;
            unsigned kind = h->out_label_kind[e];
            k->edge[c] = EDGE_SEEN;
            if (kind != HEAPAN_LABEL_ATTRIBUTE && kind != HEAPAN_LABEL_KEY &&
                kind != HEAPAN_LABEL_FIELD)
                continue;
            if (kind == HEAPAN_LABEL_FIELD)
                k->edge[c] |= EDGE_FIELD;  /* a __dict__ made since holds what was set in it */
            else
                k->edge[c] |= EDGE_NAMED |
                              (kind == HEAPAN_LABEL_ATTRIBUTE ? EDGE_ATTRIBUTE : EDGE_KEY) |
                              (is_dunder(heap_string(h, h->out_label[e], NULL)) ? EDGE_DUNDER : 0);
        }
    }
}

int kept_init(kept *k, report *r, const retention *paths, const kept_inputs *in)
{
    uint32_t n = r->heap->count ? r->heap->count : 1;
    memset(k, 0, sizeof *k);
    k->r = r, k->paths = paths, k->in = *in;
    k->near = malloc(n * sizeof *k->near);
    k->near_path = malloc(n * sizeof *k->near_path);
    k->near_harness = malloc(n * sizeof *k->near_harness);
    k->root = malloc(n * sizeof *k->root);
    k->chain = malloc(n * sizeof *k->chain);
    k->edge = calloc(n, 1);
    if (!k->near || !k->near_path || !k->near_harness || !k->root || !k->chain || !k->edge)
        return -1;
    read_edges(k);
    for (uint32_t v = 0; v < n; v++)
        k->near[v] = k->near_path[v] = k->near_harness[v] = k->root[v] = UNKNOWN;
    return 0;
}

void kept_release(kept *k)
{
    free(k->near), free(k->near_path), free(k->near_harness), free(k->root), free(k->chain), free(k->edge);
    memset(k, 0, sizeof *k);
}

/* Does holding v keep what it dominates on purpose: a functools cache, or a new module? */
static int is_keeper(const kept *k, uint32_t v)
{
    uint32_t bases = pytypes_bases_of(&k->r->classes, k->r->heap, v);
    return (bases & PYBASE_LRU_CACHE) || ((bases & PYBASE_MODULE) && k->in.is_new[v]);
}

/* Is `module` one of the test runner's modules, or inside one? */
static int is_harness_module(const kept *k, const char *module)
{
    for (size_t i = 0; i < k->in.harness_count; i++) {
        size_t n = strlen(k->in.harness[i]);
        if (strncmp(module, k->in.harness[i], n) == 0 && (module[n] == '\0' || module[n] == '.'))
            return 1;
    }
    return 0;
}

/* Is v an object of a class the test runner defines? */
static int is_harness(const kept *k, uint32_t v)
{
    const heap *h = k->r->heap;
    return k->in.harness_count && is_harness_module(k, heap_string(h, h->types[h->type[v]].module, NULL));
}

/* The next object up v's dominator chain, or its retention path; HEAP_NONE past the top. */
static uint32_t up(const kept *k, uint32_t v, int by_dominators)
{
    if (by_dominators) {
        uint32_t d = k->r->dom->idom[v];
        return d < k->r->dom->count ? d : HEAP_NONE;
    }
    uint32_t p = k->paths->parent[v];
    return p == HEAP_NONE || (p & PATH_ROOT_BIT) ? HEAP_NONE : p;
}

/*
 * The nearest keeper among v and the objects above it (its dominators, or
 * its retention path), or HEAP_NONE.  The climb stops at a memo and fills
 * every object it passed, so each chain is climbed once however many
 * survivors share it.
 */
static uint32_t nearest(kept *k, uint32_t *memo, uint32_t v, int by_dominators,
                        int (*is)(const kept *, uint32_t))
{
    size_t n = 0;
    uint32_t found = HEAP_NONE;
    for (uint32_t cur = v; cur != HEAP_NONE; cur = up(k, cur, by_dominators)) {
        if (memo[cur] != UNKNOWN) {
            found = memo[cur];
            break;
        }
        if (is(k, cur)) {
            found = memo[cur] = cur;
            break;
        }
        k->chain[n++] = cur;
    }
    while (n)
        memo[k->chain[--n]] = found;
    return found;
}

/* The root v's retention path starts at (PATH_ROOT_BIT clear), or HEAP_NONE: none reaches it. */
static uint32_t root_of(kept *k, uint32_t v)
{
    size_t n = 0;
    uint32_t found = HEAP_NONE;
    for (uint32_t cur = v;;) {
        if (k->root[cur] != UNKNOWN) {
            found = k->root[cur];
            break;
        }
        k->chain[n++] = cur;
        uint32_t p = k->paths->parent[cur];
        if (p == HEAP_NONE || (p & PATH_ROOT_BIT)) {
            found = p == HEAP_NONE ? HEAP_NONE : p & ~PATH_ROOT_BIT;
            break;
        }
        cur = p;
    }
    while (n)
        k->root[k->chain[--n]] = found;
    return found;
}

/* heapan's own modules (the dumper, the pytest plugin) keep their state: not the program's. */
static int is_heapan_module(const char *name)
{
    return strcmp(name, "heapan") == 0 || strncmp(name, "heapan.", 7) == 0;
}

static kept_kind by_module(kept *k, const heap_root *root)
{
    const char *name = heap_string(k->r->heap, root->label, NULL);
    if (is_heapan_module(name))
        return KEPT_INTERPRETER;
    if (is_harness_module(k, name))
        return KEPT_HARNESS;
    code_owner owner = interp_module_owner(&k->r->interp, root->label, NULL, 0);
    return owner == OWNER_STDLIB || owner == OWNER_PACKAGE ? KEPT_CACHE : KEPT_LEAK;
}

static kept_kind by_root(kept *k, uint32_t index)
{
    const heap_root *root = &k->r->heap->roots[index];
    switch (root->kind) {
    case HEAPAN_ROOT_MODULE: return by_module(k, root);
    case HEAPAN_ROOT_FRAME: return KEPT_LOCAL;
    case HEAPAN_ROOT_EXTERNAL:
    case HEAPAN_ROOT_INTERNED:
    case HEAPAN_ROOT_BUILTINS: return KEPT_INTERPRETER;
    default: return KEPT_LEAK;  /* gc.garbage, a thread state, a V8 root */
    }
}

/* An lru_cache wrapper the dumper saw bounded (lru_cache.maxsize, -1 for None)? */
static int is_bounded(const heap *h, uint32_t wrapper)
{
    int64_t maxsize;
    return heap_property_number(h, wrapper, "lru_cache.maxsize", 0, &maxsize) == 0 && maxsize >= 0;
}

/* Is v an instance of a class that a library's Python code defines? */
static int of_library_class(kept *k, uint32_t v)
{
    const heap *h = k->r->heap;
    uint32_t type = h->type[v];
    if (h->types[type].flags & HEAPAN_TYPE_BUILTIN)
        return 0;
    code_owner owner = interp_type_owner(&k->r->interp, type, NULL, 0);
    return owner == OWNER_STDLIB || owner == OWNER_PACKAGE;
}

/*
 * The library object whose attribute t is (logging.Logger's _cache), or
 * HEAP_NONE: the library's code set it, on an object it defines.  An item
 * the program put in a library container (a Counter's key) is no attribute.
 */
static uint32_t library_owner(kept *k, uint32_t t)
{
    uint32_t p = up(k, t, 0);
    if (p == HEAP_NONE)
        return HEAP_NONE;
    if ((k->edge[t] & EDGE_ATTRIBUTE) && of_library_class(k, p))
        return p;
    /* a str key of a dict that is an instance's __dict__; of a dict subclass, an item */
    uint32_t instance = (k->edge[t] & EDGE_KEY) && (k->edge[p] & EDGE_FIELD) ? up(k, p, 0) : HEAP_NONE;
    return instance != HEAP_NONE && of_library_class(k, instance) ? instance : HEAP_NONE;
}

kept_kind kept_why(kept *k, uint32_t t, char **by)
{
    const heap *h = k->r->heap;
    /* What keeps t on every path says most; what its shortest path passes, when none does
     * (C code holding the object too, as lru_cache's links, makes it a root of its own). */
    uint32_t keeper = nearest(k, k->near, t, 1, is_keeper), root = HEAP_NONE;
    if (keeper == HEAP_NONE)
        keeper = nearest(k, k->near_path, t, 0, is_keeper);
    kept_kind kind;
    uint32_t holder = up(k, t, 0), runner = nearest(k, k->near_harness, t, 0, is_harness);
    if (runner != HEAP_NONE)
        kind = KEPT_HARNESS, keeper = runner;
    else if (k->in.replaced && k->in.replaced[t])
        kind = KEPT_REPLACED, keeper = holder;
    else if (keeper != HEAP_NONE)
        kind = pytypes_bases_of(&k->r->classes, h, keeper) & PYBASE_MODULE ? KEPT_IMPORT
               : is_bounded(h, keeper)                                    ? KEPT_BOUNDED
                                                                          : KEPT_CACHE;
    else if (k->edge[t] & EDGE_DUNDER)  /* the runtime's: a module's __warningregistry__ */
        kind = KEPT_INTERPRETER, keeper = holder;
    else if ((keeper = library_owner(k, t)) != HEAP_NONE)
        kind = KEPT_CACHE;
    else if ((root = root_of(k, t)) == HEAP_NONE)
        kind = KEPT_GARBAGE;
    else
        kind = by_root(k, root);
    if (by) {
        if (keeper != HEAP_NONE)
            *by = structure_name(h, k->paths, keeper);
        else
            *by = root != HEAP_NONE ? root_text(h, root) : NULL;
    }
    return kind;
}
