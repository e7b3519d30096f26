/* trace_link.c: joining a heap report with an allocation trace by block address. */
#include <stdlib.h>
#include <string.h>

#include "grow.h"
#include "trace/advice.h"
#include "trace/link.h"

#define NOT_LOOKED_UP (UINT32_MAX - 1)
#define MAX_ADVICE 10

typedef struct linker {
    trace_link *l;
    const report *r;
    const trace *t;
    uint32_t *origin;          /* per object: its block's stack, ADDRMAP_ABSENT, or NOT_LOOKED_UP */
    uint64_t *bytes, *objects; /* per stack, for the candidate at hand */
    uint32_t *touched;         /* stacks with non-zero counts */
    size_t touched_count;
    uint32_t *pending; /* the subtree walk */
} linker;

/*
 * The stack of the block holding object v.  A block starts before its
 * object when the type has a GC header (two pointers), and two pointers
 * earlier still for 3.11+ instances whose dict pointer lives before it.
 */
static uint32_t origin_of(linker *k, uint32_t v)
{
    if (k->origin[v] != NOT_LOOKED_UP)
        return k->origin[v];
    const heap *h = k->r->heap;
    uint64_t word = h->header.pointer_size ? h->header.pointer_size : 8;
    uint64_t address = h->address[v];
    uint32_t type = h->type[v];
    int gc = type < h->type_count && (h->types[type].flags & HEAPAN_TYPE_CONTAINER);
    uint32_t stack = ADDRMAP_ABSENT;
    if (!gc)
        stack = trace_block_stack(k->t, address, NULL);
    for (uint64_t before = 2 * word; gc && stack == ADDRMAP_ABSENT && before <= 4 * word;
         before += 2 * word)
        stack = address > before ? trace_block_stack(k->t, address - before, NULL) : ADDRMAP_ABSENT;
    return k->origin[v] = stack;
}

static void count(linker *k, uint32_t stack, uint64_t bytes)
{
    if (!k->objects[stack]++)
        k->touched[k->touched_count++] = stack;
    k->bytes[stack] += bytes;
}

/* Keeps the LINK_SITES_PER_LEAK stacks with the most bytes, and clears the counts. */
static void keep_top_sites(linker *k, leak_origin *o)
{
    for (size_t i = 0; i < k->touched_count; i++) {
        uint32_t s = k->touched[i];
        origin_site site = {s, k->bytes[s], k->objects[s]};
        size_t at = o->site_count < LINK_SITES_PER_LEAK ? o->site_count++ : LINK_SITES_PER_LEAK;
        while (at > 0 && o->sites[at - 1].bytes < site.bytes) {
            if (at < LINK_SITES_PER_LEAK)
                o->sites[at] = o->sites[at - 1];
            at--;
        }
        if (at < LINK_SITES_PER_LEAK)
            o->sites[at] = site;
        k->bytes[s] = k->objects[s] = 0;
    }
    k->touched_count = 0;
}

/* Walks the candidate's dominator subtree: everything it alone keeps alive. */
static void find_origin(linker *k, uint32_t object, leak_origin *o)
{
    const dominators *d = k->r->dom;
    size_t depth = 0;
    k->pending[depth++] = object;
    while (depth) {
        uint32_t v = k->pending[--depth];
        o->objects++;
        uint32_t stack = origin_of(k, v);
        if (stack != ADDRMAP_ABSENT) {
            o->matched++;
            count(k, stack, k->r->heap->size[v]);
        }
        for (uint32_t c = d->child_start[v]; c < d->child_start[v + 1]; c++)
            k->pending[depth++] = d->child[c];
    }
    keep_top_sites(k, o);
}

static int find_growing(trace_link *l, const trace *t)
{
    l->growing = malloc((t->stack_count + 1) * sizeof *l->growing);
    if (!l->growing)
        return -1;
    size_t n = trace_top_sites(t, 3, l->growing, t->stack_count);
    for (size_t i = 0; i < n; i++)
        if (trace_site_grows(t, l->growing[i]))
            l->growing[l->growing_count++] = l->growing[i];
    return 0;
}

int trace_link_advice(report *r, const trace *t)
{
    trace_advice advice[MAX_ADVICE];
    size_t n = trace_find_advice(t, advice, MAX_ADVICE);
    for (size_t i = 0; i < n; i++) {
        char name[1024];
        const heapan_frame *f = trace_site_frame(t, advice[i].stack);
        suggestion *s = report_add_suggestion(r, trace_advice_suggestion(advice[i].kind), HEAP_NONE,
                                              t->sites[advice[i].stack].allocations,
                                              advice[i].saving);
        if (!s)
            return -1;
        /* Whether the program can stream or reuse is for its author to judge. */
        s->confidence = 0.5;
        s->target = strdup(trace_site_name(t, advice[i].stack, name, sizeof name));
        s->message = trace_advice_message(t, &advice[i]);
        if (f)
            s->owner = interp_file_owner(&r->interp,
                                         heapan_reader_string(t->reader, f->file, NULL),
                                         s->owner_name, sizeof s->owner_name);
        if (!s->target || !s->message)
            return -1;
    }
    return 0;
}

int trace_link_origins(trace_link *l, const report *r, const trace *t)
{
    memset(l, 0, sizeof *l);
    l->trace = t;
    l->same_process = r->heap->header.pid == t->header.pid;
    const heap *h = r->heap;
    linker k = {.l = l, .r = r, .t = t};
    l->origins = calloc(r->leak_count + 1, sizeof *l->origins);
    int failed = !l->origins || find_growing(l, t) < 0;
    if (!failed && l->same_process) {
        k.origin = malloc(((size_t)h->count + 1) * sizeof *k.origin);
        k.pending = malloc(((size_t)h->count + 1) * sizeof *k.pending);
        k.bytes = calloc(t->stack_count + 1, sizeof *k.bytes);
        k.objects = calloc(t->stack_count + 1, sizeof *k.objects);
        k.touched = malloc((t->stack_count + 1) * sizeof *k.touched);
        failed = !k.origin || !k.pending || !k.bytes || !k.objects || !k.touched;
        for (uint32_t v = 0; !failed && v < h->count; v++)
            k.origin[v] = NOT_LOOKED_UP;
        for (size_t i = 0; !failed && i < r->leak_count; i++)
            if (r->leaks[i].object != HEAP_NONE)
                find_origin(&k, r->leaks[i].object, &l->origins[i]);
    }
    free(k.origin), free(k.pending), free(k.bytes), free(k.objects), free(k.touched);
    return failed ? -1 : 0;
}

void trace_link_release(trace_link *l)
{
    free(l->origins);
    free(l->growing);
    memset(l, 0, sizeof *l);
}
