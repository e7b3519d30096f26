/* trace.c: replaying an allocation trace: live bytes per site, the peak, growth. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addrmap.h"
#include "grow.h"
#include "trace/trace.h"
#include "model/warnings.h"
#include "model/sort.h"

#define MAX_POINTS 512   /* timeline points kept */
#define STEADY_FIT 0.8    /* R^2 of a growth that counts as steady */

typedef struct replay {
    trace *t;
    uint64_t points_seen, point_stride;
    uint64_t event, peak_event;  /* allocations and frees so far; when the peak was reached */
    uint64_t clock_us;           /* the latest event time so far: time never runs backwards */
    uint64_t backwards, largest_step_back_us, reallocated;
    size_t site_cap, frame_cap;
    int failed;
} replay;

static int warn(trace *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int result = warning_add(&t->warnings, &t->warning_count, fmt, ap);
    va_end(ap);
    return result;
}

/* Bytes an allocation of `size` stands for (sampled traces weigh each one up). */
static uint64_t weight(const trace *t, uint64_t size)
{
    double every = (double)t->header.sample_bytes;
    if (!every || !size)
        return size;
    return (uint64_t)((double)size / -expm1(-(double)size / every) + 0.5);
}

static double seconds(uint64_t time_us)
{
    return (double)time_us / 1e6;
}

/* Closes the interval the site's live bytes held since its last change. */
static void integrate(trace_site *s, double now)
{
    double a = s->last_t, b = now, l = (double)s->live;
    s->s0 += b - a;
    s->s1 += (b * b - a * a) / 2;
    s->s2 += (b * b * b - a * a * a) / 3;
    s->sl += l * (b - a);
    s->stl += l * (b * b - a * a) / 2;
    s->sll += l * l * (b - a);
    s->last_t = now;
}

static trace_site *site_of(replay *p, uint32_t stack)
{
    trace *t = p->t;
    if (stack >= t->stack_count)
        stack = 0;  /* the reader checks ids; be safe anyway */
    return &t->sites[stack];
}

/* Halves every site's curve resolution: pairs of steps merge into one. */
static void widen_curves(trace *t)
{
    for (uint32_t i = 0; i < t->stack_count; i++) {
        trace_site *s = &t->sites[i];
        uint32_t set = 0;
        for (unsigned k = 0; k < TRACE_CURVE_POINTS / 2; k++) {
            unsigned later = 2 * k + 1, earlier = 2 * k;
            unsigned from = s->curve_set >> later & 1 ? later : earlier;
            s->curve[k] = s->curve[from];
            set |= (s->curve_set >> from & 1u) << k;
        }
        s->curve_set = set;
    }
    t->curve_step_us *= 2;
}

static void mark_curve(trace *t, trace_site *s, uint64_t time_us)
{
    while (time_us / t->curve_step_us >= TRACE_CURVE_POINTS)
        widen_curves(t);
    unsigned step = (unsigned)(time_us / t->curve_step_us);
    s->curve[step] = s->live;
    s->curve_set |= 1u << step;
}

/*
 * The site changes by `delta` bytes.  If it has not changed since the peak,
 * its live bytes now are its live bytes at the peak: keep them first.
 */
static void change(replay *p, trace_site *s, int64_t delta, uint64_t time_us)
{
    integrate(s, seconds(time_us));
    if (s->changed_at <= p->peak_event)
        s->live_at_peak = s->live;
    s->live = (uint64_t)((int64_t)s->live + delta);
    if (s->live > s->live_max)
        s->live_max = s->live;
    s->changed_at = p->event;
    mark_curve(p->t, s, time_us);
}

static void add_point(replay *p, uint64_t time_us, uint64_t traced, uint64_t rss)
{
    trace *t = p->t;
    if (grow(&t->timeline, sizeof *t->timeline, &t->point_cap, t->point_count + 1) < 0) {
        p->failed = 1;
        return;
    }
    t->timeline[t->point_count++] = (trace_point){time_us, traced, rss};
}

