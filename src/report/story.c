/*
 * story.c: what the report claims, and in what order.  A finding claims
 * only what its evidence proves: one dump shows a size; a leak needs
 * growth, from the dump itself (a cache's counters, the collector's
 * state), from an allocation trace, or from a baseline dump.  Findings
 * are ranked by what to look at first; one that exists only because of
 * another is folded into it.  Suggestions are ordered by what to do
 * first: the fix of each finding, then the savings, the program's own
 * code before the libraries'.  Never prints.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grow.h"
#include "report/report.h"
#include "report/structures.h"
#include "textout.h"
#include "trace/link.h"
#include "model/sort.h"

#define SAMPLED_ENTRIES 64      /* entries of a finding looked at to fold it into another */
#define DOMINATOR_STEPS 64      /* how far up the dominator tree "inside" is looked for */
#define BASELINE_NOISE (64u << 10)  /* growth since a baseline below this is no growth */

/* ---- growth ---------------------------------------------------------------------- */

/* The dump proves it: a cache that has never hit, a collector that will not free it. */
static int proven_in_dump(const leak_candidate *c)
{
    return (c->cause == CAUSE_FUNCTION_CACHE && c->hits == 0 && c->misses > 0) ||
           c->kind == LEAK_GARBAGE;
}

/* What the trace says of a finding: its allocation sites grow, stay, or cannot be matched. */
static growth_evidence growth_in_trace(const report *r, const leak_candidate *c)
{
    const trace_link *l = r->link;
    if (!l || !l->same_process || c->object == HEAP_NONE)
        return GROWTH_UNKNOWN;
    const leak_origin *o = &l->origins[c->origin];
    if (!o->objects || o->matched * 2 < o->objects)
        return GROWTH_UNKNOWN; /* most of it was allocated before the trace began */
    uint64_t bytes = 0, growing = 0;
    for (size_t k = 0; k < o->site_count; k++) {
        bytes += o->sites[k].bytes;
        if (trace_site_grows(l->trace, o->sites[k].stack))
            growing += o->sites[k].bytes;
    }
    return growing && growing * 2 >= bytes ? GROWTH_TRACE : GROWTH_STABLE_TRACE;
}

/* What the baseline says: it grew past the noise, stayed, or is new. */
static growth_evidence growth_since(const report *r, const retention *paths,
                                    const structure_index *baseline, leak_candidate *c)
{
    if (!baseline || c->object == HEAP_NONE)
        return GROWTH_UNKNOWN;
    char *name = structure_name(r->heap, paths, c->object);
    const structure *before = name ? structure_index_find(baseline, name) : NULL;
    free(name);
    uint64_t entries = heap_length(r->heap, c->object);
    if (!before)
        return c->retained_size >= BASELINE_NOISE ? GROWTH_BASELINE : GROWTH_UNKNOWN;
    c->baseline_entries = before->entries;
    c->baseline_retained = before->retained;
    uint64_t floor = before->retained / 10 > BASELINE_NOISE ? before->retained / 10 : BASELINE_NOISE;
    int grew = c->retained_size > before->retained + floor ||
               (entries > before->entries + before->entries / 10 + 10 &&
                c->retained_size > before->retained);
    return grew ? GROWTH_BASELINE : GROWTH_STABLE_BASELINE;
}

static void weigh_growth(report *r, const retention *paths, const report_options *o,
                         leak_candidate *c)
{
    growth_evidence traced = growth_in_trace(r, c), since = growth_since(r, paths, o->baseline, c);
    c->growth = proven_in_dump(c)             ? GROWTH_IN_DUMP
                : traced == GROWTH_TRACE      ? GROWTH_TRACE
                : since == GROWTH_BASELINE    ? GROWTH_BASELINE
                : since != GROWTH_UNKNOWN     ? since
                                              : traced;
    c->leak = c->growth == GROWTH_IN_DUMP || c->growth == GROWTH_TRACE ||
              c->growth == GROWTH_BASELINE;
    /* What to look at first: a proven leak, then a named cause, then a size. */
    double weight = c->leak ? 1.0
                    : c->growth == GROWTH_STABLE_TRACE || c->growth == GROWTH_STABLE_BASELINE ? 0.4
                    : c->cause != CAUSE_NONE                                                  ? 0.85
                                                                                              : 0.65;
    c->score = fmin(100.0, c->score * weight);
}

