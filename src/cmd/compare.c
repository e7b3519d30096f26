/* cmd_compare.c: `heapan compare BASELINE NEW`: what grew, and a CI gate. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cmd/analysis.h"
#include "cmd/cliopt.h"
#include "cmd/command.h"
#include "cmd/docout.h"
#include "model/identity.h"
#include "report/survivors.h"
#include "report/compare.h"
#include "cmd/dumpopen.h"
#include "input/snapsource.h"
#include "report/filters.h"
#include "msg.h"
#include "output.h"
#include "render/compare.h"
#include "report/structures.h"
#include "textout.h"

#define MAX_LIMITS 64

typedef struct compare_args {
    const char *output;
    int format;
    color_mode color;
    gate_limit limits[MAX_LIMITS];
    size_t limit_count;
    size_spec noise;
    progress_mode progress;
    filters *filters;
    int allow_missing;  /* a limit that names nothing waits for it to appear */
} compare_args;

static void release_args(compare_args *args)
{
    for (size_t i = 0; i < args->limit_count; i++)
        gate_release(&args->limits[i]);
    filters_free(args->filters);
}

static void parse_args(int argc, char **argv, compare_args *args)
{
    static const struct option options[] = {
        {"output", required_argument, NULL, 'o'},  {"format", required_argument, NULL, 'f'},
        {"fail-on-growth", required_argument, NULL, 'g'}, {"noise", required_argument, NULL, 'N'},
        {"suppress", required_argument, NULL, 's'}, {"progress", required_argument, NULL, 'p'},
        {"allow-missing", no_argument, NULL, 'm'}, {"color", required_argument, NULL, 'C'},
        {NULL, 0, NULL, 0}};
    int c, format = -1;
    char reason[600];
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":o:f:g:", options, NULL)) != -1) {
        switch (c) {
        case 'o': args->output = optarg; break;
        case 'f':
            format = parse_choice("compare", "--format", optarg,
                                  (const char *const[]){"text", "md", "html", "json", NULL});
            break;
        case 'g':
            if (args->limit_count == MAX_LIMITS)
                usage_error("compare", "compare: at most %d --fail-on-growth limits", MAX_LIMITS);
            if (gate_parse(optarg, &args->limits[args->limit_count], reason, sizeof reason) < 0)
                usage_error("compare", "compare: --fail-on-growth %s", reason);
            args->limit_count++;
            break;
        case 'N': args->noise = parse_size("compare", "--noise", optarg); break;
        case 's':
            if (filters_load(args->filters, optarg, reason, sizeof reason) < 0) {
                errorf("%s: %s", optarg, reason);
                release_args(args);
                exit(EXIT_TROUBLE);
            }
            break;
        case 'p': args->progress = parse_progress("compare", optarg); break;
        case 'm': args->allow_missing = 1; break;
        case 'C': args->color = parse_color("compare", optarg); break;
        default: bad_option("compare", c, argv);
        }
    }
    args->format = format >= 0 ? format : (int)output_format_of("compare", args->output, OUTPUT_TEXT);
}

typedef struct side {
    analysis a;
    retention paths;
    report r;
    int opened;
} side;

/*
 * Loads one dump and builds its report; -1 after saying why.  The new
 * dump's report weighs each finding's growth against the baseline's
 * structures.
 */
static int open_side(side *s, const char *file, const compare_args *args,
                     const structure_index *baseline)
{
    s->opened = 1;  /* closed either way, as analysis_open() asks */
    if (analysis_open(&s->a, file, args->progress, ANALYSIS_TREE | ANALYSIS_LABELS) < 0)
        return -1;
    if (s->a.heap.warning_count) {
        errorf("%s: the dump is incomplete or inconsistent; a comparison with it would mislead",
               file);
        return -1;
    }
    report_options o = {.accept_type = filters_accept_type, .include_type = filters_include_type,
                        .accept_site = filters_accept_site,
                        .filter_ctx = args->filters, .baseline = baseline};
    if (retention_compute(&s->a.heap, &s->paths) < 0 ||
        report_build(&s->a.heap, &s->a.dom, &s->paths, &o, &s->r) < 0) {
        dump_out_of_memory(file);
        return -1;
    }
    return 0;
}