/* Keeps every stride-th point; when full, halves the points and doubles the stride. */
static void thin_point(replay *p, uint64_t time_us, uint64_t traced, uint64_t rss)
{
    trace *t = p->t;
    if (++p->points_seen % p->point_stride)
        return;
    if (t->point_count == MAX_POINTS) {
        for (size_t i = 0; i < MAX_POINTS / 2; i++)
            t->timeline[i] = t->timeline[2 * i + 1];
        t->point_count = MAX_POINTS / 2;
        p->point_stride *= 2;
    }
    add_point(p, time_us, traced, rss);
}

/* Without SAMPLE records the events make the timeline. */
static void maybe_point(replay *p, uint64_t time_us)
{
    if (!p->t->timeline_from_samples)
        thin_point(p, time_us, p->t->live, 0);
}

/* An event stamped before the one before it is counted at that one's time. */
static uint64_t event_time(replay *p, uint64_t time_us)
{
    if (time_us >= p->clock_us)
        return p->clock_us = time_us;
    p->backwards++;
    if (p->clock_us - time_us > p->largest_step_back_us)
        p->largest_step_back_us = p->clock_us - time_us;
    return p->clock_us;
}

static void on_alloc(replay *p, const heapan_alloc *a)
{
    trace *t = p->t;
    int added;
    addrmap_slot *slot = a->address ? addrmap_upsert(&t->blocks, a->address, &added) : NULL;
    if (!slot) {
        p->failed = a->address != 0;
        return;
    }
    p->event++;
    if (!added) {  /* a block allocated twice: the first was freed unseen */
        p->reallocated++;
        trace_site *old = site_of(p, slot->index);
        uint64_t bytes = weight(t, slot->extra);
        change(p, old, -(int64_t)bytes, a->time_us);
        t->live -= bytes;
    }
    if (a->size > UINT32_MAX)
        t->huge++;
    slot->index = a->stack < t->stack_count ? a->stack : 0;
    slot->extra = a->size > UINT32_MAX ? UINT32_MAX : (uint32_t)a->size;
    uint64_t bytes = weight(t, slot->extra);
    trace_site *s = site_of(p, slot->index);
    s->allocations++;
    s->total_allocated += bytes;
    change(p, s, (int64_t)bytes, a->time_us);
    t->allocations++;
    t->total_allocated += bytes;
    t->live += bytes;
    if (t->live > t->peak) {
        t->peak = t->live;
        t->peak_time_us = a->time_us;
        p->peak_event = p->event;
    }
    t->end_time_us = a->time_us;
    maybe_point(p, a->time_us);
}

static void on_free(replay *p, const heapan_free *f)
{
    trace *t = p->t;
    t->frees++;
    t->end_time_us = f->time_us > t->end_time_us ? f->time_us : t->end_time_us;
    addrmap_slot *slot = addrmap_slot_of(&t->blocks, f->address);
    if (!slot) {
        t->unmatched_frees++;  /* allocated before tracing started */
        return;
    }
    p->event++;
    uint64_t bytes = weight(t, slot->extra);
    change(p, site_of(p, slot->index), -(int64_t)bytes, f->time_us);
    t->live -= bytes;
    addrmap_remove_slot(&t->blocks, slot);
    maybe_point(p, f->time_us);
}

/*
 * A live block now holds an object of another site, reused from a free
 * list: its bytes move, and nothing is allocated.  A block the trace does
 * not know (allocated before tracing) stays unknown, as in tracemalloc.
 */
static void on_reuse(replay *p, const heapan_reuse *u)
{
    trace *t = p->t;
    t->end_time_us = u->time_us > t->end_time_us ? u->time_us : t->end_time_us;
    addrmap_slot *slot = addrmap_slot_of(&t->blocks, u->address);
    uint32_t stack = u->stack < t->stack_count ? u->stack : 0;
    if (!slot || slot->index == stack)
        return;
    p->event++;
    uint64_t bytes = weight(t, slot->extra);
    change(p, site_of(p, slot->index), -(int64_t)bytes, u->time_us);
    slot->index = stack;
    change(p, site_of(p, stack), (int64_t)bytes, u->time_us);
}

