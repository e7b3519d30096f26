/* dumpload.c: loading a dump into the heap model in one streaming pass. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addrmap.h"
#include "grow.h"
#include "input/dumpload.h"
#include "input/recordpipe.h"
#include "model/sort.h"
#include "model/warnings.h"

#define PROGRESS_EVERY 65536  /* records between progress calls */

/*
 * Every address in the dump is a hash lookup that misses the cache.  The
 * loader defers them in batches, prefetching each slot as it arrives, and
 * resolves the batch in arrival order: the misses overlap.
 */
#define BATCH 64

typedef enum deferred_kind { DEFER_OBJECT, DEFER_RUN, DEFER_TARGET } deferred_kind;

typedef struct deferred {
    uint64_t address;
    deferred_kind kind;
    uint32_t edge;   /* RUN: its first edge; TARGET: the edge */
    uint32_t count;  /* RUN: its edges so far */
    heapan_object object;  /* OBJECT: the record (its value pointers unused) */
} deferred;

typedef struct loader {
    heap *h;
    addrmap map;
    size_t object_cap, edge_cap, root_cap, type_cap, frame_cap, stack_cap;
    size_t shape_cap, shape_name_cap, big_label_cap, property_cap, property_text_cap;
    /*
     * A dump groups each object's references in one run, so a run's start
     * and length place it.  If an object's references come in two runs,
     * every edge gets its source here and the edges are sorted at the end.
     */
    uint32_t *edge_source;
    uint64_t run_address;  /* the source of the run being read, 0 if none */
    size_t run_item;       /* its RUN item in the batch, or BATCH once resolved */
    uint32_t run_index;    /* its index once resolved */
    deferred batch[BATCH];
    size_t batch_count;
    uint64_t duplicates, duplicated_addresses, null_addresses, dropped_edges;
    int out_of_memory;
    enum { FITS, TOO_MANY_OBJECTS, TOO_MANY_REFERENCES } too_big;
    uint32_t max_objects, max_edges;  /* heapan's limits, lowered by the tests (limit_of) */
    /* Format 1.1 writes the roots first (docs/format.md, "Order"): were they? */
    int root_read, object_before_root;
} loader;

/* Every per-object column grows together; the optional ones only once used. */
static int reserve_objects(loader *l, size_t need)
{
    heap *h = l->h;
    if (need <= l->object_cap)
        return 0;
    size_t cap = l->object_cap ? l->object_cap * 2 : 4096;
    while (cap < need)
        cap *= 2;
    void **columns[] = {(void **)&h->address,   (void **)&h->size,  (void **)&h->type,
                        (void **)&h->length,    (void **)&h->flags, (void **)&h->out_start,
                        (void **)&h->out_count, (void **)&h->stack, (void **)&h->shape,
                        (void **)&h->value_hash};
    size_t widths[] = {8, 8, 4, 4, 1, 4, 4, 4, 4, 8};
    for (size_t c = 0; c < sizeof widths / sizeof *widths; c++) {
        if (!*columns[c] && c >= 7)
            continue;
        void *grown = realloc(*columns[c], cap * widths[c]);
        if (!grown)
            return -1;
        *columns[c] = grown;
    }
    l->object_cap = cap;
    return 0;
}

/* An optional column (stack, shape, value_hash) appears, zeroed, when first needed. */
static int enable_column(loader *l, void *column, size_t width)
{
    void **p = column;
    if (*p)
        return 0;
    *p = calloc(l->object_cap, width);
    return *p ? 0 : -1;
}

