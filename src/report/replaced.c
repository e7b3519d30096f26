/* replaced.c: new objects that took a freed one's place (replaced.h). */
#include <stdlib.h>
#include <string.h>

#include "report/replaced.h"

/* Labels that name a place: an attribute, a key.  Not a list position. */
static int labelled_place(unsigned kind)
{
    return kind == HEAPAN_LABEL_ATTRIBUTE || kind == HEAPAN_LABEL_KEY ||
           kind == HEAPAN_LABEL_INT_KEY || kind == HEAPAN_LABEL_KEY_REPR;
}

/*
 * The key object before edge e of v when e is a dict value the dump could
 * not label (a bytes key without values), else HEAP_NONE: the place is
 * then that key, the dict keeping its first key object across updates.
 */
static uint32_t key_before(const heap *h, uint32_t v, uint64_t e)
{
    if (h->out_label_kind[e] != HEAPAN_LABEL_NONE || e == h->out_start[v] ||
        h->out_label_kind[e - 1] != HEAPAN_LABEL_DICT_KEY)
        return HEAP_NONE;
    return h->out_target[e - 1] & HEAP_INDEX_MASK;
}

static int names_a_place(const heap *h, uint32_t v, uint64_t e)
{
    return labelled_place(h->out_label_kind[e]) || key_before(h, v, e) != HEAP_NONE;
}

static uint64_t mix(uint64_t h, uint64_t x)
{
    return (h ^ x) * 1099511628211u;  /* FNV-1a, a word at a time */
}

/*
 * The hash of (holder, place) for edge e of h, whose source is `holder` in
 * the baseline's numbering; `key` is the place's key object, in the
 * baseline's numbering too, or HEAP_NONE for a labelled place.
 */
static uint64_t place_hash(const heap *h, uint64_t e, uint32_t holder, uint32_t key)
{
    unsigned kind = h->out_label_kind[e];
    uint64_t x = mix(mix(1469598103934665603u, holder), kind);
    if (key != HEAP_NONE)
        return mix(x, key);
    if (heap_label_is_number(kind))
        return mix(x, (uint64_t)heap_label_number(h, e));
    for (const char *s = heap_string(h, h->out_label[e], NULL); *s; s++)
        x = mix(x, (unsigned char)*s);
    return x;
}

static int same_label(const heap *a, uint64_t ea, const heap *b, uint64_t eb)
{
    unsigned kind = a->out_label_kind[ea];
    if (kind != b->out_label_kind[eb])
        return 0;
    if (kind == HEAPAN_LABEL_NONE)
        return 1;  /* a place by key object: the hash's key decided, checked by the caller */
    if (heap_label_is_number(kind))
        return heap_label_number(a, ea) == heap_label_number(b, eb);
    return strcmp(heap_string(a, a->out_label[ea], NULL), heap_string(b, b->out_label[eb], NULL)) == 0;
}

/* Open addressing over the baseline's edges from the holders that matter: edge + 1, 0 empty. */
typedef struct places {
    uint64_t *slot;
    size_t mask;
} places;

static int places_build(places *p, const heap *baseline, const uint8_t *holder)
{
    size_t n = 0, size = 16;
    for (uint32_t v = 0; v < baseline->count; v++)
        for (uint32_t e = baseline->out_start[v]; holder[v] && e < baseline->out_start[v] + baseline->out_count[v]; e++)
            n += names_a_place(baseline, v, e);
    while (size < 2 * n + 2)
        size *= 2;
    p->mask = size - 1;
    if (!(p->slot = calloc(size, sizeof *p->slot)))
        return -1;
    for (uint32_t v = 0; v < baseline->count; v++) {
        for (uint32_t e = baseline->out_start[v]; holder[v] && e < baseline->out_start[v] + baseline->out_count[v]; e++) {
            if (!names_a_place(baseline, v, e))
                continue;
            size_t at = (size_t)place_hash(baseline, e, v, key_before(baseline, v, e)) & p->mask;
            while (p->slot[at])
                at = (at + 1) & p->mask;
            p->slot[at] = (uint64_t)e + 1;
        }
    }
    return 0;
}

/*
 * The baseline's object that `holder` kept at edge e's place in `final`
 * (e from final's object v), or HEAP_NONE.  earlier: final -> baseline.
 */
static uint32_t place_before(const places *p, const heap *baseline, const heap *final,
                             const uint32_t *earlier, uint32_t v, uint64_t e, uint32_t holder)
{
    uint32_t key = key_before(final, v, e);
    if (key != HEAP_NONE && (key = earlier[key]) == HEAP_NONE)
        return HEAP_NONE;  /* a new key: a new place */
    for (size_t at = (size_t)place_hash(final, e, holder, key) & p->mask; p->slot[at];
         at = (at + 1) & p->mask) {
        uint64_t eb = p->slot[at] - 1;
        /* the edge's source is the holder: eb lies in its range of references */
        if (eb < baseline->out_start[holder] ||
            eb >= (uint64_t)baseline->out_start[holder] + baseline->out_count[holder] ||
            !same_label(baseline, eb, final, e) || key_before(baseline, holder, eb) != key)
            continue;
        return baseline->out_target[eb] & HEAP_INDEX_MASK;
    }
    return HEAP_NONE;
}

/* For each new object whose retention parent is old: the edge that parent names it by, or UINT32_MAX. */
static uint32_t *parent_edges(const heap *final, const uint32_t *earlier, const retention *paths,
                              uint8_t *holder)
{
    uint32_t *edge = malloc((final->count ? final->count : 1) * sizeof *edge);
    for (uint32_t v = 0; edge && v < final->count; v++)
        edge[v] = UINT32_MAX;
    for (uint32_t v = 0; edge && v < final->count; v++) {
        if (earlier[v] == HEAP_NONE)
            continue;
        for (uint32_t e = final->out_start[v]; e < final->out_start[v] + final->out_count[v]; e++) {
            uint32_t c = final->out_target[e] & HEAP_INDEX_MASK;
            if ((final->out_target[e] & HEAP_WEAK_BIT) || earlier[c] != HEAP_NONE ||
                paths->parent[c] != v || edge[c] != UINT32_MAX || !names_a_place(final, v, e))
                continue;
            edge[c] = e;
            holder[earlier[v]] = 1;
        }
    }
    return edge;
}

int replaced_find(const heap *baseline, const heap *final, const uint32_t *earlier,
                  const retention *paths, uint8_t *out)
{
    if (!baseline->out_label || !final->out_label)
        return 0;  /* no labels, no places: nothing is told a replacement */
    uint8_t *holder = calloc(baseline->count ? baseline->count : 1, 1);
    uint8_t *alive = calloc(baseline->count ? baseline->count : 1, 1);
    uint32_t *edge = holder && alive ? parent_edges(final, earlier, paths, holder) : NULL;
    places p = {0};
    int failed = !edge || places_build(&p, baseline, holder) < 0;
    for (uint32_t v = 0; !failed && v < final->count; v++)
        if (earlier[v] != HEAP_NONE)
            alive[earlier[v]] = 1;
    for (uint32_t c = 0; !failed && c < final->count; c++) {
        if (edge[c] == UINT32_MAX)
            continue;
        uint32_t v = paths->parent[c];
        uint32_t before = place_before(&p, baseline, final, earlier, v, edge[c], earlier[v]);
        out[c] = before != HEAP_NONE && !alive[before];
    }
    free(p.slot), free(edge), free(holder), free(alive);
    return failed ? -1 : 0;
}
