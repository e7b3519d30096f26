/*
 * identity.h: the same object in two dumps of one process.  CPython never
 * moves an object, so an object of the later dump is taken for the one
 * the earlier dump had at its address when the evidence agrees:
 *   - the same type (by name);
 *   - an object that owns referents alone (each of them referenced by it
 *     only, like a dict's values or an instance's attribute dict) is the
 *     same when one of those it owns is, at the same address, one the
 *     earlier object owned: a cache that grew keeps its old entries;
 *   - an object that owns none (a str, an int, a tuple of shared
 *     objects) is the same when its size is, and its value's hash where
 *     both dumps have one.
 * pymalloc hands a freed block to the next object of its size class, so
 * type and size alone would take a churned object for the one before it;
 * what the object owns tells them apart, since a new object owns new
 * objects.  It remains a strong heuristic, not a proof: a release build of
 * CPython counts no allocations.  Never prints.
 */
#ifndef HEAPAN_IDENTITY_H
#define HEAPAN_IDENTITY_H

#include <stdint.h>

#include "model/heap.h"

typedef struct identity {
    uint32_t *earlier;   /* by object of the later dump: the same object's index there, or HEAP_NONE */
    uint32_t new_count, gone_count;
    uint64_t new_bytes, gone_bytes;
} identity;

/*
 * Are the two dumps of one process (the same pid and the same
 * process.start fact)?  1 yes, 0 no, -1 when either lacks the fact.
 */
int identity_same_process(const heap *earlier, const heap *later);

/* Matches the objects of `later` to those of `earlier`; 0, or -1 when out of memory. */
int identity_compute(const heap *earlier, const heap *later, identity *out);
void identity_release(identity *id);

#endif
