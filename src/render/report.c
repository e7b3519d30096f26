/*
 * report.c: the report as one document: the summary, the findings with
 * their story, the growing sites, the suggestions, the heap by type,
 * module and site, and the dominator tree.  Each markup draws it.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "render/doc.h"
#include "render/render.h"
#include "textout.h"

#define TREE_DEPTH 3     /* levels of the dominator tree shown */
#define MAP_WIDTH 1000.0
#define MAP_HEIGHT 360.0
#define BARS_SHOWN 12

static void summary(doc *d, const report *r, const render_source *src)
{
    const heap *h = r->heap;
    char process[256], collector[256];
    doc_title(d);
    doc_text(d, "heapan report: ");
    doc_styled(d, SPAN_PATH, 1, src->path);
    doc_facts(d);
    doc_fact(d, "process");
    doc_dump(d, render_process_text(h, process, sizeof process));
    doc_fact(d, "objects");
    doc_textf(d, "%" PRIu32 " (%" PRIu64 " reference%s, %zu root%s)", h->count, h->edge_count,
              plural(h->edge_count), h->root_count, plural(h->root_count));
    doc_fact(d, "heap");
    doc_bytes(d, h->total_size);
    doc_fact(d, "reachable");
    doc_bytes(d, r->dom->reachable_size);
    doc_textf(d, " (%" PRIu32 " object%s)", r->dom->reachable, plural(r->dom->reachable));
    doc_fact(d, r->incomplete ? "not reached in what was read" : "unreachable");
    doc_bytes(d, h->total_size - r->dom->reachable_size);
    doc_textf(d, " (%" PRIu32 " object%s)", h->count - r->dom->reachable,
              plural(h->count - r->dom->reachable));
    if (render_collector_text(r, collector, sizeof collector)) {
        doc_fact(d, "collector");
        doc_text(d, collector);
    }
    doc_fact(d, "evidence");
    doc_text(d, "this dump");
    if (src->trace_path) {
        doc_text(d, "; the allocation trace ");
        doc_styled(d, SPAN_PATH, 1, src->trace_path);
    }
    if (src->baseline_path) {
        doc_text(d, "; the baseline dump ");
        doc_styled(d, SPAN_PATH, 1, src->baseline_path);
    }
    if (report_incomplete_text(r)) {
        doc_para(d, TONE_WARN);
        doc_lead(d, "Incomplete dump.");
        doc_text(d, report_incomplete_text(r));
    }
    for (size_t k = 0; k < h->warning_count; k++) {
        doc_para(d, TONE_WARN);
        doc_lead(d, "Warning:");
        doc_dump(d, h->warnings[k]);
    }
}

/* The cause, the growth, whose code, the fix, and what is held again elsewhere. */
static void story(doc *d, const report *r, const leak_candidate *c)
{
    char owner[256];
    doc_list(d);
    if (c->cause_text) {
        doc_item(d);
        doc_lead(d, "Cause:");
        doc_dump(d, c->cause_text);
    }
    doc_item(d);
    doc_lead(d, "Growth:");
    doc_dump(d, c->growth_text ? c->growth_text
                               : "not known from one dump (see above how to learn it)");
    doc_item(d);
    doc_lead(d, "Code:");
    doc_dump(d, render_owner_text(c->owner, c->owner_name, owner, sizeof owner));
    if (c->fix != SIZE_MAX) {
        char anchor[32], text[96];
        snprintf(anchor, sizeof anchor, "suggestion-%zu", c->fix + 1);
        snprintf(text, sizeof text, "suggestion %zu (%s)", c->fix + 1,
                 suggestion_kind_name(r->suggestions[c->fix].kind));
        doc_item(d);
        doc_lead(d, "Fix:");
        doc_link(d, anchor, text);
    }
    for (size_t k = 0; k < c->folded_count; k++) {
        char *where = render_path_text(r, &c->folded[k].path);
        doc_item(d);
        doc_lead(d, "Held again by:");
        doc_styled(d, SPAN_PATH, 1, where ? where : "");
        doc_text(d, " (");
        doc_bytes(d, c->folded[k].retained_size);
        doc_text(d, "), which goes when these go");
        if (!where)
            d->failed = 1;
        free(where);
    }
}

