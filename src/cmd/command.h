/*
 * command.h: what a subcommand is.
 *
 * To add a command:
 *   1. write src/cmd/NAME.c with `int cmd_NAME(int argc, char **argv)`
 *      (argv[0] is the command's name; it returns an exit code from msg.h)
 *      and its entry, `const command cmd_NAME_entry = {"NAME", cmd_NAME,
 *      synopsis, summary, option help}`;
 *   2. declare both below and list the entry in src/main.c's table;
 *   3. add the file to HEAPAN_CMD in Makefile.am;
 *   4. document it in docs/heapan.1 and add tests under tests/cli/.
 * Keep analysis out of src/cmd/: a command parses options, calls a model
 * that never prints (src/model/, src/report/, src/trace/, read by
 * src/input/) and hands it to a renderer (src/render/).
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
int cmd_leaks(int argc, char **argv);
int cmd_trend(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_trace(int argc, char **argv);
int cmd_top(int argc, char **argv);
int cmd_dominators(int argc, char **argv);
int cmd_paths(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_attach(int argc, char **argv);

/* Each command file defines its own entry. */
extern const command cmd_info_entry;
extern const command cmd_check_entry;
extern const command cmd_report_entry;
extern const command cmd_compare_entry;
extern const command cmd_leaks_entry;
extern const command cmd_trend_entry;
extern const command cmd_trace_entry;
extern const command cmd_top_entry;
extern const command cmd_dominators_entry;
extern const command cmd_paths_entry;
extern const command cmd_export_entry;
extern const command cmd_attach_entry;

/* The command called `name`, or NULL. */
const command *find_command(const char *name);

#endif
