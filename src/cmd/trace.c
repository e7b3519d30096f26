/* cmd_trace.c: `heapan trace TRACE`: peak memory, call sites, leaks over time. */
#include <errno.h>
#include <getopt.h>
#include <string.h>

#include "cmd/cliopt.h"
#include "cmd/command.h"
#include "cmd/docout.h"
#include "cmd/dumpopen.h"
#include "msg.h"
#include "output.h"
#include "render/trace.h"

static int render(FILE *out, int format, color_mode color, const trace *t, const char *path,
                  size_t top)
{
    if (format == OUTPUT_JSON)
        return render_trace_json(out, t, path, top);
    doc d;
    doc_init(&d);
    int failed = render_trace_doc(&d, t, path, top) < 0 ||
                 write_doc(out, &d, (output_format)format, color) < 0;
    doc_free(&d);
    return failed ? -1 : 0;
}

int cmd_trace(int argc, char **argv)
{
    static const struct option options[] = {{"output", required_argument, NULL, 'o'},
                                            {"format", required_argument, NULL, 'f'},
                                            {"top", required_argument, NULL, 'n'},
                                            {"color", required_argument, NULL, 'C'},
                                            {NULL, 0, NULL, 0}};
    const char *output = "-";
    int c, format = -1;
    color_mode color = COLOR_AUTO;
    uint64_t top = 10;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":o:f:n:", options, NULL)) != -1) {
        if (c == 'o')
            output = optarg;
        else if (c == 'f')
            format = parse_choice("trace", "--format", optarg,
                                  (const char *const[]){"text", "md", "html", "json", NULL});
        else if (c == 'n')
            top = parse_count("trace", "--top", optarg);
        else if (c == 'C')
            color = parse_color("trace", optarg);
        else
            bad_option("trace", c, argv);
    }
    if (top == 0 || top > 1000)
        usage_error("trace", "trace: --top takes 1 to 1000");
    if (format < 0)
        format = (int)output_format_of("trace", output, OUTPUT_TEXT);
    const char *path = single_operand("trace", "TRACE", argc, argv, optind);
    if (output_check(output) < 0)
        return EXIT_TROUBLE;
    heapan_reader *r = trace_open(path);
    if (!r)
        return EXIT_TROUBLE;
    trace t;
    int code = EXIT_TROUBLE;
    if (trace_load(&t, r) < 0) {
        dump_out_of_memory(path);
    } else {
        for (size_t k = 0; k < t.warning_count; k++)
            warnf("%s: %s", path, t.warnings[k]);
        output_file o;
        if (output_open(&o, output) == 0) {
            int failed = render(o.f, format, color, &t, path, (size_t)top) < 0;
            if (failed)
                dump_out_of_memory(path);
            if (output_close(&o, !failed) == 0)
                code = t.warning_count ? EXIT_FOUND : EXIT_OK;
        }
    }
    trace_release(&t);
    return code;
}

const command cmd_trace_entry = {
    "trace", cmd_trace, "[-o FILE] [--format text|md|html|json] [-n N] TRACE",
    "an allocation trace: peak memory, call sites live at the peak and at the end, growth",
    "  -o, --output FILE  write here; .txt, .md, .html or .json picks the format\n"
    "                     (default: text on standard output)\n"
    "  -f, --format FMT   text, md, html or json\n"
    "      --color=WHEN   auto (a terminal, NO_COLOR unset), always or never\n"
    "  -n, --top N        call sites per table (default 10)\n"};