/* Stacks and frames arrive with ids 1, 2, 3...: grow the arrays to hold `id`, zeroed. */
static void *grow_to(void *array, size_t elem, size_t *cap, uint32_t id, uint32_t *count, int *failed)
{
    size_t before = *cap;
    if (grow(array, elem, cap, (size_t)id + 1) < 0) {
        *failed = 1;
        return NULL;
    }
    char *base = *(char **)array;
    memset(base + before * elem, 0, (*cap - before) * elem);
    if (id >= *count)
        *count = id + 1;
    return base + (size_t)id * elem;
}

/* Directories of each kind kept, at most: a hostile trace may list millions. */
#define TRACE_DIRS_MAX 64

static int add_dir(const char ***dirs, size_t *count, const heapan_property *prop)
{
    if (prop->value_kind != HEAPAN_VALUE_TEXT || !prop->len || *count >= TRACE_DIRS_MAX ||
        memchr(prop->data, '\0', prop->len))
        return 0;
    const char **bigger = realloc(*dirs, (*count + 1) * sizeof *bigger);
    char *dir = bigger ? strndup(prop->data, prop->len) : NULL;
    if (bigger)
        *dirs = bigger;
    if (!dir)
        return -1;
    bigger[(*count)++] = dir;
    return 0;
}

/* The process's facts the analysis uses: where code lives, and how reuse was traced. */
static int on_property(trace *t, const heapan_property *prop)
{
    const char *key = prop->object ? NULL : heapan_reader_string(t->reader, prop->key, NULL);
    if (!key)
        return 0;
    if (!strcmp(key, "stdlib.dir"))
        return add_dir(&t->code.stdlib_dirs, &t->code.stdlib_dir_count, prop);
    if (!strcmp(key, "site.packages") || !strcmp(key, "site.user_packages"))
        return add_dir(&t->code.package_dirs, &t->code.package_dir_count, prop);
    if (!strcmp(key, "sys.path") && !t->program_dir && prop->value_kind == HEAPAN_VALUE_TEXT &&
        prop->len && !memchr(prop->data, '\0', prop->len))  /* the first: the script's directory */
        return (t->program_dir = strndup(prop->data, prop->len)) ? 0 : -1;
    if (!strcmp(key, "trace.reuse_attributed") && prop->value_kind == HEAPAN_VALUE_BOOL)
        t->reuse_attributed = prop->i != 0;
    return 0;
}

static void on_record(replay *p, const heapan_record *rec)
{
    trace *t = p->t;
    switch (rec->kind) {
    case HEAPAN_REC_ALLOC: {
        heapan_alloc a = rec->u.alloc;
        a.time_us = event_time(p, a.time_us);
        on_alloc(p, &a);
        break;
    }
    case HEAPAN_REC_FREE: {
        heapan_free f = rec->u.free;
        f.time_us = event_time(p, f.time_us);
        on_free(p, &f);
        break;
    }
    case HEAPAN_REC_REUSE: {
        heapan_reuse u = rec->u.reuse;
        u.time_us = event_time(p, u.time_us);
        on_reuse(p, &u);
        break;
    }
    case HEAPAN_REC_SAMPLE:
        if (!t->timeline_from_samples) {
            t->timeline_from_samples = 1;  /* the process's own samples replace ours */
            t->point_count = 0;
            p->point_stride = 1;
            p->points_seen = 0;
        }
        /* traced_bytes 0: the producer left it to the events, known exactly here */
        thin_point(p, event_time(p, rec->u.sample.time_us),
                   rec->u.sample.traced_bytes ? rec->u.sample.traced_bytes : t->live,
                   rec->u.sample.rss);
        break;
    case HEAPAN_REC_FRAME: {
        heapan_frame *f = grow_to(&t->frames, sizeof *t->frames, &p->frame_cap, rec->u.frame.id,
                                  &t->frame_count, &p->failed);
        if (f)
            *f = rec->u.frame;
        break;
    }
    case HEAPAN_REC_STACK: {
        size_t cap = p->site_cap;
        uint32_t count = t->stack_count;
        heap_stack *s = grow_to(&t->stacks, sizeof *t->stacks, &cap, rec->u.stack.id, &count,
                                &p->failed);
        trace_site *site = s ? grow_to(&t->sites, sizeof *t->sites, &p->site_cap,
                                       rec->u.stack.id, &t->stack_count, &p->failed)
                             : NULL;
        if (s && site)
            *s = (heap_stack){rec->u.stack.parent, rec->u.stack.frame};
        break;
    }
    case HEAPAN_REC_PROPERTY:
        if (on_property(t, &rec->u.property) < 0)
            p->failed = 1;
        break;
    default:
        break;
    }
}

