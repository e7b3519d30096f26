/*
 * gendump.c: writes a synthetic heap dump of a realistic shape, at any
 * size, for the analysis benchmark.
 *
 *   gendump OBJECTS OUT.zst [SEED [PID]]
 *
 * Dumps of one PID (default 1) are of one process to `heapan compare`,
 * which then matches their objects by identity too.
 *
 * The heap looks like a Python program's: modules whose dicts hold
 * registries (dicts and lists of instances, each with a __dict__ of
 * attributes), linked chains thousands of nodes long, back-references
 * that close cycles, constants shared by many objects with a power-law
 * fan-in, weak references, and a few garbage cycles no root reaches.
 * About 2.5 references per object.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "heapan.h"

enum { T_MODULE, T_DICT, T_LIST, T_STR, T_INT, T_FLOAT, T_TUPLE, T_FUNCTION, T_WEAKREF,
       T_BUILTIN_COUNT };

#define CLASS_COUNT 64
#define SHARED_COUNT 4096

typedef struct gen {
    heapan_writer *w;
    uint64_t target, emitted, refs, next_address, rng;
    uint32_t types[T_BUILTIN_COUNT], classes[CLASS_COUNT], class_address_index;
    uint64_t class_objects[CLASS_COUNT], shared[SHARED_COUNT];
    uint32_t attr_names[8];
    uint64_t recent[1024];  /* instances made lately, for cross-references */
    uint64_t instances;
} gen;

static uint64_t rnd(gen *g)
{
    g->rng ^= g->rng << 13;
    g->rng ^= g->rng >> 7;
    g->rng ^= g->rng << 17;
    return g->rng;
}

static uint64_t below(gen *g, uint64_t n)
{
    return rnd(g) % n;
}

/* A power-law pick in [0, n): small indices are picked far more often. */
static uint64_t zipf(gen *g, uint64_t n)
{
    double u = (double)(rnd(g) >> 11) / 9007199254740992.0;
    return (uint64_t)(pow((double)n, u)) - 1;
}

static void check(gen *g, heapan_status st)
{
    if (st != HEAPAN_OK) {
        fprintf(stderr, "gendump: %s\n", heapan_writer_error(g->w));
        exit(2);
    }
}

static uint32_t string(gen *g, const char *s)
{
    uint32_t id = heapan_writer_string(g->w, s, strlen(s));
    if (!id)
        check(g, HEAPAN_ERR_INVALID);
    return id;
}

static uint32_t type(gen *g, const char *module, const char *name, unsigned flags)
{
    heapan_type t = {.name = string(g, name), .module = string(g, module), .flags = flags};
    uint32_t id = heapan_writer_type(g->w, &t);
    if (!id)
        check(g, HEAPAN_ERR_INVALID);
    return id;
}

/* A new object's address: objects allocated together sit together. */
static uint64_t object(gen *g, uint32_t type, uint64_t size, uint64_t length)
{
    g->next_address += 16 * (1 + below(g, 4));
    heapan_object o = {.address = g->next_address, .type = type, .size = size,
                       .refcount = 1, .length = length};
    check(g, heapan_writer_object(g->w, &o));
    g->emitted++;
    return o.address;
}

/* A root's object, written after its root, as format 1.2 orders them: roots first. */
static uint64_t rooted_object(gen *g, uint32_t type, uint64_t size, heapan_root_kind kind,
                              uint32_t label)
{
    g->next_address += 16 * (1 + below(g, 4));
    heapan_root root = {.object = g->next_address, .kind = kind, .label = label};
    check(g, heapan_writer_root(g->w, &root));
    heapan_object o = {.address = g->next_address, .type = type, .size = size, .refcount = 1};
    check(g, heapan_writer_object(g->w, &o));
    g->emitted++;
    return o.address;
}

static void ref(gen *g, uint64_t from, uint64_t to, heapan_label_kind kind, uint32_t label,
                int64_t number)
{
    heapan_ref r = {.from = from, .to = to, .label_kind = kind, .label = label,
                    .label_number = number, .weak = kind == HEAPAN_LABEL_NONE && below(g, 50) == 0};
    check(g, heapan_writer_ref(g->w, &r));
    g->refs++;
}

static uint64_t shared_constant(gen *g)
{
    return g->shared[zipf(g, SHARED_COUNT)];
}

