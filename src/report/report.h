/*
 * report.h: the model behind `heapan report`: ranked leak candidates,
 * optimisation suggestions with their estimated savings, and the tables.
 * Built from an analysed heap; it never prints.  Three renderers
 * (render_md.c, render_html.c, render_json.c) write it out.
 */
#ifndef HEAPAN_REPORT_H
#define HEAPAN_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "model/accounting.h"
#include "model/dominators.h"
#include "model/heap.h"
#include "model/histogram.h"
#include "model/interp.h"
#include "model/paths.h"
#include "model/pytypes.h"

typedef enum leak_kind {
    LEAK_LARGE_COLLECTION, /* a collection under a root holding many entries it alone keeps */
    LEAK_BIG_RETAINER,     /* one object retaining a large share of the heap */
    LEAK_TRACEBACK,        /* a stored traceback keeping frames and their locals alive */
    LEAK_GARBAGE           /* cycles the collector will not free: off, frozen, gc.garbage */
} leak_kind;

/* The lower-case name of a leak kind, as in the JSON report ("large_collection"). */
const char *leak_kind_name(leak_kind kind);

/* What a finding is, in Python terms (causes.c); recognised by structure. */
typedef enum cause_kind {
    CAUSE_NONE,
    CAUSE_METHOD_CACHE,      /* functools.cache or lru_cache on a method: its keys hold self */
    CAUSE_FUNCTION_CACHE,    /* functools.cache, or lru_cache(maxsize=None), on a function */
    CAUSE_FINISHED_TASKS,    /* finished asyncio tasks kept, with their results */
    CAUSE_STORED_EXCEPTIONS, /* exceptions kept with their tracebacks */
    CAUSE_LOGGERS,           /* a logger made per request: logging never frees one */
    CAUSE_CALLBACKS,         /* bound methods or closures held by a registry */
    CAUSE_CLASS_CACHE,       /* a dict on a class, keyed by the values of calls */
    CAUSE_GC_DISABLED,       /* garbage: automatic collection is off */
    CAUSE_GC_FROZEN,         /* garbage: gc.freeze() put it where it is never collected */
    CAUSE_GC_GARBAGE,        /* garbage: the collector could not free it (gc.garbage) */
    CAUSE_KIND_COUNT
} cause_kind;

/* "method_cache", ...; NULL for CAUSE_NONE. */
const char *cause_kind_name(cause_kind cause);

/* What says whether a finding grows (story.c). */
typedef enum growth_evidence {
    GROWTH_UNKNOWN,         /* one dump: a size, not a growth */
    GROWTH_IN_DUMP,         /* the dump itself proves it: a cache that never hits, gc off */
    GROWTH_TRACE,           /* the sites that allocated it grow steadily in the trace */
    GROWTH_BASELINE,        /* it grew since the baseline dump */
    GROWTH_STABLE_TRACE,    /* the sites that allocated it do not grow in the trace */
    GROWTH_STABLE_BASELINE  /* it did not grow since the baseline dump */
} growth_evidence;

/* "one_dump", "in_dump", "trace", "baseline", "stable_in_trace", "stable_since_baseline". */
const char *growth_evidence_name(growth_evidence growth);

typedef struct type_count {
    uint32_t type;   /* type id */
    uint64_t count, retained_size;
} type_count;

#define REPORT_TYPES_PER_FINDING 3

/* A finding that exists only because of another: the same objects, held again. */
typedef struct folded_finding {
    uint32_t object;
    uint64_t retained_size;
    path path;
} folded_finding;

typedef struct leak_candidate {
    leak_kind kind;
    double score;               /* 0..100: share of the heap, weighted by how leak-like */
    uint32_t object;            /* the object, or HEAP_NONE for garbage as a whole */
    uint64_t retained_size, retained_count;
    uint64_t entries;           /* large collection: its entries; garbage: objects */
    type_count types[REPORT_TYPES_PER_FINDING];  /* what it holds, most first */
    size_t type_count;
    uint32_t site;              /* frame id where most of those were allocated, 0 if unknown */
    uint32_t program_site;      /* the first frame of that stack in the program's own code, or 0 */
    path path;                  /* from its root; count 0 when unreachable */
    char *path_text;            /* its text, told apart from every other finding's; NULL if none */
    char *reason;               /* what the structure is, one sentence; no growth claim */
    uint32_t entry_type;        /* large collection: the commonest type of its entries */
    /* The cause in Python terms (causes.c). */
    cause_kind cause;
    char *cause_text;           /* NULL without a cause */
    char *class_name;           /* the class it is about ("app.Document"), or NULL */
    char *member_name;          /* the method or attribute ("tokens"), or NULL */
    char *key_pattern;          /* loggers: the name they share ("app.request.*"), or NULL */
    uint32_t cause_type;        /* the type id of the class the cause is about, 0 if none */
    uint64_t cause_count;       /* what the cause holds: instances, tasks, exceptions, loggers */
    uint64_t cause_bytes;       /* what fixing the cause frees */
    int64_t hits, misses, maxsize; /* a functools cache's counters; hits -1 when unknown */
    /* The evidence (story.c). */
    growth_evidence growth;
    char *growth_text;          /* the evidence; or what one dump cannot know, and how to learn it */
    int leak;                   /* growth is proven: a leak, not only a size */
    uint64_t baseline_entries, baseline_retained;  /* GROWTH_*BASELINE: the baseline's */
    code_owner owner;           /* whose code holds it */
    char owner_name[64];        /* the package's or module's name */
    size_t fix;                 /* index of its fix among the suggestions, SIZE_MAX if none */
    folded_finding *folded;
    size_t folded_count;
    size_t origin;              /* its index in the trace link's origins */
} leak_candidate;

