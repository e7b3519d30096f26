/*
 * fuzz_payload.c: arbitrary bytes as the decompressed payload of a dump,
 * compressed here first, so mutations reach the record decoders instead
 * of dying in zstd.  Its corpus holds decompressed dumps.
 */
#include <stdlib.h>
#include <zstd.h>

#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t cap = ZSTD_compressBound(size);
    uint8_t *compressed = malloc(cap);
    if (!compressed)
        return 0;
    size_t n = ZSTD_compress(compressed, cap, data, size, 1);
    if (!ZSTD_isError(n))
        fuzz_read_dump(compressed, n);
    free(compressed);
    return 0;
}
