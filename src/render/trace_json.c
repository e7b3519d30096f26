/* trace_json.c: an allocation trace as JSON ("schema": "heapan.trace/1"). */
#include <cJSON.h>
#include <stdlib.h>

#include "render/jsonout.h"
#include "render/trace.h"
#include "textout.h"
#include "trace/advice.h"

static int add_frame(cJSON *o, const trace *t, uint32_t frame)
{
    const heapan_frame *f = frame && frame < t->frame_count ? &t->frames[frame] : NULL;
    if (json_add_text(o, "file", f ? heapan_reader_string(t->reader, f->file, NULL) : "") < 0 ||
        json_add_text(o, "function", f ? heapan_reader_string(t->reader, f->function, NULL) : "") < 0)
        return -1;
    cJSON_AddNumberToObject(o, "line", f ? f->line : 0);
    return 0;
}

/* The site's live bytes over time, one value per curve step. */
static int add_curve(cJSON *item, const trace *t, uint32_t id)
{
    uint64_t curve[TRACE_CURVE_POINTS];
    size_t n = trace_site_curve(t, id, curve);
    cJSON *list = cJSON_AddArrayToObject(item, "curve");
    for (size_t k = 0; list && k < n; k++) {
        cJSON *v = cJSON_CreateNumber((double)curve[k]);
        if (!v)
            return -1;
        cJSON_AddItemToArray(list, v);
    }
    return list ? 0 : -1;
}

/* The first frame in the program's own code, or null when none is (or the trace cannot tell). */
static int add_program_frame(cJSON *item, const trace *t, uint32_t id)
{
    uint32_t program = trace_program_stack(t, id);
    if (!program)
        return cJSON_AddNullToObject(item, "program_frame") ? 0 : -1;
    cJSON *frame = cJSON_AddObjectToObject(item, "program_frame");
    return frame ? add_frame(frame, t, t->stacks[program].frame) : -1;
}

cJSON *render_trace_site_json(const trace *t, uint32_t id)
{
    const trace_site *s = &t->sites[id];
    cJSON *item = cJSON_CreateObject(), *stack = item ? cJSON_AddArrayToObject(item, "stack") : NULL;
    int failed = !stack || add_frame(item, t, id ? t->stacks[id].frame : 0) < 0;
    for (uint32_t k = id; k && !failed; k = t->stacks[k].parent) {  /* innermost first */
        cJSON *frame = cJSON_CreateObject();
        failed = !frame;
        if (frame) {
            cJSON_AddItemToArray(stack, frame);
            failed = add_frame(frame, t, t->stacks[k].frame) < 0;
        }
    }
    if (!failed) {
        cJSON_AddNumberToObject(item, "live_at_peak", (double)s->live_at_peak);
        cJSON_AddNumberToObject(item, "live_at_end", (double)s->live);
        cJSON_AddNumberToObject(item, "total_allocated", (double)s->total_allocated);
        cJSON_AddNumberToObject(item, "allocations", (double)s->allocations);
        cJSON_AddNumberToObject(item, "growth", s->growth);
        cJSON_AddNumberToObject(item, "growth_fit", s->fit);
        cJSON_AddNumberToObject(item, "growth_from_us", (double)s->fit_from_us);
        cJSON_AddBoolToObject(item, "grows", trace_site_grows(t, id));
        cJSON_AddBoolToObject(item, "import", trace_stack_imports(t, id));
        failed = add_curve(item, t, id) < 0 || add_program_frame(item, t, id) < 0;
    }
    if (failed) {
        cJSON_Delete(item);
        return NULL;
    }
    return item;
}

/* Whether an object reused from a free list moved to its own site: true, false, or null. */
static int add_reuse(cJSON *json, const trace *t)
{
    char note[512];
    cJSON *known = t->reuse_attributed < 0 ? cJSON_AddNullToObject(json, "reuse_attributed")
                                           : cJSON_AddBoolToObject(json, "reuse_attributed",
                                                                   t->reuse_attributed);
    if (!known)
        return -1;
    return trace_reuse_note(t, note, sizeof note) ? json_add_text(json, "reuse_note", note) : 0;
}

static int add_site(cJSON *list, const trace *t, uint32_t id)
{
    cJSON *item = render_trace_site_json(t, id);
    if (item)
        cJSON_AddItemToArray(list, item);
    return item ? 0 : -1;
}

