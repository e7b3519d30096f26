/*
 * suggest.c: savings, each estimated from the real sizes in the dump.  A
 * saving that lies inside a finding with a fix is not counted twice: the
 * fix frees that part, so it is left out of the estimate, and a saving
 * that the fix would free entirely is folded into the fix.  Each saving
 * says whose code must change: its class's, or the code holding its data.
 */
#include <stdlib.h>
#include <string.h>

#include "report/report.h"
#include "textout.h"
#include "model/sort.h"

#define PY_OBJECT_HEADER 16   /* refcount and type pointer */
#define PY_GC_HEADER 16       /* what the cycle collector adds to a container */
#define ARRAY_HEADER 80       /* sys.getsizeof(array.array("d")) */
#define LAZY_MIN_BYTES (1u << 20)  /* smaller strings are rarely whole files worth streaming */
#define OWNER_NAME 64

typedef struct adder {
    report *r;
    const retention *paths;
    const report_options *o;
    uint32_t *fixed_by;      /* by object: the finding whose fix frees it, or HEAP_NONE */
    size_t *fix_of;          /* by finding: its fix among the suggestions, or SIZE_MAX */
    uint8_t *root_owner;     /* by root: code_owner + 1, 0 until looked up */
    uint8_t *object_owner;   /* by object: data_owner() + 1, 0 until looked up */
    uint64_t *folded;        /* by finding and kind: what a fix frees of that kind's saving */
} adder;

/* Do the filters keep suggestions about object v? */
static int accepted(const adder *a, uint32_t v)
{
    char name[512];
    if (v == HEAP_NONE)
        return 1;
    report_type_name(a->r, v, name, sizeof name);
    return (!a->o->accept_type || a->o->accept_type(a->o->filter_ctx, name)) &&
           (!a->o->include_type || a->o->include_type(a->o->filter_ctx, name) != 0);
}

static int type_is(const heap *h, uint32_t v, const char *name)
{
    return strcmp(heap_type_name(h, v), name) == 0;
}

static uint64_t worth(const adder *a)
{
    return a->o->min_retained / 2;
}

/* ---- whose code holds the data; what the fixes free ------------------------------ */

/* The owner of a root: the module's, a frame's (the program's), or not known. */
static code_owner root_owner(adder *a, size_t k)
{
    if (!a->root_owner[k]) {
        const heap_root *root = &a->r->heap->roots[k];
        code_owner owner = root->kind == HEAPAN_ROOT_MODULE
                               ? interp_module_owner(&a->r->interp, root->label, NULL, 0)
                           : root->kind == HEAPAN_ROOT_FRAME ? OWNER_PROGRAM
                                                             : OWNER_UNKNOWN;
        a->root_owner[k] = (uint8_t)(owner + 1);
    }
    return (code_owner)(a->root_owner[k] - 1);
}

/* Is x an instance of a class statement, not a class or a module itself? */
static int holder_instance(const adder *a, uint32_t x)
{
    const heap *h = a->r->heap;
    uint32_t type = h->type[x];
    return type < h->type_count && !(h->types[type].flags & HEAPAN_TYPE_BUILTIN) &&
           !(pytypes_bases_of(&a->r->classes, h, x) & (PYBASE_TYPE | PYBASE_MODULE));
}

/*
 * Whose code holds the data v: where it was allocated when the dump says;
 * else the class of the nearest instance that holds it on its retention
 * path (the strings of a botocore loader are botocore's to change); else
 * the module its path starts from.  Memoised along the way.
 */
