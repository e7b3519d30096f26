/* pytypes.c: the class hierarchy of a Python dump, from each class's __mro__. */
#include <stdlib.h>
#include <string.h>

#include "addrmap.h"
#include "grow.h"
#include "model/pytypes.h"

static const struct {
    const char *module, *name;
    uint32_t bit;
} known[] = {
    {"builtins", "BaseException", PYBASE_EXCEPTION},
    {"logging", "Logger", PYBASE_LOGGER},
    {"logging", "PlaceHolder", PYBASE_PLACEHOLDER},
    {"enum", "Enum", PYBASE_ENUM},
    {"functools", "_lru_cache_wrapper", PYBASE_LRU_CACHE},
    {"builtins", "type", PYBASE_TYPE},
    {"builtins", "function", PYBASE_CALLABLE},
    {"builtins", "method", PYBASE_CALLABLE},
    {"builtins", "builtin_function_or_method", PYBASE_CALLABLE},
    {"functools", "partial", PYBASE_CALLABLE},
    {"builtins", "module", PYBASE_MODULE},
    {"builtins", "traceback", PYBASE_TRACEBACK},
    {"weakref", "ReferenceType", PYBASE_WEAKREF},
    {"weakref", "ProxyType", PYBASE_WEAKREF},
    {"weakref", "CallableProxyType", PYBASE_WEAKREF},
    {"_weakrefset", "WeakSet", PYBASE_WEAK_CONTAINER},
    {"weakref", "WeakValueDictionary", PYBASE_WEAK_CONTAINER},
    {"weakref", "WeakKeyDictionary", PYBASE_WEAK_CONTAINER},
};

/* The PYBASE_* bit of type id `type` itself, by its module and name. */
static uint32_t own_bit(const heap *h, uint32_t type)
{
    if (!type || type >= h->type_count)
        return 0;
    const char *module = heap_string(h, h->types[type].module, NULL);
    const char *name = heap_string(h, h->types[type].name, NULL);
    for (size_t k = 0; k < sizeof known / sizeof *known; k++)
        if (strcmp(known[k].name, name) == 0 && strcmp(known[k].module, module) == 0)
            return known[k].bit;
    return 0;
}

/* Does class object i define __call__ in its own namespace? */
static int defines_call(const heap *h, uint32_t i)
{
    for (uint32_t e = h->out_start[i]; e < h->out_start[i] + h->out_count[i]; e++) {
        if (!heap_edge_is_dict(h, e))
            continue;
        uint32_t ns = h->out_target[e] & HEAP_INDEX_MASK;
        for (uint32_t k = h->out_start[ns]; k < h->out_start[ns] + h->out_count[ns]; k++)
            if (h->out_label_kind[k] == HEAPAN_LABEL_KEY &&
                strcmp(heap_string(h, h->out_label[k], NULL), "__call__") == 0)
                return 1;
    }
    return 0;
}

/* The tuple object i holds as its __mro__, or HEAP_NONE. */
static uint32_t mro_of(const heap *h, uint32_t i)
{
    for (uint32_t e = h->out_start[i]; e < h->out_start[i] + h->out_count[i]; e++)
        if (h->out_label_kind[e] == HEAPAN_LABEL_FIELD &&
            strcmp(heap_string(h, h->out_label[e], NULL), "__mro__") == 0)
            return h->out_target[e] & HEAP_INDEX_MASK;
    return HEAP_NONE;
}

/* Finds each class's own object: an object with an __mro__ at a TYPE record's address. */
static int find_class_objects(pytypes *t, const heap *h, addrmap *by_address)
{
    for (uint32_t id = 1; id < h->type_count; id++)
        if (h->types[id].address && addrmap_insert(by_address, h->types[id].address, id, NULL) < 0)
            return -1;
    for (uint32_t i = 0; i < h->count; i++) {
        uint32_t id = addrmap_find(by_address, h->address[i]);
        if (id != ADDRMAP_ABSENT && t->object[id] == HEAP_NONE && mro_of(h, i) != HEAP_NONE)
            t->object[id] = i;
    }
    return 0;
}

