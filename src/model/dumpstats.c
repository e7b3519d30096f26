/* dumpstats.c: counts and sizes of a dump, by record kind and by type. */
#include <stdlib.h>
#include <string.h>

#include "model/dumpstats.h"
#include "grow.h"
#include "model/heap.h"
#include "model/sort.h"

static int add_type(dump_stats *s, const heapan_type *t)
{
    size_t need = (size_t)t->id + 1, before = s->type_cap;
    if (grow(&s->types, sizeof *s->types, &s->type_cap, need) < 0)
        return -1;
    memset(s->types + before, 0, (s->type_cap - before) * sizeof *s->types);
    s->types[t->id] = (type_stats){.name = t->name, .module = t->module, .flags = t->flags};
    s->type_count = need;
    return 0;
}

/* As heap_link() does: no object past HEAP_OBJECT_SIZE_MAX, no total past INT64_MAX. */
static uint64_t add_clamped(dump_stats *s, uint64_t total, uint64_t size)
{
    if (size > (uint64_t)INT64_MAX - total) {
        s->sizes_clamped = 1;
        return INT64_MAX;
    }
    return total + size;
}

static void add_object(dump_stats *s, const heapan_object *o)
{
    type_stats *t = &s->types[o->type];
    uint64_t size = o->size;
    if (size > HEAP_OBJECT_SIZE_MAX) {
        size = HEAP_OBJECT_SIZE_MAX;
        s->sizes_clamped = 1;
    }
    t->count++;
    t->shallow = add_clamped(s, t->shallow, size);
    s->shallow_total = add_clamped(s, s->shallow_total, size);
    s->with_value += o->value_kind != HEAPAN_VALUE_NONE;
    s->with_stack += o->stack != 0;
    s->with_shape += o->shape != 0;
    s->frozen_objects += (o->flags & HEAPAN_OBJ_FROZEN) != 0;
}

/* The collector's state among the process's properties (docs/format.md 3.12). */
static void add_property(dump_stats *s, const heapan_reader *r, const heapan_property *p)
{
    const char *key = heapan_reader_string(r, p->key, NULL);
    if (p->object || !key || (p->value_kind != HEAPAN_VALUE_INT && p->value_kind != HEAPAN_VALUE_BOOL))
        return;
    if (strcmp(key, "gc.enabled") == 0)
        s->gc_enabled = p->i != 0;
    else if (strcmp(key, "gc.freeze_count") == 0)
        s->gc_freeze_count = p->i;
    else if (strcmp(key, "gc.garbage") == 0)
        s->gc_garbage = p->i;
    else if (strcmp(key, "gc.threshold") == 0 && s->gc_thresholds < 3)
        s->gc_threshold[s->gc_thresholds++] = p->i;
    else if (strcmp(key, "gc.count") == 0 && s->gc_counts < 3)
        s->gc_count[s->gc_counts++] = p->i;
}

static void add_event(dump_stats *s, const heapan_record *rec)
{
    uint64_t time = 0;
    if (rec->kind == HEAPAN_REC_ALLOC) {
        s->allocated_bytes = add_clamped(s, s->allocated_bytes, rec->u.alloc.size);
        time = rec->u.alloc.time_us;
    } else if (rec->kind == HEAPAN_REC_FREE) {
        time = rec->u.free.time_us;
    } else {
        const heapan_sample *sample = &rec->u.sample;
        time = sample->time_us;
        if (sample->traced_bytes > s->peak_traced)
            s->peak_traced = sample->traced_bytes;
        if (sample->rss > s->peak_rss)
            s->peak_rss = sample->rss;
    }
    if (time > s->last_event_us)
        s->last_event_us = time;
}

int dumpstats_collect(heapan_reader *r, dump_stats *s)
{
    memset(s, 0, sizeof *s);
    s->gc_enabled = -1;
    s->gc_freeze_count = s->gc_garbage = -1;
    heapan_record rec;
    heapan_status st;
    while ((st = heapan_reader_next(r, &rec)) == HEAPAN_OK) {
        switch (rec.kind) {
        case HEAPAN_REC_TYPE:
            if (add_type(s, &rec.u.type) < 0)
                return -1;
            break;
        case HEAPAN_REC_OBJECT:
            add_object(s, &rec.u.object);
            break;
        case HEAPAN_REC_REF:
            s->weak_refs += rec.u.ref.weak != 0;
            break;
        case HEAPAN_REC_ROOT: {
            unsigned kind = rec.u.root.kind;
            s->roots_by_kind[kind < HEAPAN_ROOT_KIND_COUNT ? kind : HEAPAN_ROOT_KIND_COUNT]++;
            break;
        }
        case HEAPAN_REC_ALLOC:
        case HEAPAN_REC_FREE:
        case HEAPAN_REC_SAMPLE:
            add_event(s, &rec);
            break;
        case HEAPAN_REC_PROPERTY:
            add_property(s, r, &rec.u.property);
            break;
        default:
            break;
        }
    }
    if (st == HEAPAN_ERR_NOMEM)
        return -1;
    s->status = st;
    s->counts = *heapan_reader_counts(r);
    s->skipped = heapan_reader_skipped(r);
    if (st != HEAPAN_END)
        strncpy(s->message, heapan_reader_error(r), sizeof s->message - 1);
    return 0;
}

void dumpstats_release(dump_stats *s)
{
    free(s->types);
    s->types = NULL;
    s->type_count = s->type_cap = 0;
}

static const dump_stats *sort_stats;

static int by_shallow_desc(const void *a, const void *b)
{
    const type_stats *x = &sort_stats->types[*(const uint32_t *)a];
    const type_stats *y = &sort_stats->types[*(const uint32_t *)b];
    if (x->shallow != y->shallow)
        return x->shallow < y->shallow ? 1 : -1;
    if (x->count != y->count)
        return x->count < y->count ? 1 : -1;
    return *(const uint32_t *)a < *(const uint32_t *)b ? -1 : 1;
}

size_t dumpstats_types_by_size(const dump_stats *s, uint32_t *order)
{
    size_t n = 0;
    for (size_t id = 1; id < s->type_count; id++)
        if (s->types[id].count)
            order[n++] = (uint32_t)id;
    sort_stats = s;
    sort_items(order, n, sizeof *order, by_shallow_desc);
    return n;
}
