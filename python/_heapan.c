/* _heapan.c: the C extension module behind the heapan Python package. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "dumper.h"
#include "tracer.h"
#include "watch.h"

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

static PyObject *heapan_dump_start(PyObject *module, PyObject *args, PyObject *kwargs)
{
    static char *keywords[] = {"path", "values", "tracebacks", "gc_collect", "level", NULL};
    PyObject *path;
    dump_options options = {.values = 1, .tracebacks = 1, .call_args = args,
                            .call_kwargs = kwargs};
    (void)module;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O&|$pppi:dump_start", keywords,
                                     PyUnicode_FSConverter, &path, &options.values,
                                     &options.tracebacks, &options.gc_collect, &options.level))
        return NULL;
    if (options.level < 0 || options.level > 22) {
        Py_DECREF(path);
        PyErr_SetString(PyExc_ValueError, "level must be between 1 and 22 (0: default)");
        return NULL;
    }
    dump_child child;
    int failed = dump_heap_start(PyBytes_AS_STRING(path), &options, &child);
    Py_DECREF(path);
    return failed ? NULL : Py_BuildValue("(li)", (long)child.pid, child.fd);
}

static PyObject *heapan_dump_finish(PyObject *module, PyObject *args)
{
    long pid;
    int fd;
    (void)module;
    if (!PyArg_ParseTuple(args, "li:dump_finish", &pid, &fd))
        return NULL;
    dump_child child = {.pid = (pid_t)pid, .fd = fd};
    dump_result result = {0};
    char error[256];
    int failed;
    Py_BEGIN_ALLOW_THREADS
    failed = dump_child_finish(&child, &result, error, sizeof error);
    Py_END_ALLOW_THREADS
    if (failed) {
        PyErr_Format(PyExc_RuntimeError, "heapan: background dump: %s", error);
        return NULL;
    }
    return counts_dict(&result);
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

static PyObject *heapan_watch_start(PyObject *module, PyObject *args, PyObject *kwargs)
{
    static char *keywords[] = {"path", "limit_bytes", "percent", "rearm", "interval_ms",
                               "values", "tracebacks", "level", NULL};
    PyObject *path;
    unsigned long long limit_bytes = 0;
    unsigned percent = 0;
    int interval_ms = 100;
    watch_options options = {.dump = {.values = 1, .tracebacks = 1}};
    (void)module;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O&|$KIpippi:watch_start", keywords,
                                     PyUnicode_FSConverter, &path, &limit_bytes, &percent,
                                     &options.rearm, &interval_ms, &options.dump.values,
                                     &options.dump.tracebacks, &options.dump.level))
        return NULL;
    const char *problem = PyBytes_GET_SIZE(path) >= (Py_ssize_t)sizeof options.path
                              ? "path is too long"
                          : (limit_bytes == 0) == (percent == 0)
                              ? "give one of limit_bytes and percent"
                          : percent > 100 ? "percent must be between 1 and 100"
                          : interval_ms < 1 ? "interval_ms must be at least 1" : NULL;
    if (problem) {
        Py_DECREF(path);
        PyErr_SetString(PyExc_ValueError, problem);
        return NULL;
    }
    snprintf(options.path, sizeof options.path, "%s", PyBytes_AS_STRING(path));
    Py_DECREF(path);
    options.limit_bytes = limit_bytes;
    options.percent = percent;
    options.interval_ms = (unsigned)interval_ms;
    char error[256];
    if (watch_start(&options, error, sizeof error) < 0) {
        PyErr_Format(PyExc_RuntimeError, "heapan: %s", error);
        return NULL;
    }
    Py_RETURN_NONE;
}

static PyObject *heapan_watch_stop(PyObject *module, PyObject *unused)
{
    (void)module, (void)unused;
    int rc;
    Py_BEGIN_ALLOW_THREADS
    rc = watch_stop();
    Py_END_ALLOW_THREADS
    return PyBool_FromLong(rc == 0);
}

static PyObject *heapan_watch_state(PyObject *module, PyObject *unused)
{
    (void)module, (void)unused;
    watch_state st;
    watch_get_state(&st);
    return Py_BuildValue("{s:O,s:I,s:K,s:K,s:s,s:s}", "running", st.running ? Py_True : Py_False,
                         "dumps", st.dumps, "threshold", (unsigned long long)st.threshold,
                         "memory", (unsigned long long)st.last_memory, "last_path",
                         st.last_path, "last_error", st.last_error);
}

static PyObject *heapan_cgroup_memory(PyObject *module, PyObject *unused)
{
    (void)module, (void)unused;
    cgroup_memory m;
    if (cgroup_memory_read(&m) < 0)
        Py_RETURN_NONE;
    return Py_BuildValue("{s:i,s:K,s:K}", "version", m.version, "usage",
                         (unsigned long long)m.usage, "limit", (unsigned long long)m.limit);
}

static PyMethodDef methods[] = {
    {"dump", (PyCFunction)(void (*)(void))heapan_dump, METH_VARARGS | METH_KEYWORDS,
     "dump(path, *, values=True, tracebacks=True, gc_collect=False, level=0) -> dict\n\n"
     "Write a heap dump of this process to path.  See heapan.dump()."},
    {"dump_start", (PyCFunction)(void (*)(void))heapan_dump_start, METH_VARARGS | METH_KEYWORDS,
     "dump_start(path, *, values=True, tracebacks=True, gc_collect=False, level=0) -> (pid, fd)\n\n"
     "Fork a child that dumps the heap to path.  See heapan.dump(background=True)."},
    {"dump_finish", heapan_dump_finish, METH_VARARGS,
     "dump_finish(pid, fd) -> dict\n\nWait for a background dump and return its counts."},
    {"trace_start", (PyCFunction)(void (*)(void))heapan_trace_start,
     METH_VARARGS | METH_KEYWORDS,
     "trace_start(path, *, frames=16, sample_bytes=0, interval_ms=10, level=0)\n\n"
     "Start recording allocations and frees to path.  See heapan.trace()."},
    {"trace_stop", heapan_trace_stop, METH_NOARGS,
     "trace_stop() -> dict\n\nStop recording and close the trace file."},
    {"is_tracing", heapan_is_tracing, METH_NOARGS, "is_tracing() -> bool"},
    {"watch_start", (PyCFunction)(void (*)(void))heapan_watch_start, METH_VARARGS | METH_KEYWORDS,
     "watch_start(path, *, limit_bytes=0, percent=0, rearm=False, interval_ms=100, values=True, "
     "tracebacks=True, level=0)\n\nStart the memory watchdog.  See heapan.dump_on_memory()."},
    {"watch_stop", heapan_watch_stop, METH_NOARGS, "watch_stop() -> bool"},
    {"watch_state", heapan_watch_state, METH_NOARGS, "watch_state() -> dict"},
    {"cgroup_memory", heapan_cgroup_memory, METH_NOARGS,
     "cgroup_memory() -> dict or None: the cgroup's version, usage and limit (0: none)"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT, "_heapan", "C core of the heapan heap dumper.", -1, methods,
    NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__heapan(void);

PyMODINIT_FUNC PyInit__heapan(void)
{
    PyObject *module = PyModule_Create(&module_def);
    if (module &&
        PyModule_AddIntConstant(module, "DUMP_MEMORY_PERCENT", WATCH_DUMP_MEMORY_PERCENT) < 0)
        Py_CLEAR(module);
    return module;
}
