/*
 * integrity.h: the full consistency check behind `heapan check`: beyond
 * what the reader verifies record by record, it checks how records relate
 * (addresses defined once, references and roots that name real objects).
 */
#ifndef HEAPAN_INTEGRITY_H
#define HEAPAN_INTEGRITY_H

#include <stdint.h>

#include "heapan.h"

typedef enum problem_kind {
    PROBLEM_DUPLICATE_ADDRESS,  /* two objects at one address */
    PROBLEM_UNKNOWN_SOURCE,     /* a reference from no object */
    PROBLEM_DANGLING_REF,       /* a reference to no object */
    PROBLEM_DANGLING_ROOT,      /* a root naming no object */
    PROBLEM_KIND_COUNT
} problem_kind;

typedef struct problem_tally {
    uint64_t count;
    uint64_t first_from, first_to;  /* the first case, for the message */
} problem_tally;

typedef struct integrity_report {
    problem_tally problems[PROBLEM_KIND_COUNT];
    heapan_counts counts;
    uint64_t skipped;           /* records of unknown kinds (not a problem) */
    heapan_status read_status;  /* HEAPAN_END when the stream is whole */
    char read_message[256];
} integrity_report;

/*
 * Reads the rest of `r` and checks it.  Returns 0 (the report says what is
 * wrong), or -1 when out of memory.
 */
int integrity_check(heapan_reader *r, integrity_report *report);

/* Whether the report shows any problem, truncation and corruption included. */
int integrity_broken(const integrity_report *report);

/* A short phrase for a problem kind, e.g. "dangling references". */
const char *problem_name(problem_kind kind);

#endif
