/*
 * fuzz_trace.c: arbitrary bytes as the decompressed payload of an
 * allocation trace, compressed here first: the trace replay, its four
 * renderers, and the join with a heap read from the same bytes (the same
 * pid, so addresses are matched).  Its corpus holds decompressed traces.
 */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t n;
    uint8_t *compressed = fuzz_compress(data, size, &n);
    if (!compressed)
        return 0;
    heapan_reader *r;
    trace t;
    if (heapan_reader_open_memory(&r, compressed, n) != HEAPAN_OK) {
        heapan_reader_close(r);
        free(compressed);
        return 0;
    }
    if (trace_load(&t, r) == 0) {
        fuzz_render_trace(&t);
        if (heapan_reader_open_memory(&r, compressed, n) == HEAPAN_OK)
            fuzz_report_with_trace(r, &t);
        else
            heapan_reader_close(r);
    }
    trace_release(&t);
    free(compressed);
    return 0;
}