static char *growth_text(const report *r, const leak_candidate *c)
{
    char a[32], b[32];
    switch (c->growth) {
    case GROWTH_IN_DUMP:
        return c->kind == LEAK_GARBAGE
                   ? strdup("Proof in the dump: the collector will not free these cycles, so "
                            "every one the program drops stays.")
                   : report_format("Proof in the dump: its counters show %lld calls and no hit, "
                                   "so it grew by one entry with every call.",
                                   (long long)c->misses);
    case GROWTH_TRACE: {
        const leak_origin *o = &r->link->origins[c->origin];
        char site[1024], rate[32];
        const trace_site *s = &r->link->trace->sites[o->sites[0].stack];
        return report_format("Leak: the sites that allocated it grow steadily over the trace; the "
                             "first, %s, by %s/s (R² %.2f).",
                             trace_site_name(r->link->trace, o->sites[0].stack, site, sizeof site),
                             format_bytes((uint64_t)(s->growth > 0 ? s->growth : 0), rate, sizeof rate),
                             s->fit);
    }
    case GROWTH_BASELINE:
        if (!c->baseline_retained)
            return strdup("Leak: it is new since the baseline dump.");
        return report_format("Leak: it grew since the baseline dump, from %llu entries (%s) to "
                             "%llu (%s).",
                             (unsigned long long)c->baseline_entries,
                             format_bytes(c->baseline_retained, a, sizeof a),
                             (unsigned long long)heap_length(r->heap, c->object),
                             format_bytes(c->retained_size, b, sizeof b));
    case GROWTH_STABLE_TRACE:
        return strdup("Not a leak by the trace: the sites that allocated it do not grow steadily.");
    case GROWTH_STABLE_BASELINE:
        return report_format("Not a leak by the baseline dump: it held %llu entries (%s) there too.",
                             (unsigned long long)c->baseline_entries,
                             format_bytes(c->baseline_retained, a, sizeof a));
    default:
        return NULL; /* the report says once what one dump cannot show */
    }
}

/* ---- whose code ------------------------------------------------------------------ */

/* Whose code holds the finding: its cause's class, its site, or the nearest class on its path. */
static code_owner finding_owner(report *r, const leak_candidate *c, char *name, size_t size)
{
    const heap *h = r->heap;
    *name = '\0';
    if (c->cause == CAUSE_LOGGERS)
        return OWNER_PROGRAM; /* made by whoever calls getLogger */
    if (c->cause_type)
        return interp_type_owner(&r->interp, c->cause_type, name, size);
    if (c->site && c->site < h->frame_count)
        return interp_file_owner(&r->interp, heap_string(h, h->frames[c->site].file, NULL), name,
                                 size);
    /* A cache wrapper or a weak container is the holder's tool, not a holder of its own. */
    uint32_t transparent = PYBASE_LRU_CACHE | PYBASE_WEAK_CONTAINER | PYBASE_TYPE | PYBASE_MODULE;
    for (size_t i = c->path.count; i-- > 1;) {
        uint32_t v = c->path.steps[i].object, type = h->type[v];
        if (i + 1 < c->path.count && type < h->type_count &&
            !(h->types[type].flags & HEAPAN_TYPE_BUILTIN) &&
            !(pytypes_bases_of(&r->classes, h, v) & transparent))
            return interp_type_owner(&r->interp, type, name, size);
    }
    for (size_t k = 0; c->kind == LEAK_GARBAGE && k < c->type_count; k++) /* no path: its types */
        if (c->types[k].type < h->type_count &&
            !(h->types[c->types[k].type].flags & HEAPAN_TYPE_BUILTIN))
            return interp_type_owner(&r->interp, c->types[k].type, name, size);
    if (c->path.count && h->roots[c->path.root].kind == HEAPAN_ROOT_MODULE)
        return interp_module_owner(&r->interp, h->roots[c->path.root].label, name, size);
    if (name && size)
        *name = '\0';
    return c->path.count ? OWNER_PROGRAM : OWNER_UNKNOWN;
}