/* An instance of a class with a materialised __dict__ of four attributes. */
static uint64_t instance(gen *g, uint64_t owner)
{
    unsigned c = (unsigned)zipf(g, CLASS_COUNT);
    uint64_t self = object(g, g->classes[c], 56, 0);
    uint64_t dict = object(g, g->types[T_DICT], 104 + 8 * below(g, 8), 4);
    ref(g, self, g->class_objects[c], HEAPAN_LABEL_FIELD, string(g, "__class__"), 0);
    ref(g, self, dict, HEAPAN_LABEL_FIELD, string(g, "__dict__"), 0);
    uint64_t name = object(g, g->types[T_STR], 49 + below(g, 40), 12);
    uint64_t values = object(g, g->types[T_LIST], 88, 4);
    ref(g, dict, name, HEAPAN_LABEL_KEY, g->attr_names[0], 0);
    ref(g, dict, values, HEAPAN_LABEL_KEY, g->attr_names[1], 0);
    ref(g, dict, owner, HEAPAN_LABEL_KEY, g->attr_names[3], 0); /* closes a cycle */
    for (int k = 4; k < 8; k++)
        ref(g, dict, shared_constant(g), HEAPAN_LABEL_KEY, g->attr_names[k == 5 ? 2 : k], 0);
    if (g->instances)
        ref(g, dict, g->recent[below(g, g->instances < 1024 ? g->instances : 1024)],
            HEAPAN_LABEL_KEY, g->attr_names[5], 0);
    for (int i = 0; i < 4; i++) {
        uint64_t item = i < 2 ? object(g, g->types[T_FLOAT], 24, 0) : shared_constant(g);
        ref(g, values, item, HEAPAN_LABEL_INDEX, 0, i);
    }
    g->recent[g->instances++ % 1024] = self;
    return self;
}

/* A dict or list of instances, held by a module global. */
static void registry(gen *g, uint64_t module_dict, unsigned serial)
{
    char name[32];
    snprintf(name, sizeof name, "_registry%u", serial);
    uint64_t count = 1 + zipf(g, 20000);
    int is_dict = below(g, 2) == 0;
    uint64_t holder = object(g, g->types[is_dict ? T_DICT : T_LIST], 64 + 8 * count, count);
    ref(g, module_dict, holder, HEAPAN_LABEL_KEY, string(g, name), 0);
    for (uint64_t i = 0; i < count && g->emitted < g->target; i++) {
        uint64_t item = instance(g, holder);
        if (is_dict)
            ref(g, holder, item, HEAPAN_LABEL_INT_KEY, 0, (int64_t)i);
        else
            ref(g, holder, item, HEAPAN_LABEL_INDEX, 0, (int64_t)i);
    }
}

/* A linked list: each node holds the next one and a shared constant. */
static void chain(gen *g, uint64_t from, uint32_t label)
{
    uint64_t length = 100 + below(g, 20000);
    uint64_t prev = from;
    uint32_t next = string(g, "next");
    for (uint64_t i = 0; i < length && g->emitted < g->target; i++) {
        uint64_t node = object(g, g->classes[CLASS_COUNT - 1], 48, 0);
        ref(g, prev, node, i ? HEAPAN_LABEL_ATTRIBUTE : HEAPAN_LABEL_KEY, i ? next : label, 0);
        ref(g, node, shared_constant(g), HEAPAN_LABEL_ATTRIBUTE, g->attr_names[4], 0);
        ref(g, node, shared_constant(g), HEAPAN_LABEL_NONE, 0, 0);
        prev = node;
    }
}

/* Functions: each holds its module's dict (fan-in) and a tuple of constants. */
static void functions(gen *g, uint64_t module_dict)
{
    for (unsigned i = 0; i < 50 && g->emitted < g->target; i++) {
        char name[32];
        snprintf(name, sizeof name, "func%u", i);
        uint64_t f = object(g, g->types[T_FUNCTION], 144, 0);
        uint64_t consts = object(g, g->types[T_TUPLE], 56, 3);
        ref(g, module_dict, f, HEAPAN_LABEL_KEY, string(g, name), 0);
        ref(g, f, module_dict, HEAPAN_LABEL_FIELD, string(g, "__globals__"), 0);
        ref(g, f, consts, HEAPAN_LABEL_FIELD, string(g, "__defaults__"), 0);
        for (int k = 0; k < 3; k++)
            ref(g, consts, shared_constant(g), HEAPAN_LABEL_INDEX, 0, k);
        uint64_t wr = object(g, g->types[T_WEAKREF], 64, 0);
        ref(g, module_dict, wr, HEAPAN_LABEL_KEY, string(g, "_ref"), 0);
        ref(g, wr, f, HEAPAN_LABEL_NONE, 0, 0);
    }
}

