/* cliopt.c: strict parsing of command-line numbers and operands. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>

#include "cliopt.h"
#include "msg.h"

uint64_t parse_count(const char *command, const char *option, const char *text)
{
    char *end;
    errno = 0;
    unsigned long long value = strtoull(text, &end, 10);
    if (*text < '0' || *text > '9' || *end || errno == ERANGE)
        usage_error(command, "%s: %s needs a whole number, not '%s'", command, option, text);
    return value;
}

const char *single_operand(const char *command, const char *what, int argc, char **argv,
                           int first)
{
    if (first >= argc)
        usage_error(command, "%s: missing %s", command, what);
    if (first + 1 < argc)
        usage_error(command, "%s: unexpected argument '%s'", command, argv[first + 1]);
    return argv[first];
}

void bad_option(const char *command, int result, char **argv)
{
    const char *given = argv[optind - 1];
    if (result == ':')
        usage_error(command, "%s: option '%s' needs an argument", command, given);
    if (optopt && given[0] == '-' && given[1] != '-')
        usage_error(command, "%s: unknown option '-%c'", command, optopt);
    usage_error(command, "%s: unknown option '%s'", command, given);
}
