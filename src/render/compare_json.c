/* compare_json.c: a comparison as JSON ("schema": "heapan.compare/1"). */
#include <cJSON.h>
#include <stdlib.h>

#include "render/compare.h"
#include "render/jsonout.h"
#include "report/survivors.h"

static int add_table(cJSON *json, const char *name, const delta_table *t)
{
    cJSON *list = cJSON_AddArrayToObject(json, name);
    for (size_t i = 0; list && i < t->count; i++) {
        const delta_row *row = &t->rows[i];
        if (!compare_row_shown(row) && i >= 50)
            continue;
        cJSON *item = cJSON_CreateObject();
        if (!item)
            return -1;
        cJSON_AddItemToArray(list, item);
        if (json_add_text(item, "name", row->name) < 0)
            return -1;
        cJSON_AddStringToObject(item, "status", !row->present[BASE] ? "new"
                                                : !row->present[NEW] ? "vanished" : "both");
        const char *sides[2] = {"baseline", "new"};
        for (int s = 0; s < 2; s++) {
            cJSON *side = cJSON_AddObjectToObject(item, sides[s]);
            if (!side)
                return -1;
            cJSON_AddNumberToObject(side, "count", (double)row->count[s]);
            cJSON_AddNumberToObject(side, "shallow_size", (double)row->shallow[s]);
            cJSON_AddNumberToObject(side, "retained_size", (double)row->retained[s]);
        }
        cJSON_AddNumberToObject(item, "retained_delta", (double)delta_growth(row));
    }
    return list ? 0 : -1;
}

/* "identity": null, or for dumps of one process what is new and alive, what went, and by holder. */
static int add_identity(cJSON *json, const survivors *s)
{
    if (!s)
        return cJSON_AddNullToObject(json, "identity") ? 0 : -1;
    cJSON *o = cJSON_AddObjectToObject(json, "identity");
    cJSON *alive = o ? cJSON_AddObjectToObject(o, "new_alive") : NULL;
    cJSON *gone = o ? cJSON_AddObjectToObject(o, "gone") : NULL;
    cJSON *list = o ? cJSON_AddArrayToObject(o, "clusters") : NULL;
    if (!alive || !gone || !list)
        return -1;
    cJSON_AddNumberToObject(alive, "objects", (double)s->count);
    cJSON_AddNumberToObject(alive, "bytes", (double)s->bytes);
    cJSON_AddNumberToObject(gone, "objects", (double)s->since_baseline.gone_count);
    cJSON_AddNumberToObject(gone, "bytes", (double)s->since_baseline.gone_bytes);
    for (size_t k = 0; k < s->cluster_count && k < 50; k++) {
        cJSON *item = cJSON_CreateObject();
        if (!item)
            return -1;
        cJSON_AddItemToArray(list, item);
        if (json_add_text(item, "held_by", s->clusters[k].where) < 0 ||
            json_add_text(item, "path", s->clusters[k].example) < 0)
            return -1;
        cJSON_AddNumberToObject(item, "objects", (double)s->clusters[k].objects);
        cJSON_AddNumberToObject(item, "bytes", (double)s->clusters[k].bytes);
    }
    return 0;
}

