/* phases.c: progress lines and phase timings on standard error. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "cmd/cliopt.h"
#include "cmd/phases.h"

#define UPDATE_SECONDS 0.25

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static double peak_rss_mib(void)
{
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    return (double)usage.ru_maxrss / 1024.0;  /* Linux reports KiB */
}

progress_mode parse_progress(const char *command, const char *text)
{
    return (progress_mode)parse_choice(command, "--progress", text,
                                       (const char *const[]){"auto", "always", "never", NULL});
}

void phases_init(phases *p, progress_mode mode, const char *path)
{
    memset(p, 0, sizeof *p);
    p->show_progress = mode == PROGRESS_ALWAYS || (mode == PROGRESS_AUTO && isatty(2));
    const char *timings = getenv("HEAPAN_TIMINGS");
    p->show_timings = timings && *timings && strcmp(timings, "0") != 0;
    p->path = path;
}

static void erase_line(phases *p)
{
    if (p->line_dirty) {
        fputs("\r\033[K", stderr);
        p->line_dirty = 0;
    }
}

void phases_next(phases *p, const char *name)
{
    double t = now();
    erase_line(p);
    if (p->phase && p->show_timings)
        fprintf(stderr, "heapan: timing: %-12s %8.3f s   peak RSS %8.1f MiB\n", p->phase,
                t - p->phase_start, peak_rss_mib());
    p->phase = name;
    p->phase_start = p->last_update = t;
    if (name && p->show_progress) {
        fprintf(stderr, "heapan: %s: %s...", p->path, name);
        p->line_dirty = 1;
    }
    fflush(stderr);
}

void phases_bytes(void *ctx, uint64_t bytes_read)
{
    phases *p = ctx;
    if (!p->show_progress)
        return;
    double t = now();
    if (t - p->last_update < UPDATE_SECONDS)
        return;
    p->last_update = t;
    erase_line(p);
    fprintf(stderr, "heapan: %s: %s... %.0f MB decompressed", p->path, p->phase,
            (double)bytes_read / 1e6);
    p->line_dirty = 1;
    fflush(stderr);
}