/* The index of `address`, given a new blank one on first sight. */
static uint32_t index_of(loader *l, uint64_t address)
{
    heap *h = l->h;
    int added;
    addrmap_slot *slot = addrmap_upsert(&l->map, address, &added);
    if (!slot) {
        l->out_of_memory = 1;
        return HEAP_NONE;
    }
    if (!added)
        return slot->index;
    if (h->count >= l->max_objects) {
        l->too_big = TOO_MANY_OBJECTS;
        return HEAP_NONE;
    }
    uint32_t i = h->count;
    if (reserve_objects(l, (size_t)i + 1) < 0) {
        l->out_of_memory = 1;
        return HEAP_NONE;
    }
    slot->index = i;
    h->count++;
    h->address[i] = address;
    h->size[i] = 0;
    h->type[i] = 0;
    h->length[i] = 0;
    h->flags[i] = 0;
    h->out_start[i] = 0;
    h->out_count[i] = 0;
    if (h->stack)
        h->stack[i] = 0;
    if (h->shape)
        h->shape[i] = 0;
    if (h->value_hash)
        h->value_hash[i] = 0;
    return i;
}

static void define_object(loader *l, const heapan_object *o)
{
    heap *h = l->h;
    uint32_t i = index_of(l, o->address);
    if (i == HEAP_NONE)
        return;
    if (h->flags[i] & HEAP_OBJ_DEFINED) {
        l->duplicates++;
        l->duplicated_addresses += !(h->flags[i] & HEAP_OBJ_REDEFINED);
        h->flags[i] |= HEAP_OBJ_REDEFINED;
        return;
    }
    int hashed = (o->flags & HEAPAN_OBJ_HAS_HASH) != 0;
    if ((o->stack && enable_column(l, &h->stack, sizeof *h->stack) < 0) ||
        (o->shape && enable_column(l, &h->shape, sizeof *h->shape) < 0) ||
        (hashed && enable_column(l, &h->value_hash, sizeof *h->value_hash) < 0)) {
        l->out_of_memory = 1;
        return;
    }
    h->size[i] = o->size;
    h->type[i] = o->type;
    h->length[i] = o->length > UINT32_MAX ? UINT32_MAX : (uint32_t)o->length;
    h->flags[i] = HEAP_OBJ_DEFINED | (o->flags & HEAPAN_OBJ_GC_TRACKED ? HEAP_OBJ_GC_TRACKED : 0) |
                  (o->flags & HEAPAN_OBJ_DICT_MATERIALISED ? HEAP_OBJ_DICT_MATERIALISED : 0) |
                  (o->flags & HEAPAN_OBJ_FROZEN ? HEAP_OBJ_FROZEN : 0);
    if (o->stack)
        h->stack[i] = o->stack;
    if (o->shape)
        h->shape[i] = o->shape;
    if (hashed) {
        h->value_hash[i] = o->value_hash;
        h->flags[i] |= HEAP_OBJ_HAS_HASH;
    }
}

static uint32_t encode_label(loader *l, const heapan_ref *r)
{
    heap *h = l->h;
    int64_t value = heap_label_is_string(r->label_kind)   ? r->label
                    : heap_label_is_number(r->label_kind) ? r->label_number
                                                          : 0;
    if (value >= 0 && value < (int64_t)HEAP_LABEL_BIG)
        return (uint32_t)value;
    if (h->big_label_count >= HEAP_LABEL_BIG ||
        grow(&h->big_labels, sizeof *h->big_labels, &l->big_label_cap,
                h->big_label_count + 1) < 0) {
        l->out_of_memory = 1;
        return 0;
    }
    h->big_labels[h->big_label_count] = value;
    return HEAP_LABEL_BIG | (uint32_t)h->big_label_count++;
}

/* From here on every edge records its source (see loader.edge_source). */
static int track_sources(loader *l)
{
    heap *h = l->h;
    l->edge_source = malloc((l->edge_cap ? l->edge_cap : 1) * sizeof *l->edge_source);
    if (!l->edge_source)
        return -1;
    for (uint32_t v = 0; v < h->count; v++)
        for (uint32_t k = 0; k < h->out_count[v]; k++)
            l->edge_source[h->out_start[v] + k] = v;
    return 0;
}

static int reserve_edges(loader *l, size_t need)
{
    heap *h = l->h;
    if (need <= l->edge_cap)
        return 0;
    size_t cap = l->edge_cap;
    if (grow(&h->out_target, 4, &cap, need) < 0)
        return -1;
    cap = l->edge_cap;
    if (grow(&h->out_label, 4, &cap, need) < 0)
        return -1;
    cap = l->edge_cap;
    if (grow(&h->out_label_kind, 1, &cap, need) < 0)
        return -1;
    if (l->edge_source) {
        size_t source_cap = l->edge_cap;
        if (grow(&l->edge_source, 4, &source_cap, need) < 0)
            return -1;
    }
    l->edge_cap = cap;
    return 0;
}