/* Closes every site's integrals at the end and fits its line. */
/* Samples every few milliseconds miss a short peak: the timeline gets it as a point of its own. */
static void add_peak_point(replay *p)
{
    trace *t = p->t;
    size_t at = 0;
    while (at < t->point_count && t->timeline[at].time_us <= t->peak_time_us)
        at++;
    if (!t->peak || (at && t->timeline[at - 1].traced_bytes >= t->peak))
        return;
    if (grow(&t->timeline, sizeof *t->timeline, &t->point_cap, t->point_count + 1) < 0) {
        p->failed = 1;
        return;
    }
    memmove(&t->timeline[at + 1], &t->timeline[at], (t->point_count - at) * sizeof *t->timeline);
    uint64_t rss = at ? t->timeline[at - 1].rss : 0;  /* the last known */
    t->timeline[at] = (trace_point){t->peak_time_us, t->peak, rss};
    t->point_count++;
}

typedef struct keyed_site {
    uint64_t value;
    uint32_t stack;
} keyed_site;

/* Does `file` end with `suffix`, after a '/' or as a whole? */
static int ends_with_file(const char *file, const char *suffix)
{
    size_t n = strlen(file), k = strlen(suffix);
    return n >= k && !strcmp(file + n - k, suffix) && (n == k || file[n - k - 1] == '/');
}

/* importlib's bootstrap, frozen (3.5 on) or from its source file. */
static int is_import_system(const char *file)
{
    return !strcmp(file, "<frozen importlib._bootstrap>") ||
           !strcmp(file, "<frozen importlib._bootstrap_external>") ||
           ends_with_file(file, "importlib/_bootstrap.py") ||
           ends_with_file(file, "importlib/_bootstrap_external.py");
}

static int same_line(const trace *t, uint32_t a, uint32_t b)
{
    const heapan_frame *x = trace_site_frame(t, a), *y = trace_site_frame(t, b);
    return x && y && x->line == y->line && x->file == y->file;
}

/*
 * Each stack's nearest caller on another line, in one pass: a parent has a
 * smaller id (the reader checks it), and a parent on the stack's own line
 * has the same answer, so recursion a million frames deep costs a million
 * steps, not a million per site.
 */
