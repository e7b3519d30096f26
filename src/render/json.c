/* render_json.c: the report as JSON, "schema": "heapan.report/2" (docs/report.md). */
#include <cJSON.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render/jsonout.h"
#include "render/render.h"
#include "render/trace.h"

/* Adds text from the dump as a string, made valid UTF-8. */
static cJSON *add_text(cJSON *object, const char *name, const char *text)
{
    char *clean = utf8_sanitize(text ? text : "");
    cJSON *item = clean ? cJSON_AddStringToObject(object, name, clean) : NULL;
    free(clean);
    return item;
}

static cJSON *add_address(cJSON *object, const char *name, const report *r, uint32_t v)
{
    if (v == HEAP_NONE)
        return cJSON_AddNullToObject(object, name);
    char hex[32];
    snprintf(hex, sizeof hex, "0x%" PRIx64, r->heap->address[v]);
    return cJSON_AddStringToObject(object, name, hex);
}

static cJSON *add_type(cJSON *object, const char *name, const report *r, uint32_t type)
{
    char buf[512];
    return add_text(object, name, group_name(r->heap, GROUP_BY_TYPE, type, buf, sizeof buf));
}

/* Text from the dump or the model, or null. */
static cJSON *add_text_or_null(cJSON *object, const char *name, const char *text)
{
    return text ? add_text(object, name, text) : cJSON_AddNullToObject(object, name);
}

static cJSON *add_numbers(cJSON *object, const char *name, const int64_t *values, size_t n)
{
    cJSON *list = cJSON_AddArrayToObject(object, name);
    for (size_t i = 0; list && i < n; i++) {
        cJSON *item = cJSON_CreateNumber((double)values[i]);
        if (!item)
            return NULL;
        cJSON_AddItemToArray(list, item);
    }
    return list;
}

/* "collector": the collector's state before the dump, or null when the dump does not say. */
static int add_collector(cJSON *s, const report *r)
{
    const collector_state *gc = &r->interp.gc;
    if (!gc->known)
        return cJSON_AddNullToObject(s, "collector") ? 0 : -1;
    cJSON *c = cJSON_AddObjectToObject(s, "collector");
    if (!c || !add_numbers(c, "thresholds", gc->threshold, gc->thresholds) ||
        !add_numbers(c, "counts", gc->count, gc->counts))
        return -1;
    cJSON_AddBoolToObject(c, "enabled", gc->enabled);
    cJSON_AddBoolToObject(c, "collects_automatically", interp_collects_automatically(&r->interp));
    if (gc->freeze_count >= 0)
        cJSON_AddNumberToObject(c, "freeze_count", (double)gc->freeze_count);
    else
        cJSON_AddNullToObject(c, "freeze_count");
    if (gc->garbage >= 0)
        cJSON_AddNumberToObject(c, "garbage", (double)gc->garbage);
    else
        cJSON_AddNullToObject(c, "garbage");
    return 0;
}

/* What the findings' claims stand on, and what one dump cannot prove. */
static int add_evidence(cJSON *s, const report *r)
{
    cJSON *pending = cJSON_AddObjectToObject(s, "pending_cycles");
    cJSON *sources = cJSON_AddArrayToObject(s, "evidence");
    if (!pending || !sources)
        return -1;
    cJSON_AddNumberToObject(pending, "objects", (double)r->pending_objects);
    cJSON_AddNumberToObject(pending, "bytes", (double)r->pending_bytes);
    char *text = report_pending_text(r);
    int ok = r->pending_objects ? text && add_text(pending, "text", text)
                                : cJSON_AddNullToObject(pending, "text") != NULL;
    free(text);
    const char *names[] = {"dump", r->link ? "trace" : NULL, r->has_baseline ? "baseline" : NULL};
    for (size_t k = 0; ok && k < 3; k++) {
        cJSON *item = names[k] ? cJSON_CreateString(names[k]) : NULL;
        if (item)
            cJSON_AddItemToArray(sources, item);
        ok = !names[k] || item;
    }
    cJSON_AddBoolToObject(s, "interpreter_known", r->interp.paths_known);
    return ok && add_text_or_null(s, "limits", report_limits_text(r)) ? 0 : -1;
}

