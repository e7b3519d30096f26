/* compare.c: matching two dumps by meaning, and checking growth limits. */
#include <stdlib.h>
#include <string.h>

#include "report/compare.h"
#include "grow.h"
#include "report/structures.h"
#include "model/sort.h"

#define STRUCTURE_MIN_BYTES (16u << 10)  /* smaller structures are not shown */

int64_t delta_growth(const delta_row *row)
{
    return (int64_t)row->retained[NEW] - (int64_t)row->retained[BASE];
}

/* Rows of one side, before they are joined by name. */
typedef struct side_row {
    char *name;
    int side;
    uint64_t count, shallow, retained;
} side_row;

typedef struct collector {
    side_row *rows;
    size_t count, cap;
} collector;

static int collect(collector *c, const char *name, int side, uint64_t count, uint64_t shallow,
                   uint64_t retained)
{
    if (grow(&c->rows, sizeof *c->rows, &c->cap, c->count + 1) < 0)
        return -1;
    char *copy = strdup(name);
    if (!copy)
        return -1;
    c->rows[c->count++] = (side_row){copy, side, count, shallow, retained};
    return 0;
}

static int by_name(const void *a, const void *b)
{
    const side_row *x = a, *y = b;
    int order = strcmp(x->name, y->name);
    return order ? order : x->side - y->side;
}

static int by_growth(const void *a, const void *b)
{
    int64_t x = delta_growth(a), y = delta_growth(b);
    if (x != y)
        return x < y ? 1 : -1;
    return strcmp(((const delta_row *)a)->name, ((const delta_row *)b)->name);
}

/* Joins the collected rows by name into `out`; equal names on one side add up. */
static int join(collector *c, delta_table *out)
{
    sort_items(c->rows, c->count, sizeof *c->rows, by_name);
    out->rows = calloc(c->count ? c->count : 1, sizeof *out->rows);
    if (!out->rows)
        return -1;
    for (size_t i = 0; i < c->count; i++) {
        side_row *s = &c->rows[i];
        delta_row *row = out->count ? &out->rows[out->count - 1] : NULL;
        if (!row || strcmp(row->name, s->name) != 0) {
            row = &out->rows[out->count++];
            row->name = s->name;
        } else {
            free(s->name);
        }
        s->name = NULL;
        row->present[s->side] = 1;
        row->count[s->side] += s->count;
        row->shallow[s->side] += s->shallow;
        row->retained[s->side] += s->retained;
    }
    free(c->rows);
    c->rows = NULL;
    c->count = c->cap = 0;
    sort_items(out->rows, out->count, sizeof *out->rows, by_growth);
    return 0;
}

static void release_collector(collector *c)
{
    for (size_t i = 0; i < c->count; i++)
        free(c->rows[i].name);
    free(c->rows);
}

static int compare_groups(const report *side[2], int which, delta_table *out)
{
    collector c = {0};
    for (int s = 0; s < 2; s++) {
        const histogram *hist = which == GROUP_BY_TYPE ? &side[s]->types
                                : which == GROUP_BY_MODULE ? &side[s]->modules : &side[s]->sites;
        for (size_t i = 0; i < hist->count; i++) {
            const group_row *row = &hist->rows[i];
            char name[1024];
            if (collect(&c, group_name(side[s]->heap, hist->by, row->key, name, sizeof name), s,
                        row->count, row->shallow_size, row->retained_size) < 0) {
                release_collector(&c);
                return -1;
            }
        }
    }
    return join(&c, out);
}

/* Every structure of one side, by name (structures.c). */
static int collect_structures(const report *r, const retention *paths, int side, collector *c)
{
    structure_index ix;
    int failed = structure_index_build(&ix, r->heap, r->dom, paths) < 0;
    for (size_t i = 0; i < ix.count && !failed; i++) {
        const structure *s = &ix.items[i];
        failed = collect(c, s->name, side, s->entries, s->shallow, s->retained) < 0;
    }
    structure_index_release(&ix);
    return failed ? -1 : 0;
}

/* ---- findings new in NEW ---------------------------------------------------------- */

static int same_leak(const report *a, const leak_candidate *x, const report *b,
                     const leak_candidate *y)
{
    if (x->kind != y->kind)
        return 0;
    if (!x->path.count || !y->path.count)
        return x->path.count == y->path.count;
    char *p = path_text(a->heap, &x->path), *q = path_text(b->heap, &y->path);
    int same = p && q && strcmp(p, q) == 0;
    free(p), free(q);
    return same;
}

/* Keeps the structures that are big enough on either side to show. */
static void drop_small_structures(comparison *c)
{
    uint64_t total = c->side[NEW]->heap->total_size;
    uint64_t floor = total / 1000 > STRUCTURE_MIN_BYTES ? total / 1000 : STRUCTURE_MIN_BYTES;
    delta_table *t = &c->structures;
    size_t kept = 0;
    for (size_t i = 0; i < t->count; i++) {
        if (t->rows[i].retained[BASE] >= floor || t->rows[i].retained[NEW] >= floor)
            t->rows[kept++] = t->rows[i];
        else
            free(t->rows[i].name);
    }
    t->count = kept;
}

