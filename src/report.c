/* report.c: building the report model: findings, tables, largest subtrees. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

const char *leak_kind_name(leak_kind kind)
{
    static const char *const names[] = {"accumulation", "big_retainer", "traceback", "garbage"};
    return kind <= LEAK_GARBAGE ? names[kind] : "unknown";
}

const char *suggestion_kind_name(suggestion_kind kind)
{
    static const char *const names[] = {"slots",          "generator",         "numpy_array",
                                        "intern_strings", "empty_collections", "overallocated",
                                        "deque",          "bounded_cache",     "weak_callbacks",
                                        "lazy_loading",   "reuse_buffer",      "dedupe_strings"};
    return kind < SUGGESTION_KIND_COUNT ? names[kind] : "unknown";
}

const char *suggestion_example(suggestion_kind kind)
{
    static const char *const examples[] = {
        [SUGGEST_SLOTS] = "```python\n# before: every instance carries a dict of its attributes\n"
                          "class Point:\n    def __init__(self, x, y):\n"
                          "        self.x, self.y = x, y\n\n# after: a fixed layout, no dict\n"
                          "class Point:\n    __slots__ = (\"x\", \"y\")\n"
                          "    def __init__(self, x, y):\n        self.x, self.y = x, y\n```\n",
        [SUGGEST_GENERATOR] = "```python\n# before: the whole list in memory at once\n"
                              "lines = f.readlines()\nwords = [len(line.split()) for line in lines]\n"
                              "total = sum(words)\n\n# after: one line, one count at a time\n"
                              "total = sum(len(line.split()) for line in f)\n```\n",
        [SUGGEST_NUMPY_ARRAY] = "```python\n# before: a list of float objects, 32 bytes each\n"
                                "readings = [x * 0.5 for x in range(n)]\n\n"
                                "# after: 8 bytes each, in one buffer\nimport array\n"
                                "readings = array.array(\"d\", (x * 0.5 for x in range(n)))\n"
                                "# or: numpy.arange(n) * 0.5\n```\n",
        [SUGGEST_INTERN_STRINGS] = "```python\n# before: each row builds its own copy\n"
                                   "row[\"country\"] = \"\".join(parts)\n\n"
                                   "# after: equal strings share one object\nimport sys\n"
                                   "row[\"country\"] = sys.intern(\"\".join(parts))\n```\n",
        [SUGGEST_EMPTY_COLLECTIONS] = "```python\n# before: every instance allocates its own empty dict\n"
                                      "self.extra = {}\n\n# after: allocate on first use\n"
                                      "self.extra = None\n...\nif self.extra is None:\n"
                                      "    self.extra = {}\n```\n",
        [SUGGEST_OVERALLOCATED] = "```python\n# before: a list that grew by append and stays big\n"
                                  "items = []\nfor x in source:\n    items.append(x)\n\n"
                                  "# after: sized once (or a tuple, once it stops growing)\n"
                                  "items = list(source)\nitems = tuple(items)\n```\n",
        [SUGGEST_DEQUE] = "```python\n# before: a list that only ever grows\nEVENTS = []\n"
                          "EVENTS.append(event)\n\n# after: keeps the newest 1000\n"
                          "from collections import deque\nEVENTS = deque(maxlen=1000)\n"
                          "EVENTS.append(event)\n```\n",
        [SUGGEST_BOUNDED_CACHE] = "```python\n# before: a dict that caches forever\n_CACHE = {}\n"
                                  "def get(key):\n    if key not in _CACHE:\n"
                                  "        _CACHE[key] = load(key)\n    return _CACHE[key]\n\n"
                                  "# after: a bounded cache\nimport functools\n\n"
                                  "@functools.lru_cache(maxsize=1024)\ndef get(key):\n"
                                  "    return load(key)\n```\n",
        [SUGGEST_WEAK_CALLBACKS] = "```python\n# before: the bus keeps every handler alive\n"
                                   "bus.listeners.append(handler.on_event)\n\n"
                                   "# after: unsubscribe when done, or hold the method weakly\n"
                                   "import weakref\nbus.listeners.append(weakref.WeakMethod(handler.on_event))\n"
                                   "# (call it as ref() and drop it when that returns None)\n```\n",
        [SUGGEST_LAZY_LOADING] = "```python\n# before: the whole file in one string\n"
                                 "data = open(path, \"rb\").read()\n\n"
                                 "# after: a chunk at a time (or mmap.mmap for random access)\n"
                                 "with open(path, \"rb\") as f:\n"
                                 "    for chunk in iter(lambda: f.read(1 << 16), b\"\"):\n"
                                 "        handle(chunk)\n```\n",
        [SUGGEST_DEDUPE_STRINGS] = "```js\n// before: every record builds its own copy\n"
                                   "record.country = parts.join('');\n\n"
                                   "// after: equal strings share one\nconst canonical = new Map();\n"
                                   "function dedupe(s) {\n  const known = canonical.get(s);\n"
                                   "  if (known !== undefined) return known;\n  canonical.set(s, s);\n"
                                   "  return s;\n}\nrecord.country = dedupe(parts.join(''));\n```\n",
        [SUGGEST_REUSE_BUFFER] = "```python\n# before: a new buffer for every chunk\n"
                                 "while chunk := f.read(1 << 20):\n    handle(chunk)\n\n"
                                 "# after: one buffer, filled again and again\n"
                                 "buf = bytearray(1 << 20)\nview = memoryview(buf)\n"
                                 "while n := f.readinto(buf):\n    handle(view[:n])\n```\n",
    };
    return kind < SUGGESTION_KIND_COUNT ? examples[kind] : "";
}

char *report_format(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *s = n < 0 ? NULL : malloc((size_t)n + 1);
    if (!s)
        return NULL;
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return s;
}

int report_is_collection(const heap *h, uint32_t i)
{
    if (heap_is_v8(h)) {  /* element edges start at the Array, or at a Map's or Set's store */
        static const char *const v8[] = {"Array", "Object", "Map", "Set", "(array)", NULL};
        for (const char *const *name = v8; *name; name++)
            if (strcmp(heap_type_name(h, i), *name) == 0)
                return 1;
        return 0;
    }
    static const char *const growable[] = {"dict",    "list",        "set",        "deque",
                                           "bytearray", "OrderedDict", "defaultdict", "Counter"};
    const char *name = heap_type_name(h, i);
    for (size_t k = 0; k < sizeof growable / sizeof *growable; k++)
        if (strcmp(name, growable[k]) == 0)
            return strcmp(name, "bytearray") != 0;  /* bytearray grows, but holds no objects */
    return 0;
}

