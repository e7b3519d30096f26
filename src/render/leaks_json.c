/* leaks_json.c: `heapan leaks` as JSON ("schema": "heapan.leaks/1"). */
#include <cJSON.h>
#include <stdlib.h>

#include "render/jsonout.h"
#include "render/leaks.h"

static cJSON *counted(cJSON *json, const char *name, uint64_t objects, uint64_t bytes)
{
    cJSON *o = cJSON_AddObjectToObject(json, name);
    if (o) {
        cJSON_AddNumberToObject(o, "objects", (double)objects);
        cJSON_AddNumberToObject(o, "bytes", (double)bytes);
    }
    return o;
}

static int add_cluster(cJSON *list, const survivors *s, const survivor_cluster *c,
                       const report *final)
{
    cJSON *item = cJSON_CreateObject();
    if (!item)
        return -1;
    cJSON_AddItemToArray(list, item);
    const leak_candidate *f = c->finding;
    char type_name[512];
    group_name(final->heap, GROUP_BY_TYPE, c->example_type, type_name, sizeof type_name);
    int failed = json_add_text(item, "held_by", c->where) < 0 || json_add_text(item, "path", c->example) < 0 ||
                 json_add_text(item, "path_ends_at", c->example ? type_name : NULL) < 0 ||
                 json_add_text(item, "kept_by", c->kept_by) < 0 ||
                 !cJSON_AddStringToObject(item, "kept", kept_kind_name(c->kind)) ||
                 !cJSON_AddBoolToObject(item, "counted", kept_counts(c->kind, s->warmed_up)) ||
                 json_add_text(item, "cause", f ? f->cause_text : NULL) < 0 ||
                 json_add_text(item, "fix", f && f->fix != SIZE_MAX ? final->suggestions[f->fix].message
                                                               : NULL) < 0;
    cJSON_AddNumberToObject(item, "objects", (double)c->objects);
    cJSON_AddNumberToObject(item, "bytes", (double)c->bytes);
    cJSON_AddNumberToObject(item, "retained_size", (double)c->retained);
    cJSON *types = cJSON_AddArrayToObject(item, "types");
    for (size_t t = 0; !failed && types && t < c->type_count; t++) {
        char name[512];
        cJSON *type = cJSON_CreateObject();
        failed = !type;
        if (type) {
            cJSON_AddItemToArray(types, type);
            failed = json_add_text(type, "name", group_name(final->heap, GROUP_BY_TYPE, c->types[t].type,
                                                        name, sizeof name)) < 0;
            cJSON_AddNumberToObject(type, "objects", (double)c->types[t].count);
            cJSON_AddNumberToObject(type, "bytes", (double)c->types[t].retained_size);
        }
    }
    return failed || !types ? -1 : 0;
}

int render_leaks_json(FILE *out, const survivors *s, const report *final, const leaks_source *src)
{
    cJSON *json = cJSON_CreateObject();
    int failed = !json || !cJSON_AddStringToObject(json, "schema", "heapan.leaks/1") ||
                 json_add_text(json, "baseline", src->baseline) < 0 ||
                 json_add_text(json, "target", src->target) < 0 || json_add_text(json, "final", src->final) < 0 ||
                 !counted(json, "new_in_target", s->target_new, s->target_new_bytes) ||
                 !counted(json, "alive", s->count, s->bytes) ||
                 !counted(json, "leaked", s->leaked, s->leaked_bytes) ||
                 !cJSON_AddBoolToObject(json, "warmed_up", s->warmed_up);
    cJSON *kinds = failed ? NULL : cJSON_AddObjectToObject(json, "kept");
    failed = failed || !kinds;
    for (int k = 0; !failed && k < KEPT_KIND_COUNT; k++)
        failed = !counted(kinds, kept_kind_name((kept_kind)k), s->kind_objects[k], s->kind_bytes[k]);
    if (!failed) {
        cJSON_AddNumberToObject(json, "pid", (double)final->heap->header.pid);
        if (src->limit)
            cJSON_AddNumberToObject(json, "limit", (double)src->limit);
        else
            cJSON_AddNullToObject(json, "limit");
        cJSON_AddBoolToObject(json, "crossed", src->limit && s->leaked_bytes >= src->limit);
    }
    cJSON *list = failed ? NULL : cJSON_AddArrayToObject(json, "clusters");
    failed = failed || !list;
    for (size_t k = 0; !failed && k < s->cluster_count && k < src->top; k++)
        failed = add_cluster(list, s, &s->clusters[k], final) < 0;
    return json_finish(out, json, failed);
}
