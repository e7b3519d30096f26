/*
 * dumpstats.h: one pass over a dump or trace gathering the facts that
 * `heapan info` shows.  Gathers only; printing is the command's job.
 */
#ifndef HEAPAN_DUMPSTATS_H
#define HEAPAN_DUMPSTATS_H

#include <stdint.h>

#include "heapan.h"

typedef struct type_stats {
    uint32_t name, module;  /* string ids */
    unsigned flags;
    uint64_t count, shallow;
} type_stats;

typedef struct dump_stats {
    uint64_t shallow_total;
    uint64_t with_value, with_stack, with_shape;
    uint64_t weak_refs;
    uint64_t roots_by_kind[HEAPAN_ROOT_KIND_COUNT + 1];  /* last: unknown kinds */
    type_stats *types;       /* by type id; [0] unused */
    size_t type_count, type_cap;
    uint64_t allocated_bytes, last_event_us, peak_traced, peak_rss;
    /* The collector's state, from the process's properties; -1 where unknown. */
    int gc_enabled;
    int64_t gc_threshold[3], gc_count[3], gc_freeze_count, gc_garbage;
    size_t gc_thresholds, gc_counts;  /* how many of each were read */
    uint64_t frozen_objects;
    heapan_counts counts;    /* records read */
    uint64_t skipped;        /* records of unknown kinds */
    int sizes_clamped;       /* a size past HEAP_OBJECT_SIZE_MAX, or a total past INT64_MAX */
    heapan_status status;    /* HEAPAN_END when the dump is complete */
    char message[256];       /* the reader's error when it is not */
} dump_stats;

/*
 * Reads the rest of `r` into `s`.  Returns 0, also when the dump turns out
 * truncated or corrupt (s->status says so); -1 only when out of memory.
 */
int dumpstats_collect(heapan_reader *r, dump_stats *s);
void dumpstats_release(dump_stats *s);

/*
 * Fills `order` with the type ids 1..type_count-1 that have objects, by
 * shallow size descending; returns how many.  `order` holds type_count.
 */
size_t dumpstats_types_by_size(const dump_stats *s, uint32_t *order);

#endif
