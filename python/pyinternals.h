/*
 * pyinternals.h: what only CPython's internal structures tell, behind one
 * interface: attributes an instance keeps inline (3.11+: no __dict__
 * object), and the frames a thread is executing with their local names.
 * Inline attributes are read on 3.11 to 3.13 (before, there are none);
 * frames on 3.8 to 3.13.  On later versions the functions find nothing,
 * and the dumper falls back on tp_traverse (references without names).
 */
#ifndef HEAPAN_PYINTERNALS_H
#define HEAPAN_PYINTERNALS_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

typedef int (*attribute_visit)(void *ctx, PyObject *name, PyObject *value);

/*
 * Calls visit(ctx, name, value) for each attribute the instance keeps in
 * inline values; nothing when its __dict__ exists or the version has none.
 * Returns 0 or the first non-zero result of `visit`.
 */
int py_inline_attributes(PyObject *o, attribute_visit visit, void *ctx);

/* The __dict__ object of an instance whose class manages it (3.11+), or NULL. */
PyObject *py_managed_dict(PyObject *o);

/* Bytes of the instance's inline values array, 0 if it has none. */
size_t py_inline_values_size(PyObject *o);

/* Bytes of the inline values array an instance of `type` has while it has no __dict__. */
size_t py_type_inline_values_size(PyTypeObject *type);

/* One executing frame of a thread. */
typedef struct py_frame {
    const void *address;   /* the frame object's if there is one, else the interpreter frame's */
    PyObject *object;      /* the frame object, or NULL */
    PyObject *code;        /* the code object */
    PyObject *globals;
    PyObject *const *locals;  /* `count` slots, NULL where unset */
    PyObject *names;       /* tuple of `count` local names */
    int count;
    size_t size;           /* bytes of the frame's slots */
    void *opaque;          /* the interpreter frame, for py_frame_caller() */
} py_frame;

/* The frame that frame object `top` stands for; 0 when not available. */
int py_frame_of(PyObject *top, py_frame *out);

/* Moves `frame` to its caller; 0 when there is none. */
int py_frame_caller(py_frame *frame);

/* Where a thread is in one frame: the code object and the instruction's byte offset. */
typedef struct py_location {
    PyObject *code;
    int offset;
} py_location;

/*
 * The innermost `max` frames of the thread holding the GIL, innermost
 * first, into `out`; returns how many.  Allocates nothing and runs no
 * Python code, so an allocator hook may call it.  The caller must hold
 * the GIL.  0 on versions without the 3.11 internals.
 */
int py_current_locations(py_location *out, int max);

/*
 * Calls visit(o, ctx) for each object in the collector's permanent
 * generation, where gc.freeze() moved them: gc.get_objects() lists none
 * of them.  Returns 0, the first non-zero result of `visit`, or -1 when
 * the version's internals are not read (before 3.11): *known is then 0.
 */
int py_frozen_objects(int (*visit)(PyObject *o, void *ctx), void *ctx, int *known);

/*
 * The memory block that holds object `o`, its collector header and other
 * pre-header included; NULL where the version's internals are not read
 * (before 3.13).
 */
void *py_object_block(PyObject *o);

#endif
