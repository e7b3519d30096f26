/*
 * fixes.c: the fix of each finding that has one, with an example fitted
 * to the case: the class, method, container or logger names the dump
 * shows, where they are plain identifiers (anything else from the dump
 * stays out of the code).  A named cause has its fix; a finding without
 * one gets bounding or eviction advice only when it is proven to grow.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "report/report.h"
#include "textout.h"

#define BOUNDED_ENTRIES 100  /* the bound the savings assume, and the examples use (report.c too) */
#define NAME_MAX_LEN 60

/* Is s a dotted run of Python identifiers in ASCII, short enough to quote in code? */
static int plain_name(const char *s, int dots)
{
    size_t n = s ? strlen(s) : 0;
    if (!n || n > NAME_MAX_LEN || isdigit((unsigned char)s[0]))
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)s[i]) && s[i] != '_' && !(dots && s[i] == '.' && i + 1 < n))
            return 0;
    return 1;
}

/* The last part of a dotted name: "app.models.Document" is "Document". */
static const char *last_part(const char *s)
{
    const char *dot = s ? strrchr(s, '.') : NULL;
    return dot ? dot + 1 : s;
}

/* A name fit for code, or `fallback`. */
static const char *or(const char *name, const char *fallback)
{
    return plain_name(name, 0) ? name : fallback;
}

/* The name its holder gives the finding: the last attribute, key or local on its path. */
static const char *container_name(const report *r, const leak_candidate *c)
{
    if (c->path.count < 2)
        return NULL;
    const heap *h = r->heap;
    uint64_t e = c->path.steps[c->path.count - 1].edge;
    unsigned kind = h->out_label_kind[e];
    return kind == HEAPAN_LABEL_ATTRIBUTE || kind == HEAPAN_LABEL_KEY || kind == HEAPAN_LABEL_LOCAL
               ? heap_string(h, h->out_label[e], NULL)
               : NULL;
}

static uint64_t bounded_savings(const leak_candidate *c)
{
    if (c->entries <= BOUNDED_ENTRIES)
        return 0;
    return (uint64_t)((double)c->retained_size * (double)(c->entries - BOUNDED_ENTRIES) /
                      (double)c->entries);
}

/* ---- the examples ------------------------------------------------------------------ */

static char *method_cache_example(const leak_candidate *c)
{
    const char *cls = or(last_part(c->class_name), "Document"), *m = or(c->member_name, "method");
    return report_format(
        "```python\n# before: the cache on the method keeps every %s it was called on\n"
        "class %s:\n    @functools.cache\n    def %s(self, *args):\n        ...\n\n"
        "# after: a cache per instance, freed with the instance\n"
        "class %s:\n    def __init__(self):\n        self._%s_cache = {}\n\n"
        "    def %s(self, *args):\n        if args not in self._%s_cache:\n"
        "            self._%s_cache[args] = ...  # the body as before\n"
        "        return self._%s_cache[args]\n\n"
        "# a method that takes no argument: @functools.cached_property instead\n```\n",
        cls, cls, m, cls, m, m, m, m, m);
}

static char *uncached_example(const leak_candidate *c)
{
    const char *f = or(c->member_name, "load");
    return report_format(
        "```python\n# before: every call adds an entry, and none is ever used again\n"
        "@functools.cache\ndef %s(key):\n    ...\n\n"
        "# after: no cache, since it never hits\ndef %s(key):\n    ...\n\n"
        "# or, if some calls do repeat: a bounded cache\n"
        "@functools.lru_cache(maxsize=100)\ndef %s(key):\n    ...\n```\n",
        f, f, f);
}