static int find_new_findings(comparison *c)
{
    const report *base = c->side[BASE], *now = c->side[NEW];
    c->new_leaks = malloc((now->leak_count + 1) * sizeof *c->new_leaks);
    c->leaks = malloc((now->leak_count + 1) * sizeof *c->leaks);
    c->new_suggestions = malloc((now->suggestion_count + 1) * sizeof *c->new_suggestions);
    if (!c->new_leaks || !c->leaks || !c->new_suggestions)
        return -1;
    for (size_t i = 0; i < now->leak_count; i++)
        if (now->leaks[i].leak)
            c->leaks[c->leak_count++] = i;
    for (size_t i = 0; i < now->leak_count; i++) {
        int seen = 0;
        for (size_t k = 0; k < base->leak_count && !seen; k++)
            seen = same_leak(now, &now->leaks[i], base, &base->leaks[k]);
        if (!seen)
            c->new_leaks[c->new_leak_count++] = i;
    }
    for (size_t i = 0; i < now->suggestion_count; i++) {
        const suggestion *s = &now->suggestions[i];
        int seen = 0;
        for (size_t k = 0; k < base->suggestion_count && !seen; k++)
            seen = base->suggestions[k].kind == s->kind &&
                   strcmp(base->suggestions[k].target, s->target) == 0;
        if (!seen)
            c->new_suggestions[c->new_suggestion_count++] = i;
    }
    return 0;
}

/* ---- the gate ---------------------------------------------------------------------- */

static int name_matches(gate_scope scope, const char *want, const char *name)
{
    if (scope == GATE_SITE)
        return strstr(name, want) != NULL;
    if (strcmp(want, name) == 0)
        return 1;
    if (scope == GATE_TYPE) {  /* a bare class name matches its qualified name */
        size_t a = strlen(name), b = strlen(want);
        return a > b && name[a - b - 1] == '.' && strcmp(name + a - b, want) == 0;
    }
    return 0;
}

static const delta_table *table_of(const comparison *c, gate_scope scope)
{
    return scope == GATE_TYPE     ? &c->types
           : scope == GATE_MODULE ? &c->modules
           : scope == GATE_SITE   ? &c->sites
                                  : &c->structures;
}

/* The names of either dump most like a limit's that matched none: a typo is named. */
static void find_nearest(gate_result *g, const delta_table *table)
{
    static const nearest_rule rules[] = {[GATE_TYPE] = NEAREST_LAST_PART,
                                         [GATE_MODULE] = NEAREST_WHOLE,
                                         [GATE_SITE] = NEAREST_SUBSTRING,
                                         [GATE_PATH] = NEAREST_WHOLE};
    nearest n;
    nearest_init(&n, g->limit->name, rules[g->limit->scope]);
    for (size_t i = 0; i < table->count; i++)
        nearest_consider(&n, table->rows[i].name);
    memcpy(g->nearest, n.name, sizeof g->nearest);
    g->nearest_count = n.count;
}

static void check_limit(comparison *c, gate_result *g)
{
    const gate_limit *limit = g->limit;
    if (limit->scope == GATE_TOTAL) {
        g->before = c->side[BASE]->heap->total_size;
        g->after = c->side[NEW]->heap->total_size;
        g->matched = 1;
    } else {
        const delta_table *table = table_of(c, limit->scope);
        for (size_t i = 0; i < table->count; i++) {
            if (!name_matches(limit->scope, limit->name, table->rows[i].name))
                continue;
            g->matched = 1;
            g->before += table->rows[i].retained[BASE];
            g->after += table->rows[i].retained[NEW];
        }
    }
    g->crossed = gate_crossed(limit, g->before, g->after, c->noise);
    g->under_noise = gate_under_noise(limit, g->before, g->after, c->noise);
    c->crossed += g->crossed;
}

int compare_build(const report *base, const retention *base_paths, const report *now,
                  const retention *now_paths, const gate_limit *limits, size_t limit_count,
                  uint64_t noise, comparison *c)
{
    memset(c, 0, sizeof *c);
    c->side[BASE] = base;
    c->side[NEW] = now;
    c->noise = noise;
    collector structures = {0};
    if (compare_groups(c->side, GROUP_BY_TYPE, &c->types) < 0 ||
        compare_groups(c->side, GROUP_BY_MODULE, &c->modules) < 0 ||
        (base->heap->stack && now->heap->stack &&
         compare_groups(c->side, GROUP_BY_SITE, &c->sites) < 0) ||
        collect_structures(base, base_paths, BASE, &structures) < 0 ||
        collect_structures(now, now_paths, NEW, &structures) < 0 ||
        join(&structures, &c->structures) < 0 || find_new_findings(c) < 0) {
        release_collector(&structures);
        return -1;
    }
    /* Limits first: a path limit may name a structure too small for the table. */
    if (!(c->gates = calloc(limit_count + 1, sizeof *c->gates)))
        return -1;
    for (size_t i = 0; i < limit_count; i++) {
        c->gates[c->gate_count].limit = &limits[i];
        check_limit(c, &c->gates[c->gate_count++]);
    }
    drop_small_structures(c);
    for (size_t i = 0; i < c->gate_count; i++)
        if (!c->gates[i].matched)
            find_nearest(&c->gates[i], table_of(c, c->gates[i].limit->scope));
    return 0;
}

static void release_table(delta_table *t)
{
    for (size_t i = 0; i < t->count; i++)
        free(t->rows[i].name);
    free(t->rows);
    memset(t, 0, sizeof *t);
}

void compare_release(comparison *c)
{
    release_table(&c->types);
    release_table(&c->modules);
    release_table(&c->sites);
    release_table(&c->structures);
    free(c->new_leaks);
    free(c->leaks);
    free(c->new_suggestions);
    free(c->gates);
    memset(c, 0, sizeof *c);
}
