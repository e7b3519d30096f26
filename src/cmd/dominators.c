/* cmd_dominators.c: `heapan dominators DUMP`: the dominator tree, biggest first. */
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>

#include "cmd/analysis.h"
#include "cmd/cliopt.h"
#include "cmd/command.h"
#include "cmd/dumpopen.h"
#include "model/histogram.h"
#include "msg.h"
#include "model/paths.h"
#include "textout.h"
#include "model/sort.h"

typedef struct tree_view {
    const analysis *a;
    retention paths;  /* names the objects several roots hold */
    uint64_t depth, width, min_size;
    int failed;
} tree_view;

/* How v hangs from its dominator: its root, or the reference that leads to it. */
static void print_how_held(const tree_view *view, uint32_t v)
{
    const heap *h = &view->a->heap;
    uint32_t d = view->a->dom.idom[v];
    char *label = NULL;
    const char *gap = NULL;
    if (d == HEAP_NONE) {
        for (size_t k = 0; k < h->root_count && !label; k++)
            if (h->roots[k].object == v)
                label = root_text(h, k);
        if (!label && h->flags[v] & HEAP_OBJ_UNREACHABLE) {
            fputs("  (unreachable)", stdout);
            return;
        }
        path p;
        if (!label && path_find(h, &view->paths, v, HEAP_NONE, &p) > 0) {
            label = path_text(h, &p);
            path_release(&p);
            gap = "  held by several roots, e.g. ";
        }
    } else {
        uint64_t e = heap_find_edge(h, d, v);
        if (e != UINT64_MAX)
            label = edge_text(h, e, v);
    }
    if (label) {
        fputs(gap ? gap : label[0] == ' ' ? " " : "  ", stdout);
        print_cstr(stdout, label);
        free(label);
    }
}

static void print_node(const tree_view *view, uint32_t v, uint64_t depth)
{
    const analysis *a = view->a;
    char retained[32], type[1024];
    double share = a->heap.total_size
                       ? 100.0 * (double)a->dom.retained_size[v] / (double)a->heap.total_size
                       : 0.0;
    printf("%11s %6.1f%% %10" PRIu32 "  %*s",
           format_bytes(a->dom.retained_size[v], retained, sizeof retained), share,
           a->dom.retained_count[v], (int)(2 * depth), "");
    print_cstr(stdout, group_name(&a->heap, GROUP_BY_TYPE, a->heap.type[v], type, sizeof type));
    printf("@0x%" PRIx64, a->heap.address[v]);
    print_how_held(view, v);
    fputc('\n', stdout);
}

/* The children of `node` worth showing, biggest first; -1 when out of memory. */
static long shown_children(const tree_view *view, uint32_t node, uint32_t **out)
{
    const dominators *d = &view->a->dom;
    uint32_t first = d->child_start[node], count = d->child_start[node + 1] - first;
    ranked *kids = malloc((count ? count : 1) * sizeof *kids);
    if (!kids)
        return -1;
    long kept = 0;
    for (uint32_t k = 0; k < count; k++) {
        uint32_t v = d->child[first + k];
        if (d->retained_size[v] >= view->min_size)
            kids[kept++] = (ranked){d->retained_size[v], v};
    }
    sort_items(kids, (size_t)kept, sizeof *kids, ranked_descending);
    uint32_t *order = (uint32_t *)kids;  /* compacted in place: each entry shrinks */
    for (long k = 0; k < kept; k++)
        order[k] = kids[k].object;
    *out = order;
    return kept;
}

/* Depth-first, on an explicit stack: the tree can be millions deep. */
static int print_tree(tree_view *view)
{
    typedef struct frame {
        uint32_t *kids;
        long count, next;
    } frame;
    frame *stack = calloc(view->depth + 1, sizeof *stack);
    if (!stack)
        return -1;
    size_t sp = 0;
    long count = shown_children(view, view->a->dom.count, &stack[0].kids);
    int failed = count < 0;
    stack[0].count = count;
    while (!failed) {
        frame *f = &stack[sp];
        uint64_t shown_limit = view->width ? view->width : UINT64_MAX;
        if (f->next >= f->count || (uint64_t)f->next >= shown_limit) {
            if (f->count > f->next)
                printf("%11s %7s %10s  %*s... %ld more\n", "", "", "", (int)(2 * sp), "",
                       f->count - f->next);
            free(f->kids);
            if (sp == 0)
                break;
            sp--;
            continue;
        }
        uint32_t v = f->kids[f->next++];
        print_node(view, v, sp);
        if (sp + 1 < view->depth) {
            frame *child = &stack[++sp];
            *child = (frame){0};
            if ((child->count = shown_children(view, v, &child->kids)) < 0)
                failed = 1;
        }
    }
    for (size_t i = 1; failed && i <= sp; i++)
        free(stack[i].kids);
    free(stack);
    return failed ? -1 : 0;
}

int cmd_dominators(int argc, char **argv)
{
    static const struct option options[] = {{"depth", required_argument, NULL, 'd'},
                                            {"min-size", required_argument, NULL, 'm'},
                                            {"limit", required_argument, NULL, 'n'},
                                            {"progress", required_argument, NULL, 'p'},
                                            {NULL, 0, NULL, 0}};
    tree_view view = {.depth = 4, .width = 10};
    size_spec min_size = {.percent = 0.1};
    progress_mode progress = PROGRESS_AUTO;
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":d:m:n:", options, NULL)) != -1) {
        if (c == 'd')
            view.depth = parse_count("dominators", "--depth", optarg);
        else if (c == 'm')
            min_size = parse_size("dominators", "--min-size", optarg);
        else if (c == 'n')
            view.width = parse_count("dominators", "-n", optarg);
        else if (c == 'p')
            progress = parse_progress("dominators", optarg);
        else
            bad_option("dominators", c, argv);
    }
    if (view.depth == 0 || view.depth > 10000)
        usage_error("dominators", "dominators: --depth takes 1 to 10000, not %" PRIu64,
                    view.depth);
    const char *dump = single_operand("dominators", "DUMP", argc, argv, optind);
    analysis a;
    if (analysis_open(&a, dump, progress, ANALYSIS_TREE | ANALYSIS_LABELS) < 0) {
        analysis_close(&a);
        return EXIT_TROUBLE;
    }
    view.a = &a;
    view.min_size = min_size.percent > 0
                        ? (uint64_t)(min_size.percent / 100.0 * (double)a.heap.total_size)
                        : min_size.bytes;
    phases_next(&a.phases, "paths");
    int failed = retention_compute(&a.heap, &view.paths) < 0;
    phases_next(&a.phases, "report");
    analysis_print_summary(&a);
    printf("\n%11s %7s %10s  %s\n", "retained", "%", "objects", "object");
    failed = failed || print_tree(&view) < 0;
    if (failed)
        dump_out_of_memory(dump);
    fflush(stdout);
    phases_next(&a.phases, NULL);
    retention_release(&view.paths);
    int code = failed ? EXIT_TROUBLE : analysis_exit_code(&a);
    analysis_close(&a);
    return code;
}

const command cmd_dominators_entry = {
    "dominators", cmd_dominators, "[--depth D] [--min-size SIZE] [-n N] DUMP",
    "the dominator tree: what keeps what alive, biggest first",
    "  -d, --depth D      levels to show (default 4)\n"
    "  -m, --min-size SIZE  hide subtrees retaining less: 64K, 1.5MiB, 1% (default 0.1%)\n"
    "  -n, --limit N      children shown per object (default 10, 0: all)\n"
    "      --progress=WHEN  auto (on a terminal), always or never\n"};
