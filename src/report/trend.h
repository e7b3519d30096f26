/*
 * trend.h: how the top structures, types and modules grew across a series
 * of dumps (`heapan trend`).  Structures are matched by retention path,
 * types and modules by name, as compare matches two dumps.  Each dump is
 * added in turn, so only one need be loaded at a time.  Never prints.
 */
#ifndef HEAPAN_TREND_H
#define HEAPAN_TREND_H

#include <stddef.h>
#include <stdint.h>

#include "model/accounting.h"
#include "model/dominators.h"
#include "model/heap.h"
#include "model/paths.h"

#define TREND_STRUCTURES_PER_DUMP 2000  /* the largest structures of each dump followed */

typedef struct trend_row {
    char *name;
    uint64_t *values;   /* retained bytes in each dump; 0 where absent */
    int64_t growth;     /* the last dump's value less the first's */
} trend_row;

typedef struct trend_table {
    trend_row *rows;    /* after trend_finish(): those that grew, most first, at most `top` */
    size_t count;
    /* while adding: (name, dump, value) entries */
    struct trend_entry *entries;
    size_t entry_count, entry_cap;
} trend_table;

typedef struct trend {
    size_t dumps;
    uint64_t *total;    /* each dump's heap */
    uint32_t *objects;
    int64_t *time_us;   /* each dump's header time */
    accounting *memory; /* each dump's memory accounting (present: recorded) */
    trend_table structures, types, modules;
} trend;

/* Sizes a trend of `dumps` dumps; 0, or -1 when out of memory (release it either way). */
int trend_init(trend *t, size_t dumps);

/* Adds dump k: `d` with its tree, `paths` computed.  0, or -1 when out of memory. */
int trend_add(trend *t, size_t k, const heap *h, const dominators *d, const retention *paths);

/* Matches the names across the dumps and keeps the `top` of each table that grew most; 0 or -1. */
int trend_finish(trend *t, size_t top);

void trend_release(trend *t);

#endif