static int add_summary(cJSON *json, const report *r, const render_source *src)
{
    const heap *h = r->heap;
    cJSON *s = cJSON_AddObjectToObject(json, "summary");
    cJSON *warnings = s ? cJSON_AddArrayToObject(s, "warnings") : NULL;
    if (!warnings || !add_text(s, "dump", src->path) ||
        !add_text(s, "runtime", h->header.runtime) ||
        !add_text(s, "runtime_version", h->header.runtime_version))
        return -1;
    cJSON_AddNumberToObject(s, "pid", (double)h->header.pid);
    cJSON_AddNumberToObject(s, "objects", h->count);
    cJSON_AddNumberToObject(s, "references", (double)h->edge_count);
    cJSON_AddNumberToObject(s, "roots", (double)h->root_count);
    cJSON_AddNumberToObject(s, "total_size", (double)h->total_size);
    cJSON_AddNumberToObject(s, "reachable_size", (double)r->dom->reachable_size);
    cJSON_AddNumberToObject(s, "unreachable_size", (double)(h->total_size - r->dom->reachable_size));
    cJSON_AddNumberToObject(s, "unreachable_objects", h->count - r->dom->reachable);
    cJSON_AddNumberToObject(s, "threshold", (double)r->min_retained);
    cJSON_AddBoolToObject(s, "complete", !r->incomplete);
    if (add_collector(s, r) < 0 || add_evidence(s, r) < 0 ||
        !add_text_or_null(s, "incomplete", report_incomplete_text(r)))
        return -1;
    for (size_t k = 0; k < h->warning_count; k++) {
        char *clean = utf8_sanitize(h->warnings[k]);
        cJSON *item = clean ? cJSON_CreateString(clean) : NULL;
        free(clean);
        if (!item)
            return -1;
        cJSON_AddItemToArray(warnings, item);
    }
    return 0;
}

/* A path as its steps: {"label": "module app" or ". x", "type": ...}; `text` NULL: its own. */
static cJSON *add_path_as(cJSON *object, const report *r, const path *p, const char *text);

static cJSON *add_path(cJSON *object, const report *r, const path *p)
{
    return add_path_as(object, r, p, NULL);
}

static cJSON *add_path_as(cJSON *object, const report *r, const path *p, const char *given)
{
    cJSON *steps = cJSON_AddArrayToObject(object, "path");
    if (!steps)
        return NULL;
    for (size_t i = 0; i < p->count; i++) {
        cJSON *step = cJSON_CreateObject();
        char *label = i ? edge_text(r->heap, p->steps[i].edge, p->steps[i].object)
                        : root_text(r->heap, p->root);
        if (!step || !label) {
            cJSON_Delete(step);
            free(label);
            return NULL;
        }
        cJSON_AddItemToArray(steps, step);
        int ok = add_text(step, "label", label[0] == ' ' ? label + 1 : label) != NULL &&
                 add_type(step, "type", r, r->heap->type[p->steps[i].object]) != NULL;
        free(label);
        if (!ok)
            return NULL;
        if (p->elided && i == p->elided_after)
            cJSON_AddNumberToObject(step, "elided_after", (double)p->elided);
    }
    if (given)
        return add_text(object, "path_text", given);
    char *text = p->count ? render_path_text(r, p) : NULL;
    cJSON *item = add_text(object, "path_text", text ? text : "");
    free(text);
    return item;
}

/* A trace site with what one candidate holds of it. */
static int add_origin_site(cJSON *list, const trace *t, const origin_site *o)
{
    cJSON *item = render_trace_site_json(t, o->stack);
    if (!item)
        return -1;
    cJSON_AddItemToArray(list, item);
    cJSON_AddNumberToObject(item, "bytes", (double)o->bytes);
    cJSON_AddNumberToObject(item, "objects", (double)o->objects);
    return 0;
}

