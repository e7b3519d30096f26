/*
 * heap.h: the heap model every analysis stands on.  One pass over a dump
 * fills flat arrays: objects by dense index (0..count-1), references as
 * compressed sparse rows in both directions, roots, types, frames, stacks
 * and shapes.  Loading never prints; what went wrong is kept as warnings.
 *
 * The layering rule, for whoever adds to the tool: input/ reads files
 * into this model; model/, report/ and trace/ compute on it and never
 * print, exit or parse a command line; render/ turns what they computed
 * into documents and markups (render/doc.h); cmd/ parses options, calls
 * them in order and owns the process (messages, exit codes, files).  A
 * stage includes only the stages before it; tests/layering.test checks.
 */
#ifndef HEAPAN_HEAP_H
#define HEAPAN_HEAP_H

#include <stddef.h>
#include <stdint.h>

#include "heapan.h"

/* No object: "only the super-root dominates it", "no parent". */
#define HEAP_NONE UINT32_MAX
/* Objects are indexed below this; the top bit of an edge word marks weak. */
#define HEAP_MAX_OBJECTS 0x7fffffffu
#define HEAP_WEAK_BIT 0x80000000u
#define HEAP_INDEX_MASK 0x7fffffffu

/* Object flags (heap.flags[i]). */
enum {
    HEAP_OBJ_GC_TRACKED = 1u << 0,
    HEAP_OBJ_DICT_MATERIALISED = 1u << 1,
    HEAP_OBJ_ROOT = 1u << 2,         /* named by at least one root */
    HEAP_OBJ_UNREACHABLE = 1u << 3,  /* set by dominators_compute() */
    HEAP_OBJ_DEFINED = 1u << 4,      /* its object record was read (loading only) */
    HEAP_OBJ_HAS_HASH = 1u << 5,     /* value_hash[i] holds the hash of its str/bytes value */
    HEAP_OBJ_FROZEN = 1u << 6,       /* in the collector's permanent generation (gc.freeze()) */
    HEAP_OBJ_REDEFINED = 1u << 7     /* more than one object record named it (loading only) */
};

/* An edge label whose value does not fit inline lives in a side table. */
#define HEAP_LABEL_BIG 0x80000000u

typedef struct heap_root {
    uint32_t object;
    uint8_t kind;     /* heapan_root_kind */
    uint32_t label;   /* string id, 0 if none */
} heap_root;

/* A fact of a PROPERTY record: of an object, or of the process (object HEAP_NONE). */
typedef struct heap_property {
    uint32_t object;
    uint32_t key;        /* string id */
    uint8_t kind;        /* heapan_value_kind */
    int64_t number;      /* INT and BOOL */
    uint64_t text;       /* TEXT and BYTES: offset in heap.property_text, NUL-terminated */
    uint32_t len;
    uint64_t address;    /* the object's, 0 for the process */
    uint32_t order;      /* its place in the file */
} heap_property;

typedef struct heap_stack {
    uint32_t parent, frame;
} heap_stack;

typedef struct heap {
    heapan_reader *reader;   /* kept open: it owns the string table */
    /* Without a reader (a V8 snapshot) the heap owns its strings: id k >= 1
     * is pool + pool_start[k - 1], NUL-terminated, and ends one byte before
     * string k + 1 starts (pool_start has pool_count + 1 entries). */
    char *pool;
    uint64_t *pool_start;
    uint32_t pool_count;
    heapan_header header;

    /* Objects, by index. */
    uint32_t count;
    uint64_t *address;
    uint64_t *size;
    uint32_t *type;          /* type id */
    uint32_t *length;        /* len(), saturated at UINT32_MAX; NULL for V8 (heap_length()) */
    uint8_t *flags;
    uint32_t *stack;         /* allocation stack id; NULL if no object has one */
    uint32_t *shape;         /* attribute-name shape id; NULL if none has one */
    uint64_t *value_hash;    /* hash of a str/bytes value; NULL if no object has one */
    uint32_t *name;          /* V8: each node's name (a string's value); NULL for dumps */
    uint64_t total_size;

    /* References from i: out_target[out_start[i] .. out_start[i] + out_count[i]). */
    uint64_t edge_count;
    uint32_t *out_start, *out_count;
    uint32_t *out_target;    /* index | HEAP_WEAK_BIT */
    uint32_t *out_label;     /* string id, number, or HEAP_LABEL_BIG | side-table index */
    uint8_t *out_label_kind; /* heapan_label_kind */
    int64_t *big_labels;
    size_t big_label_count;
    /* References to i: in_source[in_start[i] .. in_start[i + 1]). */
    uint32_t *in_start;
    uint32_t *in_source;     /* index | HEAP_WEAK_BIT */
    uint64_t weak_edge_count;

    heap_root *roots;
    size_t root_count;

    /* By object (the process's last), each object's in file order. */
    heap_property *properties;
    size_t property_count;
    char *property_text;
    size_t property_text_len;

    heapan_type *types;      /* by id; [0] is unused */
    uint32_t type_count;     /* ids 1..type_count-1 */
    heapan_frame *frames;
    uint32_t frame_count;
    heap_stack *stacks;
    uint32_t stack_count;
    uint32_t *shape_start;   /* names of shape s: shape_names[shape_start[s] .. [s+1]) */
    uint32_t *shape_names;
    uint32_t shape_count;

    heapan_status status;    /* HEAPAN_END when the whole dump was read */
    char **warnings;         /* what every report must show */
    size_t warning_count;
} heap;

