/*
 * pyinternals.c: CPython's internal structures, read without changing
 * them, for 3.11 to 3.13, and the public frame objects of 3.8 to 3.10.
 * Each version keeps an instance's attributes and a thread's frames a
 * little differently; the differences stay in the few accessors at the
 * top of each part.
 */
#define Py_BUILD_CORE_MODULE 1
#include "pyinternals.h"

#include <frameobject.h>

#if PY_VERSION_HEX >= 0x030B0000 && PY_VERSION_HEX < 0x030E0000
#define HAVE_INTERNALS 1
/* CPython's own headers, built with its warnings, not ours. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "internal/pycore_dict.h"
#include "internal/pycore_frame.h"
#include "internal/pycore_gc.h"
#include "internal/pycore_interp.h"
#include "internal/pycore_object.h"
#include "internal/pycore_pystate.h"
#pragma GCC diagnostic pop
#endif

#ifdef HAVE_INTERNALS

/* ---- where each version keeps an instance's attributes ------------------- */

#if PY_VERSION_HEX >= 0x030D0000
/* 3.13: the values live inside the object, after its basic size. */
static PyDictValues *inline_values(PyObject *o)
{
    PyTypeObject *type = Py_TYPE(o);
    if (!(type->tp_flags & Py_TPFLAGS_INLINE_VALUES))
        return NULL;
    PyDictValues *values = (PyDictValues *)((char *)o + type->tp_basicsize);
    return values->valid ? values : NULL;
}

PyObject *py_managed_dict(PyObject *o)
{
    if (!(Py_TYPE(o)->tp_flags & Py_TPFLAGS_MANAGED_DICT))
        return NULL;
    return (PyObject *)_PyObject_ManagedDictPointer(o)->dict;
}

static size_t type_values_allocation(PyTypeObject *type, PyDictKeysObject *keys)
{
    (void)keys;
    return type->tp_flags & Py_TPFLAGS_INLINE_VALUES ? _PyInlineValuesSize(type) : 0;
}
#elif PY_VERSION_HEX >= 0x030C0000
/* 3.12: one pre-header word holds either the dict or the tagged values. */
static PyDictValues *inline_values(PyObject *o)
{
    if (!(Py_TYPE(o)->tp_flags & Py_TPFLAGS_MANAGED_DICT))
        return NULL;
    PyDictOrValues dorv = *_PyObject_DictOrValuesPointer(o);
    return _PyDictOrValues_IsValues(dorv) ? _PyDictOrValues_GetValues(dorv) : NULL;
}

PyObject *py_managed_dict(PyObject *o)
{
    if (!(Py_TYPE(o)->tp_flags & Py_TPFLAGS_MANAGED_DICT))
        return NULL;
    PyDictOrValues dorv = *_PyObject_DictOrValuesPointer(o);
    return _PyDictOrValues_IsValues(dorv) ? NULL : dorv.dict;
}

/* As new_values() allocates it: an insertion-order prefix, then the slots. */
static size_t type_values_allocation(PyTypeObject *type, PyDictKeysObject *keys)
{
    if (!keys || !(type->tp_flags & Py_TPFLAGS_MANAGED_DICT))
        return 0;
    size_t slots = (size_t)(keys->dk_nentries + keys->dk_usable);
    return _Py_SIZE_ROUND_UP(slots + 2, sizeof(PyObject *)) + slots * sizeof(PyObject *);
}
#else
/* 3.11: two pre-header words, the dict and the values. */
static PyDictValues *inline_values(PyObject *o)
{
    if (!(Py_TYPE(o)->tp_flags & Py_TPFLAGS_MANAGED_DICT) || *_PyObject_ManagedDictPointer(o))
        return NULL;
    return *_PyObject_ValuesPointer(o);
}

PyObject *py_managed_dict(PyObject *o)
{
    if (!(Py_TYPE(o)->tp_flags & Py_TPFLAGS_MANAGED_DICT))
        return NULL;
    return *_PyObject_ManagedDictPointer(o);
}

