/*
 * json.h: a streaming JSON tokenizer for inputs too big to parse whole
 * (V8 heap snapshots): the text is read through a 1 MiB window, strings
 * and arrays of numbers are handed over in pieces, and nothing is built.
 * The first error is kept as one line in the caller's buffer.
 */
#ifndef HEAPAN_JSON_H
#define HEAPAN_JSON_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "input/snapsource.h"

typedef void (*json_progress_fn)(void *ctx, uint64_t bytes_read);

typedef struct json_stream {
    snapsource *src;
    char *buf; /* the window: buf[pos..len) is unread */
    size_t pos, len;
    int eof;
    uint64_t text_offset; /* of buf[0] in the text */
    char *why;            /* the first error, written once */
    size_t why_size;
    int out_of_memory;
    json_progress_fn progress;
    void *progress_ctx;
    uint64_t next_progress; /* in bytes of the input */
} json_stream;

/* Reads `src`, which stays the caller's.  0, or -1 when out of memory (in `why`). */
int json_open(json_stream *j, snapsource *src, char *why, size_t why_size,
              json_progress_fn progress, void *progress_ctx);
void json_close(json_stream *j);

/* Keeps the first error; always returns -1. */
int json_fail(json_stream *j, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
int json_vfail(json_stream *j, const char *fmt, va_list ap);
int json_no_memory(json_stream *j);
int json_truncated(json_stream *j);

/* Where the next byte is, in the text. */
uint64_t json_offset(const json_stream *j);

/* The next byte that is not white space, not consumed; -1 at the end. */
int json_peek(json_stream *j);
/* Consumes the byte json_peek() returned. */
void json_skip_byte(json_stream *j);
/* Consumes `c` after white space, or fails naming what was found. */
int json_expect(json_stream *j, char c);

/* "'x'" for a printable ASCII byte, else "byte 0xNN": for messages. */
const char *json_byte_text(int c, char buf[16]);

/*
 * Reads a string after its opening quote, handing its decoded UTF-8 to
 * `sink` in pieces (NULL: skip it).  Lone surrogates and \u0000 become
 * U+FFFD; a raw NUL byte is refused.
 */
typedef int (*json_bytes_fn)(void *ctx, const char *bytes, size_t n);
int json_string_body(json_stream *j, json_bytes_fn sink, void *ctx);

/* A "key": into key[cap], refused when longer. */
int json_key(json_stream *j, char *key, size_t cap);

/* Skips any value, nested or not, without building it. */
int json_skip_value(json_stream *j);

/* The text of the object at the cursor, strings and all, handed to `sink` in pieces. */
int json_capture_object(json_stream *j, json_bytes_fn sink, void *ctx);

/* JSON numbers are doubles: integers are exact up to this (Julia's node ids are addresses). */
#define JSON_MAX_EXACT_INTEGER (1ull << 53)

/*
 * Streams an array of non-negative integers up to 2^53 to `sink`, at most
 * JSON_NUMBERS_AT_ONCE at a time.
 */
#define JSON_NUMBERS_AT_ONCE 4096
typedef int (*json_numbers_fn)(void *ctx, const uint64_t *values, size_t n);
int json_numbers(json_stream *j, json_numbers_fn sink, void *ctx);

/*
 * The same, with the text tokenized on a second thread while the sink
 * runs here (jsonpipe.c); inline when no thread can start.  The stream
 * must not be touched by the sink.  Messages are as json_numbers' are.
 */
int json_numbers_piped(json_stream *j, json_numbers_fn sink, void *ctx);

#endif
