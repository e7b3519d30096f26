/* _heapan.c: the C extension module behind the heapan Python package. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "dumper.h"
#include "tracer.h"

static PyObject *counts_dict(const dump_result *r)
{
    PyObject *counts = Py_BuildValue("{s:K,s:K,s:K,s:K,s:K,s:K,s:K,s:d}", "objects",
                         (unsigned long long)r->counts.objects, "total_size",
                         (unsigned long long)r->total_size, "inline_values_size",
                         (unsigned long long)r->inline_values_size, "references",
                         (unsigned long long)r->counts.refs, "roots",
                         (unsigned long long)r->counts.roots, "types",
                         (unsigned long long)r->counts.types, "bytes_written",
                         (unsigned long long)r->counts.bytes_written, "seconds", r->seconds);
    if (counts && r->by_type && PyDict_SetItemString(counts, "by_type", r->by_type) < 0)
        Py_CLEAR(counts);
    return counts;
}

static PyObject *heapan_dump(PyObject *module, PyObject *args, PyObject *kwargs)
{
    static char *keywords[] = {"path", "values", "tracebacks", "gc_collect", "level", "by_type",
                               NULL};
    PyObject *path;
    dump_options options = {.values = 1, .tracebacks = 1, .gc_collect = 0, .level = 0,
                            .call_args = args, .call_kwargs = kwargs};
    (void)module;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O&|$pppip:dump", keywords,
                                     PyUnicode_FSConverter, &path, &options.values,
                                     &options.tracebacks, &options.gc_collect, &options.level,
                                     &options.by_type))
        return NULL;
    if (options.level < 0 || options.level > 22) {
        Py_DECREF(path);
        PyErr_SetString(PyExc_ValueError, "level must be between 1 and 22 (0: default)");
        return NULL;
    }
    dump_result result = {0};
    int failed = dump_heap(PyBytes_AS_STRING(path), &options, &result);
    Py_DECREF(path);
    if (failed)
        return NULL;
    PyObject *counts = counts_dict(&result);
    Py_XDECREF(result.by_type);
    return counts;
}

static PyObject *heapan_trace_start(PyObject *module, PyObject *args, PyObject *kwargs)
{
    static char *keywords[] = {"path", "frames", "sample_bytes", "interval_ms", "level", NULL};
    PyObject *path;
    int frames = 16;
    unsigned long long sample_bytes = 0;
    int interval_ms = 10;
    int level = 0;
    (void)module;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O&|$iKii:trace_start", keywords,
                                     PyUnicode_FSConverter, &path, &frames, &sample_bytes,
                                     &interval_ms, &level))
        return NULL;
    const char *problem = frames < 1 || frames > TRACE_MAX_FRAMES ? "frames must be between 1 and 128"
                          : sample_bytes > (1ull << 40)      ? "sample_bytes must be at most 2**40"
                          : interval_ms < 1 || interval_ms > 3600000
                              ? "interval_ms must be between 1 and 3600000"
                          : level < 0 || level > 22 ? "level must be between 1 and 22 (0: default)"
                                                    : NULL;
    trace_options options = {.frames = frames, .sample_bytes = sample_bytes,
                             .interval_ms = (unsigned)interval_ms, .level = level};
    int failed = problem ? (PyErr_SetString(PyExc_ValueError, problem), -1)
                         : trace_start(PyBytes_AS_STRING(path), &options);
    Py_DECREF(path);
    if (failed)
        return NULL;
    Py_RETURN_NONE;
}

static PyObject *heapan_trace_stop(PyObject *module, PyObject *unused)
{
    (void)module, (void)unused;
    trace_result r;
    if (trace_stop(&r) < 0)
        return NULL;
    return Py_BuildValue("{s:K,s:K,s:K,s:K,s:K,s:d}", "allocations",
                         (unsigned long long)r.counts.allocs, "frees",
                         (unsigned long long)r.counts.frees, "samples",
                         (unsigned long long)r.counts.samples, "stacks",
                         (unsigned long long)r.counts.stacks, "bytes_written",
                         (unsigned long long)r.counts.bytes_written, "seconds", r.seconds);
}

static PyObject *heapan_is_tracing(PyObject *module, PyObject *unused)
{
    (void)module, (void)unused;
    return PyBool_FromLong(trace_is_active());
}

static PyMethodDef methods[] = {
    {"dump", (PyCFunction)(void (*)(void))heapan_dump, METH_VARARGS | METH_KEYWORDS,
     "dump(path, *, values=True, tracebacks=True, gc_collect=False, level=0) -> dict\n\n"
     "Write a heap dump of this process to path.  See heapan.dump()."},
    {"trace_start", (PyCFunction)(void (*)(void))heapan_trace_start,
     METH_VARARGS | METH_KEYWORDS,
     "trace_start(path, *, frames=16, sample_bytes=0, interval_ms=10, level=0)\n\n"
     "Start recording allocations and frees to path.  See heapan.trace()."},
    {"trace_stop", heapan_trace_stop, METH_NOARGS,
     "trace_stop() -> dict\n\nStop recording and close the trace file."},
    {"is_tracing", heapan_is_tracing, METH_NOARGS, "is_tracing() -> bool"},
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
