/*
 * render.h: the documents heapan writes, and the words they share.
 *
 * The layering rule, for whoever adds to this folder: render/ reads the
 * models (report/, trace/, model/) and never changes them; it never
 * parses a command line (cmd/ does, and calls it).  A document is built
 * once as shapes (doc.h) and drawn by any markup; JSON is written from the
 * model.  Everything that comes from the dump (type names, keys, labels,
 * file names) is untrusted: it enters a document with doc_dump(), and
 * each markup escapes it for its format.
 */
#ifndef HEAPAN_RENDER_H
#define HEAPAN_RENDER_H

#include <stdio.h>

#include "render/doc.h"
#include "report/report.h"
#include "trace/link.h"

/* Facts about the file, for the summary. */
typedef struct render_source {
    const char *path;
    const trace_link *trace;   /* NULL without --trace */
    const char *trace_path;
    const char *baseline_path; /* NULL without --baseline */
} render_source;

/* The report as a document (report.c), for any markup; 0, or -1 when out of memory. */
int render_report_doc(doc *d, const report *r, const render_source *src);

/* The report as JSON ("schema": "heapan.report/2"); 0, or -1 when out of memory. */
int render_json(FILE *out, const report *r, const render_source *src);

/* The memory accounting (accounting.c): a report's section, nothing when not recorded. */
void render_accounting(doc *d, const accounting *a);

/* The accounting as JSON: {"rss", "rows": [{name, bytes, known}], ...}, or null; NULL: no memory. */
struct cJSON *render_accounting_json(const accounting *a);

/*
 * How the rows changed across `n` dumps, first to last (compare: two;
 * trend: the series); a note when only one side records them, nothing
 * when neither does.  The JSON: {"rss": [...], "rows": [{"name", "bytes":
 * [...]}], "largest_growth"}, or null; NULL when out of memory.
 */
void render_accounting_change(doc *d, const accounting *dumps, size_t n, const char *first_name,
                              const char *last_name);
struct cJSON *render_accounting_change_json(const accounting *dumps, size_t n);

/* Helpers the renderers share (render_common.c). */

/* The step texts of a path ("module app", " . x", ...) joined; NULL when out of memory. */
char *render_path_text(const report *r, const path *p);

/* Text from the dump, inert in Markdown (punctuation escaped, HTML as entities). */
void render_md_text(FILE *out, const char *s);

/* Text from the dump, inert in HTML. */
void render_html_text(FILE *out, const char *s);

/*
 * "site: 1.2 MiB in 3000 objects; its live bytes grow 50 KiB/s, steadily",
 * for `bytes` and `objects` of a candidate allocated at trace stack
 * `stack`; a new string, or NULL when out of memory.
 */
char *render_origin_text(const trace *t, uint32_t stack, uint64_t bytes, uint64_t objects);

/* "live bytes 2.1 MiB at the end, growing 50 KiB/s (R² 0.98)" for a growing site; new string. */
char *render_growth_text(const trace *t, uint32_t stack);

/* The sites that allocated a finding's objects (its `origin` index), when the trace can tell. */
void render_origins(doc *d, const render_source *src, size_t origin);

/* The trace's steadily growing sites, and a note when it cannot be matched. */
void render_growing_sites(doc *d, const render_source *src);

/* "12.3%" of the heap. */
double render_share(const report *r, uint64_t bytes);

/* Whose code: "the program's own code", "an installed package (networkx)", ... into buf. */
const char *render_owner_text(code_owner owner, const char *name, char *buf, size_t size);

/* A finding's growth in a word or two: "yes (trace)", "no (baseline)", "not known". */
const char *render_growth_word(const leak_candidate *c);

/* A finding's kind as words: "large collection". */
const char *render_kind_words(leak_kind kind);

/* The collector's state in a line ("enabled, thresholds 700 10 10"), into buf; NULL if unknown. */
const char *render_collector_text(const report *r, char *buf, size_t size);

/* "CPython 3.12.1, pid 4242", or for a V8 snapshot, which names no process, "V8 heap snapshot". */
const char *render_process_text(const heap *h, char *buf, size_t size);

#endif
