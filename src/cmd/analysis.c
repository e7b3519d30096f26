/* analysis.c: open, load and analyse a dump for a command. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cmd/analysis.h"
#include "cmd/dumpopen.h"
#include "msg.h"
#include "input/snapshot.h"
#include "input/snapsource.h"
#include "textout.h"
#include "input/dumpload.h"

/* 0, or -1 after saying why. */
static int load_snapshot(analysis *a, const char *path, int labels)
{
    char why[300];
    int rc = snapshot_load(&a->heap, path, labels, phases_bytes, &a->phases, why, sizeof why);
    if (rc != SNAPSHOT_OK)
        errorf("%s: %s", path, why);
    for (size_t k = 0; rc == SNAPSHOT_OK && k < a->heap.warning_count; k++)
        warnf("%s: %s", path, a->heap.warnings[k]);
    return rc == SNAPSHOT_OK ? 0 : -1;
}

/* 0, or -1 after saying why. */
static int load_dump(analysis *a, const char *path)
{
    heapan_reader *r = dump_open(path);
    if (!r)
        return -1;
    if (heapan_reader_header(r)->content == HEAPAN_CONTENT_TRACE) {
        dump_refuse_trace(path);
        heapan_reader_close(r);
        return -1;
    }
    int rc = heap_load(&a->heap, r, phases_bytes, &a->phases);
    /* past the limits, the last warning says which, as the one error */
    size_t warnings = a->heap.warning_count - (rc == HEAP_LOAD_TOO_BIG);
    for (size_t k = 0; k < warnings; k++)
        warnf("%s: %s", path, a->heap.warnings[k]);
    if (rc == HEAP_LOAD_TOO_BIG)
        errorf("%s: %s", path, a->heap.warnings[warnings]);
    else if (rc < 0)
        dump_out_of_memory(path);
    return rc < 0 ? -1 : 0;
}

int analysis_open(analysis *a, const char *path, progress_mode mode, unsigned needs)
{
    memset(a, 0, sizeof *a);
    a->path = path;
    phases_init(&a->phases, mode, path);
    phases_next(&a->phases, "loading");
    int failed = input_kind_of(path) == INPUT_SNAPSHOT
                     ? load_snapshot(a, path, (needs & ANALYSIS_LABELS) != 0) < 0
                     : load_dump(a, path) < 0;
    if (!failed) {
        phases_next(&a->phases, "dominators");
        failed = dominators_compute(&a->heap, &a->dom) < 0 ||
                 ((needs & ANALYSIS_TREE) && dominators_build_tree(&a->dom) < 0);
        if (failed)
            dump_out_of_memory(path);
    }
    phases_next(&a->phases, NULL);
    return failed ? -1 : 0;
}

int analysis_exit_code(const analysis *a)
{
    return a->heap.warning_count ? EXIT_FOUND : EXIT_OK;
}

void analysis_close(analysis *a)
{
    dominators_release(&a->dom);
    heap_release(&a->heap);
}

void analysis_print_summary(const analysis *a)
{
    const heap *h = &a->heap;
    const dominators *d = &a->dom;
    char total[32], reachable[32], unreachable[32];
    printf("%" PRIu32 " object%s, %s; %" PRIu32 " reachable (%s), %" PRIu32
           " unreachable (%s)\n",
           h->count, plural(h->count), format_bytes(h->total_size, total, sizeof total), d->reachable,
           format_bytes(d->reachable_size, reachable, sizeof reachable),
           h->count - d->reachable,
           format_bytes(h->total_size - d->reachable_size, unreachable, sizeof unreachable));
}
