/*
 * leaks.c: the structures that hold the most: large collections (a
 * collection that alone keeps many entries alive), big retainers, stored
 * tracebacks, and garbage the collector will not free.  What each is
 * called and whether it grows is decided later (causes.c, story.c); here
 * a finding says only what it is and what it holds.  Every rule is about
 * the shape of the graph, never about names a program chose.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "grow.h"
#include "report/report.h"
#include "textout.h"
#include "model/sort.h"

/* Per-type tallies, reused: only the touched entries are cleared. */
typedef struct tally {
    uint64_t *count, *bytes;
    uint32_t *stack;  /* the allocation stack of the first one counted */
    uint32_t *touched;
    size_t touched_count;
} tally;

static int tally_init(tally *t, const heap *h)
{
    size_t n = h->type_count ? h->type_count : 1;
    t->count = calloc(n, sizeof *t->count);
    t->bytes = calloc(n, sizeof *t->bytes);
    t->touched = malloc(n * sizeof *t->touched);
    t->stack = calloc(n, sizeof *t->stack);
    t->touched_count = 0;
    return t->count && t->bytes && t->touched && t->stack ? 0 : -1;
}

static void tally_release(tally *t)
{
    free(t->count), free(t->bytes), free(t->touched), free(t->stack);
}

static void tally_add(tally *t, const heap *h, uint32_t v, uint64_t bytes)
{
    uint32_t type = h->type[v] < h->type_count ? h->type[v] : 0;
    if (!t->count[type]++)
        t->touched[t->touched_count++] = type;
    if (!t->stack[type] && h->stack)
        t->stack[type] = h->stack[v];
    t->bytes[type] += bytes;
}

/* The top types of the tally into `out`, by bytes, and the biggest's stack; then clears it. */
static size_t tally_take(tally *t, type_count *out, uint32_t *top_stack)
{
    uint64_t top_bytes = 0;
    size_t kept = 0;
    for (size_t k = 0; k < t->touched_count; k++) {
        uint32_t type = t->touched[k];
        type_count item = {type, t->count[type], t->bytes[type]};
        size_t at = kept < REPORT_TYPES_PER_FINDING ? kept++ : REPORT_TYPES_PER_FINDING;
        while (at > 0 && out[at - 1].retained_size < item.retained_size) {
            if (at < REPORT_TYPES_PER_FINDING)
                out[at] = out[at - 1];
            at--;
        }
        if (at < REPORT_TYPES_PER_FINDING)
            out[at] = item;
        if (top_stack && item.retained_size > top_bytes && t->stack[type]) {
            top_bytes = item.retained_size;
            *top_stack = t->stack[type];
        }
        t->count[type] = t->bytes[type] = t->stack[type] = 0;
    }
    t->touched_count = 0;
    return kept;
}

/* Tallies the types of everything `v` dominates, by shallow bytes, but what `skip` marks. */
static int tally_subtree(tally *t, const heap *h, const dominators *d, uint32_t v,
                         const uint8_t *skip)
{
    uint32_t *stack = malloc(((size_t)d->retained_count[v] + 1) * sizeof *stack);
    if (!stack)
        return -1;
    size_t sp = 0;
    stack[sp++] = v;
    while (sp) {
        uint32_t x = stack[--sp];
        if (x != v && skip[x])
            continue;
        tally_add(t, h, x, h->size[x]);
        for (uint32_t k = d->child_start[x]; k < d->child_start[x + 1]; k++)
            stack[sp++] = d->child[k];
    }
    free(stack);
    return 0;
}

typedef struct finder {
    report *r;
    const retention *paths;
    const report_options *o;
    tally types;
    uint8_t *is_candidate;  /* by object */
    uint8_t *held;          /* by object: a candidate, or dominated by one */
    uint32_t *stack;        /* for walking a subtree */
} finder;

/* The finding's types from the tally, and where the biggest was allocated, in the program too. */
static void take_types(finder *f, leak_candidate *c)
{
    const heap *h = f->r->heap;
    uint32_t stack = 0;
    c->type_count = tally_take(&f->types, c->types, &stack);
    c->site = stack && stack < h->stack_count ? h->stacks[stack].frame : 0;
    c->program_site = interp_program_frame(&f->r->interp, h, stack);
}

/*
 * Marks what candidate v dominates as held.  A subtree already held is
 * held whole, so the walk stops there: each object is marked once, and
 * all the marking is linear in objects.
 */
