/*
 * fuzz_rules.c: arbitrary bytes as a suppression file (`--suppressions`),
 * then each of its lines as a `--fail-on-growth` limit, a type, module and
 * site name matched against the rules, and a limit checked.
 */
#include <string.h>

#include "fuzz_common.h"
#include "report/filters.h"
#include "report/gate.h"

/*
 * Each match may take PCRE2's whole match limit (10^6 steps): names are
 * matched for the first few lines only, or a file of a thousand lines
 * against a pathological pattern would take seconds a run.
 */
#define NAMES_MATCHED 4

static void check_line(filters *f, const char *line, int match)
{
    if (match) {
        filters_accept_type(f, line);
        filters_include_type(f, line);
        filters_accept_site(f, line);
    }
    gate_limit limit;
    char error[256];
    if (gate_parse(line, &limit, error, sizeof error) == 0) {
        gate_crossed(&limit, 1000, 2000, 64);
        gate_crossed(&limit, UINT64_MAX / 2, UINT64_MAX, 0);
        gate_release(&limit);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_temp_file(data, size);
    filters *f = filters_new();
    char error[256];
    if (text && f) {
        filters_load(f, text, error, sizeof error);
        filters_add(f, FILTER_INCLUDE_TYPE, "^app\\.", error, sizeof error);
        char *copy = strndup((const char *)data, size);
        int n = 0;
        for (char *line = copy, *next; line; line = next, n++) {
            next = strchr(line, '\n');
            if (next)
                *next++ = '\0';
            check_line(f, line, n < NAMES_MATCHED);
        }
        free(copy);
        char **lines;
        filters_warnings(f, &lines);
    }
    filters_free(f);
    if (text) {
        unlink(text);
        free(text);
    }
    return 0;
}
