/* histogram.c: grouping objects, with retained sizes of whole groups. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grow.h"
#include "model/histogram.h"
#include "model/sort.h"

/* Keys run from 0 to this, exclusive. */
static size_t key_space(const heap *h, group_by by)
{
    switch (by) {
    case GROUP_BY_MODULE:
        return (size_t)heap_string_count(h) + 1;
    case GROUP_BY_SITE:
    case GROUP_BY_PROGRAM:
        return h->frame_count ? h->frame_count : 1;
    default:
        return h->type_count ? h->type_count : 1;
    }
}

typedef struct grouping {
    group_by by;
    uint32_t *row_of;  /* key -> row */
    size_t keys;
    const uint32_t *program;  /* GROUP_BY_PROGRAM: stack id -> frame id */
} grouping;

/* The key of object i. */
static uint32_t key_of(const heap *h, const grouping *g, uint32_t i)
{
    switch (g->by) {
    case GROUP_BY_MODULE:
        return h->type[i] < h->type_count ? h->types[h->type[i]].module : 0;
    case GROUP_BY_SITE:
        return heap_site(h, i);
    case GROUP_BY_PROGRAM: {
        uint32_t s = h->stack ? h->stack[i] : 0;
        return s < h->stack_count ? g->program[s] : 0;
    }
    default:
        return h->type[i];
    }
}

static uint32_t row_of(const heap *h, const grouping *g, uint32_t i)
{
    uint32_t key = key_of(h, g, i);
    return g->row_of[key < g->keys ? key : 0];
}

/*
 * Walks the dominator tree depth-first, keeping per group how many of its
 * members are on the current path: a member entered while that is zero
 * is topmost, and its retained size belongs to the group.
 */
static int add_retained(const heap *h, const dominators *d, const grouping *g, group_row *rows,
                        size_t row_count)
{
    /* The stack grows with the tree's depth, not with the heap: usually tiny. */
    typedef struct frame {
        uint32_t node, next_child;
    } frame;
    uint32_t n = h->count;
    frame *stack = NULL;
    size_t cap = 0, sp = 0;
    uint32_t *on_path = calloc(row_count ? row_count : 1, sizeof *on_path);
    if (!on_path || grow(&stack, sizeof *stack, &cap, 64) < 0) {
        free(stack), free(on_path);
        return -1;
    }
    stack[sp++] = (frame){n, d->child_start[n]};  /* the super-root */
    while (sp) {
        frame *top = &stack[sp - 1];
        uint32_t x = top->node;
        if (top->next_child == d->child_start[x + 1]) {
            sp--;
            if (x != n)
                on_path[row_of(h, g, x)]--;
            continue;
        }
        uint32_t c = d->child[top->next_child++];
        uint32_t r = row_of(h, g, c);
        if (on_path[r]++ == 0) {
            rows[r].retained_size += d->retained_size[c];
            rows[r].retained_count += d->retained_count[c];
        }
        if (grow(&stack, sizeof *stack, &cap, sp + 1) < 0) {
            free(stack), free(on_path);
            return -1;
        }
        stack[sp++] = (frame){c, d->child_start[c]};
    }
    free(stack), free(on_path);
    return 0;
}

static int by_retained(const void *a, const void *b)
{
    const group_row *x = a, *y = b;
    if (x->retained_size != y->retained_size)
        return x->retained_size < y->retained_size ? 1 : -1;
    if (x->shallow_size != y->shallow_size)
        return x->shallow_size < y->shallow_size ? 1 : -1;
    return x->key < y->key ? -1 : x->key > y->key;
}

static int build(const heap *h, const dominators *d, grouping g, histogram *out)
{
    group_by by = g.by;
    memset(out, 0, sizeof *out);
    out->by = by;
    g.keys = key_space(h, by);
    if (!(g.row_of = malloc(g.keys * sizeof *g.row_of)))
        return -1;
    memset(g.row_of, 0xff, g.keys * sizeof *g.row_of);
    size_t cap = 0;
    int failed = 0;
    for (uint32_t i = 0; i < h->count && !failed; i++) {
        uint32_t key = key_of(h, &g, i);
        key = key < g.keys ? key : 0;
        if (g.row_of[key] == UINT32_MAX) {
            if ((failed = grow(&out->rows, sizeof *out->rows, &cap, out->count + 1) < 0))
                break;
            g.row_of[key] = (uint32_t)out->count;
            out->rows[out->count++] = (group_row){.key = key};
        }
        group_row *row = &out->rows[g.row_of[key]];
        row->count++;
        row->shallow_size += h->size[i];
    }
    failed = failed || add_retained(h, d, &g, out->rows, out->count) < 0;
    free(g.row_of);
    if (!failed && out->count)
        sort_items(out->rows, out->count, sizeof *out->rows, by_retained);
    return failed ? -1 : 0;
}

int histogram_build(const heap *h, const dominators *d, group_by by, histogram *out)
{
    if (by == GROUP_BY_PROGRAM) {
        memset(out, 0, sizeof *out);
        return -1;  /* it needs the interpreter's paths: histogram_build_program() */
    }
    return build(h, d, (grouping){.by = by}, out);
}

int histogram_build_program(const heap *h, const interp *in, const dominators *d, histogram *out)
{
    uint32_t *program = interp_program_frames(in, h);
    int result = program ? build(h, d, (grouping){.by = GROUP_BY_PROGRAM, .program = program}, out)
                         : -1;
    free(program);
    return result;
}

void histogram_release(histogram *hist)
{
    free(hist->rows);
    memset(hist, 0, sizeof *hist);
}

const char *group_name(const heap *h, group_by by, uint32_t key, char *buf, size_t size)
{
    if (by == GROUP_BY_MODULE) {
        snprintf(buf, size, "%s", key ? heap_string(h, key, NULL) : "(no module)");
    } else if (by == GROUP_BY_SITE || by == GROUP_BY_PROGRAM) {
        if (!key || key >= h->frame_count) {
            snprintf(buf, size, "(unknown site)");
        } else {
            const heapan_frame *f = &h->frames[key];
            heap_frame_text(heap_string(h, f->file, NULL), f->line,
                            heap_string(h, f->function, NULL), buf, size);
        }
    } else if (key && key < h->type_count) {
        const char *module = heap_string(h, h->types[key].module, NULL);
        const char *name = heap_string(h, h->types[key].name, NULL);
        if (*module && strcmp(module, "builtins") != 0)
            snprintf(buf, size, "%s.%s", module, name);
        else
            snprintf(buf, size, "%s", name);
    } else {
        snprintf(buf, size, "(unknown type)");
    }
    return buf;
}
