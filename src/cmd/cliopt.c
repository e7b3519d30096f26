/* cliopt.c: strict parsing of command-line numbers and operands. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cmd/cliopt.h"
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

int parse_choice(const char *command, const char *option, const char *text,
                 const char *const *choices)
{
    char list[256] = "";
    int count = 0;
    for (; choices[count]; count++)
        if (strcmp(text, choices[count]) == 0)
            return count;
    for (int i = 0; i < count; i++) {
        const char *sep = i == 0 ? "" : i + 1 == count ? " or " : ", ";
        snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", sep, choices[i]);
    }
    usage_error(command, "%s: %s takes %s, not '%s'", command, option, list, text);
}

output_format output_format_of(const char *command, const char *output, output_format for_stdout)
{
    const char *dot = strrchr(output, '.');
    if (strcmp(output, "-") == 0)
        return for_stdout;
    if (dot && (strcmp(dot, ".html") == 0 || strcmp(dot, ".htm") == 0))
        return OUTPUT_HTML;
    if (dot && strcmp(dot, ".json") == 0)
        return OUTPUT_JSON;
    if (dot && (strcmp(dot, ".md") == 0 || strcmp(dot, ".markdown") == 0))
        return OUTPUT_MARKDOWN;
    if (dot && strcmp(dot, ".txt") == 0)
        return OUTPUT_TEXT;
    usage_error(command,
                "%s: cannot tell the format of '%s' from its name: end it in .txt, .md, .html "
                "or .json, or add --format",
                command, output);
}

uint64_t parse_address(const char *command, const char *option, const char *text)
{
    char *end;
    errno = 0;
    unsigned long long value = strtoull(text, &end, 0);
    if (*text < '0' || *text > '9' || *end || errno == ERANGE || value == 0)
        usage_error(command, "%s: %s needs an object address like 0x7f3a2c001234, not '%s'",
                    command, option, text);
    return value;
}

int size_of(const char *text, size_spec *out)
{
    static const struct {
        const char *suffix;
        double scale;
    } units[] = {{"", 1},         {"B", 1},       {"K", 1024},     {"KB", 1024},
                 {"KiB", 1024},   {"M", 1 << 20}, {"MB", 1 << 20}, {"MiB", 1 << 20},
                 {"G", 1 << 30},  {"GB", 1 << 30}, {"GiB", 1 << 30}};
    char *end;
    errno = 0;
    double value = strtod(text, &end);
    *out = (size_spec){0, 0};
    if (*text >= '0' && *text <= '9' && errno == 0 && isfinite(value) && end != text) {
        if (strcmp(end, "%") == 0 && value > 0 && value <= 100) {
            out->percent = value;
            return 0;
        }
        for (size_t i = 0; i < sizeof units / sizeof *units; i++) {
            if (strcasecmp(end, units[i].suffix) == 0 && value * units[i].scale < 1.8e19) {
                out->bytes = (uint64_t)(value * units[i].scale);
                return 0;
            }
        }
    }
    return -1;
}

size_spec parse_size(const char *command, const char *option, const char *text)
{
    size_spec spec;
    if (size_of(text, &spec) == 0)
        return spec;
    usage_error(command, "%s: %s needs a size like 4096, 512K, 1.5MiB or 1%%, not '%s'", command,
                option, text);
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
