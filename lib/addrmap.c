/* addrmap.c: address-to-index map with linear probing. */
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <time.h>

#include "addrmap.h"

static size_t slot_of(uint64_t address, size_t mask, uint64_t seed)
{
    /*
     * Mix every bit: addresses cluster in runs the size of the table, and
     * a hash that keeps neighbours together piles whole runs onto one
     * part of the table.  The seed keeps a crafted file from aiming
     * its addresses at one slot.
     */
    uint64_t x = (address ^ seed) * 0xbf58476d1ce4e5b9ull;
    x ^= x >> 31;
    x *= 0x94d049bb133111ebull;
    x ^= x >> 29;
    return (size_t)x & mask;
}

static uint64_t random_seed(void)
{
    uint64_t seed = 0;
    if (getrandom(&seed, sizeof seed, GRND_NONBLOCK) != (ssize_t)sizeof seed) {
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        seed = (uint64_t)now.tv_nsec * 0x9e3779b97f4a7c15ull ^ (uint64_t)now.tv_sec;
    }
    return seed;
}

/*
 * Big tables are mapped on their own and asked for huge pages: lookups
 * land on random pages, and with 4 KiB pages nearly each would also miss
 * the TLB.  Small ones come from malloc.
 */
#define MAPPED_TABLE_BYTES ((size_t)4 << 20)

static addrmap_slot *alloc_slots(size_t size)
{
    size_t bytes = size * sizeof(addrmap_slot);
    if (bytes < MAPPED_TABLE_BYTES)
        return calloc(size, sizeof(addrmap_slot));
    void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
#ifdef MADV_HUGEPAGE
    madvise(p, bytes, MADV_HUGEPAGE);
#endif
    return p;
}

static void free_slots(addrmap_slot *slots, size_t size)
{
    size_t bytes = size * sizeof(addrmap_slot);
    if (bytes < MAPPED_TABLE_BYTES)
        free(slots);
    else if (slots)
        munmap(slots, bytes);
}

static int resize(addrmap *m, size_t size)
{
    addrmap_slot *slots = alloc_slots(size);
    if (!slots)
        return -1;
    for (size_t i = 0; m->slots && i <= m->mask; i++) {
        if (!m->slots[i].address)
            continue;
        size_t j = slot_of(m->slots[i].address, size - 1, m->seed);
        while (slots[j].address)
            j = (j + 1) & (size - 1);
        slots[j] = m->slots[i];
    }
    free_slots(m->slots, m->slots ? m->mask + 1 : 0);
    m->slots = slots;
    m->mask = size - 1;
    return 0;
}

int addrmap_init(addrmap *m, size_t expected)
{
    m->slots = NULL;
    m->mask = 0;
    m->used = 0;
    m->seed = random_seed();
    size_t size = 16;
    while (size / 4 * 3 < expected && size < SIZE_MAX / 4)
        size *= 2;
    return resize(m, size);
}

void addrmap_release(addrmap *m)
{
    free_slots(m->slots, m->slots ? m->mask + 1 : 0);
    m->slots = NULL;
    m->mask = m->used = 0;
}

addrmap_slot *addrmap_upsert(addrmap *m, uint64_t address, int *added)
{
    /* Up to 3/4 full: with every bit mixed, probes stay short, and the
     * table is the biggest thing the loader holds. */
    if ((m->used + 1) * 4 > (m->mask + 1) * 3) {
        if (m->mask + 1 > SIZE_MAX / 2 / sizeof *m->slots || resize(m, (m->mask + 1) * 2) < 0)
            return NULL;
    }
    size_t i = slot_of(address, m->mask, m->seed);
    for (; m->slots[i].address; i = (i + 1) & m->mask) {
        if (m->slots[i].address == address) {
            *added = 0;
            return &m->slots[i];
        }
    }
    m->slots[i] = (addrmap_slot){.address = address};
    m->used++;
    *added = 1;
    return &m->slots[i];
}

int addrmap_insert(addrmap *m, uint64_t address, uint32_t index, uint32_t *existing)
{
    int added;
    addrmap_slot *slot = addrmap_upsert(m, address, &added);
    if (!slot)
        return -1;
    if (added) {
        slot->index = index;
        return 0;
    }
    if (existing)
        *existing = slot->index;
    return 1;
}

void addrmap_prefetch(const addrmap *m, uint64_t address)
{
    if (m->slots)
        __builtin_prefetch(&m->slots[slot_of(address, m->mask, m->seed)]);
}

addrmap_slot *addrmap_slot_of(const addrmap *m, uint64_t address)
{
    if (!m->slots || !address)
        return NULL;
    for (size_t i = slot_of(address, m->mask, m->seed); m->slots[i].address; i = (i + 1) & m->mask)
        if (m->slots[i].address == address)
            return &m->slots[i];
    return NULL;
}

uint32_t addrmap_find(const addrmap *m, uint64_t address)
{
    const addrmap_slot *slot = addrmap_slot_of(m, address);
    return slot ? slot->index : ADDRMAP_ABSENT;
}

/* Is `i` cyclically in (from, to]? */
static int between(size_t from, size_t i, size_t to)
{
    return from <= to ? from < i && i <= to : from < i || i <= to;
}

void addrmap_remove_slot(addrmap *m, addrmap_slot *slot)
{
    size_t hole = (size_t)(slot - m->slots);
    /* Shift back the entries that probed past the hole, so no probe
     * sequence is cut: linear probing then needs no tombstones. */
    for (size_t j = (hole + 1) & m->mask; m->slots[j].address; j = (j + 1) & m->mask) {
        size_t home = slot_of(m->slots[j].address, m->mask, m->seed);
        if (!between(hole, home, j)) {
            m->slots[hole] = m->slots[j];
            hole = j;
        }
    }
    m->slots[hole] = (addrmap_slot){0};
    m->used--;
}

int addrmap_remove(addrmap *m, uint64_t address)
{
    addrmap_slot *slot = addrmap_slot_of(m, address);
    if (!slot)
        return 0;
    addrmap_remove_slot(m, slot);
    return 1;
}
