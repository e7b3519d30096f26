/*
 * accounting.c: the memory accounting table (where RSS went, beside the
 * objects) as a part of any document, and as JSON; its findings, with
 * what the dump cannot tell and how to learn it.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include <cJSON.h>

#include "render/jsonout.h"
#include "render/render.h"
#include "textout.h"

#define BAR_WIDTH 1000.0
#define BAR_HEIGHT 28.0

/* One box per row that holds bytes, in the table's order: the stacked bar. */
static void stacked_bar(doc *d, const accounting *a)
{
    if (a->rss <= 0)
        return;
    doc_boxes(d, BAR_WIDTH, BAR_HEIGHT);
    doc_rich(d);
    doc_text(d, "RSS by row");
    double x = 0;
    for (int k = 0; k < ACCOUNT_ROW_COUNT; k++) {
        int64_t bytes = a->rows[k].bytes;
        if (k == ACCOUNT_OBJECTS)
            bytes += a->rows[ACCOUNT_NOT_RESIDENT].bytes; /* the resident part */
        if (k == ACCOUNT_NOT_RESIDENT || bytes <= 0)
            continue;
        double w = BAR_WIDTH * (double)bytes / (double)a->rss;
        if (x + w > BAR_WIDTH)
            w = BAR_WIDTH - x;
        unsigned char fill = k == ACCOUNT_OBJECTS ? 0 : k == ACCOUNT_REMAINDER ? 3 : 1 + (k & 1);
        char size[32];
        doc_box_add(d, (doc_box){x, 0, w, BAR_HEIGHT, fill});
        doc_textf(d, "%s: %s (%.1f%%)", account_row_label((account_row_kind)k),
                  format_signed_bytes(bytes, 0, size, sizeof size), accounting_percent(a, bytes));
        doc_box_label(d, w >= 80 ? account_row_label((account_row_kind)k) : "");
        x += w;
    }
}

static void table(doc *d, const accounting *a)
{
    static const char *const names[] = {"row", "bytes", "of RSS"};
    static const column_kind kinds[] = {COL_TEXT, COL_BYTES, COL_PERCENT};
    doc_table(d, 3, names, kinds, SIZE_MAX);
    for (int k = 0; k < ACCOUNT_ROW_COUNT; k++) {
        const account_row *row = &a->rows[k];
        char size[32];
        doc_cell(d);
        if (k == ACCOUNT_REMAINDER)
            doc_styled(d, SPAN_STRONG, 0, account_row_label((account_row_kind)k));
        else
            doc_text(d, account_row_label((account_row_kind)k));
        doc_cell(d);
        doc_text(d, row->known ? format_signed_bytes(row->bytes, 0, size, sizeof size) : "unknown");
        doc_sort_key(d, (double)row->bytes);
        doc_cell(d);
        if (row->known)
            doc_textf(d, "%.1f%%", accounting_percent(a, row->bytes));
        doc_sort_key(d, accounting_percent(a, row->bytes));
    }
}

/* What a row's figure rests on, or why it is unknown: for the rows that say. */
static void row_notes(doc *d, const accounting *a)
{
    int any = 0;
    for (int k = 0; k < ACCOUNT_ROW_COUNT; k++) {
        if (!*a->rows[k].note)
            continue;
        if (!any++)
            doc_list(d);
        doc_item(d);
        doc_textf(d, "%s: ", account_row_label((account_row_kind)k));
        doc_dump(d, a->rows[k].note);
    }
}