int render_compare_json(FILE *out, const comparison *c, const compare_source *src)
{
    cJSON *json = cJSON_CreateObject();
    int failed = !json || !cJSON_AddStringToObject(json, "schema", "heapan.compare/1") ||
                 json_add_text(json, "baseline", src->base) < 0 || json_add_text(json, "new", src->now) < 0;
    for (int s = 0; !failed && s < 2; s++) {
        cJSON *side = cJSON_AddObjectToObject(json, s == BASE ? "baseline_summary" : "new_summary");
        const compare_summary *summary = c->side[s];
        failed = !side;
        if (!failed) {
            cJSON_AddNumberToObject(side, "objects", summary->objects);
            cJSON_AddNumberToObject(side, "total_size", (double)summary->total_size);
            cJSON_AddNumberToObject(side, "reachable_size", (double)summary->reachable_size);
        }
    }
    const accounting memory[2] = {c->side[BASE]->memory, c->side[NEW]->memory};
    cJSON *change = failed ? NULL : render_accounting_change_json(memory, 2);
    failed = failed || !change;
    if (change)
        cJSON_AddItemToObject(json, "accounting", change);
    failed = failed || add_table(json, "structures", &c->structures) < 0 ||
             add_table(json, "types", &c->types) < 0 || add_table(json, "modules", &c->modules) < 0 ||
             add_table(json, "sites", &c->sites) < 0;
    cJSON *leaks = failed ? NULL : cJSON_AddArrayToObject(json, "new_leak_candidates");
    for (size_t i = 0; leaks && i < c->new_leak_count && !failed; i++) {
        const leak_candidate *l = &c->now->leaks[c->new_leaks[i]];
        cJSON *item = cJSON_CreateObject();
        failed = !item;
        if (!failed) {
            cJSON_AddItemToArray(leaks, item);
            cJSON_AddStringToObject(item, "kind", leak_kind_name(l->kind));
            cJSON_AddNumberToObject(item, "retained_size", (double)l->retained_size);
            char *where = l->path.count ? path_text(c->now->heap, &l->path) : NULL;
            failed = json_add_text(item, "path_text", where ? where : "") < 0 ||
                     json_add_text(item, "reason", l->reason) < 0;
            free(where);
        }
    }
    cJSON *proven = failed ? NULL : cJSON_AddArrayToObject(json, "leaks");
    for (size_t i = 0; proven && i < c->leak_count && !failed; i++) {
        const report *r = c->now;
        const leak_candidate *l = &r->leaks[c->leaks[i]];
        cJSON *item = cJSON_CreateObject();
        failed = !item;
        if (!failed) {
            cJSON_AddItemToArray(proven, item);
            cJSON_AddStringToObject(item, "kind", leak_kind_name(l->kind));
            cJSON_AddNumberToObject(item, "retained_size", (double)l->retained_size);
            cJSON_AddNumberToObject(item, "baseline_retained_size", (double)l->baseline_retained);
            failed = json_add_text(item, "path_text", l->path_text ? l->path_text : "") < 0 ||
                     json_add_text(item, "evidence_text", l->growth_text ? l->growth_text : "") < 0 ||
                     json_add_text(item, "fix", l->fix != SIZE_MAX ? r->suggestions[l->fix].message
                                                               : "") < 0;
        }
    }
    cJSON *sugg = failed ? NULL : cJSON_AddArrayToObject(json, "new_suggestions");
    for (size_t i = 0; sugg && i < c->new_suggestion_count && !failed; i++) {
        const suggestion *s = &c->now->suggestions[c->new_suggestions[i]];
        cJSON *item = cJSON_CreateObject();
        failed = !item;
        if (!failed) {
            cJSON_AddItemToArray(sugg, item);
            cJSON_AddStringToObject(item, "kind", suggestion_kind_name(s->kind));
            cJSON_AddNumberToObject(item, "estimated_savings", (double)s->estimated_savings);
            failed = json_add_text(item, "target", s->target) < 0 || json_add_text(item, "message", s->message) < 0;
        }
    }
    cJSON *gates = failed ? NULL : cJSON_AddArrayToObject(json, "gate");
    for (size_t i = 0; gates && i < c->gate_count && !failed; i++) {
        const gate_result *g = &c->gates[i];
        cJSON *item = cJSON_CreateObject();
        failed = !item;
        if (!failed) {
            cJSON_AddItemToArray(gates, item);
            failed = json_add_text(item, "limit", g->limit->spec) < 0;
            cJSON_AddBoolToObject(item, "crossed", g->crossed);
            cJSON_AddBoolToObject(item, "matched", g->matched);
            cJSON_AddBoolToObject(item, "under_noise", g->under_noise);
            cJSON_AddNumberToObject(item, "before", (double)g->before);
            cJSON_AddNumberToObject(item, "after", (double)g->after);
        }
    }
    if (!failed)
        failed = add_identity(json, src->identity) < 0;
    if (!failed)
        cJSON_AddBoolToObject(json, "regression", c->crossed > 0);
    return json_finish(out, json, failed);
}
