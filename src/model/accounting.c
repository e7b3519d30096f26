/* accounting.c: a dump's memory facts, split into rows that add up to RSS. */
#include "model/accounting.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/sort.h"

/* Objects at least this big are taken to be in blocks malloc maps on their own. */
#define MMAP_THRESHOLD (128u << 10)
#define SMALL_REQUEST 512u /* pymalloc serves requests up to this */
/* Any figure read is cut to this (64 PiB): twelve rows of it add up without overflow. */
#define ACCOUNT_MAX (INT64_C(1) << 56)

static const struct {
    const char *name, *label;
} rows[ACCOUNT_ROW_COUNT] = {
    [ACCOUNT_OBJECTS] = {"python_objects", "Python objects"},
    [ACCOUNT_NOT_RESIDENT] = {"objects_not_resident", "object bytes not resident"},
    [ACCOUNT_PYMALLOC_FREE] = {"pymalloc_free_in_used_pools", "pymalloc free space in used pools"},
    [ACCOUNT_PYMALLOC_EMPTY] = {"pymalloc_empty_pools", "pymalloc empty pools and arenas"},
    [ACCOUNT_MALLOC_FREE] = {"malloc_free", "malloc free and overhead"},
    [ACCOUNT_MALLOC_MAPPED] = {"malloc_mapped_uncounted",
                               "malloc large blocks no object counts"},
    [ACCOUNT_MALLOC_UNCOUNTED] = {"malloc_in_use_uncounted",
                                  "malloc in use that no object counts"},
    [ACCOUNT_STATIC] = {"static_data", "interpreter's and libraries' static data"},
    [ACCOUNT_STACKS] = {"thread_stacks", "thread stacks"},
    [ACCOUNT_FILE] = {"file_backed", "file-backed (code, libraries)"},
    [ACCOUNT_SHARED] = {"shared_memory", "shared memory (mmap, shm)"},
    [ACCOUNT_REMAINDER] = {"not_accounted_for", "not accounted for"},
};

const char *account_row_name(account_row_kind kind)
{
    return kind < ACCOUNT_ROW_COUNT ? rows[kind].name : "";
}

const char *account_row_label(account_row_kind kind)
{
    return kind < ACCOUNT_ROW_COUNT ? rows[kind].label : "";
}

const char *account_finding_name(account_finding_kind kind)
{
    static const char *const names[ACCOUNT_FINDING_KIND_COUNT] = {
        "pymalloc_fragmentation", "malloc_keeps_freed", "outside_objects"};
    return kind < ACCOUNT_FINDING_KIND_COUNT ? names[kind] : "";
}

double accounting_percent(const accounting *a, int64_t bytes)
{
    return a->rss > 0 ? 100.0 * (double)bytes / (double)a->rss : 0;
}

/* ---- reading the facts ------------------------------------------------------ */

/* The n-th number of `key`, cut to [-1, ACCOUNT_MAX]; `otherwise` when absent. */
static int64_t number(const heap *h, const char *key, size_t n, int64_t otherwise)
{
    int64_t v;
    if (heap_property_number(h, HEAP_NONE, key, n, &v) != 0)
        return otherwise;
    return v < -1 ? -1 : v > ACCOUNT_MAX ? ACCOUNT_MAX : v;
}

/* a * b, cut to ACCOUNT_MAX. */
static uint64_t product(uint64_t a, uint64_t b)
{
    return a && b > (uint64_t)ACCOUNT_MAX / a ? (uint64_t)ACCOUNT_MAX : a * b;
}

static uint64_t positive(const heap *h, const char *key, size_t n)
{
    int64_t v = number(h, key, n, 0);
    return v > 0 ? (uint64_t)v : 0;
}

static const char *text(const heap *h, const char *key)
{
    const heap_property *p = heap_property_next(h, NULL, HEAP_NONE, key);
    return p ? heap_property_text(h, p) : NULL;
}

/* Each group of `width` numbers of a repeated key, handed to `take`. */
static void each_group(const heap *h, const char *key, size_t width,
                       void (*take)(accounting *, const int64_t *), accounting *a)
{
    int64_t group[8];
    size_t have = 0;
    for (const heap_property *p = heap_property_next(h, NULL, HEAP_NONE, key); p;
         p = heap_property_next(h, p, HEAP_NONE, key)) {
        if (p->kind != HEAPAN_VALUE_INT)
            continue;
        group[have++] = p->number;
        if (have == width) {
            take(a, group);
            have = 0;
        }
    }
}