static code_owner data_owner(adder *a, uint32_t v)
{
    const heap *h = a->r->heap;
    uint32_t site = heap_site(h, v);
    if (site && site < h->frame_count)
        return interp_file_owner(&a->r->interp, heap_string(h, h->frames[site].file, NULL), NULL, 0);
    code_owner owner = OWNER_UNKNOWN;
    uint32_t x = v, steps = 0;
    for (; x != HEAP_NONE && !a->object_owner[x] && steps < h->count; steps++) {
        uint32_t parent = a->paths->parent[x];
        if (x != v && holder_instance(a, x)) {
            owner = interp_type_owner(&a->r->interp, h->type[x], NULL, 0);
            break;
        }
        if (parent == HEAP_NONE)
            break;
        if (parent & PATH_ROOT_BIT) {
            owner = root_owner(a, parent & ~PATH_ROOT_BIT);
            break;
        }
        x = parent;
    }
    if (x != HEAP_NONE && a->object_owner[x])
        owner = (code_owner)(a->object_owner[x] - 1);
    /* Everything walked shares the owner found. */
    for (uint32_t y = v, k = 0; y != HEAP_NONE && k <= steps && !a->object_owner[y]; k++) {
        a->object_owner[y] = (uint8_t)(owner + 1);
        uint32_t parent = a->paths->parent[y];
        y = parent & PATH_ROOT_BIT ? HEAP_NONE : parent;
    }
    return owner;
}

/* The package data_owner() found for v, by walking again: "botocore", or "". */
static void data_owner_name(adder *a, uint32_t v, char *name, size_t size)
{
    const heap *h = a->r->heap;
    uint32_t site = heap_site(h, v);
    *name = '\0';
    if (site && site < h->frame_count) {
        interp_file_owner(&a->r->interp, heap_string(h, h->frames[site].file, NULL), name, size);
        return;
    }
    for (uint32_t x = v, steps = 0; x != HEAP_NONE && steps < h->count; steps++) {
        uint32_t parent = a->paths->parent[x];
        if (x != v && holder_instance(a, x)) {
            interp_type_owner(&a->r->interp, h->type[x], name, size);
            return;
        }
        if (parent == HEAP_NONE)
            return;
        if (parent & PATH_ROOT_BIT) {
            const heap_root *root = &h->roots[parent & ~PATH_ROOT_BIT];
            if (root->kind == HEAPAN_ROOT_MODULE)
                interp_module_owner(&a->r->interp, root->label, name, size);
            return;
        }
        x = parent;
    }
}

static int is_library(code_owner owner)
{
    return owner == OWNER_STDLIB || owner == OWNER_PACKAGE;
}

/* The garbage a collection frees: the cycles no root reaches (those frozen, when frozen). */
static int mark_garbage(adder *a, const leak_candidate *c, uint32_t finding)
{
    const heap *h = a->r->heap;
    if (c->cause == CAUSE_GC_GARBAGE)
        return 0; /* held by gc.garbage roots: emptying it frees what they alone hold */
    uint8_t *memo = calloc(h->count ? h->count : 1, 1);
    if (!memo)
        return -1;
    for (uint32_t v = 0; v < h->count; v++)
        if ((h->flags[v] & HEAP_OBJ_UNREACHABLE) &&
            (c->cause != CAUSE_GC_FROZEN || report_held_frozen(a->r, v, memo)) &&
            a->fixed_by[v] == HEAP_NONE)
            a->fixed_by[v] = finding;
    free(memo);
    return 0;
}

