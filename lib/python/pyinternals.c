/* pyinternals.c: CPython 3.11 internal structures, read without changing them. */
#define Py_BUILD_CORE_MODULE 1
#include "pyinternals.h"

#if PY_VERSION_HEX >= 0x030B0000 && PY_VERSION_HEX < 0x030C0000
#define HAVE_311_INTERNALS 1
#include "internal/pycore_dict.h"
#include "internal/pycore_frame.h"
#include "internal/pycore_object.h"
#include "internal/pycore_pystate.h"
#endif

#ifdef HAVE_311_INTERNALS

/* The shared keys of the instance's class, when its values are inline. */
static PyDictKeysObject *inline_keys(PyObject *o, PyDictValues **values)
{
    PyTypeObject *type = Py_TYPE(o);
    if (!(type->tp_flags & Py_TPFLAGS_MANAGED_DICT) || *_PyObject_ManagedDictPointer(o))
        return NULL;
    *values = *_PyObject_ValuesPointer(o);
    PyDictKeysObject *keys = ((PyHeapTypeObject *)type)->ht_cached_keys;
    return *values && keys && keys->dk_kind != DICT_KEYS_GENERAL ? keys : NULL;
}

int py_inline_attributes(PyObject *o, attribute_visit visit, void *ctx)
{
    PyDictValues *values;
    PyDictKeysObject *keys = inline_keys(o, &values);
    if (!keys)
        return 0;
    PyDictUnicodeEntry *entries = DK_UNICODE_ENTRIES(keys);
    for (Py_ssize_t i = 0; i < keys->dk_nentries; i++) {
        PyObject *value = values->values[i];
        int stop = value && entries[i].me_key ? visit(ctx, entries[i].me_key, value) : 0;
        if (stop)
            return stop;
    }
    return 0;
}

size_t py_inline_values_size(PyObject *o)
{
    PyDictValues *values;
    PyDictKeysObject *keys = inline_keys(o, &values);
    /* As _PyObject_InitializeDict sizes it: one slot per usable shared key. */
    return keys ? sizeof(PyObject *) * (size_t)(keys->dk_nentries + keys->dk_usable) : 0;
}

static int describe(_PyInterpreterFrame *f, py_frame *out)
{
    while (f && _PyFrame_IsIncomplete(f))
        f = f->previous;
    if (!f)
        return 0;
    PyCodeObject *code = f->f_code;
    *out = (py_frame){.address = f->frame_obj ? (const void *)f->frame_obj : (const void *)f,
                      .object = (PyObject *)f->frame_obj, .code = (PyObject *)code,
                      .globals = f->f_globals, .locals = f->localsplus,
                      .names = code->co_localsplusnames, .count = code->co_nlocalsplus,
                      .size = sizeof(PyObject *) * (size_t)(code->co_nlocalsplus + code->co_stacksize +
                                                          FRAME_SPECIALS_SIZE),
                      .opaque = f};
    return 1;
}

int py_frame_of(PyObject *top, py_frame *out)
{
    if (!top || !PyFrame_Check(top))
        return 0;
    return describe(((PyFrameObject *)top)->f_frame, out);
}

int py_frame_caller(py_frame *frame)
{
    _PyInterpreterFrame *f = frame->opaque;
    return describe(f->previous, frame);
}

int py_current_locations(py_location *out, int max)
{
    PyThreadState *tstate = _PyThreadState_GET();
    _PyInterpreterFrame *f = tstate && tstate->cframe ? tstate->cframe->current_frame : NULL;
    int n = 0;
    for (; f && n < max; f = f->previous) {
        if (_PyFrame_IsIncomplete(f))
            continue;
        out[n++] = (py_location){(PyObject *)f->f_code,
                                 _PyInterpreterFrame_LASTI(f) * (int)sizeof(_Py_CODEUNIT)};
    }
    return n;
}

#else

int py_inline_attributes(PyObject *o, attribute_visit visit, void *ctx)
{
    (void)o, (void)visit, (void)ctx;
    return 0;
}

size_t py_inline_values_size(PyObject *o)
{
    (void)o;
    return 0;
}

int py_frame_of(PyObject *top, py_frame *out)
{
    (void)top, (void)out;
    return 0;
}

int py_frame_caller(py_frame *frame)
{
    (void)frame;
    return 0;
}

int py_current_locations(py_location *out, int max)
{
    (void)out, (void)max;
    return 0;
}

#endif
