/* paths.c: shortest retention paths and their text. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grow.h"
#include "model/paths.h"

#define PATH_HEAD 8    /* steps kept from the root side of a very long path */
#define PATH_TAIL 24   /* and from the object's side */
#define KEY_SHOWN 60   /* bytes of a dict key shown */

/* Named roots first, the way a user finds their way; then the catch-alls. */
static int root_rank(unsigned kind)
{
    static const int rank[HEAPAN_ROOT_KIND_COUNT] = {
        [HEAPAN_ROOT_MODULE] = 0,   [HEAPAN_ROOT_FRAME] = 1,    [HEAPAN_ROOT_THREAD] = 2,
        [HEAPAN_ROOT_BUILTINS] = 3, [HEAPAN_ROOT_GC_GARBAGE] = 4, [HEAPAN_ROOT_OTHER] = 5,
        [HEAPAN_ROOT_INTERNED] = 6, [HEAPAN_ROOT_EXTERNAL] = 7};
    return kind < HEAPAN_ROOT_KIND_COUNT ? rank[kind] : 5;
}

static void spread(const heap *h, retention *p, uint32_t *queue, size_t *head, size_t *tail)
{
    while (*head < *tail) {
        uint32_t v = queue[(*head)++], end = h->out_start[v] + h->out_count[v];
        for (uint32_t e = h->out_start[v]; e < end; e++) {
            uint32_t t = h->out_target[e];
            if (!(t & HEAP_WEAK_BIT) && p->parent[t] == HEAP_NONE) {
                p->parent[t] = v;
                queue[(*tail)++] = t;
            }
        }
    }
}

int retention_compute(const heap *h, retention *p)
{
    size_t n = h->count;
    p->parent = malloc((n ? n : 1) * sizeof *p->parent);
    uint32_t *queue = malloc((n ? n : 1) * sizeof *queue);
    if (!p->parent || !queue) {
        free(queue);
        return -1;
    }
    memset(p->parent, 0xff, n * sizeof *p->parent);
    size_t head = 0, tail = 0;
    for (int rank = 0; rank <= 7; rank++) {
        for (size_t k = 0; k < h->root_count && k < PATH_ROOT_BIT; k++) {
            uint32_t v = h->roots[k].object;
            if (root_rank(h->roots[k].kind) == rank && p->parent[v] == HEAP_NONE) {
                p->parent[v] = PATH_ROOT_BIT | (uint32_t)k;
                queue[tail++] = v;
            }
        }
        if (rank == 5 || rank == 7)  /* named roots reach all they can first */
            spread(h, p, queue, &head, &tail);
    }
    free(queue);
    return 0;
}

void retention_release(retention *p)
{
    free(p->parent);
    p->parent = NULL;
}

int path_find(const heap *h, const retention *p, uint32_t v, uint32_t via, path *out)
{
    memset(out, 0, sizeof *out);
    uint32_t x = via == HEAP_NONE ? v : via;
    if (p->parent[x] == HEAP_NONE)
        return 0;
    uint64_t objects = via == HEAP_NONE ? 1 : 2;
    for (; !(p->parent[x] & PATH_ROOT_BIT); x = p->parent[x])
        objects++;
    out->root = p->parent[x] & ~PATH_ROOT_BIT;
    out->count = objects > PATH_HEAD + PATH_TAIL ? PATH_HEAD + PATH_TAIL : (size_t)objects;
    out->elided = objects - out->count;
    out->elided_after = PATH_HEAD - 1;
    if (!(out->steps = malloc(out->count * sizeof *out->steps)))
        return -1;
    /* From the object back to the root; `at` counts references from the root. */
    x = v;
    for (uint64_t at = objects - 1;; at--) {
        uint32_t prev = at == objects - 1 && via != HEAP_NONE ? via : p->parent[x];
        size_t slot = at < PATH_HEAD ? (size_t)at
                      : at + PATH_TAIL >= objects ? (size_t)(at - out->elided) : SIZE_MAX;
        if (slot != SIZE_MAX)
            out->steps[slot] = (path_step){x, at ? heap_find_edge(h, prev, x) : 0};
        if (at == 0)
            break;
        x = prev;
    }
    return 1;
}

void path_release(path *out)
{
    free(out->steps);
    out->steps = NULL;
}

uint64_t path_length(const path *p)
{
    return p->count + p->elided - 1;
}

/* ---- text ------------------------------------------------------------------ */

typedef struct text {
    char *data;
    size_t len, cap;
    int failed;
} text;

static void append(text *t, const char *s, size_t len)
{
    if (t->failed)
        return;
    if (grow(&t->data, 1, &t->cap, t->len + len + 1) < 0) {
        t->failed = 1;
        return;
    }
    memcpy(t->data + t->len, s, len);
    t->len += len;
    t->data[t->len] = '\0';
}

static void appendf(text *t, const char *fmt, ...)
{
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    append(t, buf, n < 0 ? 0 : (size_t)n >= sizeof buf ? sizeof buf - 1 : (size_t)n);
}

static void append_str(text *t, const char *s)
{
    append(t, s, strlen(s));
}

