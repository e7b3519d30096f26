/*
 * dumper.c: the heap walk.  Objects are found from the roots and from the
 * collector's list, and followed through tp_traverse with an explicit
 * stack, so graph depth never reaches the C stack.
 */
#include "dumper.h" /* Python.h first, as CPython requires */

#include <frameobject.h> /* not in Python.h before 3.11 */
#include <structmember.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <errno.h>
#include <signal.h>
#include <sys/wait.h>

#include "addrmap.h"
#include "facts.h"
#include "memory.h"
#include "pyinternals.h"
#include "process.h"
#include "pyobjects.h"

#define PENDING_REFS 16
/* A dict key's repr() longer than this labels nothing. */
#define KEY_REPR_MAX 128
/* Seeds from the collector's list are prefetched this many ahead. */
#define SEED_LOOKAHEAD 16

/* Marks in a seen slot's `extra`, above the count of references found. */
#define FOUND_QUEUED (1u << 31)  /* queued to be written */
#define FOUND_ROOTED (1u << 30)  /* a ROOT record names it */
#define FOUND_COUNTED (1u << 29) /* a non-container whose references the first pass counted */
#define FOUND_COUNT (FOUND_COUNTED - 1)

/*
 * Statically allocated objects (3.11's deep-frozen constants, immortal
 * objects from 3.12) carry refcounts near 10^9: the interpreter's own.
 */
#define STATIC_REFCOUNT (1ull << 29)

/* What the dump wrote of one type, for heapan.dump()'s summary. */
typedef struct type_tally {
    PyTypeObject *type;  /* borrowed: its instances keep it */
    uint64_t objects, bytes;
} type_tally;

typedef struct dumper {
    heapan_writer *w;
    const char *path;      /* for OSError */
    dump_options options;
    /*
     * Every object found, keyed by address.  Its slot counts, in `index`,
     * its refcount less the references the dumper itself holds (saturated
     * at UINT32_MAX), and in `extra` the strong references found to it
     * (FOUND_COUNT) and the FOUND_* marks: one lookup per reference.
     */
    addrmap seen;
    /* Objects to write, first in first out: nearest the roots first. */
    PyObject **queue;      /* borrowed: the collector is paused, nothing is freed */
    size_t head, tail, queue_cap;
    PyObject *objects;     /* gc.get_objects(): what the collector tracks */
    addrmap types;         /* type object -> type id */
    py_type_rule *rules;   /* by type id */
    size_t rules_cap;
    type_tally *tallies;   /* by type id, with options.by_type */
    size_t tallies_cap;
    addrmap strings;       /* str object -> string id */
    PyObject *own[4];      /* the dumper's own containers and its call's arguments, never dumped */
    uint32_t *names;       /* attribute names of the current instance, for its shape */
    size_t names_len, names_cap;
    /* The last shape and its names as found: instances of one class mostly
     * come one after another, with their attributes set in the same order. */
    uint32_t *last_names;
    size_t last_names_len, last_names_cap;
    uint32_t last_shape;
    uintptr_t *labelled;   /* targets given a label by the current object */
    size_t labelled_len, labelled_cap;
    /*
     * Targets of references already written wait here, oldest first, for
     * their slot: each is prefetched on arrival and looked up PENDING_REFS
     * references later, across objects, so the cache misses overlap.
     */
    PyObject *pending[PENDING_REFS];
    size_t pending_next, pending_len;  /* the oldest; how many wait */
    PyObject *current;     /* the object whose references are being visited */
    /* The first pass's targets waiting for their slot, as `pending`'s do. */
    PyObject *counting[PENDING_REFS];
    size_t counting_next, counting_len;
    PyObject **to_expand;  /* code objects and C types met, their references yet to count */
    size_t to_expand_len, to_expand_cap;
    uint32_t statics;      /* the label of immortal objects' roots */
    int failed;            /* set: a Python exception is pending */
    int tracing;           /* tracemalloc is tracing: record allocation stacks */
    PyObject *get_traceback;  /* 3.13+: _tracemalloc._get_object_traceback */
    py_facts facts;        /* gathered before the walk */
    uint64_t pid;          /* of the process the dump shows */
    addrmap frozen;        /* objects of the collector's permanent generation */
    uint64_t total_size;   /* shallow bytes of the objects written */
    uint64_t inline_values_size;  /* of which inline attribute values */
    uint64_t not_resident; /* of which never touched: no page in memory */
    py_ranges writable;    /* the libraries' writable segments */
    uint64_t static_size;  /* of which in them: static objects */
    PyObject *by_type;     /* tallies_text()'s, handed to the result */
    char scratch[4 * VALUE_PREFIX_CHARS + 8];
} dumper;

/* Set in a background dump's child, which must run no Python code: an
 * import may (a program's own __import__, a module still initialising). */
static int imports_forbidden;

/* A module by name, already imported or imported now; a new reference. */
static PyObject *module_named(const char *name)
{
    PyObject *key = PyUnicode_FromString(name);
    PyObject *m = key ? PyImport_GetModule(key) : NULL;
    Py_XDECREF(key);
    if (m || PyErr_Occurred())
        return m;
    if (imports_forbidden) {
        PyErr_Format(PyExc_RuntimeError, "heapan: module %s is not imported", name);
        return NULL;
    }
    return PyImport_ImportModule(name);
}

static PyObject *call_module(const char *module, const char *function)
{
    PyObject *m = module_named(module);
    PyObject *result = m ? PyObject_CallMethod(m, function, NULL) : NULL;
    Py_XDECREF(m);
    return result;
}

/* An I/O failure is an OSError with its errno and the path, as open() would raise. */
static int fail_writer(dumper *d)
{
    if (!d->failed && heapan_writer_errno(d->w)) {
        errno = heapan_writer_errno(d->w);
        PyErr_SetFromErrnoWithFilename(PyExc_OSError, d->path);
    } else if (!d->failed) {
        PyErr_Format(PyExc_RuntimeError, "heapan: %s", heapan_writer_error(d->w));
    }
    d->failed = 1;
    return -1;
}

static int fail_nomem(dumper *d)
{
    if (!d->failed)
        PyErr_NoMemory();
    d->failed = 1;
    return -1;
}

static int grow(void **array, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return 0;
    size_t n = *cap ? *cap : 1024;
    while (n < need)
        n *= 2;
    void *bigger = realloc(*array, n * size);
    if (!bigger)
        return -1;
    *array = bigger;
    *cap = n;
    return 0;
}

/* ---- strings and types ------------------------------------------------- */

/* Interns the text of a str object; 0 (no string) when it is not one. */
static uint32_t string_of(dumper *d, PyObject *str)
{
    if (!str || !PyUnicode_Check(str))
        return 0;
    uint32_t id = addrmap_find(&d->strings, (uintptr_t)str);
    if (id != ADDRMAP_ABSENT)
        return id;
    /* A temporary bytes copy: PyUnicode_AsUTF8 would cache UTF-8 inside the str. */
    PyObject *utf8 = PyUnicode_AsEncodedString(str, "utf-8", "surrogatepass");
    if (!utf8) {
        PyErr_Clear();
        return 0;
    }
    id = heapan_writer_string(d->w, PyBytes_AS_STRING(utf8), (size_t)PyBytes_GET_SIZE(utf8));
    Py_DECREF(utf8);
    if (!id)
        return fail_writer(d), 0;
    if (addrmap_insert(&d->strings, (uintptr_t)str, id, NULL) < 0)
        return fail_nomem(d), 0;
    return id;
}

static uint32_t cstring(dumper *d, const char *s, size_t len)
{
    uint32_t id = heapan_writer_string(d->w, s, len);
    if (!id)
        fail_writer(d);
    return id;
}

