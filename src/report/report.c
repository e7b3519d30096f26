/* report.c: building the report model, stage by stage; the names and examples of its kinds. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grow.h"
#include "report/report.h"
#include "textout.h"
#include "trace/link.h"

const char *leak_kind_name(leak_kind kind)
{
    static const char *const names[] = {"large_collection", "big_retainer", "traceback", "garbage"};
    return kind <= LEAK_GARBAGE ? names[kind] : "unknown";
}

const char *cause_kind_name(cause_kind cause)
{
    static const char *const names[CAUSE_KIND_COUNT] = {
        [CAUSE_METHOD_CACHE] = "method_cache",       [CAUSE_FUNCTION_CACHE] = "function_cache",
        [CAUSE_FINISHED_TASKS] = "finished_tasks",   [CAUSE_STORED_EXCEPTIONS] = "stored_exceptions",
        [CAUSE_LOGGERS] = "loggers_per_request",     [CAUSE_CALLBACKS] = "callbacks",
        [CAUSE_CLASS_CACHE] = "class_attribute_cache", [CAUSE_GC_DISABLED] = "gc_disabled",
        [CAUSE_GC_FROZEN] = "gc_frozen",             [CAUSE_GC_GARBAGE] = "gc_garbage"};
    return cause < CAUSE_KIND_COUNT ? names[cause] : NULL;
}

const char *growth_evidence_name(growth_evidence growth)
{
    static const char *const names[] = {"one_dump",        "in_dump",
                                        "trace",           "baseline",
                                        "stable_in_trace", "stable_since_baseline"};
    return growth <= GROWTH_STABLE_BASELINE ? names[growth] : "one_dump";
}

const char *suggestion_kind_name(suggestion_kind kind)
{
    static const char *const names[] = {
        "slots",          "generator",         "numpy_array",   "intern_strings",
        "empty_collections", "deque",         "bounded_cache",
        "weak_callbacks", "lazy_loading",      "reuse_buffer",  "dedupe_strings",
        "method_cache",   "done_tasks",        "drop_tracebacks", "shared_logger",
        "class_cache",    "collect_garbage"};
    return kind < SUGGESTION_KIND_COUNT ? names[kind] : "unknown";
}

int suggestion_is_fix(suggestion_kind kind)
{
    return kind == SUGGEST_DEQUE || kind == SUGGEST_BOUNDED_CACHE || kind == SUGGEST_WEAK_CALLBACKS ||
           kind == SUGGEST_METHOD_CACHE || kind == SUGGEST_DONE_TASKS ||
           kind == SUGGEST_DROP_TRACEBACKS || kind == SUGGEST_SHARED_LOGGER ||
           kind == SUGGEST_CLASS_CACHE || kind == SUGGEST_COLLECT_GARBAGE;
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
        [SUGGEST_DEQUE] = "```python\n# before: a list that only ever grows\nEVENTS = []\n"
                          "EVENTS.append(event)\n\n# after: keeps the newest 100\n"
                          "from collections import deque\nEVENTS = deque(maxlen=100)\n"
                          "EVENTS.append(event)\n```\n",
        [SUGGEST_BOUNDED_CACHE] = "```python\n# before: a dict that caches forever\n_CACHE = {}\n"
                                  "def get(key):\n    if key not in _CACHE:\n"
                                  "        _CACHE[key] = load(key)\n    return _CACHE[key]\n\n"
                                  "# after: a bounded cache\nimport functools\n\n"
                                  "@functools.lru_cache(maxsize=100)\ndef get(key):\n"
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
        [SUGGEST_METHOD_CACHE] = "```python\n# before: the cache on the method keeps every instance\n"
                                 "class Document:\n    @functools.cache\n    def tokens(self):\n"
                                 "        ...\n\n# after: one cached value per instance, freed with it\n"
                                 "class Document:\n    @functools.cached_property\n"
                                 "    def tokens(self):\n        ...\n```\n",
        [SUGGEST_DONE_TASKS] = "```python\n# before: finished tasks stay, with their results\n"
                               "tasks.add(asyncio.create_task(work()))\n\n"
                               "# after: each task leaves when it is done\n"
                               "task = asyncio.create_task(work())\ntasks.add(task)\n"
                               "task.add_done_callback(tasks.discard)\n```\n",
        [SUGGEST_DROP_TRACEBACKS] = "```python\n# before: the exception keeps its frames and their locals\n"
                                    "except ValueError as e:\n    failures.append(e)\n\n"
                                    "# after: keep what the report needs\n"
                                    "except ValueError as e:\n    failures.append(repr(e))\n```\n",
        [SUGGEST_SHARED_LOGGER] = "```python\n# before: a logger per request, kept forever\n"
                                  "log = logging.getLogger(f\"app.request.{request_id}\")\n\n"
                                  "# after: one logger, the id with each record\n"
                                  "log = logging.getLogger(\"app.request\")\n"
                                  "log.info(\"handled\", extra={\"request_id\": request_id})\n```\n",
        [SUGGEST_CLASS_CACHE] = "```python\n# before: a dict on the class keeps every result\n"
                                "class Resolver:\n    _cache = {}\n\n"
                                "# after: a bounded cache\n@functools.lru_cache(maxsize=100)\n"
                                "def resolve(key):\n    ...\n```\n",
        [SUGGEST_COLLECT_GARBAGE] = "```python\n# before: cycles the program drops stay while gc is off\n"
                                    "gc.disable()\n\n# after: let the collector run, or collect "
                                    "where a pause is fine\ngc.enable()  # or: gc.collect() between "
                                    "requests\n\n# better: no cycle, so reference counting frees it "
                                    "at once\nimport weakref\nchild.parent = weakref.ref(parent)\n```\n",
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

const char *report_limits_text(const report *r)
{
    if (!r->size_only)
        return NULL;
    return "One dump shows sizes, not growth. A finding here is called a leak only where the "
           "evidence shows it grows: the dump itself (a cache whose counters show it never hits, "
           "a collector that will not free cycles), an allocation trace, or an earlier dump. To "
           "learn whether the others grow, compare this dump with a later one of the same program "
           "(heapan compare OLD NEW, or heapan report NEW --baseline OLD), or record an allocation "
           "trace and join it (python3 -m heapan run --trace run.trace.zst script.py, then heapan "
           "report DUMP --trace run.trace.zst).";
}

const char *report_incomplete_text(const report *r)
{
    if (!r->incomplete)
        return NULL;
    return "This dump is incomplete: it was cut short, and only what was read is analysed. A "
           "finding's size counts what was read, and what holds it may be in the part that was "
           "lost. Objects that no root reaches in what was read are not known to be garbage. "
           "Take the dump again, letting heapan.dump() finish, to know.";
}

char *report_pending_text(const report *r)
{
    if (!r->pending_objects)
        return NULL;
    char unread[32];
    if (r->rootless)
        return report_format("%s in %llu objects are reached from no root, because the dump names "
                             "none: whether they are garbage cannot be told.",
                             format_bytes(r->pending_bytes, unread, sizeof unread),
                             (unsigned long long)r->pending_objects);
    if (r->incomplete)
        return report_format("%s in %llu objects are not reached from a root in what was read: "
                             "the dump is incomplete, so whether they are garbage cannot be told.",
                             format_bytes(r->pending_bytes, unread, sizeof unread),
                             (unsigned long long)r->pending_objects);
    const collector_state *gc = &r->interp.gc;
    char size[32], thresholds[64] = "";
    for (size_t g = 0, n = 0; g < gc->thresholds && n < sizeof thresholds; g++)
        n += (size_t)snprintf(thresholds + n, sizeof thresholds - n, " %lld",
                              (long long)gc->threshold[g]);
    format_bytes(r->pending_bytes, size, sizeof size);
    if (!gc->known)
        return report_format("%s in %llu objects are reference cycles no root reaches; this dump "
                             "does not record whether the collector runs, which would free them.",
                             size, (unsigned long long)r->pending_objects);
    return report_format("%s in %llu objects are reference cycles that await the next collection: "
                         "the collector is enabled (thresholds%s) and will free them. A dump taken "
                         "with gc_collect=True (python3 -m heapan run --gc-collect) leaves them "
                         "out.",
                         size, (unsigned long long)r->pending_objects, thresholds);
}

suggestion *report_add_suggestion(report *r, suggestion_kind kind, uint32_t object,
                                  uint64_t instances, uint64_t savings)
{
    if (grow(&r->suggestions, sizeof *r->suggestions, &r->suggestion_cap, r->suggestion_count + 1) < 0)
        return NULL;
    suggestion *s = &r->suggestions[r->suggestion_count++];
    /* Streaming or weakening pays off only if the program allows it. */
    double confidence = kind == SUGGEST_GENERATOR || kind == SUGGEST_LAZY_LOADING ? 0.5 : 1.0;
    *s = (suggestion){.kind = kind, .object = object, .instances = instances,
                      .estimated_savings = savings, .confidence = confidence,
                      .fixes = SIZE_MAX, .inside = SIZE_MAX};
    return s;
}