/* Marks what each fix frees: the dominator subtree of its finding. */
static int mark_fixed(adder *a)
{
    const report *r = a->r;
    const dominators *d = r->dom;
    uint32_t n = r->heap->count;
    a->fixed_by = malloc((n ? n : 1) * sizeof *a->fixed_by);
    a->fix_of = malloc((r->leak_count + 1) * sizeof *a->fix_of);
    uint32_t *stack = malloc(((size_t)n + 1) * sizeof *stack);
    if (!a->fixed_by || !a->fix_of || !stack) {
        free(stack);
        return -1;
    }
    for (uint32_t v = 0; v < n; v++)
        a->fixed_by[v] = HEAP_NONE;
    for (size_t i = 0; i < r->leak_count; i++)
        a->fix_of[i] = SIZE_MAX;
    for (size_t k = 0; k < r->suggestion_count; k++) {
        size_t i = r->suggestions[k].fixes;
        if (i != SIZE_MAX && r->leaks[i].kind == LEAK_GARBAGE) {
            if (mark_garbage(a, &r->leaks[i], (uint32_t)i) < 0) {
                free(stack);
                return -1;
            }
            a->fix_of[i] = k;
            continue;
        }
        uint32_t top = i == SIZE_MAX ? HEAP_NONE : r->leaks[i].object;
        if (top == HEAP_NONE || a->fixed_by[top] != HEAP_NONE)
            continue;
        a->fix_of[i] = k;
        size_t sp = 0;
        stack[sp++] = top;
        while (sp) {
            uint32_t x = stack[--sp];
            a->fixed_by[x] = (uint32_t)i;
            for (uint32_t c = d->child_start[x]; c < d->child_start[x + 1]; c++)
                if (a->fixed_by[d->child[c]] == HEAP_NONE)
                    stack[sp++] = d->child[c];
        }
    }
    free(stack);
    return 0;
}

/* The part of a saving each finding's fix frees, tallied object by object. */
typedef struct split {
    uint64_t outside;
    uint64_t inside;        /* inside the finding below */
    uint32_t finding;       /* the first finding found holding part of it */
} split;

static void split_add(const adder *a, split *s, uint32_t v, uint64_t bytes)
{
    uint32_t i = v == HEAP_NONE ? HEAP_NONE : a->fixed_by[v];
    if (i == HEAP_NONE) {
        s->outside += bytes;
    } else {
        s->inside += bytes;
        if (s->finding == HEAP_NONE)
            s->finding = i;
    }
}

/*
 * Adds a saving, split: what a fix frees is left out of it.  When little
 * is left, the saving is folded into the fix's note instead.  Returns the
 * suggestion, NULL when folded or not worth it, and sets *failed when out
 * of memory.
 */
static suggestion *add_split(adder *a, suggestion_kind kind, uint32_t object, uint64_t instances,
                             const split *s, code_owner owner, int *failed)
{
    report *r = a->r;
    char size[32];
    if (s->inside && s->outside < worth(a)) {
        a->folded[(size_t)s->finding * SUGGESTION_KIND_COUNT + kind] += s->inside;
        return NULL;
    }
    if (s->outside < worth(a) || !accepted(a, object))
        return NULL;
    suggestion *sg = report_add_suggestion(r, kind, object, instances, s->outside);
    if (!sg) {
        *failed = 1;
        return NULL;
    }
    sg->owner = owner;
    if (s->inside) {
        sg->inside = s->finding;
        sg->inside_bytes = s->inside;
        if (!(sg->note = report_format("A further %s lies inside finding %u, which its fix "
                                       "frees; it is not counted here.",
                                       format_bytes(s->inside, size, sizeof size),
                                       s->finding + 1)))
            *failed = 1;
    }
    return sg;
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
    uint64_t dict;      /* its materialised __dict__'s size, 0 if none */
    uint32_t object;
} instance_shape;

static int by_type_and_shape(const void *a, const void *b)
{
    const instance_shape *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return x->signature < y->signature ? -1 : x->signature > y->signature;
}

/*
 * What __slots__ saves on one instance: its attributes' storage (the
 * __dict__, or the inline values), the words kept for a dict and weak
 * references, less a slot per attribute.  Its built-in base keeps its
 * own layout: a dict subclass keeps its table.
 */
static uint64_t slots_saving(const adder *a, uint32_t type, const instance_shape *s,
                             uint32_t attributes)
{
    const heap *h = a->r->heap;
    const heapan_type *t = &h->types[type];
    uint32_t base = pytypes_builtin_base(&a->r->classes, type);
    unsigned major = 0, minor = 0;
    if (h->reader)
        heapan_reader_version(h->reader, &major, &minor);
    /* Format 1.1 records what a class's instances keep beside their body. */
    if (minor < 1 || !base || !t->basic_size || !h->types[base].basic_size) {
        /* a dump without the layouts: the instance and its dict, less a slotted object */
        uint64_t slotted = PY_GC_HEADER + PY_OBJECT_HEADER + 8 * (uint64_t)attributes;
        return s->bytes > slotted ? s->bytes - slotted : 0;
    }
    uint64_t storage = s->dict ? s->dict : t->inline_values;
    uint64_t body = t->basic_size > h->types[base].basic_size
                        ? t->basic_size - h->types[base].basic_size
                        : 0;
    uint64_t freed = storage + t->pre_header + body, slots = 8 * (uint64_t)attributes;
    return freed > slots ? freed - slots : 0;
}