/* The edges [first, first + count) turn out to come from object v. */
static void place_run(loader *l, uint32_t v, uint32_t first, uint32_t count)
{
    heap *h = l->h;
    if (h->out_count[v] && !l->edge_source && track_sources(l) < 0) {
        l->out_of_memory = 1;
        return;
    }
    if (!h->out_count[v])
        h->out_start[v] = first;
    h->out_count[v] += count;
    if (l->edge_source)
        for (uint32_t k = 0; k < count; k++)
            l->edge_source[first + k] = v;
}

static void resolve_batch(loader *l)
{
    heap *h = l->h;
    for (size_t k = 0; k < l->batch_count && !l->out_of_memory && !l->too_big; k++) {
        const deferred *item = &l->batch[k];
        if (item->kind == DEFER_OBJECT) {
            define_object(l, &item->object);
            continue;
        }
        uint32_t v = index_of(l, item->address);
        if (v == HEAP_NONE)
            break;  /* loading stops: index_of() set the flag */
        if (item->kind == DEFER_TARGET) {
            h->out_target[item->edge] |= v;
        } else {
            place_run(l, v, item->edge, item->count);
            if (k == l->run_item) {
                l->run_index = v;
                l->run_item = BATCH;
            }
        }
    }
    l->batch_count = 0;
}

static deferred *defer(loader *l, deferred_kind kind, uint64_t address)
{
    if (l->batch_count == BATCH)
        resolve_batch(l);
    addrmap_prefetch(&l->map, address);
    deferred *item = &l->batch[l->batch_count++];
    item->kind = kind;
    item->address = address;
    return item;
}

void heap_hash_short_value(heapan_object *o)
{
    if (o->flags & HEAPAN_OBJ_HAS_HASH ||
        (o->value_kind != HEAPAN_VALUE_TEXT && o->value_kind != HEAPAN_VALUE_BYTES))
        return;
    uint64_t hash = 0xcbf29ce484222325ull ^ (uint64_t)o->value_kind;  /* FNV-1a */
    for (size_t i = 0; i < o->len; i++)
        hash = (hash ^ ((const unsigned char *)o->data)[i]) * 0x100000001b3ull;
    o->value_hash = hash;
    o->flags |= HEAPAN_OBJ_HAS_HASH;
}

static void add_object(loader *l, const heapan_object *o)
{
    if (!o->address) {
        l->null_addresses++;
        return;
    }
    deferred *item = defer(l, DEFER_OBJECT, o->address);
    item->object = *o;
    heap_hash_short_value(&item->object);  /* no-op after the pipe did it */
    item->object.data = NULL;  /* the reader reuses that buffer */
}

static void add_ref(loader *l, const heapan_ref *r)
{
    heap *h = l->h;
    if (!r->from || !r->to) {
        l->dropped_edges++;
        return;
    }
    if (h->edge_count >= l->max_edges) {
        l->too_big = TOO_MANY_REFERENCES;
        return;
    }
    uint32_t e = (uint32_t)h->edge_count;
    if (reserve_edges(l, (size_t)e + 1) < 0) {
        l->out_of_memory = 1;
        return;
    }
    if (r->from != l->run_address) {
        deferred *run = defer(l, DEFER_RUN, r->from);
        run->edge = e;
        run->count = 0;
        l->run_address = r->from;
        l->run_item = l->batch_count - 1;
    }
    if (l->run_item < BATCH) {
        l->batch[l->run_item].count++;
    } else {
        h->out_count[l->run_index]++;
        if (l->edge_source)
            l->edge_source[e] = l->run_index;
    }
    h->out_target[e] = r->weak ? HEAP_WEAK_BIT : 0;  /* the index comes in resolve_batch() */
    h->out_label[e] = encode_label(l, r);
    h->out_label_kind[e] = (uint8_t)r->label_kind;
    h->weak_edge_count += r->weak != 0;
    h->edge_count++;
    defer(l, DEFER_TARGET, r->to)->edge = e;
}