static unsigned type_flags(PyTypeObject *type, py_kind kind)
{
    unsigned long f = type->tp_flags;
    unsigned flags = 0;
    if (py_type_has_dict(type))
        flags |= HEAPAN_TYPE_HAS_DICT;
    if (py_type_has_slots(type))
        flags |= HEAPAN_TYPE_HAS_SLOTS;
    if (!(f & Py_TPFLAGS_HEAPTYPE))
        flags |= HEAPAN_TYPE_BUILTIN;
    if (f & Py_TPFLAGS_HAVE_GC)
        flags |= HEAPAN_TYPE_CONTAINER;
    if (kind == PY_KIND_LIST || kind == PY_KIND_TUPLE || kind == PY_KIND_STR ||
        kind == PY_KIND_BYTES)
        flags |= HEAPAN_TYPE_SEQUENCE;
    if (kind == PY_KIND_DICT || kind == PY_KIND_SET)
        flags |= HEAPAN_TYPE_MAPPING;
    return flags;
}

/* A class statement's type is named by __qualname__ and __module__; a C type by tp_name. */
static void type_names(dumper *d, PyTypeObject *type, uint32_t *name, uint32_t *module)
{
    if (type->tp_flags & Py_TPFLAGS_HEAPTYPE) {
        PyHeapTypeObject *heap = (PyHeapTypeObject *)type;
        *name = string_of(d, heap->ht_qualname);
        *module = type->tp_dict ? string_of(d, PyDict_GetItemString(type->tp_dict, "__module__"))
                                : 0;
        if (*name)
            return;
    }
    const char *full = type->tp_name, *dot = strrchr(full, '.');
    *name = cstring(d, dot ? dot + 1 : full, strlen(dot ? dot + 1 : full));
    *module = dot ? cstring(d, full, (size_t)(dot - full)) : cstring(d, "builtins", 8);
}

static uint32_t type_id(dumper *d, PyTypeObject *type)
{
    uint32_t id = addrmap_find(&d->types, (uintptr_t)type);
    if (id != ADDRMAP_ABSENT)
        return id;
    py_type_rule rule = py_type_rule_of(type);
    heapan_type t = {.flags = type_flags(type, rule.kind), .address = (uintptr_t)type,
                     .basic_size = (uint64_t)type->tp_basicsize,
                     .pre_header = py_type_pre_header(type),
                     .inline_values = py_type_inline_values_size(type)};
    type_names(d, type, &t.name, &t.module);
    if (d->failed)
        return 0;
    id = heapan_writer_type(d->w, &t);
    if (!id)
        return fail_writer(d), 0;
    if (addrmap_insert(&d->types, (uintptr_t)type, id, NULL) < 0 ||
        grow((void **)&d->rules, &d->rules_cap, (size_t)id + 1, sizeof *d->rules) < 0)
        return fail_nomem(d), 0;
    d->rules[id] = rule;
    if (d->options.by_type) {
        size_t had = d->tallies_cap;
        if (grow((void **)&d->tallies, &d->tallies_cap, (size_t)id + 1, sizeof *d->tallies) < 0)
            return fail_nomem(d), 0;
        memset(d->tallies + had, 0, (d->tallies_cap - had) * sizeof *d->tallies);
        d->tallies[id].type = type;
    }
    return id;
}

/* ---- the object set ------------------------------------------------------ */

static int is_own(const dumper *d, PyObject *o)
{
    return o && (o == d->own[0] || o == d->own[1] || o == d->own[2] || o == d->own[3]);
}

static void count_found(addrmap_slot *slot)
{
    if ((slot->extra & FOUND_COUNT) < FOUND_COUNT)
        slot->extra++;
}

/* The slot of `o`, with its refcount less `own` references of the dumper's when it is new. */
static addrmap_slot *known(dumper *d, PyObject *o, unsigned own)
{
    int added;
    addrmap_slot *slot = addrmap_upsert(&d->seen, (uintptr_t)o, &added);
    if (!slot)
        return fail_nomem(d), NULL;
    if (added) {
        Py_ssize_t refcount = Py_REFCNT(o) - (Py_ssize_t)own;
        slot->index = refcount > (Py_ssize_t)UINT32_MAX ? UINT32_MAX
                      : refcount < 0                    ? 0
                                                        : (uint32_t)refcount;
    }
    return slot;
}

static int root(dumper *d, PyObject *o, heapan_root_kind kind, uint32_t label)
{
    heapan_root r = {.object = (uintptr_t)o, .kind = kind, .label = label};
    if (heapan_writer_root(d->w, &r) != HEAPAN_OK)
        return fail_writer(d);
    return 0;
}

/* Queues `slot`'s object to be written, once. */
static int enqueue(dumper *d, addrmap_slot *slot)
{
    if (slot->extra & FOUND_QUEUED)
        return 0;
    if (d->head == d->tail)
        d->head = d->tail = 0;
    if (grow((void **)&d->queue, &d->queue_cap, d->tail + 1, sizeof *d->queue) < 0)
        return fail_nomem(d);
    slot->extra |= FOUND_QUEUED;
    d->queue[d->tail++] = (PyObject *)(uintptr_t)slot->address;
    return 0;
}

/* The slot of `o`, queuing it for the walk when it is new; NULL on failure. */
static addrmap_slot *reach(dumper *d, PyObject *o)
{
    addrmap_slot *slot = known(d, o, 0);
    if (!slot || enqueue(d, slot) < 0)
        return NULL;
    /* Immortal objects first met in the walk (untracked: str, int) are rooted as they come. */
    if (slot->index >= STATIC_REFCOUNT && !(slot->extra & FOUND_ROOTED)) {
        slot->extra |= FOUND_ROOTED;
        if (root(d, o, HEAPAN_ROOT_BUILTINS, d->statics) < 0)
            return NULL;
    }
    return slot;
}

/* ---- references ---------------------------------------------------------- */

/* Counts the reference to the oldest waiting target, reaching it if new. */
static int resolve_oldest(dumper *d)
{
    PyObject *target = d->pending[d->pending_next];
    d->pending_next = (d->pending_next + 1) % PENDING_REFS;
    d->pending_len--;
    addrmap_slot *slot = reach(d, target);
    if (!slot)
        return -1;
    count_found(slot);
    return 0;
}

/* Resolves every waiting target, in the order they came. */
static int flush_refs(dumper *d)
{
    while (d->pending_len && !d->failed)
        resolve_oldest(d);
    return d->failed ? -1 : 0;
}

static int emit_ref(dumper *d, PyObject *target, heapan_label_kind kind, uint32_t label,
                    int64_t number)
{
    if (!target || is_own(d, target))
        return 0;
    heapan_ref r = {.from = (uintptr_t)d->current, .to = (uintptr_t)target,
                    .label_kind = kind, .label = label, .label_number = number};
    if (heapan_writer_ref(d->w, &r) != HEAPAN_OK)
        return fail_writer(d);
    if (d->pending_len == PENDING_REFS && resolve_oldest(d) < 0)
        return -1;
    addrmap_prefetch(&d->seen, (uintptr_t)target);
    d->pending[(d->pending_next + d->pending_len++) % PENDING_REFS] = target;
    return 0;
}

/* A labelled reference; tp_traverse will meet its target again and skip it. */
static int emit_labelled(dumper *d, PyObject *target, heapan_label_kind kind, uint32_t label,
                         int64_t number)
{
    if (!target)
        return 0;
    if (grow((void **)&d->labelled, &d->labelled_cap, d->labelled_len + 1,
             sizeof *d->labelled) < 0)
        return fail_nomem(d);
    d->labelled[d->labelled_len++] = (uintptr_t)target;
    return emit_ref(d, target, kind, label, number);
}

