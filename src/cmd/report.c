/* cmd_report.c: `heapan report DUMP -o report.html|.md|.json`: leak candidates and suggestions. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/analysis.h"
#include "cmd/cliopt.h"
#include "cmd/command.h"
#include "cmd/docout.h"
#include "cmd/dumpopen.h"
#include "report/filters.h"
#include "msg.h"
#include "output.h"
#include "render/render.h"
#include "report/report.h"
#include "report/structures.h"
#include "trace/link.h"

#define FORMAT_FROM_NAME (-1)

typedef struct report_args {
    const char *output;
    int format;
    color_mode color;
    size_spec min_retained, big_retainer;
    uint64_t top;
    progress_mode progress;
    filters *filters;
    const char *trace, *baseline;
    int own_code;
} report_args;

static void add_filter(report_args *args, filter_rule rule, const char *option, const char *pattern)
{
    char reason[300];
    if (filters_add(args->filters, rule, pattern, reason, sizeof reason) < 0)
        usage_error("report", "report: %s '%s': %s", option, pattern, reason);
}

static void parse_args(int argc, char **argv, report_args *args)
{
    static const struct option options[] = {
        {"output", required_argument, NULL, 'o'},      {"format", required_argument, NULL, 'f'},
        {"top", required_argument, NULL, 'n'},         {"min-retained", required_argument, NULL, 'm'},
        {"big-retainer", required_argument, NULL, 'b'}, {"include-type", required_argument, NULL, 'I'},
        {"exclude-type", required_argument, NULL, 'X'}, {"exclude-site", required_argument, NULL, 'S'},
        {"suppress", required_argument, NULL, 's'},    {"progress", required_argument, NULL, 'p'},
        {"trace", required_argument, NULL, 't'},       {"baseline", required_argument, NULL, 'B'},
        {"own-code", no_argument, NULL, 'O'},          {"color", required_argument, NULL, 'C'},
        {NULL, 0, NULL, 0}};
    int c;
    char reason[600];
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":o:f:n:m:", options, NULL)) != -1) {
        switch (c) {
        case 'o': args->output = optarg; break;
        case 'f':
            args->format = parse_choice("report", "--format", optarg,
                                        (const char *const[]){"text", "md", "html", "json", NULL});
            break;
        case 'n': args->top = parse_count("report", "--top", optarg); break;
        case 'm': args->min_retained = parse_size("report", "--min-retained", optarg); break;
        case 'b': args->big_retainer = parse_size("report", "--big-retainer", optarg); break;
        case 'I': add_filter(args, FILTER_INCLUDE_TYPE, "--include-type", optarg); break;
        case 'X': add_filter(args, FILTER_EXCLUDE_TYPE, "--exclude-type", optarg); break;
        case 'S': add_filter(args, FILTER_EXCLUDE_SITE, "--exclude-site", optarg); break;
        case 's':
            if (filters_load(args->filters, optarg, reason, sizeof reason) < 0) {
                errorf("%s: %s", optarg, reason);
                filters_free(args->filters);
                exit(EXIT_TROUBLE);
            }
            break;
        case 'p': args->progress = parse_progress("report", optarg); break;
        case 't': args->trace = optarg; break;
        case 'B': args->baseline = optarg; break;
        case 'O': args->own_code = 1; break;
        case 'C': args->color = parse_color("report", optarg); break;
        default: bad_option("report", c, argv);
        }
    }
    if (args->top == 0 || args->top > 1000)
        usage_error("report", "report: --top takes 1 to 1000");
    if (args->format == FORMAT_FROM_NAME)
        args->format = (int)output_format_of("report", args->output, stdout_format(OUTPUT_MARKDOWN));
}

static uint64_t resolve_size(size_spec spec, uint64_t total)
{
    return spec.percent > 0 ? (uint64_t)(spec.percent / 100.0 * (double)total) : spec.bytes;
}

static int write_report(const report *r, const report_args *args, const char *dump)
{
    output_file o;
    if (output_open(&o, args->output) < 0)
        return EXIT_TROUBLE;
    FILE *out = o.f;
    render_source src = {.path = dump, .trace = r->link, .trace_path = args->trace,
                         .baseline_path = args->baseline};
    int failed;
    if (args->format == OUTPUT_JSON) {
        failed = render_json(out, r, &src) < 0;
    } else {
        doc d;
        doc_init(&d);
        failed = render_report_doc(&d, r, &src) < 0 ||
                 write_doc(out, &d, (output_format)args->format, args->color) < 0;
        doc_free(&d);
    }
    if (failed)
        dump_out_of_memory(dump);
    return output_close(&o, !failed) < 0 ? EXIT_TROUBLE : EXIT_OK;
}

/* The text of the most repeated strings, from a second read of the dump. */
static void read_example_values(report *r, const char *dump)
{
    for (size_t i = 0; i < r->suggestion_count; i++) {
        suggestion *s = &r->suggestions[i];
        if (s->kind == SUGGEST_DEDUPE_STRINGS && s->object != HEAP_NONE && r->heap->name)
            s->example_value = strdup(heap_string(r->heap, r->heap->name[s->object], NULL));
        else if (s->kind == SUGGEST_INTERN_STRINGS && s->object != HEAP_NONE)
            s->example_value = dump_value_text(dump, r->heap->address[s->object]);
    }
}