static void add_root(loader *l, const heapan_root *r)
{
    heap *h = l->h;
    if (!r->object)
        return;
    uint32_t i = index_of(l, r->object);
    if (i == HEAP_NONE)
        return;
    if (grow(&h->roots, sizeof *h->roots, &l->root_cap, h->root_count + 1) < 0) {
        l->out_of_memory = 1;
        return;
    }
    h->roots[h->root_count++] = (heap_root){.object = i, .kind = (uint8_t)r->kind,
                                            .label = r->label};
}

/* Kept with the object's address until the end, when objects have their final index. */
static void add_property(loader *l, const heapan_property *p)
{
    heap *h = l->h;
    int text = p->value_kind == HEAPAN_VALUE_TEXT || p->value_kind == HEAPAN_VALUE_BYTES;
    size_t need = h->property_text_len + (text ? p->len : 0) + 1;
    if (grow(&h->properties, sizeof *h->properties, &l->property_cap, h->property_count + 1) < 0 ||
        grow(&h->property_text, 1, &l->property_text_cap, need) < 0) {
        l->out_of_memory = 1;
        return;
    }
    heap_property *q = &h->properties[h->property_count++];
    *q = (heap_property){.address = p->object, .key = p->key, .kind = (uint8_t)p->value_kind,
                         .number = p->i, .text = h->property_text_len,
                         .len = text ? (uint32_t)p->len : 0,
                         .order = (uint32_t)(h->property_count - 1)};
    if (q->len)
        memcpy(h->property_text + q->text, p->data, q->len);
    h->property_text[q->text + q->len] = '\0';
    h->property_text_len += q->len + 1;
}

/* Types, frames and stacks arrive with ids 1, 2, 3...: store each at its id. */
static void *slot_for_id(loader *l, void *array, size_t elem, size_t *cap, uint32_t id,
                         uint32_t *count)
{
    if (grow(array, elem, cap, (size_t)id + 1) < 0) {
        l->out_of_memory = 1;
        return NULL;
    }
    char *base = *(char **)array;
    if (id >= *count) {
        memset(base + (size_t)*count * elem, 0, ((size_t)id + 1 - *count) * elem);
        *count = id + 1;
    }
    return base + (size_t)id * elem;
}

static void add_shape(loader *l, const heapan_shape *s)
{
    heap *h = l->h;
    uint32_t id = s->id;
    if (id != (h->shape_count ? h->shape_count : 1))
        return;  /* the reader numbers shapes 1, 2, 3... */
    if (grow(&h->shape_start, sizeof *h->shape_start, &l->shape_cap, (size_t)id + 2) < 0) {
        l->out_of_memory = 1;
        return;
    }
    if (id == 1)
        h->shape_start[0] = h->shape_start[1] = 0;  /* shape 0, "none", has no names */
    uint32_t used = h->shape_start[id];
    if (used + (uint64_t)s->count > UINT32_MAX ||
        grow(&h->shape_names, sizeof *h->shape_names, &l->shape_name_cap,
                used + s->count) < 0) {
        l->out_of_memory = 1;
        return;
    }
    if (s->count)
        memcpy(h->shape_names + used, s->names, s->count * sizeof *s->names);
    h->shape_start[id + 1] = used + (uint32_t)s->count;
    h->shape_count = id + 1;
}