char *report_where(const report *r, const retention *paths, uint32_t v)
{
    path p;
    char *text = NULL;
    if (path_find(r->heap, paths, v, HEAP_NONE, &p) > 0)
        text = path_text(r->heap, &p);
    path_release(&p);
    if (!text) {
        char name[512];
        text = report_format("%s@0x%llx", report_type_name(r, v, name, sizeof name),
                             (unsigned long long)r->heap->address[v]);
    }
    return text;
}

const char *report_type_name(const report *r, uint32_t i, char *buf, size_t size)
{
    return group_name(r->heap, GROUP_BY_TYPE, r->heap->type[i], buf, size);
}

size_t report_biggest_children(const report *r, uint32_t x, uint32_t *out, size_t max)
{
    const dominators *d = r->dom;
    size_t kept = 0;
    for (uint32_t k = d->child_start[x]; k < d->child_start[x + 1] && max; k++) {
        uint32_t c = d->child[k];
        size_t at = kept < max ? kept++ : max;  /* insertion into the `max` biggest so far */
        while (at > 0 && d->retained_size[out[at - 1]] < d->retained_size[c]) {
            if (at < max)
                out[at] = out[at - 1];
            at--;
        }
        if (at < max)
            out[at] = c;
    }
    return kept;
}

/* The biggest children of each largest subtree, and how each is held. */
static int subtree_children(report *r, const retention *paths)
{
    size_t n = (r->subtree_count ? r->subtree_count : 1) * REPORT_CHILDREN;
    if (!(r->subtree_children = malloc(n * sizeof *r->subtree_children)) ||
        !(r->child_paths = calloc(n, sizeof *r->child_paths)))
        return -1;
    for (size_t i = 0; i < r->subtree_count; i++) {
        uint32_t *kids = &r->subtree_children[i * REPORT_CHILDREN];
        size_t kept = report_biggest_children(r, r->subtrees[i], kids, REPORT_CHILDREN);
        for (size_t k = kept; k < REPORT_CHILDREN; k++)
            kids[k] = HEAP_NONE;
        for (size_t k = 0; k < kept; k++)
            if (path_find(r->heap, paths, kids[k], HEAP_NONE,
                          &r->child_paths[i * REPORT_CHILDREN + k]) < 0)
                return -1;
    }
    return 0;
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
    return subtree_children(r, paths);
}