/*
 * __slots__ removes the dict only if no class of the MRO keeps one: the
 * program's own bases must take __slots__ too (their names go into
 * `bases`), and a library's base that keeps a dict (pydantic's BaseModel)
 * makes it impossible.  Returns 0 when it is.
 */
static int slots_possible(adder *a, uint32_t type, char *bases, size_t size)
{
    const heap *h = a->r->heap;
    size_t n, used = 0;
    const uint32_t *mro = pytypes_mro(&a->r->classes, type, &n);
    *bases = '\0';
    for (size_t i = 1; i < n; i++) {
        const heapan_type *base = &h->types[mro[i]];
        if ((base->flags & HEAPAN_TYPE_BUILTIN) || !(base->flags & HEAPAN_TYPE_HAS_DICT))
            continue;
        if (is_library(interp_type_owner(&a->r->interp, mro[i], NULL, 0)))
            return 0;
        char name[256];
        group_name(h, GROUP_BY_TYPE, mro[i], name, sizeof name);
        if (used < size)
            used += (size_t)snprintf(bases + used, size - used, "%s%s", used ? ", " : "", name);
    }
    return 1;
}

static int suggest_slots_for(adder *a, const instance_shape *run, size_t same, size_t all)
{
    uint32_t type = (uint32_t)(run->key >> 32), attributes = (uint32_t)run->key;
    uint64_t bytes = 0;
    size_t with_dict = 0;
    split s = {.finding = HEAP_NONE};
    for (size_t i = 0; i < same; i++) {
        bytes += run[i].bytes;
        with_dict += run[i].dict != 0;
        split_add(a, &s, run[i].object, slots_saving(a, type, &run[i], attributes));
    }
    char bases[512];
    if (same < a->o->min_entries || same * 10 < all * 9 || !slots_possible(a, type, bases, sizeof bases))
        return 0;
    int failed = 0;
    suggestion *sg = add_split(a, SUGGEST_SLOTS, run->object, same, &s,
                               interp_type_owner(&a->r->interp, type, NULL, 0), &failed);
    if (!sg)
        return failed ? -1 : 0;
    char name[512], now[32], saved[32];
    interp_type_owner(&a->r->interp, type, sg->owner_name, sizeof sg->owner_name);
    group_name(a->r->heap, GROUP_BY_TYPE, type, name, sizeof name);
    sg->target = strdup(name);
    /* From 3.11 an instance keeps its attributes inline until its __dict__ is asked for. */
    const char *storage = with_dict == same ? "their dicts"
                          : with_dict    ? "their dicts or inline values"
                                         : "their inline attribute values";
    sg->message = report_format(
        "%llu instances of %s have the same %u attributes and no __slots__; they take %s with "
        "%s, and __slots__ would save %s%s%s.",
        (unsigned long long)same, name, attributes, format_bytes(bytes, now, sizeof now), storage,
        format_bytes(sg->estimated_savings, saved, sizeof saved),
        *bases ? ", once its bases have __slots__ too: " : "", bases);
    return sg->target && sg->message ? 0 : -1;
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
            !(h->types[t].flags & HEAPAN_TYPE_HAS_DICT) ||
            (pytypes_bases_of(&a->r->classes, h, v) & PYBASE_TYPE))
            continue;
        uint32_t count;
        uint64_t dict_size;
        uint64_t signature = attribute_signature(h, v, &count, &dict_size);
        shapes[n++] = (instance_shape){(uint64_t)t << 32 | count, signature, h->size[v] + dict_size,
                                       dict_size, v};
    }
    sort_items(shapes, n, sizeof *shapes, by_type_and_shape);
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

