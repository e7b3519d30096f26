/* dumpopen.c: opening dumps named on the command line. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/dumpopen.h"
#include "msg.h"
#include "input/snapsource.h"

/* Opened once, through snapsource: a pipe's first bytes, read to tell its kind, are read again. */
heapan_reader *dump_open(const char *path)
{
    snapsource *s = snapsource_open(path);
    if (!s) {
        if (errno == EISDIR)
            errorf("%s: is a directory", path);
        else
            errorf("%s: cannot open: %s", path, strerror(errno));
        return NULL;
    }
    heapan_reader *r;
    heapan_status st = snapsource_reader(s, &r);
    if (st == HEAPAN_OK)
        return r;
    if (st == HEAPAN_ERR_NOMEM)
        dump_out_of_memory(path);
    else
        errorf("%s: %s", path, heapan_reader_error(r));
    heapan_reader_close(r);
    return NULL;
}

heapan_reader *trace_open(const char *path)
{
    if (input_kind_of(path) == INPUT_SNAPSHOT) {
        errorf("%s is a V8 heap snapshot, not an allocation trace; read it with heapan report",
               path);
        return NULL;
    }
    heapan_reader *r = dump_open(path);
    if (r && heapan_reader_header(r)->content != HEAPAN_CONTENT_TRACE) {
        errorf("%s is a heap dump, not an allocation trace; read it with heapan report", path);
        heapan_reader_close(r);
        return NULL;
    }
    return r;
}

void dump_refuse_trace(const char *path)
{
    errorf("%s is an allocation trace, not a heap dump; read it with heapan trace", path);
}

void dump_out_of_memory(const char *path)
{
    errorf("%s: out of memory", path);
}

char *dump_value_text(const char *path, uint64_t address)
{
    heapan_reader *r = NULL;
    char *text = NULL;
    if (snapsource_is_file(path) && heapan_reader_open(&r, path) == HEAPAN_OK) {
        heapan_record rec;
        while (!text && heapan_reader_next(r, &rec) == HEAPAN_OK) {
            const heapan_object *o = &rec.u.object;
            if (rec.kind != HEAPAN_REC_OBJECT || o->address != address)
                continue;
            if ((o->value_kind == HEAPAN_VALUE_TEXT || o->value_kind == HEAPAN_VALUE_BYTES) &&
                (text = malloc(o->len + 1))) {
                memcpy(text, o->data, o->len);
                text[o->len] = '\0';
            }
            break;
        }
    }
    heapan_reader_close(r);
    return text;
}
