/* sort.h: qsort() for arrays that may be empty, and so NULL. */
#ifndef HEAPAN_SORT_H
#define HEAPAN_SORT_H

#include <stdlib.h>

/* qsort(NULL, 0, ...) is undefined behaviour; an empty or one-item array is sorted already. */
static inline void sort_items(void *items, size_t count, size_t size,
                              int (*compare)(const void *, const void *))
{
    if (count > 1)
        qsort(items, count, size, compare);
}

#endif
