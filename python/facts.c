/* facts.c: the collector's state, the interpreter's paths, and facts of CPython's own objects. */
#include "facts.h" /* Python.h first, as CPython requires */

#include <stdlib.h>
#include <string.h>

#define MAX_LIST 1024 /* items of one list fact (sys.path, module names) kept at most */

/* ---- gathering, with Python code allowed ---------------------------------- */

int py_facts_add(py_facts *f, const char *key, heapan_value_kind kind, int64_t i,
                 const char *text, size_t len)
{
    if (f->count == f->cap) {
        size_t cap = f->cap ? 2 * f->cap : 64;
        py_fact *bigger = realloc(f->process, cap * sizeof *bigger);
        if (!bigger)
            return -1;
        f->process = bigger;
        f->cap = cap;
    }
    py_fact *fact = &f->process[f->count];
    *fact = (py_fact){.key = key, .kind = kind, .i = i};
    if (kind == HEAPAN_VALUE_TEXT) {
        const py_fact *last = f->count ? &f->process[f->count - 1] : NULL;
        if (last && last->key == key && last->len == len && memcmp(last->text, text, len) == 0)
            return 0; /* the same directory found twice */
        if (len > HEAPAN_MAX_PROPERTY_VALUE || !(fact->text = malloc(len ? len : 1)))
            return len > HEAPAN_MAX_PROPERTY_VALUE ? 0 : -1;
        memcpy(fact->text, text, len);
        fact->len = len;
    }
    f->count++;
    return 0;
}

/* A str as a TEXT fact; anything else is left out. */
static int add_str(py_facts *f, const char *key, PyObject *str)
{
    if (!str || !PyUnicode_Check(str))
        return 0;
    PyObject *utf8 = PyUnicode_AsEncodedString(str, "utf-8", "surrogateescape");
    if (!utf8) {
        PyErr_Clear();
        return 0;
    }
    int rc = py_facts_add(f, key, HEAPAN_VALUE_TEXT, 0, PyBytes_AS_STRING(utf8),
                 (size_t)PyBytes_GET_SIZE(utf8));
    Py_DECREF(utf8);
    return rc;
}

static int add_number(py_facts *f, const char *key, PyObject *number)
{
    if (!number || !PyLong_Check(number))
        return 0;
    long long value = PyLong_AsLongLong(number);
    if (value == -1 && PyErr_Occurred()) {
        PyErr_Clear();
        return 0;
    }
    return py_facts_add(f, key, HEAPAN_VALUE_INT, value, NULL, 0);
}

/* Each str or int of a sequence or set, in its order (a set's sorted), as a repeated key. */
static int add_each(py_facts *f, const char *key, PyObject *items, int sort)
{
    PyObject *list = items ? PySequence_List(items) : NULL;
    if (!list || (sort && PyList_Sort(list) < 0)) {
        Py_XDECREF(list);
        PyErr_Clear();
        return 0;
    }
    int rc = 0;
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(list) && i < MAX_LIST && rc == 0; i++) {
        PyObject *item = PyList_GET_ITEM(list, i);
        rc = PyLong_Check(item) ? add_number(f, key, item) : add_str(f, key, item);
    }
    Py_DECREF(list);
    return rc;
}

/* The result of module.function(), or NULL (no exception left). */
static PyObject *call(PyObject *module, const char *function)
{
    PyObject *result = module ? PyObject_CallMethod(module, function, NULL) : NULL;
    if (!result)
        PyErr_Clear();
    return result;
}

/* A module already imported, borrowed: gathering imports nothing new. */
static PyObject *loaded(const char *name)
{
    PyObject *module = PyDict_GetItemString(PyImport_GetModuleDict(), name);
    return module && PyModule_Check(module) ? module : NULL;
}

