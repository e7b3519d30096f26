/*
 * target.h: what `heapan attach` learns of a running process before it
 * touches it: that it exists and may be traced, that it runs CPython,
 * which version, and where heapan's extension for that version lies.
 * Reads /proc and the files it names; runs the process's own interpreter
 * once, as the process's user, to ask its version and sys.path.
 */
#ifndef HEAPAN_TARGET_H
#define HEAPAN_TARGET_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Why an attach failed; each maps to one message and exit code 2. */
typedef enum attach_error {
    ATTACH_OK,
    ATTACH_NO_PROCESS,
    ATTACH_NOT_PERMITTED,
    ATTACH_NOT_PYTHON,
    ATTACH_UNSUPPORTED,
    ATTACH_NO_EXTENSION,
    ATTACH_NO_SAFE_POINT,
    ATTACH_FAILED
} attach_error;

typedef struct attach_target {
    pid_t pid;
    uid_t uid;
    gid_t gid;
    char exe[PATH_MAX];         /* what /proc/PID/exe names */
    char interpreter[PATH_MAX]; /* what to run to ask the process's Python: its argv[0] when
                                   that is the same file (a virtual environment's), else exe */
    char cwd[PATH_MAX];
    char libc[PATH_MAX];        /* the mapped glibc */
    uint64_t libc_base;         /* where it is mapped */
    int major, minor;           /* CPython's version; 0 until known */
} attach_target;

/* The first CPython and the last the agent supports; later ones use sys.remote_exec. */
#define ATTACH_FIRST_MINOR 8
#define ATTACH_LAST_MINOR 13

/*
 * Checks that `pid` is a process this user may trace and that it runs
 * CPython, and fills `t`.  On failure, `why` says what is wrong, in a
 * phrase that follows "process PID".
 */
attach_error target_inspect(pid_t pid, attach_target *t, char *why, size_t size);

/*
 * Runs the process's interpreter, as its user, in its directory and
 * environment, to learn its version into `t` and heapan's extension for
 * it: the first `heapan/_heapan*.so` on its sys.path built for that
 * version.  With `module_path` (the .so, or a directory holding it or
 * heapan/), that is used instead.  `extension` gets the path.
 */
attach_error target_find_extension(attach_target *t, const char *module_path,
                                   char extension[PATH_MAX], char *why, size_t size);

/*
 * The refusal for `error` (errno) from /proc or ptrace: no such process
 * for ENOENT and ESRCH, else not permitted, with the remedies.
 */
attach_error target_access_error(int error, char *why, size_t size);

/* The CPython version heapan's extension at `path` was built for: 0, or -1. */
int extension_version(const char *path, int *major, int *minor);

#endif
