/* fuzz_common.h: what every fuzz target does with a candidate dump. */
#ifndef HEAPAN_FUZZ_COMMON_H
#define HEAPAN_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include "dumpstats.h"
#include "heapan.h"
#include "integrity.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Reads a compressed dump through the reader, info's and check's passes. */
static inline void fuzz_read_dump(const uint8_t *data, size_t size)
{
    heapan_reader *r;
    if (heapan_reader_open_memory(&r, data, size) == HEAPAN_OK) {
        dump_stats stats;
        dumpstats_collect(r, &stats);
        dumpstats_release(&stats);
    }
    heapan_reader_close(r);
    if (heapan_reader_open_memory(&r, data, size) == HEAPAN_OK) {
        integrity_report report;
        integrity_check(r, &report);
    }
    heapan_reader_close(r);
}

#endif
