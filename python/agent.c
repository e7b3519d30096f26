/*
 * agent.c: the attach agent.  Called from gdb on a thread gdb stopped, it
 * only copies its argument and starts a thread; that thread does the work
 * with the GIL, as the program's own threads take it, at a safe point.
 */
#include "agent.h"

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dumper.h"
#include "process.h"
#include "tracer.h"
#include "watch.h"

/* The tool reads this from the file to tell which CPython the extension is for. */
__attribute__((used)) static const char agent_abi[] =
    "HEAPAN_AGENT_ABI " Py_STRINGIFY(PY_MAJOR_VERSION) "." Py_STRINGIFY(PY_MINOR_VERSION) "\n";

typedef enum { AGENT_DUMP, AGENT_TRACE, AGENT_WATCH } agent_mode;

typedef struct agent_request {
    char dir[PATH_MAX];
    char output[PATH_MAX];
    agent_mode mode;
    int values, background, rearm;
    double seconds;
    unsigned long long sample_bytes, limit_bytes, deadline_ns;
    unsigned percent;
} agent_request;

static unsigned long long monotonic_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (unsigned long long)t.tv_sec * 1000000000ull + (unsigned long long)t.tv_nsec;
}

static int read_request(agent_request *r)
{
    char path[PATH_MAX + 16], line[PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/request", r->dir);
    FILE *f = fopen(path, "re");
    if (!f)
        return -1;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        char *value = strchr(line, ' ');
        if (!value)
            continue;
        *value++ = '\0';
        if (!strcmp(line, "mode"))
            r->mode = !strcmp(value, "trace") ? AGENT_TRACE
                      : !strcmp(value, "watch") ? AGENT_WATCH : AGENT_DUMP;
        else if (!strcmp(line, "output"))
            snprintf(r->output, sizeof r->output, "%s", value);
        else if (!strcmp(line, "values"))
            r->values = atoi(value);
        else if (!strcmp(line, "background"))
            r->background = atoi(value);
        else if (!strcmp(line, "rearm"))
            r->rearm = atoi(value);
        else if (!strcmp(line, "seconds"))
            r->seconds = strtod(value, NULL);
        else if (!strcmp(line, "sample_bytes"))
            r->sample_bytes = strtoull(value, NULL, 10);
        else if (!strcmp(line, "limit_bytes"))
            r->limit_bytes = strtoull(value, NULL, 10);
        else if (!strcmp(line, "percent"))
            r->percent = (unsigned)strtoul(value, NULL, 10);
        else if (!strcmp(line, "deadline_ns"))
            r->deadline_ns = strtoull(value, NULL, 10);
    }
    fclose(f);
    return 0;
}

/* Written to a temporary name and renamed: the tool never reads half an answer. */
static void answer(const agent_request *r, const char *text)
{
    char temporary[PATH_MAX + 16], path[PATH_MAX + 16];
    snprintf(temporary, sizeof temporary, "%s/status.tmp", r->dir);
    snprintf(path, sizeof path, "%s/status", r->dir);
    FILE *f = fopen(temporary, "we");
    if (!f)
        return;
    int ok = fputs(text, f) >= 0 && fputc('\n', f) != EOF;
    if (fclose(f) == 0 && ok)
        rename(temporary, path);
}

/* The tool waits for this, up to its timeout; the work may take longer. */
static void mark_started(const agent_request *r)
{
    char path[PATH_MAX + 16];
    snprintf(path, sizeof path, "%s/started", r->dir);
    FILE *f = fopen(path, "we");
    if (f)
        fclose(f);
}

static void report_dump(const agent_request *r, int failed, const dump_result *result,
                        double pause, const char *error)
{
    char text[512];
    if (failed)
        snprintf(text, sizeof text, "error %s", error);
    else
        snprintf(text, sizeof text,
                 "ok objects %llu total_size %llu references %llu seconds %.3f pause %.6f",
                 (unsigned long long)result->counts.objects,
                 (unsigned long long)result->total_size, (unsigned long long)result->counts.refs,
                 result->seconds, pause);
    answer(r, text);
}

