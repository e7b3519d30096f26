/*
 * dominators.c: semi-NCA (Georgiadis; the variant LLVM uses) over the
 * heap's strong references.  Every array is indexed by preorder number:
 * 0 is the super-root, 1..n the objects in depth-first order.
 */
#include <stdlib.h>
#include <string.h>

#include "model/dominators.h"
#include "grow.h"

typedef struct work {
    const heap *h;
    uint32_t n, visited, reachable;
    uint32_t *pre;     /* object -> preorder number, 0 = not visited yet */
    uint32_t *vertex;  /* preorder number -> object */
    uint32_t *anc;     /* DFS parent, then the compressed ancestor */
    uint32_t *semi;    /* the DFS's edge cursor, then the semidominator */
    uint32_t *label;
    uint32_t *idom;    /* DFS parent, then the immediate dominator */
    uint32_t *stack;   /* eval()'s path, grown as needed */
    size_t stack_cap;
} work;

static void visit(work *w, uint32_t v, uint32_t parent)
{
    uint32_t i = ++w->visited;
    w->pre[v] = i;
    w->vertex[i] = v;
    w->anc[i] = parent;
    w->semi[i] = w->h->out_start[v];
}

/*
 * Depth-first from `start` without a stack: each node's next edge waits
 * in semi[], and a finished node hands over to its parent through anc[].
 */
static void search_from(work *w, uint32_t start)
{
    const heap *h = w->h;
    if (w->pre[start])
        return;
    visit(w, start, 0);
    uint32_t cur = w->visited;
    while (cur) {
        uint32_t v = w->vertex[cur], end = h->out_start[v] + h->out_count[v];
        uint32_t next = 0;
        while (w->semi[cur] < end) {
            uint32_t t = h->out_target[w->semi[cur]++];
            if (!(t & HEAP_WEAK_BIT) && !w->pre[t]) {
                visit(w, t, cur);
                next = w->visited;
                break;
            }
        }
        cur = next ? next : w->anc[cur];
    }
}

/* Does anything not visited yet hold v strongly (itself aside)? */
static int has_unvisited_holder(const work *w, uint32_t v)
{
    const heap *h = w->h;
    for (uint32_t k = h->in_start[v]; k < h->in_start[v + 1]; k++) {
        uint32_t s = h->in_source[k];
        if (!(s & HEAP_WEAK_BIT) && s != v && !w->pre[s])
            return 1;
    }
    return 0;
}

/*
 * Numbers everything: first what the roots reach, then each unreachable
 * region from its entry objects (nothing unvisited holds them), and last
 * what is left, pure cycles, from any member.
 */
static void search(work *w)
{
    const heap *h = w->h;
    for (size_t k = 0; k < h->root_count; k++)
        search_from(w, h->roots[k].object);
    w->reachable = w->visited;
    for (uint32_t v = 0; v < w->n && w->visited < w->n; v++)
        if (!w->pre[v] && !has_unvisited_holder(w, v))
            search_from(w, v);
    for (uint32_t v = 0; v < w->n && w->visited < w->n; v++)
        search_from(w, v);
}

static int push(work *w, size_t sp, uint32_t v)
{
    if (grow(&w->stack, sizeof *w->stack, &w->stack_cap, sp + 1) < 0)
        return -1;
    w->stack[sp] = v;
    return 0;
}

/*
 * The label with the least semidominator on v's compressed path among
 * the nodes linked so far (numbers >= last_linked), compressing the path.
 */
static int eval(work *w, uint32_t v, uint32_t last_linked, uint32_t *result)
{
    if (w->anc[v] < last_linked) {  /* v is unlinked, or the root of its linked tree */
        *result = w->label[v];
        return 0;
    }
    size_t sp = 0;
    do {
        if (push(w, sp++, v) < 0)
            return -1;
        v = w->anc[v];
    } while (w->anc[v] >= last_linked);
    uint32_t p = v, p_label = w->label[p];
    do {
        v = w->stack[--sp];
        w->anc[v] = w->anc[p];
        if (w->semi[p_label] < w->semi[w->label[v]])
            w->label[v] = p_label;
        else
            p_label = w->label[v];
        p = v;
    } while (sp);
    *result = w->label[v];
    return 0;
}

static int semidominators(work *w)
{
    const heap *h = w->h;
    uint32_t n = w->n, reachable = w->reachable;
    for (uint32_t i = 0; i <= n; i++)
        w->semi[i] = w->label[i] = i;
    memcpy(w->idom, w->anc, ((size_t)n + 1) * sizeof *w->idom);
    for (uint32_t i = n; i >= 1; i--) {
        uint32_t v = w->vertex[i];
        w->semi[i] = w->anc[i];
        if (h->flags[v] & HEAP_OBJ_ROOT) {
            w->semi[i] = 0;  /* the super-root holds it directly */
            continue;
        }
        for (uint32_t k = h->in_start[v]; k < h->in_start[v + 1]; k++) {
            uint32_t s = h->in_source[k];
            if (s & HEAP_WEAK_BIT)
                continue;
            uint32_t u = w->pre[s];
            if (i <= reachable && u > reachable)
                continue;  /* garbage pointing into the live heap does not hold it */
            uint32_t best;
            if (eval(w, u, i + 1, &best) < 0)
                return -1;
            if (w->semi[best] < w->semi[i])
                w->semi[i] = w->semi[best];
        }
    }
    return 0;
}