/* 'key' as Python's repr() would write it, cut after KEY_SHOWN bytes. */
static void append_quoted(text *t, const char *s, size_t len)
{
    append(t, "'", 1);
    for (size_t i = 0; i < len && i < KEY_SHOWN; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\'' || c == '\\')
            appendf(t, "\\%c", c);
        else if (c < 0x20 || c == 0x7f)
            appendf(t, "\\x%02x", c);
        else
            append(t, (const char *)&c, 1);
    }
    append(t, len > KEY_SHOWN ? "'..." : "'", len > KEY_SHOWN ? 4 : 1);
}

/* A key's repr() from the dump, as it is, cut after KEY_SHOWN bytes; control bytes escaped. */
static void append_repr(text *t, const char *s, size_t len)
{
    for (size_t i = 0; i < len && i < KEY_SHOWN; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7f)
            appendf(t, "\\x%02x", c);
        else
            append(t, (const char *)&c, 1);
    }
    if (len > KEY_SHOWN)
        append_str(t, "...");
}

static void append_root(text *t, const heap *h, const heap_root *root)
{
    const char *label = heap_string(h, root->label, NULL);
    if (heap_is_v8(h)) {
        append_str(t, "(V8 root)");
        return;
    }
    switch (root->kind) {
    case HEAPAN_ROOT_MODULE:
        appendf(t, "module %s", *label ? label : "?");
        return;
    case HEAPAN_ROOT_FRAME:
        appendf(t, "frame%s%s", *label ? " of " : "", label);
        return;
    default:
        appendf(t, "%s root %s@0x%llx", heapan_root_kind_name(root->kind),
                heap_type_name(h, root->object), (unsigned long long)h->address[root->object]);
        if (*label)
            appendf(t, " (%s)", label);
    }
}

/* Is step i an instance's __dict__ whose key the next step names? */
static int attribute_dict(const heap *h, const path *p, size_t i)
{
    return i + 1 < p->count && heap_edge_is_dict(h, p->steps[i].edge) &&
           h->out_label_kind[p->steps[i + 1].edge] == HEAPAN_LABEL_KEY &&
           !(p->elided && i == p->elided_after);
}

/* A V8 synthetic node that groups roots, such as "(GC roots)" or "(Handle scope)". */
static int v8_group(const heap *h, uint32_t v)
{
    return h->name && strcmp(heap_type_name(h, v), "(synthetic)") == 0 &&
           heap_string(h, h->name[v], NULL)[0] == '(';
}

/* One reference; `attribute` when the step before was `__dict__`. */
static void append_step(text *t, const heap *h, const path_step *step, int attribute)
{
    uint64_t e = step->edge;
    size_t len;
    const char *name = heap_string(h, h->out_label[e], &len);
    switch (h->out_label_kind[e]) {
    case HEAPAN_LABEL_KEY:
        if (attribute) {
            appendf(t, " . %s", name);
        } else {
            append_str(t, " [ ");
            append_quoted(t, name, len);
            append_str(t, " ]");
        }
        return;
    case HEAPAN_LABEL_ATTRIBUTE:
    case HEAPAN_LABEL_LOCAL:
    case HEAPAN_LABEL_FIELD:
        appendf(t, " . %s", name);
        return;
    case HEAPAN_LABEL_INT_KEY:
    case HEAPAN_LABEL_INDEX:
        if (v8_group(h, step->object))  /* "(GC roots)" says more than its index */
            appendf(t, " . %s", heap_string(h, h->name[step->object], NULL));
        else
            appendf(t, " [ %lld ]", (long long)heap_label_number(h, e));
        return;
    case HEAPAN_LABEL_KEY_REPR:
        append_str(t, " [ ");
        append_repr(t, name, len);
        append_str(t, " ]");
        return;
    case HEAPAN_LABEL_DICT_KEY:
        appendf(t, " <key %s>", heap_type_name(h, step->object));
        return;
    case HEAPAN_LABEL_ELEMENT:
        appendf(t, " { %s }", heap_type_name(h, step->object));
        return;
    default:
        appendf(t, " -> %s", heap_type_name(h, step->object));
    }
}

static char *finish_text(text *t);

char *path_text(const heap *h, const path *p)
{
    text t = {0};
    append_root(&t, h, &h->roots[p->root]);
    for (size_t i = 1; i < p->count; i++) {
        const path_step *step = &p->steps[i];
        if (attribute_dict(h, p, i))
            continue;  /* obj . __dict__ [ 'x' ] reads obj . x */
        append_step(&t, h, step, i > 1 && attribute_dict(h, p, i - 1));
        if (p->elided && i == p->elided_after)
            appendf(&t, " ... (%llu more) ...", (unsigned long long)p->elided);
    }
    return finish_text(&t);
}

static char *finish_text(text *t)
{
    if (t->failed) {
        free(t->data);
        return NULL;
    }
    return t->data;
}

char *root_text(const heap *h, size_t k)
{
    text t = {0};
    append_root(&t, h, &h->roots[k]);
    return finish_text(&t);
}

char *edge_text(const heap *h, uint64_t edge, uint32_t target)
{
    text t = {0};
    append_step(&t, h, &(path_step){target, edge}, 0);
    return finish_text(&t);
}
