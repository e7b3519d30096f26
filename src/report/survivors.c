/* survivors.c: the objects allocated after the baseline that are still alive (survivors.h). */
#include <stdlib.h>
#include <string.h>

#include "report/replaced.h"
#include "report/structures.h"
#include "report/survivors.h"

/* A survivor's cluster and type, for the tallies. */
typedef struct tally {
    uint32_t cluster, type;
    uint64_t size;
} tally;

static int by_cluster_type(const void *a, const void *b)
{
    const tally *x = a, *y = b;
    if (x->cluster != y->cluster)
        return x->cluster < y->cluster ? -1 : 1;
    return x->type < y->type ? -1 : x->type > y->type;
}

/* Which objects of FINAL are survivors: new in TARGET and the same object in FINAL. */
static uint8_t *find_alive(const heap *f, const heap *target, survivors *s)
{
    uint8_t *alive = calloc(f->count ? f->count : 1, 1);
    for (uint32_t v = 0; alive && v < f->count; v++) {
        uint32_t in_target = target ? s->until_final.earlier[v] : v;
        alive[v] = in_target != HEAP_NONE && s->since_baseline.earlier[in_target] == HEAP_NONE;
        s->count += alive[v];
        s->bytes += alive[v] ? f->size[v] : 0;
    }
    return alive;
}

/*
 * top[v]: the first survivor on v's retention path, the one its holder
 * holds.  Each climb stops at a survivor already known, so every object is
 * climbed through once: linear, whatever the chains.
 */
static uint32_t *find_tops(const heap *f, const retention *paths, const uint8_t *alive)
{
    uint32_t *top = malloc((f->count ? f->count : 1) * sizeof *top);
    uint32_t *chain = malloc((f->count ? f->count : 1) * sizeof *chain);
    if (!top || !chain) {
        free(top), free(chain);
        return NULL;
    }
    for (uint32_t v = 0; v < f->count; v++)
        top[v] = HEAP_NONE;
    for (uint32_t v = 0; v < f->count; v++) {
        if (!alive[v] || top[v] != HEAP_NONE)
            continue;
        size_t n = 0;
        uint32_t cur = v, found = HEAP_NONE;
        for (;;) {
            chain[n++] = cur;
            uint32_t p = paths->parent[cur];
            if (p == HEAP_NONE || (p & PATH_ROOT_BIT) || !alive[p]) {
                found = cur;
                break;
            }
            if (top[p] != HEAP_NONE) {
                found = top[p];
                break;
            }
            cur = p;
        }
        while (n)
            top[chain[--n]] = found;
    }
    free(chain);
    return top;
}

/* Slots of the table of names: a power of two, over twice the names there can be. */
#define NAME_SLOTS 65536
_Static_assert(NAME_SLOTS > 2 * (SURVIVOR_HOLDERS + 1), "the name table stays under half full");

/* Where each survivor's holder is clustered: memos by holder and by root, and a table by name. */
typedef struct clusters {
    survivors *s;
    size_t cap;
    uint32_t *by_holder;   /* FINAL object -> cluster, UINT32_MAX unknown */
    uint32_t *by_root;     /* root index -> cluster */
    uint32_t unreachable;  /* the cluster of what no root reaches */
    uint32_t *table;       /* open addressing on the name's hash: cluster + 1, 0 empty */
    size_t mask;
} clusters;

static uint64_t name_hash(const char *s)
{
    uint64_t h = 1469598103934665603u;  /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    return h;
}

/* The cluster named `name` (which it takes), added if new; UINT32_MAX when out of memory. */
static uint32_t named(clusters *c, char *name, uint32_t holder)
{
    survivors *s = c->s;
    if (!name)
        return UINT32_MAX;
    size_t at = (size_t)name_hash(name) & c->mask;
    for (; c->table[at]; at = (at + 1) & c->mask)
        if (strcmp(s->clusters[c->table[at] - 1].where, name) == 0) {
            free(name);
            return c->table[at] - 1;
        }
    if (s->cluster_count == c->cap) {
        size_t grown = c->cap * 2;
        survivor_cluster *bigger = realloc(s->clusters, grown * sizeof *bigger);
        if (!bigger) {
            free(name);
            return UINT32_MAX;
        }
        s->clusters = bigger, c->cap = grown;
    }
    survivor_cluster *k = &s->clusters[s->cluster_count];
    memset(k, 0, sizeof *k);
    k->where = name;
    k->holder = holder;
    c->table[at] = (uint32_t)++s->cluster_count;
    return (uint32_t)(s->cluster_count - 1);
}