static uint64_t clamp(int64_t v)
{
    return v <= 0 ? 0 : v > ACCOUNT_MAX ? (uint64_t)ACCOUNT_MAX : (uint64_t)v;
}

static void take_class(accounting *a, const int64_t *g)
{
    if (a->class_count < ACCOUNT_CLASSES)
        a->classes[a->class_count++] =
            (pymalloc_class){clamp(g[0]), clamp(g[1]), clamp(g[2]), clamp(g[3])};
}

static void take_mapping(accounting *a, const int64_t *g)
{
    if (a->mapping_count < ACCOUNT_MAPPINGS && g[2] > 0)
        a->mappings[a->mapping_count++] =
            (memory_mapping){clamp(g[0]), clamp(g[1]), clamp(g[2]), g[3] != 0};
}

static void read_pymalloc(const heap *h, accounting *a)
{
    const char *source = text(h, "pymalloc.source");
    a->pymalloc = !source                               ? PYMALLOC_UNKNOWN
                  : strcmp(source, "off") == 0          ? PYMALLOC_OFF
                  : strcmp(source, "arenas") == 0       ? PYMALLOC_ARENAS
                  : strcmp(source, "debug_stats") == 0  ? PYMALLOC_DEBUG_STATS
                                                        : PYMALLOC_UNKNOWN;
    if (a->pymalloc != PYMALLOC_ARENAS && a->pymalloc != PYMALLOC_DEBUG_STATS)
        return;
    a->arena_size = positive(h, "pymalloc.arena_size", 0);
    a->pool_size = positive(h, "pymalloc.pool_size", 0);
    a->arenas = positive(h, "pymalloc.arenas", 0);
    a->pools_used = positive(h, "pymalloc.pools", 0);
    a->pools_full = number(h, "pymalloc.pools", 1, -1);
    a->pools_empty = positive(h, "pymalloc.pools", 2);
    a->allocated = positive(h, "pymalloc.blocks", 0);
    a->available = positive(h, "pymalloc.blocks", 1);
    a->headers = positive(h, "pymalloc.overhead", 0);
    a->quantization = positive(h, "pymalloc.overhead", 1);
    a->alignment = positive(h, "pymalloc.overhead", 2);
    a->resident = number(h, "pymalloc.resident", 0, -1);
    for (size_t i = 0; i < ACCOUNT_TENTHS; i++) {
        int64_t n = number(h, "pymalloc.arena_live", i, -2);
        a->arena_live[i] = clamp(n);
        a->histogram |= n != -2;
    }
    each_group(h, "pymalloc.class", 4, take_class, a);
}

static void read_malloc(const heap *h, accounting *a)
{
    const char *allocator = text(h, "malloc.allocator");
    snprintf(a->allocator, sizeof a->allocator, "%s", allocator ? allocator : "");
    a->glibc = allocator && strcmp(allocator, "glibc") == 0;
    if (!a->glibc)
        return;
    a->malloc_arena = positive(h, "malloc.arena", 0);
    a->malloc_in_use = positive(h, "malloc.in_use", 0);
    a->malloc_free = positive(h, "malloc.free", 0);
    a->malloc_mmapped = positive(h, "malloc.mmapped", 0);
    a->malloc_mmapped_count = positive(h, "malloc.mmapped", 1);
    a->malloc_top_pad = positive(h, "malloc.top_pad", 0);
}

