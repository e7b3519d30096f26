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

/* A row of one summary, borrowed while the two are joined by name. */
typedef struct side_row {
    const named_total *total;
    int side;
} side_row;

static int by_name(const void *a, const void *b)
{
    const side_row *x = a, *y = b;
    int order = strcmp(x->total->name, y->total->name);
    return order ? order : x->side - y->side;
}

static int by_growth(const void *a, const void *b)
{
    int64_t x = delta_growth(a), y = delta_growth(b);
    if (x != y)
        return x < y ? 1 : -1;
    return strcmp(((const delta_row *)a)->name, ((const delta_row *)b)->name);
}

/* Joins one table of both summaries by name into `out`; equal names on one side add up. */
static int join(const named_totals *base, const named_totals *now, delta_table *out)
{
    const named_totals *side[2] = {base, now};
    size_t n = base->count + now->count, k = 0;
    side_row *rows = malloc((n ? n : 1) * sizeof *rows);
    out->rows = calloc(n ? n : 1, sizeof *out->rows);
    if (!rows || !out->rows) {
        free(rows);
        return -1;
    }
    for (int s = 0; s < 2; s++)
        for (size_t i = 0; i < side[s]->count; i++)
            rows[k++] = (side_row){&side[s]->rows[i], s};
    sort_items(rows, n, sizeof *rows, by_name);
    int failed = 0;
    for (size_t i = 0; i < n && !failed; i++) {
        const named_total *t = rows[i].total;
        int s = rows[i].side;
        delta_row *row = out->count ? &out->rows[out->count - 1] : NULL;
        if (!row || strcmp(row->name, t->name) != 0) {
            row = &out->rows[out->count++];
            failed = !(row->name = strdup(t->name));
        }
        row->present[s] = 1;
        row->count[s] += t->count;
        row->shallow[s] += t->shallow;
        row->retained[s] += t->retained;
    }
    free(rows);
    if (!failed)
        sort_items(out->rows, out->count, sizeof *out->rows, by_growth);
    return failed ? -1 : 0;
}

/* ---- a dump's summary --------------------------------------------------------------- */

static int add_total(named_totals *t, const char *name, uint64_t count, uint64_t shallow,
                     uint64_t retained)
{
    if (grow(&t->rows, sizeof *t->rows, &t->cap, t->count + 1) < 0)
        return -1;
    char *copy = strdup(name);
    if (!copy)
        return -1;
    t->rows[t->count++] = (named_total){copy, count, shallow, retained};
    return 0;
}

static int summarise_groups(const report *r, const histogram *hist, named_totals *out)
{
    for (size_t i = 0; i < hist->count; i++) {
        const group_row *row = &hist->rows[i];
        char name[1024];
        if (add_total(out, group_name(r->heap, hist->by, row->key, name, sizeof name), row->count,
                      row->shallow_size, row->retained_size) < 0)
            return -1;
    }
    return 0;
}

/* Every structure of the dump, by name (structures.c). */
static int summarise_structures(const structure_index *ix, named_totals *out)
{
    for (size_t i = 0; i < ix->count; i++) {
        const structure *s = &ix->items[i];
        if (add_total(out, s->name, s->entries, s->shallow, s->retained) < 0)
            return -1;
    }
    return 0;
}

/* Leaks match by kind and retention path, suggestions by kind and target. */
static int summarise_findings(const report *r, compare_summary *s)
{
    s->leaks = calloc(r->leak_count + 1, sizeof *s->leaks);
    s->suggestions = calloc(r->suggestion_count + 1, sizeof *s->suggestions);
    if (!s->leaks || !s->suggestions)
        return -1;
    for (; s->leak_count < r->leak_count; s->leak_count++) {
        const leak_candidate *l = &r->leaks[s->leak_count];
        finding_key *k = &s->leaks[s->leak_count];
        k->kind = (int)l->kind;
        if (l->path.count && !(k->place = path_text(r->heap, &l->path)))
            return -1;
    }
    for (; s->suggestion_count < r->suggestion_count; s->suggestion_count++) {
        const suggestion *g = &r->suggestions[s->suggestion_count];
        finding_key *k = &s->suggestions[s->suggestion_count];
        k->kind = (int)g->kind;
        if (!(k->place = strdup(g->target)))
            return -1;
    }
    return 0;
}

