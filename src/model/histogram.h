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
#include "model/interp.h"

typedef enum group_by {
    GROUP_BY_TYPE,    /* key: type id */
    GROUP_BY_MODULE,  /* key: string id of the type's module, 0 for none */
    GROUP_BY_SITE,    /* key: frame id of the innermost allocation frame, 0 for unknown */
    GROUP_BY_PROGRAM  /* key: frame id of the allocation's first frame in the program's own
                         code (not the library's nor a package's), 0 for none or unknown */
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

/* The same, by the program's own frames (GROUP_BY_PROGRAM), which `in` tells from the library's. */
int histogram_build_program(const heap *h, const interp *in, const dominators *d, histogram *out);
void histogram_release(histogram *hist);


/*
 * A group's name as a user reads it, into `buf`: "app.models.Order" (no
 * module for builtins), "app.models", "app/models.py:42 in load".  The
 * text comes from the dump: escape it when printing.
 */
const char *group_name(const heap *h, group_by by, uint32_t key, char *buf, size_t size);

#endif
