/* snapshot.c: a streaming reader of V8 heap snapshot JSON, into the heap model. */
#include <cJSON.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addrmap.h"
#include "grow.h"
#include "input/json.h"
#include "input/snapshot.h"
#include "input/snapsource.h"
#include "model/sort.h"

#define MAX_META (16u << 20) /* the "snapshot" object is small: meta and counts */
#define MAX_KEY 64
#define ROOT 0u /* V8's synthetic root is node 0 */

/* Node and edge types by their names in the meta. */
enum { NODE_OBJECT_LIKE = 1 };
enum { EDGE_STRING_NAME = 1, EDGE_WEAK = 2, EDGE_SHORTCUT = 4 };

typedef struct meta {
    size_t node_fields, edge_fields;
    int type_at, name_at, id_at, size_at, edges_at; /* node fields */
    int edge_type_at, edge_name_at, edge_to_at;     /* edge fields */
    char **node_types, **edge_types;
    size_t node_type_count, edge_type_count;
    unsigned *node_kind, *edge_kind; /* NODE_* and EDGE_* bits by type */
    uint8_t *edge_label_kind;        /* heapan_label_kind by edge type */
    uint64_t node_count, edge_count; /* as announced, 0 if not */
} meta;

typedef struct parser {
    heap *h;
    snapsource *src;
    json_stream json;  /* the text, and the first error */
    int out_of_memory;
    int labels; /* keep reference names and node names */
    meta m;
    /* nodes */
    uint64_t fields[16];
    size_t field;
    size_t node_cap;
    uint32_t *name; /* per node: its name's string index */
    uint8_t *node_type;
    uint32_t *type_of_kind; /* node type -> type id, for the kinds grouped as one */
    addrmap types_by_name;  /* object-like: name index + 1 -> type id */
    size_t type_cap;
    uint64_t edges_declared;
    /* edges */
    uint64_t edges_seen;
    uint32_t edge_from;
    uint8_t *edge_type; /* per edge its V8 type; its label kind once the foreign edges are marked */
    size_t edge_cap;
    int have_nodes, have_edges, have_strings, have_meta;
    uint64_t unknown_type_nodes; /* nodes whose type is past the meta's list */
    /* strings */
    size_t pool_cap, pool_len, strings_cap;
    uint32_t strings_seen; /* in the file; without labels only the needed are kept */
    addrmap root_names;    /* name index + 1 of the root's targets; extra: 1 for
                              "(Document DOM trees)" */
} parser;

/* The parser's messages go where the tokenizer's do: the first one is kept. */
static int fail(parser *p, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    json_vfail(&p->json, fmt, ap);
    va_end(ap);
    return -1;
}

static int no_memory(parser *p)
{
    p->out_of_memory = 1;
    return fail(p, "out of memory");
}

/* ---- the meta: small, so cJSON parses it ------------------------------------ */

typedef struct raw_text {
    char *text;
    size_t len, cap;
} raw_text;

typedef struct raw_sink {
    parser *p;
    raw_text *t;
} raw_sink;

static int put_raw(void *ctx, const char *bytes, size_t n)
{
    parser *p = ((raw_sink *)ctx)->p;
    raw_text *t = ((raw_sink *)ctx)->t;
    if (t->len + n + 1 > MAX_META)
        return fail(p, "the \"snapshot\" object is over %u MiB", MAX_META >> 20);
    if (t->len + n + 1 > t->cap) {
        size_t cap = t->cap ? t->cap : 4096;
        while (cap < t->len + n + 1)
            cap *= 2;
        char *bigger = realloc(t->text, cap);
        if (!bigger)
            return no_memory(p);
        t->text = bigger;
        t->cap = cap;
    }
    memcpy(t->text + t->len, bytes, n);
    t->len += n;
    t->text[t->len] = '\0';
    return 0;
}

/* The "snapshot" object's text, which cJSON then parses. */
static int capture_object(parser *p, raw_text *t)
{
    int c = json_peek(&p->json);
    if (c != '{')
        return c < 0 ? json_truncated(&p->json) : fail(p, "\"snapshot\" is not an object");
    raw_sink sink = {p, t};
    return json_capture_object(&p->json, put_raw, &sink);
}

static int field_index(cJSON *fields, const char *name)
{
    int i = 0;
    for (cJSON *f = fields ? fields->child : NULL; f; f = f->next, i++)
        if (cJSON_IsString(f) && strcmp(f->valuestring, name) == 0)
            return i;
    return -1;
}

