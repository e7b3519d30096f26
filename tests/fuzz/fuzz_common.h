/* fuzz_common.h: what every fuzz target does with a candidate dump. */
#ifndef HEAPAN_FUZZ_COMMON_H
#define HEAPAN_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zstd.h>

#include "model/dominators.h"
#include "report/compare.h"
#include "model/dumpstats.h"
#include "heapan.h"
#include "model/histogram.h"
#include "model/integrity.h"
#include "model/paths.h"
#include "render/render.h"
#include "render/compare.h"
#include "render/trace.h"
#include "render/leaks.h"
#include "render/trend.h"
#include "report/survivors.h"
#include "report/report.h"
#include "input/snapshot.h"
#include "report/structures.h"
#include "trace/trace.h"
#include "trace/link.h"
#include "input/dumpload.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The report's three renderers, with the trace the report was built with. */
/* A document through every markup: Markdown, HTML, and the terminal with colour. */
static inline void fuzz_render_doc(FILE *sink, const doc *d)
{
    doc_render(d, &markup_md, sink, 80, 0);
    doc_render(d, &markup_html, sink, 80, 0);
    doc_render(d, &markup_term, sink, 40, 1);
}

static inline void fuzz_report(report *rep, FILE *sink)
{
    render_source src = {.path = "fuzz.zst", .trace = rep->link,
                         .trace_path = rep->link ? "fuzz.trace" : NULL};
    doc d;
    doc_init(&d);
    if (render_report_doc(&d, rep, &src) == 0)
        fuzz_render_doc(sink, &d);
    doc_free(&d);
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

/*
 * A payload as a dump file: compressed at level 1 (a mutation then reaches
 * the record decoders instead of dying in zstd), or as it is when it is
 * zstd already (mkdump's files).  Returns a malloc'd copy, or NULL.
 */
static inline uint8_t *fuzz_compress(const uint8_t *data, size_t size, size_t *out)
{
    static const uint8_t zstd_magic[] = {0x28, 0xb5, 0x2f, 0xfd};
    if (size >= 4 && memcmp(data, zstd_magic, 4) == 0) {
        uint8_t *copy = malloc(size ? size : 1);
        if (copy)
            memcpy(copy, data, size);
        *out = size;
        return copy;
    }
    size_t cap = ZSTD_compressBound(size);
    uint8_t *compressed = malloc(cap);
    size_t n = compressed ? ZSTD_compress(compressed, cap, data, size, 1) : 0;
    if (!compressed || ZSTD_isError(n)) {
        free(compressed);
        return NULL;
    }
    *out = n;
    return compressed;
}

/* The bytes in a new temporary file; its malloc'd path, or NULL. */
static inline char *fuzz_temp_file(const uint8_t *data, size_t size)
{
    char *name = strdup("/tmp/heapan-fuzz-XXXXXX");
    int fd = name ? mkstemp(name) : -1;
    if (fd < 0) {
        free(name);
        return NULL;
    }
    int written = write(fd, data, size) == (ssize_t)size;
    close(fd);
    if (!written) {
        unlink(name);
        free(name);
        return NULL;
    }
    return name;
}

/* The input layer, as info and check read a file: its counts, and its integrity. */
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
}

/* The trace's four renderers. */
static inline void fuzz_render_trace(const trace *t)
{
    FILE *sink = fopen("/dev/null", "w");
    if (!sink)
        return;
    doc d;
    doc_init(&d);
    if (render_trace_doc(&d, t, "fuzz.trace", 10) == 0)
        fuzz_render_doc(sink, &d);
    doc_free(&d);
    render_trace_json(sink, t, "fuzz.trace", 10);
    fclose(sink);
}

/* A heap read from `r` (taken over), reported on with the trace joined in, as JSON. */
static inline void fuzz_report_with_trace(heapan_reader *r, const trace *t)
{
    heap h;
    dominators d = {0};
    retention paths = {0};
    report rep = {0};
    report_options options = {.trace = t};
    FILE *sink = fopen("/dev/null", "w");
    if (heap_load(&h, r, NULL, NULL) == 0 && dominators_compute(&h, &d) == 0 &&
        dominators_build_tree(&d) == 0 && retention_compute(&h, &paths) == 0 &&
        report_build(&h, &d, &paths, &options, &rep) == 0 && sink) {
        render_source src = {.path = "fuzz.zst", .trace = rep.link, .trace_path = "fuzz.trace"};
        render_json(sink, &rep, &src);
    }
    if (sink)
        fclose(sink);
    report_release(&rep);
    retention_release(&paths);
    dominators_release(&d);
    heap_release(&h);
}

