/*
 * pyobjects.h: what the dumper learns of one CPython object without
 * running any Python code of the program: its size as sys.getsizeof()
 * reports it, its length, and a short value.
 */
#ifndef HEAPAN_PYOBJECTS_H
#define HEAPAN_PYOBJECTS_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "heapan.h"

/* Spellings that came after 3.8, for 3.8. */
#if PY_VERSION_HEX < 0x03090000
#define Py_IS_TYPE(o, type) (Py_TYPE(o) == (type))
#define PyObject_GC_IsTracked(o) _PyObject_GC_IS_TRACKED(o)
#endif

/* Characters of a str (bytes of a bytes) kept as its value prefix. */
#define VALUE_PREFIX_CHARS 64

/* Which built-in a type is or derives from, as the Py*_Check() macros tell. */
typedef enum py_kind {
    PY_KIND_OTHER,
    PY_KIND_BOOL,
    PY_KIND_INT,
    PY_KIND_FLOAT,
    PY_KIND_STR,
    PY_KIND_BYTES,
    PY_KIND_BYTEARRAY,
    PY_KIND_LIST,
    PY_KIND_TUPLE,
    PY_KIND_DICT,
    PY_KIND_SET,
    PY_KIND_WEAKREF
} py_kind;

/*
 * What the dumper needs of one type, found once per type rather than per
 * object.  Its size rule: the first __sizeof__ along the MRO that is C
 * code (a Python __sizeof__ is user code and is never called), with the
 * common cases done without a call.
 */
typedef struct py_type_rule {
    enum { SIZE_BASIC, SIZE_LIST, SIZE_CALL } size;
    PyObject *method;  /* SIZE_CALL: borrowed from the type's dict */
    py_kind kind;
} py_type_rule;

py_type_rule py_type_rule_of(PyTypeObject *type);

/* The size sys.getsizeof(o) would report, by `rule` (from o's type). */
uint64_t py_object_size(PyObject *o, const py_type_rule *rule);

/* Bytes CPython allocates before the object (GC header, managed dict): its block starts there. */
size_t py_pre_header_size(PyObject *o);

/*
 * The repr() of a dict key made of plain values (ASCII str, int, float,
 * bool, None, and tuples of them) into buf, without running Python code;
 * its length, or 0 when the key is not plain or does not fit in `cap`.
 */
size_t py_key_repr(PyObject *key, char *buf, size_t cap);

/* Of that, what is kept for the instance's dict and weak references (3.11+), GC header excluded. */
size_t py_type_pre_header(PyTypeObject *type);

/* len() for built-in containers and strings, else 0.  Runs no Python code. */
uint64_t py_object_length(PyObject *o, const py_type_rule *rule);

/*
 * Fills o->value_kind and the value fields for int, float, bool, str and
 * bytes; `scratch` receives str prefixes (at least 4 * VALUE_PREFIX_CHARS
 * bytes).  Leaves value_kind NONE for anything else.  A long value's
 * hash reads all of it: `hash` 0 leaves it out, for a value whose pages
 * were never touched (reading them would map them, and a later dump would
 * find them resident).
 */
void py_object_value(PyObject *o, const py_type_rule *rule, heapan_object *out, char *scratch,
                     int hash);

/*
 * A type's namespace (its __dict__), borrowed; NULL if it has none.  From
 * 3.12 a static built-in type keeps it in the interpreter, not tp_dict.
 */
PyObject *py_type_namespace(PyTypeObject *type);

/* Whether instances of `type` can have a __dict__, and whether it declares __slots__. */
int py_type_has_dict(PyTypeObject *type);
int py_type_has_slots(PyTypeObject *type);

#endif
