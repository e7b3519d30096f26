/*
 * command.h: the table of subcommands.
 *
 * To add a command:
 *   1. write src/cmd_NAME.c with `int cmd_NAME(int argc, char **argv)`;
 *      argv[0] is the command's name, and it returns an exit code from msg.h;
 *   2. declare it below and add a row to the table in src/heapan.c;
 *   3. add the file to src_heapan_SOURCES in Makefile.am;
 *   4. document it in docs/heapan.1 and add tests under tests/cli/.
 * Keep analysis out of cmd_*.c: commands parse options, call a model that
 * never prints (src/dumpstats.c, src/integrity.c, ...) and render it.
 */
#ifndef HEAPAN_COMMAND_H
#define HEAPAN_COMMAND_H

typedef struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *synopsis;  /* arguments after the name, for usage lines */
    const char *summary;   /* one line for `heapan --help` */
    const char *help;      /* the options, for `heapan help NAME` */
} command;

int cmd_info(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_top(int argc, char **argv);
int cmd_paths(int argc, char **argv);
int cmd_dominators(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_trace(int argc, char **argv);

/* The command called `name`, or NULL. */
const command *find_command(const char *name);

#endif
