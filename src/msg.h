/*
 * msg.h: the one place the tool talks to the user about trouble.  Every
 * message starts "heapan: " and goes to standard error.
 */
#ifndef HEAPAN_MSG_H
#define HEAPAN_MSG_H

#include <stdnoreturn.h>

/* Exit codes, as documented in heapan(1). */
enum {
    EXIT_OK = 0,       /* success, nothing found */
    EXIT_FOUND = 1,    /* a problem was found: broken dump, regression */
    EXIT_TROUBLE = 2   /* bad usage or unreadable input */
};

#if defined(__GNUC__)
#define MSG_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define MSG_PRINTF(fmt, args)
#endif

/* "heapan: error text" */
void errorf(const char *fmt, ...) MSG_PRINTF(1, 2);
/* "heapan: warning: text" */
void warnf(const char *fmt, ...) MSG_PRINTF(1, 2);
/* A usage error of `command`: the message, a hint, exit 2. */
noreturn void usage_error(const char *command, const char *fmt, ...) MSG_PRINTF(2, 3);

#endif