static int copy_names(parser *p, cJSON *types, char ***out, size_t *count)
{
    cJSON *names = cJSON_IsArray(types) ? cJSON_GetArrayItem(types, 0) : NULL;
    size_t n = (size_t)cJSON_GetArraySize(names);
    if (!cJSON_IsArray(names) || n == 0 || n > 255)
        return fail(p, "the meta's type list is missing or has over 255 entries");
    if (!(*out = calloc(n, sizeof **out)))
        return no_memory(p);
    *count = n;
    size_t i = 0;
    for (cJSON *t = names->child; t; t = t->next, i++)
        if (!((*out)[i] = strdup(cJSON_IsString(t) ? t->valuestring : "")))
            return no_memory(p);
    return 0;
}

static int name_is(const char *name, const char *const *list)
{
    for (; *list; list++)
        if (strcmp(name, *list) == 0)
            return 1;
    return 0;
}

static int classify_types(parser *p)
{
    meta *m = &p->m;
    static const char *const object_like[] = {"object", "native", NULL};
    static const char *const string_named[] = {"context",  "property", "internal",
                                               "shortcut", "weak",     NULL};
    m->node_kind = calloc(m->node_type_count, sizeof *m->node_kind);
    m->edge_kind = calloc(m->edge_type_count, sizeof *m->edge_kind);
    m->edge_label_kind = calloc(m->edge_type_count, sizeof *m->edge_label_kind);
    if (!m->node_kind || !m->edge_kind || !m->edge_label_kind)
        return no_memory(p);
    for (size_t i = 0; i < m->node_type_count; i++)
        m->node_kind[i] = name_is(m->node_types[i], object_like) ? NODE_OBJECT_LIKE : 0;
    for (size_t i = 0; i < m->edge_type_count; i++)
        m->edge_kind[i] = (name_is(m->edge_types[i], string_named) ? EDGE_STRING_NAME : 0) |
                          (strcmp(m->edge_types[i], "weak") == 0 ? EDGE_WEAK : 0) |
                          (strcmp(m->edge_types[i], "shortcut") == 0 ? EDGE_SHORTCUT : 0);
    for (size_t i = 0; i < m->edge_type_count; i++)
        m->edge_label_kind[i] = !(m->edge_kind[i] & EDGE_STRING_NAME) ? HEAPAN_LABEL_INDEX
                                : strcmp(m->edge_types[i], "context") == 0  ? HEAPAN_LABEL_LOCAL
                                : strcmp(m->edge_types[i], "internal") == 0 ? HEAPAN_LABEL_FIELD
                                                                            : HEAPAN_LABEL_ATTRIBUTE;
    return 0;
}

static uint64_t count_of(cJSON *snapshot, const char *name)
{
    cJSON *n = cJSON_GetObjectItemCaseSensitive(snapshot, name);
    return cJSON_IsNumber(n) && n->valuedouble >= 0 && n->valuedouble < 1e15
               ? (uint64_t)n->valuedouble
               : 0;
}

static int read_meta(parser *p)
{
    raw_text t = {0};
    if (capture_object(p, &t) < 0) {
        free(t.text);
        return -1;
    }
    cJSON *snapshot = cJSON_ParseWithLength(t.text, t.len);
    free(t.text);
    int metas = 0;
    for (cJSON *item = snapshot ? snapshot->child : NULL; item; item = item->next)
        metas += item->string && strcmp(item->string, "meta") == 0;
    if (metas > 1) { /* which one a JSON parser keeps differs: refused, as a second "nodes" is */
        cJSON_Delete(snapshot);
        return fail(p, "the snapshot has a second \"meta\"");
    }
    cJSON *m = cJSON_GetObjectItemCaseSensitive(snapshot, "meta");
    cJSON *nf = cJSON_GetObjectItemCaseSensitive(m, "node_fields");
    cJSON *ef = cJSON_GetObjectItemCaseSensitive(m, "edge_fields");
    meta *mt = &p->m;
    *mt = (meta){.node_fields = (size_t)cJSON_GetArraySize(nf),
                 .edge_fields = (size_t)cJSON_GetArraySize(ef),
                 .type_at = field_index(nf, "type"),
                 .name_at = field_index(nf, "name"),
                 .id_at = field_index(nf, "id"),
                 .size_at = field_index(nf, "self_size"),
                 .edges_at = field_index(nf, "edge_count"),
                 .edge_type_at = field_index(ef, "type"),
                 .edge_name_at = field_index(ef, "name_or_index"),
                 .edge_to_at = field_index(ef, "to_node"),
                 .node_count = count_of(snapshot, "node_count"),
                 .edge_count = count_of(snapshot, "edge_count")};
    int failed = !snapshot ? fail(p, "the \"snapshot\" object is not valid JSON")
                 : mt->type_at < 0 || mt->name_at < 0 || mt->id_at < 0 || mt->size_at < 0 ||
                         mt->edges_at < 0 || mt->edge_type_at < 0 || mt->edge_name_at < 0 ||
                         mt->edge_to_at < 0 || mt->node_fields > 16 || mt->edge_fields > 16
                     ? fail(p, "the meta lacks a node or edge field heapan needs (type, name, id, "
                               "self_size, edge_count; type, name_or_index, to_node)")
                     : copy_names(p, cJSON_GetObjectItemCaseSensitive(m, "node_types"),
                                  &mt->node_types, &mt->node_type_count) < 0 ||
                           copy_names(p, cJSON_GetObjectItemCaseSensitive(m, "edge_types"),
                                      &mt->edge_types, &mt->edge_type_count) < 0 ||
                           classify_types(p) < 0;
    cJSON_Delete(snapshot);
    p->have_meta = !failed;
    return failed ? -1 : 0;
}

