/*
 * fuzz_reader.c: feeds arbitrary bytes to the reader and to the tool's
 * passes over it (info's statistics, check's integrity pass).  Whatever
 * the input, nothing may crash, leak or hang.
 */
#include <stddef.h>
#include <stdint.h>

#include "dumpstats.h"
#include "heapan.h"
#include "integrity.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
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
    return 0;
}