/* allocation_sites and trace_matched: null without a trace of the same process. */
static int add_origins(cJSON *item, const render_source *src, size_t i)
{
    const leak_origin *o = src->trace && src->trace->same_process ? &src->trace->origins[i] : NULL;
    if (!o) {
        cJSON_AddNullToObject(item, "allocation_sites");
        cJSON_AddNullToObject(item, "trace_matched");
        return 0;
    }
    cJSON *sites = cJSON_AddArrayToObject(item, "allocation_sites");
    for (size_t k = 0; sites && k < o->site_count; k++)
        if (add_origin_site(sites, src->trace->trace, &o->sites[k]) < 0)
            return -1;
    cJSON_AddNumberToObject(item, "trace_matched", (double)o->matched);
    return sites ? 0 : -1;
}

/* "trace": the trace file and its growing sites; null without --trace. */
static int add_trace(cJSON *json, const render_source *src)
{
    const trace_link *l = src->trace;
    if (!l)
        return cJSON_AddNullToObject(json, "trace") ? 0 : -1;
    cJSON *t = cJSON_AddObjectToObject(json, "trace");
    cJSON *growing = t && add_text(t, "path", src->trace_path)
                         ? cJSON_AddArrayToObject(t, "growing_sites") : NULL;
    if (!growing)
        return -1;
    cJSON_AddNumberToObject(t, "pid", (double)l->trace->header.pid);
    cJSON_AddBoolToObject(t, "same_process", l->same_process);
    for (size_t i = 0; i < l->growing_count && i < 10; i++) {
        cJSON *site = render_trace_site_json(l->trace, l->growing[i]);
        if (!site)
            return -1;
        cJSON_AddItemToArray(growing, site);
    }
    return 0;
}

/* A functools cache's counters, or null. */
static void add_counters(cJSON *item, const leak_candidate *c)
{
    if (c->hits < 0) {
        cJSON_AddNullToObject(item, "lru_cache");
        return;
    }
    cJSON *counters = cJSON_AddObjectToObject(item, "lru_cache");
    if (!counters)
        return;
    cJSON_AddNumberToObject(counters, "hits", (double)c->hits);
    cJSON_AddNumberToObject(counters, "misses", (double)c->misses);
    if (c->maxsize >= 0)
        cJSON_AddNumberToObject(counters, "maxsize", (double)c->maxsize);
    else
        cJSON_AddNullToObject(counters, "maxsize");
}

/* The cause, the evidence, whose code, the fix, and what was folded in. */
static int add_story(cJSON *item, const report *r, const leak_candidate *c)
{
    cJSON_AddBoolToObject(item, "leak", c->leak);
    cJSON_AddStringToObject(item, "evidence", growth_evidence_name(c->growth));
    const char *cause = cause_kind_name(c->cause);
    if (!add_text_or_null(item, "evidence_text", c->growth_text) ||
        !(cause ? cJSON_AddStringToObject(item, "cause", cause) : cJSON_AddNullToObject(item, "cause")) ||
        !add_text_or_null(item, "cause_text", c->cause_text) ||
        !add_text_or_null(item, "class_name", c->class_name) ||
        !add_text_or_null(item, "member_name", c->member_name) ||
        !add_text_or_null(item, "owner_name", *c->owner_name ? c->owner_name : NULL))
        return -1;
    add_counters(item, c);
    cJSON_AddStringToObject(item, "owner", code_owner_name(c->owner));
    if (c->fix != SIZE_MAX)
        cJSON_AddNumberToObject(item, "fix", (double)(c->fix + 1));
    else
        cJSON_AddNullToObject(item, "fix");
    cJSON *folded = cJSON_AddArrayToObject(item, "folded");
    for (size_t k = 0; folded && k < c->folded_count; k++) {
        cJSON *f = cJSON_CreateObject();
        if (!f)
            return -1;
        cJSON_AddItemToArray(folded, f);
        add_address(f, "address", r, c->folded[k].object);
        cJSON_AddNumberToObject(f, "retained_size", (double)c->folded[k].retained_size);
        if (!add_path(f, r, &c->folded[k].path))
            return -1;
    }
    return folded ? 0 : -1;
}

