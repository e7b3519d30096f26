/*
 * session.h: one attach, from the request to the answer.  The tool and the
 * agent talk through files in a directory of the tool's (see
 * python/agent.h): the request, then the agent's one-line status.
 */
#ifndef HEAPAN_SESSION_H
#define HEAPAN_SESSION_H

#include <stdint.h>

#include "attach/target.h"

typedef enum attach_mode { ATTACH_DUMP, ATTACH_TRACE, ATTACH_WATCH } attach_mode;

typedef struct attach_request {
    attach_mode mode;
    const char *output;     /* absolute; for ATTACH_WATCH a template (%p, %t, %n) */
    int values;
    int background;         /* fork the dump: the process pauses for the fork only */
    double trace_seconds;
    uint64_t sample_bytes;
    uint64_t limit_bytes;   /* ATTACH_WATCH: of RSS, or ... */
    unsigned percent;       /* ... a share of the cgroup's limit */
    int rearm;
    double timeout;         /* seconds to reach a safe point and take the GIL */
} attach_request;

/* The agent's answer: "ok" and its numbers, or the error's text. */
typedef struct attach_answer {
    int ok;
    uint64_t objects, total_size, references, allocations, frees;
    uint64_t threshold, limit, needs; /* the watchdog's: its limit, the cgroup's, the dump's own */
    double seconds, pause;
    char text[1024]; /* the status line after "ok " or "error " */
} attach_answer;

/*
 * Runs the request in `t` with the agent in `extension`: through ptrace
 * for 3.8 to 3.13, through sys.remote_exec() from 3.14.  Returns
 * ATTACH_OK with `answer` filled (answer->ok 0: the agent's own failure,
 * in answer->text), or an error with `why`.
 */
attach_error attach_session_run(const attach_target *t, const char *extension,
                                const attach_request *r, attach_answer *answer, char *why,
                                size_t size);

#endif