static void add_record(loader *l, const heapan_record *rec)
{
    heap *h = l->h;
    switch (rec->kind) {
    case HEAPAN_REC_OBJECT:
        l->object_before_root |= !l->root_read;
        add_object(l, &rec->u.object);
        break;
    case HEAPAN_REC_REF:
        add_ref(l, &rec->u.ref);
        break;
    case HEAPAN_REC_ROOT:
        l->root_read = 1;
        add_root(l, &rec->u.root);
        break;
    case HEAPAN_REC_TYPE: {
        heapan_type *t = slot_for_id(l, &h->types, sizeof *h->types, &l->type_cap,
                                     rec->u.type.id, &h->type_count);
        if (t)
            *t = rec->u.type;
        break;
    }
    case HEAPAN_REC_FRAME: {
        heapan_frame *f = slot_for_id(l, &h->frames, sizeof *h->frames, &l->frame_cap,
                                      rec->u.frame.id, &h->frame_count);
        if (f)
            *f = rec->u.frame;
        break;
    }
    case HEAPAN_REC_STACK: {
        heap_stack *s = slot_for_id(l, &h->stacks, sizeof *h->stacks, &l->stack_cap,
                                    rec->u.stack.id, &h->stack_count);
        if (s)
            *s = (heap_stack){rec->u.stack.parent, rec->u.stack.frame};
        break;
    }
    case HEAPAN_REC_SHAPE:
        add_shape(l, &rec->u.shape);
        break;
    case HEAPAN_REC_PROPERTY:
        add_property(l, &rec->u.property);
        break;
    default:
        break;
    }
}

/* ---- after the pass: drop what was named but never defined ---------------- */

/* Renumbers the defined objects densely; remap[old] is the new index or HEAP_NONE. */
static uint32_t *compact_objects(heap *h)
{
    uint32_t *remap = malloc(((size_t)h->count + 1) * sizeof *remap);
    if (!remap)
        return NULL;
    uint32_t kept = 0;
    for (uint32_t i = 0; i < h->count; i++) {
        if (!(h->flags[i] & HEAP_OBJ_DEFINED)) {
            remap[i] = HEAP_NONE;
            continue;
        }
        remap[i] = kept;
        h->address[kept] = h->address[i];
        h->size[kept] = h->size[i];
        h->type[kept] = h->type[i];
        h->length[kept] = h->length[i];
        h->flags[kept] = h->flags[i];
        if (h->stack)
            h->stack[kept] = h->stack[i];
        if (h->shape)
            h->shape[kept] = h->shape[i];
        if (h->value_hash)
            h->value_hash[kept] = h->value_hash[i];
        kept++;
    }
    h->count = kept;
    return remap;
}

static void remap_roots(heap *h, const uint32_t *remap, uint64_t *dropped)
{
    size_t kept = 0;
    for (size_t k = 0; k < h->root_count; k++) {
        heap_root root = h->roots[k];
        root.object = remap[root.object];
        if (root.object == HEAP_NONE)
            (*dropped)++;
        else
            h->roots[kept++] = root;
    }
    h->root_count = kept;
}

/*
 * Sorts the edges by (renumbered) source, dropping those whose source or
 * target was never defined.  The slow path: only for dumps that split an
 * object's references or name objects they do not hold.
 */
static int sort_edges(loader *l, const uint32_t *remap, uint64_t *dropped)
{
    heap *h = l->h;
    uint64_t total = h->edge_count;
    uint32_t *target = malloc((total ? total : 1) * 4), *label = malloc((total ? total : 1) * 4);
    uint8_t *kind = malloc(total ? total : 1);
    if (!target || !label || !kind) {
        free(target), free(label), free(kind);
        return -1;
    }
    memset(h->out_count, 0, (size_t)h->count * sizeof *h->out_count);
    for (uint64_t e = 0; e < total; e++) {
        uint32_t from = remap ? remap[l->edge_source[e]] : l->edge_source[e];
        uint32_t to = remap ? remap[h->out_target[e] & HEAP_INDEX_MASK] : 0;
        l->edge_source[e] = from == HEAP_NONE || to == HEAP_NONE ? HEAP_NONE : from;
        if (l->edge_source[e] != HEAP_NONE)
            h->out_count[from]++;
    }
    uint32_t next = 0;
    for (uint32_t v = 0; v < h->count; v++) {
        h->out_start[v] = next;
        next += h->out_count[v];
        h->out_count[v] = 0;
    }
    h->weak_edge_count = 0;
    for (uint64_t e = 0; e < total; e++) {
        uint32_t from = l->edge_source[e];
        if (from == HEAP_NONE) {
            (*dropped)++;
            continue;
        }
        uint32_t t = h->out_target[e], at = h->out_start[from] + h->out_count[from]++;
        uint32_t weak = t & HEAP_WEAK_BIT;
        target[at] = (remap ? remap[t & HEAP_INDEX_MASK] : t & HEAP_INDEX_MASK) | weak;
        label[at] = h->out_label[e];
        kind[at] = h->out_label_kind[e];
        h->weak_edge_count += weak != 0;
    }
    free(h->out_target), free(h->out_label), free(h->out_label_kind);
    h->out_target = target, h->out_label = label, h->out_label_kind = kind;
    h->edge_count = next;
    return 0;
}