/* ---- folding --------------------------------------------------------------------- */

static int dominated_by(const dominators *d, uint32_t v, uint32_t top)
{
    for (int steps = 0; v != HEAP_NONE && steps < DOMINATOR_STEPS; steps++, v = d->idom[v])
        if (v == top)
            return 1;
    return 0;
}

/* Does `target` stand for one of a's entries, or lie inside a? */
static int leads_into(const report *r, const uint8_t *entry_of_a, uint32_t a, uint32_t target)
{
    return entry_of_a[target] || dominated_by(r->dom, target, a);
}

/*
 * Does finding b hold the same objects as a, again: its entries reach a's
 * entries (through a weak reference or a small container)?  A WeakSet of
 * the same tasks.  (An index of the same receivers shares a's keys: see
 * indexes_again().)
 */
static int holds_again(const report *r, const uint8_t *entry_of_a, const leak_candidate *a,
                       const leak_candidate *b)
{
    const heap *h = r->heap;
    uint32_t v = b->object, seen = 0, again = 0;
    for (uint32_t e = h->out_start[v]; e < h->out_start[v] + h->out_count[v] && seen < SAMPLED_ENTRIES;
         e++) {
        uint32_t t = h->out_target[e] & HEAP_INDEX_MASK, hit = 0;
        if (h->out_label_kind[e] == HEAPAN_LABEL_DICT_KEY)
            continue;
        seen++;
        /* one step further: a weak reference's target, a small tuple's or set's items */
        for (uint32_t k = h->out_start[t]; !hit && k < h->out_start[t] + h->out_count[t] &&
                                           h->out_count[t] <= 8;
             k++)
            hit = leads_into(r, entry_of_a, a->object, h->out_target[k] & HEAP_INDEX_MASK);
        again += hit || (t != a->object && entry_of_a[t]);
    }
    return seen && again * 2 >= seen;
}

/* A key of a dict entry as one number: its kind and its string id or integer. */
static uint64_t key_of(const heap *h, uint64_t e)
{
    unsigned kind = h->out_label_kind[e];
    if (kind == HEAPAN_LABEL_INT_KEY)
        return (uint64_t)heap_label_number(h, e) * 0x9e3779b97f4a7c15ull | 1;
    return kind == HEAPAN_LABEL_KEY || kind == HEAPAN_LABEL_KEY_REPR ? (uint64_t)h->out_label[e] << 1
                                                                     : 0;
}