static int gather_collector(py_facts *f)
{
    PyObject *gc = PyImport_ImportModule("gc"); /* built in: importing it creates nothing */
    if (!gc) {
        PyErr_Clear();
        return 0;
    }
    PyObject *enabled = call(gc, "isenabled"), *threshold = call(gc, "get_threshold"),
             *count = call(gc, "get_count"), *frozen = call(gc, "get_freeze_count"),
             *stats = call(gc, "get_stats"), *garbage = PyObject_GetAttrString(gc, "garbage");
    PyErr_Clear();
    int rc = enabled ? py_facts_add(f, "gc.enabled", HEAPAN_VALUE_BOOL, enabled == Py_True, NULL, 0) : 0;
    rc = rc ? rc : add_each(f, "gc.threshold", threshold, 0);
    rc = rc ? rc : add_each(f, "gc.count", count, 0);
    rc = rc ? rc : add_number(f, "gc.freeze_count", frozen);
    if (!rc && garbage && PyList_Check(garbage))
        rc = py_facts_add(f, "gc.garbage", HEAPAN_VALUE_INT, PyList_GET_SIZE(garbage), NULL, 0);
    static const char *const counters[][2] = {{"collections", "gc.collections"},
                                              {"collected", "gc.collected"},
                                              {"uncollectable", "gc.uncollectable"}};
    for (size_t k = 0; k < 3 && !rc; k++)
        for (Py_ssize_t g = 0; stats && PyList_Check(stats) && g < PyList_GET_SIZE(stats) && !rc; g++) {
            PyObject *generation = PyList_GET_ITEM(stats, g);
            PyObject *value = PyDict_Check(generation)
                                  ? PyDict_GetItemString(generation, counters[k][0])
                                  : NULL;
            rc = add_number(f, counters[k][1], value);
        }
    Py_XDECREF(enabled), Py_XDECREF(threshold), Py_XDECREF(count), Py_XDECREF(frozen);
    Py_XDECREF(stats), Py_XDECREF(garbage), Py_DECREF(gc);
    return rc;
}

/*
 * Which process this is, across pid reuse: the boot's id and the process's
 * start time in clock ticks since boot (/proc/self/stat, field 22).  Two
 * dumps with the same value come from one process, whose objects can be
 * matched by address.  Nothing is added where /proc cannot tell.
 */
static int gather_process(py_facts *f)
{
    char stat[1024], boot[64] = "";
    FILE *in = fopen("/proc/self/stat", "r");
    size_t n = in ? fread(stat, 1, sizeof stat - 1, in) : 0;
    if (in)
        fclose(in);
    stat[n] = '\0';
    const char *p = strrchr(stat, ')');  /* the command name may hold spaces and parentheses */
    unsigned long long ticks = 0;
    for (int field = 2; p && *p && field < 22; p++)
        field += *p == ' ';
    if (!p || sscanf(p, "%llu", &ticks) != 1)
        return 0;
    in = fopen("/proc/sys/kernel/random/boot_id", "r");
    if (in && fgets(boot, sizeof boot, in))
        boot[strcspn(boot, "\n")] = '\0';
    if (in)
        fclose(in);
    char text[128];
    snprintf(text, sizeof text, "%s:%llu", boot, ticks);
    return py_facts_add(f, "process.start", HEAPAN_VALUE_TEXT, 0, text, strlen(text));
}

/* The directory of a module's __file__, as a str, or NULL. */
static PyObject *module_dir(PyObject *module)
{
    PyObject *file = module ? PyDict_GetItemString(PyModule_GetDict(module), "__file__") : NULL;
    PyObject *os_path = loaded("os.path") ? loaded("os.path") : loaded("posixpath");
    PyObject *dir = file && PyUnicode_Check(file) && os_path
                        ? PyObject_CallMethod(os_path, "dirname", "O", file)
                        : NULL;
    PyErr_Clear();
    return dir;
}

/*
 * Where the standard library and the installed packages live.  site's own
 * list, not sysconfig's: Debian keeps its packages in dist-packages, which
 * sysconfig does not name.
 */
