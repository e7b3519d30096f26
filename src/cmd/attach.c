/* cmd/attach.c: `heapan attach PID`: a heap dump or a trace of a running CPython process. */
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "attach/session.h"
#include "attach/target.h"
#include "cmd/cliopt.h"
#include "cmd/command.h"
#include "msg.h"
#include "textout.h"

typedef struct attach_options {
    attach_request request;
    const char *output;
    const char *module_path;
    int trace, watch;
} attach_options;

static double parse_seconds(const char *option, const char *text)
{
    char *end;
    double value = strtod(text, &end);
    if (end == text || *end || !isfinite(value) || value <= 0 || value > 86400 * 7)
        usage_error("attach", "attach: %s needs a number of seconds, not '%s'", option, text);
    return value;
}

static void parse_limit(attach_options *o, const char *text)
{
    size_spec limit = parse_size("attach", "--on-memory", text);
    if (!limit.bytes && limit.percent < 1)
        usage_error("attach", "attach: --on-memory needs a size (2GB) or a share of the "
                    "cgroup's limit (80%%), not '%s'", text);
    o->request.limit_bytes = limit.bytes;
    o->request.percent = (unsigned)limit.percent;
    o->watch = 1;
}

/* -o's path, absolute: the process writes it from its own directory. */
static const char *absolute_output(const char *path, pid_t pid, const attach_options *o,
                                   char *buffer, size_t size)
{
    char cwd[PATH_MAX];
    const char *name = path ? path
                       : o->trace ? "heapan-%p.trace.zst"
                       : o->watch ? "heapan-%p-%t.zst" : "heapan-%p.zst";
    char expanded[PATH_MAX];
    size_t n = 0;
    for (const char *c = name; *c && n + 24 < sizeof expanded; c++) {
        if (!o->watch && c[0] == '%' && c[1] == 'p')
            n += (size_t)snprintf(expanded + n, sizeof expanded - n, "%ld", (long)pid), c++;
        else
            expanded[n++] = *c;
    }
    expanded[n] = '\0';
    if (expanded[0] == '/' || !getcwd(cwd, sizeof cwd))
        snprintf(buffer, size, "%s", expanded);
    else if ((size_t)snprintf(buffer, size, "%s/%s", cwd, expanded) >= size)
        usage_error("attach", "attach: the output path is too long");
    return buffer;
}

static void parse(int argc, char **argv, attach_options *o, pid_t *pid)
{
    static const struct option options[] = {
        {"output", required_argument, NULL, 'o'},     {"trace", required_argument, NULL, 't'},
        {"sample-bytes", required_argument, NULL, 's'}, {"no-values", no_argument, NULL, 'V'},
        {"foreground", no_argument, NULL, 'F'},       {"module-path", required_argument, NULL, 'm'},
        {"timeout", required_argument, NULL, 'T'},    {"on-memory", required_argument, NULL, 'M'},
        {"rearm", no_argument, NULL, 'R'},            {NULL, 0, NULL, 0}};
    int c;
    *o = (attach_options){.request = {.values = 1, .background = 1, .timeout = 30}};
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":o:", options, NULL)) != -1) {
        switch (c) {
        case 'o': o->output = optarg; break;
        case 't': o->request.trace_seconds = parse_seconds("--trace", optarg), o->trace = 1; break;
        case 's': o->request.sample_bytes = parse_size("attach", "--sample-bytes", optarg).bytes; break;
        case 'V': o->request.values = 0; break;
        case 'F': o->request.background = 0; break;
        case 'm': o->module_path = optarg; break;
        case 'T': o->request.timeout = parse_seconds("--timeout", optarg); break;
        case 'M': parse_limit(o, optarg); break;
        case 'R': o->request.rearm = 1; break;
        default: bad_option("attach", c, argv);
        }
    }
    if (o->trace && o->watch)
        usage_error("attach", "attach: --trace and --on-memory do not go together");
    if (o->request.sample_bytes && !o->trace)
        usage_error("attach", "attach: --sample-bytes goes with --trace");
    if (o->request.rearm && !o->watch)
        usage_error("attach", "attach: --rearm goes with --on-memory");
    const char *operand = single_operand("attach", "the process id", argc, argv, optind);
    uint64_t number = parse_count("attach", "PID", operand);
    if (number == 0 || number > INT_MAX)
        usage_error("attach", "attach: '%s' is no process id", operand);
    *pid = (pid_t)number;
    o->request.mode = o->trace ? ATTACH_TRACE : o->watch ? ATTACH_WATCH : ATTACH_DUMP;
}