static void count_items(const pytypes *k, const heap *h, const dominators *d, uint32_t v,
                        items *out)
{
    memset(out, 0, sizeof *out);
    for (uint32_t e = h->out_start[v]; e < h->out_start[v] + h->out_count[v]; e++) {
        uint32_t t = h->out_target[e];
        if (t & HEAP_WEAK_BIT)
            continue;
        out->count++;
        py_builtin kind = pytypes_kind_of(k, h, t & HEAP_INDEX_MASK);
        out->floats += kind == PY_FLOAT;
        out->ints += kind == PY_INT;
        out->strs += kind == PY_STR;
        if (d->idom[t] == v)
            out->owned_bytes += d->retained_size[t];
    }
}

/* A single object's saving: all of it inside a fix, or all outside. */
static suggestion *add_one(adder *a, suggestion_kind kind, uint32_t v, uint64_t instances,
                           uint64_t savings, int *failed)
{
    split s = {.finding = HEAP_NONE};
    split_add(a, &s, v, savings);
    suggestion *sg = add_split(a, kind, v, instances, &s, data_owner(a, v), failed);
    if (sg)
        data_owner_name(a, v, sg->owner_name, sizeof sg->owner_name);
    if (sg && !(sg->target = report_where(a->r, a->paths, v)))
        *failed = 1;
    return sg;
}

static int suggest_for_list(adder *a, uint32_t v)
{
    const heap *h = a->r->heap;
    items it;
    count_items(&a->r->classes, h, a->r->dom, v, &it);
    if (it.count < 1000)
        return 0;
    char size[32];
    int failed = 0;
    uint64_t bytes = h->size[v] + it.owned_bytes;
    if ((it.floats + it.ints) * 10 >= it.count * 9) {
        uint64_t packed = ARRAY_HEADER + 8 * it.count;
        if (bytes <= packed)
            return 0;
        suggestion *s = add_one(a, SUGGEST_NUMPY_ARRAY, v, it.count, bytes - packed, &failed);
        if (s && !failed && !(s->message = report_format(
                                "A %s of %llu %s takes %s; array.array or a NumPy array stores "
                                "the same numbers in 8 bytes each.",
                                heap_type_name(h, v), (unsigned long long)it.count,
                                it.floats >= it.ints ? "floats" : "ints",
                                format_bytes(bytes, size, sizeof size))))
            failed = 1;
        return failed ? -1 : 0;
    }
    if (it.strs * 10 >= it.count * 9 && a->r->dom->retained_size[v] >= a->o->min_retained) {
        uint64_t retained = a->r->dom->retained_size[v];
        suggestion *s = add_one(a, SUGGEST_GENERATOR, v, it.count, retained, &failed);
        if (s && !failed &&
            !(s->message = report_format(
                  "A list of %llu strings is kept whole (%s): if it is read from a file "
                  "(readlines()) or built by a comprehension and used once, iterate over the "
                  "source instead.",
                  (unsigned long long)it.count, format_bytes(retained, size, sizeof size))))
            failed = 1;
    }
    return failed ? -1 : 0;
}

/* ---- one big string or bytes: a file read whole? ---------------------------------- */

static int suggest_lazy_loading(adder *a, uint32_t v)
{
    const heap *h = a->r->heap;
    if (h->size[v] < a->o->min_retained || h->size[v] < LAZY_MIN_BYTES ||
        (pytypes_kind_of(&a->r->classes, h, v) != PY_STR &&
         pytypes_kind_of(&a->r->classes, h, v) != PY_BYTES))
        return 0;
    char size[32];
    int failed = 0;
    suggestion *s = add_one(a, SUGGEST_LAZY_LOADING, v, 1, h->size[v], &failed);
    if (s && !failed &&
        !(s->message = report_format("One %s of %s is kept in memory whole: if it is a file's "
                                     "content read at once, process it in chunks or map it "
                                     "(mmap) instead.",
                                     heap_type_name(h, v), format_bytes(h->size[v], size, sizeof size))))
        failed = 1;
    return failed ? -1 : 0;
}