static int find_callers(trace *t)
{
    size_t n = t->stack_count ? t->stack_count : 1;
    t->caller = calloc(n, sizeof *t->caller);
    t->program = calloc(n, sizeof *t->program);
    t->imports = calloc(n, 1);
    t->ranking = malloc(n * sizeof *t->ranking);
    if (!t->caller || !t->program || !t->imports || !t->ranking)
        return -1;
    for (uint32_t i = 1; i < t->stack_count; i++) {
        uint32_t parent = t->stacks[i].parent < i ? t->stacks[i].parent : 0;
        t->caller[i] = !parent                              ? 0
                       : !trace_site_frame(t, parent)       ? t->caller[parent]
                       : same_line(t, i, parent)            ? t->caller[parent]
                                                            : parent;
        const heapan_frame *f = trace_site_frame(t, i);
        const char *file = f ? heapan_reader_string(t->reader, f->file, NULL) : NULL;
        t->imports[i] = t->imports[parent] || (file && is_import_system(file));
        /* The innermost first: a caller's answer holds for its callees that are not the program's. */
        t->program[i] = file && interp_frame_is_program(&t->code, file, parent == 0)
                            ? i : t->program[parent];
    }
    return 0;
}

/* Least squares of v[from..n) over step k's end time: slope per second, and R^2. */
static void fit_steps(const uint64_t *v, size_t from, size_t n, double step_s, double *slope,
                      double *r2)
{
    double m = (double)(n - from), st = 0, sv = 0, stt = 0, stv = 0, svv = 0;
    for (size_t k = from; k < n; k++) {
        double x = (double)(k + 1) * step_s, y = (double)v[k];
        st += x, sv += y, stt += x * x, stv += x * y, svv += y * y;
    }
    double var_t = m * stt - st * st, cov = m * stv - st * sv, var_v = m * svv - sv * sv;
    *slope = var_t > 0 ? cov / var_t : 0.0;
    *r2 = var_t > 0 && var_v > 0 ? cov * cov / (var_t * var_v) : 0.0;
}

/*
 * A leak that starts after a flat warm-up (imports, caches filling) does
 * not fit one line over the whole run.  Fit the curve from each step in
 * the first two thirds instead, and keep the start whose line fits best:
 * the warm-up's end.  The steady phase then covers a third of the run at
 * least, 10 curve steps or more.
 */
static void fit_after_warm_up(const trace *t, uint32_t stack, trace_site *s)
{
    uint64_t curve[TRACE_CURVE_POINTS];
    size_t n = trace_site_curve(t, stack, curve), best = 0;
    double step_s = seconds(t->curve_step_us), best_slope = 0, best_r2 = 0;
    for (size_t from = 1; n >= 15 && from <= 2 * n / 3; from++) {
        double slope, r2;
        fit_steps(curve, from, n, step_s, &slope, &r2);
        if (slope > 0 && r2 > best_r2)
            best = from, best_slope = slope, best_r2 = r2;
    }
    if (best && best_r2 >= STEADY_FIT) {
        s->growth = best_slope, s->fit = best_r2;
        s->fit_from_us = (uint64_t)best * t->curve_step_us;
    }
}

static void finish(replay *p)
{
    trace *t = p->t;
    double end = seconds(t->end_time_us);
    add_peak_point(p);
    while (t->end_time_us / t->curve_step_us >= TRACE_CURVE_POINTS)
        widen_curves(t);
    for (uint32_t i = 0; i < t->stack_count; i++) {
        trace_site *s = &t->sites[i];
        if (s->changed_at <= p->peak_event)
            s->live_at_peak = s->live;
        integrate(s, end);
        double var_t = s->s0 * s->s2 - s->s1 * s->s1;
        double cov = s->s0 * s->stl - s->s1 * s->sl;
        double var_l = s->s0 * s->sll - s->sl * s->sl;
        s->growth = var_t > 0 ? cov / var_t : 0.0;
        s->fit = var_t > 0 && var_l > 0 ? cov * cov / (var_t * var_l) : 0.0;
        /* To grow by 1% of the peak over the run (trace_site_grows) in a phase
         * of a third of it at least, a site ends holding a third of that: at
         * most 300 sites do, whatever the trace's size. */
        if (s->fit < STEADY_FIT && s->live && (double)s->live * 300 >= (double)t->peak)
            fit_after_warm_up(t, i, s);
    }
}

