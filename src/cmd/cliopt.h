/* cliopt.h: option-argument parsing shared by the commands. */
#ifndef HEAPAN_CLIOPT_H
#define HEAPAN_CLIOPT_H

#include <stdint.h>

/* A whole non-negative decimal number for `option`, or a usage error. */
uint64_t parse_count(const char *command, const char *option, const char *text);

/*
 * The index of `text` in `choices` (NULL-terminated), or a usage error
 * listing them: "top: --by takes type, module or site, not 'colour'".
 */
int parse_choice(const char *command, const char *option, const char *text,
                 const char *const *choices);

/* Output formats, as the commands that write reports name them. */
typedef enum output_format { OUTPUT_TEXT, OUTPUT_MARKDOWN, OUTPUT_HTML, OUTPUT_JSON } output_format;

/*
 * The format of an output file from its name: .txt, .md, .html/.htm, .json;
 * "-" (standard output) gives `for_stdout`.  Anything else is a usage
 * error of `command`.
 */
output_format output_format_of(const char *command, const char *output, output_format for_stdout);

/* An object address, 0x-prefixed hex or decimal, non-zero; or a usage error. */
uint64_t parse_address(const char *command, const char *option, const char *text);

/* A size: "4096", "512K", "1.5MiB", "2GB" (units of 1024), or a share: "1%". */
typedef struct size_spec {
    uint64_t bytes;
    double percent;  /* > 0 for a share of a total */
} size_spec;

size_spec parse_size(const char *command, const char *option, const char *text);

/* parse_size() without the usage error: 0, or -1 when `text` is no size. */
int size_of(const char *text, size_spec *out);

/* The one operand left after options, or a usage error naming `what`. */
const char *single_operand(const char *command, const char *what, int argc, char **argv,
                           int first);


/*
 * Reports the option getopt_long() just rejected (it returned '?' or ':';
 * pass that as `result`) as a usage error.  Use an optstring that starts
 * with ":" and set opterr = 0.
 */
_Noreturn void bad_option(const char *command, int result, char **argv);

#endif
