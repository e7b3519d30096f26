/* cmd/leaks.c: `heapan leaks BASELINE [TARGET] FINAL`: what was allocated after the baseline and survived. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/analysis.h"
#include "cmd/cliopt.h"
#include "cmd/command.h"
#include "cmd/docout.h"
#include "cmd/dumpopen.h"
#include "model/identity.h"
#include "msg.h"
#include "output.h"
#include "render/leaks.h"
#include "report/structures.h"
#include "report/survivors.h"

#define LEAKS_HARNESS_MAX 16

typedef struct leaks_args {
    const char *output;
    int format;
    color_mode color;
    progress_mode progress;
    size_spec limit;
    uint64_t top;
    survivors_options survive;
    const char *harness[LEAKS_HARNESS_MAX];
} leaks_args;

static void parse_args(int argc, char **argv, leaks_args *args)
{
    static const struct option options[] = {
        {"output", required_argument, NULL, 'o'},       {"format", required_argument, NULL, 'f'},
        {"fail-on-leak", required_argument, NULL, 'l'}, {"top", required_argument, NULL, 'n'},
        {"color", required_argument, NULL, 'C'},        {"progress", required_argument, NULL, 'p'},
        {"warmed-up", no_argument, NULL, 'w'},          {"harness", required_argument, NULL, 'H'},
        {NULL, 0, NULL, 0}};
    int c, format = -1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":o:f:n:l:", options, NULL)) != -1) {
        switch (c) {
        case 'o': args->output = optarg; break;
        case 'f':
            format = parse_choice("leaks", "--format", optarg,
                                  (const char *const[]){"text", "md", "html", "json", NULL});
            break;
        case 'l':
            args->limit = parse_size("leaks", "--fail-on-leak", optarg);
            if (args->limit.percent > 0)
                usage_error("leaks", "leaks: --fail-on-leak takes a size (1MB), not a share");
            break;
        case 'w': args->survive.warmed_up = 1; break;
        case 'H':
            if (args->survive.harness_count == LEAKS_HARNESS_MAX || !*optarg)
                usage_error("leaks", "leaks: --harness takes a module name, at most %d times",
                            LEAKS_HARNESS_MAX);
            args->harness[args->survive.harness_count++] = optarg;
            break;
        case 'n': args->top = parse_count("leaks", "--top", optarg); break;
        case 'C': args->color = parse_color("leaks", optarg); break;
        case 'p': args->progress = parse_progress("leaks", optarg); break;
        default: bad_option("leaks", c, argv);
        }
    }
    if (args->top == 0 || args->top > 1000)
        usage_error("leaks", "leaks: --top takes 1 to 1000");
    if (argc - optind < 2)
        usage_error("leaks", "leaks: give two or three dumps of one process, BASELINE [TARGET] "
                             "FINAL, or a series of them");
    args->format = format >= 0 ? format : (int)output_format_of("leaks", args->output, OUTPUT_TEXT);
}

/* Are the dumps from one process?  0, or -1 after saying why not; *warned says it once. */
static int one_process(const analysis *earlier, const analysis *later, int *warned)
{
    int same = identity_same_process(&earlier->heap, &later->heap);
    if (same == 0) {
        errorf("leaks: %s and %s come from different processes (pid %llu and %llu, or the same "
               "pid reused): their objects cannot be matched by identity; heapan compare matches "
               "them by meaning",
               earlier->path, later->path, (unsigned long long)earlier->heap.header.pid,
               (unsigned long long)later->heap.header.pid);
        return -1;
    }
    if (same < 0 && !(*warned)++)
        warnf("leaks: %s or %s does not record when its process started (an older producer): "
              "taken for one process by its pid, %llu, which the system may have reused",
              earlier->path, later->path, (unsigned long long)later->heap.header.pid);
    return 0;
}

static int write_leaks(const survivors *s, const report *final, const leaks_args *args,
                       const leaks_source *src)
{
    output_file o;
    if (output_open(&o, args->output) < 0)
        return -1;
    int failed;
    if (args->format == OUTPUT_JSON) {
        failed = render_leaks_json(o.f, s, final, src) < 0;
    } else {
        doc d;
        doc_init(&d);
        failed = render_leaks_doc(&d, s, final, src) < 0 ||
                 write_doc(o.f, &d, (output_format)args->format, args->color) < 0;
        doc_free(&d);
    }
    if (failed)
        errorf("out of memory");
    return output_close(&o, !failed);
}

