/* session.c: the request directory, the injection and the wait for the answer. */
#include "attach/session.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "attach/inject.h"

#define POLL_US 5000

static const char *const session_files[] = {"request", "started", "status", "status.tmp",
                                            "agent.py"};

static void file_in(char *out, size_t size, const char *dir, const char *name)
{
    snprintf(out, size, "%s/%s", dir, name);
}

/* A directory only the tool and the process's user can enter. */
static int make_directory(const attach_target *t, char dir[PATH_MAX])
{
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, PATH_MAX, "%s/heapan-attach-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir))
        return -1;
    if (geteuid() == 0 && t->uid != 0 && chown(dir, t->uid, t->gid) < 0) {
        rmdir(dir);
        return -1;
    }
    return 0;
}

static void remove_directory(const char *dir)
{
    char path[PATH_MAX + 32];
    for (size_t i = 0; i < sizeof session_files / sizeof *session_files; i++) {
        file_in(path, sizeof path, dir, session_files[i]);
        unlink(path);
    }
    rmdir(dir);
}

static unsigned long long deadline_ns(const struct timespec *deadline)
{
    return (unsigned long long)deadline->tv_sec * 1000000000ull +
           (unsigned long long)deadline->tv_nsec;
}

static int write_request(const char *dir, const attach_request *r,
                         const struct timespec *deadline)
{
    static const char *const modes[] = {"dump", "trace", "watch"};
    char path[PATH_MAX + 32];
    file_in(path, sizeof path, dir, "request");
    FILE *f = fopen(path, "we");
    if (!f)
        return -1;
    fprintf(f,
            "mode %s\noutput %s\nvalues %d\nbackground %d\nseconds %.3f\nsample_bytes %llu\n"
            "limit_bytes %llu\npercent %u\nrearm %d\ndeadline_ns %llu\n",
            modes[r->mode], r->output, r->values, r->background, r->trace_seconds,
            (unsigned long long)r->sample_bytes, (unsigned long long)r->limit_bytes, r->percent,
            r->rearm, deadline_ns(deadline));
    return fclose(f) == 0 ? 0 : -1;
}

static void number_after(const char *text, const char *key, uint64_t *value)
{
    const char *at = strstr(text, key);
    if (at)
        *value = strtoull(at + strlen(key), NULL, 10);
}

static void parse_answer(char *line, attach_answer *a)
{
    line[strcspn(line, "\n")] = '\0';
    a->ok = strncmp(line, "ok", 2) == 0;
    const char *text = a->ok ? line + 2 : strncmp(line, "error", 5) == 0 ? line + 5 : line;
    snprintf(a->text, sizeof a->text, "%s", text + (*text == ' '));
    number_after(line, " objects ", &a->objects);
    number_after(line, " total_size ", &a->total_size);
    number_after(line, " references ", &a->references);
    number_after(line, " allocations ", &a->allocations);
    number_after(line, " frees ", &a->frees);
    number_after(line, " threshold ", &a->threshold);
    number_after(line, " limit ", &a->limit);
    number_after(line, " needs ", &a->needs);
    const char *at = strstr(line, " seconds ");
    a->seconds = at ? strtod(at + 9, NULL) : 0;
    at = strstr(line, " pause ");
    a->pause = at ? strtod(at + 7, NULL) : 0;
}

static int passed(const struct timespec *until)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return now.tv_sec > until->tv_sec || (now.tv_sec == until->tv_sec && now.tv_nsec > until->tv_nsec);
}

static int exists(const char *dir, const char *name)
{
    char path[PATH_MAX + 32];
    file_in(path, sizeof path, dir, name);
    return access(path, F_OK) == 0;
}

/* Alive and not a zombie: a process that ended waits as one until its parent reaps it. */
static int process_alive(pid_t pid)
{
    char path[64], text[256];
    snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
    FILE *f = fopen(path, "re");
    size_t n = f ? fread(text, 1, sizeof text - 1, f) : 0;
    if (f)
        fclose(f);
    text[n] = '\0';
    const char *state = strrchr(text, ')'); /* after the command's name, which may hold spaces */
    return state && state[1] == ' ' && state[2] != 'Z' && state[2] != 'X';
}

/*
 * The agent's status.  It marks "started" once it holds the GIL, which must
 * come before `deadline`; the work itself may take as long as the heap needs,
 * while the process lives.  0, -1 when the deadline passed, -2 when the process ended.
 */
static int wait_answer(const char *dir, pid_t pid, const struct timespec *deadline,
                       attach_answer *a)
{
    char path[PATH_MAX + 32], line[1100];
    file_in(path, sizeof path, dir, "status");
    for (int started = 0;; usleep(POLL_US)) {
        FILE *f = fopen(path, "re");
        if (f) {
            int got = fgets(line, sizeof line, f) != NULL;
            fclose(f);
            if (got) {
                parse_answer(line, a);
                return 0;
            }
        }
        started = started || exists(dir, "started");
        if (!started && passed(deadline))
            return -1;
        if (!process_alive(pid))
            return -2;
    }
}

static struct timespec seconds_from_now(double seconds)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    double whole = (double)(long long)seconds;
    t.tv_sec += (time_t)whole;
    t.tv_nsec += (long)((seconds - whole) * 1e9);
    if (t.tv_nsec >= 1000000000L)
        t.tv_sec++, t.tv_nsec -= 1000000000L;
    return t;
}

/* ---- 3.14 and later: sys.remote_exec() ------------------------------------------------ */