static int field(dumper *d, PyObject *target, const char *name)
{
    uint32_t label = cstring(d, name, strlen(name));
    return label ? emit_labelled(d, target, HEAPAN_LABEL_FIELD, label, 0) : -1;
}

/* A reference the object's facts name, such as an lru_cache's dict. */
static int fact_ref(void *ctx, PyObject *target, const char *name)
{
    return field(ctx, target, name);
}

/* tp_traverse's visitor: references the labelled ones did not cover. */
static int visit_unlabelled(PyObject *target, void *arg)
{
    dumper *d = arg;
    for (size_t i = 0; i < d->labelled_len; i++) {
        if (d->labelled[i] == (uintptr_t)target) {
            d->labelled[i] = d->labelled[--d->labelled_len];
            return 0;
        }
    }
    return emit_ref(d, target, HEAPAN_LABEL_NONE, 0, 0);
}

/*
 * A dict's entries, values labelled by their keys.  Keys are references
 * too, though dict_traverse skips str keys.  For a subclass, the labelled
 * references are noted so its tp_traverse does not repeat them.
 */
static int dict_refs(dumper *d, PyObject *dict)
{
    int (*emit)(dumper *, PyObject *, heapan_label_kind, uint32_t, int64_t) =
        PyDict_CheckExact(dict) ? emit_ref : emit_labelled;
    Py_ssize_t pos = 0;
    PyObject *key, *value;
    while (PyDict_Next(dict, &pos, &key, &value) && !d->failed) {
        emit(d, key, HEAPAN_LABEL_DICT_KEY, 0, 0);
        if (PyUnicode_Check(key)) {
            emit(d, value, HEAPAN_LABEL_KEY, string_of(d, key), 0);
        } else if (PyLong_Check(key) && !PyBool_Check(key)) {
            int overflow;
            long long n = PyLong_AsLongLongAndOverflow(key, &overflow);
            PyErr_Clear();
            emit(d, value, overflow ? HEAPAN_LABEL_NONE : HEAPAN_LABEL_INT_KEY, 0, n);
        } else {
            size_t len = py_key_repr(key, d->scratch, KEY_REPR_MAX);
            uint32_t label = len ? cstring(d, d->scratch, len) : 0;
            emit(d, value, label ? HEAPAN_LABEL_KEY_REPR : HEAPAN_LABEL_NONE, label, 0);
        }
    }
    return d->failed ? -1 : 0;
}

static int sequence_refs(dumper *d, PyObject **items, Py_ssize_t n)
{
    for (Py_ssize_t i = 0; i < n && !d->failed; i++)
        emit_ref(d, items[i], HEAPAN_LABEL_INDEX, 0, i);
    return d->failed ? -1 : 0;
}

/* The __dict__ of an instance if it exists as an object; never creates it. */
static PyObject *existing_dict(PyObject *o)
{
    PyTypeObject *type = Py_TYPE(o);
#if PY_VERSION_HEX >= 0x030B0000
    if (type->tp_flags & Py_TPFLAGS_MANAGED_DICT)
        return py_managed_dict(o);
#endif
    Py_ssize_t offset = type->tp_dictoffset;
    if (offset == 0)
        return NULL;
    if (offset < 0) {
        /* Variable-size objects keep the dict after their items, as CPython computes it. */
        Py_ssize_t items = Py_SIZE(o) < 0 ? -Py_SIZE(o) : Py_SIZE(o);
        size_t size = _PyObject_VAR_SIZE(type, items);
        offset += (Py_ssize_t)size;
    }
    return *(PyObject **)((char *)o + offset);
}

/* Calls visit(d, name, value) for each set attribute kept in __slots__ along the MRO. */
static int each_slot(dumper *d, PyObject *o, int (*visit)(dumper *, const char *, PyObject *))
{
    for (PyTypeObject *type = Py_TYPE(o); type && (type->tp_flags & Py_TPFLAGS_HEAPTYPE);
         type = type->tp_base) {
        for (PyMemberDef *m = type->tp_members; m && m->name; m++) {
            if (m->type != T_OBJECT_EX && m->type != T_OBJECT)
                continue;
            PyObject *value = *(PyObject **)((char *)o + m->offset);
            if (value && visit(d, m->name, value) < 0)
                return -1;
        }
    }
    return 0;
}

static int slot_ref(dumper *d, const char *name, PyObject *value)
{
    uint32_t label = cstring(d, name, strlen(name));
    return label ? emit_labelled(d, value, HEAPAN_LABEL_ATTRIBUTE, label, 0) : -1;
}

static int visit_attribute(void *ctx, PyObject *name, PyObject *value)
{
    dumper *d = ctx;
    uint32_t label = string_of(d, name);
    return d->failed ? -1 : emit_labelled(d, value, HEAPAN_LABEL_ATTRIBUTE, label, 0);
}

static int instance_refs(dumper *d, PyObject *o)
{
    if (field(d, (PyObject *)Py_TYPE(o), "__class__") < 0)
        return -1;
    PyObject *dict = existing_dict(o);
    if (dict && field(d, dict, "__dict__") < 0)
        return -1;
    if (each_slot(d, o, slot_ref) < 0)
        return -1;
    return py_inline_attributes(o, visit_attribute, d) ? -1 : 0;
}

/* A frame's locals by name, its code and globals. */
static int frame_refs(dumper *d, const py_frame *f,
                      int (*emit)(dumper *, PyObject *, heapan_label_kind, uint32_t, int64_t))
{
    for (int i = 0; i < f->count && !d->failed; i++) {
        if (f->locals[i])
            emit(d, f->locals[i], HEAPAN_LABEL_LOCAL, string_of(d, PyTuple_GET_ITEM(f->names, i)),
                 0);
    }
    uint32_t code = cstring(d, "f_code", 6), globals = cstring(d, "f_globals", 9);
    if (!d->failed)
        emit(d, f->code, HEAPAN_LABEL_FIELD, code, 0);
    if (!d->failed)
        emit(d, f->globals, HEAPAN_LABEL_FIELD, globals, 0);
    return d->failed ? -1 : 0;
}

/* A frame object: its locals by name, wherever its frame_traverse would skip them. */
static int frame_object_refs(dumper *d, PyObject *o)
{
    py_frame f;
    if (!py_frame_of(o, &f) || f.object != o)
        return 0;
    return frame_refs(d, &f, emit_labelled);
}

/* A weakref's referent: not visited by tp_traverse, and never retaining. */
static int weak_ref(dumper *d, PyObject *o)
{
    /* What PyWeakref_GET_OBJECT (deprecated in 3.13) reads: no new reference. */
    PyObject *target = ((PyWeakReference *)o)->wr_object;
    if (!target || target == Py_None || Py_REFCNT(target) <= 0 || is_own(d, target))
        return 0;
    if (!reach(d, target))
        return -1;
    heapan_ref r = {.from = (uintptr_t)o, .to = (uintptr_t)target, .weak = 1};
    return heapan_writer_ref(d->w, &r) == HEAPAN_OK ? 0 : fail_writer(d);
}

/* Code objects are no GC containers: their constants and names are not traversed. */
static int code_refs(dumper *d, PyObject *o)
{
    PyCodeObject *code = (PyCodeObject *)o;
    struct {
        const char *name;
        PyObject *target;
    } fields[] = {
        {"co_consts", code->co_consts},     {"co_names", code->co_names},
        {"co_filename", code->co_filename}, {"co_name", code->co_name},
#if PY_VERSION_HEX >= 0x030B0000
        {"co_qualname", code->co_qualname}, {"co_localsplusnames", code->co_localsplusnames},
        {"co_localspluskinds", code->co_localspluskinds}, {"co_linetable", code->co_linetable},
        {"co_exceptiontable", code->co_exceptiontable},
#else
        {"co_code", code->co_code},         {"co_varnames", code->co_varnames},
        {"co_freevars", code->co_freevars}, {"co_cellvars", code->co_cellvars},
#endif
    };
    for (size_t i = 0; i < sizeof fields / sizeof *fields; i++)
        if (fields[i].target && field(d, fields[i].target, fields[i].name) < 0)
            return -1;
    return 0;
}

