/* fuzz_common.h: what every fuzz target does with a candidate dump. */
#ifndef HEAPAN_FUZZ_COMMON_H
#define HEAPAN_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "dominators.h"
#include "dumpstats.h"
#include "heapan.h"
#include "histogram.h"
#include "integrity.h"
#include "paths.h"
#include "render.h"
#include "render_trace.h"
#include "report.h"
#include "snapshot.h"
#include "trace.h"
#include "trace_link.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The report's three renderers, with the trace the report was built with. */
static inline void fuzz_report(report *rep, FILE *sink)
{
    render_source src = {.path = "fuzz.zst", .trace = rep->link,
                         .trace_path = rep->link ? "fuzz.trace" : NULL};
    render_markdown(sink, rep, &src);
    render_html(sink, rep, &src);
    render_json(sink, rep, &src);
}

/* What every command does with a loaded heap: dominators, tables, the report, paths. */
static inline void fuzz_analyse_heap(heap *loaded, int loaded_ok, const trace *t)
{
    heap h = *loaded;
    dominators d = {0};
    retention paths = {0};
    if (loaded_ok && dominators_compute(&h, &d) == 0 &&
        dominators_build_tree(&d) == 0 && retention_compute(&h, &paths) == 0) {
        for (int by = GROUP_BY_TYPE; by <= GROUP_BY_SITE; by++) {
            histogram hist;
            histogram_build(&h, &d, (group_by)by, &hist);
            histogram_release(&hist);
        }
        report rep;
        report_options options = {.trace = t};
        FILE *sink = fopen("/dev/null", "w");
        if (report_build(&h, &d, &paths, &options, &rep) == 0 && sink)
            fuzz_report(&rep, sink);
        if (sink)
            fclose(sink);
        report_release(&rep);
        for (uint32_t v = 0; v < h.count; v += 1 + h.count / 16) {
            path p;
            if (path_find(&h, &paths, v, HEAP_NONE, &p) > 0)
                free(path_text(&h, &p));
            path_release(&p);
        }
    }
    retention_release(&paths);
    dominators_release(&d);
    heap_release(&h);
}

/* The analysis every command starts with, a few paths' text, and the report with `t`. */
static inline void fuzz_analyse(heapan_reader *r, const trace *t)
{
    heap h;
    int ok = heap_load(&h, r, NULL, NULL) == 0;
    fuzz_analyse_heap(&h, ok, t);
}

/* The bytes as a V8 snapshot, through a file as the commands read it. */
static inline void fuzz_read_snapshot(const uint8_t *data, size_t size)
{
    char file[] = "/tmp/heapan-fuzz-XXXXXX";
    int fd = mkstemp(file);
    if (fd < 0)
        return;
    int written = write(fd, data, size) == (ssize_t)size;
    close(fd);
    for (int labels = 0; written && labels <= 1; labels++) {
        heap h;
        char why[300];
        int ok = snapshot_load(&h, file, labels, NULL, NULL, why, sizeof why) == SNAPSHOT_OK;
        if (labels)
            fuzz_analyse_heap(&h, ok, NULL);
        else
            heap_release(&h);
    }
    unlink(file);
}

/* Reads a compressed dump through the reader, info's and check's passes, and the analysis. */
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
        integrity_report problems;
        integrity_check(r, &problems);
    }
    heapan_reader_close(r);
    /* Any dump can be replayed as a trace (its events are just absent), and
     * joined with itself: the same pid, so addresses are matched. */
    trace t;
    int traced = 0;
    if (heapan_reader_open_memory(&r, data, size) == HEAPAN_OK) {
        traced = trace_load(&t, r) == 0;
        FILE *sink = traced ? fopen("/dev/null", "w") : NULL;
        if (sink) {
            render_trace_text(sink, &t, "fuzz.trace", 10);
            render_trace_markdown(sink, &t, "fuzz.trace", 10);
            render_trace_html(sink, &t, "fuzz.trace", 10);
            render_trace_json(sink, &t, "fuzz.trace", 10);
            fclose(sink);
        }
        if (!traced)
            trace_release(&t);
    } else {
        heapan_reader_close(r);
    }
    if (heapan_reader_open_memory(&r, data, size) == HEAPAN_OK)
        fuzz_analyse(r, traced ? &t : NULL);  /* the heap takes the reader over */
    else
        heapan_reader_close(r);
    if (traced)
        trace_release(&t);
}

#endif
