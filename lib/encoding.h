/*
 * encoding.h: the byte-level pieces of the format shared by writer and
 * reader: magic, payload types of reference labels, LEB128 varints and a
 * growable byte buffer.  Internal; not installed.
 */
#ifndef HEAPAN_ENCODING_H
#define HEAPAN_ENCODING_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define HEAPAN_MAGIC "\x89HPAN\r\n\x1a"
#define HEAPAN_MAGIC_LEN 8
#define HEAPAN_VARINT_MAX 10

/* Low two bits of a reference's descriptor: what follows it. */
enum label_payload { PAYLOAD_NONE = 0, PAYLOAD_STRING = 1, PAYLOAD_NUMBER = 2 };

/* The payload type each known label kind carries. */
static inline unsigned label_payload_of(unsigned label_kind)
{
    switch (label_kind) {
    case 1: case 2: case 5: case 6: case 9: return PAYLOAD_STRING;
    case 3: case 4: return PAYLOAD_NUMBER;
    default: return PAYLOAD_NONE;
    }
}

static inline uint64_t zigzag_encode(int64_t v)
{
    return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

static inline int64_t zigzag_decode(uint64_t v)
{
    return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

/* Writes v at p (room for HEAPAN_VARINT_MAX bytes) and returns the length. */
static inline size_t varint_put(uint8_t *p, uint64_t v)
{
    size_t n = 0;
    while (v >= 0x80) {
        p[n++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    p[n++] = (uint8_t)v;
    return n;
}

/*
 * Decodes a varint from [*p, end).  Returns 0 and advances *p; -1 if the
 * bytes run out first; -2 if it is longer than a 64-bit value allows.
 */
static inline int varint_get(const uint8_t **p, const uint8_t *end, uint64_t *out)
{
    const uint8_t *q = *p;
    uint64_t v = 0;
    for (unsigned shift = 0; q < end; shift += 7) {
        uint8_t b = *q++;
        if (shift == 63 && b > 1)
            return -2;
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            *p = q;
            *out = v;
            return 0;
        }
        if (shift == 63)
            return -2;
    }
    return -1;
}

/* How many bytes varint_put() writes for `v`. */
static inline size_t varint_size(uint64_t v)
{
    size_t n = 1;
    while (v >= 0x80) {
        v >>= 7;
        n++;
    }
    return n;
}

/* A growable byte buffer; its memory comes from plain malloc. */
typedef struct bytebuf {
    uint8_t *data;
    size_t len, cap;
} bytebuf;

/* Grows `b` for `extra` more bytes; bytebuf_reserve's slow path. */
int bytebuf_grow(bytebuf *b, size_t extra);

/* Makes room for `extra` more bytes; returns -1 on overflow or no memory. */
static inline int bytebuf_reserve(bytebuf *b, size_t extra)
{
    return extra <= b->cap - b->len ? 0 : bytebuf_grow(b, extra);
}
void bytebuf_release(bytebuf *b);

static inline void bytebuf_put_varint_unchecked(bytebuf *b, uint64_t v)
{
    b->len += varint_put(b->data + b->len, v);
}

/* Appends; each returns -1 when memory runs out. */
static inline int bytebuf_put(bytebuf *b, const void *data, size_t len)
{
    if (bytebuf_reserve(b, len) < 0)
        return -1;
    if (len)
        memcpy(b->data + b->len, data, len);
    b->len += len;
    return 0;
}

static inline int bytebuf_put_varint(bytebuf *b, uint64_t v)
{
    if (bytebuf_reserve(b, HEAPAN_VARINT_MAX) < 0)
        return -1;
    bytebuf_put_varint_unchecked(b, v);
    return 0;
}

int bytebuf_put_bytes_with_length(bytebuf *b, const void *data, size_t len);
int bytebuf_put_u64le(bytebuf *b, uint64_t v);

static inline uint64_t u64le_get(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

#endif
