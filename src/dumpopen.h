/* dumpopen.h: opening a dump from the command line, with the messages. */
#ifndef HEAPAN_DUMPOPEN_H
#define HEAPAN_DUMPOPEN_H

#include "heapan.h"

/* Opens `path`; on failure says why ("heapan: PATH: ...") and returns NULL. */
heapan_reader *dump_open(const char *path);

/* "heapan: PATH: out of memory" */
void dump_out_of_memory(const char *path);

#endif
