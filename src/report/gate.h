/*
 * gate.h: growth limits for `heapan compare --fail-on-growth SPEC`.
 *
 *   10%                       the whole heap grew by more than 10%
 *   50MB                      ...by more than 50 MB
 *   type:app.models.Order=+20%  what a type retains grew by more than 20%
 *   module:app.cache=+5MB     ...a module's types
 *   site:app/cache.py=+5MB    ...objects allocated at sites containing the text
 *   path:module app . _CACHE=+1MB  ...the structure with that retention path
 *
 * Percentages ignore growth below the noise floor (`--noise`): a type
 * going from 1 KiB to 2 KiB did grow 100%, but it is not a regression.
 */
#ifndef HEAPAN_GATE_H
#define HEAPAN_GATE_H

#include <stddef.h>
#include <stdint.h>

typedef enum gate_scope { GATE_TOTAL, GATE_TYPE, GATE_MODULE, GATE_SITE, GATE_PATH } gate_scope;

typedef struct gate_limit {
    gate_scope scope;
    char *name;        /* what it names (type, module, site text, path); NULL for the total */
    double percent;    /* > 0: a relative limit */
    uint64_t bytes;    /* else: an absolute limit */
    const char *spec;  /* as given, for messages */
} gate_limit;

/* Parses SPEC; on error returns -1 with the reason in `error`. */
int gate_parse(const char *spec, gate_limit *out, char *error, size_t size);
void gate_release(gate_limit *limit);

/* Has growth from `before` to `after` bytes crossed the limit? */
int gate_crossed(const gate_limit *limit, uint64_t before, uint64_t after, uint64_t noise);

/* Would it cross a percentage, but for the noise floor? */
int gate_under_noise(const gate_limit *limit, uint64_t before, uint64_t after, uint64_t noise);

#endif
