/* grow.h: growing a malloc'd array by doubling, the one way the tool does it. */
#ifndef HEAPAN_GROW_H
#define HEAPAN_GROW_H

#include <stddef.h>

/*
 * Makes *array (items of `elem` bytes, room for *cap) hold at least `need`
 * items, doubling as it goes; `array` is the address of the pointer.  New
 * room is not zeroed.  Returns 0, or -1 when out of memory or on overflow
 * (the array is then unchanged).
 */
int grow(void *array, size_t elem, size_t *cap, size_t need);

#endif