static void process_facts(doc *d, const accounting *a)
{
    char size[32];
    doc_facts(d);
    doc_fact(d, "RSS");
    doc_bytes(d, (uint64_t)a->rss);
    if (a->pss >= 0) {
        doc_fact(d, "PSS");
        doc_bytes(d, (uint64_t)a->pss);
    }
    if (a->swap > 0) {
        doc_fact(d, "swapped out");
        doc_bytes(d, (uint64_t)a->swap);
        doc_text(d, " (not in RSS, nor in any row)");
    }
    if (a->cgroup_current >= 0) {
        doc_fact(d, "cgroup");
        doc_textf(d, "%s in use", format_bytes((uint64_t)a->cgroup_current, size, sizeof size));
        if (a->cgroup_max >= 0)
            doc_textf(d, " of %s", format_bytes((uint64_t)a->cgroup_max, size, sizeof size));
        else
            doc_text(d, ", no limit");
    }
    if (a->pymalloc == PYMALLOC_ARENAS || a->pymalloc == PYMALLOC_DEBUG_STATS) {
        doc_fact(d, "pymalloc");
        doc_textf(d, "%" PRIu64 " arenas of %s; %" PRIu64 " pools in use", a->arenas,
                  format_bytes(a->arena_size, size, sizeof size), a->pools_used);
        if (a->pools_full >= 0)
            doc_textf(d, " (%" PRId64 " full)", a->pools_full);
        doc_textf(d, ", %" PRIu64 " empty", a->pools_empty);
    }
    if (a->glibc) {
        char in_use[32], free_bytes[32];
        doc_fact(d, "malloc (glibc)");
        doc_textf(d, "%s in use, %s free, %s in %" PRIu64 " mapped blocks",
                  format_bytes(a->malloc_in_use, in_use, sizeof in_use),
                  format_bytes(a->malloc_free, free_bytes, sizeof free_bytes),
                  format_bytes(a->malloc_mmapped, size, sizeof size), a->malloc_mmapped_count);
    }
}

/* The arenas (or pools) by how full of live blocks they are. */
static void live_histogram(doc *d, const accounting *a)
{
    if (!a->histogram)
        return;
    const char *unit = a->histogram == 1 ? "arenas" : "pools";
    doc_para(d, TONE_PLAIN);
    doc_text(d, a->histogram == 1
                    ? "Arenas by the share of them in live blocks:"
                    : "Pools by the share of them the dumped objects fill (from their "
                      "addresses: the arenas' own counts are unknown before 3.12):");
    const char *const names[] = {"live", unit};
    static const column_kind kinds[] = {COL_TEXT, COL_COUNT};
    doc_table(d, 2, names, kinds, SIZE_MAX);
    for (int i = 0; i < ACCOUNT_TENTHS; i++) {
        if (!a->arena_live[i])
            continue;
        doc_cell(d), doc_textf(d, "%d-%d%%", i * 10, i * 10 + 10);
        doc_cell(d), doc_textf(d, "%" PRIu64, a->arena_live[i]);
        doc_sort_key(d, (double)a->arena_live[i]);
    }
}

static void mappings(doc *d, const accounting *a)
{
    if (!a->mapping_count)
        return;
    doc_para(d, TONE_PLAIN);
    doc_text(d, "The largest anonymous mappings outside malloc's heap and the stacks:");
    doc_list(d);
    for (size_t i = 0; i < a->mapping_count; i++) {
        char rss[32], size[32];
        const memory_mapping *m = &a->mappings[i];
        doc_item(d);
        doc_textf(d, "0x%" PRIx64 ": %s resident of %s%s", m->start,
                  format_bytes(m->rss, rss, sizeof rss), format_bytes(m->size, size, sizeof size),
                  m->shared ? ", shared" : "");
    }
}

static void fragmentation(doc *d, const accounting *a, const account_finding *f)
{
    char size[32];
    doc_lead(d, "pymalloc fragmentation:");
    char arenas[32];
    doc_textf(d, "%s inside pymalloc's arenas is free, yet stays mapped: ",
              format_bytes(f->bytes, size, sizeof size));
    doc_textf(d, "%" PRIu64 " arenas (%s) hold %s in live blocks. An arena is returned to the "
                 "system only when all its blocks are free, so a few long-lived objects among "
                 "many short-lived ones keep whole arenas. Allocate the long-lived objects "
                 "first, or in batches; reuse objects instead of making new ones; or restart "
                 "workers periodically (gunicorn's max_requests).",
              a->arenas, format_bytes(a->arenas * a->arena_size, arenas, sizeof arenas),
              format_bytes(a->allocated, size, sizeof size));
}

static void malloc_keeps(doc *d, const accounting *a, const account_finding *f)
{
    char size[32], in_use[32];
    doc_lead(d, "glibc malloc keeps freed memory:");
    doc_textf(d, "%s is free inside malloc, against %s in use. glibc returns a free chunk to "
                 "the system only from the top of a heap, and each thread may get a heap of "
                 "its own. Call malloc_trim(0) after a peak "
                 "(ctypes.CDLL(\"libc.so.6\").malloc_trim(0))",
              format_bytes(f->bytes, size, sizeof size),
              format_bytes(a->malloc_in_use, in_use, sizeof in_use));
    if (a->threads > 8)
        doc_textf(d, ", and with %" PRIu64 " threads set MALLOC_ARENA_MAX=2 to share heaps",
                  a->threads);
    doc_text(d, ".");
}

