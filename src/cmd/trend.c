/* cmd/trend.c: `heapan trend DUMP...`: how the top structures, types and modules grew across a series. */
#include <getopt.h>
#include <string.h>

#include "cmd/analysis.h"
#include "cmd/cliopt.h"
#include "cmd/command.h"
#include "cmd/docout.h"
#include "cmd/dumpopen.h"
#include "msg.h"
#include "output.h"
#include "render/trend.h"
#include "report/trend.h"

#define MAX_DUMPS 10000  /* the dumps of one series read in one run */

/* Adds dump k, loaded alone and released after; 0, or -1 after saying why. */
static int add_dump(trend *t, size_t k, const char *file, progress_mode progress)
{
    analysis a;
    retention paths = {0};
    int failed = analysis_open(&a, file, progress, ANALYSIS_TREE | ANALYSIS_LABELS) < 0;
    if (!failed && a.heap.warning_count) {
        errorf("%s: the dump is incomplete or inconsistent; a trend through it would mislead", file);
        failed = 1;
    } else if (!failed && (retention_compute(&a.heap, &paths) < 0 ||
                           trend_add(t, k, &a.heap, &a.dom, &paths) < 0)) {
        dump_out_of_memory(file);
        failed = 1;
    }
    retention_release(&paths);
    analysis_close(&a);
    return failed ? -1 : 0;
}

int cmd_trend(int argc, char **argv)
{
    static const struct option options[] = {
        {"output", required_argument, NULL, 'o'}, {"format", required_argument, NULL, 'f'},
        {"top", required_argument, NULL, 'n'},    {"color", required_argument, NULL, 'C'},
        {"progress", required_argument, NULL, 'p'}, {NULL, 0, NULL, 0}};
    const char *output = "-";
    int c, format = -1;
    uint64_t top = 10;
    color_mode color = COLOR_AUTO;
    progress_mode progress = PROGRESS_AUTO;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":o:f:n:", options, NULL)) != -1) {
        switch (c) {
        case 'o': output = optarg; break;
        case 'f':
            format = parse_choice("trend", "--format", optarg,
                                  (const char *const[]){"text", "md", "html", "json", NULL});
            break;
        case 'n': top = parse_count("trend", "--top", optarg); break;
        case 'C': color = parse_color("trend", optarg); break;
        case 'p': progress = parse_progress("trend", optarg); break;
        default: bad_option("trend", c, argv);
        }
    }
    if (top == 0 || top > 1000)
        usage_error("trend", "trend: --top takes 1 to 1000");
    size_t n = (size_t)(argc - optind);
    if (n < 2 || n > MAX_DUMPS)
        usage_error("trend", "trend: give a series of 2 to %d dumps, oldest first", MAX_DUMPS);
    if (format < 0)
        format = (int)output_format_of("trend", output, OUTPUT_TEXT);
    if (output_check(output) < 0)
        return EXIT_TROUBLE;
    char **files = argv + optind;
    trend t;
    int code = EXIT_TROUBLE, failed = trend_init(&t, n) < 0;
    if (failed)
        errorf("out of memory");
    for (size_t k = 0; k < n && !failed; k++)
        failed = add_dump(&t, k, files[k], progress) < 0;
    if (!failed && trend_finish(&t, (size_t)top) < 0) {
        errorf("out of memory");
        failed = 1;
    }
    output_file o;
    if (!failed && output_open(&o, output) == 0) {
        doc d;
        doc_init(&d);
        int bad = format == OUTPUT_JSON
                      ? render_trend_json(o.f, &t, files) < 0
                      : render_trend_doc(&d, &t, files) < 0 ||
                            write_doc(o.f, &d, (output_format)format, color) < 0;
        doc_free(&d);
        if (bad)
            errorf("out of memory");
        if (output_close(&o, !bad) == 0)
            code = EXIT_OK;
    }
    trend_release(&t);
    return code;
}

const command cmd_trend_entry = {
    "trend", cmd_trend, "[-o FILE] [--format text|md|html|json] [-n N] DUMP...",
    "how the top structures, types and modules grew across a series of dumps",
    "  -n, --top N        rows per table (default 10)\n"
    "  -o, --output FILE  write here; .txt, .md, .html or .json picks the format\n"
    "  -f, --format FMT   text, md, html or json\n"
    "      --color=WHEN   auto (a terminal, NO_COLOR unset), always or never\n"
    "      --progress=WHEN  auto (on a terminal), always or never\n"};