/* `s` as a Python bytes literal: every byte outside printable ASCII escaped. */
static void python_bytes(FILE *f, const char *s)
{
    fputs("b'", f);
    for (const unsigned char *c = (const unsigned char *)s; *c; c++)
        fprintf(f, *c >= 0x20 && *c < 0x7f && *c != '\\' && *c != '\'' ? "%c" : "\\x%02x", *c);
    fputs("'", f);
}

/*
 * Written from the documentation of sys.remote_exec() (PEP 768), untested:
 * no CPython 3.14 was at hand.  The script imports heapan from the
 * extension's directory and takes sys.path back; heapan stays imported.
 */
static int write_remote_script(const char *dir, const char *extension, const attach_request *r)
{
    char path[PATH_MAX + 32], package[PATH_MAX];
    file_in(path, sizeof path, dir, "agent.py");
    snprintf(package, sizeof package, "%s", extension);
    for (int up = 0; up < 2; up++) /* .../site-packages/heapan/_heapan.so -> site-packages */
        *(strrchr(package, '/') ? strrchr(package, '/') : package) = '\0';
    FILE *f = fopen(path, "we");
    if (!f)
        return -1;
    fputs("import os, sys, threading\n_d = os.fsdecode(", f);
    python_bytes(f, dir);
    fputs(")\n_p = os.fsdecode(", f);
    python_bytes(f, package);
    fputs(")\n_o = os.fsdecode(", f);
    python_bytes(f, r->output);
    fprintf(f,
            ")\n"
            "def _heapan_attach():\n"
            "    sys.path.insert(0, _p)\n"
            "    try:\n"
            "        import heapan\n"
            "        h = heapan.dump(_o, values=%s, background=%s)\n"
            "        c = h.wait() if %s else h\n"
            "        t = 'ok objects %%d total_size %%d references %%d seconds %%.3f pause 0' %% (\n"
            "            c['objects'], c['total_size'], c['references'], c['seconds'])\n"
            "    except Exception as e:\n"
            "        t = 'error %%s' %% e\n"
            "    finally:\n"
            "        sys.path.remove(_p)\n"
            "    with open(os.path.join(_d, 'status.tmp'), 'w') as f:\n"
            "        f.write(t + '\\n')\n"
            "    os.rename(os.path.join(_d, 'status.tmp'), os.path.join(_d, 'status'))\n"
            "threading.Thread(target=_heapan_attach, daemon=True).start()\n",
            r->values ? "True" : "False", r->background ? "True" : "False",
            r->background ? "True" : "False");
    return fclose(f) == 0 ? 0 : -1;
}

static attach_error remote_exec(const attach_target *t, const char *dir, char *why,
                                size_t size)
{
    char script[PATH_MAX + 32], code[PATH_MAX + 128];
    file_in(script, sizeof script, dir, "agent.py");
    snprintf(code, sizeof code, "import sys; sys.remote_exec(%ld, %s)", (long)t->pid, "sys.argv[1]");
    pid_t child = fork();
    if (child == 0) {
        char *argv[] = {(char *)t->interpreter, "-c", code, script, NULL};
        execv(t->interpreter, argv);
        _exit(127);
    }
    int status = 0;
    while (child > 0 && waitpid(child, &status, 0) < 0 && errno == EINTR)
        ;
    if (child < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        snprintf(why, size, "refused sys.remote_exec() (see the message above)");
        return ATTACH_FAILED;
    }
    return ATTACH_OK;
}

/* ---- the session ----------------------------------------------------------------------- */

static attach_error start_agent(const attach_target *t, const char *extension, const char *dir,
                                const attach_request *r, const struct timespec *deadline,
                                char *why, size_t size)
{
    if (t->minor > ATTACH_LAST_MINOR) {
        if (r->mode != ATTACH_DUMP) {
            snprintf(why, size, "runs CPython 3.%d, where heapan attach takes dumps only",
                     t->minor);
            return ATTACH_UNSUPPORTED;
        }
        if (write_remote_script(dir, extension, r) < 0) {
            snprintf(why, size, "could not be given its script (%s)", strerror(errno));
            return ATTACH_FAILED;
        }
        return remote_exec(t, dir, why, size);
    }
    return inject_agent(t, extension, dir, deadline, why, size);
}

attach_error attach_session_run(const attach_target *t, const char *extension,
                                const attach_request *r, attach_answer *answer, char *why,
                                size_t size)
{
    char dir[PATH_MAX];
    memset(answer, 0, sizeof *answer);
    struct timespec deadline = seconds_from_now(r->timeout);
    if (make_directory(t, dir) < 0 || write_request(dir, r, &deadline) < 0) {
        snprintf(why, size, "could not be sent its request (%s)", strerror(errno));
        return ATTACH_FAILED;
    }
    attach_error e = start_agent(t, extension, dir, r, &deadline, why, size);
    int waited = e == ATTACH_OK ? wait_answer(dir, t->pid, &deadline, answer) : 0;
    if (waited == -1) {
        snprintf(why, size,
                 "did not let heapan's agent take the GIL within %g s (a thread holds it in C "
                 "code); nothing was written, and the agent will do nothing",
                 r->timeout);
        e = ATTACH_NO_SAFE_POINT;
    } else if (waited == -2) {
        snprintf(why, size, "ended before heapan's agent answered");
        e = ATTACH_NO_PROCESS;
    }
    remove_directory(dir);
    return e;
}
