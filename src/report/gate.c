/* gate.c: parsing and checking growth limits. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "report/gate.h"

static const struct {
    const char *prefix;
    gate_scope scope;
} scopes[] = {{"type:", GATE_TYPE}, {"module:", GATE_MODULE}, {"site:", GATE_SITE},
              {"path:", GATE_PATH}};

/* "20%", "+20%", "5MB", "+5MiB", "4096" into the limit's percent or bytes. */
static int parse_amount(const char *text, gate_limit *out)
{
    static const struct {
        const char *suffix;
        double scale;
    } units[] = {{"", 1},           {"B", 1},         {"K", 1024},       {"KB", 1024},
                 {"KiB", 1024},     {"M", 1 << 20},   {"MB", 1 << 20},   {"MiB", 1 << 20},
                 {"G", 1 << 30},    {"GB", 1 << 30},  {"GiB", 1 << 30}};  /* as parse_size() */
    if (*text == '+')
        text++;
    char *end;
    errno = 0;
    double value = strtod(text, &end);
    if (end == text || errno || !isfinite(value) || value < 0 || *text < '0' || *text > '9')
        return -1;
    if (strcmp(end, "%") == 0) {
        out->percent = value;
        return value > 0 ? 0 : -1;
    }
    for (size_t i = 0; i < sizeof units / sizeof *units; i++)
        if (strcasecmp(end, units[i].suffix) == 0 && value * units[i].scale < 1.8e19) {
            out->bytes = (uint64_t)(value * units[i].scale);
            return 0;
        }
    return -1;
}

int gate_parse(const char *spec, gate_limit *out, char *error, size_t size)
{
    memset(out, 0, sizeof *out);
    out->spec = spec;
    const char *amount = spec;
    for (size_t i = 0; i < sizeof scopes / sizeof *scopes; i++) {
        size_t len = strlen(scopes[i].prefix);
        if (strncmp(spec, scopes[i].prefix, len) != 0)
            continue;
        const char *equals = strrchr(spec + len, '=');
        if (!equals || equals == spec + len) {
            snprintf(error, size, "'%s' needs a name and a limit, like %sNAME=+20%%", spec,
                     scopes[i].prefix);
            return -1;
        }
        out->scope = scopes[i].scope;
        if (!(out->name = strndup(spec + len, (size_t)(equals - spec - len)))) {
            snprintf(error, size, "out of memory");
            return -1;
        }
        amount = equals + 1;
    }
    if (parse_amount(amount, out) < 0) {
        snprintf(error, size, "'%s': the limit must be a growth like 10%%, +20%%, 50MB or 4096",
                 spec);
        gate_release(out);
        return -1;
    }
    return 0;
}

void gate_release(gate_limit *limit)
{
    free(limit->name);
    limit->name = NULL;
}

int gate_crossed(const gate_limit *limit, uint64_t before, uint64_t after, uint64_t noise)
{
    if (after <= before)
        return 0;
    uint64_t growth = after - before;
    if (limit->percent <= 0)
        return growth > limit->bytes;
    if (growth < noise)
        return 0;
    return before == 0 || 100.0 * (double)growth / (double)before > limit->percent;
}

int gate_under_noise(const gate_limit *limit, uint64_t before, uint64_t after, uint64_t noise)
{
    return limit->percent > 0 && after > before && after - before < noise &&
           gate_crossed(limit, before, after, 0);
}