static void hold_subtree(finder *f, uint32_t v)
{
    const dominators *d = f->r->dom;
    size_t sp = 0;
    f->stack[sp++] = v;
    while (sp) {
        uint32_t x = f->stack[--sp];
        if (f->held[x] && x != v)
            continue;
        f->held[x] = 1;
        for (uint32_t k = d->child_start[x]; k < d->child_start[x + 1]; k++)
            f->stack[sp++] = d->child[k];
    }
}

static leak_candidate *add_candidate(finder *f, leak_kind kind, uint32_t object)
{
    report *r = f->r;
    if (grow(&r->leaks, sizeof *r->leaks, &r->leak_cap, r->leak_count + 1) < 0)
        return NULL;
    leak_candidate *c = &r->leaks[r->leak_count++];
    memset(c, 0, sizeof *c);
    c->kind = kind;
    c->object = object;
    c->fix = SIZE_MAX;
    c->hits = -1;
    if (object != HEAP_NONE) {
        c->retained_size = r->dom->retained_size[object];
        c->retained_count = r->dom->retained_count[object];
        f->is_candidate[object] = 1;
        hold_subtree(f, object);
    }
    return c;
}

static double share_of_heap(const report *r, uint64_t bytes)
{
    return r->heap->total_size ? (double)bytes / (double)r->heap->total_size : 0.0;
}

/* Is some object above v in the dominator tree a candidate already? */
static int under_candidate(const finder *f, uint32_t v)
{
    uint32_t up = f->r->dom->idom[v];
    return up != HEAP_NONE && f->held[up];
}

/* V8's synthetic nodes, the root and its groups of roots, stand for no object of the program. */
static int synthetic(const heap *h, uint32_t v)
{
    return heap_is_v8(h) && strcmp(heap_type_name(h, v), "(synthetic)") == 0;
}

/*
 * A V8 node of the engine's own, named in parentheses ("(array)", "(system)",
 * "(code)"): one that retains much is V8's table, not the program's object.
 */
static int engine_internal(const heap *h, uint32_t v)
{
    return heap_is_v8(h) && heap_type_name(h, v)[0] == '(';
}

static int type_id_accepted(const finder *f, uint32_t type)
{
    char name[512];
    return !f->o->accept_type ||
           f->o->accept_type(f->o->filter_ctx,
                             group_name(f->r->heap, GROUP_BY_TYPE, type, name, sizeof name));
}

static int type_accepted(const finder *f, uint32_t v)
{
    return type_id_accepted(f, f->r->heap->type[v]);
}

/* Is some type of the finding (its own, or one it holds) included, when includes are given? */
static int finding_included(const finder *f, const leak_candidate *c)
{
    if (!f->o->include_type)
        return 1;
    char name[512];
    const heap *h = f->r->heap;
    int any = c->object == HEAP_NONE
                  ? -1
                  : f->o->include_type(f->o->filter_ctx, group_name(h, GROUP_BY_TYPE,
                                                                    h->type[c->object], name,
                                                                    sizeof name));
    for (size_t k = 0; any != 1 && k < c->type_count; k++) {
        int included = f->o->include_type(
            f->o->filter_ctx, group_name(h, GROUP_BY_TYPE, c->types[k].type, name, sizeof name));
        any = included > any ? included : any;
    }
    return any != 0;
}

/* Do the filters keep this finding: its type, the types it holds, its site? */
static int finding_accepted(const finder *f, const leak_candidate *c)
{
    for (size_t k = 0; k < c->type_count; k++)
        if (!type_id_accepted(f, c->types[k].type))
            return 0;
    if (!finding_included(f, c))
        return 0;
    char site[1024];
    return !c->site || !f->o->accept_site ||
           f->o->accept_site(f->o->filter_ctx,
                             group_name(f->r->heap, GROUP_BY_SITE, c->site, site, sizeof site));
}

/* ---- accumulation points ----------------------------------------------------- */

typedef struct fan_out {
    uint64_t entries, dominated;
    uint32_t entry_type;
    uint64_t entry_type_count;
} fan_out;