/*
 * A type's namespace and bases; a C type is no GC object and is not
 * traversed.  Every class gets its TYPE record, instances or not, so that
 * a reader can name each class of an __mro__.
 */
static int type_refs(dumper *d, PyObject *o)
{
    PyTypeObject *type = (PyTypeObject *)o;
    if (!type_id(d, type) && d->failed)
        return -1;
    PyObject *namespace = py_type_namespace(type);
    if (namespace && field(d, namespace, "__dict__") < 0)
        return -1;
    if (type->tp_mro && field(d, type->tp_mro, "__mro__") < 0)
        return -1;
    if (type->tp_bases && field(d, type->tp_bases, "__bases__") < 0)
        return -1;
    return 0;
}

static int collect_refs(dumper *d, PyObject *o, py_kind kind)
{
    d->current = o;
    d->labelled_len = 0;
    if (PyDict_CheckExact(o))
        return dict_refs(d, o);
    if (PyList_CheckExact(o))
        return sequence_refs(d, ((PyListObject *)o)->ob_item, PyList_GET_SIZE(o));
    if (PyTuple_CheckExact(o))
        return sequence_refs(d, ((PyTupleObject *)o)->ob_item, PyTuple_GET_SIZE(o));
    heapan_status st = py_facts_write_object(&d->facts, d->w, o, fact_ref, d);
    if (st != HEAPAN_OK)
        return d->failed ? -1 : fail_writer(d);
    if (PyDict_Check(o) && dict_refs(d, o) < 0)
        return -1;
    if (PyModule_CheckExact(o) && field(d, PyModule_GetDict(o), "__dict__") < 0)
        return -1;
    if (kind == PY_KIND_WEAKREF && weak_ref(d, o) < 0)
        return -1;
    if (PyFrame_Check(o) && frame_object_refs(d, o) < 0)
        return -1;
    if (PyCode_Check(o) && code_refs(d, o) < 0)
        return -1;
    if (PyType_Check(o) && type_refs(d, o) < 0)
        return -1;
    if ((Py_TYPE(o)->tp_flags & Py_TPFLAGS_HEAPTYPE) && instance_refs(d, o) < 0)
        return -1;
    traverseproc traverse = Py_TYPE(o)->tp_traverse;
    if (traverse && PyObject_IS_GC(o))
        traverse(o, visit_unlabelled, d);
    return d->failed ? -1 : 0;
}

/* ---- allocation stacks ---------------------------------------------------- */

#if PY_VERSION_HEX >= 0x030D0000
/* 3.13 has no C function for it; _tracemalloc's own, C code too, finds the block. */
static PyObject *object_traceback(dumper *d, PyObject *o)
{
    return d->get_traceback ? PyObject_CallOneArg(d->get_traceback, o) : NULL;
}
#else
static PyObject *object_traceback(dumper *d, PyObject *o)
{
    (void)d;
    return _PyTraceMalloc_GetTraceback(0, (uintptr_t)o - py_pre_header_size(o));
}
#endif

/*
 * The stack tracemalloc recorded for o's memory block, as a stack id; 0
 * when there is none.  tracemalloc keeps (file, line) pairs, innermost
 * first, and no function names.
 */
static uint32_t allocation_stack(dumper *d, PyObject *o)
{
    PyObject *frames = object_traceback(d, o);
    if (!frames || !PyTuple_Check(frames)) {
        PyErr_Clear();
        Py_XDECREF(frames);
        return 0;
    }
    uint32_t stack = 0;
    for (Py_ssize_t i = PyTuple_GET_SIZE(frames) - 1; i >= 0 && !d->failed; i--) {
        PyObject *frame = PyTuple_GET_ITEM(frames, i);
        if (!PyTuple_Check(frame) || PyTuple_GET_SIZE(frame) != 2)
            continue;
        unsigned long line = PyLong_AsUnsignedLong(PyTuple_GET_ITEM(frame, 1));
        PyErr_Clear();
        uint32_t file = string_of(d, PyTuple_GET_ITEM(frame, 0));
        uint32_t id = d->failed ? 0 : heapan_writer_frame(d->w, file, 0, (uint32_t)line);
        stack = id ? heapan_writer_stack(d->w, stack, id) : 0;
        if (!stack)
            fail_writer(d);
    }
    Py_DECREF(frames);
    return d->failed ? 0 : stack;
}

/* ---- shapes: the attribute names of an instance --------------------------- */

static int add_name(dumper *d, uint32_t name)
{
    if (!name)
        return d->failed ? -1 : 0;
    if (grow((void **)&d->names, &d->names_cap, d->names_len + 1, sizeof *d->names) < 0)
        return fail_nomem(d);
    d->names[d->names_len++] = name;
    return 0;
}

static int slot_name(dumper *d, const char *name, PyObject *value)
{
    (void)value;
    return add_name(d, cstring(d, name, strlen(name)));
}

static int visit_name(void *ctx, PyObject *name, PyObject *value)
{
    (void)value;
    dumper *d = ctx;
    return add_name(d, string_of(d, name));
}