/* Holds the GIL for the fork only, when in the background. */
static void agent_dump(const agent_request *r, PyGILState_STATE gil, unsigned long long held)
{
    dump_options options = {.values = r->values, .tracebacks = 1};
    dump_result result = {0};
    char error[256] = "";
    int failed;
    if (r->background) {
        dump_child child;
        failed = dump_heap_start(r->output, &options, &child) < 0;
        if (failed)
            py_take_error(error, sizeof error, "failed");
        double pause = (double)(monotonic_ns() - held) / 1e9;
        PyGILState_Release(gil);
        if (!failed)
            failed = dump_child_finish(&child, &result, error, sizeof error) < 0;
        report_dump(r, failed, &result, pause, error);
        return;
    }
    failed = dump_heap(r->output, &options, &result) < 0;
    if (failed)
        py_take_error(error, sizeof error, "failed");
    double pause = (double)(monotonic_ns() - held) / 1e9;
    PyGILState_Release(gil);
    report_dump(r, failed, &result, pause, error);
}

/* The trace runs while this thread sleeps without the GIL. */
static void agent_trace(const agent_request *r, PyGILState_STATE gil)
{
    trace_options options = {.frames = 16, .sample_bytes = r->sample_bytes, .interval_ms = 10};
    char error[256], text[512];
    if (trace_start(r->output, &options) < 0) {
        py_take_error(error, sizeof error, "failed");
        PyGILState_Release(gil);
        snprintf(text, sizeof text, "error %s", error);
        answer(r, text);
        return;
    }
    PyGILState_Release(gil);
    struct timespec t = {.tv_sec = (time_t)r->seconds,
                         .tv_nsec = (long)((r->seconds - (double)(time_t)r->seconds) * 1e9)};
    while (nanosleep(&t, &t) < 0 && errno == EINTR)
        ;
    gil = PyGILState_Ensure();
    trace_result result;
    int failed = trace_stop(&result) < 0;
    if (failed)
        py_take_error(error, sizeof error, "failed");
    PyGILState_Release(gil);
    if (failed)
        snprintf(text, sizeof text, "error %s", error);
    else
        snprintf(text, sizeof text, "ok allocations %llu frees %llu seconds %.3f",
                 (unsigned long long)result.counts.allocs,
                 (unsigned long long)result.counts.frees, result.seconds);
    answer(r, text);
}

static void agent_watch(const agent_request *r, PyGILState_STATE gil)
{
    watch_options options = {.limit_bytes = r->limit_bytes, .percent = r->percent,
                             .rearm = r->rearm, .interval_ms = 100,
                             .dump = {.values = r->values, .tracebacks = 1}};
    char error[256], text[512];
    snprintf(options.path, sizeof options.path, "%s", r->output);
    PyGILState_Release(gil);
    if (watch_start(&options, error, sizeof error) < 0) {
        snprintf(text, sizeof text, "error %s", error);
        answer(r, text);
        return;
    }
    watch_state state;
    cgroup_memory cgroup = {0};
    watch_get_state(&state);
    cgroup_memory_read(&cgroup);
    /* The tool warns when the cgroup's limit leaves the dump less room than it needs. */
    snprintf(text, sizeof text, "ok watching threshold %llu limit %llu needs %llu",
             (unsigned long long)state.threshold, (unsigned long long)cgroup.limit,
             (unsigned long long)(state.threshold / 100 * WATCH_DUMP_MEMORY_PERCENT));
    answer(r, text);
}

static void *agent_main(void *arg)
{
    agent_request *r = arg;
    if (read_request(r) < 0 || !Py_IsInitialized()) {
        answer(r, r->output[0] ? "error Python is not initialised in this process"
                               : "error the agent cannot read its request");
        free(r);
        return NULL;
    }
    PyGILState_STATE gil = PyGILState_Ensure();
    unsigned long long held = monotonic_ns();
    if (r->deadline_ns && held > r->deadline_ns) { /* the tool gave up: do nothing now */
        PyGILState_Release(gil);
        answer(r, "error late: the GIL came after the deadline");
        free(r);
        return NULL;
    }
    mark_started(r);
    if (r->mode == AGENT_TRACE)
        agent_trace(r, gil);
    else if (r->mode == AGENT_WATCH)
        agent_watch(r, gil);
    else
        agent_dump(r, gil, held);
    free(r);
    return NULL;
}

int heapan_agent_start(const char *dir)
{
    agent_request *r = calloc(1, sizeof *r);
    if (!r || strlen(dir) >= sizeof r->dir) {
        free(r);
        return -1;
    }
    strcpy(r->dir, dir);
    r->values = 1;
    pthread_attr_t attr;
    pthread_t thread;
    int rc = pthread_attr_init(&attr);
    rc = rc || pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED) ||
         pthread_create(&thread, &attr, agent_main, r);
    pthread_attr_destroy(&attr);
    if (rc)
        free(r);
    return rc ? -1 : 0;
}
