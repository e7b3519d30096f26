/*
 * fuzz_snapshot.c: arbitrary bytes as a V8 heap snapshot, read with and
 * without reference names, analysed, and reported on.
 */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_read_snapshot(data, size);
    return 0;
}
