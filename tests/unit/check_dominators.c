/*
 * check_dominators.c: src/model/dominators.c against a deliberately simple
 * reference ("remove v: what can no longer be reached is dominated by v")
 * on many small random graphs, written as dumps and loaded, plus deep
 * chains and hand-made cases.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/dominators.h"
#include "model/heap.h"
#include "suites.h"
#include "testdump.h"
#include "input/dumpload.h"

#define MAX_NODES 40
#define ADDRESS(i) (0x1000u + 16u * (uint64_t)(i))

typedef struct graph {
    int n, edge_count, root_count;
    int from[MAX_NODES * 4], to[MAX_NODES * 4], weak[MAX_NODES * 4];
    int root[MAX_NODES];
    uint64_t size[MAX_NODES];
} graph;

static uint64_t rng_state;

static unsigned rnd(unsigned bound)
{
    rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
    return (unsigned)(rng_state >> 33) % bound;
}

/* Cycles, self-loops, weak edges, repeated roots, unreachable parts. */
static void random_graph(graph *g)
{
    memset(g, 0, sizeof *g);
    g->n = 1 + (int)rnd(MAX_NODES);
    g->edge_count = (int)rnd((unsigned)g->n * 3 + 1);
    for (int e = 0; e < g->edge_count; e++) {
        g->from[e] = (int)rnd((unsigned)g->n);
        g->to[e] = rnd(8) == 0 ? g->from[e] : (int)rnd((unsigned)g->n);
        g->weak[e] = rnd(6) == 0;
    }
    g->root_count = (int)rnd(4);
    for (int k = 0; k < g->root_count; k++)
        g->root[k] = (int)rnd((unsigned)g->n);
    for (int i = 0; i < g->n; i++)
        g->size[i] = 1 + rnd(100);
}

/* Objects in a shuffled order, references interleaved: forward references and split runs. */
static void write_graph(const graph *g, heap *h)
{
    test_dump d;
    test_dump_start(&d, NULL);
    uint32_t t = test_type(&d, "app", "Node");
    int order[MAX_NODES];
    for (int i = 0; i < g->n; i++)
        order[i] = i;
    for (int i = g->n - 1; i > 0; i--) {
        int j = (int)rnd((unsigned)i + 1), swap = order[i];
        order[i] = order[j], order[j] = swap;
    }
    int e = 0;
    for (int k = 0; k < g->n; k++) {
        test_object(&d, ADDRESS(order[k]), t, g->size[order[k]]);
        for (int m = rnd(4); m > 0 && e < g->edge_count; m--, e++) {
            heapan_ref r = {.from = ADDRESS(g->from[e]), .to = ADDRESS(g->to[e]),
                            .weak = g->weak[e]};
            ck_assert_int_eq(heapan_writer_ref(d.w, &r), HEAPAN_OK);
        }
    }
    for (; e < g->edge_count; e++) {
        heapan_ref r = {.from = ADDRESS(g->from[e]), .to = ADDRESS(g->to[e]), .weak = g->weak[e]};
        ck_assert_int_eq(heapan_writer_ref(d.w, &r), HEAPAN_OK);
    }
    for (int k = 0; k < g->root_count; k++)
        test_root(&d, ADDRESS(g->root[k]), HEAPAN_ROOT_MODULE);
    test_dump_finish(&d);
    ck_assert_int_eq(heap_load(h, test_dump_reader(&d), NULL, NULL), 0);
    test_dump_release(&d);
}

/* Nodes reached from `starts` over strong edges within `allowed`, never entering `removed`. */
static void reach(const graph *g, const int *starts, int start_count, const int *allowed,
                  int removed, int *seen)
{
    int queue[MAX_NODES], head = 0, tail = 0;
    memset(seen, 0, sizeof(int) * MAX_NODES);
    for (int k = 0; k < start_count; k++)
        if (starts[k] != removed && allowed[starts[k]] && !seen[starts[k]])
            seen[starts[k]] = 1, queue[tail++] = starts[k];
    while (head < tail) {
        int v = queue[head++];
        for (int e = 0; e < g->edge_count; e++) {
            int t = g->to[e];
            if (g->from[e] == v && !g->weak[e] && t != removed && allowed[t] && !seen[t])
                seen[t] = 1, queue[tail++] = t;
        }
    }
}

typedef struct reference {
    int dominates[MAX_NODES][MAX_NODES];  /* [v][x]: v strictly dominates x */
    int idom[MAX_NODES];                  /* -1: the super-root */
    int reachable[MAX_NODES];
} reference;

/*
 * Reachable nodes: dominance from the roots.  Unreachable ones: from the
 * entry objects the algorithm chose (those it hangs from the super-root),
 * within the unreachable part.
 */