static char *done_tasks_example(const report *r, const leak_candidate *c)
{
    const char *tasks = or(container_name(r, c), "tasks");
    const char *type = heap_type_name(r->heap, c->object);
    int list = strcmp(type, "list") == 0;
    return report_format(
        "```python\n# before: finished tasks stay, with their results\n"
        "%s.%s(asyncio.create_task(work()))\n\n"
        "# after: each task leaves when it is done\ntask = asyncio.create_task(work())\n"
        "%s.%s(task)\ntask.add_done_callback(%s.%s)\n```\n",
        tasks, list ? "append" : "add", tasks, list ? "append" : "add", tasks,
        list ? "remove" : "discard");
}

static char *tracebacks_example(const report *r, const leak_candidate *c)
{
    const char *kept = or(container_name(r, c), "failures");
    char exception[512];
    const char *name = c->entry_type ? last_part(group_name(r->heap, GROUP_BY_TYPE, c->entry_type,
                                                            exception, sizeof exception))
                                     : NULL;
    const char *caught = or(name, "Exception");
    return report_format(
        "```python\n# before: each exception keeps its traceback, its frames and their locals\n"
        "except %s as e:\n    %s.append(e)\n\n"
        "# after: keep what the report needs, not the frames\n"
        "except %s as e:\n    %s.append(repr(e))\n"
        "    # or traceback.TracebackException.from_exception(e), to print it later,\n"
        "    # or e.with_traceback(None), to keep the exception without its frames\n```\n",
        caught, kept, caught, kept);
}

/* "app.request.*" as code: an f-string, and the shared name before the first "*". */
static char *logger_example(const leak_candidate *c)
{
    const char *pattern = c->key_pattern;
    size_t n = pattern ? strlen(pattern) : 0;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)pattern[i]) && !strchr("_.-:*/", pattern[i]))
            pattern = NULL, n = 0;
    if (!pattern || n > NAME_MAX_LEN)
        pattern = "app.request.*", n = strlen(pattern);
    char templated[4 * NAME_MAX_LEN], shared[NAME_MAX_LEN + 1];
    size_t t = 0, s = strcspn(pattern, "*");
    for (size_t i = 0; i < n && t + 16 < sizeof templated; i++)
        t += (size_t)snprintf(templated + t, sizeof templated - t,
                              pattern[i] == '*' ? "{request_id}" : "%c", pattern[i]);
    while (s > 0 && strchr(".-:_/", pattern[s - 1]))
        s--;
    snprintf(shared, sizeof shared, "%.*s", (int)(s ? s : 3), s ? pattern : "app");
    return report_format(
        "```python\n# before: a logger per request, which logging keeps until the process ends\n"
        "log = logging.getLogger(f\"%s\")\nlog.info(\"handled\")\n\n"
        "# after: one logger; the id travels with each record\n"
        "log = logging.getLogger(\"%s\")\nlog.info(\"handled\", extra={\"request_id\": request_id})\n"
        "# or: logging.LoggerAdapter(log, {\"request_id\": request_id})\n```\n",
        templated, shared);
}

static char *callbacks_example(const report *r, const leak_candidate *c)
{
    const char *listeners = or(container_name(r, c), "listeners");
    return report_format(
        "```python\n# before: the registry keeps every handler alive\n"
        "%s.append(handler.on_event)\n\n"
        "# after: remove it when the handler is done, or hold the method weakly\n"
        "import weakref\n%s.append(weakref.WeakMethod(handler.on_event))\n"
        "# (call it as ref(), and drop the entry when that returns None)\n```\n",
        listeners, listeners);
}

static char *class_cache_example(const leak_candidate *c)
{
    const char *cls = or(last_part(c->class_name), "Resolver"), *attr = or(c->member_name, "_cache");
    return report_format(
        "```python\n# before: a dict on the class keeps every result while the class lives\n"
        "class %s:\n    %s = {}\n\n    def lookup(self, key):\n"
        "        if key not in %s.%s:\n            %s.%s[key] = compute(key)\n"
        "        return %s.%s[key]\n\n"
        "# after: a bounded cache of the function that computes the entries\n"
        "@functools.lru_cache(maxsize=100)\ndef compute_cached(key):\n    return compute(key)\n\n"
        "class %s:\n    def lookup(self, key):\n        return compute_cached(key)\n```\n",
        cls, attr, cls, attr, cls, attr, cls, attr, cls);
}

