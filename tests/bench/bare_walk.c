/*
 * bare_walk.c: the least any complete heap dump must do, as a yardstick
 * for heapan.dump().  It finds every object once and every reference
 * once, from the collector's list through tp_traverse, with the dumper's
 * address map and its lookahead.  It writes nothing, labels nothing and
 * sizes nothing.  tests/bench/bench_dump.py builds it as the extension
 * module `bare_walk`:
 *
 *   bare_walk.walk() -> (objects, references, seconds)
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <time.h>

#include "addrmap.h"

#define LOOKAHEAD 16

typedef struct walk {
    addrmap seen;
    PyObject **stack;
    size_t depth, cap;
    PyObject *pending[LOOKAHEAD]; /* targets prefetched, looked up LOOKAHEAD later */
    size_t next, waiting;
    size_t objects, references;
    int failed;
} walk;

static void reach(walk *w, PyObject *o)
{
    int added;
    addrmap_slot *slot = addrmap_upsert(&w->seen, (uintptr_t)o, &added);
    if (!slot) {
        w->failed = 1;
        return;
    }
    slot->extra++;
    if (!added)
        return;
    if (w->depth == w->cap) {
        size_t cap = w->cap ? 2 * w->cap : 1 << 16;
        PyObject **stack = realloc(w->stack, cap * sizeof *stack);
        if (!stack) {
            w->failed = 1;
            return;
        }
        w->stack = stack;
        w->cap = cap;
    }
    w->stack[w->depth++] = o;
}

static void resolve_oldest(walk *w)
{
    reach(w, w->pending[w->next]);
    w->next = (w->next + 1) % LOOKAHEAD;
    w->waiting--;
}

static int visit(PyObject *target, void *arg)
{
    walk *w = arg;
    w->references++;
    if (w->waiting == LOOKAHEAD)
        resolve_oldest(w);
    addrmap_prefetch(&w->seen, (uintptr_t)target);
    w->pending[(w->next + w->waiting++) % LOOKAHEAD] = target;
    return 0;
}

static void traverse_all(walk *w)
{
    while ((w->depth || w->waiting) && !w->failed) {
        if (!w->depth) {
            resolve_oldest(w);
            continue;
        }
        PyObject *o = w->stack[--w->depth];
        w->objects++;
        traverseproc traverse = Py_TYPE(o)->tp_traverse;
        if (traverse && PyObject_IS_GC(o))
            traverse(o, visit, w);
    }
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static PyObject *bare_walk(PyObject *self, PyObject *unused)
{
    (void)self, (void)unused;
    double start = now();
    PyObject *gc = PyImport_ImportModule("gc");
    PyObject *objects = gc ? PyObject_CallMethod(gc, "get_objects", NULL) : NULL;
    Py_XDECREF(gc);
    if (!objects)
        return NULL;
    walk w = {0};
    if (addrmap_init(&w.seen, (size_t)PyList_GET_SIZE(objects) * 3) < 0) {
        Py_DECREF(objects);
        return PyErr_NoMemory();
    }
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(objects) && !w.failed; i++)
        visit(PyList_GET_ITEM(objects, i), &w);
    w.references = 0; /* the seeds are no references */
    traverse_all(&w);
    double seconds = now() - start;
    addrmap_release(&w.seen);
    free(w.stack);
    Py_DECREF(objects);
    if (w.failed)
        return PyErr_NoMemory();
    return Py_BuildValue("(nnd)", (Py_ssize_t)w.objects, (Py_ssize_t)w.references, seconds);
}

static PyMethodDef methods[] = {
    {"walk", bare_walk, METH_NOARGS, "Finds every object and reference once; writes nothing."},
    {NULL, NULL, 0, NULL}};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "bare_walk", NULL, -1, methods, NULL, NULL, NULL, NULL};

PyMODINIT_FUNC PyInit_bare_walk(void)
{
    return PyModule_Create(&module);
}
