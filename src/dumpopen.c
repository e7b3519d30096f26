/* dumpopen.c: opening dumps named on the command line. */
#include "dumpopen.h"
#include "msg.h"

heapan_reader *dump_open(const char *path)
{
    heapan_reader *r;
    if (heapan_reader_open(&r, path) == HEAPAN_OK)
        return r;
    errorf("%s: %s", path, heapan_reader_error(r));
    heapan_reader_close(r);
    return NULL;
}

void dump_out_of_memory(const char *path)
{
    errorf("%s: out of memory", path);
}
