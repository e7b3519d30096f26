/* warnings.h: the list of one-line warnings a loaded dump or trace carries. */
#ifndef HEAPAN_WARNINGS_H
#define HEAPAN_WARNINGS_H

#include <stdarg.h>
#include <stddef.h>

/* Appends a formatted line to lines[0..*count); -1 when out of memory. */
int warning_add(char ***lines, size_t *count, const char *fmt, va_list ap);

/* Frees every line and the list. */
void warnings_free(char **lines, size_t count);

#endif