static void read_facts(const heap *h, accounting *a)
{
    const char *v = h->header.runtime_version ? h->header.runtime_version : "";
    const char *second_dot = strchr(v, '.') ? strchr(strchr(v, '.') + 1, '.') : NULL;
    snprintf(a->runtime, sizeof a->runtime, "%.*s",
             second_dot ? (int)(second_dot - v) : (int)strlen(v), v);
    a->rss = number(h, "memory.rss", 0, -1);
    a->pss = number(h, "memory.pss", 0, -1);
    a->swap = number(h, "memory.swap", 0, -1);
    a->anonymous = number(h, "memory.anonymous", 0, -1);
    a->file = number(h, "memory.file", 0, -1);
    a->shmem = number(h, "memory.shmem", 0, -1);
    a->cgroup_current = number(h, "memory.cgroup", 0, -1);
    a->cgroup_max = number(h, "memory.cgroup", 1, -1);
    a->cgroup_unlimited = a->cgroup_current >= 0 && a->cgroup_max == -1;
    a->stack = positive(h, "memory.stack", 0);
    a->static_data = positive(h, "memory.static", 0);
    a->thread_stacks = positive(h, "memory.thread_stacks", 0);
    a->threads_found = positive(h, "memory.thread_stacks", 1);
    a->threads = positive(h, "memory.thread_stacks", 2);
    int64_t not_resident = number(h, "memory.objects_not_resident", 0, -2);
    a->has_not_resident = not_resident != -2;
    a->objects_not_resident = clamp(not_resident);
    a->objects_static = positive(h, "memory.objects_static", 0);
    each_group(h, "memory.mapping", 4, take_mapping, a);
    read_pymalloc(h, a);
    read_malloc(h, a);
}

/* ---- the rows ---------------------------------------------------------------- */

static void set(accounting *a, account_row_kind k, int64_t bytes, const char *note)
{
    a->rows[k] = (account_row){.bytes = bytes, .known = 1};
    snprintf(a->rows[k].note, sizeof a->rows[k].note, "%s", note ? note : "");
}

static void unknown(accounting *a, account_row_kind k, const char *why)
{
    a->rows[k] = (account_row){.known = 0};
    snprintf(a->rows[k].note, sizeof a->rows[k].note, "%s", why);
}

/* Bytes of objects malloc is likely to have mapped on their own. */
static uint64_t large_object_bytes(const heap *h)
{
    uint64_t sum = 0;
    for (uint32_t i = 0; i < h->count && sum < (uint64_t)ACCOUNT_MAX; i++)
        sum += h->size[i] >= MMAP_THRESHOLD ? h->size[i] : 0;
    return sum < (uint64_t)ACCOUNT_MAX ? sum : (uint64_t)ACCOUNT_MAX;
}

/* "512 KiB": a note's size, in the model (the renderers' format_bytes() is theirs). */
static const char *format_kib(uint64_t bytes, char *buf, size_t size)
{
    snprintf(buf, size, "%llu KiB", (unsigned long long)(bytes >> 10));
    return buf;
}

static void pymalloc_rows(accounting *a)
{
    char why[160];
    if (a->pymalloc == PYMALLOC_OFF || a->pymalloc == PYMALLOC_UNKNOWN) {
        const char *note = a->pymalloc == PYMALLOC_OFF
                               ? "pymalloc is not in use: objects are in malloc"
                               : "not recorded by this producer";
        if (a->pymalloc == PYMALLOC_OFF) {
            set(a, ACCOUNT_PYMALLOC_FREE, 0, note);
            set(a, ACCOUNT_PYMALLOC_EMPTY, 0, note);
        } else {
            unknown(a, ACCOUNT_PYMALLOC_FREE, note);
            unknown(a, ACCOUNT_PYMALLOC_EMPTY, note);
        }
        return;
    }
    uint64_t free_in_used = a->available + a->headers + a->quantization; /* 3 * 2^56 at most */
    set(a, ACCOUNT_PYMALLOC_FREE, (int64_t)free_in_used, "");
    if (a->resident >= 0) {
        int64_t empty = a->resident - (int64_t)(a->allocated + free_in_used);
        set(a, ACCOUNT_PYMALLOC_EMPTY, empty > 0 ? empty : 0, "");
    } else {
        /*
         * Pools are carved from an arena one by one, and a new arena is mapped
         * only when none has a pool left: so at most one arena holds pools never
         * used (never touched).  The other empty pools were used, and are resident.
         */
        uint64_t per_arena = a->pool_size ? a->arena_size / a->pool_size : 0;
        uint64_t used_once = a->pools_empty > per_arena ? a->pools_empty - per_arena : 0;
        char most[32];
        snprintf(why, sizeof why,
                 "at least; up to %s more, if the newest arena's unused pools were touched "
                 "(unknown on %s)",
                 format_kib(product(a->pools_empty - used_once, a->pool_size), most, sizeof most),
                 a->runtime);
        set(a, ACCOUNT_PYMALLOC_EMPTY, (int64_t)product(used_once, a->pool_size), why);
    }
}

