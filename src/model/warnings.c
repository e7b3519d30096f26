/* warnings.c: growing a list of warning lines. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/warnings.h"

int warning_add(char ***lines, size_t *count, const char *fmt, va_list ap)
{
    char line[512];
    vsnprintf(line, sizeof line, fmt, ap);
    char **list = realloc(*lines, (*count + 1) * sizeof *list);
    if (!list)
        return -1;
    *lines = list;
    if (!(list[*count] = strdup(line)))
        return -1;
    (*count)++;
    return 0;
}

const char *warning_skipped_records(unsigned long long skipped, char *buf, size_t size)
{
    snprintf(buf, size,
             "%llu record%s of a kind this heapan does not know %s skipped: the file may come "
             "from a newer heapan, and what those records hold is left out",
             skipped, skipped == 1 ? "" : "s", skipped == 1 ? "was" : "were");
    return buf;
}

void warnings_free(char **lines, size_t count)
{
    for (size_t k = 0; k < count; k++)
        free(lines[k]);
    free(lines);
}