static int add_leak(cJSON *list, const report *r, const render_source *src, size_t i)
{
    const leak_candidate *c = &r->leaks[i];
    cJSON *item = cJSON_CreateObject();
    if (!item)
        return -1;
    cJSON_AddItemToArray(list, item);
    cJSON_AddNumberToObject(item, "rank", (double)(i + 1));
    cJSON_AddNumberToObject(item, "score", (double)(int)(c->score + 0.5));
    cJSON_AddStringToObject(item, "kind", leak_kind_name(c->kind));
    add_address(item, "address", r, c->object);
    if (c->object == HEAP_NONE)
        cJSON_AddNullToObject(item, "type");
    else if (!add_type(item, "type", r, r->heap->type[c->object]))
        return -1;
    cJSON_AddNumberToObject(item, "retained_size", (double)c->retained_size);
    cJSON_AddNumberToObject(item, "retained_count", (double)c->retained_count);
    cJSON_AddNumberToObject(item, "entries", (double)c->entries);
    if (!add_path_as(item, r, &c->path, c->path_text) || !add_text(item, "reason", c->reason))
        return -1;
    cJSON *types = cJSON_AddArrayToObject(item, "types");
    for (size_t k = 0; types && k < c->type_count; k++) {
        cJSON *t = cJSON_CreateObject();
        if (!t)
            return -1;
        cJSON_AddItemToArray(types, t);
        add_type(t, "name", r, c->types[k].type);
        cJSON_AddNumberToObject(t, "count", (double)c->types[k].count);
        cJSON_AddNumberToObject(t, "size", (double)c->types[k].retained_size);
    }
    char site[1024];
    if (c->site)
        add_text(item, "site", group_name(r->heap, GROUP_BY_SITE, c->site, site, sizeof site));
    else
        cJSON_AddNullToObject(item, "site");
    if (c->program_site)
        add_text(item, "program_site",
                 group_name(r->heap, GROUP_BY_SITE, c->program_site, site, sizeof site));
    else
        cJSON_AddNullToObject(item, "program_site");
    return types && add_origins(item, src, c->origin) == 0 && add_story(item, r, c) == 0 ? 0 : -1;
}

static void add_rank_or_null(cJSON *item, const char *name, size_t index)
{
    if (index == SIZE_MAX)
        cJSON_AddNullToObject(item, name);
    else
        cJSON_AddNumberToObject(item, name, (double)(index + 1));
}

static int add_suggestion(cJSON *list, const report *r, const suggestion *s, size_t i)
{
    cJSON *item = cJSON_CreateObject();
    if (!item)
        return -1;
    cJSON_AddItemToArray(list, item);
    cJSON_AddNumberToObject(item, "rank", (double)(i + 1));
    cJSON_AddStringToObject(item, "kind", suggestion_kind_name(s->kind));
    add_rank_or_null(item, "fixes", s->fixes);
    add_rank_or_null(item, "inside", s->inside);
    cJSON_AddNumberToObject(item, "inside_bytes", (double)s->inside_bytes);
    cJSON_AddStringToObject(item, "owner", code_owner_name(s->owner));
    cJSON_AddBoolToObject(item, "in_library", s->owner == OWNER_STDLIB || s->owner == OWNER_PACKAGE);
    if (!add_text_or_null(item, "owner_name", *s->owner_name ? s->owner_name : NULL) ||
        !add_text_or_null(item, "note", s->note))
        return -1;
    if (!add_text(item, "target", s->target) || !add_text(item, "message", s->message))
        return -1;
    cJSON_AddNumberToObject(item, "instances", (double)s->instances);
    cJSON_AddNumberToObject(item, "estimated_savings", (double)s->estimated_savings);
    cJSON_AddNumberToObject(item, "savings_percent",
                            (double)(int)(render_share(r, s->estimated_savings) * 10) / 10);
    add_address(item, "address", r, s->object);
    if (!add_text(item, "example", s->example ? s->example : suggestion_example(s->kind)))
        return -1;
    if (s->example_value)
        return add_text(item, "example_value", s->example_value) ? 0 : -1;
    cJSON_AddNullToObject(item, "example_value");
    return 0;
}