static void malloc_rows(const heap *h, accounting *a, uint64_t objects_outside)
{
    if (!a->glibc) {
        char why[160];
        snprintf(why, sizeof why, "malloc is %.100s, not glibc: its totals are unknown",
                 *a->allocator ? a->allocator : "not recorded");
        unknown(a, ACCOUNT_MALLOC_FREE, why);
        unknown(a, ACCOUNT_MALLOC_MAPPED, why);
        unknown(a, ACCOUNT_MALLOC_UNCOUNTED, why);
        return;
    }
    /* The top chunk is mostly memory sbrk() gave and nothing wrote yet. */
    uint64_t free_resident =
        a->malloc_free > a->malloc_top_pad ? a->malloc_free - a->malloc_top_pad : 0;
    set(a, ACCOUNT_MALLOC_FREE, (int64_t)free_resident, "");
    uint64_t in_use = a->malloc_in_use + a->malloc_mmapped;
    uint64_t uncounted = in_use > objects_outside ? in_use - objects_outside : 0;
    uint64_t large = large_object_bytes(h);
    uint64_t mapped = a->malloc_mmapped > large ? a->malloc_mmapped - large : 0;
    if (mapped > uncounted)
        mapped = uncounted;
    set(a, ACCOUNT_MALLOC_MAPPED, (int64_t)mapped, "");
    set(a, ACCOUNT_MALLOC_UNCOUNTED, (int64_t)(uncounted - mapped), "");
}

static void process_rows(accounting *a)
{
    char why[160];
    /* Static objects (built-in types; immortal ints and strings) count as objects. */
    uint64_t data = a->static_data > a->objects_static ? a->static_data - a->objects_static : 0;
    set(a, ACCOUNT_STATIC, (int64_t)data, "");
    if (a->threads > 1 && a->threads_found + 1 < a->threads)
        snprintf(why, sizeof why,
                 "the main stack, and %llu of %llu other threads' (the rest: in the remainder)",
                 (unsigned long long)a->threads_found, (unsigned long long)(a->threads - 1));
    else
        why[0] = '\0';
    set(a, ACCOUNT_STACKS, (int64_t)(a->stack + a->thread_stacks), why);
    if (a->file >= 0)
        set(a, ACCOUNT_FILE, a->file, "");
    else
        unknown(a, ACCOUNT_FILE, "not in /proc/self/status");
    if (a->shmem >= 0)
        set(a, ACCOUNT_SHARED, a->shmem, "");
    else
        unknown(a, ACCOUNT_SHARED, "not in /proc/self/status");
}

static int64_t row_sum(const accounting *a)
{
    int64_t sum = 0;
    for (int k = 0; k < ACCOUNT_REMAINDER; k++)
        sum += a->rows[k].bytes;
    return sum;
}

/* ---- the findings ----------------------------------------------------------- */

static int is_gap(account_row_kind k)
{
    return k != ACCOUNT_OBJECTS && k != ACCOUNT_NOT_RESIDENT && k != ACCOUNT_FILE;
}

static void add_finding(accounting *a, account_finding_kind kind, account_row_kind row,
                        uint64_t bytes)
{
    a->findings[a->finding_count++] = (account_finding){kind, row, bytes};
}

/* A share of RSS worth a finding: a tenth, and 1 MiB at least. */
static int big(const accounting *a, int64_t bytes)
{
    return bytes >= (1 << 20) && bytes >= a->rss / 10;
}

