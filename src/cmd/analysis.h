/*
 * analysis.h: the pipeline the analysing commands share: open a dump,
 * load it, compute dominators; say what went wrong, as every command
 * must, in one place.
 */
#ifndef HEAPAN_ANALYSIS_H
#define HEAPAN_ANALYSIS_H

#include "model/dominators.h"
#include "model/heap.h"
#include "cmd/phases.h"

typedef struct analysis {
    const char *path;
    heap heap;
    dominators dom;
    phases phases;
} analysis;

/* What a command needs beyond the dominators. */
enum {
    ANALYSIS_TREE = 1u << 0,   /* the dominator tree's child lists */
    ANALYSIS_LABELS = 1u << 1  /* reference names and indexes (paths, findings); a V8
                                  snapshot read without them takes a third less memory */
};

/*
 * Loads `path` and computes its dominators, with what `needs` asks for
 * (ANALYSIS_* bits).  Prints the dump's warnings.  Returns 0, or -1 after
 * saying why (unreadable, out of memory); close `a` either way.
 */
int analysis_open(analysis *a, const char *path, progress_mode mode, unsigned needs);

/* EXIT_FOUND when the dump was incomplete or inconsistent, else EXIT_OK. */
int analysis_exit_code(const analysis *a);

/* "N objects, SIZE; N reachable (SIZE), N unreachable (SIZE)" on stdout. */
void analysis_print_summary(const analysis *a);

void analysis_close(analysis *a);

#endif
