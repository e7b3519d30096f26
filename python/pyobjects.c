/* pyobjects.c: sizes, lengths and values of CPython objects, without running Python code. */
#include "pyobjects.h"

/* PyGC_Head is two pointers in every CPython from 3.8 to 3.13. */
#define GC_HEADER_SIZE (2 * sizeof(void *))

PyObject *py_type_namespace(PyTypeObject *type)
{
#if PY_VERSION_HEX >= 0x030C0000
    PyObject *dict = PyType_GetDict(type);
    Py_XDECREF(dict); /* the type keeps it alive */
    return dict;
#else
    return type->tp_dict;
#endif
}

/* Whether `method` is C code: a method or slot wrapper descriptor, not a Python function. */
static int is_c_method(PyObject *method)
{
    return Py_IS_TYPE(method, &PyMethodDescr_Type) || Py_IS_TYPE(method, &PyWrapperDescr_Type);
}

/*
 * The first __sizeof__ along the MRO that is C code.  A class statement
 * may define its own in Python: that is user code, skipped.  Borrowed.
 */
static PyObject *c_sizeof_method(PyTypeObject *type, PyObject *name)
{
    PyObject *mro = type->tp_mro;
    for (Py_ssize_t i = 0; mro && i < PyTuple_GET_SIZE(mro); i++) {
        PyTypeObject *base = (PyTypeObject *)PyTuple_GET_ITEM(mro, i);
        PyObject *dict = py_type_namespace(base);
        PyObject *method = dict ? PyDict_GetItemWithError(dict, name) : NULL;
        if (method && is_c_method(method))
            return method;
        PyErr_Clear();
    }
    return NULL;
}

/* What CPython keeps before an instance of `type` for its dict and weak references. */
size_t py_type_pre_header(PyTypeObject *type)
{
#if PY_VERSION_HEX >= 0x030C0000
    return type->tp_flags & (Py_TPFLAGS_MANAGED_DICT | Py_TPFLAGS_MANAGED_WEAKREF)
               ? 2 * sizeof(PyObject *)
               : 0;
#elif PY_VERSION_HEX >= 0x030B0000
    return type->tp_flags & Py_TPFLAGS_MANAGED_DICT ? 2 * sizeof(PyObject *) : 0;
#else
    (void)type;
    return 0;
#endif
}

/* What CPython puts before the object itself, as sys.getsizeof() counts it. */
size_t py_pre_header_size(PyObject *o)
{
    PyTypeObject *type = Py_TYPE(o);
    return (PyType_IS_GC(type) ? GC_HEADER_SIZE : 0) + py_type_pre_header(type);
}

static uint64_t basic_size(PyObject *o)
{
    PyTypeObject *type = Py_TYPE(o);
    Py_ssize_t items = type->tp_itemsize ? Py_SIZE(o) : 0;
#if PY_VERSION_HEX >= 0x030C0000
    /* An int's ob_size is no digit count from 3.12: it is in lv_tag. */
    if (type->tp_itemsize && PyLong_Check(o))
        items = (Py_ssize_t)(((PyLongObject *)o)->long_value.lv_tag >> _PyLong_NON_SIZE_BITS);
#endif
    if (items < 0)
        items = -items;
    return (uint64_t)type->tp_basicsize + (uint64_t)items * (uint64_t)type->tp_itemsize;
}

