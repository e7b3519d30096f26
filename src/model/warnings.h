/* warnings.h: the list of one-line warnings a loaded dump or trace carries. */
#ifndef HEAPAN_WARNINGS_H
#define HEAPAN_WARNINGS_H

#include <stdarg.h>
#include <stddef.h>

/* Appends a formatted line to lines[0..*count); -1 when out of memory. */
int warning_add(char ***lines, size_t *count, const char *fmt, va_list ap);

/* The warning for `skipped` records of unknown kinds, into buf; returns buf. */
const char *warning_skipped_records(unsigned long long skipped, char *buf, size_t size);

/* Frees every line and the list. */
void warnings_free(char **lines, size_t count);

#endif
