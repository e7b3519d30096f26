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
#include "report/structures.h"

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

/* A table's row of one dump, by name. */
typedef struct named_total {
    char *name;
    uint64_t count, shallow, retained;
} named_total;

typedef struct named_totals {
    named_total *rows;
    size_t count, cap;
} named_totals;

/* A finding of one dump as matching sees it: its kind and its place. */
typedef struct finding_key {
    int kind;
    char *place;  /* a leak's retention path (NULL when unreachable), a suggestion's target */
} finding_key;

/*
 * What a comparison keeps of one dump, so that the dump's model can be
 * freed before the other is loaded: its totals, its tables by name and
 * its findings' keys.
 */
typedef struct compare_summary {
    uint32_t objects;
    uint64_t total_size, reachable_size;
    accounting memory;
    int has_sites;  /* the dump records allocation sites */
    named_totals types, modules, sites, structures;
    finding_key *leaks, *suggestions;
    size_t leak_count, suggestion_count;
} compare_summary;

/* Summarises a report with its structures (structures.h); 0, or -1 when out of
 * memory (release `s` either way). */
int compare_summary_build(const report *r, const structure_index *structures,
                          compare_summary *s);
void compare_summary_release(compare_summary *s);

typedef struct comparison {
    const compare_summary *side[2];
    compare_summary now_summary;  /* side[NEW] */
    const report *now;
    delta_table types, modules, sites, structures;
    size_t *new_leaks;         /* indexes into now->leaks */
    size_t new_leak_count;
    size_t *leaks;             /* findings of NEW that grew since the baseline: proven leaks */
    size_t leak_count;
    size_t *new_suggestions;   /* indexes into now->suggestions */
    size_t new_suggestion_count;
    gate_result *gates;
    size_t gate_count, crossed;
    uint64_t noise;
} comparison;

/*
 * Compares a baseline's summary with a report built with its retention
 * paths, and checks the limits.  Returns 0, or -1 when out of memory
 * (release `c` either way).
 */
int compare_build(const compare_summary *base, const report *now, const retention *now_paths,
                  const gate_limit *limits, size_t limit_count, uint64_t noise, comparison *c);
void compare_release(comparison *c);

/* A row's growth in retained bytes (negative when it shrank). */
int64_t delta_growth(const delta_row *row);

#endif
