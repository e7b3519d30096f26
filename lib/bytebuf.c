/* bytebuf.c: the growable byte buffer behind record encoding. */
#include <stdlib.h>

#include "encoding.h"

int bytebuf_grow(bytebuf *b, size_t extra)
{
    if (extra <= b->cap - b->len)
        return 0;
    if (extra > SIZE_MAX / 2 - b->len)
        return -1;
    size_t cap = b->cap ? b->cap : 256;
    while (cap - b->len < extra)
        cap *= 2;
    uint8_t *data = realloc(b->data, cap);
    if (!data)
        return -1;
    b->data = data;
    b->cap = cap;
    return 0;
}

void bytebuf_release(bytebuf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

int bytebuf_put_bytes_with_length(bytebuf *b, const void *data, size_t len)
{
    if (bytebuf_put_varint(b, len) < 0)
        return -1;
    return bytebuf_put(b, data, len);
}

int bytebuf_put_u64le(bytebuf *b, uint64_t v)
{
    uint8_t bytes[8];
    for (int i = 0; i < 8; i++)
        bytes[i] = (uint8_t)(v >> (8 * i));
    return bytebuf_put(b, bytes, 8);
}