/* As the Py*_Check() macros would find for its instances, in their order. */
static py_kind kind_of(PyTypeObject *type)
{
    static const struct {
        unsigned long flag;
        py_kind kind;
    } fast[] = {{Py_TPFLAGS_LONG_SUBCLASS, PY_KIND_INT},
                {Py_TPFLAGS_UNICODE_SUBCLASS, PY_KIND_STR},
                {Py_TPFLAGS_BYTES_SUBCLASS, PY_KIND_BYTES},
                {Py_TPFLAGS_LIST_SUBCLASS, PY_KIND_LIST},
                {Py_TPFLAGS_TUPLE_SUBCLASS, PY_KIND_TUPLE},
                {Py_TPFLAGS_DICT_SUBCLASS, PY_KIND_DICT}};
    if (type == &PyBool_Type)
        return PY_KIND_BOOL;
    for (size_t i = 0; i < sizeof fast / sizeof *fast; i++)
        if (PyType_FastSubclass(type, fast[i].flag))
            return fast[i].kind;
    if (PyType_IsSubtype(type, &PyFloat_Type))
        return PY_KIND_FLOAT;
    if (PyType_IsSubtype(type, &PyByteArray_Type))
        return PY_KIND_BYTEARRAY;
    if (PyType_IsSubtype(type, &PySet_Type) || PyType_IsSubtype(type, &PyFrozenSet_Type))
        return PY_KIND_SET;
    if (PyType_IsSubtype(type, &_PyWeakref_RefType) || type == &_PyWeakref_ProxyType ||
        type == &_PyWeakref_CallableProxyType)
        return PY_KIND_WEAKREF;
    return PY_KIND_OTHER;
}

py_type_rule py_type_rule_of(PyTypeObject *type)
{
    static PyObject *name;
    py_type_rule rule = {SIZE_BASIC, NULL, kind_of(type)};
    if (!name && !(name = PyUnicode_InternFromString("__sizeof__"))) {
        PyErr_Clear();
        return rule;
    }
    PyObject *method = c_sizeof_method(type, name);
    PyObject *object_sizeof = c_sizeof_method(&PyBaseObject_Type, name);
    PyObject *list_sizeof = c_sizeof_method(&PyList_Type, name);
    PyObject *tuple_sizeof = c_sizeof_method(&PyTuple_Type, name);
    PyErr_Clear();
    /* object.__sizeof__ and tuple.__sizeof__ are the basic size plus items. */
    if (!method || method == object_sizeof || method == tuple_sizeof)
        return rule;
    rule.size = method == list_sizeof ? SIZE_LIST : SIZE_CALL;
    rule.method = method;
    return rule;
}

uint64_t py_object_size(PyObject *o, const py_type_rule *rule)
{
    if (rule->size == SIZE_BASIC)
        return basic_size(o) + py_pre_header_size(o);
    if (rule->size == SIZE_LIST)
        return (uint64_t)Py_TYPE(o)->tp_basicsize +
               (uint64_t)((PyListObject *)o)->allocated * sizeof(PyObject *) +
               py_pre_header_size(o);
    PyObject *result = PyObject_CallFunctionObjArgs(rule->method, o, NULL);
    Py_ssize_t size = result ? PyLong_AsSsize_t(result) : -1;
    Py_XDECREF(result);
    if (size < 0) {
        PyErr_Clear();
        return basic_size(o) + py_pre_header_size(o);
    }
    return (uint64_t)size + py_pre_header_size(o);
}

uint64_t py_object_length(PyObject *o, const py_type_rule *rule)
{
    switch (rule->kind) {
    case PY_KIND_LIST:
        return (uint64_t)PyList_GET_SIZE(o);
    case PY_KIND_TUPLE:
        return (uint64_t)PyTuple_GET_SIZE(o);
    case PY_KIND_DICT:
        return (uint64_t)PyDict_GET_SIZE(o);
    case PY_KIND_SET:
        return (uint64_t)PySet_GET_SIZE(o);
    case PY_KIND_STR:
        return (uint64_t)PyUnicode_GET_LENGTH(o);
    case PY_KIND_BYTES:
        return (uint64_t)PyBytes_GET_SIZE(o);
    case PY_KIND_BYTEARRAY:
        return (uint64_t)PyByteArray_GET_SIZE(o);
    default:
        return 0;
    }
}

/* A 64-bit hash of a whole value, the same in every process (unlike hash()). */
static uint64_t content_hash(const void *data, size_t len, unsigned salt)
{
    const unsigned char *p = data;
    uint64_t h = 0x9e3779b97f4a7c15ull ^ salt ^ ((uint64_t)len << 8);
    for (size_t i = 0; i < len; i++)
        h = (h ^ p[i]) * 0x100000001b3ull;
    h ^= h >> 29;
    h *= 0xbf58476d1ce4e5b9ull;
    return h ^ (h >> 32);
}

