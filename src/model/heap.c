/* heap.c: the heap model: its links, its sizes, and the accessors every stage reads it by. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/heap.h"
#include "model/warnings.h"

int heap_warn(heap *h, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int result = warning_add(&h->warnings, &h->warning_count, fmt, ap);
    va_end(ap);
    return result;
}

static int build_reverse(heap *h)
{
    size_t n = h->count;
    h->in_start = calloc(n + 1, sizeof *h->in_start);
    h->in_source = malloc((h->edge_count ? h->edge_count : 1) * sizeof *h->in_source);
    if (!h->in_start || !h->in_source)
        return -1;
    for (uint64_t e = 0; e < h->edge_count; e++)
        h->in_start[(h->out_target[e] & HEAP_INDEX_MASK) + 1]++;
    for (size_t v = 0; v < n; v++)
        h->in_start[v + 1] += h->in_start[v];
    /* Filling moves each start to the next one's; shift back afterwards. */
    for (uint32_t v = 0; v < n; v++) {
        uint32_t end = h->out_start[v] + h->out_count[v];
        for (uint32_t e = h->out_start[v]; e < end; e++) {
            uint32_t t = h->out_target[e];
            h->in_source[h->in_start[t & HEAP_INDEX_MASK]++] = v | (t & HEAP_WEAK_BIT);
        }
    }
    memmove(h->in_start + 1, h->in_start, n * sizeof *h->in_start);
    h->in_start[0] = 0;
    return 0;
}

/* Totals stay at most INT64_MAX, so retained sizes and the differences of compare fit. */
static int sum_sizes(heap *h)
{
    uint32_t oversized = 0, past_total = 0;
    for (uint32_t i = 0; i < h->count; i++) {
        if (h->size[i] > HEAP_OBJECT_SIZE_MAX) {
            h->size[i] = HEAP_OBJECT_SIZE_MAX;
            oversized++;
        }
        if (h->size[i] > (uint64_t)INT64_MAX - h->total_size) {
            h->size[i] = (uint64_t)INT64_MAX - h->total_size;
            past_total++;
        }
        h->total_size += h->size[i];
    }
    if (oversized &&
        heap_warn(h, "%u object%s larger than any address space (64 PiB); counted as 64 PiB",
                  oversized, oversized == 1 ? " claims to be" : "s claim to be") < 0)
        return -1;
    if (past_total &&
        heap_warn(h, "the sizes add up past 8 EiB; %u object%s counted smaller, to keep the total "
                  "at 8 EiB", past_total, past_total == 1 ? " was" : "s were") < 0)
        return -1;
    return 0;
}

int heap_link(heap *h)
{
    if (build_reverse(h) < 0)
        return -1;
    for (size_t k = 0; k < h->root_count; k++)
        h->flags[h->roots[k].object] |= HEAP_OBJ_ROOT;
    return sum_sizes(h);
}

void heap_release(heap *h)
{
    free(h->address), free(h->size), free(h->type), free(h->length), free(h->flags);
    free(h->stack), free(h->shape), free(h->value_hash), free(h->name);
    free(h->out_start), free(h->out_count), free(h->out_target), free(h->out_label);
    free(h->out_label_kind), free(h->big_labels), free(h->in_start), free(h->in_source);
    free(h->roots), free(h->types), free(h->frames), free(h->stacks);
    free(h->shape_start), free(h->shape_names);
    free(h->properties), free(h->property_text);
    free(h->pool), free(h->pool_start);
    warnings_free(h->warnings, h->warning_count);
    heapan_reader_close(h->reader);
    memset(h, 0, sizeof *h);
}

uint32_t heap_length(const heap *h, uint32_t i)
{
    return h->length ? h->length[i] : 0;
}

int heap_is_v8(const heap *h)
{
    return h->header.runtime && strcmp(h->header.runtime, "V8") == 0;
}

uint32_t heap_string_count(const heap *h)
{
    return h->reader ? (uint32_t)heapan_reader_counts(h->reader)->strings : h->pool_count;
}

const char *heap_string(const heap *h, uint32_t id, size_t *len)
{
    const char *s = NULL;
    if (id && h->reader) {
        s = heapan_reader_string(h->reader, id, len);
    } else if (id && id <= h->pool_count) {
        s = h->pool + h->pool_start[id - 1];
        if (len)
            *len = h->pool_start[id] - h->pool_start[id - 1] - 1;
    }
    if (!s && len)
        *len = 0;
    return s ? s : "";
}