/* What the finding holds, by type, and where it was allocated. */
static void contents(doc *d, const report *r, const leak_candidate *c)
{
    for (size_t k = 0; k < c->type_count; k++) {
        char name[512];
        doc_item(d);
        doc_dump(d, group_name(r->heap, GROUP_BY_TYPE, c->types[k].type, name, sizeof name));
        doc_textf(d, ": %" PRIu64 " object%s, ", c->types[k].count, plural(c->types[k].count));
        doc_bytes(d, c->types[k].retained_size);
    }
    if (c->site) {
        char site[1024];
        doc_item(d);
        doc_text(d, "allocated at ");
        doc_styled(d, SPAN_PATH, 1, group_name(r->heap, GROUP_BY_SITE, c->site, site, sizeof site));
        if (c->program_site && c->program_site != c->site) {
            doc_text(d, ", called from the program at ");
            doc_styled(d, SPAN_PATH, 1,
                       group_name(r->heap, GROUP_BY_SITE, c->program_site, site, sizeof site));
        }
    }
}

static void findings_table(doc *d, const report *r)
{
    static const char *const names[] = {"#", "score", "kind", "leak", "retained", "objects", "where"};
    static const column_kind kinds[] = {COL_COUNT, COL_COUNT, COL_TEXT, COL_TEXT,
                                        COL_BYTES, COL_COUNT, COL_TEXT};
    doc_table(d, 7, names, kinds, SIZE_MAX);
    for (size_t i = 0; i < r->leak_count; i++) {
        const leak_candidate *c = &r->leaks[i];
        doc_cell(d), doc_textf(d, "%zu", i + 1), doc_sort_key(d, (double)i + 1);
        doc_cell(d), doc_textf(d, "%.0f", c->score), doc_sort_key(d, c->score);
        doc_cell(d), doc_styled(d, SPAN_KIND, 0, render_kind_words(c->kind));
        doc_cell(d), doc_text(d, render_growth_word(c));
        doc_cell(d), doc_bytes(d, c->retained_size);
        doc_textf(d, " (%.1f%%)", render_share(r, c->retained_size));
        doc_sort_key(d, (double)c->retained_size);
        doc_cell(d), doc_textf(d, "%" PRIu64, c->retained_count);
        doc_sort_key(d, (double)c->retained_count);
        doc_cell(d), doc_styled(d, SPAN_PATH, 1, c->path_text ? c->path_text : "(unreachable)");
    }
}

static void findings(doc *d, const report *r, const render_source *src)
{
    char threshold[32];
    doc_heading(d, 2, NULL);
    doc_text(d, "Findings");
    char *pending = report_pending_text(r);
    if (pending) {
        doc_para(d, TONE_NOTE);
        doc_dump(d, pending);
        free(pending);
    }
    if (!r->leak_count) {
        doc_para(d, TONE_OK);
        doc_textf(d, "No leak candidate above threshold (%s retained).",
                  format_bytes(r->min_retained, threshold, sizeof threshold));
        return;
    }
    if (report_limits_text(r)) {
        doc_para(d, TONE_NOTE);
        doc_lead(d, "What one dump shows.");
        doc_text(d, report_limits_text(r));
    }
    findings_table(d, r);
    for (size_t i = 0; i < r->leak_count; i++) {
        const leak_candidate *c = &r->leaks[i];
        doc_details(d, i == 0);
        doc_textf(d, "%zu. ", i + 1);
        doc_styled(d, SPAN_KIND, 0, render_kind_words(c->kind));
        doc_text(d, ": ");
        doc_dump(d, c->reason);
        story(d, r, c);
        contents(d, r, c);
        render_origins(d, src, c->origin);
        doc_details_end(d);
    }
}

static void suggestions(doc *d, const report *r)
{
    doc_heading(d, 2, NULL);
    doc_text(d, "Suggestions");
    if (!r->suggestion_count) {
        doc_para(d, TONE_OK);
        doc_text(d, "No suggestion with a worthwhile saving.");
    }
    for (size_t i = 0; i < r->suggestion_count; i++) {
        const suggestion *s = &r->suggestions[i];
        char owner[256], anchor[32];
        snprintf(anchor, sizeof anchor, "suggestion-%zu", i + 1);
        doc_heading(d, 3, anchor);
        doc_textf(d, "%zu. ", i + 1);
        doc_styled(d, SPAN_KIND, 0, suggestion_kind_name(s->kind));
        doc_text(d, ": save ");
        doc_bytes(d, s->estimated_savings);
        doc_textf(d, " (%.1f%% of the heap)", render_share(r, s->estimated_savings));
        if (s->fixes != SIZE_MAX)
            doc_textf(d, ", the fix of finding %zu", s->fixes + 1);
        doc_para(d, TONE_PLAIN);
        doc_text(d, "Target: ");
        doc_styled(d, SPAN_PATH, 1, s->target ? s->target : "");
        doc_para(d, TONE_PLAIN);
        doc_text(d, "Code: ");
        doc_dump(d, render_owner_text(s->owner, s->owner_name, owner, sizeof owner));
        doc_para(d, TONE_PLAIN);
        doc_dump(d, s->message ? s->message : "");
        if (s->example_value) {
            doc_text(d, " The most repeated value: ");
            doc_styled(d, SPAN_CODE, 1, s->example_value);
            doc_text(d, ".");
        }
        if (s->note) {
            doc_text(d, " ");
            doc_dump(d, s->note);
        }
        doc_details(d, 0);
        doc_text(d, "example");
        doc_example(d, s->example ? s->example : suggestion_example(s->kind));
        doc_details_end(d);
    }
}

