/* structures.c: collections named by retention path, to match them across dumps. */
#include <stdlib.h>
#include <string.h>

#include "report/report.h"
#include "report/structures.h"
#include "model/sort.h"

/* Drops "@0x..." addresses and writes list positions as [ * ], in place. */
static void normalise(char *text)
{
    char *out = text, *in = text;
    while (*in) {
        if (in[0] == '@' && in[1] == '0' && in[2] == 'x') { /* addresses differ across runs */
            in += 3;
            while ((*in >= '0' && *in <= '9') || (*in >= 'a' && *in <= 'f'))
                in++;
            continue;
        }
        if (in[0] == '[' && in[1] == ' ' && (in[2] == '-' || (in[2] >= '0' && in[2] <= '9'))) {
            char *end = in + 3;
            while (*end >= '0' && *end <= '9')
                end++;
            if (end[0] == ' ' && end[1] == ']') {
                memcpy(out, "[ * ]", 5);
                out += 5;
                in = end + 2;
                continue;
            }
        }
        *out++ = *in++;
    }
    *out = '\0';
}

char *structure_name(const heap *h, const retention *paths, uint32_t v)
{
    path p;
    if (path_find(h, paths, v, HEAP_NONE, &p) <= 0)
        return NULL;
    char *text = path_text(h, &p);
    path_release(&p);
    if (text)
        normalise(text);
    return text;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(((const structure *)a)->name, ((const structure *)b)->name);
}

/* Sorts the items and sums those that share a name. */
static void merge_names(structure_index *ix)
{
    sort_items(ix->items, ix->count, sizeof *ix->items, by_name);
    size_t kept = 0;
    for (size_t i = 0; i < ix->count; i++) {
        structure *s = &ix->items[i];
        structure *last = kept ? &ix->items[kept - 1] : NULL;
        if (last && strcmp(last->name, s->name) == 0) {
            last->entries += s->entries, last->shallow += s->shallow, last->retained += s->retained;
            free(s->name);
        } else {
            ix->items[kept++] = *s;
        }
    }
    ix->count = kept;
}

int structure_index_build(structure_index *ix, const heap *h, const dominators *d,
                          const retention *paths)
{
    memset(ix, 0, sizeof *ix);
    ranked *found = malloc((h->count ? h->count : 1) * sizeof *found);
    size_t n = 0;
    if (!found)
        return -1;
    for (uint32_t v = 0; v < h->count; v++)
        if (!(h->flags[v] & HEAP_OBJ_UNREACHABLE) &&
            d->retained_size[v] >= STRUCTURE_LOOKUP_BYTES && report_is_collection(h, v))
            found[n++] = (ranked){d->retained_size[v], v};
    sort_items(found, n, sizeof *found, ranked_descending);
    if (n > STRUCTURES_PER_DUMP)
        n = STRUCTURES_PER_DUMP;
    ix->items = malloc((n ? n : 1) * sizeof *ix->items);
    int failed = !ix->items;
    for (size_t i = 0; i < n && !failed; i++) {
        uint32_t v = found[i].object;
        char *name = structure_name(h, paths, v);
        if (name)
            ix->items[ix->count++] = (structure){name, heap_length(h, v), h->size[v],
                                                 d->retained_size[v]};
    }
    free(found);
    if (!failed)
        merge_names(ix);
    return failed ? -1 : 0;
}

void structure_index_release(structure_index *ix)
{
    for (size_t i = 0; i < ix->count; i++)
        free(ix->items[i].name);
    free(ix->items);
    memset(ix, 0, sizeof *ix);
}

const structure *structure_index_find(const structure_index *ix, const char *name)
{
    structure key = {.name = (char *)name};
    return ix->count ? bsearch(&key, ix->items, ix->count, sizeof *ix->items, by_name) : NULL;
}
