/* nearest.h: the names most like one that matched nothing, for an error line. */
#ifndef HEAPAN_NEAREST_H
#define HEAPAN_NEAREST_H

#include <stddef.h>

#define NEAREST_SHOWN 3

typedef enum nearest_rule {
    NEAREST_WHOLE,     /* the whole name */
    NEAREST_LAST_PART, /* the whole name, or the part after its last '.' (a bare class name) */
    NEAREST_SUBSTRING  /* the part of the name most like it (site text) */
} nearest_rule;

typedef struct nearest {
    const char *want;
    nearest_rule rule;
    const char *name[NEAREST_SHOWN]; /* borrowed, closest first */
    size_t distance[NEAREST_SHOWN];
    size_t count;
} nearest;

void nearest_init(nearest *n, const char *want, nearest_rule rule);

/* Keeps `candidate` if it is among the closest so far; equal names are kept once. */
void nearest_consider(nearest *n, const char *candidate);

/* Edits (insert, delete, replace a byte) from `a` to `b`, each cut at 128 bytes. */
size_t nearest_distance(const char *a, const char *b, int substring);

#endif
