/* trend_json.c: `heapan trend` as JSON ("schema": "heapan.trend/1"). */
#include <cJSON.h>
#include <stdlib.h>

#include "render/jsonout.h"
#include "render/trend.h"

static cJSON *clean_string(const char *text)
{
    char *clean = utf8_sanitize(text ? text : "");
    cJSON *s = clean ? cJSON_CreateString(clean) : NULL;
    free(clean);
    return s;
}

static int add_table(cJSON *json, const char *name, const trend_table *table, size_t dumps)
{
    cJSON *list = cJSON_AddArrayToObject(json, name);
    for (size_t i = 0; list && i < table->count; i++) {
        cJSON *row = cJSON_CreateObject(), *row_name = clean_string(table->rows[i].name);
        cJSON *values = cJSON_CreateArray();
        if (!row || !row_name || !values) {
            cJSON_Delete(row), cJSON_Delete(row_name), cJSON_Delete(values);
            return -1;
        }
        cJSON_AddItemToArray(list, row);
        cJSON_AddItemToObject(row, "name", row_name);
        cJSON_AddNumberToObject(row, "growth", (double)table->rows[i].growth);
        cJSON_AddItemToObject(row, "retained", values);
        for (size_t k = 0; k < dumps; k++) {
            cJSON *v = cJSON_CreateNumber((double)table->rows[i].values[k]);
            if (!v)
                return -1;
            cJSON_AddItemToArray(values, v);
        }
    }
    return list ? 0 : -1;
}

int render_trend_json(FILE *out, const trend *t, char *const *files)
{
    cJSON *json = cJSON_CreateObject();
    cJSON *dumps = json ? cJSON_AddArrayToObject(json, "dumps") : NULL;
    int failed = !dumps || !cJSON_AddStringToObject(json, "schema", "heapan.trend/1");
    for (size_t k = 0; !failed && k < t->dumps; k++) {
        cJSON *item = cJSON_CreateObject(), *file = clean_string(files[k]);
        failed = !item || !file;
        if (failed) {
            cJSON_Delete(item), cJSON_Delete(file);
            break;
        }
        cJSON_AddItemToArray(dumps, item);
        cJSON_AddItemToObject(item, "path", file);
        cJSON_AddNumberToObject(item, "time_us", (double)t->time_us[k]);
        cJSON_AddNumberToObject(item, "total_size", (double)t->total[k]);
        cJSON_AddNumberToObject(item, "objects", (double)t->objects[k]);
    }
    cJSON *change = failed ? NULL : render_accounting_change_json(t->memory, t->dumps);
    failed = failed || !change;
    if (change)
        cJSON_AddItemToObject(json, "accounting", change);
    failed = failed || add_table(json, "structures", &t->structures, t->dumps) < 0 ||
             add_table(json, "types", &t->types, t->dumps) < 0 ||
             add_table(json, "modules", &t->modules, t->dumps) < 0;
    return json_finish(out, json, failed);
}
