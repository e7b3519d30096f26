/*
 * fuzz_compare.c: two decompressed dump payloads, split at the first
 * "\n--\n" (or at the middle), compressed here first and compared as
 * `heapan compare` does: both reports, the baseline's structures, growth
 * limits of every scope, and the four renderers.
 */
#include <string.h>

#include "fuzz_common.h"

/* Where "\n--\n" starts, or `size`. */
static size_t separator_at(const uint8_t *data, size_t size)
{
    for (size_t i = 0; i + 4 <= size; i++)
        if (memcmp(data + i, "\n--\n", 4) == 0)
            return i;
    return size;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t cut = separator_at(data, size);
    size_t first = cut < size ? cut : size / 2;
    size_t second_at = cut < size ? first + 4 : first;
    fuzz_compare(data, first, data + second_at, size - second_at);
    return 0;
}