/* ---- duplicate strings ------------------------------------------------------------ */

/* The copies of equal strings held by one kind of code: the program's, or the libraries'. */
typedef struct duplicates {
    split waste;
    uint64_t copies, groups, best_copies;
    uint32_t best;
} duplicates;

/* One group of equal strings, of `library` code or not: all its copies but one are waste. */
static void count_group(adder *a, const ranked *strs, size_t n, int library, duplicates *d)
{
    const heap *h = a->r->heap;
    size_t mine = 0, outside = 0;
    uint32_t any = HEAP_NONE;
    for (size_t k = 0; k < n; k++) {
        uint32_t v = strs[k].object;
        if (is_library(data_owner(a, v)) != library)
            continue;
        mine++, any = v;
        outside += a->fixed_by[v] == HEAP_NONE;
    }
    if (mine < 2)
        return;
    uint64_t size = h->size[any];
    /* a fix frees the copies inside it; what stays outside keeps one of them */
    uint64_t left = outside > 1 ? (outside - 1) * size : 0, all = (mine - 1) * size;
    d->waste.outside += left;
    if (all > left) {
        for (size_t k = 0; k < n && d->waste.finding == HEAP_NONE; k++)
            if (a->fixed_by[strs[k].object] != HEAP_NONE)
                d->waste.finding = a->fixed_by[strs[k].object];
        d->waste.inside += all - left;
    }
    d->groups++;
    d->copies += mine - 1;
    if (mine - 1 > d->best_copies)
        d->best_copies = mine - 1, d->best = any;
}

static int add_interning(adder *a, const duplicates *d, int v8)
{
    const heap *h = a->r->heap;
    int failed = 0;
    if (!d->copies)
        return 0;
    /* the libraries' copies are those of their code objects and tables */
    suggestion *s = add_split(a, v8 ? SUGGEST_DEDUPE_STRINGS : SUGGEST_INTERN_STRINGS, d->best,
                              d->copies, &d->waste, v8 ? OWNER_UNKNOWN : data_owner(a, d->best),
                              &failed);
    if (!s)
        return failed ? -1 : 0;
    char size[32];
    if (!v8)
        data_owner_name(a, d->best, s->owner_name, sizeof s->owner_name);
    s->value_hash = v8 ? h->name[d->best] : h->value_hash[d->best];
    s->target = strdup(v8 ? "(string)" : "str");
    s->message = report_format(
        "%llu strings are copies of %llu distinct values and waste %s; the most repeated value "
        "has %llu copies (one of them at 0x%llx). %s keeps one of each.",
        (unsigned long long)d->copies, (unsigned long long)d->groups,
        format_bytes(s->estimated_savings, size, sizeof size), (unsigned long long)d->best_copies,
        (unsigned long long)h->address[d->best],
        v8 ? "A Map of canonical values" : "sys.intern() or a dict of canonical values");
    return s->target && s->message ? 0 : -1;
}

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
        else if (!v8 && h->flags[v] & HEAP_OBJ_HAS_HASH &&
                 pytypes_kind_of(&a->r->classes, h, v) == PY_STR)
            strs[n++] = (ranked){h->value_hash[v] ^ h->size[v] * 0x9e3779b97f4a7c15ull, v};
    sort_items(strs, n, sizeof *strs, ranked_descending);
    duplicates own = {.waste.finding = HEAP_NONE, .best = HEAP_NONE},
               libraries = {.waste.finding = HEAP_NONE, .best = HEAP_NONE};
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && strs[j].key == strs[i].key)
            j++;
        if (j - i > 1) {
            count_group(a, strs + i, j - i, 0, &own);
            if (!v8)
                count_group(a, strs + i, j - i, 1, &libraries);
        }
        i = j;
    }
    free(strs);
    return add_interning(a, &own, v8) < 0 || add_interning(a, &libraries, v8) < 0 ? -1 : 0;
}