static void free_meta(meta *m)
{
    for (size_t i = 0; m->node_types && i < m->node_type_count; i++)
        free(m->node_types[i]);
    for (size_t i = 0; m->edge_types && i < m->edge_type_count; i++)
        free(m->edge_types[i]);
    free(m->node_types), free(m->edge_types), free(m->node_kind), free(m->edge_kind);
    free(m->edge_label_kind);
}

/* ---- nodes ------------------------------------------------------------------- */

/* Reallocates *array (any pointer type) to `cap` elements of `elem` bytes. */
static int resize(parser *p, void *array, size_t elem, size_t cap)
{
    void **slot = array;
    void *bigger = realloc(*slot, cap * elem);
    if (!bigger)
        return no_memory(p);
    *slot = bigger;
    return 0;
}

static int reserve_nodes(parser *p, size_t need)
{
    heap *h = p->h;
    if (need <= p->node_cap)
        return 0;
    if (need > HEAP_MAX_OBJECTS)
        return fail(p, "over %u nodes, heapan's limit", HEAP_MAX_OBJECTS);
    size_t cap = p->node_cap ? p->node_cap * 2 : 1024;
    cap = cap < need ? need : cap;
    cap = cap > HEAP_MAX_OBJECTS ? HEAP_MAX_OBJECTS : cap;
    if (resize(p, &h->address, sizeof *h->address, cap) < 0 ||
        resize(p, &h->size, sizeof *h->size, cap) < 0 ||
        resize(p, &h->type, sizeof *h->type, cap) < 0 ||
        resize(p, &h->flags, sizeof *h->flags, cap) < 0 ||
        resize(p, &h->out_start, sizeof *h->out_start, cap) < 0 ||
        resize(p, &h->out_count, sizeof *h->out_count, cap) < 0 ||
        resize(p, &p->name, sizeof *p->name, cap) < 0 ||
        resize(p, &p->node_type, sizeof *p->node_type, cap) < 0)
        return -1;
    p->node_cap = cap;
    return 0;
}

/* A new type named by string id `name` (module "v8"), or 0 when out of memory. */
static uint32_t new_type(parser *p, uint32_t name)
{
    heap *h = p->h;
    if (grow(&h->types, sizeof *h->types, &p->type_cap, (size_t)h->type_count + 1) < 0)
        return 0;
    uint32_t id = h->type_count++;
    h->types[id] = (heapan_type){.id = id, .name = name, .flags = HEAPAN_TYPE_CONTAINER};
    return id;
}

/* Objects group by constructor name; every other kind of node as one type. */
static uint32_t type_of(parser *p, uint32_t node_type, uint32_t name)
{
    if (node_type < p->m.node_type_count && p->m.node_kind[node_type] & NODE_OBJECT_LIKE) {
        int added;
        addrmap_slot *slot = addrmap_upsert(&p->types_by_name, (uint64_t)name + 1, &added);
        if (slot && added)
            slot->index = new_type(p, name + 1);
        return slot ? slot->index : 0;
    }
    if (!p->type_of_kind[node_type])
        p->type_of_kind[node_type] = new_type(p, 0); /* named once the strings are in */
    return p->type_of_kind[node_type];
}