static void group_bars(doc *d, const report *r, const histogram *hist)
{
    doc_bars(d, 0);
    for (size_t i = 0; i < hist->count && i < BARS_SHOWN; i++) {
        char name[1024], size[32], value[64];
        snprintf(value, sizeof value, "%s (%.1f%%)",
                 format_bytes(hist->rows[i].retained_size, size, sizeof size),
                 render_share(r, hist->rows[i].retained_size));
        doc_bar(d, group_name(r->heap, hist->by, hist->rows[i].key, name, sizeof name),
                hist->rows[i].retained_size, value);
    }
}

/* A histogram's rows: `brief` of them where the markup is brief, `top` where it is not. */
static void groups(doc *d, const report *r, const histogram *hist, const char *title,
                   const char *what, size_t brief, size_t top)
{
    if (!hist->count)
        return;
    const char *names[] = {what, "count", "shallow", "retained", "%"};
    static const column_kind kinds[] = {COL_TEXT, COL_COUNT, COL_BYTES, COL_BYTES, COL_PERCENT};
    doc_heading(d, 2, NULL);
    doc_text(d, title);
    group_bars(d, r, hist);
    doc_table(d, 5, names, kinds, brief);
    for (size_t i = 0; i < hist->count && i < top; i++) {
        const group_row *row = &hist->rows[i];
        char name[1024];
        doc_cell(d), doc_dump(d, group_name(r->heap, hist->by, row->key, name, sizeof name));
        doc_cell(d), doc_textf(d, "%" PRIu64, row->count), doc_sort_key(d, (double)row->count);
        doc_cell(d), doc_bytes(d, row->shallow_size), doc_sort_key(d, (double)row->shallow_size);
        doc_cell(d), doc_bytes(d, row->retained_size), doc_sort_key(d, (double)row->retained_size);
        doc_cell(d), doc_textf(d, "%.1f%%", render_share(r, row->retained_size));
        doc_sort_key(d, render_share(r, row->retained_size));
    }
}

/* "dict@0x55fc..." */
static void object_name(doc *d, const report *r, uint32_t v)
{
    char name[512];
    doc_dump(d, report_type_name(r, v, name, sizeof name));
    doc_textf(d, "@0x%" PRIx64, r->heap->address[v]);
}

static void subtrees(doc *d, const report *r)
{
    static const char *const names[] = {"object", "retained", "objects", "held by"};
    static const column_kind kinds[] = {COL_TEXT, COL_BYTES, COL_COUNT, COL_TEXT};
    doc_heading(d, 2, NULL);
    doc_text(d, "Largest dominator subtrees");
    doc_table(d, 4, names, kinds, SIZE_MAX);
    for (size_t i = 0; i < r->subtree_count; i++) {
        uint32_t v = r->subtrees[i];
        char *held = r->subtree_paths[i].count ? render_path_text(r, &r->subtree_paths[i]) : NULL;
        if (r->subtree_paths[i].count && !held)
            d->failed = 1;
        doc_cell(d), object_name(d, r, v);
        doc_cell(d), doc_bytes(d, r->dom->retained_size[v]);
        doc_sort_key(d, (double)r->dom->retained_size[v]);
        doc_cell(d), doc_textf(d, "%" PRIu32, r->dom->retained_count[v]);
        doc_sort_key(d, (double)r->dom->retained_count[v]);
        doc_cell(d), doc_styled(d, SPAN_PATH, 1, held ? held : "(unreachable)");
        free(held);
    }
}

/*
 * A box's label: the last step of the path that holds it, as its holder
 * names it ("ReportService . total → dict"), or its root ("module app").
 */
static char *box_label(const report *r, const path *p, uint32_t v)
{
    char type[512], holder[512];
    report_type_name(r, v, type, sizeof type);
    if (!p->count)
        return report_format("%s", type);
    if (p->count < 2) {
        char *root = root_text(r->heap, p->root);
        char *label = root ? report_format("%s → %s", root, type) : NULL;
        free(root);
        return label;
    }
    const path_step *last = &p->steps[p->count - 1];
    char *edge = edge_text(r->heap, last->edge, v);
    report_type_name(r, p->steps[p->count - 2].object, holder, sizeof holder);
    char *label = edge ? report_format("%s%s → %s", holder, edge, type) : NULL;
    free(edge);
    return label;
}

