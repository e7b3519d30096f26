/* msg.c: error, warning and usage messages. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "msg.h"

static void vmessage(const char *kind, const char *fmt, va_list ap)
{
    fputs("heapan: ", stderr);
    fputs(kind, stderr);
    vfprintf(stderr, fmt, ap);
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
