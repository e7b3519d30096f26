/* cmd_top.c: `heapan top DUMP`: the heap by type, module or site, by retained size. */
#include <getopt.h>
#include <inttypes.h>
#include <string.h>

#include "cmd/analysis.h"
#include "cmd/cliopt.h"
#include "cmd/command.h"
#include "cmd/dumpopen.h"
#include "model/histogram.h"
#include "msg.h"
#include "textout.h"

static void print_table(const heap *h, const histogram *hist, uint64_t limit)
{
    static const char *const what[] = {"type", "module", "site", "site in the program"};
    static const char *const plural[] = {"types", "modules", "sites", "sites"};
    printf("\n%11s %7s %11s %11s  %s\n", "retained", "%", "shallow", "count", what[hist->by]);
    for (size_t i = 0; i < hist->count && (limit == 0 || i < limit); i++) {
        const group_row *row = &hist->rows[i];
        char retained[32], shallow[32], name[1024];
        double share = h->total_size ? 100.0 * (double)row->retained_size / (double)h->total_size
                                     : 0.0;
        printf("%11s %6.1f%% %11s %11" PRIu64 "  ",
               format_bytes(row->retained_size, retained, sizeof retained), share,
               format_bytes(row->shallow_size, shallow, sizeof shallow), row->count);
        print_cstr(stdout, group_name(h, hist->by, row->key, name, sizeof name));
        fputc('\n', stdout);
    }
    if (limit && hist->count > limit)
        printf("... and %zu more %s (-n 0 lists all)\n", hist->count - (size_t)limit,
               plural[hist->by]);
}

/* The heap by the program's own allocation frames; 1 when out of memory. */
static int program_histogram(analysis *a, const char *path, histogram *hist)
{
    interp in;
    int failed = interp_build(&in, &a->heap) < 0;
    if (!failed && !in.paths_known && a->heap.stack)
        warnf("%s: the dump does not say where the standard library lives; no frame can be "
              "told the program's", path);
    failed = failed || histogram_build_program(&a->heap, &in, &a->dom, hist) < 0;
    interp_release(&in);
    return failed;
}

int cmd_top(int argc, char **argv)
{
    static const struct option options[] = {{"by", required_argument, NULL, 'b'},
                                            {"limit", required_argument, NULL, 'n'},
                                            {"progress", required_argument, NULL, 'p'},
                                            {NULL, 0, NULL, 0}};
    group_by by = GROUP_BY_TYPE;
    uint64_t limit = 20;
    progress_mode progress = PROGRESS_AUTO;
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":b:n:", options, NULL)) != -1) {
        if (c == 'b')
            by = (group_by)parse_choice("top", "--by", optarg,
                                        (const char *const[]){"type", "module", "site", "program", NULL});
        else if (c == 'n')
            limit = parse_count("top", "-n", optarg);
        else if (c == 'p')
            progress = parse_progress("top", optarg);
        else
            bad_option("top", c, argv);
    }
    const char *path = single_operand("top", "DUMP", argc, argv, optind);
    analysis a;
    if (analysis_open(&a, path, progress, ANALYSIS_TREE) < 0) {
        analysis_close(&a);
        return EXIT_TROUBLE;
    }
    if ((by == GROUP_BY_SITE || by == GROUP_BY_PROGRAM) && !a.heap.stack)
        warnf("%s: the dump has no allocation tracebacks; every object's site is unknown", path);
    phases_next(&a.phases, "histogram");
    histogram hist;
    int failed = by == GROUP_BY_PROGRAM ? program_histogram(&a, path, &hist)
                                        : histogram_build(&a.heap, &a.dom, by, &hist) < 0;
    phases_next(&a.phases, "report");
    if (failed) {
        dump_out_of_memory(path);
    } else {
        analysis_print_summary(&a);
        print_table(&a.heap, &hist, limit);
    }
    fflush(stdout);
    phases_next(&a.phases, NULL);
    histogram_release(&hist);
    int code = failed ? EXIT_TROUBLE : analysis_exit_code(&a);
    analysis_close(&a);
    return code;
}

const command cmd_top_entry = {
    "top", cmd_top, "[--by type|module|site] [-n N] DUMP",
    "the heap grouped by type, module or allocation site, by retained size",
    "  -b, --by GROUP     type (default), module, or site (needs tracebacks)\n"
    "  -n, --limit N      show the N largest groups (default 20, 0: all)\n"
    "      --progress=WHEN  auto (on a terminal), always or never\n"};