/* Called now and then while loading with the decompressed bytes read. */
typedef void (*heap_progress_fn)(void *ctx, uint64_t bytes_read);

/* Frees what a loader (input/dumpload.h, input/snapshot.h) filled in. */
void heap_release(heap *h);

/* The bytes of string `id` ("" if none); *len gets the length if not NULL. */
const char *heap_string(const heap *h, uint32_t id, size_t *len);

/* len() of object i, 0 when the heap has no lengths. */
uint32_t heap_length(const heap *h, uint32_t i);

/* Is this heap from a V8 heap snapshot (rather than a Python dump)? */
int heap_is_v8(const heap *h);

/* String ids run from 1 to this, inclusive. */
uint32_t heap_string_count(const heap *h);

/* No object is larger than the largest virtual address space of any 64-bit CPU (57 bits). */
#define HEAP_OBJECT_SIZE_MAX (UINT64_C(1) << 56)

/*
 * For loaders that fill the arrays themselves: builds the reverse edges,
 * flags the roots, sums the sizes.  Sizes past HEAP_OBJECT_SIZE_MAX, and
 * past a total of INT64_MAX, are clamped with a warning, so that no sum or
 * difference of sizes overflows.  0, or -1 when out of memory.
 */
int heap_link(heap *h);

/*
 * "file:line in function", or "file:line" when the function is not known
 * (tracemalloc's frames name none), into buf; returns what snprintf does.
 */
int heap_frame_text(const char *file, unsigned line, const char *function, char *buf, size_t size);

/* The qualified type name of object i, and its module ("" if none). */
const char *heap_type_name(const heap *h, uint32_t i);
const char *heap_type_module(const heap *h, uint32_t i);

/* Does an edge label of this kind name a string id, or a number? */
int heap_label_is_string(unsigned kind);
int heap_label_is_number(unsigned kind);

/* Is edge e an object's __dict__ (a FIELD labelled "__dict__")? */
int heap_edge_is_dict(const heap *h, uint64_t e);

/* The number a numeric edge label stands for. */
int64_t heap_label_number(const heap *h, uint64_t edge);

/* The index of the object at `address`, or HEAP_NONE (a linear scan). */
uint32_t heap_find_address(const heap *h, uint64_t address);

/* The first strong reference from `from` to `to`, or UINT64_MAX. */
uint64_t heap_find_edge(const heap *h, uint32_t from, uint32_t to);

/*
 * The property of `object` (HEAP_NONE: the process) named `key` that
 * follows `after` in file order (NULL: the first), or NULL.
 */
const heap_property *heap_property_next(const heap *h, const heap_property *after,
                                        uint32_t object, const char *key);

/* The n-th number of `key` for `object` into *out; 0, or -1 when it has none. */
int heap_property_number(const heap *h, uint32_t object, const char *key, size_t n,
                         int64_t *out);

/* The text of a TEXT or BYTES property ("" otherwise). */
const char *heap_property_text(const heap *h, const heap_property *p);

/* The innermost frame of object i's allocation stack, 0 if none. */
uint32_t heap_site(const heap *h, uint32_t i);

/* An object with a sort key, for rankings. */
typedef struct ranked {
    uint64_t key;
    uint32_t object;
} ranked;

/* qsort() order: largest key first, then lowest index. */
int ranked_descending(const void *a, const void *b);

/* Adds a warning; returns -1 only when out of memory. */
int heap_warn(heap *h, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

#endif
