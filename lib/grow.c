/* grow.c: doubling growth for arrays. */
#include <stdint.h>
#include <stdlib.h>

#include "grow.h"

int grow(void *array, size_t elem, size_t *cap, size_t need)
{
    void **p = array;
    if (need <= *cap)
        return 0;
    size_t cap2 = *cap ? *cap : 16;
    while (cap2 < need) {
        if (cap2 > SIZE_MAX / 2)
            return -1;
        cap2 *= 2;
    }
    if (cap2 > SIZE_MAX / elem)
        return -1;
    void *q = realloc(*p, cap2 * elem);
    if (!q)
        return -1;
    *p = q;
    *cap = cap2;
    return 0;
}