static int add_groups(cJSON *json, const char *name, const report *r, const histogram *hist)
{
    cJSON *list = cJSON_AddArrayToObject(json, name);
    for (size_t i = 0; list && i < hist->count && i < 50; i++) {
        cJSON *row = cJSON_CreateObject();
        char label[1024];
        if (!row)
            return -1;
        cJSON_AddItemToArray(list, row);
        add_text(row, "name", group_name(r->heap, hist->by, hist->rows[i].key, label, sizeof label));
        cJSON_AddNumberToObject(row, "count", (double)hist->rows[i].count);
        cJSON_AddNumberToObject(row, "shallow_size", (double)hist->rows[i].shallow_size);
        cJSON_AddNumberToObject(row, "retained_size", (double)hist->rows[i].retained_size);
    }
    return list ? 0 : -1;
}

static int add_subtrees(cJSON *json, const report *r)
{
    cJSON *list = cJSON_AddArrayToObject(json, "dominator_subtrees");
    for (size_t i = 0; list && i < r->subtree_count; i++) {
        uint32_t v = r->subtrees[i];
        cJSON *row = cJSON_CreateObject();
        if (!row)
            return -1;
        cJSON_AddItemToArray(list, row);
        add_address(row, "address", r, v);
        add_type(row, "type", r, r->heap->type[v]);
        cJSON_AddNumberToObject(row, "retained_size", (double)r->dom->retained_size[v]);
        cJSON_AddNumberToObject(row, "retained_count", r->dom->retained_count[v]);
        if (!add_path(row, r, &r->subtree_paths[i]))
            return -1;
    }
    return list ? 0 : -1;
}

int render_json(FILE *out, const report *r, const render_source *src)
{
    cJSON *json = cJSON_CreateObject();
    cJSON *leaks = json ? cJSON_CreateArray() : NULL, *suggestions = cJSON_CreateArray();
    int failed = !json || !leaks || !suggestions ||
                 !cJSON_AddStringToObject(json, "schema", "heapan.report/2") ||
                 add_summary(json, r, src) < 0;
    cJSON *memory = failed ? NULL : render_accounting_json(&r->memory);
    failed = failed || !memory;
    if (!failed) {
        cJSON_AddItemToObject(json, "accounting", memory);
        cJSON_AddItemToObject(json, "leak_candidates", leaks);
        cJSON_AddItemToObject(json, "suggestions", suggestions);
        leaks = suggestions = NULL;
    }
    for (size_t i = 0; !failed && i < r->leak_count; i++)
        failed = add_leak(cJSON_GetObjectItem(json, "leak_candidates"), r, src, i) < 0;
    for (size_t i = 0; !failed && i < r->suggestion_count; i++)
        failed = add_suggestion(cJSON_GetObjectItem(json, "suggestions"), r, &r->suggestions[i], i) < 0;
    failed = failed || add_groups(json, "types", r, &r->types) < 0 ||
             add_groups(json, "modules", r, &r->modules) < 0 ||
             add_groups(json, "sites", r, &r->sites) < 0 ||
             add_groups(json, "program_sites", r, &r->program_sites) < 0 || add_subtrees(json, r) < 0 ||
             add_trace(json, src) < 0;
    char *text = failed ? NULL : cJSON_Print(json);
    if (text) {
        fputs(text, out);
        fputc('\n', out);
    }
    free(text);
    cJSON_Delete(leaks);
    cJSON_Delete(suggestions);
    cJSON_Delete(json);
    return text ? 0 : -1;
}
