/* cmd_paths.c: `heapan paths DUMP`: how objects are held, from a root down. */
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/analysis.h"
#include "cmd/cliopt.h"
#include "cmd/command.h"
#include "cmd/dumpopen.h"
#include "model/histogram.h"
#include "msg.h"
#include "model/paths.h"
#include "textout.h"
#include "model/sort.h"

static void print_object(const analysis *a, uint32_t v)
{
    char shallow[32], retained[32], type[1024];
    printf("0x%" PRIx64 " ", a->heap.address[v]);
    print_cstr(stdout, group_name(&a->heap, GROUP_BY_TYPE, a->heap.type[v], type, sizeof type));
    printf(", %s shallow, %s retained (%" PRIu32 " object%s)\n",
           format_bytes(a->heap.size[v], shallow, sizeof shallow),
           format_bytes(a->dom.retained_size[v], retained, sizeof retained),
           a->dom.retained_count[v], a->dom.retained_count[v] == 1 ? "" : "s");
}

/* Prints one path; -1 when out of memory. */
static int print_path(const analysis *a, const retention *r, uint32_t v, uint32_t via)
{
    path p;
    int found = path_find(&a->heap, r, v, via, &p);
    if (found <= 0)
        return found;
    char *line = path_text(&a->heap, &p);
    path_release(&p);
    if (!line)
        return -1;
    fputs("  ", stdout);
    print_cstr(stdout, line);
    fputc('\n', stdout);
    free(line);
    return 1;
}

/* The shortest path, then others through each other referrer, shortest first. */
static int print_object_paths(const analysis *a, const retention *r, uint32_t v, uint64_t limit)
{
    const heap *h = &a->heap;
    print_object(a, v);
    if (r->parent[v] == HEAP_NONE) {
        printf("  unreachable: no root holds it (garbage the collector has not freed)\n");
        return 0;
    }
    if (print_path(a, r, v, HEAP_NONE) < 0)
        return -1;
    size_t count = 0;
    ranked *others = malloc((h->in_start[v + 1] - h->in_start[v] + 1) * sizeof *others);
    if (!others)
        return -1;
    for (uint32_t k = h->in_start[v]; k < h->in_start[v + 1]; k++) {
        uint32_t s = h->in_source[k];
        if (s & HEAP_WEAK_BIT || s == r->parent[v] || s == v || r->parent[s] == HEAP_NONE)
            continue;
        path p;
        if (path_find(h, r, v, s, &p) < 0) {
            free(others);
            return -1;
        }
        others[count++] = (ranked){UINT64_MAX - path_length(&p), s};
        path_release(&p);
    }
    sort_items(others, count, sizeof *others, ranked_descending);
    int failed = 0;
    for (size_t i = 0; i < count && (limit == 0 || i + 1 < limit) && !failed; i++)
        if (i == 0 || others[i].object != others[i - 1].object)
            failed = print_path(a, r, v, others[i].object) < 0;
    free(others);
    return failed ? -1 : 0;
}

static int type_matches(const heap *h, uint32_t type, const char *name)
{
    char full[1024];
    return strcmp(group_name(h, GROUP_BY_TYPE, type, full, sizeof full), name) == 0 ||
           (type < h->type_count && strcmp(heap_string(h, h->types[type].name, NULL), name) == 0);
}

/* The `limit` objects of type `name` that retain the most, each with its path. */
static int print_type_paths(const analysis *a, const retention *r, const char *name,
                            uint64_t limit, size_t *matched)
{
    const heap *h = &a->heap;
    uint8_t *wanted = calloc(h->type_count ? h->type_count : 1, 1);
    ranked *found = malloc((h->count ? h->count : 1) * sizeof *found);
    if (!wanted || !found) {
        free(wanted), free(found);
        return -1;
    }
    for (uint32_t t = 1; t < h->type_count; t++)
        wanted[t] = type_matches(h, t, name) != 0;
    *matched = 0;
    for (uint32_t v = 0; v < h->count; v++)
        if (h->type[v] < h->type_count && wanted[h->type[v]])
            found[(*matched)++] = (ranked){a->dom.retained_size[v], v};
    sort_items(found, *matched, sizeof *found, ranked_descending);
    int failed = 0;
    for (size_t i = 0; i < *matched && (limit == 0 || i < limit) && !failed; i++) {
        if (i)
            fputc('\n', stdout);
        print_object(a, found[i].object);
        if (r->parent[found[i].object] == HEAP_NONE)
            printf("  unreachable: no root holds it (garbage the collector has not freed)\n");
        else
            failed = print_path(a, r, found[i].object, HEAP_NONE) < 0;
    }
    if (limit && *matched > limit)
        printf("\n... and %zu more objects of this type (-n 0 lists all)\n",
               *matched - (size_t)limit);
    free(wanted), free(found);
    return failed ? -1 : 0;
}

int cmd_paths(int argc, char **argv)
{
    static const struct option options[] = {{"object", required_argument, NULL, 'o'},
                                            {"type", required_argument, NULL, 't'},
                                            {"limit", required_argument, NULL, 'n'},
                                            {"progress", required_argument, NULL, 'p'},
                                            {NULL, 0, NULL, 0}};
    const char *type = NULL;
    uint64_t address = 0, limit = 5;
    progress_mode progress = PROGRESS_AUTO;
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":o:t:n:", options, NULL)) != -1) {
        if (c == 'o')
            address = parse_address("paths", "--object", optarg);
        else if (c == 't')
            type = optarg;
        else if (c == 'n')
            limit = parse_count("paths", "-n", optarg);
        else if (c == 'p')
            progress = parse_progress("paths", optarg);
        else
            bad_option("paths", c, argv);
    }
    if (!address == !type)
        usage_error("paths", "paths: give one of --object ADDR and --type NAME");
    const char *dump = single_operand("paths", "DUMP", argc, argv, optind);
    analysis a;
    if (analysis_open(&a, dump, progress, ANALYSIS_LABELS) < 0) {
        analysis_close(&a);
        return EXIT_TROUBLE;
    }
    phases_next(&a.phases, "paths");
    retention r = {0};
    int failed = retention_compute(&a.heap, &r) < 0, code = analysis_exit_code(&a);
    if (!failed && address) {
        uint32_t v = heap_find_address(&a.heap, address);
        if (v == HEAP_NONE) {
            errorf("%s: no object at 0x%" PRIx64, dump, address);
            code = EXIT_FOUND;
        } else {
            failed = print_object_paths(&a, &r, v, limit) < 0;
        }
    } else if (!failed) {
        size_t matched = 0;
        failed = print_type_paths(&a, &r, type, limit, &matched) < 0;
        if (!failed && !matched) {
            errorf("%s: no object of type '%s'", dump, type);
            code = EXIT_FOUND;
        }
    }
    if (failed)
        dump_out_of_memory(dump);
    fflush(stdout);
    phases_next(&a.phases, NULL);
    retention_release(&r);
    analysis_close(&a);
    return failed ? EXIT_TROUBLE : code;
}

const command cmd_paths_entry = {
    "paths", cmd_paths, "(--object ADDR | --type NAME) [-n N] DUMP",
    "how objects are held: shortest reference paths from the roots",
    "  -o, --object ADDR  paths to the object at ADDR, through up to N referrers\n"
    "  -t, --type NAME    paths to the N objects of type NAME that retain the most\n"
    "  -n, --limit N      how many paths or objects (default 5, 0: all)\n"
    "      --progress=WHEN  auto (on a terminal), always or never\n"};