static int by_object_then_order(const void *a, const void *b)
{
    const heap_property *x = a, *y = b;
    if (x->object != y->object)
        return x->object < y->object ? -1 : 1;
    return x->order < y->order ? -1 : x->order > y->order;
}

/* Each property's object by its pre-compaction index; those of no object are dropped. */
static void place_properties(loader *l)
{
    heap *h = l->h;
    size_t kept = 0;
    for (size_t k = 0; k < h->property_count; k++) {
        heap_property p = h->properties[k];
        p.object = p.address ? addrmap_find(&l->map, p.address) : HEAP_NONE;
        if (p.address && p.object == ADDRMAP_ABSENT)
            continue;
        h->properties[kept++] = p;
    }
    h->property_count = kept;
}

/* Renumbers the properties' objects, drops those never defined, and sorts them. */
static void finish_properties(heap *h, const uint32_t *remap)
{
    size_t kept = 0;
    for (size_t k = 0; k < h->property_count; k++) {
        heap_property p = h->properties[k];
        if (remap && p.object != HEAP_NONE)
            p.object = remap[p.object];
        if (p.address && p.object == HEAP_NONE)
            continue;
        h->properties[kept++] = p;
    }
    h->property_count = kept;
    if (kept)
        sort_items(h->properties, kept, sizeof *h->properties, by_object_then_order);
}

static int finish(loader *l)
{
    heap *h = l->h;
    place_properties(l);
    addrmap_release(&l->map);
    uint32_t undefined = 0;
    for (uint32_t i = 0; i < h->count; i++)
        undefined += !(h->flags[i] & HEAP_OBJ_DEFINED);
    uint64_t dropped_edges = 0, dropped_roots = 0;
    uint32_t *remap = NULL;
    if (undefined) {
        if (!l->edge_source && track_sources(l) < 0)
            return -1;
        if (!(remap = compact_objects(h)))
            return -1;
        remap_roots(h, remap, &dropped_roots);
    }
    int failed = l->edge_source && sort_edges(l, remap, &dropped_edges) < 0;
    finish_properties(h, remap);
    free(remap);
    free(l->edge_source);
    l->edge_source = NULL;
    if (failed || heap_link(h) < 0)
        return -1;
    if (undefined &&
        heap_warn(h, "%u object%s named by references or roots but missing from the dump; "
                  "%llu reference%s and %llu root%s to %s left out", undefined,
                  undefined == 1 ? " is" : "s are", (unsigned long long)dropped_edges,
                  dropped_edges == 1 ? "" : "s", (unsigned long long)dropped_roots,
                  dropped_roots == 1 ? "" : "s", undefined == 1 ? "it were" : "them were") < 0)
        return -1;
    return 0;
}

