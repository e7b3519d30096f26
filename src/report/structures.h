/*
 * structures.h: a dump's collections named by their retention paths, so
 * that the same logical structure has the same name in two dumps of one
 * program: list positions read [ * ] and addresses are dropped
 * ("module app.cache . _CACHE").  compare matches two dumps by these
 * names, and a report weighs a finding's growth against a baseline with
 * them.  Never prints.
 */
#ifndef HEAPAN_STRUCTURES_H
#define HEAPAN_STRUCTURES_H

#include <stddef.h>
#include <stdint.h>

#include "model/dominators.h"
#include "model/heap.h"
#include "model/paths.h"

/* Collections that retain less are not named (but still matched against, when named). */
#define STRUCTURE_LOOKUP_BYTES 1024
/* The largest this many collections of a dump are named. */
#define STRUCTURES_PER_DUMP 50000

typedef struct structure {
    char *name;
    uint64_t entries, shallow, retained;  /* summed when several share the name */
} structure;

typedef struct structure_index {
    structure *items;  /* sorted by name, each name once */
    size_t count;
} structure_index;

/* The structure name of object v, a new string; NULL when no root reaches it or out of memory. */
char *structure_name(const heap *h, const retention *paths, uint32_t v);

/*
 * Names the collections of `h` that retain at least STRUCTURE_LOOKUP_BYTES,
 * the STRUCTURES_PER_DUMP largest.  Returns 0, or -1 when out of memory
 * (release `ix` either way).
 */
int structure_index_build(structure_index *ix, const heap *h, const dominators *d,
                          const retention *paths);
void structure_index_release(structure_index *ix);

/* The structure named `name`, or NULL. */
const structure *structure_index_find(const structure_index *ix, const char *name);

#endif
