/*
 * trace.h: the analysis of an allocation trace, in one streaming pass:
 * peak traced memory and when, and per call site (a deduplicated stack)
 * the bytes live at the peak and at the end, the bytes allocated in all,
 * and how steadily its live bytes grow.  Never prints.
 *
 * A sampled trace (header sample_bytes = T) records on average one
 * allocation per T bytes; an allocation of s bytes then stands for
 * s / (1 - exp(-s / T)) bytes, which makes every total an unbiased
 * estimate.
 */
#ifndef HEAPAN_TRACE_H
#define HEAPAN_TRACE_H

#include <stddef.h>
#include <stdint.h>

#include "addrmap.h"
#include "model/heap.h"
#include "model/interp.h"
#include "heapan.h"

#define TRACE_CURVE_POINTS 32  /* a site's live bytes over time, in this many steps */

typedef struct trace_site {
    uint64_t allocations, total_allocated;
    uint64_t live, live_at_peak, live_max;
    double growth;       /* least-squares slope of live bytes over time, bytes per second */
    double fit;          /* R^2 of that line: 1 is a steady straight climb */
    uint64_t fit_from_us; /* the line fits from here to the end: 0, the whole run, or the
                             end of a warm-up the whole run's line did not fit */
    /* running integrals of live(t) over time, for the fit */
    double s0, s1, s2, sl, stl, sll, last_t;
    uint64_t changed_at; /* event number of the last change */
    /* live bytes at the end of each curve step, where bit i of curve_set says it changed */
    uint64_t curve[TRACE_CURVE_POINTS];
    uint32_t curve_set;
} trace_site;

typedef struct trace_point {
    uint64_t time_us, traced_bytes, rss;
} trace_point;

/*
 * The largest sampling interval read as one, 4 GiB: a sample then stands for
 * at most about 2^33 bytes, and 2^31 events are needed before a sum overflows.
 */
#define TRACE_SAMPLE_BYTES_MAX (UINT64_C(1) << 32)

typedef struct trace {
    heapan_reader *reader;     /* kept: its string table names the frames */
    heapan_header header;
    heapan_frame *frames;      /* by id */
    uint32_t frame_count;
    heap_stack *stacks;        /* by id; a stack's site is its own entry in sites */
    uint32_t *caller;          /* by stack id: the nearest caller on another line, or 0 */
    struct keyed_site *ranking; /* room to sort every site, made at load: ranking needs no memory */
    trace_site *sites;         /* by stack id; [0] is "no stack" */
    uint32_t stack_count;
    uint64_t allocations, frees, unmatched_frees, huge;
    uint64_t total_allocated, live, peak, peak_time_us, end_time_us;
    uint64_t curve_step_us;    /* time per step of the sites' curves; doubles as needed */
    addrmap blocks;            /* blocks live at the end: address -> stack, size in .extra */
    trace_point *timeline;     /* SAMPLE records, or points taken along the way */
    size_t point_count, point_cap;
    int timeline_from_samples;
    interp code;               /* where the library and the packages live, from the trace's facts */
    char *program_dir;         /* sys.path[0]: the script's directory, or NULL */
    uint32_t *program;         /* by stack id: the stack itself or its nearest caller in the
                                  program's own code, or 0 */
    uint8_t *imports;          /* by stack id: 1 when a frame of it is the import system's */
    int reuse_attributed;      /* 1: the producer moved free-list reuse to the new site;
                                  0: it could not; -1: the trace does not say */
    heapan_status status;
    char **warnings;
    size_t warning_count;
} trace;

/* Reads the rest of `r`, which `t` takes over.  0, or -1 when out of memory. */
int trace_load(trace *t, heapan_reader *r);
void trace_release(trace *t);

/* The innermost frame of a stack, or NULL. */
const heapan_frame *trace_site_frame(const trace *t, uint32_t stack);

/* "file:line in function, from caller.py:line" of a stack's innermost frame, into buf. */
const char *trace_site_name(const trace *t, uint32_t stack, char *buf, size_t size);

/*
 * "function (file:line)" of a stack's innermost frame, its file shortened
 * to the part under a package directory, the standard library's or the
 * script's, into buf.  A terminal cuts a long cell in the middle: the
 * line stays.
 */
const char *trace_site_label(const trace *t, uint32_t stack, char *buf, size_t size);

/*
 * The stack whose innermost frame is the first of `stack`, from the
 * innermost out, in the program's own code (not the standard library nor
 * an installed package): the line a user can change.  0 when the trace
 * does not say where the library lives, or no frame is the program's.
 */
uint32_t trace_program_stack(const trace *t, uint32_t stack);

/*
 * What the trace cannot know about the sites of reused objects, into buf;
 * 1 when there is something to say (a trace made before CPython 3.13).
 */
int trace_reuse_note(const trace *t, char *buf, size_t size);

/* Where RSS is furthest above the traced live bytes, against the first sample's gap. */
typedef struct trace_gap {
    uint64_t time_us, rss, traced_bytes;
    int64_t gap, gap_at_start;  /* rss less traced bytes, there and at the first RSS sample */
} trace_gap;

/*
 * The timeline's largest gap between RSS and the traced live bytes, by
 * how much it grew since the first sample that has an RSS, into *g; 1
 * when the trace has two such samples, else 0.
 */
int trace_rss_gap(const trace *t, trace_gap *g);

/* Was the stack's memory allocated by an import (a frame of importlib's bootstrap)? */
int trace_stack_imports(const trace *t, uint32_t stack);

/*
 * Is the frame of `stack` heapan's own runner (`python3 -m heapan run`:
 * runpy, then heapan/__main__.py), which calls the program?  Those frames
 * are around every stack of such a trace, and say nothing of the program.
 */
int trace_stack_is_runner(const trace *t, uint32_t stack);

/*
 * The site's live bytes at the end of each curve step from the start to
 * the end of the trace, into out[TRACE_CURVE_POINTS]; returns how many.
 */
size_t trace_site_curve(const trace *t, uint32_t stack, uint64_t *out);

/*
 * The stack of the block at `address` if it is live at the end of the
 * trace, or ADDRMAP_ABSENT; *size gets its size (capped at 4 GiB) if not NULL.
 */
uint32_t trace_block_stack(const trace *t, uint64_t address, uint64_t *size);

/* Is this site a leak candidate: live at the end, and a steady climb? */
int trace_site_grows(const trace *t, uint32_t stack);

/* Stack ids ordered by `key` (0: live at peak, 1: live at end, 2: allocated, 3: growth). */
size_t trace_top_sites(const trace *t, int key, uint32_t *out, size_t limit);

#endif