int compare_summary_build(const report *r, const structure_index *structures,
                          compare_summary *s)
{
    memset(s, 0, sizeof *s);
    s->objects = r->heap->count;
    s->total_size = r->heap->total_size;
    s->reachable_size = r->dom->reachable_size;
    s->memory = r->memory;
    s->has_sites = r->heap->stack != NULL;
    if (summarise_groups(r, &r->types, &s->types) < 0 ||
        summarise_groups(r, &r->modules, &s->modules) < 0 ||
        (s->has_sites && summarise_groups(r, &r->sites, &s->sites) < 0) ||
        summarise_structures(structures, &s->structures) < 0 || summarise_findings(r, s) < 0)
        return -1;
    return 0;
}

static void release_totals(named_totals *t)
{
    for (size_t i = 0; i < t->count; i++)
        free(t->rows[i].name);
    free(t->rows);
}

static void release_keys(finding_key *keys, size_t count)
{
    for (size_t i = 0; i < count; i++)
        free(keys[i].place);
    free(keys);
}

void compare_summary_release(compare_summary *s)
{
    release_totals(&s->types);
    release_totals(&s->modules);
    release_totals(&s->sites);
    release_totals(&s->structures);
    release_keys(s->leaks, s->leak_count);
    release_keys(s->suggestions, s->suggestion_count);
    memset(s, 0, sizeof *s);
}

/* ---- findings new in NEW ---------------------------------------------------------- */

static int same_leak(const finding_key *x, const finding_key *y)
{
    if (x->kind != y->kind)
        return 0;
    if (!x->place || !y->place)
        return x->place == y->place;
    return strcmp(x->place, y->place) == 0;
}

static int same_suggestion(const finding_key *x, const finding_key *y)
{
    return x->kind == y->kind && strcmp(x->place, y->place) == 0;
}

/* Indexes of the findings of `now` that no finding of `base` matches. */
static size_t find_unmatched(const finding_key *now, size_t now_count, const finding_key *base,
                             size_t base_count, int (*same)(const finding_key *, const finding_key *),
                             size_t *out)
{
    size_t n = 0;
    for (size_t i = 0; i < now_count; i++) {
        int seen = 0;
        for (size_t k = 0; k < base_count && !seen; k++)
            seen = same(&now[i], &base[k]);
        if (!seen)
            out[n++] = i;
    }
    return n;
}

/* Keeps the structures that are big enough on either side to show. */
static void drop_small_structures(comparison *c)
{
    uint64_t total = c->side[NEW]->total_size;
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
    const compare_summary *base = c->side[BASE], *now = c->side[NEW];
    c->new_leaks = malloc((now->leak_count + 1) * sizeof *c->new_leaks);
    c->leaks = malloc((now->leak_count + 1) * sizeof *c->leaks);
    c->new_suggestions = malloc((now->suggestion_count + 1) * sizeof *c->new_suggestions);
    if (!c->new_leaks || !c->leaks || !c->new_suggestions)
        return -1;
    for (size_t i = 0; i < c->now->leak_count; i++)
        if (c->now->leaks[i].leak)
            c->leaks[c->leak_count++] = i;
    c->new_leak_count = find_unmatched(now->leaks, now->leak_count, base->leaks,
                                       base->leak_count, same_leak, c->new_leaks);
    c->new_suggestion_count = find_unmatched(now->suggestions, now->suggestion_count,
                                             base->suggestions, base->suggestion_count,
                                             same_suggestion, c->new_suggestions);
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
        g->before = c->side[BASE]->total_size;
        g->after = c->side[NEW]->total_size;
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

int compare_build(const compare_summary *base, const report *now, const retention *now_paths,
                  const gate_limit *limits, size_t limit_count, uint64_t noise, comparison *c)
{
    memset(c, 0, sizeof *c);
    c->side[BASE] = base;
    c->side[NEW] = &c->now_summary;
    c->now = now;
    c->noise = noise;
    structure_index structures;
    int failed = structure_index_build(&structures, now->heap, now->dom, now_paths) < 0 ||
                 compare_summary_build(now, &structures, &c->now_summary) < 0;
    structure_index_release(&structures);
    if (failed ||
        join(&base->types, &c->now_summary.types, &c->types) < 0 ||
        join(&base->modules, &c->now_summary.modules, &c->modules) < 0 ||
        (base->has_sites && c->now_summary.has_sites &&
         join(&base->sites, &c->now_summary.sites, &c->sites) < 0) ||
        join(&base->structures, &c->now_summary.structures, &c->structures) < 0 ||
        find_new_findings(c) < 0)
        return -1;
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
    compare_summary_release(&c->now_summary);
    memset(c, 0, sizeof *c);
}
