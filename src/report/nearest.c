/* nearest.c: edit distance, bounded, for names that matched nothing. */
#include <string.h>

#include "report/nearest.h"

#define COMPARED 128 /* bytes of each name compared: bounds the work to 128^2 a name */

/*
 * Levenshtein distance by rows: row[j] is the distance from a[0..i) to
 * b[0..j).  With `substring`, b's prefix and suffix are free (Sellers), so
 * the result is the distance from `a` to the closest part of `b`.
 */
size_t nearest_distance(const char *a, const char *b, int substring)
{
    size_t n = strnlen(a, COMPARED), m = strnlen(b, COMPARED);
    size_t row[COMPARED + 1];
    for (size_t j = 0; j <= m; j++)
        row[j] = substring ? 0 : j;
    size_t best = substring ? n : 0;
    for (size_t i = 1; i <= n; i++) {
        size_t diagonal = row[0];
        row[0] = i;
        for (size_t j = 1; j <= m; j++) {
            size_t above = row[j];
            size_t replace = diagonal + (a[i - 1] != b[j - 1]);
            size_t insert = row[j - 1] + 1, delete = above + 1;
            row[j] = replace < insert ? (replace < delete ? replace : delete)
                                      : (insert < delete ? insert : delete);
            diagonal = above;
        }
    }
    if (!substring)
        return row[m];
    for (size_t j = 0; j <= m; j++)
        best = row[j] < best ? row[j] : best;
    return best;
}

void nearest_init(nearest *n, const char *want, nearest_rule rule)
{
    memset(n, 0, sizeof *n);
    n->want = want;
    n->rule = rule;
}

static size_t distance_to(const nearest *n, const char *candidate)
{
    size_t d = nearest_distance(n->want, candidate, n->rule == NEAREST_SUBSTRING);
    const char *dot = n->rule == NEAREST_LAST_PART ? strrchr(candidate, '.') : NULL;
    if (dot) {
        size_t part = nearest_distance(n->want, dot + 1, 0);
        d = part < d ? part : d;
    }
    return d;
}

void nearest_consider(nearest *n, const char *candidate)
{
    for (size_t k = 0; k < n->count; k++)
        if (strcmp(n->name[k], candidate) == 0)
            return;
    size_t d = distance_to(n, candidate);
    size_t at = n->count;
    while (at > 0 && n->distance[at - 1] > d)
        at--;
    if (at >= NEAREST_SHOWN)
        return;
    size_t last = n->count < NEAREST_SHOWN ? n->count : NEAREST_SHOWN - 1;
    memmove(&n->name[at + 1], &n->name[at], (last - at) * sizeof *n->name);
    memmove(&n->distance[at + 1], &n->distance[at], (last - at) * sizeof *n->distance);
    n->name[at] = candidate;
    n->distance[at] = d;
    if (n->count < NEAREST_SHOWN)
        n->count++;
}
