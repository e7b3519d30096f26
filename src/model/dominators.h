/*
 * dominators.h: the dominator tree of a heap over its strong references,
 * from a virtual super-root that points at every root, and what each
 * object retains: the bytes and objects that would be freed with it.
 *
 * Objects no root reaches (garbage cycles the collector has not freed yet)
 * are kept: each unreachable region hangs from the super-root by its own
 * entry objects and is flagged HEAP_OBJ_UNREACHABLE, so its retained sizes
 * are meaningful too, and reachable objects' dominators ignore it.
 */
#ifndef HEAPAN_DOMINATORS_H
#define HEAPAN_DOMINATORS_H

#include <stdint.h>

#include "model/heap.h"

typedef struct dominators {
    uint32_t count;            /* objects; the super-root is index `count` in the tree */
    uint32_t *idom;            /* immediate dominator, HEAP_NONE for the super-root */
    uint64_t *retained_size;   /* bytes freed with the object, its own included */
    uint32_t *retained_count;  /* objects freed with it, itself included */
    uint32_t reachable;        /* objects some root reaches */
    uint64_t reachable_size;
    /* The tree, after dominators_build_tree(): children of i (or of the
     * super-root, i = count) are child[child_start[i] .. child_start[i + 1]). */
    uint32_t *child_start, *child;
    /* Each object's number in a preorder of the tree: x dominates y when
     * preorder[x] <= preorder[y] < preorder[x] + retained_count[x]. */
    uint32_t *preorder;
} dominators;

/*
 * Computes idom, retained sizes and counts, and sets HEAP_OBJ_UNREACHABLE
 * on `h`.  Semi-NCA in preorder, iterative: any depth works.  Returns 0,
 * or -1 when out of memory (release `d` either way).
 */
int dominators_compute(heap *h, dominators *d);

/* Builds the child lists of the tree and its preorder; 0, or -1 when out of memory. */
int dominators_build_tree(dominators *d);

/* Does x dominate y (x == y included)?  O(1), after dominators_build_tree(). */
int dominators_dominates(const dominators *d, uint32_t x, uint32_t y);

void dominators_release(dominators *d);

#endif
