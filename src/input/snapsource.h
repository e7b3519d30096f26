/*
 * snapsource.h: the bytes of an input file, decompressed when it is zstd
 * or gzip, and what they hold: a heapan dump or a V8 heap snapshot
 * (.heapsnapshot JSON), told by content, never by name.
 */
#ifndef HEAPAN_SNAPSOURCE_H
#define HEAPAN_SNAPSOURCE_H

#include <stddef.h>
#include <stdint.h>

typedef enum input_kind {
    INPUT_HEAPAN,  /* a heapan dump or trace, or something the heapan reader will judge */
    INPUT_SNAPSHOT /* a JSON object: a V8 heap snapshot, or a broken one */
} input_kind;

#include "heapan.h"

/*
 * What `path` holds, from its first bytes; INPUT_HEAPAN when unsure (or
 * unreadable).  The input stays open, and the next snapsource_open() of
 * the same path reads it from its start: a pipe or standard input ("-")
 * is read once.
 */
input_kind input_kind_of(const char *path);

typedef struct snapsource snapsource;

/*
 * Opens `path` ("-" is standard input), or takes the input that
 * input_kind_of() left open; NULL with errno set when it cannot (EISDIR
 * for a directory).
 */
snapsource *snapsource_open(const char *path);

/* A heapan reader of `s`'s compressed bytes; the reader owns `s` from then on. */
heapan_status snapsource_reader(snapsource *s, heapan_reader **out);

/* Can `path` be opened again for a second pass: a regular file, not "-"? */
int snapsource_is_file(const char *path);

/*
 * Bytes of input so far, for the memory budget: the sizes of the regular
 * files opened, and every byte read from any input (a pipe has no size).
 */
typedef struct input_bytes {
    uint64_t declared, read;
} input_bytes;
const input_bytes *input_bytes_so_far(void);

/* The path of the input opened last, for a message about memory; NULL before any. */
const char *snapsource_last_path(void);

/* Up to `cap` decompressed bytes: how many, 0 at the end, -1 on an error (snapsource_error). */
long snapsource_read(snapsource *s, char *buf, size_t cap);

/* What went wrong, for "FILE: ..." messages. */
const char *snapsource_error(const snapsource *s);

/* Bytes of the file consumed so far (compressed bytes when it is compressed). */
uint64_t snapsource_offset(const snapsource *s);

void snapsource_close(snapsource *s);

#endif