/* Frees what the summary made needless: all of it, or all but the heap model. */
static void reduce_side(side *s, int keep_heap)
{
    report_release(&s->r);
    retention_release(&s->paths);
    dominators_release(&s->a.dom);
    if (!keep_heap && s->opened) {
        heap_release(&s->a.heap);
        s->opened = 0;
    }
}

static void close_side(side *s)
{
    reduce_side(s, 0);
}

/*
 * Could NEW be from the baseline's process?  Only then are objects
 * matched by identity, which reads the baseline's model, so only then is
 * the model kept while NEW loads.  NEW's header tells, when NEW can be
 * read twice; when it cannot be told, the model is kept.
 */
static int may_share_process(const heap *base, const char *now)
{
    struct stat st;
    int regular = strcmp(now, "-") != 0 && stat(now, &st) == 0 && S_ISREG(st.st_mode);
    if (heap_is_v8(base) || (regular && input_kind_of(now) == INPUT_SNAPSHOT))
        return 0;
    if (!regular)
        return 1;
    heapan_reader *r;
    if (heapan_reader_open(&r, now) != HEAPAN_OK) {
        heapan_reader_close(r);
        return 1;
    }
    int same = heapan_reader_header(r)->pid == base->header.pid;
    heapan_reader_close(r);
    return same;
}

static const char *scope_noun(gate_scope scope)
{
    static const char *const nouns[] = {[GATE_TOTAL] = "heap", [GATE_TYPE] = "type",
                                        [GATE_MODULE] = "module", [GATE_SITE] = "allocation site",
                                        [GATE_PATH] = "retention path"};
    return nouns[scope];
}

/*
 * A limit that names nothing disables the gate in silence (a typo, a path
 * written another way): an error unless --allow-missing.  Returns how many.
 */
static size_t refuse_unmatched(const comparison *c, const compare_args *args)
{
    size_t refused = 0;
    for (size_t i = 0; i < c->gate_count && !args->allow_missing; i++) {
        const gate_result *g = &c->gates[i];
        if (g->matched)
            continue;
        char names[600] = "";
        for (size_t k = 0; k < g->nearest_count; k++) {
            size_t used = strlen(names);
            snprintf(names + used, sizeof names - used, "%s'%s'", k ? ", " : "", g->nearest[k]);
        }
        const char *none = g->limit->scope == GATE_SITE
                               ? "none, as neither dump records allocation sites (dump under "
                                 "tracemalloc for them)"
                               : "none";
        errorf("compare: --fail-on-growth %s matches no %s in either dump; nearest: %s "
               "(--allow-missing lets a limit wait for what it names)",
               g->limit->spec, scope_noun(g->limit->scope), g->nearest_count ? names : none);
        refused++;
    }
    return refused;
}

/* With -o, the report goes to a file: the crossed limits are still said, one line each. */
static void say_crossed(const comparison *c)
{
    for (size_t i = 0; i < c->gate_count; i++) {
        const gate_result *g = &c->gates[i];
        char before[32], after[32];
        if (g->crossed)
            errorf("compare: limit crossed: %s: %s -> %s", g->limit->spec,
                   format_bytes(g->before, before, sizeof before),
                   format_bytes(g->after, after, sizeof after));
    }
}

static int write_comparison(const comparison *c, const compare_args *args,
                            const compare_source *src)
{
    output_file o;
    if (output_open(&o, args->output) < 0)
        return -1;
    FILE *out = o.f;
    int failed;
    if (args->format == OUTPUT_JSON) {
        failed = render_compare_json(out, c, src) < 0;
    } else {
        doc d;
        doc_init(&d);
        failed = render_compare_doc(&d, c, src) < 0 ||
                 write_doc(out, &d, (output_format)args->format, args->color) < 0;
        doc_free(&d);
    }
    if (failed)
        errorf("out of memory");
    return output_close(&o, !failed);
}

