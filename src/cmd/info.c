/* cmd_info.c: `heapan info DUMP`: what a dump holds. */
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cliopt.h"
#include "cmd/command.h"
#include "cmd/dumpopen.h"
#include "model/dumpstats.h"
#include "msg.h"
#include "input/snapshot.h"
#include "input/snapsource.h"
#include "textout.h"
#include "model/warnings.h"
#include "model/sort.h"

static void print_header(const char *path, const heapan_reader *r, const dump_stats *s)
{
    const heapan_header *h = heapan_reader_header(r);
    unsigned major, minor;
    heapan_reader_version(r, &major, &minor);
    char when[64];
    printf("file:        ");
    print_cstr(stdout, path);
    printf("\nformat:      heapan %u.%u, %s, %s\n", major, minor,
           h->content == HEAPAN_CONTENT_TRACE ? "allocation trace" : "heap dump",
           s->status == HEAPAN_END ? "complete" : "INCOMPLETE");
    printf("producer:    ");
    print_cstr(stdout, h->producer);
    printf(" ");
    print_cstr(stdout, h->producer_version);
    printf("\nruntime:     ");
    print_cstr(stdout, h->runtime);
    printf(" ");
    print_cstr(stdout, h->runtime_version);
    printf(", %u-byte pointers\n", h->pointer_size);
    printf("process:     pid %" PRIu64 ", %s\n", h->pid,
           format_time_us(h->time_us, when, sizeof when));
    printf("command:    ");
    for (size_t i = 0; i < h->argc; i++) {
        printf(" ");
        print_cstr(stdout, h->argv[i]);
    }
    printf("\ncontents:    %s%s%s\n", h->flags & HEAPAN_HEADER_VALUES ? "values" : "no values",
           h->flags & HEAPAN_HEADER_TRACEBACKS ? ", tracebacks" : "",
           h->sample_bytes ? ", sampled" : "");
}

static void print_records(const dump_stats *s)
{
    const heapan_counts *c = &s->counts;
    const uint64_t counts[] = {c->strings, c->types,   c->frames, c->stacks,
                               c->shapes,  c->objects, c->refs,   c->roots,
                               c->allocs,  c->frees,   c->samples, c->properties};
    static const unsigned kinds[] = {HEAPAN_REC_STRING, HEAPAN_REC_TYPE,   HEAPAN_REC_FRAME,
                                     HEAPAN_REC_STACK,  HEAPAN_REC_SHAPE,  HEAPAN_REC_OBJECT,
                                     HEAPAN_REC_REF,    HEAPAN_REC_ROOT,   HEAPAN_REC_ALLOC,
                                     HEAPAN_REC_FREE,   HEAPAN_REC_SAMPLE, HEAPAN_REC_PROPERTY};
    printf("\nrecords:\n");
    for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++)
        printf("  %-10s %12" PRIu64 "\n", heapan_record_kind_name(kinds[i]), counts[i]);
    if (s->skipped)
        printf("  %-10s %12" PRIu64 "\n", "unknown", s->skipped);
}

/* "collector:   enabled, thresholds 700 10 10, counts 11 0 0, ..." when the dump says. */
static void print_collector(const dump_stats *s)
{
    if (s->gc_enabled < 0)
        return;
    printf("collector:   %s", s->gc_enabled ? "enabled" : "DISABLED");
    const char *const names[] = {"thresholds", "counts"};
    const int64_t *values[] = {s->gc_threshold, s->gc_count};
    size_t n[] = {s->gc_thresholds, s->gc_counts};
    for (size_t k = 0; k < 2; k++) {
        printf(n[k] ? ", %s" : "", names[k]);
        for (size_t g = 0; g < n[k]; g++)
            printf(" %" PRId64, values[k][g]);
    }
    if (s->gc_freeze_count > 0)
        printf(", %" PRId64 " frozen by gc.freeze() (%" PRIu64 " in this dump)", s->gc_freeze_count,
               s->frozen_objects);
    if (s->gc_garbage > 0)
        printf(", %" PRId64 " in gc.garbage", s->gc_garbage);
    printf("\n");
}

static void print_heap(const dump_stats *s)
{
    char size[32];
    printf("\nobjects:     %" PRIu64 ", %s shallow", s->counts.objects,
           format_bytes(s->shallow_total, size, sizeof size));
    printf(" (%" PRIu64 " with values, %" PRIu64 " with allocation stacks)\n", s->with_value,
           s->with_stack);
    printf("references:  %" PRIu64 " (%" PRIu64 " weak)\n", s->counts.refs, s->weak_refs);
    printf("roots:       %" PRIu64, s->counts.roots);
    const char *sep = " (";
    for (unsigned k = 0; k <= HEAPAN_ROOT_KIND_COUNT; k++) {
        if (!s->roots_by_kind[k])
            continue;
        printf("%s%s %" PRIu64, sep, heapan_root_kind_name(k), s->roots_by_kind[k]);
        sep = ", ";
    }
    printf("%s\n", s->counts.roots ? ")" : "");
    print_collector(s);
}

static void print_trace(const dump_stats *s)
{
    char allocated[32], traced[32], rss[32];
    printf("\nevents:      %" PRIu64 " allocations (%s), %" PRIu64 " frees, over %.3f s\n",
           s->counts.allocs, format_bytes(s->allocated_bytes, allocated, sizeof allocated),
           s->counts.frees, (double)s->last_event_us / 1e6);
    printf("samples:     %" PRIu64 ", peak traced %s, peak RSS %s\n", s->counts.samples,
           format_bytes(s->peak_traced, traced, sizeof traced),
           format_bytes(s->peak_rss, rss, sizeof rss));
}