static void find(accounting *a)
{
    a->main_gap = ACCOUNT_REMAINDER;
    for (int k = 0; k < ACCOUNT_ROW_COUNT; k++)
        if (is_gap((account_row_kind)k) && a->rows[k].bytes > a->rows[a->main_gap].bytes)
            a->main_gap = (account_row_kind)k;
    const account_row *r = a->rows;
    int64_t pymalloc_waste = r[ACCOUNT_PYMALLOC_FREE].bytes + r[ACCOUNT_PYMALLOC_EMPTY].bytes;
    /* Arenas at least a quarter wasted: long-lived blocks pin them. */
    if (big(a, pymalloc_waste) &&
        product((uint64_t)pymalloc_waste, 4) >= product(a->arenas, a->arena_size))
        add_finding(a, ACCOUNT_FRAGMENTATION,
                    r[ACCOUNT_PYMALLOC_FREE].bytes >= r[ACCOUNT_PYMALLOC_EMPTY].bytes
                        ? ACCOUNT_PYMALLOC_FREE
                        : ACCOUNT_PYMALLOC_EMPTY,
                    (uint64_t)pymalloc_waste);
    if (a->glibc && big(a, r[ACCOUNT_MALLOC_FREE].bytes) &&
        a->malloc_free > a->malloc_in_use)
        add_finding(a, ACCOUNT_MALLOC_KEEPS, ACCOUNT_MALLOC_FREE,
                    (uint64_t)r[ACCOUNT_MALLOC_FREE].bytes);
    static const account_row_kind outside[] = {ACCOUNT_MALLOC_UNCOUNTED, ACCOUNT_MALLOC_MAPPED,
                                               ACCOUNT_SHARED, ACCOUNT_REMAINDER};
    account_row_kind most = ACCOUNT_REMAINDER;
    for (size_t i = 0; i < sizeof outside / sizeof outside[0]; i++)
        if (r[outside[i]].bytes > r[most].bytes)
            most = outside[i];
    /* A dump cut short leaves objects it did not read in the remainder: no finding. */
    if (big(a, r[most].bytes) && !(a->incomplete && most == ACCOUNT_REMAINDER))
        add_finding(a, ACCOUNT_OUTSIDE_OBJECTS, most, (uint64_t)r[most].bytes);
}

static int by_value(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/*
 * Without the arenas' own counts (before 3.12), how full each pool is,
 * from the addresses of the dumped objects small enough for pymalloc: a
 * pool is the aligned block of pool_size that holds the object.
 */
static int pool_histogram(const heap *h, accounting *a)
{
    uint64_t mask = a->pool_size - 1;
    if (a->pool_size < 4096 || (a->pool_size & mask))
        return 0;
    size_t n = 0;
    for (uint32_t i = 0; i < h->count; i++)
        n += h->size[i] && h->size[i] <= SMALL_REQUEST;
    uint64_t *key = malloc((n ? n : 1) * sizeof *key);
    if (!key)
        return -1;
    n = 0;
    /* A block's size (a multiple of 16, at most 512) fits below the pool's alignment. */
    for (uint32_t i = 0; i < h->count; i++)
        if (h->size[i] && h->size[i] <= SMALL_REQUEST)
            key[n++] = (h->address[i] & ~mask) | ((h->size[i] + 15) & ~(uint64_t)15);
    sort_items(key, n, sizeof *key, by_value);
    /* Sorted, the objects of one pool are one run. */
    for (size_t i = 0; i < n;) {
        uint64_t pool = key[i] & ~mask, live = 0;
        for (; i < n && (key[i] & ~mask) == pool; i++)
            live += key[i] & mask;
        size_t tenth = (size_t)(live * ACCOUNT_TENTHS / a->pool_size);
        a->arena_live[tenth < ACCOUNT_TENTHS ? tenth : ACCOUNT_TENTHS - 1]++;
    }
    a->histogram = 2;
    free(key);
    return 0;
}

int accounting_build(const heap *h, accounting *a)
{
    *a = (accounting){0};
    read_facts(h, a);
    if (a->rss < 0)
        return 0;
    a->present = 1;
    a->incomplete = h->status != HEAPAN_END;
    uint64_t objects = h->total_size < (uint64_t)ACCOUNT_MAX ? h->total_size : ACCOUNT_MAX;
    set(a, ACCOUNT_OBJECTS, (int64_t)objects, "");
    if (a->has_not_resident)
        set(a, ACCOUNT_NOT_RESIDENT, -(int64_t)a->objects_not_resident, "");
    else
        unknown(a, ACCOUNT_NOT_RESIDENT, "not recorded (the dump was cut short)");
    pymalloc_rows(a);
    /* Resident object bytes that are neither pymalloc's blocks nor static data. */
    uint64_t in_pymalloc = a->allocated + a->objects_static;
    uint64_t outside = objects > in_pymalloc ? objects - in_pymalloc : 0;
    malloc_rows(h, a, outside);
    process_rows(a);
    int64_t rest = a->rss - row_sum(a);
    set(a, ACCOUNT_REMAINDER, rest,
        rest < 0 ? "negative: a row counts pages that were never touched, and so not in RSS" : "");
    find(a);
    if (!a->histogram && a->finding_count && a->findings[0].kind == ACCOUNT_FRAGMENTATION)
        return pool_histogram(h, a);
    return 0;
}