static char *bounded_example(const report *r, const leak_candidate *c, int list)
{
    const char *name = or(container_name(r, c), list ? "EVENTS" : "_CACHE");
    if (list)
        return report_format("```python\n# before: a list that only grows\n%s = []\n%s.append(event)\n\n"
                             "# after: keeps the newest 1000\nfrom collections import deque\n"
                             "%s = deque(maxlen=100)\n%s.append(event)\n```\n",
                             name, name, name, name);
    return report_format(
        "```python\n# before: a dict that keeps every key it was given\n%s = {}\n"
        "def get(key):\n    if key not in %s:\n        %s[key] = load(key)\n    return %s[key]\n\n"
        "# after: a bounded cache\nimport functools\n\n@functools.lru_cache(maxsize=100)\n"
        "def get(key):\n    return load(key)\n```\n",
        name, name, name, name);
}

/* ---- the fixes --------------------------------------------------------------------- */

typedef struct fix {
    suggestion_kind kind;
    uint64_t savings;
    char *message, *example;
} fix;

static int method_cache_fix(const report *r, const leak_candidate *c, fix *f)
{
    char size[32];
    (void)r;
    f->kind = SUGGEST_METHOD_CACHE;
    f->savings = c->cause_bytes;
    f->message = report_format(
        "Cache per instance instead of on the method: a dict on the instance, "
        "functools.cached_property for a method without arguments, or a cache keyed on the "
        "fields the result depends on. Each %s is then freed with its results once the program "
        "drops it: about %s.",
        c->class_name ? c->class_name : "instance", format_bytes(f->savings, size, sizeof size));
    f->example = method_cache_example(c);
    return 0;
}

static int function_cache_fix(const report *r, const leak_candidate *c, fix *f)
{
    char size[32];
    if (c->hits == 0 && c->misses > 0) {
        f->kind = SUGGEST_BOUNDED_CACHE;
        f->savings = c->retained_size;
        f->message = report_format(
            "Remove the cache on %s(): in %lld calls it never hit, so it only keeps results no "
            "one asks for again (%s). If some calls do repeat, bound it instead: "
            "functools.lru_cache(maxsize=...).",
            c->member_name ? c->member_name : "the function", (long long)c->misses,
            format_bytes(f->savings, size, sizeof size));
        f->example = uncached_example(c);
        return 0;
    }
    if (!c->leak)
        return 0; /* unbounded, and hit: only growth would make bounding it worth it */
    f->kind = SUGGEST_BOUNDED_CACHE;
    f->savings = bounded_savings(c);
    f->message = report_format(
        "Bound the cache on %s(): functools.lru_cache(maxsize=...) keeps the most recent results; "
        "at %d entries it would free about %s.",
        c->member_name ? c->member_name : "the function", BOUNDED_ENTRIES,
        format_bytes(f->savings, size, sizeof size));
    f->example = bounded_example(r, c, 0);
    return 0;
}

