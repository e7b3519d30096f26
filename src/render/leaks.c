/*
 * leaks.c: what survived, as one document: the three dumps, what identity
 * can and cannot prove, the clusters by holder with their types, a path,
 * and the cause and fix where the final dump's report names one.
 */
#include <inttypes.h>
#include <stdlib.h>

#include "render/leaks.h"
#include "render/render.h"
#include "textout.h"

/* Holders of less are noise (an int a C static picked up): summed in one line. */
#define LEAKS_SHOWN_BYTES 1024
#define LEAKS_SHOWN_TEXT "1 KiB"

static void summary(doc *d, const survivors *s, const report *final, const leaks_source *src)
{
    char process[256];
    doc_title(d);
    doc_text(d, "heapan leaks: ");
    doc_styled(d, SPAN_PATH, 1, src->final);
    doc_facts(d);
    doc_fact(d, "process");
    doc_dump(d, render_process_text(final->heap, process, sizeof process));
    doc_fact(d, "baseline");
    doc_styled(d, SPAN_PATH, 1, src->baseline);
    if (src->target) {
        doc_fact(d, "target");
        doc_styled(d, SPAN_PATH, 1, src->target);
    }
    doc_fact(d, "final");
    doc_styled(d, SPAN_PATH, 1, src->final);
    doc_fact(d, src->target ? "new in the target" : "new since the baseline");
    doc_textf(d, "%" PRIu64 " object%s, ", s->target_new, plural(s->target_new));
    doc_bytes(d, s->target_new_bytes);
    doc_fact(d, "still alive");
    doc_textf(d, "%" PRIu64 " object%s, ", s->count, plural(s->count));
    doc_bytes(d, s->bytes);
    doc_fact(d, "leaked");
    doc_textf(d, "%" PRIu64 " object%s, ", s->leaked, plural(s->leaked));
    doc_bytes(d, s->leaked_bytes);
    doc_text(d, s->warmed_up ? " (after a warm-up: caches count)" : " (caches and imports apart)");
    if (src->limit) {
        doc_fact(d, "limit");
        doc_bytes(d, src->limit);
        doc_text(d, s->leaked_bytes >= src->limit ? ": crossed" : ": not crossed");
    }
    doc_para(d, TONE_NOTE);
    doc_styled(d, SPAN_STRONG, 0, "How an object is known again.");
    doc_text(d, " CPython never moves an object, so an object at the same address, of the same "
                "type, owning the same objects (or, owning none, of the same size and value), is "
                "taken for the same object. It is a strong heuristic, not a proof. Dumps taken at "
                "quiet points, after gc.collect() (heapan.dump(gc_collect=True)), tell best.");
}

static void type_list(doc *d, const heap *h, const survivor_cluster *c, size_t most)
{
    for (size_t t = 0; t < c->type_count && t < most; t++) {
        char name[512];
        doc_text(d, t ? ", " : "");
        doc_dump(d, group_name(h, GROUP_BY_TYPE, c->types[t].type, name, sizeof name));
        doc_textf(d, " ×%" PRIu64, c->types[t].count);
    }
}

static void clusters_table(doc *d, const survivors *s, const heap *h, size_t shown)
{
    static const char *const names[] = {"#", "held by", "kept", "objects", "new bytes", "retained",
                                        "most"};
    static const column_kind kinds[] = {COL_COUNT, COL_TEXT, COL_TEXT, COL_COUNT, COL_BYTES,
                                        COL_BYTES, COL_TEXT};
    doc_table(d, 7, names, kinds, SIZE_MAX);
    for (size_t k = 0; k < shown; k++) {
        const survivor_cluster *c = &s->clusters[k];
        doc_cell(d), doc_textf(d, "%zu", k + 1), doc_sort_key(d, (double)k + 1);
        doc_cell(d), doc_styled(d, SPAN_PATH, 1, c->where);
        doc_cell(d), doc_text(d, kept_kind_name(c->kind));
        doc_cell(d), doc_textf(d, "%" PRIu64, c->objects), doc_sort_key(d, (double)c->objects);
        doc_cell(d), doc_bytes(d, c->bytes), doc_sort_key(d, (double)c->bytes);
        doc_cell(d), doc_bytes(d, c->retained), doc_sort_key(d, (double)c->retained);
        doc_cell(d), type_list(d, h, c, 1);
    }
}

/* The cache, module or root named after "through", if known. */
static void kept_by(doc *d, const survivor_cluster *c)
{
    if (c->kept_by) {
        doc_text(d, " (");
        doc_styled(d, SPAN_PATH, 1, c->kept_by);
        doc_text(d, ")");
    }
}

/*
 * What identity proves of a cluster of each kind, around the name of what
 * keeps it: the text before it, and after it without and with a warm-up.
 */