/* Opens every dump; refuses broken ones, which would make every object look new. */
static int open_all(analysis *a, char **files, int n, const leaks_args *args)
{
    int warned = 0;
    for (int k = 0; k < n; k++) {
        /* the baseline's labels tell a replaced value (replaced.h) */
        unsigned needs = k == n - 1 ? ANALYSIS_TREE | ANALYSIS_LABELS : k == 0 ? ANALYSIS_LABELS : 0;
        if (analysis_open(&a[k], files[k], args->progress, needs) < 0)
            return -1;
        if (a[k].heap.warning_count) {
            errorf("%s: the dump is incomplete or inconsistent; objects matched with it would mislead",
                   files[k]);
            return -1;
        }
        if (k && one_process(&a[0], &a[k], &warned) < 0)
            return -1;
    }
    return 0;
}

int cmd_leaks(int argc, char **argv)
{
    leaks_args args = {.output = "-", .top = 10, .progress = PROGRESS_AUTO};
    parse_args(argc, argv, &args);
    args.survive.harness = args.harness;
    int n = argc - optind;
    char **given = argv + optind, *files[3] = {given[0], given[n / 2], given[n - 1]};
    if (n > 3)  /* a series: its first, a middle and its last dump */
        n = 3;
    else
        files[1] = given[1], files[2] = given[2 % n];
    if (output_check(args.output) < 0)
        return EXIT_TROUBLE;
    analysis a[3];
    memset(a, 0, sizeof a);  /* closing one never opened is a no-op */
    retention paths = {0}, baseline_paths = {0};
    structure_index baseline = {0};
    report final = {0};
    survivors s = {0};
    int code = EXIT_TROUBLE, opened = open_all(a, files, n, &args) == 0;
    analysis *last = &a[n - 1];
    /* the final dump's report weighs growth against the baseline, so its findings carry fixes */
    report_options o = {.baseline = &baseline};
    if (opened && (retention_compute(&a[0].heap, &baseline_paths) < 0 ||
                   structure_index_build(&baseline, &a[0].heap, &a[0].dom, &baseline_paths) < 0 ||
                   retention_compute(&last->heap, &paths) < 0 ||
                   report_build(&last->heap, &last->dom, &paths, &o, &final) < 0 ||
                   survivors_find(&a[0].heap, n == 3 ? &a[1].heap : NULL, &final, &paths, &args.survive,
                                 &s) < 0))
        dump_out_of_memory(last->path);
    else if (opened) {
        leaks_source src = {files[0], n == 3 ? files[1] : NULL, files[n - 1], args.limit.bytes,
                            (size_t)args.top};
        if (write_leaks(&s, &final, &args, &src) == 0)
            code = args.limit.bytes && s.leaked_bytes >= args.limit.bytes ? EXIT_FOUND : EXIT_OK;
        if (code == EXIT_FOUND)
            errorf("leaks: limit crossed: %llu bytes allocated after the baseline are still alive "
                   "and leaked (--fail-on-leak %llu)", (unsigned long long)s.leaked_bytes,
                   (unsigned long long)args.limit.bytes);
    }
    survivors_release(&s);
    report_release(&final);
    retention_release(&paths);
    retention_release(&baseline_paths);
    structure_index_release(&baseline);
    for (int k = 0; k < n; k++)
        analysis_close(&a[k]);
    return code;
}

const command cmd_leaks_entry = {
    "leaks", cmd_leaks, "[--fail-on-leak SIZE] [--warmed-up] [-o FILE] BASELINE [TARGET] FINAL | DUMP...",
    "what was allocated after the baseline and is still alive, by what holds it (one process)",
    "  a series of more than three dumps stands for its first, middle and last\n"
    "  -l, --fail-on-leak SIZE  exit 1 when this much leaked (1MB, 512K)\n"
    "      --warmed-up    the work ran once before the baseline: what caches and\n"
    "                     imports keep counts as leaked too\n"
    "      --harness MODULE  what objects of MODULE's classes hold is the test\n"
    "                     runner's, not leaked (pytest --heapan passes _pytest)\n"
    "  -n, --top N        holders shown (default 10)\n"
    "  -o, --output FILE  write here; .txt, .md, .html or .json picks the format\n"
    "  -f, --format FMT   text, md, html or json\n"
    "      --color=WHEN   auto (a terminal, NO_COLOR unset), always or never\n"
    "      --progress=WHEN  auto (on a terminal), always or never\n"};