/* Is every field but the id below 2^32, as heapan keeps them?  Fails naming the first that is not. */
static int fields_fit(parser *p, const uint64_t *f, size_t width, int id_at, const char *what,
                      uint64_t index)
{
    for (size_t k = 0; k < width; k++)
        if ((int)k != id_at && f[k] > UINT32_MAX)
            return fail(p, "%s %llu has field %zu over 2^32", what, (unsigned long long)index, k);
    return 0;
}

static int add_node(parser *p, const uint64_t *f)
{
    heap *h = p->h;
    meta *m = &p->m;
    uint32_t i = h->count;
    if (reserve_nodes(p, (size_t)i + 1) < 0 ||
        fields_fit(p, f, m->node_fields, m->id_at, "node", i) < 0)
        return -1;
    uint32_t node_type = (uint32_t)f[m->type_at];
    /* A type past the meta's list (a 2017 V8's symbols): "(unknown)", counted for one warning. */
    if (node_type >= m->node_type_count) {
        node_type = (uint32_t)m->node_type_count;
        p->unknown_type_nodes++;
    }
    if (p->edges_declared + f[m->edges_at] >= UINT32_MAX)
        return fail(p, "over %u edges, heapan's limit", UINT32_MAX - 1);
    h->address[i] = f[m->id_at];
    h->size[i] = f[m->size_at];
    h->flags[i] = 0;
    h->out_start[i] = (uint32_t)p->edges_declared;
    h->out_count[i] = (uint32_t)f[m->edges_at];
    p->edges_declared += f[m->edges_at];
    p->name[i] = (uint32_t)f[m->name_at];
    p->node_type[i] = (uint8_t)node_type;
    if (!(h->type[i] = type_of(p, node_type, (uint32_t)f[m->name_at])))
        return no_memory(p);
    h->count = i + 1;
    return 0;
}

/* Copies numbers into the record being gathered; 1 when it is whole. */
static int take_fields(parser *p, const uint64_t *values, size_t n, size_t width, size_t *k)
{
    while (*k < n && p->field < width)
        p->fields[p->field++] = values[(*k)++];
    return p->field == width;
}

/*
 * Hands each whole record of `width` numbers to `add`.  A record may span
 * chunks: only that one is copied, the others are read in place.
 */
static int gather(parser *p, const uint64_t *values, size_t n, size_t width,
                  int (*add)(parser *p, const uint64_t *fields))
{
    size_t k = 0;
    if (p->field) {
        if (!take_fields(p, values, n, width, &k))
            return 0;
        p->field = 0;
        if (add(p, p->fields) < 0)
            return -1;
    }
    for (; n - k >= width; k += width)
        if (add(p, values + k) < 0)
            return -1;
    take_fields(p, values, n, width, &k); /* the start of a record the next chunk ends */
    return 0;
}

static int node_numbers(void *ctx, const uint64_t *values, size_t n)
{
    parser *p = ctx;
    return gather(p, values, n, p->m.node_fields, add_node);
}

static int read_nodes(parser *p)
{
    if (!p->have_meta)
        return fail(p, "\"nodes\" comes before the \"snapshot\" meta");
    p->type_of_kind = calloc(p->m.node_type_count + 1, sizeof *p->type_of_kind);
    if (!p->type_of_kind || addrmap_init(&p->types_by_name, 1024) < 0 ||
        new_type(p, 0) != 0 || /* type 0 stays unused, as in a heapan dump */
        /* the announced count is a hint, and may lie: at most a million up front */
        reserve_nodes(p, p->m.node_count < (1u << 20) ? p->m.node_count + 1 : 1u << 20) < 0)
        return no_memory(p);
    if (json_numbers_piped(&p->json, node_numbers, p) < 0)
        return -1;
    if (p->field)
        return fail(p, "\"nodes\" ends inside a node (%zu numbers left over)", p->field);
    p->have_nodes = 1;
    return 0;
}

/* ---- edges ------------------------------------------------------------------- */

/* Edge arrays grow as edges come: a node's edge_count cannot make heapan allocate. */
static int reserve_edges(parser *p, uint64_t need)
{
    heap *h = p->h;
    size_t cap = p->edge_cap ? p->edge_cap * 2 : 1u << 16;
    cap = cap < need ? (size_t)need : cap;
    cap = cap > p->edges_declared ? (size_t)p->edges_declared : cap;
    if (resize(p, &h->out_target, sizeof *h->out_target, cap) < 0 ||
        resize(p, &p->edge_type, sizeof *p->edge_type, cap) < 0 ||
        (p->labels && resize(p, &h->out_label, sizeof *h->out_label, cap) < 0))
        return -1;
    p->edge_cap = cap;
    return 0;
}