static size_t utf8_put(char *out, Py_UCS4 c)
{
    if (c >= 0xd800 && c <= 0xdfff)
        c = 0xfffd; /* a lone surrogate has no UTF-8 form */
    if (c < 0x80) {
        out[0] = (char)c;
        return 1;
    }
    if (c < 0x800) {
        out[0] = (char)(0xc0 | (c >> 6));
        out[1] = (char)(0x80 | (c & 0x3f));
        return 2;
    }
    if (c < 0x10000) {
        out[0] = (char)(0xe0 | (c >> 12));
        out[1] = (char)(0x80 | ((c >> 6) & 0x3f));
        out[2] = (char)(0x80 | (c & 0x3f));
        return 3;
    }
    out[0] = (char)(0xf0 | (c >> 18));
    out[1] = (char)(0x80 | ((c >> 12) & 0x3f));
    out[2] = (char)(0x80 | ((c >> 6) & 0x3f));
    out[3] = (char)(0x80 | (c & 0x3f));
    return 4;
}

static void text_value(PyObject *o, heapan_object *out, char *scratch, int hash)
{
#if PY_VERSION_HEX < 0x030C0000
    if (!PyUnicode_IS_READY(o))
        return; /* a legacy string: readying it would allocate */
#endif
    Py_ssize_t length = PyUnicode_GET_LENGTH(o);
    int kind = PyUnicode_KIND(o);
    const void *data = PyUnicode_DATA(o);
    size_t n = 0;
    if (PyUnicode_IS_ASCII(o)) {
        n = length < VALUE_PREFIX_CHARS ? (size_t)length : VALUE_PREFIX_CHARS;
        memcpy(scratch, data, n);
    } else {
        for (Py_ssize_t i = 0; i < length && i < VALUE_PREFIX_CHARS; i++)
            n += utf8_put(scratch + n, PyUnicode_READ(kind, data, i));
    }
    out->value_kind = HEAPAN_VALUE_TEXT;
    out->data = scratch;
    out->len = n;
    /* A value that fits in its prefix is its own identity: no hash needed. */
    if (length > VALUE_PREFIX_CHARS && hash) {
        out->value_hash = content_hash(data, (size_t)length * (size_t)kind, 1);
        out->flags |= HEAPAN_OBJ_HAS_HASH;
    }
}

void py_object_value(PyObject *o, const py_type_rule *rule, heapan_object *out, char *scratch,
                     int hash)
{
    out->value_kind = HEAPAN_VALUE_NONE;
    switch (rule->kind) {
    case PY_KIND_BOOL:
        out->value_kind = HEAPAN_VALUE_BOOL;
        out->i = o == Py_True;
        break;
    case PY_KIND_INT: {
        int overflow = 0;
        long long v = PyLong_AsLongLongAndOverflow(o, &overflow);
        if (overflow || (v == -1 && PyErr_Occurred())) {
            PyErr_Clear();
            return;
        }
        out->value_kind = HEAPAN_VALUE_INT;
        out->i = v;
        break;
    }
    case PY_KIND_FLOAT:
        out->value_kind = HEAPAN_VALUE_FLOAT;
        out->f = PyFloat_AS_DOUBLE(o);
        break;
    case PY_KIND_STR:
        text_value(o, out, scratch, hash);
        break;
    case PY_KIND_BYTES: {
        size_t len = (size_t)PyBytes_GET_SIZE(o);
        out->value_kind = HEAPAN_VALUE_BYTES;
        out->data = PyBytes_AS_STRING(o);
        out->len = len < VALUE_PREFIX_CHARS ? len : VALUE_PREFIX_CHARS;
        if (len > VALUE_PREFIX_CHARS && hash) {
            out->value_hash = content_hash(PyBytes_AS_STRING(o), len, 2);
            out->flags |= HEAPAN_OBJ_HAS_HASH;
        }
        break;
    }
    default:
        break;
    }
}