/* As new_values() allocates it: an insertion-order prefix, then a slot per shared key. */
static size_t type_values_allocation(PyTypeObject *type, PyDictKeysObject *keys)
{
    if (!keys || !(type->tp_flags & Py_TPFLAGS_MANAGED_DICT))
        return 0;
    size_t slots = (size_t)(keys->dk_nentries + keys->dk_usable);
    return _Py_SIZE_ROUND_UP(slots + 2, sizeof(PyObject *)) + slots * sizeof(PyObject *);
}
#endif

/* ---- where each version keeps a frame's code and a thread's top frame ---- */

#if PY_VERSION_HEX >= 0x030D0000
static PyCodeObject *frame_code(_PyInterpreterFrame *f)
{
    return PyCode_Check(f->f_executable) ? (PyCodeObject *)f->f_executable : NULL;
}

static _PyInterpreterFrame *top_frame(PyThreadState *tstate)
{
    return tstate->current_frame;
}
#else
static PyCodeObject *frame_code(_PyInterpreterFrame *f)
{
    return f->f_code;
}

static _PyInterpreterFrame *top_frame(PyThreadState *tstate)
{
    return tstate->cframe ? tstate->cframe->current_frame : NULL;
}
#endif

/* ---- the same on every version with internals ------------------------------ */

/* The shared keys of the instance's class, when its values are inline. */
static PyDictKeysObject *inline_keys(PyObject *o, PyDictValues **values)
{
    PyTypeObject *type = Py_TYPE(o);
    if (!(type->tp_flags & Py_TPFLAGS_HEAPTYPE) || !(*values = inline_values(o)))
        return NULL;
    PyDictKeysObject *keys = ((PyHeapTypeObject *)type)->ht_cached_keys;
    return keys && keys->dk_kind != DICT_KEYS_GENERAL ? keys : NULL;
}

int py_inline_attributes(PyObject *o, attribute_visit visit, void *ctx)
{
    PyDictValues *values;
    PyDictKeysObject *keys = inline_keys(o, &values);
    if (!keys)
        return 0;
    PyDictUnicodeEntry *entries = DK_UNICODE_ENTRIES(keys);
    for (Py_ssize_t i = 0; i < keys->dk_nentries; i++) {
        PyObject *value = values->values[i];
        int stop = value && entries[i].me_key ? visit(ctx, entries[i].me_key, value) : 0;
        if (stop)
            return stop;
    }
    return 0;
}

size_t py_type_inline_values_size(PyTypeObject *type)
{
    if (!(type->tp_flags & Py_TPFLAGS_HEAPTYPE))
        return 0;
    return type_values_allocation(type, ((PyHeapTypeObject *)type)->ht_cached_keys);
}

size_t py_inline_values_size(PyObject *o)
{
#if PY_VERSION_HEX >= 0x030D0000
    /* 3.13 allocates the values inside the object, used or not */
    return py_type_inline_values_size(Py_TYPE(o));
#else
    return inline_values(o) ? py_type_inline_values_size(Py_TYPE(o)) : 0;
#endif
}

/* A frame the interpreter has not set up yet, or one that is no Python code's. */
static int is_incomplete(_PyInterpreterFrame *f)
{
    return !frame_code(f) || _PyFrame_IsIncomplete(f);
}

static int describe(_PyInterpreterFrame *f, py_frame *out)
{
    while (f && is_incomplete(f))
        f = f->previous;
    if (!f)
        return 0;
    PyCodeObject *code = frame_code(f);
    *out = (py_frame){.address = f->frame_obj ? (const void *)f->frame_obj : (const void *)f,
                      .object = (PyObject *)f->frame_obj, .code = (PyObject *)code,
                      .globals = f->f_globals, .locals = f->localsplus,
                      .names = code->co_localsplusnames, .count = code->co_nlocalsplus,
                      .size = sizeof(PyObject *) * (size_t)(code->co_nlocalsplus + code->co_stacksize +
                                                          FRAME_SPECIALS_SIZE),
                      .opaque = f};
    return 1;
}

int py_frame_of(PyObject *top, py_frame *out)
{
    if (!top || !PyFrame_Check(top))
        return 0;
    return describe(((PyFrameObject *)top)->f_frame, out);
}

int py_frame_caller(py_frame *frame)
{
    _PyInterpreterFrame *f = frame->opaque;
    return describe(f->previous, frame);
}