static int add_edge(parser *p, const uint64_t *f)
{
    heap *h = p->h;
    meta *m = &p->m;
    uint64_t e = p->edges_seen++;
    if (fields_fit(p, f, m->edge_fields, -1, "edge", e) < 0)
        return -1;
    if (e >= p->edges_declared)
        return fail(p, "more edges than the nodes' edge counts add up to (%llu)",
                    (unsigned long long)p->edges_declared);
    while (e >= (uint64_t)h->out_start[p->edge_from] + h->out_count[p->edge_from])
        p->edge_from++;
    if (e >= p->edge_cap && reserve_edges(p, e + 1) < 0)
        return -1;
    uint32_t type = (uint32_t)f[m->edge_type_at], to = (uint32_t)f[m->edge_to_at];
    if (type >= m->edge_type_count)
        return fail(p, "edge %llu has type %u, past the %zu edge types", (unsigned long long)e,
                    type, m->edge_type_count);
    if (to % m->node_fields || to / m->node_fields >= h->count)
        return fail(p, "edge %llu points at %u, which is no node's start", (unsigned long long)e,
                    to);
    uint32_t target = to / (uint32_t)m->node_fields;
    unsigned kind = m->edge_kind[type];
    /* DevTools' non-essential edges: weak ones, shortcuts but the root's, self edges */
    int weak = kind & EDGE_WEAK || (kind & EDGE_SHORTCUT && p->edge_from != ROOT) ||
               target == p->edge_from;
    h->out_target[e] = target | (weak ? HEAP_WEAK_BIT : 0);
    p->edge_type[e] = (uint8_t)type;
    if (!p->labels)
        return 0;
    uint32_t label = f[m->edge_name_at];
    if (kind & EDGE_STRING_NAME)
        h->out_label[e] = label + 1 < HEAP_LABEL_BIG ? label + 1 : 0; /* checked with the strings */
    else
        h->out_label[e] = label < HEAP_LABEL_BIG ? label : HEAP_LABEL_BIG - 1;
    return 0; /* the label's kind follows from the edge's type: see label_kinds() */
}

static int edge_numbers(void *ctx, const uint64_t *values, size_t n)
{
    parser *p = ctx;
    return gather(p, values, n, p->m.edge_fields, add_edge);
}

static int read_edges(parser *p)
{
    heap *h = p->h;
    if (!p->have_nodes)
        return fail(p, "\"edges\" comes before \"nodes\"");
    if (json_numbers_piped(&p->json, edge_numbers, p) < 0)
        return -1;
    if (p->field)
        return fail(p, "\"edges\" ends inside an edge");
    if (p->edges_seen != p->edges_declared)
        return fail(p, "%llu edges, but the nodes' edge counts add up to %llu",
                    (unsigned long long)p->edges_seen, (unsigned long long)p->edges_declared);
    h->edge_count = p->edges_seen;
    p->have_edges = 1;
    return 0;
}

/* ---- strings ------------------------------------------------------------------- */

static int put_pool(void *ctx, const char *bytes, size_t n)
{
    parser *p = ctx;
    if (grow(&p->h->pool, 1, &p->pool_cap, p->pool_len + n + 1) < 0)
        return no_memory(p);
    memcpy(p->h->pool + p->pool_len, bytes, n);
    p->pool_len += n;
    return 0;
}

/* Ends the string whose bytes went into the pool from `start`; its id, or 0. */
static uint32_t end_string(parser *p, size_t start)
{
    heap *h = p->h;
    if (h->pool_count >= HEAP_LABEL_BIG - 2 || p->pool_len - start >= UINT32_MAX) {
        fail(p, "too many or too long strings");
        return 0;
    }
    if (put_pool(p, "", 1) < 0 || /* its NUL */
        grow(&h->pool_start, sizeof *h->pool_start, &p->strings_cap, (size_t)h->pool_count + 2) <
            0) {
        no_memory(p);
        return 0;
    }
    h->pool[p->pool_len - 1] = '\0';
    h->pool_start[h->pool_count] = start;
    h->pool_start[h->pool_count + 1] = p->pool_len; /* where the next one starts */
    return ++h->pool_count;
}

/* Adds a string of heapan's own; its id, or 0. */
static uint32_t add_string(parser *p, const char *text)
{
    size_t start = p->pool_len;
    return put_pool(p, text, strlen(text)) < 0 ? 0 : end_string(p, start);
}

