/*
 * replaced.h: which new objects took the place of one that was freed: a
 * holder that existed at the baseline has, under the same key or
 * attribute, a new object where it had one that is gone since.  Setting
 * `_CURRENT["session"]` anew, or `os.environ[k]`, replaces; it does not
 * grow.  List positions shift as lists grow, so an item is never taken
 * for a replacement.  Never prints.
 */
#ifndef HEAPAN_REPLACED_H
#define HEAPAN_REPLACED_H

#include <stdint.h>

#include "model/heap.h"
#include "model/paths.h"

/*
 * Sets out[t] = 1 (an array by object of `final`, zeroed by the caller)
 * for each new object t that replaced one.  earlier[v]: v's object in
 * `baseline`, HEAP_NONE when new; `paths` are final's.  Both dumps need
 * their labels.  Linear in both dumps' references.  0, or -1 when out of
 * memory.
 */
int replaced_find(const heap *baseline, const heap *final, const uint32_t *earlier,
                  const retention *paths, uint8_t *out);

#endif
