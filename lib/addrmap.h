/*
 * addrmap.h: a hash map from object addresses to dense indices, in one
 * flat array (open addressing, linear probing).  Address 0 is never a key.
 */
#ifndef HEAPAN_ADDRMAP_H
#define HEAPAN_ADDRMAP_H

#include <stddef.h>
#include <stdint.h>

#define ADDRMAP_ABSENT UINT32_MAX

typedef struct addrmap_slot {
    uint64_t address;
    uint32_t index;  /* the value the map gives */
    uint32_t extra;  /* free for the caller: it fills the slot's padding */
} addrmap_slot;

typedef struct addrmap {
    addrmap_slot *slots;
    size_t mask, used;
    uint64_t seed;  /* random per map: addresses from a file cannot aim at one slot */
} addrmap;

/* Sizes the map for `expected` keys; -1 when out of memory. */
int addrmap_init(addrmap *m, size_t expected);
void addrmap_release(addrmap *m);

/*
 * Maps `address` to `index` unless it is already there.  Returns 0 when
 * added, 1 when present (*existing gets its index, if not NULL), -1 when
 * out of memory.
 */
int addrmap_insert(addrmap *m, uint64_t address, uint32_t index, uint32_t *existing);

/*
 * The slot of `address`, added (index 0, extra 0) if absent; *added says
 * which.  Lets a caller keep counters in a slot with one lookup.  The
 * pointer is valid until the next insertion.  NULL when out of memory.
 */
addrmap_slot *addrmap_upsert(addrmap *m, uint64_t address, int *added);

/* Starts loading the slot where `address` would be: look up many at once. */
void addrmap_prefetch(const addrmap *m, uint64_t address);

/* Removes `address`; returns 1 if it was there, 0 if not. */
int addrmap_remove(addrmap *m, uint64_t address);

/* Removes the entry at `slot` (from addrmap_slot_of()), without a second lookup. */
void addrmap_remove_slot(addrmap *m, addrmap_slot *slot);

/* The slot of `address`, or NULL; valid until the next insertion or removal. */
addrmap_slot *addrmap_slot_of(const addrmap *m, uint64_t address);

/* The index of `address`, or ADDRMAP_ABSENT. */
uint32_t addrmap_find(const addrmap *m, uint64_t address);

#endif
