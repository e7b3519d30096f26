/*
 * pytypes.h: the classes of a Python dump as the dump shows them: each
 * type's own object, its __mro__, and which of CPython's and the standard
 * library's own classes it derives from.  A rule asks "is this an
 * exception?" of the class hierarchy, never of a name the program chose.
 * Never prints.
 */
#ifndef HEAPAN_PYTYPES_H
#define HEAPAN_PYTYPES_H

#include <stddef.h>
#include <stdint.h>

#include "model/heap.h"

/* Classes of CPython and its standard library that rules recognise, as bits. */
enum {
    PYBASE_EXCEPTION = 1u << 0,  /* builtins.BaseException */
    PYBASE_LOGGER = 1u << 1,     /* logging.Logger */
    PYBASE_PLACEHOLDER = 1u << 2, /* logging.PlaceHolder: a node of the logger tree */
    PYBASE_ENUM = 1u << 3,       /* enum.Enum */
    PYBASE_LRU_CACHE = 1u << 4,  /* functools._lru_cache_wrapper */
    PYBASE_TYPE = 1u << 5,       /* builtins.type: a class, a metaclass's instance */
    PYBASE_CALLABLE = 1u << 6,   /* function, method, builtin method, functools.partial, and
                                    instances of classes that define __call__ */
    PYBASE_MODULE = 1u << 7,     /* builtins.module */
    PYBASE_TRACEBACK = 1u << 8,  /* builtins.traceback */
    PYBASE_WEAKREF = 1u << 9,    /* weakref.ReferenceType and its proxies */
    PYBASE_WEAK_CONTAINER = 1u << 10 /* WeakSet, WeakValueDictionary, WeakKeyDictionary */
};

/* Which of CPython's built-in types a type id is, for rules that test it object by object. */
typedef enum py_builtin {
    PY_OTHER, PY_DICT, PY_LIST, PY_SET, PY_TUPLE, PY_STR, PY_BYTES, PY_INT, PY_FLOAT
} py_builtin;

typedef struct pytypes {
    uint32_t *object;  /* by type id: the index of the class's own object, or HEAP_NONE */
    uint32_t *bases;   /* by type id: PYBASE_* bits of the class and its MRO */
    uint32_t *builtin; /* by type id: the first built-in class of its MRO (itself if built in), 0 */
    uint32_t *mro_start, *mro; /* type ids of type id t's MRO: mro[mro_start[t] .. [t + 1]) */
    uint8_t *builtin_kind;     /* by type id: its py_builtin (exactly that type, not a subclass) */
    uint32_t count;    /* type ids below this */
} pytypes;

/* Reads the hierarchy from `h`.  Returns 0, or -1 when out of memory. */
int pytypes_build(pytypes *t, const heap *h);
void pytypes_release(pytypes *t);

/* Object i's type as a py_builtin: PY_DICT for a dict, PY_OTHER for a dict subclass. */
static inline py_builtin pytypes_kind_of(const pytypes *t, const heap *h, uint32_t i)
{
    uint32_t type = h->type[i];
    return type < t->count ? (py_builtin)t->builtin_kind[type] : PY_OTHER;
}

/* The PYBASE_* bits of object i's class. */
uint32_t pytypes_bases_of(const pytypes *t, const heap *h, uint32_t i);

/* The type ids of the MRO of `type`, itself first; *count gets how many (0 if unknown). */
const uint32_t *pytypes_mro(const pytypes *t, uint32_t type, size_t *count);

/* The first built-in class in the MRO of type id `type` (dict for a dict subclass), or 0. */
uint32_t pytypes_builtin_base(const pytypes *t, uint32_t type);

/* The type id that object i (a class) stands for, or 0 when it is none. */
uint32_t pytypes_id_of_class(const pytypes *t, const heap *h, uint32_t i);

/* Is object i an instance of the class whose own object is `cls`, or of a subclass? */
int pytypes_is_instance(const pytypes *t, const heap *h, uint32_t i, uint32_t cls);

#endif