typedef enum suggestion_kind {
    SUGGEST_SLOTS,
    SUGGEST_GENERATOR,
    SUGGEST_NUMPY_ARRAY,
    SUGGEST_INTERN_STRINGS,
    SUGGEST_EMPTY_COLLECTIONS,
    SUGGEST_DEQUE,
    SUGGEST_BOUNDED_CACHE,
    SUGGEST_WEAK_CALLBACKS,
    SUGGEST_LAZY_LOADING,
    SUGGEST_REUSE_BUFFER,       /* from an allocation trace only */
    SUGGEST_DEDUPE_STRINGS,     /* V8 snapshots: what intern_strings is for Python */
    SUGGEST_METHOD_CACHE,       /* a cache that does not hold self: cached_property, per instance */
    SUGGEST_DONE_TASKS,         /* task.add_done_callback(tasks.discard) */
    SUGGEST_DROP_TRACEBACKS,    /* keep repr(e) or a TracebackException, not the exception */
    SUGGEST_SHARED_LOGGER,      /* one logger with extra= or a LoggerAdapter */
    SUGGEST_CLASS_CACHE,        /* a bounded cache instead of a dict on the class */
    SUGGEST_COLLECT_GARBAGE,    /* let the collector free the cycles, or break them */
    SUGGESTION_KIND_COUNT
} suggestion_kind;

/* "slots", "generator", ... as in the JSON report. */
const char *suggestion_kind_name(suggestion_kind kind);

/* A short before/after example in Markdown for each kind. */
const char *suggestion_example(suggestion_kind kind);

/* Does a suggestion of this kind fix a finding, rather than save inside one? */
int suggestion_is_fix(suggestion_kind kind);

typedef struct suggestion {
    suggestion_kind kind;
    char *target;               /* a type name, or a path to the object */
    uint64_t instances;
    uint64_t estimated_savings; /* bytes */
    double confidence;          /* 1 when measured; less when it depends on how the program
                                   uses the data (ranks savings by this) */
    uint32_t object;            /* an example object, HEAP_NONE if none */
    char *message;              /* what to change and why, with the evidence */
    uint64_t value_hash;        /* intern_strings: the most duplicated value's hash */
    char *example_value;        /* its text, when the caller could read it; else NULL */
    /* The story (story.c). */
    size_t fixes;               /* the finding it fixes, SIZE_MAX for a saving of its own */
    size_t inside;              /* a finding whose fix frees part of this saving, SIZE_MAX */
    uint64_t inside_bytes;      /* that part, left out of estimated_savings */
    code_owner owner;           /* whose code must change */
    char owner_name[64];
    char *example;              /* a before/after fitted to the case (Markdown); NULL: the kind's */
    char *note;                 /* what else it does or depends on, or NULL */
} suggestion;

/* The least a finding retains by default: 2% of the heap, and at least this. */
#define REPORT_MIN_RETAINED (64u << 10)

typedef struct report_options {
    uint64_t min_retained;      /* findings must retain at least this; 0: the default */
    double big_share;           /* a big retainer holds at least this share (default 0.2) */
    uint64_t min_entries;       /* an accumulation point has at least this many (100) */
    size_t top;                 /* rows per table (default 10) */
    /* Filters on type names and allocation sites: NULL to accept all.  accept_type: is
     * the type not excluded?  include_type: 1 included, 0 not, -1 when nothing is. */
    int (*accept_type)(void *ctx, const char *type_name);
    int (*include_type)(void *ctx, const char *type_name);
    int (*accept_site)(void *ctx, const char *site);
    void *filter_ctx;
    int own_code;               /* leave out suggestions for code the program does not own */
    /* Evidence of growth beside the dump, each NULL when not given. */
    const struct trace *trace;  /* an allocation trace of the same process */
    const struct structure_index *baseline;  /* the structures of an earlier dump */
} report_options;