/* The cluster of survivor t's holder: its structure name, its root's text, or none. */
static uint32_t cluster_of(clusters *c, const heap *f, const retention *paths, uint32_t t)
{
    uint32_t p = paths->parent[t], *memo;
    if (p == HEAP_NONE)
        memo = &c->unreachable;
    else if (p & PATH_ROOT_BIT)
        memo = &c->by_root[p & ~PATH_ROOT_BIT];
    else
        memo = &c->by_holder[p];
    if (*memo != UINT32_MAX)
        return *memo;
    char *name;
    if (c->s->cluster_count >= SURVIVOR_HOLDERS)
        name = strdup("(other holders)");
    else if (p == HEAP_NONE)
        name = strdup("(no root reaches them: garbage the collector has not freed)");
    else if (p & PATH_ROOT_BIT)
        name = root_text(f, p & ~PATH_ROOT_BIT);
    else if (!(name = structure_name(f, paths, p)))
        name = report_format("%s@0x%llx", heap_string(f, f->types[f->type[p]].name, NULL),
                             (unsigned long long)f->address[p]);
    return *memo = named(c, name, p & PATH_ROOT_BIT ? HEAP_NONE : p);
}

static int clusters_init(clusters *c, survivors *s, const heap *f)
{
    memset(c, 0, sizeof *c);
    c->s = s;
    c->cap = 16;
    c->mask = NAME_SLOTS - 1;
    c->unreachable = UINT32_MAX;
    c->by_holder = malloc((f->count ? f->count : 1) * sizeof *c->by_holder);
    c->by_root = malloc((f->root_count ? f->root_count : 1) * sizeof *c->by_root);
    c->table = calloc(c->mask + 1, sizeof *c->table);
    s->clusters = malloc(c->cap * sizeof *s->clusters);
    if (!c->by_holder || !c->by_root || !c->table || !s->clusters)
        return -1;
    memset(c->by_holder, 0xff, (f->count ? f->count : 1) * sizeof *c->by_holder);
    memset(c->by_root, 0xff, (f->root_count ? f->root_count : 1) * sizeof *c->by_root);
    return 0;
}

static void clusters_free(clusters *c)
{
    free(c->by_holder), free(c->by_root), free(c->table);
}

/* Leaks first, then what caches, imports and the rest keep; each by bytes. */
static int by_kind_bytes(const void *a, const void *b)
{
    const survivor_cluster *x = a, *y = b;
    if (x->kind != y->kind)
        return x->kind < y->kind ? -1 : 1;
    return x->bytes != y->bytes ? (x->bytes < y->bytes ? 1 : -1) : strcmp(x->where, y->where);
}

/* The types of each cluster, most bytes first. */
static void tally_types(survivors *s, tally *t, size_t n)
{
    if (n)
        qsort(t, n, sizeof *t, by_cluster_type);
    for (size_t i = 0; i < n;) {
        size_t j = i;
        type_count one = {t[i].type, 0, 0};
        while (j < n && t[j].cluster == t[i].cluster && t[j].type == t[i].type)
            one.count++, one.retained_size += t[j++].size;
        survivor_cluster *c = &s->clusters[t[i].cluster];
        size_t at = c->type_count < SURVIVOR_TYPES ? c->type_count++ : SURVIVOR_TYPES;
        while (at > 0 && c->types[at - 1].retained_size < one.retained_size) {
            if (at < SURVIVOR_TYPES)
                c->types[at] = c->types[at - 1];
            at--;
        }
        if (at < SURVIVOR_TYPES)
            c->types[at] = one;
        i = j;
    }
}

/* Why the survivors under top t are kept; a cluster is a leak as soon as one of its tops is. */
static void classify(survivor_cluster *c, kept *why, uint32_t t, int first)
{
    char *by = NULL;
    kept_kind kind = kept_why(why, t, first ? &by : NULL);
    if (first)
        c->kind = kind, c->kept_by = by;
    else if (kind == KEPT_LEAK && c->kind != KEPT_LEAK)
        c->kind = KEPT_LEAK;
}

/* What counts as leaked, and what each kind of holder keeps. */
static void count_kinds(survivors *s)
{
    for (size_t k = 0; k < s->cluster_count; k++) {
        const survivor_cluster *c = &s->clusters[k];
        s->kind_objects[c->kind] += c->objects, s->kind_bytes[c->kind] += c->bytes;
        if (kept_counts(c->kind, s->warmed_up))
            s->leaked += c->objects, s->leaked_bytes += c->bytes;
    }
}