static void outside(doc *d, const accounting *a, const account_finding *f)
{
    char size[32];
    doc_lead(d, "Large memory outside Python objects:");
    doc_textf(d, "%s (%.1f%% of RSS) is %s. ", format_bytes(f->bytes, size, sizeof size),
              accounting_percent(a, (int64_t)f->bytes), account_row_label(f->row));
    if (f->row == ACCOUNT_MALLOC_UNCOUNTED || f->row == ACCOUNT_MALLOC_MAPPED)
        doc_text(d, "malloc holds it for something no object's __sizeof__ counts: a C "
                    "extension's buffers (ctypes, a database driver, an image), or the "
                    "interpreter's own tables. ");
    else if (f->row == ACCOUNT_SHARED)
        doc_text(d, "Shared mappings (mmap.mmap(-1, ...), multiprocessing's shared memory, "
                    "memfd) count in RSS, and no object's size includes them. ");
    else
        doc_text(d, "Neither malloc, pymalloc, the stacks nor the libraries explain it: memory "
                    "a C extension maps itself, or pages the rows above do not see. ");
    doc_text(d, "A heap dump cannot tell whose it is. An allocation trace can, where it goes "
                "through Python's allocators, the raw domain included (python3 -m heapan run "
                "--trace run.trace.zst script.py, then heapan trace run.trace.zst); memray's "
                "native mode (memray run --native) shows the C stacks of plain malloc() and "
                "mmap() calls.");
}

/* The accounting section of a report: at its top, before the findings. */
void render_accounting(doc *d, const accounting *a)
{
    if (!a->present)
        return;
    char size[32];
    doc_heading(d, 2, "memory");
    doc_text(d, "Memory accounting");
    doc_para(d, TONE_PLAIN);
    doc_textf(d, "Where the process's resident memory (RSS, %s) went when the dump began: ",
              format_bytes((uint64_t)a->rss, size, sizeof size));
    doc_textf(d, "the rows add up to it. The largest part outside the objects: %s (%.1f%%).",
              account_row_label(a->main_gap), accounting_percent(a, a->rows[a->main_gap].bytes));
    if (a->incomplete) {
        doc_para(d, TONE_WARN);
        doc_text(d, "The dump was cut short: the objects row holds only the objects read, and "
                    "the rest of them is in what is not accounted for.");
    }
    process_facts(d, a);
    stacked_bar(d, a);
    table(d, a);
    row_notes(d, a);
    for (size_t i = 0; i < a->finding_count; i++) {
        const account_finding *f = &a->findings[i];
        doc_para(d, TONE_WARN);
        if (f->kind == ACCOUNT_FRAGMENTATION)
            fragmentation(d, a, f);
        else if (f->kind == ACCOUNT_MALLOC_KEEPS)
            malloc_keeps(d, a, f);
        else
            outside(d, a, f);
        if (f->kind == ACCOUNT_FRAGMENTATION)
            live_histogram(d, a);
        if (f->kind == ACCOUNT_OUTSIDE_OBJECTS)
            mappings(d, a);
    }
}

/* ---- JSON ---------------------------------------------------------------------- */

static cJSON *rows_json(const accounting *a)
{
    cJSON *rows = cJSON_CreateArray();
    for (int k = 0; rows && k < ACCOUNT_ROW_COUNT; k++) {
        const account_row *row = &a->rows[k];
        cJSON *item = cJSON_CreateObject();
        if (!item || !cJSON_AddStringToObject(item, "name", account_row_name((account_row_kind)k)) ||
            !cJSON_AddStringToObject(item, "label", account_row_label((account_row_kind)k)) ||
            !cJSON_AddNumberToObject(item, "bytes", (double)row->bytes) ||
            !cJSON_AddBoolToObject(item, "known", row->known) ||
            json_add_text(item, "note", row->note) < 0) {
            cJSON_Delete(item);
            cJSON_Delete(rows);
            return NULL;
        }
        cJSON_AddItemToArray(rows, item);
    }
    return rows;
}