static void print_answer(const attach_options *o, const attach_answer *a, pid_t pid)
{
    char size[32], when[32], limit[32];
    if (o->request.mode == ATTACH_WATCH) {
        printf("process %ld: one dump to ", (long)pid);
        print_cstr(stdout, o->request.output);
        printf(" when its %s reaches %s%s\n", o->request.percent ? "cgroup's memory" : "RSS",
               format_bytes(a->threshold, when, sizeof when),
               o->request.rearm ? ", and again at each doubling" : "");
        if (a->limit && a->limit - (a->limit < a->threshold ? a->limit : a->threshold) < a->needs)
            warnf("attach: the dump at %s needs about %s of its own, and the cgroup's limit "
                  "(%s) leaves less: the OOM killer may come first; set a lower limit", when,
                  format_bytes(a->needs, size, sizeof size),
                  format_bytes(a->limit, limit, sizeof limit));
        return;
    }
    print_cstr(stdout, o->request.output);
    if (o->request.mode == ATTACH_TRACE)
        printf(": %" PRIu64 " allocations and %" PRIu64 " frees of process %ld\n",
               a->allocations, a->frees, (long)pid);
    else
        printf(": %" PRIu64 " objects, %s, from process %ld in %.2f s; it paused %.1f ms\n",
               a->objects, format_bytes(a->total_size, size, sizeof size), (long)pid,
               a->seconds, a->pause * 1000);
}

int cmd_attach(int argc, char **argv)
{
    attach_options o;
    pid_t pid;
    parse(argc, argv, &o, &pid);
    char output[PATH_MAX], extension[PATH_MAX], why[1024];
    o.request.output = absolute_output(o.output, pid, &o, output, sizeof output);
    attach_target t;
    attach_error e = target_inspect(pid, &t, why, sizeof why);
    if (e == ATTACH_OK)
        e = target_find_extension(&t, o.module_path, extension, why, sizeof why);
    attach_answer answer;
    if (e == ATTACH_OK)
        e = attach_session_run(&t, extension, &o.request, &answer, why, sizeof why);
    /* Paths and the agent's answer come from the process: no control character passes. */
    char safe[4 * sizeof why];
    if (e != ATTACH_OK) {
        terminal_safe_copy(safe, sizeof safe, why);
        errorf("attach: process %ld %s", (long)pid, safe);
        return EXIT_TROUBLE;
    }
    if (!answer.ok) {
        terminal_safe_copy(safe, sizeof safe, answer.text);
        errorf("attach: process %ld: %s", (long)pid, safe);
        return EXIT_TROUBLE;
    }
    print_answer(&o, &answer, pid);
    return EXIT_OK;
}

const command cmd_attach_entry = {
    "attach", cmd_attach, "PID [-o PATH] [--trace SECONDS] [--on-memory LIMIT]",
    "dump or trace a running CPython process that never imported heapan",
    "  -o, --output PATH     where the process writes (default heapan-PID.zst,\n"
    "                        heapan-PID.trace.zst; with --on-memory heapan-%p-%t.zst)\n"
    "      --trace SECONDS   record that many seconds of allocations instead\n"
    "      --sample-bytes N  with --trace: one allocation per N bytes on average\n"
    "      --on-memory LIMIT leave a watchdog that dumps once when the RSS reaches\n"
    "                        LIMIT (2GB), or the cgroup's memory a share of its limit (80%)\n"
    "      --rearm           with --on-memory: dump again at each doubling\n"
    "      --no-values       keep string and number contents out of the dump\n"
    "      --foreground      walk the heap in the process, not in a forked child\n"
    "      --module-path P   heapan's extension for the process's Python (the .so or\n"
    "                        a directory holding heapan/); default: its sys.path\n"
    "      --timeout SECONDS to reach a safe point and take the GIL (default 30)\n"};