static void reference_dominators(const graph *g, const int *entries, int entry_count,
                                 reference *ref)
{
    int everything[MAX_NODES], unreachable[MAX_NODES], seen[MAX_NODES];
    for (int i = 0; i < MAX_NODES; i++)
        everything[i] = 1;
    reach(g, g->root, g->root_count, everything, -1, ref->reachable);
    for (int i = 0; i < g->n; i++)
        unreachable[i] = !ref->reachable[i];
    memset(ref->dominates, 0, sizeof ref->dominates);
    for (int v = 0; v < g->n; v++) {
        const int *allowed = ref->reachable[v] ? everything : unreachable;
        if (ref->reachable[v])
            reach(g, g->root, g->root_count, everything, v, seen);
        else
            reach(g, entries, entry_count, unreachable, v, seen);
        for (int x = 0; x < g->n; x++)
            ref->dominates[v][x] = x != v && allowed[x] &&
                                   ref->reachable[x] == ref->reachable[v] && !seen[x];
    }
    for (int x = 0; x < g->n; x++) {
        ref->idom[x] = -1;
        int depth = -1;
        for (int v = 0; v < g->n; v++) {
            if (!ref->dominates[v][x])
                continue;
            int d = 0;
            for (int u = 0; u < g->n; u++)
                d += ref->dominates[u][v];
            if (d > depth)
                depth = d, ref->idom[x] = v;
        }
    }
}

/* On a mismatch, the graph goes to stderr so the case can be replayed. */
static void print_graph(const graph *g)
{
    fprintf(stderr, "%d nodes, roots:", g->n);
    for (int k = 0; k < g->root_count; k++)
        fprintf(stderr, " %d", g->root[k]);
    fprintf(stderr, "\nedges:");
    for (int e = 0; e < g->edge_count; e++)
        fprintf(stderr, " %d%s%d", g->from[e], g->weak[e] ? "~>" : "->", g->to[e]);
    fprintf(stderr, "\n");
}

static void check_against_reference(const graph *g, const heap *h, const dominators *d)
{
    int node_of[MAX_NODES], entries[MAX_NODES], entry_count = 0;
    uint32_t index_of[MAX_NODES];
    for (int i = 0; i < g->n; i++) {
        index_of[i] = heap_find_address(h, ADDRESS(i));
        ck_assert_uint_ne(index_of[i], HEAP_NONE);
        node_of[index_of[i]] = i;
    }
    for (int i = 0; i < g->n; i++)
        if ((h->flags[index_of[i]] & HEAP_OBJ_UNREACHABLE) && d->idom[index_of[i]] == HEAP_NONE)
            entries[entry_count++] = i;
    reference ref;
    reference_dominators(g, entries, entry_count, &ref);
    uint32_t reachable = 0;
    for (int x = 0; x < g->n; x++) {
        uint32_t v = index_of[x];
        reachable += ref.reachable[x];
        ck_assert_int_eq(!(h->flags[v] & HEAP_OBJ_UNREACHABLE), ref.reachable[x]);
        int idom = d->idom[v] == HEAP_NONE ? -1 : node_of[d->idom[v]];
        if (idom != ref.idom[x])
            print_graph(g);
        ck_assert_msg(idom == ref.idom[x], "node %d: idom %d, reference %d", x, idom,
                      ref.idom[x]);
        uint64_t size = g->size[x];
        uint32_t count = 1;
        for (int y = 0; y < g->n; y++)
            if (ref.dominates[x][y])
                size += g->size[y], count++;
        ck_assert_uint_eq(d->retained_size[v], size);
        ck_assert_uint_eq(d->retained_count[v], count);
    }
    ck_assert_uint_eq(d->reachable, reachable);
    /* The preorder interval test agrees with the reference's dominance, pair by pair. */
    for (int x = 0; d->preorder && x < g->n; x++)
        for (int y = 0; y < g->n; y++)
            ck_assert_msg(dominators_dominates(d, index_of[x], index_of[y]) ==
                              (x == y || ref.dominates[x][y]),
                          "does %d dominate %d?", x, y);
}

START_TEST(random_graphs_agree_with_the_reference)
{
    rng_state = 12345;
    for (int round = 0; round < 600; round++) {
        graph g;
        random_graph(&g);
        heap h;
        write_graph(&g, &h);
        ck_assert_uint_eq(h.count, (uint32_t)g.n);
        ck_assert_uint_eq(h.edge_count, (uint64_t)g.edge_count);
        dominators d;
        ck_assert_int_eq(dominators_compute(&h, &d), 0);
        ck_assert_int_eq(dominators_build_tree(&d), 0);
        check_against_reference(&g, &h, &d);
        dominators_release(&d);
        heap_release(&h);
    }
}
END_TEST