/* Clusters the survivors by holder, with their bytes, what they retain, their types and a path. */
static int cluster(survivors *s, report *final, const retention *paths, const kept_inputs *inputs,
                   const uint32_t *top)
{
    const uint8_t *alive = inputs->is_new;
    const heap *f = final->heap;
    size_t n = 0;
    clusters c;
    kept why = {0};
    uint32_t *of_top = malloc((f->count ? f->count : 1) * sizeof *of_top);
    tally *tallies = malloc((s->count ? s->count : 1) * sizeof *tallies);
    int failed = clusters_init(&c, s, f) < 0 || kept_init(&why, final, paths, inputs) < 0 ||
                 !of_top || !tallies;
    for (uint32_t v = 0; !failed && v < f->count; v++) {
        if (!alive[v] || top[v] != v)
            continue;
        size_t before = s->cluster_count;
        uint32_t k = cluster_of(&c, f, paths, v);
        failed = k == UINT32_MAX;
        of_top[v] = (uint32_t)k;
        if (!failed) {
            classify(&s->clusters[k], &why, v, s->cluster_count > before);
            survivor_cluster *in = &s->clusters[k];
            in->retained += final->dom->retained_size[v];
            if (s->cluster_count > before || final->dom->retained_size[v] >
                                                 final->dom->retained_size[in->example_top])
                in->example_top = v;  /* the path leads to the one that retains most */
        }
    }
    for (size_t k = 0; !failed && k < s->cluster_count; k++) {
        survivor_cluster *in = &s->clusters[k];
        path p = {0};
        if (path_find(f, paths, in->example_top, HEAP_NONE, &p) > 0)
            failed = !(in->example = path_text(f, &p));
        in->example_type = f->type[in->example_top];
        path_release(&p);
    }
    for (uint32_t v = 0; !failed && v < f->count; v++) {
        if (!alive[v])
            continue;
        survivor_cluster *in = &s->clusters[of_top[top[v]]];
        in->objects++, in->bytes += f->size[v];
        tallies[n++] = (tally){of_top[top[v]], f->type[v], f->size[v]};
    }
    if (!failed) {
        tally_types(s, tallies, n);
        count_kinds(s);
        for (size_t k = 0; k < s->cluster_count; k++)
            for (size_t i = 0; i < final->leak_count && s->clusters[k].holder != HEAP_NONE; i++)
                if (final->leaks[i].object == s->clusters[k].holder)
                    s->clusters[k].finding = &final->leaks[i];
        if (s->cluster_count)
            qsort(s->clusters, s->cluster_count, sizeof *s->clusters, by_kind_bytes);
    }
    clusters_free(&c);
    kept_release(&why);
    free(of_top), free(tallies);
    return failed ? -1 : 0;
}

/* Each FINAL object's object in the baseline, through TARGET with three dumps; HEAP_NONE: new. */
static uint32_t *in_baseline(const heap *f, const heap *target, const survivors *s)
{
    uint32_t *earlier = malloc((f->count ? f->count : 1) * sizeof *earlier);
    for (uint32_t v = 0; earlier && v < f->count; v++) {
        uint32_t in_target = target ? s->until_final.earlier[v] : v;
        earlier[v] = in_target == HEAP_NONE ? HEAP_NONE : s->since_baseline.earlier[in_target];
    }
    return earlier;
}

int survivors_find(const heap *baseline, const heap *target, report *final,
                   const retention *paths, const survivors_options *o, survivors *s)
{
    memset(s, 0, sizeof *s);
    s->warmed_up = o->warmed_up;
    const heap *f = final->heap;
    if (identity_compute(baseline, target ? target : f, &s->since_baseline) < 0 ||
        (target && identity_compute(target, f, &s->until_final) < 0))
        return -1;
    s->target_new = s->since_baseline.new_count;
    s->target_new_bytes = s->since_baseline.new_bytes;
    uint8_t *alive = find_alive(f, target, s);
    uint32_t *top = alive ? find_tops(f, paths, alive) : NULL;
    uint32_t *earlier = top ? in_baseline(f, target, s) : NULL;
    uint8_t *replaced = earlier ? calloc(f->count ? f->count : 1, 1) : NULL;
    kept_inputs in = {alive, replaced, o->harness, o->harness_count};
    int failed = !replaced || replaced_find(baseline, f, earlier, paths, replaced) < 0 ||
                 cluster(s, final, paths, &in, top) < 0;
    free(alive), free(top), free(earlier), free(replaced);
    return failed ? -1 : 0;
}

void survivors_release(survivors *s)
{
    identity_release(&s->since_baseline);
    identity_release(&s->until_final);
    for (size_t k = 0; k < s->cluster_count; k++)
        free(s->clusters[k].where), free(s->clusters[k].example), free(s->clusters[k].kept_by);
    free(s->clusters);
    memset(s, 0, sizeof *s);
}