int cmd_compare(int argc, char **argv)
{
    compare_args args = {.output = "-", .noise = {.bytes = 64 << 10}, .progress = PROGRESS_AUTO};
    if (!(args.filters = filters_new())) {
        errorf("out of memory");
        return EXIT_TROUBLE;
    }
    parse_args(argc, argv, &args);
    if (argc - optind < 2) {
        release_args(&args);
        usage_error("compare", "compare: give two dumps, BASELINE and NEW, or a series of them");
    }
    compare_source src = {argv[optind], argv[argc - 1], NULL};  /* a series: its first and its last */
    if (output_check(args.output) < 0) {
        release_args(&args);
        return EXIT_TROUBLE;
    }
    side sides[2] = {0};
    structure_index baseline = {0};
    compare_summary base_summary = {0};
    int code = EXIT_TROUBLE, opened = open_side(&sides[BASE], src.base, &args, NULL) == 0;
    if (opened && (structure_index_build(&baseline, &sides[BASE].a.heap, &sides[BASE].a.dom,
                                         &sides[BASE].paths) < 0 ||
                   compare_summary_build(&sides[BASE].r, &baseline, &base_summary) < 0)) {
        errorf("out of memory");
        opened = 0;
    }
    /* The baseline is reduced to its summary before NEW loads: the peak is one dump's. */
    int keep_heap = opened && may_share_process(&sides[BASE].a.heap, src.now);
    reduce_side(&sides[BASE], keep_heap);
    if (opened && open_side(&sides[NEW], src.now, &args, &baseline) == 0) {
        char **lines;
        for (size_t k = 0, n = filters_warnings(args.filters, &lines); k < n; k++)
            warnf("%s", lines[k]);
        uint64_t total = base_summary.total_size;
        uint64_t noise = args.noise.percent > 0
                             ? (uint64_t)(args.noise.percent / 100.0 * (double)total)
                             : args.noise.bytes;
        comparison c;
        memset(&c, 0, sizeof c);
        survivors matched;
        /* one process: its objects matched by identity too, beside the meaning */
        int same = keep_heap &&
                   identity_same_process(&sides[BASE].a.heap, &sides[NEW].a.heap) == 1;
        int unmatched = same && survivors_find(&sides[BASE].a.heap, NULL, &sides[NEW].r,
                                               &sides[NEW].paths, &(survivors_options){0},
                                               &matched) < 0;
        src.identity = same && !unmatched ? &matched : NULL;
        if (unmatched || compare_build(&base_summary, &sides[NEW].r, &sides[NEW].paths,
                                       args.limits, args.limit_count, noise, &c) < 0)
            errorf("out of memory");
        else if (refuse_unmatched(&c, &args) == 0 && write_comparison(&c, &args, &src) == 0)
            code = c.crossed ? EXIT_FOUND : EXIT_OK;
        if (code == EXIT_FOUND && strcmp(args.output, "-") != 0)
            say_crossed(&c);
        compare_release(&c);
        if (same)
            survivors_release(&matched);
    }
    close_side(&sides[NEW]);
    close_side(&sides[BASE]);
    structure_index_release(&baseline);
    compare_summary_release(&base_summary);
    release_args(&args);
    return code;
}

const command cmd_compare_entry = {
    "compare", cmd_compare, "[--fail-on-growth SPEC]... [-o FILE] BASELINE NEW | DUMP...",
    "what grew between two dumps, matched by meaning; exit 1 when a limit is crossed",
    "  -g, --fail-on-growth SPEC  exit 1 past this growth: 10%, 50MB,\n"
    "                     type:NAME=+20%, module:NAME=+5MB, site:TEXT=+5MB,\n"
    "                     path:RETENTION PATH=+1MB (repeat for several)\n"
    "      --noise SIZE   percentages ignore growth below this (default 64K)\n"
    "      --allow-missing  a limit naming nothing in either dump passes;\n"
    "                     without it, that is an error (exit 2)\n"
    "  -o, --output FILE  write here; .txt, .md, .html or .json picks the format\n"
    "                     (default: a table on standard output); crossed\n"
    "                     limits are also said on standard error\n"
    "  -f, --format FMT   text, md, html or json\n"
    "      --color=WHEN   auto (a terminal, NO_COLOR unset), always or never\n"
    "      --suppress FILE  rules as in report, for the findings\n"
    "      --progress=WHEN  auto (on a terminal), always or never\n"};