/* ---- empty and over-allocated collections ------------------------------------------- */

/* An empty collection's holder: the instance (through its __dict__ too) and the attribute. */
typedef struct empty_slot {
    uint32_t owner_type;  /* type id of the holding object */
    uint32_t attribute;   /* string id of its attribute or key, 0 if none */
    uint32_t kind;        /* 0 dict, 1 list, 2 set */
    uint32_t object;
} empty_slot;

static int by_owner_then_attribute(const void *x, const void *y)
{
    const empty_slot *a = x, *b = y;
    if (a->owner_type != b->owner_type)
        return a->owner_type < b->owner_type ? -1 : 1;
    if (a->attribute != b->attribute)
        return a->attribute < b->attribute ? -1 : 1;
    return a->kind < b->kind ? -1 : a->kind > b->kind;
}

/* Who holds the empty collection v, and under which name. */
static empty_slot holder_of(const heap *h, uint32_t v, uint32_t kind)
{
    uint32_t s = h->in_source[h->in_start[v]] & HEAP_INDEX_MASK;
    uint64_t e = heap_find_edge(h, s, v);
    empty_slot slot = {h->type[s], 0, kind, v};
    if (e == UINT64_MAX)
        return slot;
    if (heap_label_is_string(h->out_label_kind[e]))
        slot.attribute = h->out_label[e];
    /* an attribute kept in the instance's __dict__ belongs to the instance */
    for (uint32_t k = h->in_start[s]; k < h->in_start[s + 1]; k++) {
        uint32_t owner = h->in_source[k] & HEAP_INDEX_MASK;
        uint64_t d = heap_find_edge(h, owner, s);
        if (d != UINT64_MAX && heap_edge_is_dict(h, d)) {
            slot.owner_type = h->type[owner];
            break;
        }
    }
    return slot;
}

/* One suggestion per holding class: "3000 empty lists at logging.Logger.filters". */
static int suggest_empty_group(adder *a, const empty_slot *group, size_t n)
{
    const heap *h = a->r->heap;
    split s = {.finding = HEAP_NONE};
    for (size_t i = 0; i < n; i++)
        split_add(a, &s, group[i].object, h->size[group[i].object]);
    if (n < a->o->min_entries)
        return 0;
    int failed = 0;
    char owner[512], size[32];
    suggestion *sg = add_split(a, SUGGEST_EMPTY_COLLECTIONS, group[0].object, n, &s,
                               interp_type_owner(&a->r->interp, group[0].owner_type, NULL, 0),
                               &failed);
    if (!sg)
        return failed ? -1 : 0;
    interp_type_owner(&a->r->interp, group[0].owner_type, sg->owner_name, sizeof sg->owner_name);
    group_name(h, GROUP_BY_TYPE, group[0].owner_type, owner, sizeof owner);
    /* the target names each attribute: "logging.Logger.filters, .handlers" */
    char target[1024] = "", where[2048] = "";
    static const char *const kinds[] = {"dicts", "lists", "sets"};
    size_t tlen = 0, wlen = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && group[j].attribute == group[i].attribute && group[j].kind == group[i].kind)
            j++;
        const char *name = group[i].attribute ? heap_string(h, group[i].attribute, NULL) : "";
        if (tlen < sizeof target - 1)
            tlen += (size_t)snprintf(target + tlen, sizeof target - tlen, "%s%s%s",
                                     tlen ? ", " : owner, *name ? "." : "", name);
        if (wlen < sizeof where - 1)
            wlen += (size_t)snprintf(where + wlen, sizeof where - wlen, "%s%zu empty %s at %s%s%s",
                                     wlen ? ", " : "", j - i, kinds[group[i].kind], owner,
                                     *name ? "." : "", name);
        i = j;
    }
    sg->target = strdup(target);
    sg->message = report_format("%s, each held by its instance alone, take %s: allocate them "
                                "on first use, or share None until then.",
                                where, format_bytes(sg->estimated_savings, size, sizeof size));
    return sg->target && sg->message ? 0 : -1;
}