static const struct {
    const char *lead, *cold, *warm;
} evidence_texts[KEPT_KIND_COUNT] = {
    [KEPT_LEAK] = {NULL, ": a leak, unless the program means to keep them.", NULL},
    [KEPT_CACHE] = {", but kept only through a cache or a library's own state",
                    ". A cache that fills once is not a leak; one that grows each time is. Run the "
                    "work once before the baseline to tell (heapan leaks --warmed-up, pytest "
                    "--heapan-repeat 2).",
                    ". The work ran once before the baseline, so this is growth: a cache that keeps "
                    "more each time is a leak."},
    [KEPT_BOUNDED] = {", but kept only by a bounded cache",
                      ": lru_cache(maxsize=N) drops its oldest entries past N, so it stops growing.",
                      NULL},
    [KEPT_IMPORT] = {": a module imported since the baseline", ", and what it defines. Modules are "
                     "kept on purpose.", ", after a warm-up that should have imported it: an "
                     "import made anew each time."},
    [KEPT_LOCAL] = {", held by a running function's variables",
                    ": they go when it returns, unless it never does (a thread's loop).", NULL},
    [KEPT_INTERPRETER] = {", held by the interpreter or C code",
                          ": interned strings, static objects, heapan's own state.", NULL},
    [KEPT_GARBAGE] = {NULL, ", but no root reaches them: garbage that the cycle collector frees "
                      "at its next run.", NULL},
    [KEPT_REPLACED] = {", in the place (the same key or attribute)",
                       " of an object freed since: a replacement, not growth.", NULL},
    [KEPT_HARNESS] = {", held through the test runner's own objects",
                      " (a log capture, a report): the runner releases them.", NULL},
};

/* What identity proves of a cluster, and what one pair of dumps cannot tell about its holder. */
static void evidence(doc *d, const survivors *s, const survivor_cluster *c)
{
    doc_text(d, "allocated after the baseline and still alive, by identity");
    if (evidence_texts[c->kind].lead) {
        doc_text(d, evidence_texts[c->kind].lead);
        kept_by(d, c);
    }
    doc_text(d, s->warmed_up && evidence_texts[c->kind].warm ? evidence_texts[c->kind].warm
                                                              : evidence_texts[c->kind].cold);
}

static const char *kept_fix_text(kept_kind kind)
{
    switch (kind) {
    case KEPT_CACHE:
        return "none needed if it stops growing. If a warmed-up run shows it growing, bound the "
               "cache (functools.lru_cache(maxsize=...)) or stop filling it per call.";
    case KEPT_BOUNDED: return "none: the cache is bounded.";
    case KEPT_IMPORT: return "none: an import keeps its module for the life of the process.";
    case KEPT_GARBAGE: return "none: gc.collect() before the dump frees it.";
    case KEPT_REPLACED: return "none: the old value is gone.";
    default: return "none.";
    }
}

/* One cluster: what it holds, a path to one of them, and the cause and fix the report names. */
static void cluster_details(doc *d, const survivors *s, const report *final, size_t k)
{
    const survivor_cluster *c = &s->clusters[k];
    doc_details(d, k == 0);
    doc_textf(d, "%zu. ", k + 1);
    doc_dump(d, c->where);
    doc_textf(d, ": %" PRIu64 " new object%s, ", c->objects, plural(c->objects));
    doc_bytes(d, c->bytes);
    doc_list(d);
    doc_item(d);
    doc_lead(d, "Evidence:");
    evidence(d, s, c);
    doc_item(d);
    doc_lead(d, "Types:");
    type_list(d, final->heap, c, SURVIVOR_TYPES);
    if (c->example) {
        doc_item(d);
        doc_lead(d, "Path:");
        doc_styled(d, SPAN_PATH, 1, c->example);
    }
    const leak_candidate *f = c->finding;
    if (f && f->cause_text) {
        doc_item(d);
        doc_lead(d, "Cause:");
        doc_dump(d, f->cause_text);
    }
    doc_item(d);
    doc_lead(d, "Fix:");
    if (c->kind != KEPT_LEAK && !(s->warmed_up && kept_counts(c->kind, 1)))
        doc_text(d, kept_fix_text(c->kind));
    else if (f && f->fix != SIZE_MAX)
        doc_dump(d, final->suggestions[f->fix].message);
    else
        doc_text(d, "release them when the work that made them is done (remove them from what "
                    "holds them, or bound it), or hold them weakly if they must not keep it alive.");
    doc_details_end(d);
}

int render_leaks_doc(doc *d, const survivors *s, const report *final, const leaks_source *src)
{
    summary(d, s, final, src);
    doc_heading(d, 2, NULL);
    doc_text(d, "What survived, by what holds it");
    size_t shown = 0;
    uint64_t rest_bytes = 0, rest_objects = 0;
    for (size_t k = 0; k < s->cluster_count; k++) {
        if (k < src->top && s->clusters[k].bytes >= LEAKS_SHOWN_BYTES)
            shown = k + 1;
        else
            rest_bytes += s->clusters[k].bytes, rest_objects += s->clusters[k].objects;
    }
    if (!shown) {
        char bytes[32];
        doc_para(d, TONE_OK);
        if (s->count)
            doc_textf(d, "No holder keeps %s or more of what was allocated after the baseline "
                         "(%" PRIu64 " object%s, %s in all, are still alive): no leak between these "
                         "dumps.", LEAKS_SHOWN_TEXT, s->count, plural(s->count),
                      format_bytes(s->bytes, bytes, sizeof bytes));
        else
            doc_text(d, "Nothing allocated after the baseline is still alive: no leak between these dumps.");
        return doc_failed(d) ? -1 : 0;
    }
    clusters_table(d, s, final->heap, shown);
    for (size_t k = 0; k < shown; k++)
        cluster_details(d, s, final, k);
    if (shown < s->cluster_count) {
        char bytes[32];
        doc_para(d, TONE_PLAIN);
        size_t more = s->cluster_count - shown;
        doc_textf(d, "%zu more holder%s %s %" PRIu64 " object%s, %s in all: each under %s, or "
                     "past --top.", more, plural(more), more == 1 ? "keeps" : "keep",
                  rest_objects, plural(rest_objects), format_bytes(rest_bytes, bytes, sizeof bytes),
                  LEAKS_SHOWN_TEXT);
    }
    return doc_failed(d) ? -1 : 0;
}