/*
 * Records come in batches whose blocks' slots are fetched ahead: the map
 * is bigger than the caches, and each lookup would otherwise wait on
 * memory alone.  Event records hold only numbers, so copies are safe.
 */
static void read_all(replay *p, heapan_reader *r)
{
    enum { BATCH = 32 };
    heapan_record batch[BATCH];
    trace *t = p->t;
    do {
        size_t n = 0;
        while (n < BATCH && (t->status = heapan_reader_next(r, &batch[n])) == HEAPAN_OK) {
            const heapan_record *rec = &batch[n++];
            if (rec->kind == HEAPAN_REC_ALLOC)
                addrmap_prefetch(&t->blocks, rec->u.alloc.address);
            else if (rec->kind == HEAPAN_REC_FREE)
                addrmap_prefetch(&t->blocks, rec->u.free.address);
            else if (rec->kind == HEAPAN_REC_REUSE)
                addrmap_prefetch(&t->blocks, rec->u.reuse.address);
            else
                break;  /* other records may point into the reader's buffers: use them now */
        }
        for (size_t i = 0; i < n && !p->failed; i++)
            on_record(p, &batch[i]);
    } while (!p->failed && t->status == HEAPAN_OK);
}

static int warn_about_events(replay *p, heapan_reader *r)
{
    trace *t = p->t;
    char message[256];
    uint64_t skipped = heapan_reader_skipped(r);
    if (skipped && warn(t, "%s", warning_skipped_records(skipped, message, sizeof message)) < 0)
        return -1;
    if (p->reallocated &&
        warn(t, "%llu allocation%s at an address still live, whose free the trace lacks; the "
             "block before %s counted as freed then", (unsigned long long)p->reallocated,
             p->reallocated == 1 ? " was" : "s were", p->reallocated == 1 ? "was" : "each was") < 0)
        return -1;
    if (p->backwards &&
        warn(t, "%llu record%s earlier than the one before (by up to %.6f s); each was counted "
             "at the time before it", (unsigned long long)p->backwards,
             p->backwards == 1 ? " is stamped" : "s are stamped",
             (double)p->largest_step_back_us / 1e6) < 0)
        return -1;
    return 0;
}

/* A sampling interval of 2^64 bytes would weigh each sample past what a sum can hold. */
static int check_sampling(trace *t)
{
    if (t->header.sample_bytes <= TRACE_SAMPLE_BYTES_MAX)
        return 0;
    unsigned long long every = (unsigned long long)t->header.sample_bytes;
    t->header.sample_bytes = 0;
    return warn(t, "the trace says it sampled every %llu bytes, more than 4 GiB; each "
                "allocation is counted once, as if unsampled", every);
}

int trace_load(trace *t, heapan_reader *r)
{
    memset(t, 0, sizeof *t);
    t->reader = r;
    t->header = *heapan_reader_header(r);
    t->reuse_attributed = -1;
    replay p = {.t = t, .point_stride = 64, .site_cap = 256};
    t->curve_step_us = 1000;
    t->stack_count = 1;  /* stack 0, "no stack", always exists */
    t->sites = calloc(p.site_cap, sizeof *t->sites);
    t->stacks = calloc(p.site_cap, sizeof *t->stacks);
    if (!t->sites || !t->stacks || addrmap_init(&t->blocks, 1u << 12) < 0 || check_sampling(t) < 0)
        return -1;
    read_all(&p, r);
    if (p.failed)
        return -1;
    finish(&p);
    t->code.paths_known = t->code.stdlib_dir_count > 0;
    if (p.failed || find_callers(t) < 0)
        return -1;
    if (t->status != HEAPAN_END &&
        warn(t, "the trace is incomplete (%s); what could be read is analysed",
             heapan_reader_error(r)) < 0)
        return -1;
    if (t->huge && warn(t, "%llu allocations of 4 GiB or more were counted as 4 GiB",
                        (unsigned long long)t->huge) < 0)
        return -1;
    return warn_about_events(&p, r);
}

