/*
 * paths.h: retention paths: for any object, a shortest chain of strong
 * references from a root, and its text as a Python user reads it:
 *   module app.cache . _CACHE [ 'user:42' ] . payload
 * Paths start from module, frame, thread and other named roots when any
 * reaches the object; from interned strings and objects held outside the
 * heap (external roots) only when nothing else does.
 */
#ifndef HEAPAN_PATHS_H
#define HEAPAN_PATHS_H

#include <stddef.h>
#include <stdint.h>

#include "model/heap.h"

/* parent[v] for an object a root reaches directly: this bit | the root's index. */
#define PATH_ROOT_BIT 0x80000000u

typedef struct retention {
    uint32_t *parent;  /* the object before v on its path; HEAP_NONE: unreachable */
} retention;

/* Breadth-first from the roots over strong references; 0, or -1 when out of memory. */
int retention_compute(const heap *h, retention *p);
void retention_release(retention *p);

typedef struct path_step {
    uint32_t object;
    uint64_t edge;  /* the reference from the previous step's object; unused for the first */
} path_step;

/* A path, root first.  Very long ones keep both ends and count what is left out. */
typedef struct path {
    size_t root;        /* index into heap.roots */
    path_step *steps;   /* steps[0] is the root object */
    size_t count;
    size_t elided_after;  /* steps after this one were left out... */
    uint64_t elided;      /* ...this many */
} path;

/*
 * The path to `v`.  With `via` (an object holding v strongly, or
 * HEAP_NONE) the path ends "... via -> v": another route than the
 * shortest.  Returns 1 when found, 0 when no root reaches v (or via), -1
 * when out of memory.  Free with path_release().
 */
int path_find(const heap *h, const retention *p, uint32_t v, uint32_t via, path *out);
void path_release(path *out);

/* The number of references from the root to the end of the path. */
uint64_t path_length(const path *p);

/*
 * The path's text into a new NUL-terminated string (free it), or NULL
 * when out of memory.  Keys are quoted and escaped like Python's repr();
 * the text still comes from the dump: escape it for the output format.
 */
char *path_text(const heap *h, const path *p);

/* The text of root `k` ("module app.cache"), or NULL when out of memory. */
char *root_text(const heap *h, size_t k);

/* The text of reference `edge` to `target` (" . name", " [ 3 ]"), or NULL. */
char *edge_text(const heap *h, uint64_t edge, uint32_t target);

#endif
