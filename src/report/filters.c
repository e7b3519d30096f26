/* filters.c: PCRE2 rules on type names and sites. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <errno.h>
#include <pcre2.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/filters.h"
#include "grow.h"
#include "model/warnings.h"

#define MAX_RULE_LINE 4096

typedef struct rule {
    filter_rule kind;
    pcre2_code *code;
    char *pattern;  /* as given, for the warning */
    int warned;     /* its match limit was hit once: said once */
} rule;

struct filters {
    rule *rules;
    size_t count, cap;
    pcre2_match_data *match;
    pcre2_match_context *limits;  /* a rule file must not make a match run forever */
    char **warnings;
    size_t warning_count;
    uint64_t limit_hits;
};

filters *filters_new(void)
{
    filters *f = calloc(1, sizeof *f);
    if (!f)
        return NULL;
    f->match = pcre2_match_data_create(1, NULL);
    f->limits = pcre2_match_context_create(NULL);
    if (!f->match || !f->limits) {
        filters_free(f);
        return NULL;
    }
    pcre2_set_match_limit(f->limits, 1000000);
    return f;
}

void filters_free(filters *f)
{
    if (!f)
        return;
    for (size_t i = 0; i < f->count; i++)
        pcre2_code_free(f->rules[i].code), free(f->rules[i].pattern);
    free(f->rules);
    warnings_free(f->warnings, f->warning_count);
    pcre2_match_data_free(f->match);
    pcre2_match_context_free(f->limits);
    free(f);
}

int filters_add(filters *f, filter_rule kind, const char *pattern, char *error, size_t size)
{
    int code;
    PCRE2_SIZE offset;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, PCRE2_UTF | PCRE2_MATCH_INVALID_UTF,
                                   &code, &offset, NULL);
    if (!re) {
        PCRE2_UCHAR message[256];
        pcre2_get_error_message(code, message, sizeof message);
        snprintf(error, size, "%s at offset %zu", (const char *)message, (size_t)offset);
        return -1;
    }
    char *copy = strdup(pattern);
    if (!copy || grow(&f->rules, sizeof *f->rules, &f->cap, f->count + 1) < 0) {
        pcre2_code_free(re);
        free(copy);
        snprintf(error, size, "out of memory");
        return -1;
    }
    f->rules[f->count++] = (rule){kind, re, copy, 0};
    return 0;
}

/* One line of a suppression file: "type REGEX" or "site REGEX". */
static int add_line(filters *f, char *line, char *error, size_t size)
{
    line[strcspn(line, "\r\n")] = '\0';
    char *p = line + strspn(line, " \t");
    if (!*p || *p == '#')
        return 0;
    size_t word = strcspn(p, " \t");
    filter_rule kind;
    if (word == 4 && strncmp(p, "type", 4) == 0)
        kind = FILTER_EXCLUDE_TYPE;
    else if (word == 4 && strncmp(p, "site", 4) == 0)
        kind = FILTER_EXCLUDE_SITE;
    else {
        snprintf(error, size, "a rule starts with 'type' or 'site', not '%.*s'", (int)(word > 40 ? 40 : word), p);
        return -1;
    }
    p += word;
    p += strspn(p, " \t");
    if (!*p) {
        snprintf(error, size, "the rule has no pattern");
        return -1;
    }
    return filters_add(f, kind, p, error, size);
}

int filters_load(filters *f, const char *path, char *error, size_t size)
{
    FILE *in = fopen(path, "r");
    if (!in) {
        snprintf(error, size, "cannot open: %s", strerror(errno));
        return -1;
    }
    char line[MAX_RULE_LINE], reason[300];
    int number = 0, failed = 0;
    while (!failed && fgets(line, sizeof line, in)) {
        number++;
        if (!strchr(line, '\n') && !feof(in)) {
            snprintf(error, size, "line %d: longer than %d bytes", number, MAX_RULE_LINE - 2);
            failed = 1;
        } else if (add_line(f, line, reason, sizeof reason) < 0) {
            snprintf(error, size, "line %d: %s", number, reason);
            failed = 1;
        }
    }
    if (!failed && ferror(in)) {
        snprintf(error, size, "read error: %s", strerror(errno));
        failed = 1;
    }
    fclose(in);
    return failed ? -1 : 0;
}

static void warn(filters *f, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    warning_add(&f->warnings, &f->warning_count, fmt, ap); /* out of memory: one warning less */
    va_end(ap);
}

/*
 * Does `r` match `text`?  A match that gives up (PCRE2's match or depth
 * limit) keeps the finding, whichever way the rule points: `if_unsure` is
 * what the caller needs for that (an include: a match; an exclude: none).
 */
static int matches(filters *f, rule *r, const char *text, int if_unsure)
{
    int rc = pcre2_match(r->code, (PCRE2_SPTR)text, strlen(text), 0, 0, f->match, f->limits);
    if (rc >= 0 || rc == PCRE2_ERROR_NOMATCH)
        return rc >= 0;
    f->limit_hits++;
    if (!r->warned++) {
        PCRE2_UCHAR why[128];
        pcre2_get_error_message(rc, why, sizeof why);
        warn(f, "the pattern '%s' could not be matched against '%.200s' (%s): the finding is kept",
             r->pattern, text, (const char *)why);
    }
    return if_unsure;
}

int filters_accept_type(void *ctx, const char *type_name)
{
    filters *f = ctx;
    for (size_t i = 0; i < f->count; i++)
        if (f->rules[i].kind == FILTER_EXCLUDE_TYPE && matches(f, &f->rules[i], type_name, 0))
            return 0;
    return 1;
}

int filters_include_type(void *ctx, const char *type_name)
{
    filters *f = ctx;
    int has_include = 0;
    for (size_t i = 0; i < f->count; i++) {
        if (f->rules[i].kind != FILTER_INCLUDE_TYPE)
            continue;
        has_include = 1;
        if (matches(f, &f->rules[i], type_name, 1))
            return 1;
    }
    return has_include ? 0 : -1;
}

int filters_accept_site(void *ctx, const char *site)
{
    filters *f = ctx;
    for (size_t i = 0; i < f->count; i++)
        if (f->rules[i].kind == FILTER_EXCLUDE_SITE && matches(f, &f->rules[i], site, 0))
            return 0;
    return 1;
}

size_t filters_warnings(const filters *f, char ***lines)
{
    *lines = f->warnings;
    return f->warning_count;
}