static int gather_paths(py_facts *f)
{
    PyObject *sys = loaded("sys");
    int rc = add_str(f, "sys.prefix", PySys_GetObject("prefix"));
    rc = rc ? rc : add_str(f, "sys.base_prefix", PySys_GetObject("base_prefix"));
    PyObject *stdlib = sys ? PyObject_GetAttrString(sys, "_stdlib_dir") : NULL; /* 3.11+ */
    PyErr_Clear();
    rc = rc ? rc : add_str(f, "stdlib.dir", stdlib);
    Py_XDECREF(stdlib);
    PyObject *os_dir = module_dir(loaded("os"));
    rc = rc ? rc : add_str(f, "stdlib.dir", os_dir);
    Py_XDECREF(os_dir);
    rc = rc ? rc : add_each(f, "stdlib.module", PySys_GetObject("stdlib_module_names"), 1);
    rc = rc ? rc : add_each(f, "builtin.module", PySys_GetObject("builtin_module_names"), 0);
    PyObject *site = loaded("site");
    PyObject *packages = call(site, "getsitepackages"), *user = call(site, "getusersitepackages");
    rc = rc ? rc : add_each(f, "site.packages", packages, 0);
    rc = rc ? rc : add_str(f, "site.user_packages", user);
    Py_XDECREF(packages), Py_XDECREF(user);
    rc = rc ? rc : add_each(f, "sys.path", PySys_GetObject("path"), 0);
    return rc;
}

/* ---- functools.lru_cache ----------------------------------------------------- */

/*
 * The start of CPython's lru_cache_object (Modules/_functoolsmodule.c),
 * the same from 3.8 to 3.13.  Checked against cache_info() before use.
 */
typedef struct lru_cache_view {
    PyObject_HEAD
    void *prev, *next;  /* the root of the entries' linked list */
    Py_hash_t hash;
    PyObject *key, *result;
    void *wrapper;
    int typed;
    PyObject *cache;    /* the dict of entries */
    Py_ssize_t hits;
    PyObject *func;
    Py_ssize_t maxsize; /* -1: no bound (maxsize=None) */
    Py_ssize_t misses;
} lru_cache_view;

static Py_ssize_t info_field(PyObject *info, Py_ssize_t i)
{
    PyObject *item = PyTuple_Check(info) && PyTuple_GET_SIZE(info) == 4 ? PyTuple_GET_ITEM(info, i)
                                                                         : NULL;
    if (item == Py_None)
        return -1;
    Py_ssize_t value = item && PyLong_Check(item) ? PyLong_AsSsize_t(item) : -2;
    PyErr_Clear();
    return value;
}

/* Calls `wrapper` on each of `args`, then checks the view against cache_info(). */
static int view_agrees(PyObject *wrapper, const int *args, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        PyObject *result = PyObject_CallFunction(wrapper, "i", args[i]);
        if (!result)
            return 0;
        Py_DECREF(result);
    }
    PyObject *info = PyObject_CallMethod(wrapper, "cache_info", NULL);
    if (!info)
        return 0;
    const lru_cache_view *v = (const lru_cache_view *)wrapper;
    int agrees = v->cache && PyDict_Check(v->cache) && v->hits == info_field(info, 0) &&
                 v->misses == info_field(info, 1) && v->maxsize == info_field(info, 2) &&
                 PyDict_GET_SIZE(v->cache) == info_field(info, 3);
    Py_DECREF(info);
    return agrees;
}

/* A wrapper of abs() with this maxsize (Py_None: unbounded), or NULL. */
static PyObject *new_lru_wrapper(PyObject *functools, PyObject *maxsize)
{
    PyObject *builtins = PyEval_GetBuiltins(); /* borrowed */
    PyObject *abs = builtins ? PyDict_GetItemString(builtins, "abs") : NULL;
    PyObject *decorator = abs ? PyObject_CallMethod(functools, "lru_cache", "O", maxsize) : NULL;
    PyObject *wrapper = decorator ? PyObject_CallFunctionObjArgs(decorator, abs, NULL) : NULL;
    Py_XDECREF(decorator);
    return wrapper;
}