static void free_dirs(const char **dirs, size_t count)
{
    for (size_t k = 0; k < count; k++)
        free((char *)dirs[k]);
}

void trace_release(trace *t)
{
    free_dirs(t->code.stdlib_dirs, t->code.stdlib_dir_count);
    free_dirs(t->code.package_dirs, t->code.package_dir_count);
    interp_release(&t->code);
    free(t->program_dir), free(t->program), free(t->imports);
    free(t->frames), free(t->stacks), free(t->sites), free(t->timeline), free(t->caller);
    free(t->ranking);
    addrmap_release(&t->blocks);
    warnings_free(t->warnings, t->warning_count);
    heapan_reader_close(t->reader);
    memset(t, 0, sizeof *t);
}

static const char *frame_string(const trace *t, uint32_t id)
{
    const char *s = heapan_reader_string(t->reader, id, NULL);
    return s ? s : "?";
}

/* The nearest caller on another line: a comprehension's own frame shares its caller's. */
static const heapan_frame *distinct_caller(const trace *t, uint32_t stack)
{
    uint32_t k = t->caller ? t->caller[stack] : 0;
    return k ? trace_site_frame(t, k) : NULL;
}

const heapan_frame *trace_site_frame(const trace *t, uint32_t stack)
{
    uint32_t frame = stack && stack < t->stack_count ? t->stacks[stack].frame : 0;
    return frame && frame < t->frame_count ? &t->frames[frame] : NULL;
}

const char *trace_site_name(const trace *t, uint32_t stack, char *buf, size_t size)
{
    uint32_t frame = stack && stack < t->stack_count ? t->stacks[stack].frame : 0;
    if (!frame || frame >= t->frame_count) {
        snprintf(buf, size, "(unknown site)");
        return buf;
    }
    const heapan_frame *f = &t->frames[frame];
    int n = heap_frame_text(frame_string(t, f->file), f->line, frame_string(t, f->function), buf,
                            size);
    const heapan_frame *caller = distinct_caller(t, stack);
    if (caller && n >= 0 && (size_t)n < size) {
        const char *file = frame_string(t, caller->file), *base = strrchr(file, '/');
        snprintf(buf + n, size - (size_t)n, ", from %s:%u", base ? base + 1 : file, caller->line);
    }
    return buf;
}

/* The part of `file` under a package directory, the standard library's or the script's. */
static const char *short_file(const trace *t, const char *file)
{
    const char *rest = interp_short_file(&t->code, file);
    size_t n = t->program_dir && !rest ? strlen(t->program_dir) : 0;
    while (n > 1 && t->program_dir[n - 1] == '/')
        n--;
    if (n && !strncmp(file, t->program_dir, n) && file[n] == '/' && file[n + 1])
        rest = file + n + 1;
    return rest && *rest ? rest : file;
}

const char *trace_site_label(const trace *t, uint32_t stack, char *buf, size_t size)
{
    const heapan_frame *f = trace_site_frame(t, stack);
    const char *function = f ? frame_string(t, f->function) : NULL;
    if (!f)
        snprintf(buf, size, "(unknown site)");
    else if (*function)
        snprintf(buf, size, "%s (%s:%u)", function, short_file(t, frame_string(t, f->file)),
                 f->line);
    else
        snprintf(buf, size, "%s:%u", short_file(t, frame_string(t, f->file)), f->line);
    return buf;
}

int trace_reuse_note(const trace *t, char *buf, size_t size)
{
    if (t->reuse_attributed != 0)
        return 0;
    snprintf(buf, size, "CPython %s tells no tracer when it reuses a freed dict, list, tuple or "
             "float: such an object counts at the site of its memory block's first object, "
             "maybe another line (tracemalloc moves it to its own; heapan does from CPython 3.13).",
             t->header.runtime_version ? t->header.runtime_version : "before 3.13");
    return 1;
}

