/*
 * fuzz_reader.c: arbitrary bytes as a dump file.  Finds what breaks in
 * the input layer: zstd framing, truncation, the magic and version, as
 * info, check and the loader read a file.
 */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_read_dump(data, size);
    heapan_reader *r;
    heap h;
    if (heapan_reader_open_memory(&r, data, size) == HEAPAN_OK) {
        heap_load(&h, r, NULL, NULL); /* the heap takes the reader over */
        heap_release(&h);
    } else {
        heapan_reader_close(r);
    }
    return 0;
}