/*
 * The C type of lru_cache wrappers, when reading its counters gives what
 * cache_info() says for a bounded and an unbounded cache; else NULL.
 */
static PyTypeObject *checked_lru_type(void)
{
    PyObject *functools = PyImport_ImportModule("functools");
    PyObject *three = PyLong_FromLong(3);
    PyObject *bounded = functools && three ? new_lru_wrapper(functools, three) : NULL;
    PyObject *unbounded = bounded ? new_lru_wrapper(functools, Py_None) : NULL;
    PyTypeObject *type = unbounded ? Py_TYPE(bounded) : NULL;
    /* The Python fallback wraps in a plain function: no struct to read. */
    if (type && (strcmp(type->tp_name, "functools._lru_cache_wrapper") != 0 ||
                 Py_TYPE(unbounded) != type ||
                 (size_t)type->tp_basicsize < sizeof(lru_cache_view)))
        type = NULL;
    static const int pattern[] = {1, 2, 1, 3, 4, 1, 5}; /* 2 hits, 5 misses, 3 kept */
    static const int unbounded_pattern[] = {1, 1, 2};   /* 1 hit, 2 misses */
    if (type && !(view_agrees(bounded, pattern, 7) && view_agrees(unbounded, unbounded_pattern, 3)))
        type = NULL;
    PyErr_Clear();
    Py_XINCREF(type);
    Py_XDECREF(bounded), Py_XDECREF(unbounded), Py_XDECREF(three), Py_XDECREF(functools);
    return type;
}

/* ---- asyncio futures ----------------------------------------------------------- */

static getter getset_named(PyTypeObject *type, const char *name)
{
    for (PyGetSetDef *g = type->tp_getset; g && g->name; g++)
        if (strcmp(g->name, name) == 0)
            return g->get;
    return NULL;
}

/* _asyncio.Future, when asyncio is in use: its C getters read the state without Python code. */
static void find_future_type(py_facts *f)
{
    PyObject *module = loaded("_asyncio");
    PyObject *type = module ? PyObject_GetAttrString(module, "Future") : NULL;
    PyErr_Clear();
    if (type && PyType_Check(type)) {
        PyTypeObject *t = (PyTypeObject *)type;
        f->future_state = getset_named(t, "_state");
        f->future_result = getset_named(t, "_result");
        f->future_exception = getset_named(t, "_exception");
        if (f->future_state) {
            f->future_type = t;
            return;
        }
    }
    Py_XDECREF(type);
}

int py_facts_gather(py_facts *f)
{
    memset(f, 0, sizeof *f);
    static int lru_checked;
    static PyTypeObject *lru_type; /* checked once per process */
    if (!lru_checked) {
        lru_type = checked_lru_type();
        lru_checked = 1;
    }
    Py_XINCREF(lru_type);
    f->lru_type = lru_type;
    find_future_type(f);
    if (gather_collector(f) < 0 || gather_paths(f) < 0 || gather_process(f) < 0) {
        py_facts_release(f);
        PyErr_NoMemory();
        return -1;
    }
    return 0;
}

void py_facts_release(py_facts *f)
{
    for (size_t i = 0; i < f->count; i++)
        free(f->process[i].text);
    free(f->process);
    Py_XDECREF(f->lru_type);
    Py_XDECREF(f->future_type);
    memset(f, 0, sizeof *f);
}

/* ---- writing ------------------------------------------------------------------- */

static heapan_status write_fact(heapan_writer *w, uint64_t object, const char *key,
                                heapan_value_kind kind, int64_t i, const char *text, size_t len)
{
    uint32_t id = heapan_writer_string(w, key, strlen(key));
    heapan_property p = {.object = object, .key = id, .value_kind = kind, .i = i, .data = text,
                         .len = len};
    return id ? heapan_writer_property(w, &p) : HEAPAN_ERR_NOMEM;
}