/* One side of a comparison, as `heapan compare` opens it. */
typedef struct fuzz_side {
    heap h;
    dominators d;
    retention paths;
    report rep;
    uint8_t *file;
    int loaded, ready;
} fuzz_side;

static inline int fuzz_open_side(fuzz_side *s, const uint8_t *data, size_t size,
                                 const structure_index *baseline)
{
    memset(s, 0, sizeof *s);
    size_t n;
    heapan_reader *r;
    if (!(s->file = fuzz_compress(data, size, &n)))
        return -1;
    if (heapan_reader_open_memory(&r, s->file, n) != HEAPAN_OK) {
        heapan_reader_close(r);
        return -1;
    }
    s->loaded = 1;
    report_options options = {.baseline = baseline};
    /* compare refuses a dump with warnings: a comparison with it would mislead */
    s->ready = heap_load(&s->h, r, NULL, NULL) == 0 && s->h.warning_count == 0 &&
               dominators_compute(&s->h, &s->d) == 0 && dominators_build_tree(&s->d) == 0 &&
               retention_compute(&s->h, &s->paths) == 0 &&
               report_build(&s->h, &s->d, &s->paths, &options, &s->rep) == 0;
    return s->ready ? 0 : -1;
}

static inline void fuzz_close_side(fuzz_side *s)
{
    report_release(&s->rep);
    retention_release(&s->paths);
    dominators_release(&s->d);
    if (s->loaded)
        heap_release(&s->h);
    free(s->file);
}

/* Two payloads compared with a limit of every scope, and as leaks, through every renderer. */
static inline void fuzz_compare(const uint8_t *a, size_t a_size, const uint8_t *b, size_t b_size)
{
    static const char *const specs[] = {"10%", "1MB", "type:app.Node=+20%", "module:app=+1KB",
                                        "site:app.py=+5%", "path:module app . CACHE=+1MB"};
    enum { SPECS = sizeof specs / sizeof *specs };
    gate_limit limits[SPECS];
    size_t limit_count = 0;
    char error[256];
    for (size_t k = 0; k < SPECS; k++)
        if (gate_parse(specs[k], &limits[limit_count], error, sizeof error) == 0)
            limit_count++;
    fuzz_side base = {0}, now = {0};
    structure_index baseline = {0};
    if (fuzz_open_side(&base, a, a_size, NULL) == 0 &&
        structure_index_build(&baseline, &base.h, &base.d, &base.paths) == 0 &&
        fuzz_open_side(&now, b, b_size, &baseline) == 0) {
        comparison c = {0};
        compare_summary summary = {0};
        FILE *sink = fopen("/dev/null", "w");
        compare_source src = {"base.zst", "new.zst", NULL};
        if (compare_summary_build(&base.rep, &baseline, &summary) == 0 &&
            compare_build(&summary, &now.rep, &now.paths, limits, limit_count, 64 << 10, &c) == 0 &&
            sink) {
            doc d;
            doc_init(&d);
            if (render_compare_doc(&d, &c, &src) == 0)
                fuzz_render_doc(sink, &d);
            doc_free(&d);
            render_compare_json(sink, &c, &src);
        }
        survivors found;  /* the same two payloads, their objects matched by identity */
        if (survivors_find(&base.h, NULL, &now.rep, &now.paths, &(survivors_options){1, NULL, 0}, &found) == 0 && sink) {
            leaks_source from = {"base.zst", NULL, "new.zst", 1024, 10};
            doc d;
            doc_init(&d);
            if (render_leaks_doc(&d, &found, &now.rep, &from) == 0)
                fuzz_render_doc(sink, &d);
            doc_free(&d);
            render_leaks_json(sink, &found, &now.rep, &from);
        }
        survivors_release(&found);
        trend series;  /* and as a series of two */
        char *files[] = {"base.zst", "new.zst"};
        if (trend_init(&series, 2) == 0 && trend_add(&series, 0, &base.h, &base.d, &base.paths) == 0 &&
            trend_add(&series, 1, &now.h, &now.d, &now.paths) == 0 && trend_finish(&series, 10) == 0 &&
            sink) {
            doc d;
            doc_init(&d);
            if (render_trend_doc(&d, &series, files) == 0)
                fuzz_render_doc(sink, &d);
            doc_free(&d);
            render_trend_json(sink, &series, files);
        }
        trend_release(&series);
        if (sink)
            fclose(sink);
        compare_release(&c);
        compare_summary_release(&summary);
    }
    fuzz_close_side(&now);
    fuzz_close_side(&base);
    structure_index_release(&baseline);
    for (size_t k = 0; k < limit_count; k++)
        gate_release(&limits[k]);
}

#endif
