/* trace_advice.c: suggestions from what call sites allocate and free over time. */
#include <stdlib.h>
#include <string.h>

#include "report/report.h"
#include "textout.h"
#include "trace/advice.h"
#include "model/sort.h"

#define REBUILT 4     /* allocated at least this many times its largest live size */
#define SHORT_LIVED 8 /* buffers: allocated at least this many times their largest live size */
#define MIN_BUFFERS 16

/* CPython 3.8-3.11 run a list comprehension in a frame of its own, named so. */
static int is_list_comprehension(const trace *t, uint32_t stack)
{
    uint32_t frame = stack < t->stack_count ? t->stacks[stack].frame : 0;
    if (!frame || frame >= t->frame_count)
        return 0;
    size_t len;
    const char *name = heapan_reader_string(t->reader, t->frames[frame].function, &len);
    static const char suffix[] = "<listcomp>";
    return name && len >= sizeof suffix - 1 &&
           !memcmp(name + len - (sizeof suffix - 1), suffix, sizeof suffix - 1);
}

static int advise(const trace *t, uint32_t stack, trace_advice *a)
{
    const trace_site *s = &t->sites[stack];
    uint64_t min_peak = (uint64_t)(ADVICE_MIN_PEAK_SHARE * (double)t->peak);
    min_peak = min_peak > REPORT_MIN_RETAINED ? min_peak : REPORT_MIN_RETAINED;
    uint64_t churn = s->total_allocated - s->live_max;
    if (is_list_comprehension(t, stack) && s->live_at_peak >= min_peak &&
        s->total_allocated >= REBUILT * s->live_max && s->live <= s->live_max / 4) {
        *a = (trace_advice){ADVICE_GENERATOR, stack, s->live_at_peak, churn};
        return 1;
    }
    uint64_t mean = s->allocations ? s->total_allocated / s->allocations : 0;
    int big_churn =
        (double)s->total_allocated >= ADVICE_MIN_CHURN_SHARE * (double)t->total_allocated;
    if (s->allocations >= MIN_BUFFERS && mean >= ADVICE_LARGE_BUFFER &&
        s->total_allocated >= SHORT_LIVED * s->live_max &&
        (big_churn || s->live_at_peak >= min_peak)) {
        *a = (trace_advice){ADVICE_REUSE_BUFFER, stack,
                            s->live_at_peak > mean ? s->live_at_peak - mean : 0, churn};
        return 1;
    }
    return 0;
}

static int by_saving(const void *x, const void *y)
{
    const trace_advice *a = x, *b = y;
    if (a->saving != b->saving)
        return a->saving < b->saving ? 1 : -1;
    return a->churn < b->churn ? 1 : a->churn > b->churn ? -1 : 0;
}

size_t trace_find_advice(const trace *t, trace_advice *out, size_t max)
{
    size_t n = 0;
    trace_advice a;
    for (uint32_t stack = 1; stack < t->stack_count; stack++) {
        if (!advise(t, stack, &a))
            continue;
        if (n < max) {
            out[n++] = a;
            sort_items(out, n, sizeof *out, by_saving);
        } else if (max && by_saving(&a, &out[max - 1]) < 0) {
            out[max - 1] = a;
            sort_items(out, n, sizeof *out, by_saving);
        }
    }
    return n;
}

suggestion_kind trace_advice_suggestion(trace_advice_kind kind)
{
    return kind == ADVICE_GENERATOR ? SUGGEST_GENERATOR : SUGGEST_REUSE_BUFFER;
}

char *trace_advice_message(const trace *t, const trace_advice *a)
{
    const trace_site *s = &t->sites[a->stack];
    char total[32], largest[32], peak[32], mean[32];
    format_bytes(s->total_allocated, total, sizeof total);
    format_bytes(s->live_max, largest, sizeof largest);
    format_bytes(s->live_at_peak, peak, sizeof peak);
    if (a->kind == ADVICE_GENERATOR)
        return report_format(
            "This list comprehension allocated %s over the run, %.0f times the most it held at "
            "once (%s), and let it go each time: a list built, used once and dropped. %s of it "
            "was live at the peak. If the list is only iterated, a generator expression (round "
            "brackets) or a loop never holds it whole.",
            total, (double)s->total_allocated / (double)(s->live_max ? s->live_max : 1), largest,
            peak);
    format_bytes(s->total_allocated / (s->allocations ? s->allocations : 1), mean, sizeof mean);
    return report_format(
        "%llu buffers of %s on average were allocated here and freed soon after: %s in all, "
        "at most %s at once, %s at the peak. Each large allocation maps and zeroes fresh pages; "
        "allocate one bytearray and reuse it (file.readinto(buf), memoryview slices).",
        (unsigned long long)s->allocations, mean, total, largest, peak);
}