static void map_box(doc *d, const report *r, uint32_t v, const path *p, doc_box box)
{
    char size[32], *label = box_label(r, p, v);
    doc_box_add(d, box);
    doc_dump(d, label ? label : "");
    doc_textf(d, " (@0x%" PRIx64 "): %s (%.1f%%)", r->heap->address[v],
              format_bytes(r->dom->retained_size[v], size, sizeof size),
              render_share(r, r->dom->retained_size[v]));
    doc_box_label(d, label ? label : "");
    if (!label)
        d->failed = 1;
    free(label);
}

/*
 * The top of the dominator tree as a treemap: a column per big top-level
 * object, as wide as what it retains, split into its biggest children.
 */
static void treemap(doc *d, const report *r)
{
    uint64_t total = r->heap->total_size;
    if (!total || !r->subtree_count)
        return;
    doc_heading(d, 2, NULL);
    doc_rich(d);
    doc_text(d, "Treemap of the dominator tree");
    doc_boxes(d, MAP_WIDTH, MAP_HEIGHT);
    doc_text(d, "Each column is an object no other object dominates, as wide as what it retains; "
                "the boxes in it are its biggest children, named by the reference that holds them.");
    double x = 0;
    for (size_t i = 0; i < r->subtree_count; i++) {
        uint32_t v = r->subtrees[i];
        double w = MAP_WIDTH * (double)r->dom->retained_size[v] / (double)total, y = 20;
        if (w < 1)
            break;
        map_box(d, r, v, &r->subtree_paths[i], (doc_box){x, 0, w, 20, 0});
        for (size_t k = 0; k < REPORT_CHILDREN; k++) {
            uint32_t kid = r->subtree_children[i * REPORT_CHILDREN + k];
            double h = kid == HEAP_NONE ? 0
                                        : (MAP_HEIGHT - 20) * (double)r->dom->retained_size[kid] /
                                              (double)r->dom->retained_size[v];
            if (h < 1)
                break;
            map_box(d, r, kid, &r->child_paths[i * REPORT_CHILDREN + k],
                    (doc_box){x, y, w, h, (unsigned char)(1 + k % 2)});
            y += h;
        }
        x += w;
    }
    if (MAP_WIDTH - x >= 1) {
        doc_box_add(d, (doc_box){x, 0, MAP_WIDTH - x, MAP_HEIGHT, 3});
        doc_text(d, "the rest of the heap");
        doc_box_label(d, "the rest of the heap");
    }
}

/* One level of the dominator tree; depth is bounded by TREE_DEPTH. */
static void tree_level(doc *d, const report *r, uint32_t parent, int depth)
{
    uint32_t kids[REPORT_CHILDREN];
    size_t n = report_biggest_children(r, parent, kids, REPORT_CHILDREN);
    for (size_t i = 0; i < n; i++) {
        uint32_t v = kids[i];
        char size[32];
        doc_tree_item(d, depth);
        object_name(d, r, v);
        doc_textf(d, ": %s (%.1f%%)", format_bytes(r->dom->retained_size[v], size, sizeof size),
                  render_share(r, r->dom->retained_size[v]));
        if (depth + 1 < TREE_DEPTH)
            tree_level(d, r, v, depth + 1);
    }
}

static void dominator_tree(doc *d, const report *r)
{
    doc_heading(d, 2, NULL);
    doc_rich(d);
    doc_text(d, "Dominator tree");
    doc_tree(d);
    doc_text(d, "What keeps what alive: each object retains the ones under it.");
    tree_level(d, r, r->dom->count, 0);
}

int render_report_doc(doc *d, const report *r, const render_source *src)
{
    summary(d, r, src);
    render_accounting(d, &r->memory);
    findings(d, r, src);
    render_growing_sites(d, src);
    suggestions(d, r);
    treemap(d, r);
    groups(d, r, &r->types, "Types by retained size", "type", 20, 30);
    groups(d, r, &r->modules, "Modules by retained size", "module", 10, 15);
    groups(d, r, &r->sites, "Allocation sites by retained size", "site", 10, 15);
    groups(d, r, &r->program_sites, "Allocation sites in the program by retained size",
           "line in the program", 10, 15);
    subtrees(d, r);
    dominator_tree(d, r);
    return doc_failed(d) ? -1 : 0;
}
