/*
 * fuzz_payload.c: arbitrary bytes as the decompressed payload of a dump,
 * compressed here first, so mutations reach the record decoders instead
 * of dying in zstd; then everything a command does with the heap.  Its
 * corpus holds decompressed dumps; a zstd file (mkdump's) is read as is.
 */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t n;
    uint8_t *file = fuzz_compress(data, size, &n);
    heapan_reader *r;
    if (file && heapan_reader_open_memory(&r, file, n) == HEAPAN_OK)
        fuzz_analyse(r, NULL); /* the heap takes the reader over */
    else if (file)
        heapan_reader_close(r);
    free(file);
    return 0;
}
