/* trend.c: the growth of structures, types and modules across a series of dumps (trend.h). */
#include <stdlib.h>
#include <string.h>

#include "model/histogram.h"
#include "report/structures.h"
#include "report/trend.h"

typedef struct trend_entry {
    char *name;
    size_t dump;
    uint64_t value;
} trend_entry;

int trend_init(trend *t, size_t dumps)
{
    memset(t, 0, sizeof *t);
    t->dumps = dumps;
    t->total = calloc(dumps ? dumps : 1, sizeof *t->total);
    t->objects = calloc(dumps ? dumps : 1, sizeof *t->objects);
    t->time_us = calloc(dumps ? dumps : 1, sizeof *t->time_us);
    t->memory = calloc(dumps ? dumps : 1, sizeof *t->memory);
    return t->total && t->objects && t->time_us && t->memory ? 0 : -1;
}

/* Takes `name` (a new string, NULL when out of memory). */
static int add_entry(trend_table *table, char *name, size_t dump, uint64_t value)
{
    if (!name)
        return -1;
    if (table->entry_count == table->entry_cap) {
        size_t cap = table->entry_cap ? table->entry_cap * 2 : 256;
        trend_entry *grown = realloc(table->entries, cap * sizeof *grown);
        if (!grown) {
            free(name);
            return -1;
        }
        table->entries = grown, table->entry_cap = cap;
    }
    table->entries[table->entry_count++] = (trend_entry){name, dump, value};
    return 0;
}

static int add_groups(trend_table *table, size_t k, const heap *h, const dominators *d,
                      group_by by)
{
    histogram hist;
    if (histogram_build(h, d, by, &hist) < 0)
        return -1;
    int failed = 0;
    for (size_t i = 0; i < hist.count && !failed; i++) {
        char name[1024];
        group_name(h, by, hist.rows[i].key, name, sizeof name);
        failed = add_entry(table, strdup(name), k, hist.rows[i].retained_size) < 0;
    }
    histogram_release(&hist);
    return failed ? -1 : 0;
}

static int by_retained(const void *a, const void *b)
{
    const structure *x = a, *y = b;
    return x->retained != y->retained ? (x->retained < y->retained ? 1 : -1) : 0;
}

static int add_structures(trend_table *table, size_t k, const heap *h, const dominators *d,
                          const retention *paths)
{
    structure_index ix;
    if (structure_index_build(&ix, h, d, paths) < 0) {
        structure_index_release(&ix);
        return -1;
    }
    if (ix.count)
        qsort(ix.items, ix.count, sizeof *ix.items, by_retained);
    int failed = 0;
    for (size_t i = 0; i < ix.count && i < TREND_STRUCTURES_PER_DUMP && !failed; i++)
        failed = add_entry(table, strdup(ix.items[i].name), k, ix.items[i].retained) < 0;
    structure_index_release(&ix);
    return failed ? -1 : 0;
}

int trend_add(trend *t, size_t k, const heap *h, const dominators *d, const retention *paths)
{
    t->total[k] = h->total_size;
    t->objects[k] = h->count;
    t->time_us[k] = h->header.time_us;
    return accounting_build(h, &t->memory[k]) < 0 || add_structures(&t->structures, k, h, d, paths) < 0 ||
                   add_groups(&t->types, k, h, d, GROUP_BY_TYPE) < 0 ||
                   add_groups(&t->modules, k, h, d, GROUP_BY_MODULE) < 0
               ? -1
               : 0;
}

static int by_name_dump(const void *a, const void *b)
{
    const trend_entry *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    return c ? c : (x->dump > y->dump) - (x->dump < y->dump);
}

static int by_growth(const void *a, const void *b)
{
    const trend_row *x = a, *y = b;
    if (x->growth != y->growth)
        return x->growth < y->growth ? 1 : -1;
    return strcmp(x->name, y->name);
}

/* One row per name (sorted runs of entries), then the `top` that grew most. */
static int finish_table(trend_table *table, size_t dumps, size_t top)
{
    if (table->entry_count)  /* qsort() takes no NULL, even for nothing */
        qsort(table->entries, table->entry_count, sizeof *table->entries, by_name_dump);
    table->rows = calloc(table->entry_count ? table->entry_count : 1, sizeof *table->rows);
    if (!table->rows)
        return -1;
    for (size_t i = 0; i < table->entry_count;) {
        trend_row *row = &table->rows[table->count];
        if (!(row->values = calloc(dumps, sizeof *row->values)))
            return -1;
        row->name = table->entries[i].name;
        table->entries[i].name = NULL;
        size_t j = i;
        for (; j < table->entry_count && strcmp(table->entries[j].name ? table->entries[j].name
                                                                       : row->name,
                                                row->name) == 0;
             j++)
            row->values[table->entries[j].dump] += table->entries[j].value;
        row->growth = (int64_t)row->values[dumps - 1] - (int64_t)row->values[0];
        table->count++;
        i = j;
    }
    if (table->count)
        qsort(table->rows, table->count, sizeof *table->rows, by_growth);
    size_t kept = 0;  /* what grew, most first */
    while (kept < table->count && kept < top && table->rows[kept].growth > 0)
        kept++;
    for (size_t k = kept; k < table->count; k++)
        free(table->rows[k].name), free(table->rows[k].values);
    table->count = kept;
    return 0;
}

static void release_entries(trend_table *table)
{
    for (size_t i = 0; i < table->entry_count; i++)
        free(table->entries[i].name);
    free(table->entries);
    table->entries = NULL;
    table->entry_count = table->entry_cap = 0;
}

int trend_finish(trend *t, size_t top)
{
    trend_table *tables[] = {&t->structures, &t->types, &t->modules};
    int failed = 0;
    for (size_t k = 0; k < 3; k++) {
        failed = failed || finish_table(tables[k], t->dumps, top) < 0;
        release_entries(tables[k]);
    }
    return failed ? -1 : 0;
}

static void release_table(trend_table *table)
{
    for (size_t i = 0; i < table->count; i++)
        free(table->rows[i].name), free(table->rows[i].values);
    free(table->rows);
    release_entries(table);
}

void trend_release(trend *t)
{
    release_table(&t->structures);
    release_table(&t->types);
    release_table(&t->modules);
    free(t->total), free(t->objects), free(t->time_us), free(t->memory);
    memset(t, 0, sizeof *t);
}
