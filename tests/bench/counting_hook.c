/*
 * counting_hook.c: the floor of allocation tracing, for bench_trace.py.
 * A PyMem_SetAllocator hook on the three domains that only counts the
 * calls and passes them on: no tracer that sees every allocation can cost
 * less.  bench_trace.py builds it as an extension with the interpreter's
 * own flags; it is not part of heapan.
 *
 *   import counting_hook; counting_hook.start(); ...; n = counting_hook.stop()
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

typedef struct counted_domain {
    PyMemAllocatorDomain domain;
    PyMemAllocatorEx original;
} counted_domain;

static counted_domain domains[3] = {{PYMEM_DOMAIN_RAW}, {PYMEM_DOMAIN_MEM}, {PYMEM_DOMAIN_OBJ}};
static unsigned long long calls; /* racy in the raw domain: a floor needs no more */
static int started;

static void *count_malloc(void *ctx, size_t size)
{
    counted_domain *d = ctx;
    calls++;
    return d->original.malloc(d->original.ctx, size);
}

static void *count_calloc(void *ctx, size_t count, size_t size)
{
    counted_domain *d = ctx;
    calls++;
    return d->original.calloc(d->original.ctx, count, size);
}

static void *count_realloc(void *ctx, void *ptr, size_t size)
{
    counted_domain *d = ctx;
    calls++;
    return d->original.realloc(d->original.ctx, ptr, size);
}

static void count_free(void *ctx, void *ptr)
{
    counted_domain *d = ctx;
    calls++;
    d->original.free(d->original.ctx, ptr);
}

static PyObject *start(PyObject *self, PyObject *unused)
{
    (void)self, (void)unused;
    if (!started) {
        for (int i = 0; i < 3; i++) {
            PyMem_GetAllocator(domains[i].domain, &domains[i].original);
            PyMemAllocatorEx hook = {&domains[i], count_malloc, count_calloc, count_realloc,
                                     count_free};
            PyMem_SetAllocator(domains[i].domain, &hook);
        }
        started = 1;
        calls = 0;
    }
    Py_RETURN_NONE;
}

static PyObject *stop(PyObject *self, PyObject *unused)
{
    (void)self, (void)unused;
    if (started) {
        for (int i = 0; i < 3; i++)
            PyMem_SetAllocator(domains[i].domain, &domains[i].original);
        started = 0;
    }
    return PyLong_FromUnsignedLongLong(calls);
}

static PyMethodDef methods[] = {{"start", start, METH_NOARGS, "Install the counting hooks."},
                                {"stop", stop, METH_NOARGS, "Remove them; the calls counted."},
                                {NULL, NULL, 0, NULL}};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "counting_hook", NULL, -1, methods,
                                    NULL, NULL, NULL, NULL};

PyMODINIT_FUNC PyInit_counting_hook(void)
{
    return PyModule_Create(&module);
}