#define DOM_TREES "(Document DOM trees)"

/* The names of the root's targets, to tell the one DevTools leaves out. */
static int note_root_names(parser *p)
{
    heap *h = p->h;
    if (addrmap_init(&p->root_names, 64) < 0)
        return no_memory(p);
    for (uint32_t e = h->out_start[ROOT]; e < h->out_start[ROOT] + h->out_count[ROOT]; e++) {
        uint32_t added;
        if (addrmap_insert(&p->root_names,
                           (uint64_t)p->name[h->out_target[e] & HEAP_INDEX_MASK] + 1, 0,
                           &added) < 0)
            return no_memory(p);
    }
    return 0;
}

/*
 * Without labels, the strings kept are the types' names and the root's
 * targets' names: the rest (property names, string values) cost memory
 * and tell `top` nothing.  Strings read before the nodes are all kept.
 */
static int needed(parser *p, uint32_t index)
{
    return p->labels || !p->have_edges ||
           addrmap_find(&p->types_by_name, (uint64_t)index + 1) != ADDRMAP_ABSENT ||
           addrmap_find(&p->root_names, (uint64_t)index + 1) != ADDRMAP_ABSENT;
}

/* Keeps string `index`, read into the pool from `start`. */
static int keep_string(parser *p, uint32_t index, size_t start)
{
    heap *h = p->h;
    uint32_t id = end_string(p, start);
    if (!id)
        return -1;
    addrmap_slot *type = p->labels ? NULL : addrmap_slot_of(&p->types_by_name, (uint64_t)index + 1);
    if (type)
        h->types[type->index].name = id;
    addrmap_slot *root_name = addrmap_slot_of(&p->root_names, (uint64_t)index + 1);
    if (root_name)
        root_name->extra = strcmp(h->pool + start, DOM_TREES) == 0;
    return 0;
}

static int read_strings(parser *p)
{
    if (json_expect(&p->json, '[') < 0 || (p->have_edges && note_root_names(p) < 0))
        return -1;
    if (json_peek(&p->json) == ']') {
        json_skip_byte(&p->json);
        p->have_strings = 1;
        return 0;
    }
    for (;;) {
        uint32_t index = p->strings_seen++;
        size_t start = p->pool_len;
        int keep = needed(p, index);
        if (p->strings_seen == UINT32_MAX)
            return fail(p, "too many strings");
        if (json_expect(&p->json, '"') < 0 || json_string_body(&p->json, keep ? put_pool : NULL, p) < 0 ||
            (keep && keep_string(p, index, start) < 0))
            return -1;
        int c = json_peek(&p->json);
        if (c == ',' || c == ']')
            json_skip_byte(&p->json);
        if (c == ']')
            break;
        if (c != ',')
            return c < 0 ? json_truncated(&p->json) : fail(p, "expected ',' or ']' in \"strings\"");
    }
    p->have_strings = 1;
    return 0;
}

/* ---- the document -------------------------------------------------------------- */

static int read_document(parser *p)
{
    if (json_expect(&p->json, '{') < 0)
        return -1;
    if (json_peek(&p->json) == '}')
        return fail(p, "an empty object, not a heap snapshot");
    for (;;) {
        char key[MAX_KEY];
        if (json_key(&p->json, key, sizeof key) < 0)
            return -1;
        const int *have = strcmp(key, "snapshot") == 0  ? &p->have_meta
                          : strcmp(key, "nodes") == 0   ? &p->have_nodes
                          : strcmp(key, "edges") == 0   ? &p->have_edges
                          : strcmp(key, "strings") == 0 ? &p->have_strings
                                                        : NULL;
        /* A part read twice would be read over the first: refused, as JSON parsers differ on it. */
        if (have && *have)
            return fail(p, "the snapshot has a second \"%s\"", key);
        int failed = have == &p->have_meta      ? read_meta(p)
                     : have == &p->have_nodes   ? read_nodes(p)
                     : have == &p->have_edges   ? read_edges(p)
                     : have == &p->have_strings ? read_strings(p)
                                                : json_skip_value(&p->json);
        if (failed)
            return -1;
        int c = json_peek(&p->json);
        if (c < 0)
            return json_truncated(&p->json);
        json_skip_byte(&p->json);
        if (c == '}')
            break;
        char found[16];
        if (c != ',')
            return fail(p, "expected ',' or '}' between the snapshot's parts, found %s",
                        json_byte_text(c, found));
    }
    /* JSON.parse, as DevTools reads it, refuses anything but white space after the end. */
    int after = json_peek(&p->json);
    if (after >= 0) {
        char found[16];
        return fail(p, "data after the end of the snapshot at byte %llu of the text: %s",
                    (unsigned long long)json_offset(&p->json), json_byte_text(after, found));
    }
    if (!p->have_meta || !p->have_nodes || !p->have_edges || !p->have_strings)
        return fail(p, "the snapshot lacks its %s",
                    !p->have_meta    ? "\"snapshot\" meta"
                    : !p->have_nodes ? "\"nodes\""
                    : !p->have_edges ? "\"edges\""
                                     : "\"strings\"");
    if (!p->h->count)
        return fail(p, "the snapshot has no node");
    return 0;
}

