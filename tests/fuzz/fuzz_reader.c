/*
 * fuzz_reader.c: arbitrary bytes as a dump file.  Finds what breaks in
 * the input layer: zstd framing, truncation, the magic and version.
 */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_read_dump(data, size);
    return 0;
}
