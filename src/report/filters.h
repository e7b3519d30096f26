/*
 * filters.h: which findings a report keeps.  Regular expressions (PCRE2)
 * on type names and allocation sites, from the command line or from a
 * suppression file:
 *
 *   # comments and blank lines are ignored
 *   type   ^app\.legacy\.       a finding about a matching type is dropped
 *   site   vendor/              ...or allocated at a matching site
 *
 * A type rule matches the finding's object type or the types it holds.
 */
#ifndef HEAPAN_FILTERS_H
#define HEAPAN_FILTERS_H

#include <stddef.h>

typedef struct filters filters;

/* An empty filter set (accepts everything), or NULL when out of memory. */
filters *filters_new(void);
void filters_free(filters *f);

typedef enum filter_rule { FILTER_INCLUDE_TYPE, FILTER_EXCLUDE_TYPE, FILTER_EXCLUDE_SITE } filter_rule;

/*
 * Adds a rule; on a bad pattern returns -1 with a one-line reason in
 * `error` ("missing closing parenthesis at offset 4").
 */
int filters_add(filters *f, filter_rule rule, const char *pattern, char *error, size_t size);

/*
 * Reads rules from a suppression file; on trouble returns -1 with
 * "LINE: reason" (or the system's error) in `error`.
 */
int filters_load(filters *f, const char *path, char *error, size_t size);

/*
 * report_options' callbacks.  Is a type name not excluded?  Is it included:
 * 1, 0, or -1 when no include rule is given?  Is a site not excluded?
 */
int filters_accept_type(void *f, const char *type_name);
int filters_include_type(void *f, const char *type_name);
int filters_accept_site(void *f, const char *site);

/*
 * Warnings the matching left: one per pattern that hit PCRE2's match limit
 * on some name (the finding was then kept).  Returns how many; *lines
 * stays the filters'.
 */
size_t filters_warnings(const filters *f, char ***lines);

#endif
