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

/* Characters of a str (bytes of a bytes) kept as its value prefix. */
#define VALUE_PREFIX_CHARS 64

/*
 * How to size the instances of one type, found once per type: the first
 * __sizeof__ along the MRO that is C code (a Python __sizeof__ is user
 * code and is never called), with the common cases done without a call.
 */
typedef struct py_size_rule {
    enum { SIZE_BASIC, SIZE_LIST, SIZE_CALL } kind;
    PyObject *method;  /* SIZE_CALL: borrowed from the type's dict */
} py_size_rule;

py_size_rule py_size_rule_of(PyTypeObject *type);

/* The size sys.getsizeof(o) would report, by `rule` (from o's type). */
uint64_t py_object_size(PyObject *o, const py_size_rule *rule);

/* Bytes CPython allocates before the object (GC header, managed dict): its block starts there. */
size_t py_pre_header_size(PyObject *o);

/* len() for built-in containers and strings, else 0.  Runs no Python code. */
uint64_t py_object_length(PyObject *o);

/*
 * Fills o->value_kind and the value fields for int, float, bool, str and
 * bytes; `scratch` receives str prefixes (at least 4 * VALUE_PREFIX_CHARS
 * bytes).  Leaves value_kind NONE for anything else.
 */
void py_object_value(PyObject *o, heapan_object *out, char *scratch);

/* Whether instances of `type` can have a __dict__, and whether it declares __slots__. */
int py_type_has_dict(PyTypeObject *type);
int py_type_has_slots(PyTypeObject *type);

#endif
