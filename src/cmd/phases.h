/*
 * phases.h: what the user sees of a long analysis on standard error.
 * Progress ("loading app.zst: 120 MB") when it is wanted, and with
 * HEAPAN_TIMINGS set, one line per phase with its wall time and the peak
 * resident memory so far, for tests/bench/.
 */
#ifndef HEAPAN_PHASES_H
#define HEAPAN_PHASES_H

#include <stdint.h>

typedef enum progress_mode { PROGRESS_AUTO, PROGRESS_ALWAYS, PROGRESS_NEVER } progress_mode;

typedef struct phases {
    int show_progress, show_timings;
    const char *path;
    const char *phase;     /* the one running */
    double phase_start, last_update;
    int line_dirty;        /* a progress line waits to be erased */
} phases;

/* --progress's argument, or a usage error of `command`. */
progress_mode parse_progress(const char *command, const char *text);

/* auto: progress only when standard error is a terminal. */
void phases_init(phases *p, progress_mode mode, const char *path);

/* Ends the running phase (timing it) and starts `name`; NULL just ends. */
void phases_next(phases *p, const char *name);

/* A heap_progress_fn: `ctx` is the phases, the count is bytes read. */
void phases_bytes(void *ctx, uint64_t bytes_read);

#endif