static cJSON *findings_json(const accounting *a)
{
    cJSON *list = cJSON_CreateArray();
    for (size_t i = 0; list && i < a->finding_count; i++) {
        const account_finding *f = &a->findings[i];
        cJSON *item = cJSON_CreateObject();
        if (!item || !cJSON_AddStringToObject(item, "kind", account_finding_name(f->kind)) ||
            !cJSON_AddStringToObject(item, "row", account_row_name(f->row)) ||
            !cJSON_AddNumberToObject(item, "bytes", (double)f->bytes)) {
            cJSON_Delete(item);
            cJSON_Delete(list);
            return NULL;
        }
        cJSON_AddItemToArray(list, item);
    }
    return list;
}

static cJSON *histogram_json(const accounting *a)
{
    if (!a->histogram)
        return cJSON_CreateNull();
    cJSON *h = cJSON_CreateObject();
    cJSON *tenths = h ? cJSON_AddArrayToObject(h, "by_tenth_live") : NULL;
    if (!tenths || !cJSON_AddStringToObject(h, "unit", a->histogram == 1 ? "arena" : "pool") ||
        !cJSON_AddBoolToObject(h, "exact", a->histogram == 1)) {
        cJSON_Delete(h);
        return NULL;
    }
    for (int i = 0; i < ACCOUNT_TENTHS; i++) {
        cJSON *n = cJSON_CreateNumber((double)a->arena_live[i]);
        if (!n) {
            cJSON_Delete(h);
            return NULL;
        }
        cJSON_AddItemToArray(tenths, n);
    }
    return h;
}

/* A figure, or null where it is unknown (-1). */
static void add_known(cJSON *o, const char *name, int64_t value)
{
    if (value >= 0)
        cJSON_AddNumberToObject(o, name, (double)value);
    else
        cJSON_AddNullToObject(o, name);
}

cJSON *render_accounting_json(const accounting *a)
{
    if (!a->present)
        return cJSON_CreateNull();
    cJSON *o = cJSON_CreateObject();
    cJSON *rows = o ? rows_json(a) : NULL, *findings = rows ? findings_json(a) : NULL;
    cJSON *hist = findings ? histogram_json(a) : NULL;
    if (!hist) {
        cJSON_Delete(rows);
        cJSON_Delete(findings);
        cJSON_Delete(o);
        return NULL;
    }
    cJSON_AddNumberToObject(o, "rss", (double)a->rss);
    cJSON_AddBoolToObject(o, "complete", !a->incomplete);
    cJSON_AddItemToObject(o, "rows", rows);
    add_known(o, "pss", a->pss);
    add_known(o, "swap", a->swap);
    cJSON *cgroup = a->cgroup_current >= 0 ? cJSON_AddObjectToObject(o, "cgroup")
                                           : cJSON_AddNullToObject(o, "cgroup");
    if (a->cgroup_current >= 0 && cgroup) {
        cJSON_AddNumberToObject(cgroup, "usage", (double)a->cgroup_current);
        add_known(cgroup, "limit", a->cgroup_max);
    }
    cJSON_AddStringToObject(o, "main_gap", account_row_name(a->main_gap));
    cJSON_AddItemToObject(o, "findings", findings);
    cJSON_AddItemToObject(o, "pymalloc_histogram", hist);
    return o;
}

/* ---- across dumps: compare (two) and trend (a series) ---------------------------- */

/*
 * The row, other than the objects, that grew most from the first dump to
 * the last; ACCOUNT_ROW_COUNT when none grew.
 */
static account_row_kind largest_growth(const accounting *dumps, size_t n)
{
    account_row_kind most = ACCOUNT_ROW_COUNT;
    int64_t best = 0;
    for (int k = 0; k < ACCOUNT_ROW_COUNT; k++) {
        int64_t growth = dumps[n - 1].rows[k].bytes - dumps[0].rows[k].bytes;
        if (k != ACCOUNT_OBJECTS && k != ACCOUNT_NOT_RESIDENT && growth > best) {
            best = growth;
            most = (account_row_kind)k;
        }
    }
    return most;
}

/* Do the first and the last dump both record where their memory went? */
static int both_recorded(const accounting *dumps, size_t n)
{
    return n >= 2 && dumps[0].present && dumps[n - 1].present;
}