heapan_status py_facts_write_process(const py_facts *f, heapan_writer *w)
{
    heapan_status st = HEAPAN_OK;
    for (size_t i = 0; i < f->count && st == HEAPAN_OK; i++) {
        const py_fact *fact = &f->process[i];
        st = write_fact(w, 0, fact->key, fact->kind, fact->i, fact->text, fact->len);
    }
    return st;
}

static heapan_status write_str_fact(heapan_writer *w, PyObject *o, const char *key, PyObject *str)
{
    if (!str || !PyUnicode_Check(str))
        return HEAPAN_OK;
    PyObject *utf8 = PyUnicode_AsEncodedString(str, "utf-8", "surrogateescape");
    if (!utf8) {
        PyErr_Clear();
        return HEAPAN_OK;
    }
    size_t len = (size_t)PyBytes_GET_SIZE(utf8);
    heapan_status st = len > HEAPAN_MAX_PROPERTY_VALUE
                           ? HEAPAN_OK
                           : write_fact(w, (uintptr_t)o, key, HEAPAN_VALUE_TEXT, 0,
                                        PyBytes_AS_STRING(utf8), len);
    Py_DECREF(utf8);
    return st;
}

static heapan_status lru_facts(const lru_cache_view *v, heapan_writer *w, py_fact_ref ref, void *ctx)
{
    uint64_t at = (uintptr_t)v;
    heapan_status st = write_fact(w, at, "lru_cache.hits", HEAPAN_VALUE_INT, v->hits, NULL, 0);
    if (st == HEAPAN_OK)
        st = write_fact(w, at, "lru_cache.misses", HEAPAN_VALUE_INT, v->misses, NULL, 0);
    if (st == HEAPAN_OK)
        st = write_fact(w, at, "lru_cache.maxsize", HEAPAN_VALUE_INT, v->maxsize, NULL, 0);
    if (st == HEAPAN_OK && v->cache && ref(ctx, v->cache, "cache"))
        st = HEAPAN_ERR_INVALID;
    return st;
}

/* Calls a future's getter; its result is a new reference, or NULL (nothing raised). */
static PyObject *get(getter g, PyObject *o)
{
    PyObject *value = g ? g(o, NULL) : NULL;
    if (!value)
        PyErr_Clear();
    if (value == Py_None)
        Py_CLEAR(value);
    return value;
}

static heapan_status future_facts(const py_facts *f, heapan_writer *w, PyObject *o,
                                  py_fact_ref ref, void *ctx)
{
    PyObject *state = get(f->future_state, o);
    heapan_status st = write_str_fact(w, o, "future.state", state);
    Py_XDECREF(state);
    const struct {
        getter g;
        const char *name;
    } held[] = {{f->future_result, "_result"}, {f->future_exception, "_exception"}};
    for (size_t k = 0; k < 2 && st == HEAPAN_OK; k++) {
        PyObject *value = get(held[k].g, o);
        if (value && ref(ctx, value, held[k].name))
            st = HEAPAN_ERR_INVALID;
        Py_XDECREF(value); /* the future still holds it */
    }
    return st;
}

heapan_status py_facts_write_object(const py_facts *f, heapan_writer *w, PyObject *o,
                                    py_fact_ref ref, void *ctx)
{
    if (f->lru_type && PyObject_TypeCheck(o, f->lru_type))
        return lru_facts((const lru_cache_view *)o, w, ref, ctx);
    if (f->future_type && PyObject_TypeCheck(o, f->future_type))
        return future_facts(f, w, o, ref, ctx);
    return HEAPAN_OK;
}

heapan_status py_facts_write_module_file(heapan_writer *w, PyObject *module)
{
    if (!PyModule_Check(module))
        return HEAPAN_OK;
    PyObject *dict = PyModule_GetDict(module);
    return write_str_fact(w, module, "module.file",
                          dict ? PyDict_GetItemString(dict, "__file__") : NULL);
}