static int by_id(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/*
 * The shape of an instance of a class statement: its attribute names from
 * slots, inline values or __dict__, sorted so that the order they were set
 * in does not matter.  0 for other objects or when it has none.
 */
static uint32_t shape_of(dumper *d, PyObject *o)
{
    if (!(Py_TYPE(o)->tp_flags & Py_TPFLAGS_HEAPTYPE) || PyType_Check(o))
        return 0;
    d->names_len = 0;
    if (each_slot(d, o, slot_name) < 0)
        return 0;
    PyObject *dict = existing_dict(o);
    Py_ssize_t pos = 0;
    PyObject *key, *value;
    if (dict && PyDict_Check(dict)) {
        while (PyDict_Next(dict, &pos, &key, &value))
            if (PyUnicode_Check(key) && visit_name(d, key, value) < 0)
                return 0;
    } else if (py_inline_attributes(o, visit_name, d)) {
        return 0;
    }
    if (!d->names_len)
        return 0;
    size_t bytes = d->names_len * sizeof *d->names;
    if (d->last_shape && d->names_len == d->last_names_len &&
        memcmp(d->names, d->last_names, bytes) == 0)
        return d->last_shape;
    if (grow((void **)&d->last_names, &d->last_names_cap, d->names_len, sizeof *d->names) < 0)
        return fail_nomem(d), 0;
    memcpy(d->last_names, d->names, bytes);
    d->last_names_len = d->names_len;
    if (d->names_len > 1)
        qsort(d->names, d->names_len, sizeof *d->names, by_id);
    d->last_shape = heapan_writer_shape(d->w, d->names, d->names_len);
    return d->last_shape ? d->last_shape : (fail_writer(d), 0);
}

/* ---- objects ------------------------------------------------------------- */

static void tally(dumper *d, uint32_t type, uint64_t size)
{
    d->total_size += size;
    if (d->tallies && type < d->tallies_cap)
        d->tallies[type].objects++, d->tallies[type].bytes += size;
}

/* A class's name as heapan's reports spell it: module.qualname, builtins bare. */
static PyObject *type_key(PyTypeObject *type)
{
    if (!(type->tp_flags & Py_TPFLAGS_HEAPTYPE))
        return PyUnicode_FromString(type->tp_name);
    PyObject *qualname = ((PyHeapTypeObject *)type)->ht_qualname;
    PyObject *module = type->tp_dict ? PyDict_GetItemString(type->tp_dict, "__module__") : NULL;
    if (!qualname || !PyUnicode_Check(qualname))
        return PyUnicode_FromString(type->tp_name);
    if (!module || !PyUnicode_Check(module) || PyUnicode_CompareWithASCIIString(module, "builtins") == 0)
        return Py_INCREF(qualname), qualname;
    return PyUnicode_FromFormat("%U.%U", module, qualname);
}

/*
 * The tallies as one bytes object of "name\tobjects\tbytes\n" lines: a
 * leak check keeps the baseline's summary through the next dump, where
 * one object of known size is easy to leave out (heapan/leaks.py).
 */
static PyObject *tallies_text(const dumper *d)
{
    PyObject *lines = PyList_New(0), *text = NULL;
    for (size_t id = 0; lines && id < d->tallies_cap; id++) {
        const type_tally *t = &d->tallies[id];
        if (!t->type || !t->objects)
            continue;
        PyObject *key = type_key(t->type);
        PyObject *line = key ? PyUnicode_FromFormat("%U\t%llu\t%llu\n", key,
                                                     (unsigned long long)t->objects,
                                                     (unsigned long long)t->bytes)
                             : NULL;
        if (!line || PyList_Append(lines, line) < 0)
            Py_CLEAR(lines);
        Py_XDECREF(key);
        Py_XDECREF(line);
    }
    PyObject *empty = lines ? PyUnicode_FromString("") : NULL;
    PyObject *joined = empty ? PyUnicode_Join(empty, lines) : NULL;
    if (joined)
        text = PyUnicode_AsEncodedString(joined, "utf-8", "surrogateescape");
    Py_XDECREF(joined);
    Py_XDECREF(empty);
    Py_XDECREF(lines);
    return text;
}

/* Objects this big are asked which of their pages are in memory. */
#define RESIDENCY_MIN_SIZE (1u << 20)

/*
 * The bytes of object `o`, `size` in all, that are not in memory: a
 * bytes(1 << 30) or a numpy.zeros() never written to counts in full and
 * adds nothing to RSS.  Inline objects are asked directly; the buffer of a
 * C type that exports one, through the buffer protocol (never a class
 * written in Python, whose __buffer__ would run code).
 */
static uint64_t not_resident(PyObject *o, uint64_t size)
{
    PyTypeObject *type = Py_TYPE(o);
    if (size < RESIDENCY_MIN_SIZE)
        return 0;
    int64_t resident = -1;
    uint64_t extent = size;
    if (type->tp_itemsize || PyUnicode_Check(o)) {
        resident = py_memory_resident((uintptr_t)o, (size_t)size);
    } else if (type->tp_as_buffer && type->tp_as_buffer->bf_getbuffer &&
               !(type->tp_flags & Py_TPFLAGS_HEAPTYPE) && !PyMemoryView_Check(o)) {
        Py_buffer view;
        if (PyObject_GetBuffer(o, &view, PyBUF_SIMPLE) == 0) {
            extent = (uint64_t)view.len < size ? (uint64_t)view.len : size;
            resident = py_memory_resident((uintptr_t)view.buf, (size_t)extent);
            PyBuffer_Release(&view);
        } else {
            PyErr_Clear();
        }
    }
    return resident < 0 ? 0 : extent - (uint64_t)resident;
}

static int write_object(dumper *d, PyObject *o)
{
    /* Inline attribute values are allocated for the instance: they count with it. */
    size_t inline_values = py_inline_values_size(o);
    uint32_t type = type_id(d, Py_TYPE(o));
    if (d->failed)
        return -1;
    const py_type_rule *rule = &d->rules[type];
    heapan_object rec = {.address = (uintptr_t)o, .type = type,
                         .size = py_object_size(o, rule) + inline_values,
                         .refcount = (uint64_t)Py_REFCNT(o), .length = py_object_length(o, rule)};
    d->inline_values_size += inline_values;
    if (PyObject_IS_GC(o) && PyObject_GC_IsTracked(o))
        rec.flags |= HEAPAN_OBJ_GC_TRACKED;
    if (d->frozen.used && addrmap_find(&d->frozen, (uintptr_t)o) != ADDRMAP_ABSENT)
        rec.flags |= HEAPAN_OBJ_FROZEN;
    if (py_type_has_dict(Py_TYPE(o)) && existing_dict(o))
        rec.flags |= HEAPAN_OBJ_DICT_MATERIALISED;
    /* Asked before the value's hash reads every page, which would map them. */
    uint64_t missing = not_resident(o, rec.size);
    d->not_resident += missing;
    if (d->options.values)
        py_object_value(o, rule, &rec, d->scratch, !missing);
    if (d->tracing && !(rec.stack = allocation_stack(d, o)) && d->failed)
        return -1;
    if (!(rec.shape = shape_of(d, o)) && d->failed)
        return -1;
    if (heapan_writer_object(d->w, &rec) != HEAPAN_OK)
        return fail_writer(d);
    tally(d, type, rec.size);
    if (py_in_ranges(&d->writable, (uintptr_t)o))
        d->static_size += rec.size;
    return collect_refs(d, o, rule->kind);
}

/* Until no object is left to write and no reference waits to find one. */
static int walk(dumper *d)
{
    while ((d->head < d->tail || d->pending_len > 0) && !d->failed) {
        if (d->head == d->tail) {
            flush_refs(d);
            continue;
        }
        PyObject *o = d->queue[d->head++];
        if (d->head + 8 < d->tail)
            __builtin_prefetch(d->queue[d->head + 8]);
        if (write_object(d, o) < 0)
            return -1;
    }
    return d->failed ? -1 : 0;
}

/* ---- the first pass: the collector's own rule for roots ------------------------ */

/*
 * As gcmodule.c's update_refs and subtract_refs: every object the collector
 * tracks starts at its refcount, and each reference from another tracked
 * object takes one off.  What is left over is held from outside them: a
 * root.  Code objects and C types are no containers, yet hold references
 * the walk will follow: theirs are counted the first time one is met.
 * Targets wait in a ring, prefetched, as the walk's do (emit_ref).
 */
static void count_now(dumper *d, PyObject *target)
{
    addrmap_slot *slot = addrmap_slot_of(&d->seen, (uintptr_t)target);
    if (slot) {
        count_found(slot);
        return;
    }
    if (!PyCode_Check(target) && !(PyType_Check(target) && !PyObject_IS_GC(target)))
        return; /* an untracked object: found, and counted, in the walk */
    if (!(slot = known(d, target, 0)))
        return;
    slot->extra |= FOUND_COUNTED;
    count_found(slot);
    if (grow((void **)&d->to_expand, &d->to_expand_cap, d->to_expand_len + 1,
             sizeof *d->to_expand) < 0) {
        fail_nomem(d);
        return;
    }
    d->to_expand[d->to_expand_len++] = target;
}

static int count_later(PyObject *target, void *arg)
{
    dumper *d = arg;
    if (!target || is_own(d, target) || d->failed)
        return d->failed ? -1 : 0;
    if (d->counting_len == PENDING_REFS) {
        count_now(d, d->counting[d->counting_next]);
        d->counting_next = (d->counting_next + 1) % PENDING_REFS;
        d->counting_len--;
    }
    addrmap_prefetch(&d->seen, (uintptr_t)target);
    d->counting[(d->counting_next + d->counting_len++) % PENDING_REFS] = target;
    return d->failed ? -1 : 0;
}

static void count_fields(dumper *d, PyObject *const *targets, size_t n)
{
    for (size_t i = 0; i < n; i++)
        count_later(targets[i], d);
}

static void count_code(dumper *d, PyObject *o)
{
    PyCodeObject *code = (PyCodeObject *)o;
    PyObject *const fields[] = {
        code->co_consts, code->co_names, code->co_filename, code->co_name,
#if PY_VERSION_HEX >= 0x030B0000
        code->co_qualname, code->co_localsplusnames, code->co_localspluskinds,
        code->co_linetable, code->co_exceptiontable,
#else
        code->co_code, code->co_varnames, code->co_freevars, code->co_cellvars,
#endif
    };
    count_fields(d, fields, sizeof fields / sizeof *fields);
}

static void count_static_type(dumper *d, PyObject *o)
{
    PyTypeObject *type = (PyTypeObject *)o;
    PyObject *const fields[] = {py_type_namespace(type), type->tp_mro, type->tp_bases};
    count_fields(d, fields, sizeof fields / sizeof *fields);
}

/* Resolves the waiting targets and the references of the non-containers met, until none is left. */
static int count_the_rest(dumper *d)
{
    while ((d->counting_len || d->to_expand_len) && !d->failed) {
        while (d->counting_len && !d->failed) {
            count_now(d, d->counting[d->counting_next]);
            d->counting_next = (d->counting_next + 1) % PENDING_REFS;
            d->counting_len--;
        }
        while (d->to_expand_len && !d->failed) {
            PyObject *o = d->to_expand[--d->to_expand_len];
            if (PyCode_Check(o))
                count_code(d, o);
            else
                count_static_type(d, o);
        }
    }
    return d->failed ? -1 : 0;
}

/* An executing frame's locals are the thread's: frame_traverse skips them from 3.11. */
static int count_frame_locals(dumper *d, PyObject *frames)
{
#if PY_VERSION_HEX >= 0x030B0000
    Py_ssize_t pos = 0;
    PyObject *thread, *top;
    while (PyDict_Next(frames, &pos, &thread, &top) && !d->failed) {
        py_frame f;
        for (int more = py_frame_of(top, &f); more && !d->failed; more = py_frame_caller(&f)) {
            count_fields(d, f.locals, (size_t)f.count);
            count_later(f.code, d);
            count_later(f.globals, d);
        }
    }
#else
    (void)frames;
#endif
    return d->failed ? -1 : 0;
}

static int count_tracked(PyObject *o, dumper *d)
{
    traverseproc traverse = Py_TYPE(o)->tp_traverse;
    if (traverse)
        traverse(o, count_later, d);
    return d->failed ? -1 : 0;
}

static int count_all_internal(dumper *d, PyObject *frames)
{
    Py_ssize_t n = PyList_GET_SIZE(d->objects);
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *o = PyList_GET_ITEM(d->objects, i);
        if (!is_own(d, o) && count_tracked(o, d) < 0)
            return -1;
    }
    for (size_t i = 0; d->frozen.used && i <= d->frozen.mask; i++)
        if (d->frozen.slots[i].address &&
            count_tracked((PyObject *)(uintptr_t)d->frozen.slots[i].address, d) < 0)
            return -1;
    return count_frame_locals(d, frames) < 0 ? -1 : count_the_rest(d);
}