void render_accounting_change(doc *d, const accounting *dumps, size_t n, const char *first_name,
                              const char *last_name)
{
    if (!n || (!dumps[0].present && !dumps[n - 1].present))
        return;
    doc_heading(d, 2, "memory");
    doc_text(d, "Memory accounting");
    if (!both_recorded(dumps, n)) {
        doc_para(d, TONE_NOTE);
        doc_text(d, "Only one of the dumps records where its memory went (a dump written by an "
                    "older heapan does not): the rows cannot be compared.");
        return;
    }
    const accounting *first = &dumps[0], *last = &dumps[n - 1];
    account_row_kind most = largest_growth(dumps, n);
    char rss[32], objects[32], row[32];
    int64_t objects_growth =
        (last->rows[ACCOUNT_OBJECTS].bytes + last->rows[ACCOUNT_NOT_RESIDENT].bytes) -
        (first->rows[ACCOUNT_OBJECTS].bytes + first->rows[ACCOUNT_NOT_RESIDENT].bytes);
    doc_para(d, TONE_PLAIN);
    doc_textf(d, "RSS changed by %s; the resident objects by %s. ",
              format_signed_bytes(last->rss - first->rss, 0, rss, sizeof rss),
              format_signed_bytes(objects_growth, 0, objects, sizeof objects));
    if (most == ACCOUNT_ROW_COUNT)
        doc_text(d, "No row outside the objects grew.");
    else
        doc_textf(d, "The row outside the objects that grew most: %s (%s).",
                  account_row_label(most),
                  format_signed_bytes(last->rows[most].bytes - first->rows[most].bytes, 1, row,
                                      sizeof row));
    const char *const names[] = {"row", first_name, last_name, "change"};
    static const column_kind kinds[] = {COL_TEXT, COL_BYTES, COL_BYTES, COL_BYTES};
    doc_table(d, 4, names, kinds, SIZE_MAX);
    for (int k = -1; k < ACCOUNT_ROW_COUNT; k++) {
        int64_t before = k < 0 ? first->rss : first->rows[k].bytes;
        int64_t after = k < 0 ? last->rss : last->rows[k].bytes;
        int known = k < 0 || (first->rows[k].known && last->rows[k].known);
        char a[32], b[32], c[32];
        doc_cell(d), doc_text(d, k < 0 ? "RSS" : account_row_label((account_row_kind)k));
        doc_cell(d), doc_text(d, known ? format_signed_bytes(before, 0, a, sizeof a) : "unknown");
        doc_sort_key(d, (double)before);
        doc_cell(d), doc_text(d, known ? format_signed_bytes(after, 0, b, sizeof b) : "unknown");
        doc_sort_key(d, (double)after);
        doc_cell(d);
        if (known)
            doc_text(d, format_signed_bytes(after - before, 1, c, sizeof c));
        doc_sort_key(d, (double)(after - before));
    }
}

cJSON *render_accounting_change_json(const accounting *dumps, size_t n)
{
    if (!both_recorded(dumps, n))
        return cJSON_CreateNull();
    cJSON *o = cJSON_CreateObject();
    cJSON *rss = o ? cJSON_AddArrayToObject(o, "rss") : NULL;
    cJSON *rows = rss ? cJSON_AddArrayToObject(o, "rows") : NULL;
    account_row_kind most = largest_growth(dumps, n);
    int failed = !rows || !(most == ACCOUNT_ROW_COUNT
                                ? cJSON_AddNullToObject(o, "largest_growth")
                                : cJSON_AddStringToObject(o, "largest_growth", account_row_name(most)));
    for (size_t i = 0; !failed && i < n; i++) {
        cJSON *v = dumps[i].present ? cJSON_CreateNumber((double)dumps[i].rss)
                                     : cJSON_CreateNull();
        failed = !v;
        if (v)
            cJSON_AddItemToArray(rss, v);
    }
    for (int k = 0; !failed && k < ACCOUNT_ROW_COUNT; k++) {
        cJSON *item = cJSON_CreateObject();
        cJSON *bytes = item ? cJSON_AddArrayToObject(item, "bytes") : NULL;
        failed = !bytes ||
                 !cJSON_AddStringToObject(item, "name", account_row_name((account_row_kind)k));
        for (size_t i = 0; !failed && i < n; i++) {
            const accounting *a = &dumps[i];
            cJSON *v = a->present && a->rows[k].known ? cJSON_CreateNumber((double)a->rows[k].bytes)
                                                      : cJSON_CreateNull();
            failed = !v;
            if (v)
                cJSON_AddItemToArray(bytes, v);
        }
        if (item)
            cJSON_AddItemToArray(rows, item);
    }
    if (failed) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}
