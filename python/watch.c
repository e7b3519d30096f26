/*
 * watch.c: the memory watchdog.  Its thread samples memory without the
 * GIL, and takes it only to fork a background dump, so the process pauses
 * for the fork alone.
 */
#include "watch.h" /* Python.h first, as CPython requires */

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "process.h"

/* A cgroup v1 limit this high means none: the kernel's "unlimited". */
#define NO_LIMIT_ABOVE (1ull << 60)

static struct watchdog {
    pthread_mutex_t lock; /* guards state, stopping */
    pthread_cond_t wake;
    pthread_t thread;
    int started, stopping;
    watch_options options;
    watch_state state;
} watchdog = {.lock = PTHREAD_MUTEX_INITIALIZER, .wake = PTHREAD_COND_INITIALIZER};

/* ---- reading memory -------------------------------------------------------- */

static int read_number(const char *dir, const char *file, uint64_t *value)
{
    char path[PATH_MAX + 64], text[64];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    FILE *f = fopen(path, "re");
    if (!f)
        return -1;
    int ok = fgets(text, sizeof text, f) != NULL;
    fclose(f);
    if (!ok)
        return -1;
    if (strncmp(text, "max", 3) == 0) { /* v2's "no limit" */
        *value = 0;
        return 0;
    }
    char *end;
    errno = 0;
    unsigned long long n = strtoull(text, &end, 10);
    if (errno || end == text)
        return -1;
    *value = n >= NO_LIMIT_ABOVE ? 0 : (uint64_t)n;
    return 0;
}

/* The cgroup path of this process for `controller` ("" for v2's unified line). */
static int cgroup_path(const char *controller, char *path, size_t size)
{
    FILE *f = fopen("/proc/self/cgroup", "re");
    char line[PATH_MAX + 64];
    int found = -1;
    while (f && found < 0 && fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        char *controllers = strchr(line, ':');
        char *at = controllers ? strchr(controllers + 1, ':') : NULL;
        if (!at)
            continue;
        *at = '\0';
        const char *names = controllers + 1;
        int match = *controller ? strstr(names, controller) != NULL : *names == '\0';
        if (match && (size_t)snprintf(path, size, "%s", at + 1) < size)
            found = 0;
    }
    if (f)
        fclose(f);
    return found;
}

/* The directory of this process's cgroup under `base`, or `base` itself when
 * the namespace shows it as the root (containers mount their own cgroup there). */
static void cgroup_dir(const char *base, const char *relative, char *dir, size_t size)
{
    snprintf(dir, size, "%s%s", base, relative);
    if (access(dir, R_OK) != 0)
        snprintf(dir, size, "%s", base);
}

int cgroup_memory_read(cgroup_memory *m)
{
    const char *root = getenv("HEAPAN_CGROUP_ROOT");
    char marker[PATH_MAX + 32], base[PATH_MAX + 16], relative[PATH_MAX], dir[2 * PATH_MAX + 16];
    if (!root || !*root)
        root = "/sys/fs/cgroup";
    *m = (cgroup_memory){0};
    snprintf(marker, sizeof marker, "%s/cgroup.controllers", root);
    if (access(marker, R_OK) == 0 && cgroup_path("", relative, sizeof relative) == 0) {
        cgroup_dir(root, relative, dir, sizeof dir);
        if (read_number(dir, "memory.current", &m->usage) == 0 &&
            read_number(dir, "memory.max", &m->limit) == 0) {
            m->version = 2;
            return 0;
        }
    }
    snprintf(base, sizeof base, "%s/memory", root);
    if (cgroup_path("memory", relative, sizeof relative) == 0) {
        cgroup_dir(base, relative, dir, sizeof dir);
        if (read_number(dir, "memory.usage_in_bytes", &m->usage) == 0 &&
            read_number(dir, "memory.limit_in_bytes", &m->limit) == 0) {
            m->version = 1;
            return 0;
        }
    }
    return -1;
}

/* What the limit is compared with: the cgroup's usage for a share of its limit, else RSS. */
static uint64_t memory_now(const watch_options *o)
{
    cgroup_memory m;
    if (o->percent)
        return cgroup_memory_read(&m) == 0 ? m.usage : 0;
    return process_rss_bytes();
}

/* ---- the dump ---------------------------------------------------------------- */

/* `template` with %p (pid), %t (UTC time), %n (the dump's number), %% expanded. */
static void expand(const char *template, unsigned number, char *out, size_t size)
{
    size_t n = 0;
    for (const char *c = template; *c && n + 1 < size; c++) {
        char piece[64] = {0};
        if (c[0] == '%' && c[1] && strchr("ptn%", c[1])) {
            time_t now = time(NULL);
            struct tm tm;
            switch (*++c) {
            case 'p': snprintf(piece, sizeof piece, "%ld", (long)getpid()); break;
            case 't': strftime(piece, sizeof piece, "%Y%m%dT%H%M%SZ", gmtime_r(&now, &tm)); break;
            case 'n': snprintf(piece, sizeof piece, "%04u", number); break;
            default: piece[0] = '%';
            }
        } else {
            piece[0] = *c;
        }
        n += (size_t)snprintf(out + n, size - n, "%s", piece);
        if (n >= size)
            n = size - 1;
    }
    out[n] = '\0';
}