static int warn_about_load(loader *l)
{
    heap *h = l->h;
    uint64_t null = l->null_addresses + l->dropped_edges;
    uint64_t records = l->duplicates + l->duplicated_addresses;
    if (l->duplicates &&
        heap_warn(h, "%llu object records share %llu address%s; the first record at each was kept",
                  (unsigned long long)records, (unsigned long long)l->duplicated_addresses,
                  l->duplicated_addresses == 1 ? "" : "es") < 0)
        return -1;
    if (null && heap_warn(h, "%llu record%s address 0 and %s skipped", (unsigned long long)null,
                          null == 1 ? " names" : "s name", null == 1 ? "was" : "were") < 0)
        return -1;
    uint64_t skipped = heapan_reader_skipped(h->reader);
    char message[256];
    if (skipped &&
        heap_warn(h, "%s", warning_skipped_records(skipped, message, sizeof message)) < 0)
        return -1;
    if (h->status != HEAPAN_END &&
        heap_warn(h, "the dump is incomplete (%s); what could be read is analysed",
                  heapan_reader_error(h->reader)) < 0)
        return -1;
    if (h->status != HEAPAN_END && h->root_count == 0 && h->count &&
        heap_warn(h, "no root was read before the dump ends, so no object is reached from one") < 0)
        return -1;
    if (h->status == HEAPAN_END && h->root_count == 0 && h->count &&
        heap_warn(h, "the dump names no root, so every object counts as unreachable") < 0)
        return -1;
    unsigned major, minor;
    heapan_reader_version(h->reader, &major, &minor);
    if (minor >= 1 && l->object_before_root && l->root_read &&
        heap_warn(h, "objects come before the first root, against the order of format %u.%u: "
                  "a copy cut short would lose its roots", major, minor) < 0)
        return -1;
    return 0;
}

/* Without a second thread: decode and build in turn. */
static void read_inline(loader *l, heap_progress_fn progress, void *ctx)
{
    heapan_record rec;
    uint64_t records = 0;
    heap *h = l->h;
    while (!l->out_of_memory && !l->too_big &&
           (h->status = heapan_reader_next(h->reader, &rec)) == HEAPAN_OK) {
        add_record(l, &rec);
        if (progress && ++records % PROGRESS_EVERY == 0)
            progress(ctx, heapan_reader_offset(h->reader));
    }
}

/*
 * A dump past heapan's limits cannot be made in a test, so the tests
 * lower them: HEAPAN_TEST_MAX_OBJECTS and HEAPAN_TEST_MAX_REFERENCES.
 */
static uint32_t limit_of(const char *variable, uint32_t limit)
{
    const char *text = getenv(variable);
    char *end;
    unsigned long long lower = text ? strtoull(text, &end, 10) : 0;
    return text && *end == '\0' && lower < limit ? (uint32_t)lower : limit;
}

int heap_load(heap *h, heapan_reader *r, heap_progress_fn progress, void *ctx)
{
    memset(h, 0, sizeof *h);
    h->reader = r;
    h->header = *heapan_reader_header(r);
    loader l = {.h = h, .run_item = BATCH,
                .max_objects = limit_of("HEAPAN_TEST_MAX_OBJECTS", HEAP_MAX_OBJECTS),
                .max_edges = limit_of("HEAPAN_TEST_MAX_REFERENCES", UINT32_MAX - 1)};
    if (addrmap_init(&l.map, 1u << 12) < 0)
        return -1;
    record_pipe *pipe = record_pipe_start(r);
    if (pipe) {
        const heapan_record *records;
        size_t count;
        uint64_t offset;
        while (!l.out_of_memory && !l.too_big &&
               (records = record_pipe_next(pipe, &count, &offset))) {
            for (size_t i = 0; i < count; i++)
                add_record(&l, &records[i]);
            if (progress)
                progress(ctx, offset);
        }
        h->status = record_pipe_finish(pipe);
    } else {
        read_inline(&l, progress, ctx);
    }
    resolve_batch(&l);
    if (l.too_big && heap_warn(h, "the dump holds more than %u %s, heapan's limit",
                               l.too_big == TOO_MANY_OBJECTS ? l.max_objects : l.max_edges,
                               l.too_big == TOO_MANY_OBJECTS ? "objects" : "references") < 0)
        l.out_of_memory = 1;
    if (l.out_of_memory || l.too_big) {
        addrmap_release(&l.map);
        free(l.edge_source);
        return l.too_big && !l.out_of_memory ? HEAP_LOAD_TOO_BIG : -1;
    }
    if (warn_about_load(&l) < 0 || finish(&l) < 0) {
        free(l.edge_source);
        return -1;
    }
    return 0;
}