/*
 * Roots, and queues, what the first pass left references over for: the
 * collector's roots.  The map holds only tracked objects and the
 * non-containers the pass met, so a sweep of its slots finds them all.
 */
static int tracked_roots(dumper *d)
{
    for (size_t i = 0; i <= d->seen.mask && !d->failed; i++) {
        addrmap_slot *slot = &d->seen.slots[i];
        if (!slot->address || (slot->extra & FOUND_ROOTED))
            continue;
        int immortal = slot->index >= STATIC_REFCOUNT;
        if (!immortal && slot->index <= (slot->extra & FOUND_COUNT))
            continue;
        slot->extra |= FOUND_ROOTED;
        if (root(d, (PyObject *)(uintptr_t)slot->address,
                 immortal ? HEAPAN_ROOT_BUILTINS : HEAPAN_ROOT_EXTERNAL,
                 immortal ? d->statics : 0) < 0)
            return -1;
        if (!immortal && enqueue(d, slot) < 0) /* immortals hold little: reached, if at all, in turn */
            return -1;
    }
    return d->failed ? -1 : 0;
}

/* The walk counts every reference again, from every object: the first pass's counts go. */
static void forget_counts(dumper *d)
{
    for (size_t i = 0; i <= d->seen.mask; i++)
        d->seen.slots[i].extra &= ~(uint32_t)FOUND_COUNT;
}

/* ---- roots --------------------------------------------------------------- */

/* Roots `o` and queues it: the walk starts from the roots, in their order. */
static int root_and_queue(dumper *d, PyObject *o, heapan_root_kind kind, uint32_t label)
{
    addrmap_slot *slot = known(d, o, 0);
    if (!slot)
        return -1;
    slot->extra |= FOUND_ROOTED;
    return root(d, o, kind, label) < 0 ? -1 : enqueue(d, slot);
}

static int module_roots(dumper *d, PyObject *modules)
{
    Py_ssize_t pos = 0;
    PyObject *name, *module;
    while (modules && PyDict_Next(modules, &pos, &name, &module) && !d->failed) {
        uint32_t label = string_of(d, name);
        if (d->failed || root_and_queue(d, module, HEAPAN_ROOT_MODULE, label) < 0)
            return -1;
        if (py_facts_write_module_file(d->w, module) != HEAPAN_OK)
            return fail_writer(d);
    }
    return d->failed ? -1 : 0;
}

/* What the collector found unreclaimable, or what the program put there. */
static int garbage_roots(dumper *d)
{
    PyObject *gc = module_named("gc");
    PyObject *garbage = gc ? PyObject_GetAttrString(gc, "garbage") : NULL;
    Py_XDECREF(gc);
    if (!garbage) {
        PyErr_Clear();
        return 0;
    }
    uint32_t label = cstring(d, "gc.garbage", 10);
    for (Py_ssize_t i = 0; PyList_Check(garbage) && i < PyList_GET_SIZE(garbage) && !d->failed;
         i++)
        root_and_queue(d, PyList_GET_ITEM(garbage, i), HEAPAN_ROOT_GC_GARBAGE, label);
    Py_DECREF(garbage);
    return d->failed ? -1 : 0;
}

/* An executing frame without a frame object: a node at its interpreter frame. */
static int bare_frame(dumper *d, const py_frame *f)
{
    heapan_object rec = {.address = (uintptr_t)f->address, .type = type_id(d, &PyFrame_Type),
                         .size = f->size, .refcount = 1};
    if (d->failed || heapan_writer_object(d->w, &rec) != HEAPAN_OK)
        return fail_writer(d);
    tally(d, rec.type, rec.size);
    d->current = (PyObject *)(uintptr_t)f->address;
    return frame_refs(d, f, emit_ref);
}

static uint32_t thread_label(dumper *d, PyObject *thread)
{
    char label[64];
    unsigned long long id = PyLong_AsUnsignedLongLong(thread);
    PyErr_Clear();
    int n = snprintf(label, sizeof label, "thread %llu", id);
    return cstring(d, label, (size_t)n);
}