static int finalizing(void)
{
#if PY_VERSION_HEX >= 0x030D0000
    return Py_IsFinalizing();
#else
    return _Py_IsFinalizing();
#endif
}

/*
 * Forks the dump with the GIL, then waits for the child without it.  The
 * count and, with rearm, the next threshold past `memory` change in one
 * step: a reader never sees the new count beside the old threshold.
 */
static void dump_now(unsigned number, uint64_t memory)
{
    char path[PATH_MAX], error[256] = "";
    expand(watchdog.options.path, number, path, sizeof path);
    if (finalizing() || !Py_IsInitialized())
        return;
    PyGILState_STATE gil = PyGILState_Ensure();
    dump_child child;
    int failed = dump_heap_start(path, &watchdog.options.dump, &child) < 0;
    if (failed)
        py_take_error(error, sizeof error, "the dump failed");
    PyGILState_Release(gil);
    dump_result result;
    if (!failed)
        failed = dump_child_finish(&child, &result, error, sizeof error) < 0;
    pthread_mutex_lock(&watchdog.lock);
    if (failed) {
        snprintf(watchdog.state.last_error, sizeof watchdog.state.last_error, "%s: %s", path,
                 error);
    } else {
        watchdog.state.dumps++;
        snprintf(watchdog.state.last_path, sizeof watchdog.state.last_path, "%s", path);
    }
    while (watchdog.options.rearm && watchdog.state.threshold <= memory)
        watchdog.state.threshold *= 2;
    pthread_mutex_unlock(&watchdog.lock);
}

/* Invariant: `threshold` is the memory of the next dump; without rearm there is one. */
static void *watch_loop(void *unused)
{
    (void)unused;
    unsigned number = 0;
    pthread_mutex_lock(&watchdog.lock);
    while (!watchdog.stopping) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        uint64_t ns = (uint64_t)until.tv_nsec + (uint64_t)watchdog.options.interval_ms * 1000000u;
        until.tv_sec += (time_t)(ns / 1000000000u);
        until.tv_nsec = (long)(ns % 1000000000u);
        pthread_cond_timedwait(&watchdog.wake, &watchdog.lock, &until);
        if (watchdog.stopping)
            break;
        pthread_mutex_unlock(&watchdog.lock);
        uint64_t memory = memory_now(&watchdog.options);
        int cross = memory >= watchdog.state.threshold;
        if (cross)
            dump_now(++number, memory);
        pthread_mutex_lock(&watchdog.lock);
        watchdog.state.last_memory = memory;
        if (cross && !watchdog.options.rearm)
            break;
    }
    watchdog.state.running = 0;
    pthread_mutex_unlock(&watchdog.lock);
    return NULL;
}

int watch_start(const watch_options *options, char *error, size_t error_size)
{
    uint64_t threshold = options->limit_bytes;
    if (options->percent) {
        cgroup_memory m;
        if (cgroup_memory_read(&m) < 0 || !m.limit) {
            snprintf(error, error_size,
                     "a limit in percent needs a cgroup memory limit, and this process has none");
            return -1;
        }
        threshold = m.limit / 100 * options->percent;
    }
    pthread_mutex_lock(&watchdog.lock);
    if (watchdog.state.running) {
        pthread_mutex_unlock(&watchdog.lock);
        snprintf(error, error_size, "a memory watchdog is running already");
        return -1;
    }
    if (watchdog.started) /* a watchdog that ended on its own: reaped here */
        pthread_join(watchdog.thread, NULL);
    watchdog.started = 0;
    watchdog.options = *options;
    watchdog.options.dump.call_args = watchdog.options.dump.call_kwargs = NULL;
    watchdog.state = (watch_state){.running = 1, .threshold = threshold ? threshold : 1};
    watchdog.stopping = 0;
    if (pthread_create(&watchdog.thread, NULL, watch_loop, NULL) != 0) {
        watchdog.state.running = 0;
        pthread_mutex_unlock(&watchdog.lock);
        snprintf(error, error_size, "cannot start the watchdog thread");
        return -1;
    }
    watchdog.started = 1;
    pthread_mutex_unlock(&watchdog.lock);
    return 0;
}

int watch_stop(void)
{
    pthread_mutex_lock(&watchdog.lock);
    if (!watchdog.started) {
        pthread_mutex_unlock(&watchdog.lock);
        return -1;
    }
    watchdog.stopping = 1;
    pthread_cond_signal(&watchdog.wake);
    pthread_mutex_unlock(&watchdog.lock);
    pthread_join(watchdog.thread, NULL);
    pthread_mutex_lock(&watchdog.lock);
    watchdog.started = 0;
    pthread_mutex_unlock(&watchdog.lock);
    return 0;
}

void watch_get_state(watch_state *state)
{
    pthread_mutex_lock(&watchdog.lock);
    *state = watchdog.state;
    pthread_mutex_unlock(&watchdog.lock);
}
