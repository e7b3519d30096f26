/* dumpload.h: a heapan dump into the heap model. */
#ifndef HEAPAN_DUMPLOAD_H
#define HEAPAN_DUMPLOAD_H

#include "heapan.h"
#include "model/heap.h"

/*
 * Reads the rest of `r` into `h`, which takes over `r`.  A truncated or
 * inconsistent dump still loads what it can and leaves warnings.  Returns
 * 0; HEAP_LOAD_TOO_BIG past HEAP_MAX_OBJECTS objects or UINT32_MAX - 1
 * references (the last of h->warnings says which); or -1 when out of
 * memory.  Release `h` either way.
 */
#define HEAP_LOAD_TOO_BIG (-2)
int heap_load(heap *h, heapan_reader *r, heap_progress_fn progress, void *ctx);

/*
 * Gives a str/bytes value short enough to be whole in its record (the
 * producer hashes only longer ones) a hash of its bytes, so equal values
 * can be found.  Call it while o->data is valid.
 */
void heap_hash_short_value(heapan_object *o);

#endif