const char *heap_type_name(const heap *h, uint32_t i)
{
    uint32_t t = h->type[i];
    return t < h->type_count ? heap_string(h, h->types[t].name, NULL) : "";
}

const char *heap_type_module(const heap *h, uint32_t i)
{
    uint32_t t = h->type[i];
    return t < h->type_count ? heap_string(h, h->types[t].module, NULL) : "";
}

int64_t heap_label_number(const heap *h, uint64_t edge)
{
    uint32_t label = h->out_label[edge];
    return label & HEAP_LABEL_BIG ? h->big_labels[label & ~HEAP_LABEL_BIG] : (int64_t)label;
}

uint32_t heap_find_address(const heap *h, uint64_t address)
{
    for (uint32_t i = 0; i < h->count; i++)
        if (h->address[i] == address)
            return i;
    return HEAP_NONE;
}

uint32_t heap_site(const heap *h, uint32_t i)
{
    uint32_t s = h->stack ? h->stack[i] : 0;
    return s && s < h->stack_count ? h->stacks[s].frame : 0;
}

uint64_t heap_find_edge(const heap *h, uint32_t from, uint32_t to)
{
    uint32_t end = h->out_start[from] + h->out_count[from];
    for (uint32_t e = h->out_start[from]; e < end; e++)
        if (h->out_target[e] == to)
            return e;
    return UINT64_MAX;
}

int ranked_descending(const void *a, const void *b)
{
    const ranked *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? 1 : -1;
    return x->object < y->object ? -1 : x->object > y->object;
}

int heap_label_is_string(unsigned kind)
{
    return kind == HEAPAN_LABEL_ATTRIBUTE || kind == HEAPAN_LABEL_KEY ||
           kind == HEAPAN_LABEL_LOCAL || kind == HEAPAN_LABEL_FIELD ||
           kind == HEAPAN_LABEL_KEY_REPR;
}

int heap_label_is_number(unsigned kind)
{
    return kind == HEAPAN_LABEL_INDEX || kind == HEAPAN_LABEL_INT_KEY;
}

int heap_edge_is_dict(const heap *h, uint64_t e)
{
    return h->out_label_kind[e] == HEAPAN_LABEL_FIELD &&
           strcmp(heap_string(h, h->out_label[e], NULL), "__dict__") == 0;
}

/* The first property of `object`, by binary search (they are sorted by object). */
static const heap_property *first_of(const heap *h, uint32_t object)
{
    size_t lo = 0, hi = h->property_count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (h->properties[mid].object < object)
            lo = mid + 1;
        else
            hi = mid;
    }
    return h->properties + lo;
}

const heap_property *heap_property_next(const heap *h, const heap_property *after,
                                        uint32_t object, const char *key)
{
    if (!h->property_count)
        return NULL;
    const heap_property *end = h->properties + h->property_count;
    for (const heap_property *p = after ? after + 1 : first_of(h, object);
         p < end && p->object == object; p++)
        if (strcmp(heap_string(h, p->key, NULL), key) == 0)
            return p;
    return NULL;
}

int heap_property_number(const heap *h, uint32_t object, const char *key, size_t n,
                         int64_t *out)
{
    for (const heap_property *p = heap_property_next(h, NULL, object, key); p;
         p = heap_property_next(h, p, object, key)) {
        if (p->kind != HEAPAN_VALUE_INT && p->kind != HEAPAN_VALUE_BOOL)
            continue;
        if (n-- == 0) {
            *out = p->number;
            return 0;
        }
    }
    return -1;
}

const char *heap_property_text(const heap *h, const heap_property *p)
{
    return p->kind == HEAPAN_VALUE_TEXT || p->kind == HEAPAN_VALUE_BYTES
               ? h->property_text + p->text
               : "";
}

int heap_frame_text(const char *file, unsigned line, const char *function, char *buf, size_t size)
{
    if (!function || !*function)
        return snprintf(buf, size, "%s:%u", file, line);
    return snprintf(buf, size, "%s:%u in %s", file, line, function);
}
