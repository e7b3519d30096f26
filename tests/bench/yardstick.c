/*
 * yardstick.c: the floor for heapan's analysis.  It does the least work any
 * tool must do to compute the dominators of a heap dump, and times it:
 *
 *   yardstick DUMP
 *
 *   decode      read every record with libheapan's reader, keeping only
 *               objects (address, size), references (from, to, weak) and
 *               roots;
 *   csr         give objects dense indices in address order (radix sort,
 *               then an open-addressing hash of the sorted addresses) and
 *               build the forward CSR of the strong references;
 *   dominators  depth first from a super-root that holds every root, the
 *               predecessors in preorder numbering, semi-NCA (Georgiadis;
 *               the variant LLVM uses), and retained sizes summed bottom up
 *               over the dominator tree.
 *
 * It prints one line:
 *
 *   objects references decode_s csr_s dominators_s total_s peak_MiB \
 *       reachable_bytes retained_sum
 *
 * reachable_bytes is the super-root's retained size, the shallow size of
 * everything a root reaches strongly: `heapan top` prints it rounded as
 * "N reachable (SIZE)", `heapan report -f json` exactly as
 * summary.reachable_size.  retained_sum is the sum of the retained sizes of
 * the reachable objects, a checksum of the whole dominator tree, to compare
 * with the sum of `retained_size` over the reachable nodes of
 * `heapan export`.  `references` counts every reference read, weak ones and
 * ones to no object included.  Bad input: a one-line message naming the
 * file, exit 2.
 *
 * Invariants, as heapan reads a dump:
 *   - objects are counted once per address; the first record of an
 *     address gives its size, later ones are ignored;
 *   - a reference or root naming no object of the dump is left out;
 *   - weak references are kept while decoding but never retain: the CSR
 *     holds strong references only;
 *   - preorder number 0 is the super-root, 1..reached the objects it
 *     reaches; every array of the dominators phase is indexed by it, and
 *     idom[i] < i, so one pass in reverse preorder sums retained sizes;
 *   - no recursion anywhere: the search keeps each node's edge cursor and
 *     parent in arrays, so a chain of 10^7 objects is as easy as a tree;
 *   - sizes add modulo 2^64: heapan clamps absurd sizes (src/model/heap.c),
 *     so the two differ on dumps whose sizes sum past 2^63 only.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "heapan.h"

#define NONE UINT32_MAX
#define LOOKAHEAD 16 /* references whose hash slots are prefetched ahead */

#if defined(__GNUC__)
#define PREFETCH(p) __builtin_prefetch(p)
#else
#define PREFETCH(p) ((void)(p))
#endif

typedef struct object {
    uint64_t address, size;
} object;

/*
 * What decode keeps.  A run is references in a row with one source: run k
 * holds references run_end[k - 1] (0 for the first) to run_end[k] - 1.
 */
typedef struct dump {
    object *obj;
    size_t objects, obj_cap;
    uint64_t *run_from;  /* the source address of each run of references */
    uint32_t *run_end;
    size_t runs, run_cap;
    uint64_t *to;        /* each reference's target address */
    uint64_t *weak;      /* one bit per reference */
    size_t refs, ref_cap;
    uint64_t *root;      /* root addresses */
    size_t roots, root_cap;
} dump;

/* Objects by index (address order) and their strong references. */
typedef struct graph {
    object *obj;
    uint32_t n;
    uint32_t *start;   /* n + 1 offsets into target */
    uint32_t *target;
    uint32_t *root;    /* root indices */
    size_t roots;
} graph;

/* The dominators phase, every array by preorder number 0..reached. */
typedef struct doms {
    uint32_t reached;            /* objects the super-root reaches */
    uint32_t *pre;               /* object -> preorder number, 0 = not reached */
    uint32_t *vertex;            /* preorder number -> object */
    uint32_t *anc;               /* DFS parent, then the compressed ancestor */
    uint32_t *semi;              /* the DFS's edge cursor, then the semidominator */
    uint32_t *label, *idom;
    uint32_t *in_start, *in_src; /* predecessors, by preorder number */
    uint32_t *path;              /* eval()'s stack */
    size_t path_cap;
    uint64_t reachable_bytes, retained_sum;
} doms;

static const char *dump_path;