/* Every frame a thread executes is a root, before any object is written. */
static int frame_roots(dumper *d, PyObject *frames)
{
    Py_ssize_t pos = 0;
    PyObject *thread, *top;
    while (PyDict_Next(frames, &pos, &thread, &top) && !d->failed) {
        uint32_t label = thread_label(d, thread);
        py_frame f;
        if (!py_frame_of(top, &f)) { /* versions without the internals */
            root_and_queue(d, top, HEAPAN_ROOT_FRAME, label);
            continue;
        }
        for (int more = 1; more && !d->failed; more = py_frame_caller(&f)) {
            if (f.object)
                root_and_queue(d, f.object, HEAPAN_ROOT_FRAME, label);
            else
                root(d, (PyObject *)(uintptr_t)f.address, HEAPAN_ROOT_FRAME, label);
        }
    }
    return d->failed ? -1 : 0;
}

/* The frames without frame objects, written first; each links to its caller as f_back. */
static int bare_frames(dumper *d, PyObject *frames)
{
    Py_ssize_t pos = 0;
    PyObject *thread, *top;
    uint32_t back = cstring(d, "f_back", 6);
    while (PyDict_Next(frames, &pos, &thread, &top) && !d->failed) {
        py_frame f;
        const void *callee = NULL;
        for (int more = py_frame_of(top, &f); more && !d->failed; more = py_frame_caller(&f)) {
            if (!f.object && bare_frame(d, &f) < 0)
                return -1;
            if (callee) {
                heapan_ref r = {.from = (uintptr_t)callee, .to = (uintptr_t)f.address,
                                .label_kind = HEAPAN_LABEL_FIELD, .label = back};
                if (heapan_writer_ref(d->w, &r) != HEAPAN_OK)
                    return fail_writer(d);
            }
            callee = f.address;
        }
    }
    return d->failed ? -1 : 0;
}

/* Objects whose refcount exceeds the references the walk found, not rooted yet: untracked. */
static int late_roots(dumper *d)
{
    for (size_t i = 0; i < d->seen.mask + 1 && !d->failed; i++) {
        const addrmap_slot *s = &d->seen.slots[i];
        if (s->address && !(s->extra & FOUND_ROOTED) && s->index > (s->extra & FOUND_COUNT))
            root(d, (PyObject *)(uintptr_t)s->address, HEAPAN_ROOT_EXTERNAL, 0);
    }
    return d->failed ? -1 : 0;
}

/* What no root reached (cyclic garbage the collector has yet to free) is written last. */
static int unreached(dumper *d)
{
    Py_ssize_t n = PyList_GET_SIZE(d->objects);
    for (Py_ssize_t i = 0; i < n && !d->failed; i++) {
        if (i + SEED_LOOKAHEAD < n)
            addrmap_prefetch(&d->seen,
                             (uintptr_t)PyList_GET_ITEM(d->objects, i + SEED_LOOKAHEAD));
        PyObject *o = PyList_GET_ITEM(d->objects, i);
        addrmap_slot *slot = is_own(d, o) ? NULL : addrmap_slot_of(&d->seen, (uintptr_t)o);
        if (slot && !(slot->extra & FOUND_QUEUED) && (enqueue(d, slot) < 0 || walk(d) < 0))
            return -1;
    }
    for (size_t i = 0; d->frozen.used && i <= d->frozen.mask && !d->failed; i++) {
        addrmap_slot *slot = d->frozen.slots[i].address
                                 ? addrmap_slot_of(&d->seen, d->frozen.slots[i].address)
                                 : NULL;
        if (slot && !(slot->extra & FOUND_QUEUED) && (enqueue(d, slot) < 0 || walk(d) < 0))
            return -1;
    }
    return d->failed ? -1 : 0;
}

/* ---- the dump ------------------------------------------------------------ */

static int write_header(dumper *d)
{
    unsigned flags = (d->options.values ? HEAPAN_HEADER_VALUES : 0) |
                     (d->tracing ? HEAPAN_HEADER_TRACEBACKS : 0);
    return write_process_header(d->w, HEAPAN_CONTENT_HEAP, flags, 0, d->pid) == HEAPAN_OK &&
                   py_facts_write_process(&d->facts, d->w) == HEAPAN_OK
               ? 0
               : fail_writer(d);
}

static int write_number(dumper *d, const char *key, uint64_t value)
{
    heapan_property p = {.key = heapan_writer_string(d->w, key, strlen(key)),
                         .value_kind = HEAPAN_VALUE_INT, .i = (int64_t)value};
    return p.key && heapan_writer_property(d->w, &p) == HEAPAN_OK ? 0 : fail_writer(d);
}

/* After the walk, which found them: the objects' bytes not in memory, and in static data. */
static int write_not_resident(dumper *d)
{
    return write_number(d, "memory.objects_not_resident", d->not_resident) < 0 ||
                   write_number(d, "memory.objects_static", d->static_size) < 0
               ? -1
               : 0;
}

/* No list holds what gc.freeze() moved to the permanent generation: no reference of ours. */
static int note_frozen(PyObject *o, void *ctx)
{
    dumper *d = ctx;
    if (is_own(d, o))
        return 0;
    if (addrmap_insert(&d->frozen, (uintptr_t)o, 1, NULL) < 0)
        return fail_nomem(d);
    return known(d, o, 0) ? 0 : -1;
}

/* gc.get_objects() does not list the permanent generation: it is read from the collector. */
static int know_frozen(dumper *d)
{
    int known_here;
    if (addrmap_init(&d->frozen, 1 << 10) < 0)
        return fail_nomem(d);
    return py_frozen_objects(note_frozen, d, &known_here) > 0 || d->failed ? -1 : 0;
}

/* Every tracked object, with its refcount less the references of the dumper's own lists. */
static int know_tracked(dumper *d, PyObject *frames)
{
    Py_ssize_t pos = 0;
    PyObject *key, *value;
    Py_ssize_t n = PyList_GET_SIZE(d->objects);
    for (Py_ssize_t i = 0; i < n; i++) {
        if (i + SEED_LOOKAHEAD < n)
            addrmap_prefetch(&d->seen,
                             (uintptr_t)PyList_GET_ITEM(d->objects, i + SEED_LOOKAHEAD));
        PyObject *o = PyList_GET_ITEM(d->objects, i);
        if (!is_own(d, o) && !known(d, o, 1))
            return -1;
    }
    while (PyDict_Next(frames, &pos, &key, &value)) {
        addrmap_slot *slot = addrmap_slot_of(&d->seen, (uintptr_t)value);
        if (slot && slot->index) /* the frames dict holds each thread's top frame */
            slot->index--;
    }
    return know_frozen(d);
}

/*
 * The order is the format's (docs/format.md, "Order"): every root known
 * before the walk, then the objects outward from them, so that a dump cut
 * short keeps its roots and what lies nearest them.
 */
static int write_heap(dumper *d, PyObject *modules, PyObject *frames)
{
    if (write_header(d) < 0 || know_tracked(d, frames) < 0 ||
        count_all_internal(d, frames) < 0 || !(d->statics = cstring(d, "static", 6)))
        return -1;
    if (module_roots(d, modules) < 0 || frame_roots(d, frames) < 0 || garbage_roots(d) < 0 ||
        tracked_roots(d) < 0)
        return -1;
    forget_counts(d);
    if (bare_frames(d, frames) < 0 || walk(d) < 0 || unreached(d) < 0)
        return -1;
    return late_roots(d) < 0 ? -1 : write_not_resident(d);
}