int py_current_locations(py_location *out, int max)
{
    PyThreadState *tstate = _PyThreadState_GET();
    _PyInterpreterFrame *f = tstate ? top_frame(tstate) : NULL;
    int n = 0;
    for (; f && n < max; f = f->previous) {
        if (is_incomplete(f))
            continue;
        out[n++] = (py_location){(PyObject *)frame_code(f),
                                 _PyInterpreterFrame_LASTI(f) * (int)sizeof(_Py_CODEUNIT)};
    }
    return n;
}

/* The permanent generation is a list of GC headers, each just before its object. */
int py_frozen_objects(int (*visit)(PyObject *o, void *ctx), void *ctx, int *known)
{
    PyInterpreterState *interp = _PyInterpreterState_GET();
    PyGC_Head *head = &interp->gc.permanent_generation.head;
    *known = 1;
    for (PyGC_Head *g = _PyGCHead_NEXT(head); g && g != head; g = _PyGCHead_NEXT(g)) {
        int stop = visit((PyObject *)(g + 1), ctx);
        if (stop)
            return stop;
    }
    return 0;
}

#if PY_VERSION_HEX >= 0x030D0000
void *py_object_block(PyObject *o)
{
    return (char *)o - _PyType_PreHeaderSize(Py_TYPE(o));
}
#else
void *py_object_block(PyObject *o)
{
    (void)o;
    return NULL;
}
#endif

#else

void *py_object_block(PyObject *o)
{
    (void)o;
    return NULL;
}

int py_frozen_objects(int (*visit)(PyObject *o, void *ctx), void *ctx, int *known)
{
    (void)visit, (void)ctx;
    *known = 0;
    return -1;
}

PyObject *py_managed_dict(PyObject *o)
{
    (void)o; /* before 3.11 every __dict__ is at tp_dictoffset */
    return NULL;
}

int py_inline_attributes(PyObject *o, attribute_visit visit, void *ctx)
{
    (void)o, (void)visit, (void)ctx;
    return 0;
}

size_t py_inline_values_size(PyObject *o)
{
    (void)o;
    return 0;
}

size_t py_type_inline_values_size(PyTypeObject *type)
{
    (void)type;
    return 0;
}

#if PY_VERSION_HEX < 0x030B0000
/*
 * Before 3.11 every frame is a frame object, public: its locals are the
 * first co_nlocals slots of f_localsplus, named by co_varnames.
 */
static int describe(PyFrameObject *f, py_frame *out)
{
    if (!f)
        return 0;
    PyCodeObject *code = f->f_code;
    *out = (py_frame){.address = f, .object = (PyObject *)f, .code = (PyObject *)code,
                      .globals = f->f_globals, .locals = f->f_localsplus,
                      .names = code->co_varnames, .count = code->co_nlocals, .opaque = f};
    return 1;
}

int py_frame_of(PyObject *top, py_frame *out)
{
    return top && PyFrame_Check(top) ? describe((PyFrameObject *)top, out) : 0;
}

int py_frame_caller(py_frame *frame)
{
    return describe(((PyFrameObject *)frame->opaque)->f_back, frame);
}

int py_current_locations(py_location *out, int max)
{
    PyThreadState *tstate = _PyThreadState_UncheckedGet();
    PyFrameObject *f = tstate ? tstate->frame : NULL;
    int n = 0;
    for (; f && n < max; f = f->f_back) {
        /* 3.10 counts instructions, 3.8 and 3.9 bytes. */
        int lasti = f->f_lasti < 0 ? 0 : f->f_lasti;
#if PY_VERSION_HEX >= 0x030A0000
        lasti *= (int)sizeof(_Py_CODEUNIT);
#endif
        out[n++] = (py_location){(PyObject *)f->f_code, lasti};
    }
    return n;
}
#else
int py_frame_of(PyObject *top, py_frame *out)
{
    (void)top, (void)out;
    return 0;
}

int py_frame_caller(py_frame *frame)
{
    (void)frame;
    return 0;
}

int py_current_locations(py_location *out, int max)
{
    (void)out, (void)max;
    return 0;
}

#endif

#endif

/* ---- pymalloc's arenas (3.12 and 3.13) ----------------------------------- */

#include "memory.h"