/* ---- after the text ---------------------------------------------------------------- */

typedef struct named_type {
    const char *name;
    uint32_t id;
} named_type;

static int by_name_then_id(const void *a, const void *b)
{
    const named_type *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    return c ? c : (x->id > y->id) - (x->id < y->id);
}

/*
 * Types are made per string index as the nodes stream by, before the strings
 * are read; a snapshot that repeats a string would split one constructor into
 * many types.  Equal names become the first such type (n log n in types).
 */
static int merge_equal_types(parser *p)
{
    heap *h = p->h;
    size_t n = h->type_count ? h->type_count - 1 : 0;
    named_type *sorted = malloc((n ? n : 1) * sizeof *sorted);
    uint32_t *same = malloc((size_t)h->type_count * sizeof *same + 1);
    if (!sorted || !same) {
        free(sorted), free(same);
        return no_memory(p);
    }
    for (uint32_t id = 1; id < h->type_count; id++) {
        const char *name = h->types[id].name ? heap_string(h, h->types[id].name, NULL) : "";
        sorted[id - 1] = (named_type){name ? name : "", id};
        same[id] = id;
    }
    sort_items(sorted, n, sizeof *sorted, by_name_then_id);
    for (size_t k = 1; k < n; k++)
        if (strcmp(sorted[k].name, sorted[k - 1].name) == 0)
            same[sorted[k].id] = same[sorted[k - 1].id];
    for (uint32_t v = 0; v < h->count; v++)
        h->type[v] = same[h->type[v]];
    free(sorted), free(same);
    return 0;
}

static int check_strings(parser *p)
{
    heap *h = p->h;
    for (uint32_t i = 0; i < h->count; i++)
        if (p->name[i] >= p->strings_seen)
            return fail(p, "node %u is named by string %u, past the %u strings", i, p->name[i],
                        p->strings_seen);
    for (uint64_t e = 0; p->labels && e < h->edge_count; e++)
        if (p->m.edge_kind[p->edge_type[e]] & EDGE_STRING_NAME && h->out_label[e] > p->strings_seen)
            return fail(p, "edge %llu is named by string %u, past the %u strings",
                        (unsigned long long)e, h->out_label[e] - 1, p->strings_seen);
    return 0;
}

/* Types of nodes other than objects are named as DevTools names them: "(closure)". */
static int name_types(parser *p)
{
    for (size_t t = 0; t <= p->m.node_type_count; t++) {
        uint32_t id = p->type_of_kind[t];
        if (!id)
            continue;
        char name[80];
        snprintf(name, sizeof name, "(%s)",
                 t < p->m.node_type_count ? p->m.node_types[t] : "unknown");
        if (!(p->h->types[id].name = add_string(p, name)))
            return no_memory(p);
    }
    return 0;
}

/*
 * As memlab and DevTools do: objects the root reaches (not through its
 * shortcuts, nor through weak edges) are the program's; an edge from an
 * object outside them into one of them is the debugger's or V8's own, and
 * must not change their dominators.
 */