/* The entries of collection v (values, not dict keys) that v alone holds. */
static void measure_fan_out(finder *f, uint32_t v, fan_out *out)
{
    const heap *h = f->r->heap;
    memset(out, 0, sizeof *out);
    uint32_t end = h->out_start[v] + h->out_count[v];
    for (uint32_t e = h->out_start[v]; e < end; e++) {
        uint32_t t = h->out_target[e];
        if (t & HEAP_WEAK_BIT || h->out_label_kind[e] == HEAPAN_LABEL_DICT_KEY)
            continue;
        out->entries++;
        if (f->r->dom->idom[t] == v) {
            out->dominated++;
            tally_add(&f->types, h, t, 1);
        }
    }
    type_count top[REPORT_TYPES_PER_FINDING];
    if (tally_take(&f->types, top, NULL)) {
        /* tally_take ranks by "bytes", which were counts here */
        out->entry_type = top[0].type;
        out->entry_type_count = top[0].retained_size;
    }
}

static int describe_collection(finder *f, leak_candidate *c, const fan_out *fan)
{
    const report *r = f->r;
    char size[32], entry[512], kind[512];
    group_name(r->heap, GROUP_BY_TYPE, fan->entry_type, entry, sizeof entry);
    report_type_name(r, c->object, kind, sizeof kind);
    c->reason = report_format(
        "This %s holds %llu entries (%llu of them %s), retaining %s "
        "(%.1f%% of the heap).",
        kind, (unsigned long long)fan->entries, (unsigned long long)fan->entry_type_count, entry,
        format_bytes(c->retained_size, size, sizeof size),
        100.0 * share_of_heap(r, c->retained_size));
    return c->reason ? 0 : -1;
}

static int find_large_collections(finder *f)
{
    const heap *h = f->r->heap;
    const dominators *d = f->r->dom;
    ranked *order = malloc((h->count ? h->count : 1) * sizeof *order);
    if (!order)
        return -1;
    size_t found = 0;
    for (uint32_t v = 0; v < h->count; v++)
        if (!(h->flags[v] & HEAP_OBJ_UNREACHABLE) && d->retained_size[v] >= f->o->min_retained &&
            h->out_count[v] >= f->o->min_entries && report_is_collection(h, v))
            order[found++] = (ranked){d->retained_size[v], v};
    /* Outermost first: a dominator retains at least what it dominates. */
    sort_items(order, found, sizeof *order, ranked_descending);
    int failed = 0;
    for (size_t i = 0; i < found && !failed; i++) {
        uint32_t v = order[i].object;
        fan_out fan;
        if (report_is_namespace(h, v) || under_candidate(f, v) || !type_accepted(f, v) ||
            synthetic(h, v))
            continue;
        measure_fan_out(f, v, &fan);
        if (fan.dominated < f->o->min_entries)
            continue;
        double similarity = (double)fan.entry_type_count / (double)fan.dominated;
        leak_candidate *c = add_candidate(f, LEAK_LARGE_COLLECTION, v);
        if (!c)
            return free(order), -1;
        c->entries = fan.entries;
        c->entry_type = fan.entry_type;
        c->score = 100.0 * sqrt(share_of_heap(f->r, c->retained_size)) * (0.5 + 0.5 * similarity);
        failed = describe_collection(f, c, &fan) < 0;
    }
    free(order);
    return failed ? -1 : 0;
}

/* ---- big retainers, stored tracebacks ------------------------------------------ */

/* Bytes the candidates found so far hold beneath v in the dominator tree. */
static uint64_t held_by_candidates_under(const finder *f, uint32_t v)
{
    const report *r = f->r;
    uint64_t held = 0;
    for (size_t i = 0; i < r->leak_count; i++) {
        uint32_t c = r->leaks[i].object;
        if (c != HEAP_NONE && c != v && dominators_dominates(r->dom, v, c))
            held += r->dom->retained_size[c];
    }
    return held;
}

/*
 * Objects that hold a large share themselves, none of their children as
 * much, counting only what no candidate beneath them holds already: an
 * object whose big share is mostly one reported list is that list's
 * finding, not its own.
 */
