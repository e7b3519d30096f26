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

/* "1.2 MiB", or "-1.2 MiB" for a row that takes away. */
static const char *signed_bytes(int64_t bytes, char *buf, size_t size)
{
    char magnitude[32];
    format_bytes(bytes < 0 ? (uint64_t)-bytes : (uint64_t)bytes, magnitude, sizeof magnitude);
    snprintf(buf, size, "%s%.30s", bytes < 0 ? "-" : "", magnitude);
    return buf;
}

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
                  signed_bytes(bytes, size, sizeof size), accounting_percent(a, bytes));
        doc_box_label(d, w >= 80 ? account_row_label((account_row_kind)k) : "");
        x += w;
    }
}

static void table(doc *d, const accounting *a)
{
    static const char *const names[] = {"row", "bytes", "of RSS", "how it is known"};
    static const column_kind kinds[] = {COL_TEXT, COL_BYTES, COL_PERCENT, COL_TEXT};
    doc_table(d, 4, names, kinds, SIZE_MAX);
    for (int k = 0; k < ACCOUNT_ROW_COUNT; k++) {
        const account_row *row = &a->rows[k];
        char size[32];
        doc_cell(d);
        if (k == ACCOUNT_REMAINDER)
            doc_styled(d, SPAN_STRONG, 0, account_row_label((account_row_kind)k));
        else
            doc_text(d, account_row_label((account_row_kind)k));
        doc_cell(d);
        doc_text(d, row->known ? signed_bytes(row->bytes, size, sizeof size) : "unknown");
        doc_sort_key(d, (double)row->bytes);
        doc_cell(d);
        if (row->known)
            doc_textf(d, "%.1f%%", accounting_percent(a, row->bytes));
        doc_sort_key(d, accounting_percent(a, row->bytes));
        doc_cell(d);
        doc_dump(d, row->note);
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
    doc_para(d, TONE_PLAIN);
    doc_text(d, a->histogram == 1
                    ? "Arenas by the share of them in live blocks (exact):"
                    : "Pools by the share of them in live objects (from the dumped objects' "
                      "addresses; the arenas' own counts are unknown before 3.12):");
    doc_bars(d, 0);
    for (int i = 0; i < ACCOUNT_TENTHS; i++) {
        char label[32], value[32];
        snprintf(label, sizeof label, "%d-%d%% live", i * 10, i * 10 + 10);
        snprintf(value, sizeof value, "%" PRIu64, a->arena_live[i]);
        doc_bar(d, label, a->arena_live[i], value);
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
    doc_textf(d, "%s of pymalloc's arenas hold no live block, yet stay mapped: ",
              format_bytes(f->bytes, size, sizeof size));
    doc_textf(d, "%" PRIu64 " arenas hold %s of small objects. An arena is returned to the "
                 "system only when all its blocks are free, so a few long-lived objects among "
                 "many short-lived ones keep whole arenas. Allocate the long-lived objects "
                 "first, or in batches; reuse objects instead of making new ones; or restart "
                 "workers periodically (gunicorn's max_requests).",
              a->arenas, format_bytes(a->allocated, size, sizeof size));
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
    doc_text(d, "A heap dump cannot tell whose it is: run the program under heapan trace "
                "with the raw domain (--domain raw), or memray's native mode, to see the "
                "C call stacks that allocate it.");
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
    process_facts(d, a);
    stacked_bar(d, a);
    table(d, a);
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
    cJSON_AddItemToObject(o, "rows", rows);
    cJSON_AddStringToObject(o, "main_gap", account_row_name(a->main_gap));
    cJSON_AddItemToObject(o, "findings", findings);
    cJSON_AddItemToObject(o, "pymalloc_histogram", hist);
    return o;
}
