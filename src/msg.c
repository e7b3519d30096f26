/* msg.c: error, warning and usage messages. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "msg.h"
#include "textout.h"

/*
 * Messages name files and quote dumps: both untrusted.  The whole line is
 * escaped as terminal text is, so no byte of theirs can drive the terminal.
 */
static void vmessage(const char *kind, const char *fmt, va_list ap)
{
    char line[4096];
    vsnprintf(line, sizeof line, fmt, ap);
    fputs("heapan: ", stderr);
    fputs(kind, stderr);
    print_cstr(stderr, line);
    fputc('\n', stderr);
}

void errorf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmessage("", fmt, ap);
    va_end(ap);
}

void warnf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmessage("warning: ", fmt, ap);
    va_end(ap);
}

void usage_error(const char *command, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmessage("", fmt, ap);
    va_end(ap);
    if (command)
        fprintf(stderr, "Try 'heapan help %s' for more information.\n", command);
    else
        fputs("Try 'heapan --help' for more information.\n", stderr);
    exit(EXIT_TROUBLE);
}
