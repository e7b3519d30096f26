/*
 * intern.h: the writer's table of id-defining records (strings, types,
 * frames, stacks, shapes), keyed by record kind and encoded payload, so
 * that writing the same thing twice returns the first id.  Internal.
 */
#ifndef HEAPAN_INTERN_H
#define HEAPAN_INTERN_H

#include <stddef.h>
#include <stdint.h>

typedef struct intern_table {
    struct intern_slot *slots;  /* open addressing, power-of-two size */
    size_t mask, used;
    uint8_t *arena;             /* the keys, back to back */
    size_t arena_len, arena_cap;
} intern_table;

/* Returns the id stored for (kind, key), or 0 if absent. */
uint32_t intern_find(const intern_table *t, unsigned kind, const void *key,
                     size_t len);
/* Stores id for (kind, key), which must be absent; -1 when out of memory. */
int intern_add(intern_table *t, unsigned kind, const void *key, size_t len,
               uint32_t id);
void intern_release(intern_table *t);

#endif