/* Is object i a module or a class (a type object)? */
static int is_namespace_owner(const heap *h, uint32_t i)
{
    if (strcmp(heap_type_name(h, i), "module") == 0)
        return 1;
    for (uint32_t k = h->out_start[i]; k < h->out_start[i] + h->out_count[i]; k++)
        if (h->out_label_kind[k] == HEAPAN_LABEL_FIELD &&
            strcmp(heap_string(h, h->out_label[k], NULL), "__mro__") == 0)
            return 1;  /* only classes have an __mro__ */
    return 0;
}

int report_is_namespace(const heap *h, uint32_t i)
{
    if (heap_is_v8(h))
        return 0;
    for (uint32_t k = h->in_start[i]; k < h->in_start[i + 1]; k++) {
        uint32_t s = h->in_source[k] & HEAP_INDEX_MASK;
        uint64_t e = heap_find_edge(h, s, i);
        if (e != UINT64_MAX && heap_edge_is_dict(h, e) && is_namespace_owner(h, s))
            return 1;
    }
    return 0;
}

const char *report_type_name(const report *r, uint32_t i, char *buf, size_t size)
{
    return group_name(r->heap, GROUP_BY_TYPE, r->heap->type[i], buf, size);
}

/* The top-level objects that retain the most, with how each is held. */
static int largest_subtrees(report *r, const retention *paths, size_t top)
{
    const dominators *d = r->dom;
    uint32_t first = d->child_start[d->count], count = d->child_start[d->count + 1] - first;
    if (!(r->subtrees = malloc((top ? top : 1) * sizeof *r->subtrees)) ||
        !(r->subtree_paths = calloc(top ? top : 1, sizeof *r->subtree_paths)))
        return -1;
    for (uint32_t k = 0; k < count; k++) {
        uint32_t v = d->child[first + k];
        size_t at = r->subtree_count < top ? r->subtree_count++ : top;
        while (at > 0 && d->retained_size[r->subtrees[at - 1]] < d->retained_size[v]) {
            if (at < top)
                r->subtrees[at] = r->subtrees[at - 1];
            at--;
        }
        if (at < top)
            r->subtrees[at] = v;
    }
    for (size_t i = 0; i < r->subtree_count; i++)
        if (path_find(r->heap, paths, r->subtrees[i], HEAP_NONE, &r->subtree_paths[i]) < 0)
            return -1;
    return 0;
}

int report_build(const heap *h, const dominators *d, const retention *paths,
                 const report_options *options, report *r)
{
    memset(r, 0, sizeof *r);
    r->heap = h;
    r->dom = d;
    report_options o = *options;
    if (!o.top)
        o.top = 10;
    if (!o.min_entries)
        o.min_entries = 100;
    if (o.big_share <= 0)
        o.big_share = 0.2;
    uint64_t share = h->total_size / 50;
    r->min_retained = o.min_retained ? o.min_retained
                                     : share > REPORT_MIN_RETAINED ? share : REPORT_MIN_RETAINED;
    o.min_retained = r->min_retained;
    if (histogram_build(h, d, GROUP_BY_TYPE, &r->types) < 0 ||
        histogram_build(h, d, GROUP_BY_MODULE, &r->modules) < 0 ||
        (h->stack && histogram_build(h, d, GROUP_BY_SITE, &r->sites) < 0) ||
        largest_subtrees(r, paths, o.top) < 0 || find_leak_candidates(r, paths, &o) < 0 ||
        find_suggestions(r, paths, &o) < 0)
        return -1;
    return 0;
}

void report_release(report *r)
{
    for (size_t i = 0; i < r->leak_count; i++) {
        path_release(&r->leaks[i].path);
        free(r->leaks[i].reason);
    }
    free(r->leaks);
    for (size_t i = 0; i < r->suggestion_count; i++) {
        free(r->suggestions[i].target);
        free(r->suggestions[i].message);
        free(r->suggestions[i].example_value);
    }
    free(r->suggestions);
    histogram_release(&r->types);
    histogram_release(&r->modules);
    histogram_release(&r->sites);
    for (size_t i = 0; r->subtree_paths && i < r->subtree_count; i++)
        path_release(&r->subtree_paths[i]);
    free(r->subtrees);
    free(r->subtree_paths);
    memset(r, 0, sizeof *r);
}
