/*
 * compare.h: what changed between two dumps of a program.  Addresses mean
 * nothing across processes, so everything is matched by meaning: types,
 * modules and sites by name, structures by their retention path, leak
 * candidates and suggestions by kind and place.  Never prints.
 */
#ifndef HEAPAN_COMPARE_H
#define HEAPAN_COMPARE_H

#include <stddef.h>
#include <stdint.h>

#include "report/gate.h"
#include "report/nearest.h"
#include "report/report.h"

enum { BASE = 0, NEW = 1 };

/* One thing matched across the two dumps; [BASE] and [NEW]. */
typedef struct delta_row {
    char *name;  /* a type, module or site name, or a structure's path */
    uint64_t count[2], shallow[2], retained[2];
    int present[2];
} delta_row;

typedef struct delta_table {
    delta_row *rows;  /* by retained growth, largest first */
    size_t count;
} delta_table;

/* A limit of --fail-on-growth, checked. */
typedef struct gate_result {
    const gate_limit *limit;
    uint64_t before, after;
    int crossed, matched;  /* matched: the name was found in either dump */
    int under_noise;       /* a percentage it would cross, were the growth not under the noise */
    const char *nearest[NEAREST_SHOWN];  /* unmatched: the names most like it, closest first */
    size_t nearest_count;
} gate_result;

typedef struct comparison {
    const report *side[2];
    delta_table types, modules, sites, structures;
    size_t *new_leaks;         /* indexes into side[NEW]->leaks */
    size_t new_leak_count;
    size_t *leaks;             /* findings of NEW that grew since the baseline: proven leaks */
    size_t leak_count;
    size_t *new_suggestions;   /* indexes into side[NEW]->suggestions */
    size_t new_suggestion_count;
    gate_result *gates;
    size_t gate_count, crossed;
    uint64_t noise;
} comparison;

/*
 * Compares two reports, built with their retention paths, and checks the
 * limits.  Returns 0, or -1 when out of memory (release `c` either way).
 */
int compare_build(const report *base, const retention *base_paths, const report *now,
                  const retention *now_paths, const gate_limit *limits, size_t limit_count,
                  uint64_t noise, comparison *c);
void compare_release(comparison *c);

/* A row's growth in retained bytes (negative when it shrank). */
int64_t delta_growth(const delta_row *row);

#endif