static void fail(const char *message)
{
    fprintf(stderr, "yardstick: %s: %s\n", dump_path, message);
    exit(2);
}

static void *resize(void *p, size_t bytes)
{
    p = realloc(p, bytes ? bytes : 1);
    if (!p)
        fail("out of memory");
    return p;
}

/* p with room for `need` items of `width` bytes; *cap doubles from 1024. */
static void *grow(void *p, size_t *cap, size_t need, size_t width)
{
    if (need <= *cap)
        return p;
    size_t n = *cap ? *cap : 1024;
    while (n < need)
        n *= 2;
    *cap = n;
    return resize(p, n * width);
}

static void *array(size_t count, size_t width)
{
    void *p = malloc(count ? count * width : 1);
    if (!p)
        fail("out of memory");
    return p;
}

static void *zeroed(size_t count, size_t width)
{
    void *p = calloc(count ? count : 1, width);
    if (!p)
        fail("out of memory");
    return p;
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static double peak_mib(void)
{
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    return (double)usage.ru_maxrss / 1024.0; /* Linux reports KiB */
}

/* ---- decode ------------------------------------------------------------ */

static void add_object(dump *d, const heapan_object *o)
{
    if (d->objects == NONE)
        fail("too many objects");
    d->obj = grow(d->obj, &d->obj_cap, d->objects + 1, sizeof *d->obj);
    d->obj[d->objects++] = (object){o->address, o->size};
}

/* ref_cap stays a power of two of at least 1024, so a whole number of 64-bit words of weak bits. */
static void grow_refs(dump *d)
{
    size_t words = d->ref_cap / 64;
    d->to = grow(d->to, &d->ref_cap, d->refs + 1, sizeof *d->to);
    d->weak = resize(d->weak, d->ref_cap / 64 * sizeof *d->weak);
    memset(d->weak + words, 0, (d->ref_cap / 64 - words) * sizeof *d->weak);
}

static void grow_runs(dump *d)
{
    size_t cap = d->run_cap;
    d->run_from = grow(d->run_from, &d->run_cap, d->runs + 1, sizeof *d->run_from);
    d->run_end = grow(d->run_end, &cap, d->runs + 1, sizeof *d->run_end);
}

/* A reference starts a new run unless it has the source of the one before. */
static void add_ref(dump *d, const heapan_ref *r)
{
    if (d->refs == NONE)
        fail("too many references");
    if (d->refs == d->ref_cap)
        grow_refs(d);
    if (!d->runs || d->run_from[d->runs - 1] != r->from) {
        if (d->runs == d->run_cap)
            grow_runs(d);
        d->run_from[d->runs++] = r->from;
    }
    d->weak[d->refs / 64] |= (uint64_t)(r->weak != 0) << (d->refs % 64);
    d->to[d->refs++] = r->to;
    d->run_end[d->runs - 1] = (uint32_t)d->refs;
}

static void add_root(dump *d, const heapan_root *r)
{
    d->root = grow(d->root, &d->root_cap, d->roots + 1, sizeof *d->root);
    d->root[d->roots++] = r->object;
}

static void decode(dump *d)
{
    heapan_reader *r;
    heapan_status st = heapan_reader_open(&r, dump_path);
    if (st == HEAPAN_OK && heapan_reader_header(r)->content != HEAPAN_CONTENT_HEAP)
        fail("not a heap dump (an allocation trace?)");
    heapan_record rec;
    while (st == HEAPAN_OK && (st = heapan_reader_next(r, &rec)) == HEAPAN_OK) {
        if (rec.kind == HEAPAN_REC_OBJECT)
            add_object(d, &rec.u.object);
        else if (rec.kind == HEAPAN_REC_REF)
            add_ref(d, &rec.u.ref);
        else if (rec.kind == HEAPAN_REC_ROOT)
            add_root(d, &rec.u.root);
    }
    if (st != HEAPAN_END)
        fail(r ? heapan_reader_error(r) : "out of memory");
    heapan_reader_close(r);
}

/* ---- csr --------------------------------------------------------------- */

static int sorted(const object *o, size_t n)
{
    for (size_t i = 1; i < n; i++)
        if (o[i - 1].address > o[i].address)
            return 0;
    return 1;
}

/* Stable LSD radix sort by address, a byte a pass, skipping bytes that every key shares. */
static object *radix_sort(object *o, size_t n)
{
    static size_t count[8][256];
    memset(count, 0, sizeof count);
    for (size_t i = 0; i < n; i++)
        for (int b = 0; b < 8; b++)
            count[b][(o[i].address >> (8 * b)) & 255]++;
    object *other = array(n, sizeof *other);
    for (int b = 0; b < 8; b++) {
        if (count[b][(o[0].address >> (8 * b)) & 255] == n)
            continue;
        size_t at = 0;
        for (int k = 0; k < 256; k++) {
            size_t c = count[b][k];
            count[b][k] = at;
            at += c;
        }
        for (size_t i = 0; i < n; i++)
            other[count[b][(o[i].address >> (8 * b)) & 255]++] = o[i];
        object *swap = o;
        o = other;
        other = swap;
    }
    free(other);
    return o;
}

/* Sorts by address and keeps the first object of each address; returns the count. */
static size_t sort_objects(dump *d)
{
    if (!sorted(d->obj, d->objects))
        d->obj = radix_sort(d->obj, d->objects);
    size_t kept = d->objects ? 1 : 0;
    for (size_t i = 1; i < d->objects; i++)
        if (d->obj[i].address != d->obj[kept - 1].address)
            d->obj[kept++] = d->obj[i];
    return kept;
}

/* Open addressing with linear probing: slot = index + 1, 0 = empty. */
typedef struct index_map {
    const object *obj;
    uint32_t *slot;
    uint64_t mask;
    int shift;
} index_map;

static uint64_t slot_of(const index_map *m, uint64_t address)
{
    return (address * 0x9e3779b97f4a7c15ull) >> m->shift;
}

static void map_build(index_map *m, const object *obj, uint32_t n)
{
    int bits = 1;
    while (((uint64_t)1 << bits) < 2 * (uint64_t)n)
        bits++;
    m->obj = obj;
    m->mask = ((uint64_t)1 << bits) - 1;
    m->shift = 64 - bits;
    m->slot = zeroed(m->mask + 1, sizeof *m->slot);
    for (uint32_t i = 0; i < n; i++) {
        uint64_t s = slot_of(m, obj[i].address);
        while (m->slot[s])
            s = (s + 1) & m->mask;
        m->slot[s] = i + 1;
    }
}

static uint32_t map_find(const index_map *m, uint64_t address)
{
    for (uint64_t s = slot_of(m, address);; s = (s + 1) & m->mask) {
        uint32_t v = m->slot[s];
        if (!v || m->obj[v - 1].address == address)
            return v ? v - 1 : NONE;
    }
}

static int is_weak(const dump *d, size_t k)
{
    return (d->weak[k / 64] >> (k % 64)) & 1;
}

/*
 * Each strong reference's target index (NONE for weak ones and ones from or
 * to no object), each run's source index, and the sources' strong
 * out-degrees, counted in g->start[source + 1].
 */
static uint32_t *resolve_refs(const dump *d, const index_map *m, uint32_t *run_src, graph *g)
{
    uint32_t *tgt = array(d->refs, sizeof *tgt);
    size_t k = 0;
    for (size_t run = 0; run < d->runs; run++) {
        uint32_t from = map_find(m, d->run_from[run]);
        run_src[run] = from;
        for (; k < d->run_end[run]; k++) {
            if (k + LOOKAHEAD < d->refs)
                PREFETCH(&m->slot[slot_of(m, d->to[k + LOOKAHEAD])]);
            tgt[k] = from == NONE || is_weak(d, k) ? NONE : map_find(m, d->to[k]);
            if (tgt[k] != NONE)
                g->start[from + 1]++;
        }
    }
    return tgt;
}

/*
 * CSR in three steps: count each list's length in start[v + 1], prefix_sum()
 * (start[v] is then where v's list begins), fill through start[v]++ (start[v]
 * is then where it ends), and unshift().  start has n + 1 entries.
 */
static void prefix_sum(uint32_t *start, uint32_t n)
{
    for (uint32_t v = 0; v < n; v++)
        start[v + 1] += start[v];
}

static void unshift(uint32_t *start, uint32_t n)
{
    memmove(start + 1, start, (size_t)n * sizeof *start);
    start[0] = 0;
}

static void fill_csr(const dump *d, const uint32_t *run_src, const uint32_t *tgt, graph *g)
{
    prefix_sum(g->start, g->n);
    g->target = array(g->start[g->n], sizeof *g->target);
    size_t k = 0;
    for (size_t run = 0; run < d->runs; run++) {
        uint32_t from = run_src[run];
        for (; k < d->run_end[run]; k++)
            if (tgt[k] != NONE)
                g->target[g->start[from]++] = tgt[k];
    }
    unshift(g->start, g->n);
}

static void map_roots(const dump *d, const index_map *m, graph *g)
{
    g->root = array(d->roots, sizeof *g->root);
    for (size_t k = 0; k < d->roots; k++) {
        uint32_t v = map_find(m, d->root[k]);
        if (v != NONE)
            g->root[g->roots++] = v;
    }
}

/* Builds the graph and frees what decode kept, but the objects. */
static void build_csr(dump *d, graph *g)
{
    g->n = (uint32_t)sort_objects(d);
    g->obj = d->obj;
    index_map m;
    map_build(&m, g->obj, g->n);
    map_roots(d, &m, g);
    g->start = zeroed((size_t)g->n + 1, sizeof *g->start);
    uint32_t *run_src = array(d->runs, sizeof *run_src);
    uint32_t *tgt = resolve_refs(d, &m, run_src, g);
    free(m.slot), free(d->to), free(d->weak), free(d->run_from), free(d->root);
    fill_csr(d, run_src, tgt, g);
    free(tgt), free(run_src), free(d->run_end);
}

/* ---- dominators -------------------------------------------------------- */

static uint32_t visit(doms *t, const graph *g, uint32_t v, uint32_t parent)
{
    uint32_t i = ++t->reached;
    t->pre[v] = i;
    t->vertex[i] = v;
    t->anc[i] = parent;
    t->semi[i] = g->start[v];
    return i;
}

/* Depth first from root object `start`, a child of the super-root. */
static void search_from(doms *t, const graph *g, uint32_t start)
{
    if (t->pre[start])
        return;
    uint32_t cur = visit(t, g, start, 0);
    while (cur) {
        uint32_t v = t->vertex[cur], end = g->start[v + 1], next = 0;
        while (t->semi[cur] < end) {
            uint32_t w = g->target[t->semi[cur]++];
            if (!t->pre[w]) {
                next = visit(t, g, w, cur);
                break;
            }
        }
        cur = next ? next : t->anc[cur];
    }
}

/*
 * The predecessors of each reached object, in preorder numbers.  A root's
 * only one is the super-root: its semidominator can be nothing else, so its
 * other holders need no eval().
 */
static void predecessors(doms *t, const graph *g)
{
    uint32_t r = t->reached;
    uint8_t *rooted = zeroed((size_t)r + 1, sizeof *rooted);
    for (size_t k = 0; k < g->roots; k++)
        rooted[t->pre[g->root[k]]] = 1;
    t->in_start = zeroed((size_t)r + 2, sizeof *t->in_start);
    for (uint32_t i = 1; i <= r; i++) {
        t->in_start[i + 1] += rooted[i];
        for (uint32_t e = g->start[t->vertex[i]]; e < g->start[t->vertex[i] + 1]; e++) {
            uint32_t w = t->pre[g->target[e]];
            t->in_start[w + 1] += !rooted[w];
        }
    }
    prefix_sum(t->in_start, r + 1);
    t->in_src = array(t->in_start[r + 1], sizeof *t->in_src);
    for (uint32_t i = 1; i <= r; i++) {
        if (rooted[i])
            t->in_src[t->in_start[i]++] = 0;
        for (uint32_t e = g->start[t->vertex[i]]; e < g->start[t->vertex[i] + 1]; e++) {
            uint32_t w = t->pre[g->target[e]];
            if (!rooted[w])
                t->in_src[t->in_start[w]++] = i;
        }
    }
    unshift(t->in_start, r + 1);
    free(rooted);
}

static void push(doms *t, size_t sp, uint32_t v)
{
    t->path = grow(t->path, &t->path_cap, sp + 1, sizeof *t->path);
    t->path[sp] = v;
}

/*
 * The label of least semidominator on v's path in the forest of the nodes
 * linked so far (numbers >= last_linked), compressing the path.
 */
static uint32_t eval(doms *t, uint32_t v, uint32_t last_linked)
{
    if (t->anc[v] < last_linked)
        return t->label[v];
    size_t sp = 0;
    do {
        push(t, sp++, v);
        v = t->anc[v];
    } while (t->anc[v] >= last_linked);
    uint32_t p = v, p_label = t->label[p];
    do {
        v = t->path[--sp];
        t->anc[v] = t->anc[p];
        if (t->semi[p_label] < t->semi[t->label[v]])
            t->label[v] = p_label;
        else
            p_label = t->label[v];
        p = v;
    } while (sp);
    return t->label[v];
}

static void semidominators(doms *t)
{
    uint32_t r = t->reached;
    for (uint32_t i = 0; i <= r; i++)
        t->semi[i] = t->label[i] = i;
    memcpy(t->idom, t->anc, ((size_t)r + 1) * sizeof *t->idom);
    for (uint32_t i = r; i >= 1; i--) {
        uint32_t s = t->anc[i];
        for (uint32_t k = t->in_start[i]; k < t->in_start[i + 1]; k++) {
            uint32_t best = eval(t, t->in_src[k], i + 1);
            if (t->semi[best] < s)
                s = t->semi[best];
        }
        t->semi[i] = s;
    }
}

static void nearest_common_ancestors(doms *t)
{
    for (uint32_t i = 1; i <= t->reached; i++) {
        uint32_t c = t->idom[i];
        while (c > t->semi[i])
            c = t->idom[c];
        t->idom[i] = c;
    }
}

static void retained_sizes(doms *t, const graph *g)
{
    uint32_t r = t->reached;
    uint64_t *retained = array((size_t)r + 1, sizeof *retained);
    retained[0] = 0;
    for (uint32_t i = 1; i <= r; i++)
        retained[i] = g->obj[t->vertex[i]].size;
    for (uint32_t i = r; i >= 1; i--) {
        retained[t->idom[i]] += retained[i];
        t->retained_sum += retained[i];
    }
    t->reachable_bytes = retained[0];
    free(retained);
}

static void dominators(const graph *g, doms *t)
{
    size_t slots = (size_t)g->n + 1;
    t->pre = zeroed(g->n, sizeof *t->pre);
    t->vertex = array(slots, sizeof *t->vertex);
    t->anc = array(slots, sizeof *t->anc);
    t->semi = array(slots, sizeof *t->semi);
    t->vertex[0] = NONE;
    t->anc[0] = 0;
    for (size_t k = 0; k < g->roots; k++)
        search_from(t, g, g->root[k]);
    predecessors(t, g);
    free(t->pre);
    t->label = array((size_t)t->reached + 1, sizeof *t->label);
    t->idom = array((size_t)t->reached + 1, sizeof *t->idom);
    semidominators(t);
    free(t->label), free(t->anc), free(t->in_start), free(t->in_src), free(t->path);
    nearest_common_ancestors(t);
    free(t->semi);
    retained_sizes(t, g);
    free(t->idom), free(t->vertex);
}

int main(int argc, char **argv)
{
    if (argc != 2 || (argv[1][0] == '-' && argv[1][1])) {
        fprintf(stderr, "usage: yardstick DUMP  (- is standard input)\n"
                        "prints: objects references decode_s csr_s dominators_s total_s "
                        "peak_MiB reachable_bytes retained_sum\n");
        return 2;
    }
    dump_path = argv[1];
    dump d = {0};
    graph g = {0};
    doms t = {0};
    double t0 = now();
    decode(&d);
    double t1 = now();
    size_t refs = d.refs;
    build_csr(&d, &g);
    double t2 = now();
    dominators(&g, &t);
    double t3 = now();
    printf("%" PRIu32 " %zu %.3f %.3f %.3f %.3f %.1f %" PRIu64 " %" PRIu64 "\n", g.n, refs,
           t1 - t0, t2 - t1, t3 - t2, t3 - t0, peak_mib(), t.reachable_bytes, t.retained_sum);
    free(g.obj), free(g.start), free(g.target), free(g.root);
    return 0;
}