static int ignore_foreign_edges(parser *p)
{
    heap *h = p->h;
    uint8_t *owned = calloc(h->count, 1);
    uint32_t *todo = malloc((size_t)h->count * sizeof *todo);
    if (!owned || !todo) {
        free(owned), free(todo);
        return no_memory(p);
    }
    size_t n = 0;
    for (uint32_t e = h->out_start[ROOT]; e < h->out_start[ROOT] + h->out_count[ROOT]; e++) {
        uint32_t t = h->out_target[e] & HEAP_INDEX_MASK;
        const char *type = p->m.edge_types[p->edge_type[e]];
        const addrmap_slot *name = addrmap_slot_of(&p->root_names, (uint64_t)p->name[t] + 1);
        int dom_trees = strcmp(type, "element") == 0 && name && name->extra;
        if (!dom_trees && strcmp(type, "shortcut") != 0 && !owned[t])
            owned[t] = 1, todo[n++] = t;
    }
    while (n) { /* through every edge but the weak ones: shortcuts too */
        uint32_t v = todo[--n];
        for (uint32_t e = h->out_start[v]; e < h->out_start[v] + h->out_count[v]; e++) {
            uint32_t t = h->out_target[e] & HEAP_INDEX_MASK;
            if (!(p->m.edge_kind[p->edge_type[e]] & EDGE_WEAK) && !owned[t])
                owned[t] = 1, todo[n++] = t;
        }
    }
    for (uint32_t v = ROOT + 1; v < h->count; v++)
        for (uint32_t e = h->out_start[v]; e < h->out_start[v] + h->out_count[v]; e++)
            if (!owned[v] && owned[h->out_target[e] & HEAP_INDEX_MASK])
                h->out_target[e] |= HEAP_WEAK_BIT;
    free(owned), free(todo);
    return 0;
}

/* Each edge's V8 type becomes its label's kind, in place: one byte an edge, not two. */
static void label_kinds(parser *p)
{
    if (!p->labels)
        return;
    for (uint64_t e = 0; e < p->h->edge_count; e++)
        p->edge_type[e] = p->m.edge_label_kind[p->edge_type[e]];
    p->h->out_label_kind = p->edge_type;
    p->edge_type = NULL;
}

static int finish(parser *p)
{
    heap *h = p->h;
    if (check_strings(p) < 0)
        return -1;
    h->roots = malloc(sizeof *h->roots);
    uint32_t label = h->roots ? add_string(p, "V8 snapshot root") : 0;
    if (!label)
        return no_memory(p);
    if (name_types(p) < 0 || merge_equal_types(p) < 0 || ignore_foreign_edges(p) < 0)
        return -1;
    label_kinds(p);
    free(p->edge_type), free(p->node_type); /* before the reverse edges: a lower peak */
    p->edge_type = NULL, p->node_type = NULL;
    for (uint32_t i = 0; p->labels && i < h->count; i++)
        p->name[i]++; /* string index -> string id */
    if (p->labels)
        h->name = p->name;
    else
        free(p->name); /* before the reverse edges: a lower peak */
    p->name = NULL;
    h->roots[0] = (heap_root){ROOT, HEAPAN_ROOT_BUILTINS, label};
    h->root_count = 1;
    if (p->unknown_type_nodes &&
        heap_warn(h, "%llu node%s a type past the meta's %zu node types; typed (unknown)",
                  (unsigned long long)p->unknown_type_nodes,
                  p->unknown_type_nodes == 1 ? " has" : "s have", p->m.node_type_count) < 0)
        return no_memory(p);
    h->status = HEAPAN_END;
    h->header = (heapan_header){.content = HEAPAN_CONTENT_HEAP,
                                .producer = "V8 heap snapshot",
                                .producer_version = "",
                                .runtime = "V8",
                                .runtime_version = "",
                                .pointer_size = 8};
    return heap_link(h) < 0 ? no_memory(p) : 0;
}

int snapshot_load(heap *h, const char *path, int labels, heap_progress_fn progress, void *ctx,
                  char *why, size_t why_size)
{
    memset(h, 0, sizeof *h);
    why[0] = '\0';
    parser p = {.h = h, .labels = labels};
    if (!(p.src = snapsource_open(path))) {
        snprintf(why, why_size, "cannot open: %s", strerror(errno));
        return SNAPSHOT_UNREADABLE;
    }
    int failed = json_open(&p.json, p.src, why, why_size, progress, ctx) < 0 ||
                 read_document(&p) < 0 || finish(&p) < 0;
    p.out_of_memory |= p.json.out_of_memory;
    if (failed && !p.out_of_memory) {
        char detail[256];
        snprintf(detail, sizeof detail, "%s", why);
        snprintf(why, why_size, "not a valid V8 heap snapshot: %s", detail);
    }
    snapsource_close(p.src);
    json_close(&p.json);
    free(p.name), free(p.node_type), free(p.type_of_kind), free(p.edge_type);
    addrmap_release(&p.types_by_name);
    addrmap_release(&p.root_names);
    free_meta(&p.m);
    return !failed ? SNAPSHOT_OK : p.out_of_memory ? SNAPSHOT_NO_MEMORY : SNAPSHOT_MALFORMED;
}
