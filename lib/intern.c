/* intern.c: an open-addressing hash table of encoded payloads to ids. */
#include <stdlib.h>
#include <string.h>

#include "intern.h"

struct intern_slot {
    uint64_t hash;   /* 0 marks an empty slot */
    size_t offset;   /* key position in the arena */
    size_t len;
    uint32_t id;
    unsigned kind;
};

static uint64_t hash_key(unsigned kind, const void *key, size_t len)
{
    /* FNV-1a, then a final mix so the low bits used for slots spread well. */
    const uint8_t *p = key;
    uint64_t h = 0xcbf29ce484222325ull ^ kind;
    for (size_t i = 0; i < len; i++)
        h = (h ^ p[i]) * 0x100000001b3ull;
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    return h ? h : 1;
}

static const struct intern_slot *lookup(const intern_table *t, uint64_t h,
                                        unsigned kind, const void *key,
                                        size_t len)
{
    if (!t->slots)
        return NULL;
    for (size_t i = h & t->mask;; i = (i + 1) & t->mask) {
        const struct intern_slot *s = &t->slots[i];
        if (!s->hash)
            return s;
        if (s->hash == h && s->kind == kind && s->len == len &&
            memcmp(t->arena + s->offset, key, len) == 0)
            return s;
    }
}

uint32_t intern_find(const intern_table *t, unsigned kind, const void *key,
                     size_t len)
{
    const struct intern_slot *s = lookup(t, hash_key(kind, key, len), kind, key, len);
    return s && s->hash ? s->id : 0;
}

static int grow_slots(intern_table *t)
{
    size_t size = t->slots ? (t->mask + 1) * 2 : 1024;
    struct intern_slot *slots = calloc(size, sizeof *slots);
    if (!slots)
        return -1;
    for (size_t i = 0; t->slots && i <= t->mask; i++) {
        struct intern_slot *old = &t->slots[i];
        if (!old->hash)
            continue;
        size_t j = old->hash & (size - 1);
        while (slots[j].hash)
            j = (j + 1) & (size - 1);
        slots[j] = *old;
    }
    free(t->slots);
    t->slots = slots;
    t->mask = size - 1;
    return 0;
}

static int store_key(intern_table *t, const void *key, size_t len, size_t *offset)
{
    if (len > t->arena_cap - t->arena_len) {
        size_t cap = t->arena_cap ? t->arena_cap : 4096;
        while (cap - t->arena_len < len) {
            if (cap > SIZE_MAX / 2)
                return -1;
            cap *= 2;
        }
        uint8_t *arena = realloc(t->arena, cap);
        if (!arena)
            return -1;
        t->arena = arena;
        t->arena_cap = cap;
    }
    memcpy(t->arena + t->arena_len, key, len);
    *offset = t->arena_len;
    t->arena_len += len;
    return 0;
}

int intern_add(intern_table *t, unsigned kind, const void *key, size_t len,
               uint32_t id)
{
    if ((!t->slots || (t->used + 1) * 4 > (t->mask + 1) * 3) && grow_slots(t) < 0)
        return -1;
    uint64_t h = hash_key(kind, key, len);
    struct intern_slot *s = (struct intern_slot *)lookup(t, h, kind, key, len);
    size_t offset;
    if (store_key(t, key, len, &offset) < 0)
        return -1;
    *s = (struct intern_slot){.hash = h, .offset = offset, .len = len, .id = id, .kind = kind};
    t->used++;
    return 0;
}

void intern_release(intern_table *t)
{
    free(t->slots);
    free(t->arena);
    memset(t, 0, sizeof *t);
}