uint32_t trace_program_stack(const trace *t, uint32_t stack)
{
    return t->program && stack < t->stack_count ? t->program[stack] : 0;
}

int trace_stack_imports(const trace *t, uint32_t stack)
{
    return t->imports && stack < t->stack_count && t->imports[stack];
}

int trace_stack_is_runner(const trace *t, uint32_t stack)
{
    uint32_t frame = stack && stack < t->stack_count ? t->stacks[stack].frame : 0;
    if (!frame || frame >= t->frame_count)
        return 0;
    const char *file = frame_string(t, t->frames[frame].file);
    return !strcmp(file, "<frozen runpy>") || ends_with_file(file, "runpy.py") ||
           ends_with_file(file, "heapan/__main__.py");
}

uint32_t trace_block_stack(const trace *t, uint64_t address, uint64_t *size)
{
    const addrmap_slot *slot = addrmap_slot_of(&t->blocks, address);
    if (slot && size)
        *size = slot->extra;
    return slot ? slot->index : ADDRMAP_ABSENT;
}

size_t trace_site_curve(const trace *t, uint32_t stack, uint64_t *out)
{
    const trace_site *s = &t->sites[stack < t->stack_count ? stack : 0];
    size_t steps = (size_t)(t->end_time_us / t->curve_step_us) + 1;
    steps = steps < TRACE_CURVE_POINTS ? steps : TRACE_CURVE_POINTS;
    uint64_t live = 0;
    for (size_t k = 0; k < steps; k++)
        out[k] = live = s->curve_set >> k & 1 ? s->curve[k] : live;
    return steps;
}

int trace_site_grows(const trace *t, uint32_t stack)
{
    const trace_site *s = &t->sites[stack];
    double seconds = (double)t->end_time_us / 1e6;
    /* steady, still live at the end, and grown by a noticeable share of the peak */
    return s->growth > 0 && s->fit >= STEADY_FIT && s->live > 0 &&
           s->growth * seconds * 100 >= (double)t->peak;
}

static uint64_t site_key(const trace_site *s, int key)
{
    switch (key) {
    case 0: return s->live_at_peak;
    case 1: return s->live;
    case 2: return s->total_allocated;
    default: return s->growth > 0 ? (uint64_t)s->growth : 0;
    }
}


/* Largest first; among equals, the smaller stack id first, as the order has always been. */
static int by_value_descending(const void *a, const void *b)
{
    const keyed_site *x = a, *y = b;
    if (x->value != y->value)
        return x->value < y->value ? 1 : -1;
    return (x->stack > y->stack) - (x->stack < y->stack);
}

/* A sort, n log n: every site may be asked for (the growth table lists them all). */
size_t trace_top_sites(const trace *t, int key, uint32_t *out, size_t limit)
{
    keyed_site *sites = t->ranking;
    size_t n = 0;
    for (uint32_t i = 0; i < t->stack_count; i++) {
        uint64_t value = site_key(&t->sites[i], key);
        if (value)
            sites[n++] = (keyed_site){value, i};
    }
    sort_items(sites, n, sizeof *sites, by_value_descending);
    size_t kept = n < limit ? n : limit;
    for (size_t k = 0; k < kept; k++)
        out[k] = sites[k].stack;
    return kept;
}

int trace_rss_gap(const trace *t, trace_gap *g)
{
    size_t samples = 0;
    *g = (trace_gap){0};
    for (size_t i = 0; i < t->point_count; i++) {
        const trace_point *p = &t->timeline[i];
        if (!p->rss)
            continue; /* no RSS sample at this point */
        int64_t gap = (int64_t)p->rss - (int64_t)p->traced_bytes;
        if (!samples++)
            g->gap_at_start = gap;
        if (samples == 1 || gap - g->gap_at_start > g->gap - g->gap_at_start)
            *g = (trace_gap){p->time_us, p->rss, p->traced_bytes, gap, g->gap_at_start};
    }
    return samples >= 2;
}
