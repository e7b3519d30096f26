/* dumpopen.h: opening a dump from the command line, with the messages. */
#ifndef HEAPAN_DUMPOPEN_H
#define HEAPAN_DUMPOPEN_H

#include "heapan.h"

/* Opens `path`; on failure says why ("heapan: PATH: ...") and returns NULL. */
heapan_reader *dump_open(const char *path);

/*
 * Opens `path` for a command that reads an allocation trace; a heap dump
 * or a V8 snapshot is refused with one line that names the command that
 * reads it ("PATH is a heap dump, not an allocation trace; read it with
 * heapan report").  NULL after saying why.
 */
heapan_reader *trace_open(const char *path);

/* Says that `path`, an allocation trace, is no heap dump, and which command reads it. */
void dump_refuse_trace(const char *path);

/*
 * The str/bytes value prefix of the object at `address`, read again from
 * `path` (a second pass: the heap model keeps hashes, not text), as a new
 * string; NULL when it cannot be read or has none, or when `path` is no
 * regular file (standard input, a pipe: they are read once).
 */
char *dump_value_text(const char *path, uint64_t address);

/* "heapan: PATH: out of memory" */
void dump_out_of_memory(const char *path);

#endif