static int garbage_fix(const report *r, const leak_candidate *c, fix *f)
{
    char size[32];
    int disabled = r->interp.gc.known && !r->interp.gc.enabled;
    f->kind = SUGGEST_COLLECT_GARBAGE;
    f->savings = c->retained_size;
    format_bytes(f->savings, size, sizeof size);
    if (c->cause == CAUSE_GC_FROZEN) {
        f->message = report_format(
            "Collect before freezing: gc.collect() just before gc.freeze(), and freeze only once "
            "the program holds what it keeps (after imports, before forking workers); "
            "gc.unfreeze() then gc.collect() frees what is frozen already: about %s.",
            size);
        f->example = strdup("```python\n# before: garbage frozen with the rest, never collected\n"
                            "gc.freeze()\n\n# after: nothing left to free when freezing\n"
                            "gc.collect()\ngc.freeze()\n```\n");
    } else if (c->cause == CAUSE_GC_GARBAGE) {
        f->message = report_format(
            "Empty gc.garbage once its objects are inspected (gc.garbage.clear()), and leave "
            "gc.DEBUG_SAVEALL off outside debugging; objects with a __del__ that keeps them "
            "alive need their cycle broken: about %s.",
            size);
        f->example = strdup("```python\n# before: what the collector saved stays forever\n"
                            "gc.set_debug(gc.DEBUG_SAVEALL)\n\n# after: look, then let it go\n"
                            "inspect(gc.garbage)\ngc.garbage.clear()\ngc.set_debug(0)\n```\n");
    } else {
        f->message = report_format(
            "%s, or call gc.collect() where a pause is affordable; better, break the cycles "
            "(a weakref.ref for each back reference), so reference counting frees them at once: "
            "about %s.",
            disabled ? "Turn the collector back on (gc.enable())"
                     : "Give automatic collection a threshold again (gc.set_threshold(700))",
            size);
        f->example = strdup(suggestion_example(SUGGEST_COLLECT_GARBAGE));
    }
    return 0;
}

/* A fix without a named cause: for a collection proven to grow. */
static int growth_fix(const report *r, const leak_candidate *c, fix *f)
{
    if (!c->leak || c->kind != LEAK_LARGE_COLLECTION)
        return 0;
    const char *type = heap_type_name(r->heap, c->object);
    int list = strcmp(type, "list") == 0 || strcmp(type, "deque") == 0;
    char size[32];
    f->kind = list ? SUGGEST_DEQUE : SUGGEST_BOUNDED_CACHE;
    f->savings = bounded_savings(c);
    format_bytes(f->savings, size, sizeof size);
    f->message = list ? report_format("This list grows (%llu entries); if only recent entries "
                                      "matter, collections.deque(maxlen=...) bounds it: at %d "
                                      "entries it would free about %s.",
                                      (unsigned long long)c->entries, BOUNDED_ENTRIES, size)
                      : report_format("This %s grows (%llu entries); bound it "
                                      "(functools.lru_cache(maxsize=...), an LRU dict) or remove "
                                      "entries once they are done with: at %d entries it would "
                                      "free about %s.",
                                      type, (unsigned long long)c->entries, BOUNDED_ENTRIES, size);
    f->example = bounded_example(r, c, list);
    return 0;
}