/* Loads the --trace file; 0, or -1 after saying why. */
static int load_trace(trace *t, const char *file)
{
    heapan_reader *r = trace_open(file);
    if (!r)
        return -1;
    if (trace_load(t, r) < 0) {
        dump_out_of_memory(file);
        trace_release(t);
        return -1;
    }
    for (size_t k = 0; k < t->warning_count; k++)
        warnf("%s: %s", file, t->warnings[k]);
    return 0;
}

/* The structures of the --baseline dump, the dump itself released; 0, or -1 after saying why. */
static int load_baseline(structure_index *ix, const report_args *args)
{
    analysis a;
    retention paths = {0};
    int failed = analysis_open(&a, args->baseline, args->progress, ANALYSIS_LABELS) < 0;
    if (!failed && (retention_compute(&a.heap, &paths) < 0 ||
                    structure_index_build(ix, &a.heap, &a.dom, &paths) < 0)) {
        dump_out_of_memory(args->baseline);
        failed = 1;
    }
    retention_release(&paths);
    analysis_close(&a);
    return failed ? -1 : 0;
}

/* Builds the report, with the trace and the baseline if given, and writes it. */
static int build_and_write(analysis *a, const report_args *args, const char *dump, trace *t,
                           const structure_index *baseline)
{
    retention paths = {0};
    report r = {0};
    report_options o = {.min_retained = resolve_size(args->min_retained, a->heap.total_size),
                        .big_share = args->big_retainer.percent > 0
                                         ? args->big_retainer.percent / 100.0
                                         : (double)args->big_retainer.bytes /
                                               (double)(a->heap.total_size ? a->heap.total_size : 1),
                        .top = args->top, .accept_type = filters_accept_type,
                        .include_type = filters_include_type,
                        .accept_site = filters_accept_site, .filter_ctx = args->filters,
                        .own_code = args->own_code, .trace = t, .baseline = baseline};
    int code = EXIT_TROUBLE;
    if (retention_compute(&a->heap, &paths) < 0 || report_build(&a->heap, &a->dom, &paths, &o, &r) < 0) {
        dump_out_of_memory(dump);
    } else {
        /* Built: the progress line goes before anything is said or written. */
        phases_next(&a->phases, NULL);
        char **lines;
        for (size_t k = 0, n = filters_warnings(args->filters, &lines); k < n; k++)
            warnf("%s", lines[k]);
        read_example_values(&r, dump);
        if ((code = write_report(&r, args, dump)) == EXIT_OK)
            code = analysis_exit_code(a) == EXIT_OK && !(t && t->warning_count) ? EXIT_OK
                                                                                : EXIT_FOUND;
    }
    report_release(&r);
    retention_release(&paths);
    return code;
}

int cmd_report(int argc, char **argv)
{
    report_args args = {.output = "-", .format = FORMAT_FROM_NAME, .top = 10,
                        .big_retainer = {.percent = 20}, .progress = PROGRESS_AUTO};
    if (!(args.filters = filters_new())) {
        errorf("out of memory");
        return EXIT_TROUBLE;
    }
    parse_args(argc, argv, &args);
    const char *dump = single_operand("report", "DUMP", argc, argv, optind);
    if (output_check(args.output) < 0) {
        filters_free(args.filters);
        return EXIT_TROUBLE;
    }
    trace t = {0};
    structure_index baseline = {0};
    if ((args.trace && load_trace(&t, args.trace) < 0) ||
        (args.baseline && load_baseline(&baseline, &args) < 0)) {
        if (args.trace)
            trace_release(&t);
        filters_free(args.filters);
        return EXIT_TROUBLE;
    }
    analysis a;
    int code = EXIT_TROUBLE;
    if (analysis_open(&a, dump, args.progress, ANALYSIS_TREE | ANALYSIS_LABELS) == 0) {
        phases_next(&a.phases, "report");
        code = build_and_write(&a, &args, dump, args.trace ? &t : NULL,
                               args.baseline ? &baseline : NULL);
        phases_next(&a.phases, NULL);
    }
    if (args.trace)
        trace_release(&t);
    structure_index_release(&baseline);
    analysis_close(&a);
    filters_free(args.filters);
    return code;
}

const command cmd_report_entry = {
    "report", cmd_report, "[-o FILE] [--format text|md|html|json] [OPTIONS] DUMP",
    "what holds the memory, what grows, and what to do first",
    "  -o, --output FILE  write here; .txt, .md, .html or .json picks the format\n"
    "                     (default: for the terminal on one, else Markdown)\n"
    "  -f, --format FMT   text, md, html or json, whatever the file name\n"
    "      --color=WHEN   auto (a terminal, NO_COLOR unset), always or never\n"
    "  -n, --top N        findings and suggestions kept (default 10)\n"
    "  -m, --min-retained SIZE  findings retain at least this (default 2%)\n"
    "      --big-retainer SIZE  one object this big is a finding (default 20%)\n"
    "      --include-type REGEX  only findings about matching types\n"
    "      --exclude-type REGEX  no findings about matching types\n"
    "      --exclude-site REGEX  no findings allocated at matching sites\n"
    "      --suppress FILE    rules: 'type REGEX' or 'site REGEX' per line\n"
    "      --trace TRACE      join an allocation trace of the same process:\n"
    "                         what its growing sites allocated is a leak\n"
    "      --baseline DUMP    an earlier dump: what grew since is a leak\n"
    "      --own-code         no suggestions for the libraries' code\n"
    "      --progress=WHEN  auto (on a terminal), always or never\n"};