/* Each unreachable region hangs from its entry objects, whatever the file order. */
START_TEST(garbage_hangs_from_its_entry_objects)
{
    test_dump d;
    test_dump_start(&d, NULL);
    uint32_t t = test_type(&d, "app", "Node");
    for (int i = 0; i < 5; i++)
        test_object(&d, ADDRESS(i), t, 10);
    test_ref(&d, ADDRESS(1), ADDRESS(2)); /* a ring 2 -> 3 -> 4 -> 2 entered from 1 */
    test_ref(&d, ADDRESS(2), ADDRESS(3));
    test_ref(&d, ADDRESS(3), ADDRESS(4));
    test_ref(&d, ADDRESS(4), ADDRESS(2));
    test_ref(&d, ADDRESS(4), ADDRESS(0)); /* garbage pointing into the live heap */
    test_root(&d, ADDRESS(0), HEAPAN_ROOT_MODULE);
    test_dump_finish(&d);
    heap h;
    ck_assert_int_eq(heap_load(&h, test_dump_reader(&d), NULL, NULL), 0);
    dominators dom;
    ck_assert_int_eq(dominators_compute(&h, &dom), 0);
    uint32_t one = heap_find_address(&h, ADDRESS(1)), zero = heap_find_address(&h, ADDRESS(0));
    ck_assert_uint_eq(dom.reachable, 1);
    ck_assert_uint_eq(dom.reachable_size, 10);
    ck_assert_uint_eq(dom.idom[one], HEAP_NONE);
    ck_assert_uint_eq(dom.retained_size[one], 40);
    ck_assert_uint_eq(dom.retained_count[zero], 1);
    ck_assert(h.flags[one] & HEAP_OBJ_UNREACHABLE);
    ck_assert(!(h.flags[zero] & HEAP_OBJ_UNREACHABLE));
    dominators_release(&dom);
    heap_release(&h);
    test_dump_release(&d);
}
END_TEST

/* Check logs every assertion, so the loops below count failures and assert once. */
static void write_chain(test_dump *d, uint32_t length, int backwards)
{
    uint32_t t = test_type(d, "app", "Node");
    int failures = 0;
    for (uint32_t k = 0; k < length; k++) {
        uint32_t i = backwards ? length - 1 - k : k;
        heapan_object o = {.address = ADDRESS(i), .type = t, .size = 8, .refcount = 1};
        heapan_ref r = {.from = ADDRESS(i), .to = ADDRESS(i + 1)};
        failures += heapan_writer_object(d->w, &o) != HEAPAN_OK;
        if (i + 1 < length)
            failures += heapan_writer_ref(d->w, &r) != HEAPAN_OK;
    }
    ck_assert_int_eq(failures, 0);
    test_root(d, ADDRESS(0), HEAPAN_ROOT_MODULE);
}

static void check_chain(uint32_t length, int backwards)
{
    test_dump d;
    heapan_writer_options fast = {.level = 1};
    test_dump_start(&d, &fast);
    write_chain(&d, length, backwards);
    test_dump_finish(&d);
    heap h;
    ck_assert_int_eq(heap_load(&h, test_dump_reader(&d), NULL, NULL), 0);
    test_dump_release(&d);
    dominators dom;
    ck_assert_int_eq(dominators_compute(&h, &dom), 0);
    ck_assert_int_eq(dominators_build_tree(&dom), 0);
    uint32_t head = heap_find_address(&h, ADDRESS(0));
    ck_assert_uint_eq(dom.retained_size[head], 8ull * length);
    ck_assert_uint_eq(dom.retained_count[head], length);
    ck_assert_uint_eq(dom.reachable, length);
    uint32_t wrong = 0;
    for (uint32_t v = 0; v < h.count; v++) {
        uint64_t depth = (h.address[v] - ADDRESS(0)) / 16;
        uint32_t children = dom.child_start[v + 1] - dom.child_start[v];
        wrong += dom.retained_count[v] != length - depth || children != (depth + 1 < length);
    }
    ck_assert_uint_eq(wrong, 0);
    dominators_release(&dom);
    heap_release(&h);
}

/* No recursion anywhere: ten million objects in one line. */
START_TEST(a_chain_of_ten_million_objects_works)
{
    check_chain(10000000, 0);
}
END_TEST

START_TEST(a_chain_written_tail_first_works)
{
    check_chain(100000, 1);
}
END_TEST

Suite *dominators_suite(void)
{
    Suite *s = suite_create("dominators");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, random_graphs_agree_with_the_reference);
    tcase_add_test(tc, garbage_hangs_from_its_entry_objects);
    tcase_add_test(tc, a_chain_of_ten_million_objects_works);
    tcase_add_test(tc, a_chain_written_tail_first_works);
    suite_add_tcase(s, tc);
    return s;
}