static int find_big_retainers(finder *f)
{
    const report *r = f->r;
    const heap *h = r->heap;
    const dominators *d = r->dom;
    uint64_t big = (uint64_t)(f->o->big_share * (double)h->total_size);
    for (uint32_t v = 0; v < h->count; v++) {
        /* Garbage is find_garbage()'s: a finding only when the collector will not free it. */
        if (d->retained_size[v] < big || d->retained_size[v] < f->o->min_retained ||
            (h->flags[v] & HEAP_OBJ_UNREACHABLE) || engine_internal(h, v) ||
            f->is_candidate[v] || under_candidate(f, v) || report_is_namespace(h, v) ||
            strcmp(heap_type_name(h, v), "module") == 0 || !type_accepted(f, v))
            continue;
        int child_is_big = 0;
        for (uint32_t k = d->child_start[v]; k < d->child_start[v + 1] && !child_is_big; k++)
            child_is_big = d->retained_size[d->child[k]] >= big;
        uint64_t held = child_is_big ? 0 : held_by_candidates_under(f, v);
        uint64_t own = d->retained_size[v] - held;
        if (child_is_big || own < big)
            continue;
        leak_candidate *c = add_candidate(f, LEAK_BIG_RETAINER, v);
        char size[32], rest[32], name[512];
        if (!c)
            return -1;
        c->reason = held ? report_format("This %s retains %s, %.1f%% of the heap; %s of it "
                                         "(%.1f%%) is outside the candidates it holds.",
                                         report_type_name(r, v, name, sizeof name),
                                         format_bytes(c->retained_size, size, sizeof size),
                                         100.0 * share_of_heap(r, c->retained_size),
                                         format_bytes(own, rest, sizeof rest),
                                         100.0 * share_of_heap(r, own))
                         : report_format("This %s alone retains %s, %.1f%% of the heap.",
                                         report_type_name(r, v, name, sizeof name),
                                         format_bytes(c->retained_size, size, sizeof size),
                                         100.0 * share_of_heap(r, c->retained_size));
        if (!c->reason)
            return -1;
        c->score = 100.0 * sqrt(share_of_heap(r, own)) * 0.8;
    }
    return 0;
}

static int find_tracebacks(finder *f)
{
    const report *r = f->r;
    const heap *h = r->heap;
    for (uint32_t v = 0; v < h->count; v++) {
        if (h->flags[v] & HEAP_OBJ_UNREACHABLE || r->dom->retained_size[v] < f->o->min_retained ||
            !(pytypes_bases_of(&r->classes, h, v) & PYBASE_TRACEBACK) || under_candidate(f, v))
            continue;
        leak_candidate *c = add_candidate(f, LEAK_TRACEBACK, v);
        char size[32];
        if (!c || !(c->reason = report_format(
                        "A stored traceback keeps %llu objects (%s, %.1f%% of the heap) alive: "
                        "its frames and every local variable they had.",
                        (unsigned long long)c->retained_count,
                        format_bytes(c->retained_size, size, sizeof size),
                        100.0 * share_of_heap(r, c->retained_size))))
            return -1;
        c->score = 100.0 * sqrt(share_of_heap(r, c->retained_size)) * 0.9;
    }
    return 0;
}

/* ---- garbage ------------------------------------------------------------------- */

int report_held_frozen(const report *r, uint32_t v, uint8_t *memo)
{
    const heap *h = r->heap;
    uint32_t x = v;
    int held = 0;
    /* Up the dominator tree to a frozen object, a known answer, or the super-root. */
    for (; x != HEAP_NONE; x = r->dom->idom[x]) {
        if (memo[x]) {
            held = memo[x] == 2;
            break;
        }
        if (h->flags[x] & HEAP_OBJ_FROZEN) {
            held = 1;
            break;
        }
    }
    for (uint32_t y = v; y != x && y != HEAP_NONE; y = r->dom->idom[y])
        memo[y] = held ? 2 : 1;
    return held;
}

/*
 * Cycles no root reaches are a finding only when they will not be freed:
 * automatic collection is off, gc.freeze() put them out of its reach, or
 * the collector gave up on them (gc.garbage).  Otherwise the next
 * collection frees them, and the summary says how much waits for it.
 */