typedef struct report {
    const heap *heap;
    const dominators *dom;
    pytypes classes;            /* the class hierarchy */
    interp interp;              /* the collector, and whose code is whose */
    struct trace_link *link;    /* with a trace: where the findings were allocated */
    int has_baseline;           /* growth was compared with an earlier dump */
    leak_candidate *leaks;
    size_t leak_count, leak_cap;
    suggestion *suggestions;
    size_t suggestion_count, suggestion_cap;
    uint64_t min_retained;      /* the threshold used */
    histogram types, modules, sites;
    histogram program_sites;    /* by the allocation's first frame in the program's own code */
    uint32_t *subtrees;         /* the largest dominator subtrees' roots */
    size_t subtree_count;
    path *subtree_paths;        /* how each is held */
    uint32_t *subtree_children; /* each one's REPORT_CHILDREN biggest children, HEAP_NONE after */
    path *child_paths;          /* how each child is held (count 0: no root reaches it) */
    uint64_t pending_bytes, pending_objects;  /* cycles awaiting the collector: no finding */
    int size_only;              /* some finding's growth is unknown: say what one dump shows */
    int incomplete;             /* the dump was cut short: nothing unreached is known garbage */
    int rootless;               /* the dump names no root: neither is anything */
    accounting memory;          /* where RSS went, beside the objects (present: recorded) */
} report;

/*
 * Builds the report; `paths` must be computed and `d` must have its tree.
 * Returns 0, or -1 when out of memory (release `r` either way).
 */
int report_build(const heap *h, const dominators *d, const retention *paths,
                 const report_options *options, report *r);
void report_release(report *r);

/*
 * What one dump cannot prove, and how to learn it: said once in a report
 * with findings whose growth is unknown.  NULL when none is.
 */
const char *report_limits_text(const report *r);

/* "850 KiB of cycles await the next collection..." as a new string; NULL when none wait. */
char *report_pending_text(const report *r);

/* For a dump cut short, what its findings can and cannot tell; NULL for a whole one. */
const char *report_incomplete_text(const report *r);

/* Children of a dominator subtree the report keeps, with their paths (a treemap's boxes). */
#define REPORT_CHILDREN 8

/*
 * The children of x in the dominator tree (x = dom->count: the top-level
 * objects) that retain the most, biggest first, into out[max]; how many.
 */
size_t report_biggest_children(const report *r, uint32_t x, uint32_t *out, size_t max);

/* Type name as group_name() writes it, for object i. */
const char *report_type_name(const report *r, uint32_t i, char *buf, size_t size);

/* A new string, printf-style, or NULL when out of memory. */
char *report_format(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

/* Is object i a namespace: the __dict__ of a module or a class? */
int report_is_namespace(const heap *h, uint32_t i);

/*
 * The stages of report_build(), in their order: the structures
 * (leaks.c); their causes (causes.c); the evidence of growth, the
 * findings' ranking and what each claims (story.c); a fix for each
 * finding that has one (fixes.c); the savings, split where a fix frees
 * them (suggest.c); the suggestions' order (story.c).  Each returns 0, or
 * -1 when out of memory.
 */
int find_leak_candidates(report *r, const retention *paths, const report_options *o);
int find_causes(report *r);
int weigh_evidence(report *r, const retention *paths, const report_options *o);
int suggest_fixes(report *r, const retention *paths, const report_options *o);
int find_suggestions(report *r, const retention *paths, const report_options *o);
int order_suggestions(report *r, const report_options *o);

/* Frees what a finding or a suggestion owns, and zeroes it. */
void report_release_candidate(leak_candidate *c);
void report_release_suggestion(suggestion *s);

/* Appends a suggestion, zeroed but for its kind, object, counts and confidence; NULL if no memory. */
suggestion *report_add_suggestion(report *r, suggestion_kind kind, uint32_t object,
                                  uint64_t instances, uint64_t savings);

/* The path to v as text, or its type and address when no root reaches it; NULL if no memory. */
char *report_where(const report *r, const retention *paths, uint32_t v);

/*
 * Is unreachable object v frozen garbage: frozen by gc.freeze(), or held
 * by frozen objects only?  `memo` (a byte per object, zeroed) keeps answers.
 */
int report_held_frozen(const report *r, uint32_t v, uint8_t *memo);

/* Is object i a growable collection of the program (dict, list, set, deque...)? */
int report_is_collection(const heap *h, uint32_t i);

#endif