static void print_type_name(const heapan_reader *r, const type_stats *t)
{
    const char *module = heapan_reader_string(r, t->module, NULL);
    if (module && *module && strcmp(module, "builtins") != 0) {
        print_cstr(stdout, module);
        fputc('.', stdout);
    }
    print_cstr(stdout, heapan_reader_string(r, t->name, NULL));
}

static int print_types(const heapan_reader *r, const dump_stats *s, uint64_t limit)
{
    uint32_t *order = malloc((s->type_count ? s->type_count : 1) * sizeof *order);
    if (!order)
        return -1;
    size_t n = dumpstats_types_by_size(s, order);
    if (n) {
        printf("\ntypes by shallow size:\n  %12s %12s  type\n", "count", "shallow");
        for (size_t i = 0; i < n && (limit == 0 || i < limit); i++) {
            const type_stats *t = &s->types[order[i]];
            char size[32];
            printf("  %12" PRIu64 " %12s  ", t->count, format_bytes(t->shallow, size, sizeof size));
            print_type_name(r, t);
            fputc('\n', stdout);
        }
        if (limit && n > limit)
            printf("  ... and %zu more types (-n 0 lists all)\n", n - (size_t)limit);
    }
    free(order);
    return 0;
}

/* A V8 snapshot: its size, and its types by shallow size, from the heap model. */
static int info_snapshot(const char *path, uint64_t limit)
{
    heap h;
    char why[300], size[32];
    if (snapshot_load(&h, path, 0, NULL, NULL, why, sizeof why) != SNAPSHOT_OK) {
        errorf("%s: %s", path, why);
        heap_release(&h);
        return EXIT_TROUBLE;
    }
    uint64_t weak = 0;
    for (uint64_t e = 0; e < h.edge_count; e++)
        weak += (h.out_target[e] & HEAP_WEAK_BIT) != 0;
    printf("file:        ");
    print_cstr(stdout, path);
    printf("\nformat:      V8 heap snapshot, complete\n");
    printf("\nnodes:       %" PRIu32 ", %s self size\n", h.count,
           format_bytes(h.total_size, size, sizeof size));
    printf("edges:       %" PRIu64 " (%" PRIu64 " weak, shortcut or not the program's)\n",
           h.edge_count, weak);
    uint64_t *shallow = calloc(h.type_count + 1, sizeof *shallow), *count = calloc(h.type_count + 1, sizeof *count);
    ranked *order = malloc((h.type_count + 1) * sizeof *order);
    int failed = !shallow || !count || !order;
    for (uint32_t i = 0; !failed && i < h.count; i++)
        shallow[h.type[i]] += h.size[i], count[h.type[i]]++;
    size_t n = 0;
    for (uint32_t t = 1; !failed && t < h.type_count; t++)
        if (count[t])
            order[n++] = (ranked){shallow[t], t};
    if (!failed && n) {
        sort_items(order, n, sizeof *order, ranked_descending);
        printf("\ntypes by shallow size:\n  %12s %12s  type\n", "count", "shallow");
        for (size_t i = 0; i < n && (limit == 0 || i < limit); i++) {
            uint32_t t = order[i].object;  /* here a type id */
            printf("  %12" PRIu64 " %12s  ", count[t], format_bytes(shallow[t], size, sizeof size));
            print_cstr(stdout, heap_string(&h, h.types[t].name, NULL));
            fputc('\n', stdout);
        }
        if (limit && n > limit)
            printf("  ... and %zu more types (-n 0 lists all)\n", n - (size_t)limit);
    }
    free(shallow), free(count), free(order);
    heap_release(&h);
    if (failed)
        dump_out_of_memory(path);
    return failed ? EXIT_TROUBLE : EXIT_OK;
}

int cmd_info(int argc, char **argv)
{
    static const struct option options[] = {{"types", required_argument, NULL, 'n'},
                                            {NULL, 0, NULL, 0}};
    uint64_t limit = 10;
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":n:", options, NULL)) != -1) {
        if (c == 'n')
            limit = parse_count("info", "--types", optarg);
        else
            bad_option("info", c, argv);
    }
    const char *path = single_operand("info", "DUMP", argc, argv, optind);
    if (input_kind_of(path) == INPUT_SNAPSHOT)
        return info_snapshot(path, limit);
    heapan_reader *r = dump_open(path);
    if (!r)
        return EXIT_TROUBLE;
    dump_stats s;
    char message[256];
    int failed = dumpstats_collect(r, &s) < 0;
    if (!failed) {
        print_header(path, r, &s);
        print_records(&s);
        if (heapan_reader_header(r)->content == HEAPAN_CONTENT_TRACE || s.counts.allocs)
            print_trace(&s);
        else
            print_heap(&s);
        failed = print_types(r, &s, limit) < 0;
    }
    if (failed)
        dump_out_of_memory(path);
    else if (s.status != HEAPAN_END)
        warnf("%s: %s", path, s.message);
    if (!failed && s.skipped)
        warnf("%s: %s", path, warning_skipped_records(s.skipped, message, sizeof message));
    if (!failed && s.sizes_clamped)
        warnf("%s: sizes past 64 PiB an object or 8 EiB in all are shown clamped", path);
    dumpstats_release(&s);
    heapan_reader_close(r);
    if (failed)
        return EXIT_TROUBLE;
    return s.status == HEAPAN_END && !s.skipped && !s.sizes_clamped ? EXIT_OK : EXIT_FOUND;
}

const command cmd_info_entry = {
    "info", cmd_info, "[-n N] DUMP",
    "show what a dump holds: producer, process, counts, types",
    "  -n, --types N  list the N types with the most shallow bytes (default 10, 0: all)\n"};
