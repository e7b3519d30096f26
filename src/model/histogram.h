/*
 * histogram.h: the heap grouped by type, by module or by allocation site.
 * A group's retained size is what the group dominates together: its
 * topmost members' retained sizes, never counting an object twice when
 * one member dominates another.
 */
#ifndef HEAPAN_HISTOGRAM_H
#define HEAPAN_HISTOGRAM_H

#include <stddef.h>
#include <stdint.h>

#include "model/dominators.h"
#include "model/heap.h"

typedef enum group_by {
    GROUP_BY_TYPE,    /* key: type id */
    GROUP_BY_MODULE,  /* key: string id of the type's module, 0 for none */
    GROUP_BY_SITE     /* key: frame id of the innermost allocation frame, 0 for unknown */
} group_by;

typedef struct group_row {
    uint32_t key;
    uint64_t count, shallow_size;
    uint64_t retained_size, retained_count;
} group_row;

typedef struct histogram {
    group_by by;
    group_row *rows;  /* by retained size, largest first */
    size_t count;
} histogram;

/*
 * Groups every object of `h`.  `d` must have its tree built
 * (dominators_build_tree()).  Returns 0, or -1 when out of memory.
 */
int histogram_build(const heap *h, const dominators *d, group_by by, histogram *out);
void histogram_release(histogram *hist);

/* The key of object i under `by`. */
uint32_t histogram_key(const heap *h, group_by by, uint32_t i);

/*
 * A group's name as a user reads it, into `buf`: "app.models.Order" (no
 * module for builtins), "app.models", "app/models.py:42 in load".  The
 * text comes from the dump: escape it when printing.
 */
const char *group_name(const heap *h, group_by by, uint32_t key, char *buf, size_t size);

#endif
