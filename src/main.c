/* main.c: main(): global options, then dispatch through the command table. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "cmd/command.h"
#include "heapan.h"
#include "mem.h"
#include "msg.h"

/* In the order of `heapan --help`. */
static const command *const commands[] = {
    &cmd_info_entry,
    &cmd_check_entry,
    &cmd_report_entry,
    &cmd_compare_entry,
    &cmd_leaks_entry,
    &cmd_trend_entry,
    &cmd_trace_entry,
    &cmd_top_entry,
    &cmd_dominators_entry,
    &cmd_paths_entry,
    &cmd_export_entry,
    &cmd_attach_entry,
};

#define COMMAND_COUNT (sizeof commands / sizeof *commands)

const command *find_command(const char *name)
{
    for (size_t i = 0; i < COMMAND_COUNT; i++)
        if (strcmp(commands[i]->name, name) == 0)
            return commands[i];
    return NULL;
}

static void print_usage(FILE *out)
{
    fputs("Usage: heapan COMMAND [OPTIONS] [ARGS]\n"
          "       heapan help COMMAND\n\n"
          "An offline memory analyzer for Python heap dumps.\n\nCommands:\n",
          out);
    for (size_t i = 0; i < COMMAND_COUNT; i++)
        fprintf(out, "  %-11s %s\n", commands[i]->name, commands[i]->summary);
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
