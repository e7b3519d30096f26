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

/* What `path` holds, from its first bytes; INPUT_HEAPAN when unsure (or unreadable). */
input_kind input_kind_of(const char *path);

typedef struct snapsource snapsource;

/* Opens `path` ("-" is standard input); NULL with errno set when it cannot. */
snapsource *snapsource_open(const char *path);

/* Up to `cap` decompressed bytes: how many, 0 at the end, -1 on an error (snapsource_error). */
long snapsource_read(snapsource *s, char *buf, size_t cap);

/* What went wrong, for "FILE: ..." messages. */
const char *snapsource_error(const snapsource *s);

/* Bytes of the file consumed so far (compressed bytes when it is compressed). */
uint64_t snapsource_offset(const snapsource *s);

void snapsource_close(snapsource *s);

#endif
