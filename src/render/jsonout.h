/*
 * jsonout.h: writing JSON as a stream, for documents too big to build in
 * memory (cJSON is for the small ones).  Text from a dump need not be
 * UTF-8: invalid bytes become U+FFFD, so the output always parses.
 */
#ifndef HEAPAN_JSONOUT_H
#define HEAPAN_JSONOUT_H

#include <stddef.h>
#include <stdio.h>

/* `len` bytes as a quoted JSON string. */
void json_string(FILE *out, const char *s, size_t len);

/* A NUL-terminated string as a quoted JSON string; NULL writes null. */
void json_cstr(FILE *out, const char *s);

/* A copy of `s` with invalid UTF-8 replaced by U+FFFD, or NULL when out of memory. */
char *utf8_sanitize(const char *s);

/*
 * Documents built with cJSON.  json_add_text() adds `text` from the dump
 * as a string member, invalid UTF-8 replaced (NULL: the member is null);
 * 0, or -1 when out of memory.  json_finish() prints `doc` unless
 * `failed`, then deletes it; 0, or -1 when it failed or is out of memory.
 */
struct cJSON;
int json_add_text(struct cJSON *o, const char *name, const char *text);
int json_finish(FILE *out, struct cJSON *doc, int failed);

/* `len` bytes as one CSV field: quoted, quotes doubled. */
void csv_field(FILE *out, const char *s, size_t len);

#endif
