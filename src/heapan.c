/* heapan.c: main(): global options, then dispatch through the command table. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "command.h"
#include "heapan.h"
#include "mem.h"
#include "msg.h"

static const command commands[] = {
    {"info", cmd_info, "[-n N] DUMP",
     "show what a dump holds: producer, process, counts, types",
     "  -n, --types N  list the N types with the most shallow bytes (default 10, 0: all)\n"},
    {"check", cmd_check, "[--quiet] DUMP",
     "verify a dump's integrity; exit 1 if it is broken",
     "  -q, --quiet    print nothing; only the exit status tells\n"},
    {"report", cmd_report, "[-o FILE] [--format md|html|json] [OPTIONS] DUMP",
     "what holds the memory, what grows, and what to do first, as Markdown, HTML or JSON",
     "  -o, --output FILE  write here; .html, .md or .json picks the format\n"
     "                     (default: Markdown on standard output)\n"
     "  -f, --format FMT   md, html or json, whatever the file name\n"
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
     "      --progress=WHEN  auto (on a terminal), always or never\n"},
    {"compare", cmd_compare, "[--fail-on-growth SPEC]... [-o FILE] BASELINE NEW",
     "what grew between two dumps, matched by meaning; exit 1 when a limit is crossed",
     "  -g, --fail-on-growth SPEC  exit 1 past this growth: 10%, 50MB,\n"
     "                     type:NAME=+20%, module:NAME=+5MB, site:TEXT=+5MB,\n"
     "                     path:RETENTION PATH=+1MB (repeat for several)\n"
     "      --noise SIZE   percentages ignore growth below this (default 64K)\n"
     "      --allow-missing  a limit naming nothing in either dump passes;\n"
     "                     without it, that is an error (exit 2)\n"
     "  -o, --output FILE  write here; .html, .md or .json picks the format\n"
     "                     (default: a table on standard output); crossed\n"
     "                     limits are also said on standard error\n"
     "  -f, --format FMT   text, md, html or json\n"
     "      --suppress FILE  rules as in report, for the findings\n"
     "      --progress=WHEN  auto (on a terminal), always or never\n"},
    {"trace", cmd_trace, "[-o FILE] [--format text|md|html|json] [-n N] TRACE",
     "an allocation trace: peak memory, call sites live at the peak and at the end, growth",
     "  -o, --output FILE  write here; .html, .md or .json picks the format\n"
     "                     (default: a table on standard output)\n"
     "  -f, --format FMT   text, md, html or json\n"
     "  -n, --top N        call sites per table (default 10)\n"},
    {"top", cmd_top, "[--by type|module|site] [-n N] DUMP",
     "the heap grouped by type, module or allocation site, by retained size",
     "  -b, --by GROUP     type (default), module, or site (needs tracebacks)\n"
     "  -n, --limit N      show the N largest groups (default 20, 0: all)\n"
     "      --progress=WHEN  auto (on a terminal), always or never\n"},
    {"dominators", cmd_dominators, "[--depth D] [--min-size SIZE] [-n N] DUMP",
     "the dominator tree: what keeps what alive, biggest first",
     "  -d, --depth D      levels to show (default 4)\n"
     "  -m, --min-size SIZE  hide subtrees retaining less: 64K, 1.5MiB, 1% (default 0.1%)\n"
     "  -n, --limit N      children shown per object (default 10, 0: all)\n"
     "      --progress=WHEN  auto (on a terminal), always or never\n"},
    {"paths", cmd_paths, "(--object ADDR | --type NAME) [-n N] DUMP",
     "how objects are held: shortest reference paths from the roots",
     "  -o, --object ADDR  paths to the object at ADDR, through up to N referrers\n"
     "  -t, --type NAME    paths to the N objects of type NAME that retain the most\n"
     "  -n, --limit N      how many paths or objects (default 5, 0: all)\n"
     "      --progress=WHEN  auto (on a terminal), always or never\n"},
    {"export", cmd_export, "--format json|csv|dot [-o OUT] DUMP",
     "the analysed graph for other tools: JSON, CSV, or DOT of one subtree",
     "  -f, --format FMT   json (one document), csv (two files) or dot (one subtree)\n"
     "  -o, --output OUT   the file (default: standard output); csv: the PREFIX of\n"
     "                     PREFIX.nodes.csv and PREFIX.edges.csv\n"
     "  -r, --root ADDR    dot: draw the dominator subtree of this object\n"
     "                     (default: the one that retains the most)\n"
     "  -d, --depth D      dot: levels to draw (default 3; at most 500 objects)\n"
     "  -m, --min-size SIZE  dot: leave out subtrees retaining less\n"
     "      --progress=WHEN  auto (on a terminal), always or never\n"},
};

#define COMMAND_COUNT (sizeof commands / sizeof *commands)

const command *find_command(const char *name)
{
    for (size_t i = 0; i < COMMAND_COUNT; i++)
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    return NULL;
}

static void print_usage(FILE *out)
{
    fputs("Usage: heapan COMMAND [OPTIONS] [ARGS]\n"
          "       heapan help COMMAND\n\n"
          "An offline memory analyzer for Python heap dumps.\n\nCommands:\n",
          out);
    for (size_t i = 0; i < COMMAND_COUNT; i++)
        fprintf(out, "  %-11s %s\n", commands[i].name, commands[i].summary);
    fputs("\nOptions:\n"
          "  -h, --help       show this help\n"
          "  -V, --version    show the version\n\n"
          "Exit status: 0 ok, 1 a problem was found, 2 bad usage or unreadable input.\n"
          "See heapan(1) for the full reference.\n",
          out);
}

static int print_command_help(const char *name)
{
    const command *c = find_command(name);
    if (!c)
        usage_error(NULL, "'%s' is not a heapan command", name);
    printf("Usage: heapan %s %s\n\n%s.\n", c->name, c->synopsis, c->summary);
    printf("\nOptions:\n%s  -h, --help     show this help\n", c->help);
    return EXIT_OK;
}

int main(int argc, char **argv)
{
    argc = mem_take_option(argc, argv);
    /* cJSON's allocations through ours, so that what it frees is what was counted. */
    cJSON_Hooks hooks = {malloc, free};
    cJSON_InitHooks(&hooks);
    if (argc < 2) {
        print_usage(stderr);
        return EXIT_TROUBLE;
    }
    const char *name = argv[1];
    if (strcmp(name, "-h") == 0 || strcmp(name, "--help") == 0) {
        print_usage(stdout);
        return EXIT_OK;
    }
    if (strcmp(name, "-V") == 0 || strcmp(name, "--version") == 0) {
        printf("heapan %s (format %d.%d)\n", heapan_version(), HEAPAN_FORMAT_MAJOR,
               HEAPAN_FORMAT_MINOR);
        return EXIT_OK;
    }
    if (strcmp(name, "help") == 0) {
        if (argc < 3) {
            print_usage(stdout);
            return EXIT_OK;
        }
        return print_command_help(argv[2]);
    }
    if (name[0] == '-')
        usage_error(NULL, "unknown option '%s'", name);
    const command *c = find_command(name);
    if (!c)
        usage_error(NULL, "'%s' is not a heapan command", name);
    for (int i = 2; i < argc && strcmp(argv[i], "--") != 0; i++)
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
            return print_command_help(name);
    return c->run(argc - 1, argv + 1);
}