static void nearest_common_ancestors(work *w)
{
    for (uint32_t i = 1; i <= w->n; i++) {
        uint32_t c = w->idom[i];
        while (c > w->semi[i])
            c = w->idom[c];
        w->idom[i] = c;
    }
}

static int retained(work *w, heap *h, dominators *d)
{
    uint32_t n = w->n;
    d->retained_size = malloc((n ? n : 1) * sizeof *d->retained_size);
    d->retained_count = malloc((n ? n : 1) * sizeof *d->retained_count);
    if (!d->retained_size || !d->retained_count)
        return -1;
    if (n)
        memcpy(d->retained_size, h->size, (size_t)n * sizeof *h->size);
    for (uint32_t v = 0; v < n; v++)
        d->retained_count[v] = 1;
    for (uint32_t i = n; i >= 1; i--) {
        uint32_t v = w->vertex[i], p = w->idom[i];
        if (p) {
            uint32_t pv = w->vertex[p];
            d->retained_size[pv] += d->retained_size[v];
            d->retained_count[pv] += d->retained_count[v];
        }
        d->idom[v] = p ? w->vertex[p] : HEAP_NONE;
    }
    d->reachable = w->reachable;
    d->reachable_size = 0;
    for (uint32_t i = 1; i <= n; i++) {
        uint32_t v = w->vertex[i];
        if (i > w->reachable)
            h->flags[v] |= HEAP_OBJ_UNREACHABLE;
        else
            d->reachable_size += h->size[v];
    }
    return 0;
}

static void release_work(work *w)
{
    free(w->pre), free(w->vertex), free(w->anc), free(w->semi), free(w->label);
    free(w->idom), free(w->stack);
}

int dominators_compute(heap *h, dominators *d)
{
    memset(d, 0, sizeof *d);
    uint32_t n = h->count;
    d->count = n;
    size_t slots = (size_t)n + 1;
    work w = {.h = h, .n = n};
    w.pre = calloc(slots, sizeof *w.pre);
    w.vertex = malloc(slots * sizeof *w.vertex);
    w.anc = malloc(slots * sizeof *w.anc);
    w.semi = malloc(slots * sizeof *w.semi);
    w.label = malloc(slots * sizeof *w.label);
    w.idom = malloc(slots * sizeof *w.idom);
    int failed = !w.pre || !w.vertex || !w.anc || !w.semi || !w.label || !w.idom;
    if (!failed) {
        w.vertex[0] = HEAP_NONE;
        w.anc[0] = 0;
        search(&w);
        failed = semidominators(&w) < 0;
    }
    if (!failed) {
        free(w.label), free(w.anc), free(w.pre), free(w.stack);
        w.label = w.anc = w.pre = w.stack = NULL;
        nearest_common_ancestors(&w);
        free(w.semi);
        w.semi = NULL;
        /* allocated only now: the peak is the search's arrays, not these as well */
        d->idom = malloc(slots * sizeof *d->idom);
        failed = !d->idom || retained(&w, h, d) < 0;
    }
    release_work(&w);
    return failed ? -1 : 0;
}

/* Numbers the tree depth first from the super-root, with an explicit stack: any depth works. */
static int number_in_preorder(dominators *d)
{
    uint32_t n = d->count;
    uint32_t *stack = malloc(((size_t)n + 1) * sizeof *stack);
    d->preorder = malloc((n ? n : 1) * sizeof *d->preorder);
    if (!stack || !d->preorder) {
        free(stack);
        return -1;
    }
    size_t sp = 0;
    uint32_t next = 0;
    stack[sp++] = n;
    while (sp) {
        uint32_t v = stack[--sp];
        if (v != n)
            d->preorder[v] = next++;
        /* in reverse, so that the first child is numbered first */
        for (uint32_t k = d->child_start[v + 1]; k > d->child_start[v]; k--)
            stack[sp++] = d->child[k - 1];
    }
    free(stack);
    return 0;
}

int dominators_build_tree(dominators *d)
{
    uint32_t n = d->count;
    d->child_start = calloc((size_t)n + 2, sizeof *d->child_start);
    d->child = malloc((n ? n : 1) * sizeof *d->child);
    if (!d->child_start || !d->child)
        return -1;
    for (uint32_t v = 0; v < n; v++)
        d->child_start[(d->idom[v] == HEAP_NONE ? n : d->idom[v]) + 1]++;
    for (uint32_t p = 0; p <= n; p++)
        d->child_start[p + 1] += d->child_start[p];
    for (uint32_t v = 0; v < n; v++)
        d->child[d->child_start[d->idom[v] == HEAP_NONE ? n : d->idom[v]]++] = v;
    memmove(d->child_start + 1, d->child_start, ((size_t)n + 1) * sizeof *d->child_start);
    d->child_start[0] = 0;
    return number_in_preorder(d);
}

int dominators_dominates(const dominators *d, uint32_t x, uint32_t y)
{
    return d->preorder[x] <= d->preorder[y] &&
           d->preorder[y] - d->preorder[x] < d->retained_count[x];
}

void dominators_release(dominators *d)
{
    free(d->idom), free(d->retained_size), free(d->retained_count);
    free(d->child_start), free(d->child), free(d->preorder);
    memset(d, 0, sizeof *d);
}