static int run(dumper *d)
{
    PyObject *modules = PyImport_GetModuleDict(); /* borrowed: sys.modules */
    PyObject *frames = call_module("sys", "_current_frames");
    PyObject *objects = frames ? call_module("gc", "get_objects") : NULL;
    if (!objects) {
        Py_XDECREF(frames);
        d->failed = 1;
        return -1;
    }
    d->own[0] = frames;
    d->own[1] = objects;
    /* heapan.dump()'s own arguments: a leak check's second dump would find them new */
    d->own[2] = d->options.call_args;
    d->own[3] = d->options.call_kwargs;
    d->objects = objects;
    if (d->options.tracebacks) {
        PyObject *tracing = call_module("_tracemalloc", "is_tracing"); /* C: runs no Python */
        d->tracing = tracing == Py_True;
        Py_XDECREF(tracing);
        PyObject *module = d->tracing ? module_named("_tracemalloc") : NULL;
        d->get_traceback = module ? PyObject_GetAttrString(module, "_get_object_traceback") : NULL;
        Py_XDECREF(module);
        PyErr_Clear();
    }
    /* Untracked objects (str, int, ...) add one to two times the collector's count. */
    addrmap_release(&d->seen);
    int result = addrmap_init(&d->seen, (size_t)PyList_GET_SIZE(objects) * 3) < 0
                     ? fail_nomem(d)
                     : write_heap(d, modules, frames);
    /* While every object the walk met is still held: their types too. */
    if (result == 0 && d->options.by_type && !(d->by_type = tallies_text(d)))
        result = fail_nomem(d);
    Py_DECREF(objects);
    Py_DECREF(frames);
    return result;
}

static void release(dumper *d)
{
    py_facts_release(&d->facts);
    py_ranges_free(&d->writable);
    addrmap_release(&d->frozen);
    Py_CLEAR(d->get_traceback);
    addrmap_release(&d->seen);
    addrmap_release(&d->types);
    addrmap_release(&d->strings);
    free(d->queue);
    free(d->to_expand);
    free(d->labelled);
    free(d->names);
    free(d->last_names);
    free(d->rules);
    free(d->tallies);
}

static double seconds_since(const struct timespec *start)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

/* The steps that may run Python code (a collection, the facts), before the walk. */
static int prepare(dumper *d, const char *path, const dump_options *options)
{
    /* gc.collect(), not PyGC_Collect(): that one does nothing while gc is disabled. */
    if (options->gc_collect) {
        PyObject *collected = call_module("gc", "collect");
        if (!collected)
            return -1;
        Py_DECREF(collected);
    }
    *d = (dumper){.options = *options, .path = path, .pid = (uint64_t)getpid()};
    /* Before the collector is paused: its state is part of what the dump tells. */
    if (py_facts_gather(&d->facts) < 0)
        return -1;
    if (py_memory_gather(&d->facts) < 0 || py_static_ranges(&d->writable) < 0) {
        py_facts_release(&d->facts);
        PyErr_NoMemory();
        return -1;
    }
    if (addrmap_init(&d->seen, 1 << 16) < 0 || addrmap_init(&d->types, 1024) < 0 ||
        addrmap_init(&d->strings, 1 << 12) < 0) {
        release(d);
        PyErr_NoMemory();
        return -1;
    }
    return 0;
}

/* The walk and the file, from prepare()'s dumper, which it releases. */
static int write_dump(dumper *d, const struct timespec *start, dump_result *result)
{
    /* Compression runs on a second core while this thread walks the heap. */
    heapan_writer_options writer_options = {.level = d->options.level, .workers = 1};
    if (heapan_writer_open(&d->w, d->path, &writer_options) != HEAPAN_OK) {
        release(d);
        py_raise_open_error(d->path);
        return -1;
    }
    /* The collector would free objects the walk holds borrowed pointers to. */
    PyObject *enabled = call_module("gc", "isenabled");
    PyObject *paused = enabled ? call_module("gc", "disable") : NULL;
    int failed = !paused || run(d) < 0;
    Py_XDECREF(paused);
    /* The failure's exception waits while the collector is turned back on. */
    PyObject *type, *value, *traceback;
    PyErr_Fetch(&type, &value, &traceback);
    if (enabled == Py_True)
        Py_XDECREF(call_module("gc", "enable"));
    Py_XDECREF(enabled);
    PyErr_Clear();
    PyErr_Restore(type, value, traceback);
    /* Closed only when whole: freed unclosed, the writer removes its temporary file. */
    if (!failed && heapan_writer_close(d->w, &result->counts) != HEAPAN_OK)
        failed = fail_writer(d) < 0;
    heapan_writer_free(d->w);
    release(d);
    result->seconds = seconds_since(start);
    result->total_size = d->total_size;
    result->inline_values_size = d->inline_values_size;
    result->by_type = failed ? NULL : d->by_type;
    if (failed)
        Py_XDECREF(d->by_type);
    return failed ? -1 : 0;
}

int dump_heap(const char *path, const dump_options *options, dump_result *result)
{
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    dumper d;
    return prepare(&d, path, options) < 0 ? -1 : write_dump(&d, &start, result);
}

/* ---- the dump in a forked child ------------------------------------------- */

/* What the child sends its parent through the pipe: one write, at the end. */
typedef struct child_report {
    int failed;
    dump_result result; /* by_type unused */
    char error[256];
} child_report;

/* In the child: one thread, the parent's GIL, its heap as of the fork. */
_Noreturn static void dump_in_child(dumper *d, const struct timespec *start, int fd)
{
    child_report report = {0};
    imports_forbidden = 1;
    /* The parent's Python handlers only set a flag no one reads here: these end the child. */
    const int ending[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
    for (size_t i = 0; i < sizeof ending / sizeof *ending; i++)
        signal(ending[i], SIG_DFL);
    if (write_dump(d, start, &report.result) < 0) {
        py_take_error(report.error, sizeof report.error, "the dump failed");
        report.failed = 1;
    }
    report.result.by_type = NULL;
    const char *at = (const char *)&report;
    for (size_t left = sizeof report; left;) {
        ssize_t n = write(fd, at, left);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        at += n, left -= (size_t)n;
    }
    _exit(report.failed);
}

int dump_heap_start(const char *path, const dump_options *options, dump_child *child)
{
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    if (options->by_type) {
        PyErr_SetString(PyExc_ValueError, "by_type is not available with background=True");
        return -1;
    }
    /* The child imports nothing: what the walk calls, the parent imports. */
    const char *needed[] = {"gc", "sys", "_tracemalloc"};
    for (size_t i = 0; i < sizeof needed / sizeof *needed; i++) {
        PyObject *m = module_named(needed[i]);
        if (!m)
            return -1;
        Py_DECREF(m);
    }
    dumper d;
    int fds[2];
    if (prepare(&d, path, options) < 0)
        return -1;
    if (pipe(fds) < 0) {
        release(&d);
        PyErr_SetFromErrno(PyExc_OSError);
        return -1;
    }
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        dump_in_child(&d, &start, fds[1]);
    }
    int saved = errno;
    release(&d); /* the parent's copy; the child has its own */
    close(fds[1]);
    if (pid < 0) {
        close(fds[0]);
        errno = saved;
        PyErr_SetFromErrno(PyExc_OSError);
        return -1;
    }
    child->pid = pid;
    child->fd = fds[0];
    return 0;
}

int dump_child_finish(dump_child *child, dump_result *result, char *error, size_t error_size)
{
    child_report report = {0};
    size_t got = 0;
    while (got < sizeof report) {
        ssize_t n = read(child->fd, (char *)&report + got, sizeof report - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    close(child->fd);
    int status = 0;
    /* ECHILD: the program reaps its children itself; the pipe told us already. */
    while (waitpid(child->pid, &status, 0) < 0 && errno == EINTR)
        ;
    child->fd = -1;
    if (got < sizeof report) {
        snprintf(error, error_size, "the dump's process %ld ended before it finished%s",
                 (long)child->pid,
                 WIFSIGNALED(status) ? " (killed by a signal)" : "");
        return -1;
    }
    if (report.failed) {
        snprintf(error, error_size, "%s", report.error);
        return -1;
    }
    *result = report.result;
    return 0;
}
