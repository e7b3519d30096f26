/* process.c: the header of a file written by this process. */
#include "process.h" /* Python.h first, as CPython requires */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_ARGS 64

heapan_status write_process_header(heapan_writer *w, unsigned content, unsigned flags,
                                   uint64_t sample_bytes, uint64_t pid)
{
    PyObject *argv_list = PySys_GetObject("argv"); /* borrowed */
    Py_ssize_t argc = argv_list && PyList_Check(argv_list) ? PyList_GET_SIZE(argv_list) : 0;
    PyObject *encoded[MAX_ARGS];
    const char *argv[MAX_ARGS];
    if (argc > MAX_ARGS)
        argc = MAX_ARGS;
    /* A dump without values keeps the command line out too: it carries passwords. */
    if (content == HEAPAN_CONTENT_HEAP && !(flags & HEAPAN_HEADER_VALUES) && argc > 1)
        argc = 1;
    for (Py_ssize_t i = 0; i < argc; i++) {
        PyObject *arg = PyList_GET_ITEM(argv_list, i);
        encoded[i] =
            PyUnicode_Check(arg) ? PyUnicode_AsEncodedString(arg, "utf-8", "replace") : NULL;
        PyErr_Clear();
        argv[i] = encoded[i] ? PyBytes_AS_STRING(encoded[i]) : "?";
    }
    char version[32];
    snprintf(version, sizeof version, "%d.%d.%d", PY_MAJOR_VERSION, PY_MINOR_VERSION,
             PY_MICRO_VERSION);
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    heapan_header h = {.content = content,
                       .flags = flags,
                       .sample_bytes = sample_bytes,
                       .producer = "heapan-python",
                       .producer_version = heapan_version(),
                       .runtime = "CPython",
                       .runtime_version = version,
                       .pid = pid,
                       .time_us = (int64_t)now.tv_sec * 1000000 + now.tv_nsec / 1000,
                       .pointer_size = sizeof(void *),
                       .argc = (size_t)argc,
                       .argv = argv};
    heapan_status st = heapan_writer_header(w, &h);
    for (Py_ssize_t i = 0; i < argc; i++)
        Py_XDECREF(encoded[i]);
    return st;
}

void py_raise_open_error(const char *path)
{
    if (errno == ELOOP) {
        PyObject *args = Py_BuildValue("(iss)", ELOOP,
                                       "refusing to write through a symbolic link", path);
        if (args) {
            PyErr_SetObject(PyExc_OSError, args);
            Py_DECREF(args);
        }
        return;
    }
    PyErr_SetFromErrnoWithFilename(errno == ENOMEM ? PyExc_MemoryError : PyExc_OSError, path);
}

void py_take_error(char *out, size_t size, const char *otherwise)
{
    PyObject *type, *value, *traceback;
    PyErr_Fetch(&type, &value, &traceback);
    PyObject *text = value ? PyObject_Str(value) : NULL;
    const char *utf8 = text ? PyUnicode_AsUTF8(text) : NULL;
    snprintf(out, size, "%s", utf8 ? utf8 : otherwise);
    out[strcspn(out, "\n")] = '\0';
    PyErr_Clear();
    Py_XDECREF(text), Py_XDECREF(type), Py_XDECREF(value), Py_XDECREF(traceback);
}

uint64_t process_rss_bytes(void)
{
    char text[128];
    int fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    ssize_t n = read(fd, text, sizeof text - 1);
    close(fd);
    if (n <= 0)
        return 0;
    text[n] = '\0';
    unsigned long long pages = 0, resident = 0;
    if (sscanf(text, "%llu %llu", &pages, &resident) != 2)
        return 0;
    return (uint64_t)resident * (uint64_t)sysconf(_SC_PAGESIZE);
}