int report_build(const heap *h, const dominators *d, const retention *paths,
                 const report_options *options, report *r)
{
    memset(r, 0, sizeof *r);
    r->heap = h;
    r->dom = d;
    r->incomplete = h->status != HEAPAN_END;
    r->rootless = h->root_count == 0;
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
        largest_subtrees(r, paths, o.top) < 0 || pytypes_build(&r->classes, h) < 0 ||
        interp_build(&r->interp, h) < 0 || accounting_build(h, &r->memory) < 0 ||
        (h->stack && r->interp.paths_known &&
         histogram_build_program(h, &r->interp, d, &r->program_sites) < 0))
        return -1;
    if (find_leak_candidates(r, paths, &o) < 0 || find_causes(r) < 0 ||
        weigh_evidence(r, paths, &o) < 0 || suggest_fixes(r, paths, &o) < 0 ||
        find_suggestions(r, paths, &o) < 0 || (o.trace && trace_link_advice(r, o.trace) < 0) ||
        order_suggestions(r, &o) < 0)
        return -1;
    return 0;
}

void report_release(report *r)
{
    for (size_t i = 0; i < r->leak_count; i++)
        report_release_candidate(&r->leaks[i]);
    free(r->leaks);
    for (size_t i = 0; i < r->suggestion_count; i++)
        report_release_suggestion(&r->suggestions[i]);
    free(r->suggestions);
    if (r->link) {
        trace_link_release(r->link);
        free(r->link);
    }
    pytypes_release(&r->classes);
    interp_release(&r->interp);
    histogram_release(&r->types);
    histogram_release(&r->modules);
    histogram_release(&r->program_sites);
    histogram_release(&r->sites);
    for (size_t i = 0; r->subtree_paths && i < r->subtree_count; i++)
        path_release(&r->subtree_paths[i]);
    free(r->subtrees);
    free(r->subtree_paths);
    for (size_t i = 0; r->child_paths && i < r->subtree_count * REPORT_CHILDREN; i++)
        path_release(&r->child_paths[i]);
    free(r->child_paths);
    free(r->subtree_children);
    memset(r, 0, sizeof *r);
}