static int by_key(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* Does b index the same things as a: most of its keys (ids, names) are a's keys too? */
static int indexes_again(const report *r, const leak_candidate *a, const leak_candidate *b)
{
    const heap *h = r->heap;
    uint32_t n = h->out_count[a->object];
    uint64_t *keys = malloc(((size_t)n + 1) * sizeof *keys);
    size_t count = 0;
    if (!keys)
        return 0;
    for (uint64_t e = h->out_start[a->object]; e < (uint64_t)h->out_start[a->object] + n; e++)
        if (key_of(h, e))
            keys[count++] = key_of(h, e);
    sort_items(keys, count, sizeof *keys, by_key);
    uint32_t seen = 0, shared = 0;
    for (uint64_t e = h->out_start[b->object];
         count && e < (uint64_t)h->out_start[b->object] + h->out_count[b->object] &&
         seen < SAMPLED_ENTRIES;
         e++) {
        uint64_t key = key_of(h, e);
        if (!key)
            continue;
        seen++;
        shared += bsearch(&key, keys, count, sizeof *keys, by_key) != NULL;
    }
    free(keys);
    return seen && shared * 2 >= seen;
}

/* Marks a's entries in entry_of_a (or clears them). */
static void mark_entries(const heap *h, uint8_t *entry_of_a, uint32_t a, uint8_t value)
{
    for (uint32_t e = h->out_start[a]; e < h->out_start[a] + h->out_count[a]; e++)
        entry_of_a[h->out_target[e] & HEAP_INDEX_MASK] = value;
}

static int fold_into(leak_candidate *a, leak_candidate *b)
{
    folded_finding *more = realloc(a->folded, (a->folded_count + 1) * sizeof *more);
    if (!more)
        return -1;
    a->folded = more;
    more[a->folded_count++] = (folded_finding){b->object, b->retained_size, b->path};
    b->path = (path){0}; /* moved */
    return 0;
}

static void release_candidate(leak_candidate *c)
{
    path_release(&c->path);
    free(c->path_text), free(c->reason), free(c->cause_text), free(c->growth_text);
    free(c->class_name), free(c->member_name), free(c->key_pattern);
    for (size_t k = 0; k < c->folded_count; k++)
        path_release(&c->folded[k].path);
    free(c->folded);
    memset(c, 0, sizeof *c);
}

/* Folds each finding that holds again what a higher one holds; keeps the order. */
static int fold_secondary(report *r)
{
    const heap *h = r->heap;
    uint8_t *entry_of_a = calloc(h->count ? h->count : 1, 1);
    if (!entry_of_a)
        return -1;
    int failed = 0;
    for (size_t i = 0; i < r->leak_count && !failed; i++) {
        leak_candidate *a = &r->leaks[i];
        if (a->object == HEAP_NONE || a->kind != LEAK_LARGE_COLLECTION)
            continue;
        mark_entries(h, entry_of_a, a->object, 1);
        for (size_t j = i + 1; j < r->leak_count && !failed; j++) {
            leak_candidate *b = &r->leaks[j];
            if (b->object == HEAP_NONE || b->kind != LEAK_LARGE_COLLECTION ||
                (!holds_again(r, entry_of_a, a, b) && !indexes_again(r, a, b)))
                continue;
            failed = fold_into(a, b) < 0;
            if (!failed) {
                release_candidate(b);
                memmove(b, b + 1, (r->leak_count - j - 1) * sizeof *b);
                r->leak_count--, j--;
            }
        }
        mark_entries(h, entry_of_a, a->object, 0);
    }
    free(entry_of_a);
    return failed ? -1 : 0;
}

/* ---- the findings ------------------------------------------------------------------ */

/*
 * Each finding's path as text.  Two findings never read the same: where
 * the labels cannot tell them apart (keys that are no plain values), the
 * object's type and address do.
 */
static int name_paths(report *r)
{
    for (size_t i = 0; i < r->leak_count; i++) {
        leak_candidate *c = &r->leaks[i];
        if (c->path.count && !(c->path_text = path_text(r->heap, &c->path)))
            return -1;
    }
    for (size_t i = 0; i < r->leak_count; i++) {
        leak_candidate *c = &r->leaks[i];
        for (size_t k = 0; c->path_text && k < i; k++) {
            if (!r->leaks[k].path_text || strcmp(r->leaks[k].path_text, c->path_text) != 0)
                continue;
            char type[512], *text = report_format("%s (the %s at 0x%llx)", c->path_text,
                                                  report_type_name(r, c->object, type, sizeof type),
                                                  (unsigned long long)r->heap->address[c->object]);
            if (!text)
                return -1;
            free(c->path_text);
            c->path_text = text;
            break;
        }
    }
    return 0;
}

/* Each finding of a dump cut short says so, wherever it is shown. */
static int mark_incomplete(leak_candidate *c)
{
    char *reason = report_format("%s From an incomplete dump: it may hold more, or be held by "
                                 "what was lost.", c->reason ? c->reason : "");
    if (!reason)
        return -1;
    free(c->reason);
    c->reason = reason;
    return 0;
}

static int by_score(const void *a, const void *b)
{
    const leak_candidate *x = a, *y = b;
    if (x->score != y->score)
        return x->score < y->score ? 1 : -1;
    return x->retained_size < y->retained_size ? 1 : x->retained_size > y->retained_size ? -1 : 0;
}

int weigh_evidence(report *r, const retention *paths, const report_options *o)
{
    if (o->trace) {
        for (size_t i = 0; i < r->leak_count; i++)
            r->leaks[i].origin = i;
        if (!(r->link = calloc(1, sizeof *r->link)) || trace_link_origins(r->link, r, o->trace) < 0)
            return -1;
    }
    r->has_baseline = o->baseline != NULL;
    for (size_t i = 0; i < r->leak_count; i++)
        weigh_growth(r, paths, o, &r->leaks[i]);
    if (r->leak_count)
        sort_items(r->leaks, r->leak_count, sizeof *r->leaks, by_score);
    if (fold_secondary(r) < 0)
        return -1;
    while (r->leak_count > o->top)
        release_candidate(&r->leaks[--r->leak_count]);
    if (name_paths(r) < 0)
        return -1;
    for (size_t i = 0; i < r->leak_count; i++) {
        leak_candidate *c = &r->leaks[i];
        c->owner = finding_owner(r, c, c->owner_name, sizeof c->owner_name);
        if (c->growth != GROWTH_UNKNOWN && !(c->growth_text = growth_text(r, c)))
            return -1;
        if (r->incomplete && mark_incomplete(c) < 0)
            return -1;
        r->size_only |= c->growth == GROWTH_UNKNOWN;
    }
    return 0;
}

void report_release_candidate(leak_candidate *c)
{
    release_candidate(c);
}

/* ---- the suggestions' order ---------------------------------------------------------- */

/* Does the change need code the program does not own? */
static int in_library(const suggestion *s)
{
    return s->owner == OWNER_STDLIB || s->owner == OWNER_PACKAGE;
}

/* What to do first: own code before libraries'; a finding's fix, in the findings' order; then savings. */
static int by_first_to_do(const void *x, const void *y)
{
    const suggestion *a = x, *b = y;
    if (in_library(a) != in_library(b))
        return in_library(a) ? 1 : -1;
    int fix_a = a->fixes != SIZE_MAX, fix_b = b->fixes != SIZE_MAX;
    if (fix_a != fix_b)
        return fix_a ? -1 : 1;
    if (fix_a)
        return a->fixes < b->fixes ? -1 : a->fixes > b->fixes;
    double p = (double)a->estimated_savings * a->confidence,
           q = (double)b->estimated_savings * b->confidence;
    return p < q ? 1 : p > q ? -1 : 0;
}

static void release_suggestion(suggestion *s)
{
    free(s->target), free(s->message), free(s->example_value), free(s->example), free(s->note);
    memset(s, 0, sizeof *s);
}

int order_suggestions(report *r, const report_options *o)
{
    size_t kept = 0;
    for (size_t i = 0; i < r->suggestion_count; i++) {
        if (o->own_code && in_library(&r->suggestions[i]))
            release_suggestion(&r->suggestions[i]);
        else
            r->suggestions[kept++] = r->suggestions[i];
    }
    r->suggestion_count = kept;
    /* qsort is not stable: equal keys keep no order, which the keys rule out */
    sort_items(r->suggestions, kept, sizeof *r->suggestions, by_first_to_do);
    while (r->suggestion_count > o->top)
        release_suggestion(&r->suggestions[--r->suggestion_count]);
    /* The findings point at their fixes by index, now that the order is known. */
    for (size_t i = 0; i < r->leak_count; i++)
        r->leaks[i].fix = SIZE_MAX;
    for (size_t i = 0; i < r->suggestion_count; i++)
        if (r->suggestions[i].fixes != SIZE_MAX)
            r->leaks[r->suggestions[i].fixes].fix = i;
    return 0;
}

void report_release_suggestion(suggestion *s)
{
    release_suggestion(s);
}