static int add_advice(cJSON *json, const trace *t)
{
    trace_advice advice[RENDER_TRACE_ADVICE];
    size_t n = trace_find_advice(t, advice, RENDER_TRACE_ADVICE);
    cJSON *list = cJSON_AddArrayToObject(json, "suggestions");
    for (size_t i = 0; list && i < n; i++) {
        cJSON *item = cJSON_CreateObject();
        char *message = item ? trace_advice_message(t, &advice[i]) : NULL;
        if (item)
            cJSON_AddItemToArray(list, item);
        const char *kind = suggestion_kind_name(trace_advice_suggestion(advice[i].kind));
        int failed = !message || !cJSON_AddStringToObject(item, "kind", kind) ||
                     add_frame(item, t, t->stacks[advice[i].stack].frame) < 0 ||
                     json_add_text(item, "message", message) < 0;
        free(message);
        if (failed)
            return -1;
        cJSON_AddNumberToObject(item, "estimated_savings", (double)advice[i].saving);
        cJSON_AddNumberToObject(item, "churn", (double)advice[i].churn);
    }
    return list ? 0 : -1;
}

/* "rss_gap": where RSS ran furthest ahead of the traced bytes, or null. */
static int add_rss_gap(cJSON *json, const trace *t)
{
    trace_gap g;
    if (!trace_rss_gap(t, &g))
        return cJSON_AddNullToObject(json, "rss_gap") ? 0 : -1;
    cJSON *o = cJSON_AddObjectToObject(json, "rss_gap");
    if (!o)
        return -1;
    cJSON_AddNumberToObject(o, "time_us", (double)g.time_us);
    cJSON_AddNumberToObject(o, "rss", (double)g.rss);
    cJSON_AddNumberToObject(o, "traced_bytes", (double)g.traced_bytes);
    cJSON_AddNumberToObject(o, "gap", (double)g.gap);
    cJSON_AddNumberToObject(o, "gap_at_start", (double)g.gap_at_start);
    return 0;
}

int render_trace_json(FILE *out, const trace *t, const char *file, size_t top)
{
    uint32_t *order = malloc((t->stack_count + 1) * sizeof *order);
    uint8_t *listed = calloc(t->stack_count + 1, 1);
    cJSON *json = cJSON_CreateObject();
    int failed = !order || !listed || !json ||
                 !cJSON_AddStringToObject(json, "schema", "heapan.trace/1") ||
                 json_add_text(json, "trace", file) < 0;
    cJSON *peak = failed ? NULL : cJSON_AddObjectToObject(json, "peak");
    cJSON *end = failed ? NULL : cJSON_AddObjectToObject(json, "end");
    cJSON *samples = failed ? NULL : cJSON_AddArrayToObject(json, "samples");
    cJSON *sites = failed ? NULL : cJSON_AddArrayToObject(json, "sites");
    cJSON *warnings = failed ? NULL : cJSON_AddArrayToObject(json, "warnings");
    failed = !peak || !end || !samples || !sites || !warnings;
    if (!failed) {
        cJSON_AddNumberToObject(peak, "bytes", (double)t->peak);
        cJSON_AddNumberToObject(peak, "time_us", (double)t->peak_time_us);
        cJSON_AddNumberToObject(end, "bytes", (double)t->live);
        cJSON_AddNumberToObject(end, "time_us", (double)t->end_time_us);
        cJSON_AddNumberToObject(json, "allocations", (double)t->allocations);
        cJSON_AddNumberToObject(json, "frees", (double)t->frees);
        cJSON_AddNumberToObject(json, "total_allocated", (double)t->total_allocated);
        cJSON_AddNumberToObject(json, "sample_bytes", (double)t->header.sample_bytes);
        cJSON_AddNumberToObject(json, "curve_step_us", (double)t->curve_step_us);
        failed = add_advice(json, t) < 0 || add_reuse(json, t) < 0 || add_rss_gap(json, t) < 0;
    }
    for (size_t i = 0; !failed && i < t->point_count; i++) {
        cJSON *p = cJSON_CreateObject();
        failed = !p;
        if (p) {
            cJSON_AddItemToArray(samples, p);
            cJSON_AddNumberToObject(p, "time_us", (double)t->timeline[i].time_us);
            cJSON_AddNumberToObject(p, "traced_bytes", (double)t->timeline[i].traced_bytes);
            cJSON_AddNumberToObject(p, "rss", (double)t->timeline[i].rss);
        }
    }
    for (int key = 0; !failed && key < 4; key++) {
        size_t n = render_trace_sites(t, key, order, top);
        for (size_t i = 0; i < n && !failed; i++)
            if (!listed[order[i]]++)
                failed = add_site(sites, t, order[i]) < 0;
    }
    for (size_t k = 0; !failed && k < t->warning_count; k++) {
        char *clean = utf8_sanitize(t->warnings[k]);
        cJSON *w = clean ? cJSON_CreateString(clean) : NULL;
        free(clean);
        failed = !w;
        if (w)
            cJSON_AddItemToArray(warnings, w);
    }
    int written = json_finish(out, json, failed);
    free(order), free(listed);
    return written;
}