int py_type_has_dict(PyTypeObject *type)
{
#if PY_VERSION_HEX >= 0x030B0000
    if (type->tp_flags & Py_TPFLAGS_MANAGED_DICT)
        return 1;
#endif
    return type->tp_dictoffset != 0;
}

int py_type_has_slots(PyTypeObject *type)
{
    if (!(type->tp_flags & Py_TPFLAGS_HEAPTYPE) || !type->tp_dict)
        return 0;
    PyObject *slots = PyDict_GetItemString(type->tp_dict, "__slots__");
    return slots != NULL;
}

/* ---- a dict key's repr(), for keys made of plain values ------------------ */

typedef struct repr_buf {
    char *p;
    size_t len, cap;
} repr_buf;

static int put(repr_buf *b, const char *s, size_t n)
{
    if (b->len + n >= b->cap)
        return -1;
    memcpy(b->p + b->len, s, n);
    b->len += n;
    return 0;
}

/* An ASCII str as repr() writes it; others are not plain enough to quote. */
static int put_str(repr_buf *b, PyObject *s)
{
    if (!PyUnicode_IS_READY(s) || !PyUnicode_IS_ASCII(s))
        return -1;
    const char *text = (const char *)PyUnicode_DATA(s);
    Py_ssize_t n = PyUnicode_GET_LENGTH(s);
    int quote = memchr(text, '\'', (size_t)n) && !memchr(text, '"', (size_t)n) ? '"' : '\'';
    char q = (char)quote;
    if (put(b, &q, 1) < 0)
        return -1;
    for (Py_ssize_t i = 0; i < n; i++) {
        char c = text[i], esc[5];
        int rc = c == '\\' || c == quote ? put(b, (char[]){'\\', c}, 2)
                 : c == '\n'            ? put(b, "\\n", 2)
                 : c == '\t'            ? put(b, "\\t", 2)
                 : (unsigned char)c < 0x20 || c == 0x7f
                     ? (snprintf(esc, sizeof esc, "\\x%02x", (unsigned char)c), put(b, esc, 4))
                     : put(b, &c, 1);
        if (rc < 0)
            return -1;
    }
    return put(b, &q, 1);
}

static int put_key(repr_buf *b, PyObject *key, int depth)
{
    char num[64];
    if (key == Py_None)
        return put(b, "None", 4);
    if (PyBool_Check(key))
        return key == Py_True ? put(b, "True", 4) : put(b, "False", 5);
    if (PyUnicode_CheckExact(key))
        return put_str(b, key);
    if (PyLong_CheckExact(key)) {
        int overflow;
        long long v = PyLong_AsLongLongAndOverflow(key, &overflow);
        PyErr_Clear();
        return overflow ? -1 : put(b, num, (size_t)snprintf(num, sizeof num, "%lld", v));
    }
    if (PyFloat_CheckExact(key)) {
        char *text = PyOS_double_to_string(PyFloat_AS_DOUBLE(key), 'r', 0, Py_DTSF_ADD_DOT_0, NULL);
        int rc = text ? put(b, text, strlen(text)) : -1;
        PyMem_Free(text);
        PyErr_Clear();
        return rc;
    }
    if (!PyTuple_CheckExact(key) || depth >= 3)
        return -1;
    Py_ssize_t n = PyTuple_GET_SIZE(key);
    if (put(b, "(", 1) < 0)
        return -1;
    for (Py_ssize_t i = 0; i < n; i++)
        if ((i && put(b, ", ", 2) < 0) || put_key(b, PyTuple_GET_ITEM(key, i), depth + 1) < 0)
            return -1;
    return put(b, n == 1 ? ",)" : ")", n == 1 ? 2 : 1);
}

size_t py_key_repr(PyObject *key, char *buf, size_t cap)
{
    repr_buf b = {buf, 0, cap};
    return put_key(&b, key, 0) < 0 ? 0 : b.len;
}