static int fix_of(const report *r, const leak_candidate *c, fix *f)
{
    char size[32];
    memset(f, 0, sizeof *f);
    f->kind = SUGGESTION_KIND_COUNT; /* none, until a rule finds one */
    switch (c->cause) {
    case CAUSE_METHOD_CACHE:
        return method_cache_fix(r, c, f);
    case CAUSE_FUNCTION_CACHE:
        return function_cache_fix(r, c, f);
    case CAUSE_FINISHED_TASKS: {
        int list = strcmp(heap_type_name(r->heap, c->object), "list") == 0;
        f->kind = SUGGEST_DONE_TASKS;
        f->savings = c->cause_bytes;
        f->message = report_format(
            "Let each task leave the collection when it is done: "
            "task.add_done_callback(%s.%s) after adding it. That frees the %llu finished tasks "
            "and their results: about %s.",
            or(container_name(r, c), "tasks"), list ? "remove" : "discard",
            (unsigned long long)c->cause_count, format_bytes(f->savings, size, sizeof size));
        f->example = done_tasks_example(r, c);
        return 0;
    }
    case CAUSE_STORED_EXCEPTIONS:
        f->kind = SUGGEST_DROP_TRACEBACKS;
        f->savings = c->cause_bytes;
        f->message = report_format(
            "Keep what is needed of each exception, not its frames: repr(e), a "
            "traceback.TracebackException, or e.with_traceback(None). That frees the tracebacks, "
            "their frames and their locals: about %s.",
            format_bytes(f->savings, size, sizeof size));
        f->example = tracebacks_example(r, c);
        return 0;
    case CAUSE_LOGGERS:
        f->kind = SUGGEST_SHARED_LOGGER;
        f->savings = c->cause_bytes;
        f->message = report_format(
            "Use one logger and pass the id with each record (extra= or a logging.LoggerAdapter) "
            "instead of a logger per request named '%s'. That frees the %llu loggers: about %s.",
            c->key_pattern ? c->key_pattern : "", (unsigned long long)c->cause_count,
            format_bytes(f->savings, size, sizeof size));
        f->example = logger_example(c);
        return 0;
    case CAUSE_CALLBACKS:
        f->kind = SUGGEST_WEAK_CALLBACKS;
        f->savings = c->cause_bytes;
        f->message = report_format(
            "Unsubscribe each callback when its object is done, or hold bound methods through "
            "weakref.WeakMethod: that frees the %llu callbacks' objects, about %s.",
            (unsigned long long)c->cause_count, format_bytes(f->savings, size, sizeof size));
        f->example = callbacks_example(r, c);
        return 0;
    case CAUSE_CLASS_CACHE:
        f->kind = SUGGEST_CLASS_CACHE;
        f->savings = bounded_savings(c);
        f->message = report_format(
            "If %s.%s need not keep every entry while the class lives, bound it: "
            "functools.lru_cache(maxsize=...) on the function that computes the entries, or a "
            "cache per instance. At %d entries it would free about %s.",
            c->class_name, c->member_name, BOUNDED_ENTRIES,
            format_bytes(f->savings, size, sizeof size));
        f->example = class_cache_example(c);
        return 0;
    case CAUSE_GC_DISABLED:
    case CAUSE_GC_FROZEN:
    case CAUSE_GC_GARBAGE:
        return garbage_fix(r, c, f);
    default:
        return growth_fix(r, c, f);
    }
}

/* Whose code the fix changes: the class the cause is about, or the finding's holder. */
static code_owner fix_owner(report *r, const leak_candidate *c, char *name, size_t size)
{
    if (c->cause_type && (c->cause == CAUSE_METHOD_CACHE || c->cause == CAUSE_CLASS_CACHE))
        return interp_type_owner(&r->interp, c->cause_type, name, size);
    snprintf(name, size, "%s", c->owner_name);
    return c->owner;
}

int suggest_fixes(report *r, const retention *paths, const report_options *o)
{
    (void)o;
    for (size_t i = 0; i < r->leak_count; i++) {
        leak_candidate *c = &r->leaks[i];
        fix f;
        if (fix_of(r, c, &f) < 0)
            return -1;
        if (f.kind == SUGGESTION_KIND_COUNT)
            continue;
        if (!f.message || !f.example) {
            free(f.message), free(f.example);
            return -1;
        }
        suggestion *s = report_add_suggestion(r, f.kind, c->object, c->cause_count ? c->cause_count
                                                                                  : c->entries,
                                              f.savings);
        if (!s) {
            free(f.message), free(f.example);
            return -1;
        }
        s->fixes = i;
        s->message = f.message;
        s->example = f.example;
        s->owner = fix_owner(r, c, s->owner_name, sizeof s->owner_name);
        if ((c->cause == CAUSE_METHOD_CACHE || c->cause == CAUSE_CLASS_CACHE) && c->class_name &&
            c->member_name)
            s->target = report_format("%s.%s", c->class_name, c->member_name);
        else if (c->kind == LEAK_GARBAGE)
            s->target = strdup(c->cause == CAUSE_GC_GARBAGE ? "gc.garbage" : "reference cycles");
        else
            s->target = c->object == HEAP_NONE ? strdup("(unreachable)")
                                                : report_where(r, paths, c->object);
        if (!s->target)
            return -1;
    }
    return 0;
}