/* A ring of objects nothing refers to: garbage the collector has not freed. */
static void garbage_cycle(gen *g)
{
    uint64_t first = object(g, g->types[T_DICT], 232, 1), prev = first;
    for (uint64_t i = 1 + below(g, 50); i > 0; i--) {
        uint64_t node = object(g, g->types[T_DICT], 232, 1);
        ref(g, prev, node, HEAPAN_LABEL_KEY, g->attr_names[5], 0);
        prev = node;
    }
    ref(g, prev, first, HEAPAN_LABEL_KEY, g->attr_names[5], 0);
}

static void module(gen *g, unsigned serial)
{
    char name[32];
    snprintf(name, sizeof name, "app.mod%u", serial);
    uint64_t m = rooted_object(g, g->types[T_MODULE], 72, HEAPAN_ROOT_MODULE, string(g, name));
    uint64_t dict = object(g, g->types[T_DICT], 4696, 100);
    ref(g, m, dict, HEAPAN_LABEL_FIELD, string(g, "__dict__"), 0);
    functions(g, dict);
    for (unsigned i = 0; i < 4 && g->emitted < g->target; i++) {
        uint64_t pick = below(g, 10);
        if (pick < 7)
            registry(g, dict, i);
        else if (pick < 9)
            chain(g, dict, string(g, "_head"));
        else
            garbage_cycle(g);
    }
}

static void setup(gen *g)
{
    static const char *const builtin[T_BUILTIN_COUNT] = {
        "module", "dict", "list", "str", "int", "float", "tuple", "function", "weakref"};
    for (int i = 0; i < T_BUILTIN_COUNT; i++)
        g->types[i] = type(g, "builtins", builtin[i], HEAPAN_TYPE_BUILTIN);
    static const char *const attrs[8] = {"name", "values", "kind", "owner", "value", "peer",
                                         "size", "parent"};
    for (int i = 0; i < 8; i++)
        g->attr_names[i] = string(g, attrs[i]);
    uint32_t type_type = type(g, "builtins", "type", HEAPAN_TYPE_BUILTIN);
    for (int i = 0; i < CLASS_COUNT; i++) {
        char name[32];
        snprintf(name, sizeof name, "Model%d", i);
        g->classes[i] = type(g, i % 2 ? "app.models" : "app.views", name, HEAPAN_TYPE_HAS_DICT);
        g->class_objects[i] = rooted_object(g, type_type, 1072, HEAPAN_ROOT_BUILTINS, 0);
    }
    for (int i = 0; i < SHARED_COUNT; i++) {
        g->shared[i] = rooted_object(g, g->types[i % 2 ? T_INT : T_STR], 28 + 8 * (i % 4),
                                     HEAPAN_ROOT_INTERNED, 0);
    }
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: gendump OBJECTS OUT.zst [SEED [PID]]\n");
        return 2;
    }
    gen g = {.target = strtoull(argv[1], NULL, 10), .next_address = 0x7f0000000000ull,
             .rng = argc > 3 ? strtoull(argv[3], NULL, 10) | 1 : 88172645463325252ull};
    heapan_writer_options options = {.level = 1, .workers = 1};
    if (heapan_writer_open(&g.w, argv[2], &options) != HEAPAN_OK) {
        fprintf(stderr, "gendump: %s: cannot create\n", argv[2]);
        return 2;
    }
    static const char *const args[] = {"python3", "synthetic.py"};
    heapan_header h = {.content = HEAPAN_CONTENT_HEAP, .producer = "gendump",
                       .producer_version = "1", .runtime = "CPython", .runtime_version = "3.11.7",
                       .pid = argc > 4 ? strtoull(argv[4], NULL, 10) : 1, .time_us = 1764000000000000, .pointer_size = 8,
                       .argc = 2, .argv = args};
    check(&g, heapan_writer_header(g.w, &h));
    setup(&g);
    for (unsigned serial = 0; g.emitted < g.target; serial++)
        module(&g, serial);
    heapan_counts counts;
    check(&g, heapan_writer_close(g.w, &counts));
    heapan_writer_free(g.w);
    printf("%" PRIu64 " objects, %" PRIu64 " references, %" PRIu64 " roots, %.1f MB\n",
           counts.objects, counts.refs, counts.roots, counts.bytes_written / 1e6);
    return 0;
}
