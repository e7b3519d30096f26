/*
 * facts.h: what a dump records beyond the object graph, as PROPERTY
 * records (docs/format.md, "Properties"): the collector's state and where
 * the interpreter finds its standard library and packages, gathered before
 * the walk pauses the collector; each module's file; and, per object, the
 * counters of a functools.lru_cache and the state of an asyncio future,
 * read from CPython's own C structures without running Python code.
 */
#ifndef HEAPAN_FACTS_H
#define HEAPAN_FACTS_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "heapan.h"

/* One fact about the process, copied out of Python objects. */
typedef struct py_fact {
    const char *key;           /* static */
    heapan_value_kind kind;    /* INT, BOOL or TEXT */
    int64_t i;
    char *text;                /* TEXT: malloc'd UTF-8 */
    size_t len;
} py_fact;

typedef struct py_facts {
    py_fact *process;
    size_t count, cap;
    /* Set only when its C layout gave what cache_info() says. */
    PyTypeObject *lru_type;
    /* _asyncio.Future and the C getters of its state, result and exception. */
    PyTypeObject *future_type;
    getter future_state, future_result, future_exception;
} py_facts;

/*
 * Gathers the process's facts and finds the types whose objects have
 * facts of their own.  May run Python code: call it before the walk.
 * Returns 0, or -1 when out of memory (a Python exception is set).
 */
int py_facts_gather(py_facts *f);
void py_facts_release(py_facts *f);

/*
 * Adds one fact about the process: `key` is static; a TEXT's `text` is
 * copied.  Returns 0, or -1 when out of memory.
 */
int py_facts_add(py_facts *f, const char *key, heapan_value_kind kind, int64_t i,
                 const char *text, size_t len);

/* Writes the process's facts (object 0). */
heapan_status py_facts_write_process(const py_facts *f, heapan_writer *w);

/* Receives a reference that the facts can name: `target` held by the object as `name`. */
typedef int (*py_fact_ref)(void *ctx, PyObject *target, const char *name);

/*
 * Writes the facts of object `o`, if it has any, and hands `ref` the
 * references they name (an lru_cache's dict, a future's result).  Runs
 * no Python code.  A non-zero result of `ref` is returned as
 * HEAPAN_ERR_INVALID.
 */
heapan_status py_facts_write_object(const py_facts *f, heapan_writer *w, PyObject *o,
                                    py_fact_ref ref, void *ctx);

/* Writes module `module`'s file ("module.file"), when its __file__ is a str. */
heapan_status py_facts_write_module_file(heapan_writer *w, PyObject *module);

#endif