#if defined(HAVE_INTERNALS) && PY_VERSION_HEX >= 0x030C0000 && defined(WITH_PYMALLOC)
static struct _obmalloc_state *main_obmalloc(void)
{
#if PY_VERSION_HEX >= 0x030D0000
    return PyInterpreterState_Main()->obmalloc;
#else
    return &PyInterpreterState_Main()->obmalloc;
#endif
}

/* One arena's pools, as _PyObject_DebugMallocStats() counts them; its live bytes. */
static uint64_t walk_arena(const struct arena_object *a, py_pymalloc *pm, uint64_t *pools,
                           uint64_t *used, uint64_t *free_blocks)
{
    uintptr_t base = a->address;
    uint64_t live = 0;
    if (base & POOL_SIZE_MASK) {
        pm->alignment += POOL_SIZE;
        base = (base & ~(uintptr_t)POOL_SIZE_MASK) + POOL_SIZE;
    }
    pm->pools_empty += a->nfreepools;
    for (; base < (uintptr_t)a->pool_address; base += POOL_SIZE) {
        const struct pool_header *p = (const struct pool_header *)base;
        if (p->ref.count == 0)
            continue; /* a free pool, on the arena's list */
        unsigned sz = p->szidx, capacity = NUMBLOCKS(sz);
        pools[sz]++;
        used[sz] += p->ref.count;
        free_blocks[sz] += capacity - p->ref.count;
        pm->pools_full += p->ref.count == capacity;
        live += (uint64_t)p->ref.count * INDEX2SIZE(sz);
    }
    return live;
}

int py_pymalloc_walk(py_facts *f, py_pymalloc *pm)
{
    uint64_t pools[NB_SMALL_SIZE_CLASSES] = {0}, used[NB_SMALL_SIZE_CLASSES] = {0},
             free_blocks[NB_SMALL_SIZE_CLASSES] = {0};
    const struct _obmalloc_mgmt *mgmt = &main_obmalloc()->mgmt;
    *pm = (py_pymalloc){.source = "arenas", .arena_size = ARENA_SIZE, .pool_size = POOL_SIZE,
                        .has_histogram = 1};
    for (unsigned i = 0; i < mgmt->maxarenas; i++) {
        const struct arena_object *a = &mgmt->arenas[i];
        if (!a->address)
            continue;
        pm->arenas++;
        uint64_t live = walk_arena(a, pm, pools, used, free_blocks);
        size_t tenth = (size_t)(live * PY_ARENA_TENTHS / ARENA_SIZE);
        pm->arena_live[tenth < PY_ARENA_TENTHS ? tenth : PY_ARENA_TENTHS - 1]++;
        int64_t resident = py_memory_resident(a->address, ARENA_SIZE);
        pm->resident = resident < 0 || pm->resident < 0 ? -1 : pm->resident + resident;
    }
    for (unsigned sz = 0; sz < NB_SMALL_SIZE_CLASSES; sz++) {
        uint64_t size = INDEX2SIZE(sz);
        pm->pools_used += pools[sz];
        pm->allocated += used[sz] * size;
        pm->available += free_blocks[sz] * size;
        pm->headers += pools[sz] * POOL_OVERHEAD;
        pm->quantization += pools[sz] * ((POOL_SIZE - POOL_OVERHEAD) % size);
        if (!pools[sz])
            continue;
        if (!pm->arenas)
            break;
        if (py_facts_add(f, "pymalloc.class", HEAPAN_VALUE_INT, (int64_t)size, NULL, 0) < 0 ||
            py_facts_add(f, "pymalloc.class", HEAPAN_VALUE_INT, (int64_t)pools[sz], NULL, 0) < 0 ||
            py_facts_add(f, "pymalloc.class", HEAPAN_VALUE_INT, (int64_t)used[sz], NULL, 0) < 0 ||
            py_facts_add(f, "pymalloc.class", HEAPAN_VALUE_INT, (int64_t)free_blocks[sz], NULL,
                         0) < 0)
            return -1;
    }
    /* No arena at all: pymalloc is not the allocator (PYTHONMALLOC=malloc). */
    return pm->arenas ? 1 : 0;
}
#else
int py_pymalloc_walk(py_facts *f, py_pymalloc *pm)
{
    (void)f, (void)pm;
    return 0;
}
#endif