static int find_garbage(finder *f)
{
    report *r = f->r;
    const heap *h = r->heap;
    uint64_t bytes = 0, objects = 0, frozen_bytes = 0, frozen = 0, held_bytes = 0, held = 0;
    uint8_t *memo = calloc(h->count ? h->count : 1, 1);
    if (!memo)
        return -1;
    /* Frozen garbage: frozen objects, and what only they hold (their strings, their ints). */
    for (uint32_t v = 0; v < h->count; v++) {
        if (!(h->flags[v] & HEAP_OBJ_UNREACHABLE))
            continue;
        bytes += h->size[v], objects++;
        if (report_held_frozen(r, v, memo))
            frozen_bytes += h->size[v], frozen++;
    }
    for (size_t k = 0; k < h->root_count; k++)
        if (h->roots[k].kind == HEAPAN_ROOT_GC_GARBAGE)
            held_bytes += r->dom->retained_size[h->roots[k].object], held++;
    cause_kind cause = CAUSE_NONE;
    if (held && held_bytes >= f->o->min_retained)
        cause = CAUSE_GC_GARBAGE, bytes = held_bytes, objects = held;
    else if (r->incomplete || r->rootless)
        cause = CAUSE_NONE; /* their holders may be in what was cut off, or unnamed: not known garbage */
    else if (bytes >= f->o->min_retained && !interp_collects_automatically(&r->interp))
        cause = CAUSE_GC_DISABLED;
    else if (frozen_bytes >= f->o->min_retained)
        cause = CAUSE_GC_FROZEN, bytes = frozen_bytes, objects = frozen;
    if (cause == CAUSE_NONE) {
        r->pending_bytes = bytes;
        r->pending_objects = objects;
        free(memo);
        return 0;
    }
    for (size_t k = 0; cause == CAUSE_GC_GARBAGE && k < h->root_count; k++)
        if (h->roots[k].kind == HEAPAN_ROOT_GC_GARBAGE &&
            tally_subtree(&f->types, h, r->dom, h->roots[k].object, f->is_candidate) < 0) {
            free(memo);
            return -1;
        }
    for (uint32_t v = 0; cause != CAUSE_GC_GARBAGE && v < h->count; v++)
        if ((h->flags[v] & HEAP_OBJ_UNREACHABLE) &&
            (cause != CAUSE_GC_FROZEN || report_held_frozen(r, v, memo)))
            tally_add(&f->types, h, v, h->size[v]);
    free(memo);
    leak_candidate *c = add_candidate(f, LEAK_GARBAGE, HEAP_NONE);
    if (!c)
        return -1;
    take_types(f, c);
    c->retained_size = bytes;
    c->retained_count = c->entries = objects;
    c->cause = cause;
    char size[32];
    c->reason = report_format(
        cause == CAUSE_GC_GARBAGE ? "gc.garbage holds %llu objects that retain %s (%.1f%% of the heap), "
                                    "and nothing frees them there."
                                  : "%llu objects (%s, %.1f%% of the heap) are reference cycles "
                                    "that no root reaches, and that the collector will not free.",
        (unsigned long long)objects, format_bytes(bytes, size, sizeof size),
        100.0 * share_of_heap(r, bytes));
    c->score = 100.0 * sqrt(share_of_heap(r, bytes)) * 0.9;
    return c->reason ? 0 : -1;
}

/* ---- completing ---------------------------------------------------------------- */

/* Types and allocation site of what each finding retains, and its path. */
static int complete(finder *f, leak_candidate *c)
{
    const report *r = f->r;
    const heap *h = r->heap;
    if (c->object == HEAP_NONE)
        return 0;
    /* A big retainer's own types: the candidates it holds list theirs. */
    if (tally_subtree(&f->types, h, r->dom, c->object, f->is_candidate) < 0)
        return -1;
    take_types(f, c);
    return path_find(h, f->paths, c->object, HEAP_NONE, &c->path) < 0 ? -1 : 0;
}

/* Every finding, completed and filtered, in no order yet: story.c ranks them. */
int find_leak_candidates(report *r, const retention *paths, const report_options *o)
{
    finder f = {.r = r, .paths = paths, .o = o};
    size_t n = r->heap->count ? r->heap->count : 1;
    f.is_candidate = calloc(n, 1);
    f.held = calloc(n, 1);
    f.stack = malloc((n + 1) * sizeof *f.stack);
    int failed = !f.is_candidate || !f.held || !f.stack || tally_init(&f.types, r->heap) < 0 ||
                 find_large_collections(&f) < 0 || find_tracebacks(&f) < 0 ||
                 find_big_retainers(&f) < 0 || find_garbage(&f) < 0;
    size_t kept = 0;
    for (size_t i = 0; i < r->leak_count; i++) {
        leak_candidate *c = &r->leaks[i];
        int keep = !failed;
        if (keep) {
            failed = complete(&f, c) < 0;
            keep = !failed && finding_accepted(&f, c);
        }
        if (keep) {
            r->leaks[kept++] = *c;  /* slot i is never read again */
        } else {
            path_release(&c->path);
            free(c->reason);
        }
    }
    r->leak_count = kept;
    tally_release(&f.types);
    free(f.is_candidate), free(f.held), free(f.stack);
    return failed ? -1 : 0;
}
