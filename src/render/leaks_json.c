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

static int add_cluster(cJSON *list, const survivor_cluster *c, const report *final)
{
    cJSON *item = cJSON_CreateObject();
    if (!item)
        return -1;
    cJSON_AddItemToArray(list, item);
    const leak_candidate *f = c->finding;
    int failed = json_add_text(item, "held_by", c->where) < 0 || json_add_text(item, "path", c->example) < 0 ||
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
                 !counted(json, "alive", s->count, s->bytes);
    if (!failed) {
        cJSON_AddNumberToObject(json, "pid", (double)final->heap->header.pid);
        if (src->limit)
            cJSON_AddNumberToObject(json, "limit", (double)src->limit);
        else
            cJSON_AddNullToObject(json, "limit");
        cJSON_AddBoolToObject(json, "crossed", src->limit && s->bytes >= src->limit);
    }
    cJSON *list = failed ? NULL : cJSON_AddArrayToObject(json, "clusters");
    failed = failed || !list;
    for (size_t k = 0; !failed && k < s->cluster_count && k < src->top; k++)
        failed = add_cluster(list, &s->clusters[k], final) < 0;
    return json_finish(out, json, failed);
}
