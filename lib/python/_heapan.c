/* _heapan.c: the C extension module behind the heapan Python package. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "dumper.h"

static PyObject *counts_dict(const dump_result *r)
{
    return Py_BuildValue("{s:K,s:K,s:K,s:K,s:K,s:K,s:K,s:d}", "objects",
                         (unsigned long long)r->counts.objects, "total_size",
                         (unsigned long long)r->total_size, "inline_values_size",
                         (unsigned long long)r->inline_values_size, "references",
                         (unsigned long long)r->counts.refs, "roots",
                         (unsigned long long)r->counts.roots, "types",
                         (unsigned long long)r->counts.types, "bytes_written",
                         (unsigned long long)r->counts.bytes_written, "seconds", r->seconds);
}

static PyObject *heapan_dump(PyObject *module, PyObject *args, PyObject *kwargs)
{
    static char *keywords[] = {"path", "values", "tracebacks", "gc_collect", "level", NULL};
    PyObject *path;
    dump_options options = {.values = 1, .tracebacks = 1, .gc_collect = 0, .level = 0};
    (void)module;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O&|$pppi:dump", keywords,
                                     PyUnicode_FSConverter, &path, &options.values,
                                     &options.tracebacks, &options.gc_collect, &options.level))
        return NULL;
    if (options.level < 0 || options.level > 22) {
        Py_DECREF(path);
        PyErr_SetString(PyExc_ValueError, "level must be between 1 and 22 (0: default)");
        return NULL;
    }
    dump_result result;
    int failed = dump_heap(PyBytes_AS_STRING(path), &options, &result);
    Py_DECREF(path);
    return failed ? NULL : counts_dict(&result);
}

static PyMethodDef methods[] = {
    {"dump", (PyCFunction)(void (*)(void))heapan_dump, METH_VARARGS | METH_KEYWORDS,
     "dump(path, *, values=True, tracebacks=True, gc_collect=False, level=0) -> dict\n\n"
     "Write a heap dump of this process to path.  See heapan.dump()."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT, "_heapan", "C core of the heapan heap dumper.", -1, methods,
    NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__heapan(void);

PyMODINIT_FUNC PyInit__heapan(void)
{
    return PyModule_Create(&module_def);
}