static int suggest_empty_collections(adder *a)
{
    const heap *h = a->r->heap;
    empty_slot *slots = malloc((h->count ? h->count : 1) * sizeof *slots);
    size_t n = 0;
    if (!slots)
        return -1;
    for (uint32_t v = 0; v < h->count; v++) {
        py_builtin type = pytypes_kind_of(&a->r->classes, h, v);
        uint32_t kind = type == PY_DICT ? 0 : type == PY_LIST ? 1 : type == PY_SET ? 2 : 3;
        if (kind < 3 && h->length[v] == 0 && h->in_start[v + 1] - h->in_start[v] == 1 &&
            !(h->flags[v] & HEAP_OBJ_UNREACHABLE))
            slots[n++] = holder_of(h, v, kind);
    }
    sort_items(slots, n, sizeof *slots, by_owner_then_attribute);
    int failed = 0;
    for (size_t i = 0; i < n && !failed;) {
        size_t j = i;
        while (j < n && slots[j].owner_type == slots[i].owner_type)
            j++;
        failed = suggest_empty_group(a, slots + i, j - i) < 0;
        i = j;
    }
    free(slots);
    return failed ? -1 : 0;
}

/* Each fix's note: "It also frees what these would save inside it: intern_strings 17.7 MiB." */
static int note_folded(adder *a)
{
    report *r = a->r;
    for (size_t i = 0; i < r->leak_count; i++) {
        if (a->fix_of[i] == SIZE_MAX)
            continue;
        char note[1024] = "";
        size_t n = 0;
        for (int k = 0; k < SUGGESTION_KIND_COUNT && n < sizeof note; k++) {
            uint64_t bytes = a->folded[i * SUGGESTION_KIND_COUNT + (size_t)k];
            char size[32];
            if (bytes)
                n += (size_t)snprintf(note + n, sizeof note - n, "%s %s %s",
                                      n ? "," : "It also frees what these would save inside it:",
                                      suggestion_kind_name((suggestion_kind)k),
                                      format_bytes(bytes, size, sizeof size));
        }
        suggestion *fix = &r->suggestions[a->fix_of[i]];
        if (n && !(fix->note = report_format("%s.", note)))
            return -1;
    }
    return 0;
}

int find_suggestions(report *r, const retention *paths, const report_options *o)
{
    adder a = {.r = r, .paths = paths, .o = o};
    const heap *h = r->heap;
    a.root_owner = calloc(h->root_count + 1, 1);
    a.object_owner = calloc(h->count ? h->count : 1, 1);
    a.folded = calloc((r->leak_count + 1) * SUGGESTION_KIND_COUNT, sizeof *a.folded);
    int failed = !a.root_owner || !a.object_owner || !a.folded || mark_fixed(&a) < 0;
    if (!failed && heap_is_v8(h)) { /* only what holds in any language */
        failed = suggest_interning(&a) < 0;
    } else if (!failed) {
        failed = suggest_slots(&a) < 0;
        for (uint32_t v = 0; v < h->count && !failed; v++)
            if (!(h->flags[v] & HEAP_OBJ_UNREACHABLE)) {
                py_builtin kind = pytypes_kind_of(&r->classes, h, v);
                if (kind == PY_LIST || kind == PY_TUPLE)
                    failed = suggest_for_list(&a, v) < 0;
                else
                    failed = suggest_lazy_loading(&a, v) < 0;
            }
        failed = failed || suggest_interning(&a) < 0 || suggest_empty_collections(&a) < 0;
    }
    failed = failed || note_folded(&a) < 0;
    free(a.fixed_by), free(a.fix_of), free(a.root_owner), free(a.object_owner), free(a.folded);
    return failed ? -1 : 0;
}