/* A class's bits, its own and those of every class in its __mro__, and its first built-in base. */
static int read_mro(pytypes *t, const heap *h, const addrmap *by_address, uint32_t id,
                    size_t *mro_cap)
{
    uint32_t mro = t->object[id] == HEAP_NONE ? HEAP_NONE : mro_of(h, t->object[id]);
    t->bases[id] = own_bit(h, id);
    if (h->types[id].flags & HEAPAN_TYPE_BUILTIN)
        t->builtin[id] = id;
    t->mro_start[id + 1] = t->mro_start[id];
    for (uint32_t e = mro == HEAP_NONE ? 0 : h->out_start[mro];
         mro != HEAP_NONE && e < h->out_start[mro] + h->out_count[mro]; e++) {
        uint32_t base = addrmap_find(by_address, h->address[h->out_target[e] & HEAP_INDEX_MASK]);
        if (base == ADDRMAP_ABSENT)
            continue;
        if (grow(&t->mro, sizeof *t->mro, mro_cap, (size_t)t->mro_start[id + 1] + 1) < 0)
            return -1;
        t->mro[t->mro_start[id + 1]++] = base;
        t->bases[id] |= own_bit(h, base);
        /* a class statement's instances are callbacks when a class of the MRO has __call__ */
        if (!(h->types[base].flags & HEAPAN_TYPE_BUILTIN) && t->object[base] != HEAP_NONE &&
            defines_call(h, t->object[base]))
            t->bases[id] |= PYBASE_CALLABLE;
        if (!t->builtin[id] && (h->types[base].flags & HEAPAN_TYPE_BUILTIN))
            t->builtin[id] = base;
    }
    return 0;
}

/* Each type id's py_builtin, from its name: CPython's built-in types are named in builtins. */
static void name_builtins(pytypes *t, const heap *h)
{
    static const char *const names[] = {[PY_DICT] = "dict", [PY_LIST] = "list",   [PY_SET] = "set",
                                        [PY_TUPLE] = "tuple", [PY_STR] = "str",    [PY_BYTES] = "bytes",
                                        [PY_INT] = "int",    [PY_FLOAT] = "float"};
    for (uint32_t id = 1; id < h->type_count; id++) {
        const char *name = heap_string(h, h->types[id].name, NULL);
        const char *module = heap_string(h, h->types[id].module, NULL);
        if (*module && strcmp(module, "builtins") != 0)
            continue;
        for (int k = PY_DICT; k <= PY_FLOAT; k++)
            if (strcmp(name, names[k]) == 0)
                t->builtin_kind[id] = (uint8_t)k;
    }
}

int pytypes_build(pytypes *t, const heap *h)
{
    memset(t, 0, sizeof *t);
    t->count = h->type_count ? h->type_count : 1;
    t->object = malloc(t->count * sizeof *t->object);
    t->bases = calloc(t->count, sizeof *t->bases);
    t->builtin = calloc(t->count, sizeof *t->builtin);
    t->mro_start = calloc((size_t)t->count + 1, sizeof *t->mro_start);
    t->builtin_kind = calloc(t->count, 1);
    if (!t->object || !t->bases || !t->builtin || !t->mro_start || !t->builtin_kind)
        return -1;
    for (uint32_t id = 0; id < t->count; id++)
        t->object[id] = HEAP_NONE;
    if (heap_is_v8(h))
        return 0;
    name_builtins(t, h);
    addrmap by_address;
    if (addrmap_init(&by_address, t->count) < 0)
        return -1;
    int failed = find_class_objects(t, h, &by_address) < 0;
    size_t mro_cap = 0;
    for (uint32_t id = 1; !failed && id < h->type_count; id++)
        failed = read_mro(t, h, &by_address, id, &mro_cap) < 0;
    addrmap_release(&by_address);
    return failed ? -1 : 0;
}

void pytypes_release(pytypes *t)
{
    free(t->object);
    free(t->bases);
    free(t->builtin);
    free(t->mro_start);
    free(t->mro);
    free(t->builtin_kind);
    memset(t, 0, sizeof *t);
}

uint32_t pytypes_bases_of(const pytypes *t, const heap *h, uint32_t i)
{
    uint32_t type = h->type[i];
    return type < t->count ? t->bases[type] : 0;
}

uint32_t pytypes_id_of_class(const pytypes *t, const heap *h, uint32_t i)
{
    if (!(pytypes_bases_of(t, h, i) & PYBASE_TYPE))
        return 0;
    for (uint32_t id = 1; id < t->count; id++)
        if (t->object[id] == i)
            return id;
    return 0;
}

int pytypes_is_instance(const pytypes *t, const heap *h, uint32_t i, uint32_t cls)
{
    uint32_t type = h->type[i];
    if (type >= t->count || t->object[type] == HEAP_NONE)
        return 0;
    uint32_t own = t->object[type];
    if (own == cls)
        return 1;
    uint32_t mro = mro_of(h, own);
    for (uint32_t e = mro == HEAP_NONE ? 0 : h->out_start[mro];
         mro != HEAP_NONE && e < h->out_start[mro] + h->out_count[mro]; e++)
        if ((h->out_target[e] & HEAP_INDEX_MASK) == cls)
            return 1;
    return 0;
}

uint32_t pytypes_builtin_base(const pytypes *t, uint32_t type)
{
    return type < t->count ? t->builtin[type] : 0;
}

const uint32_t *pytypes_mro(const pytypes *t, uint32_t type, size_t *count)
{
    *count = type && type < t->count ? t->mro_start[type + 1] - t->mro_start[type] : 0;
    return *count ? t->mro + t->mro_start[type] : NULL;
}
