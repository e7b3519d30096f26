/* render_md.c: the report as GitHub-flavoured Markdown, for CI summaries and PR comments. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "render/render.h"
#include "textout.h"

static void md_bytes(FILE *out, uint64_t bytes)
{
    char buf[32];
    fputs(format_bytes(bytes, buf, sizeof buf), out);
}

static void summary(FILE *out, const report *r, const render_source *src)
{
    const heap *h = r->heap;
    fputs("# heapan report: ", out);
    render_md_text(out, src->path);
    fputs("\n\n| | |\n|---|---|\n| process | ", out);
    char process[256];
    render_md_text(out, render_process_text(h, process, sizeof process));
    fprintf(out, " |\n| objects | %" PRIu32 " (%" PRIu64 " references, %zu roots) |\n", h->count,
            h->edge_count, h->root_count);
    fputs("| heap | ", out);
    md_bytes(out, h->total_size);
    fputs(" |\n| reachable | ", out);
    md_bytes(out, r->dom->reachable_size);
    fprintf(out, " (%" PRIu32 " object%s) |\n| %s | ", r->dom->reachable,
            plural(r->dom->reachable), r->incomplete ? "not reached in what was read" : "unreachable");
    md_bytes(out, h->total_size - r->dom->reachable_size);
    fprintf(out, " (%" PRIu32 " object%s) |\n", h->count - r->dom->reachable,
            plural(h->count - r->dom->reachable));
    char collector[256];
    if (render_collector_text(r, collector, sizeof collector))
        fprintf(out, "| collector | %s |\n", collector);
    fputs("| evidence | this dump", out);
    if (src->trace_path) {
        fputs("; the allocation trace ", out);
        render_md_text(out, src->trace_path);
    }
    if (src->baseline_path) {
        fputs("; the baseline dump ", out);
        render_md_text(out, src->baseline_path);
    }
    fputs(" |\n\n", out);
    if (report_incomplete_text(r))
        fprintf(out, "> **Incomplete dump.** %s\n\n", report_incomplete_text(r));
    for (size_t k = 0; k < h->warning_count; k++) {
        fputs("> **Warning:** ", out);
        render_md_text(out, h->warnings[k]);
        fputs("\n\n", out);
    }
}

/* The cause, the growth, whose code, the fix, and what is held again elsewhere. */
static int story(FILE *out, const report *r, const leak_candidate *c)
{
    char owner[256];
    if (c->cause_text) {
        fputs("- **Cause:** ", out);
        render_md_text(out, c->cause_text);
        fputc('\n', out);
    }
    fputs("- **Growth:** ", out);
    render_md_text(out, c->growth_text ? c->growth_text
                                       : "not known from one dump (see above how to learn it)");
    fputs("\n- **Code:** ", out);
    render_md_text(out, render_owner_text(c->owner, c->owner_name, owner, sizeof owner));
    fputc('\n', out);
    if (c->fix != SIZE_MAX)
        fprintf(out, "- **Fix:** suggestion %zu (%s)\n", c->fix + 1,
                suggestion_kind_name(r->suggestions[c->fix].kind));
    for (size_t k = 0; k < c->folded_count; k++) {
        char *where = render_path_text(r, &c->folded[k].path);
        if (!where)
            return -1;
        fputs("- **Held again by:** ", out);
        render_md_text(out, where);
        fputs(" (", out);
        md_bytes(out, c->folded[k].retained_size);
        fputs("), which goes when these go\n", out);
        free(where);
    }
    return 0;
}

static int leaks(FILE *out, const report *r, const render_source *src)
{
    char threshold[32];
    fputs("## Findings\n\n", out);
    char *pending = report_pending_text(r);
    if (pending) {
        fputs("> ", out);
        render_md_text(out, pending);
        fputs("\n\n", out);
        free(pending);
    }
    if (!r->leak_count) {
        fprintf(out, "No leak candidate above threshold (%s retained).\n\n",
                format_bytes(r->min_retained, threshold, sizeof threshold));
        return 0;
    }
    if (report_limits_text(r))
        fprintf(out, "> **What one dump shows.** %s\n\n", report_limits_text(r));
    fputs("| # | score | kind | leak | retained | objects | where |\n|---|---|---|---|---|---|---|\n",
          out);
    for (size_t i = 0; i < r->leak_count; i++) {
        const leak_candidate *c = &r->leaks[i];
        const char *where = c->path_text;
        fprintf(out, "| %zu | %.0f | %s | %s | ", i + 1, c->score, render_kind_words(c->kind),
                render_growth_word(c));
        md_bytes(out, c->retained_size);
        fprintf(out, " (%.1f%%) | %" PRIu64 " | ", render_share(r, c->retained_size),
                c->retained_count);
        render_md_text(out, where ? where : "(unreachable)");
        fputs(" |\n", out);
    }
    fputc('\n', out);
    for (size_t i = 0; i < r->leak_count; i++) {
        const leak_candidate *c = &r->leaks[i];
        fprintf(out, "<details><summary>%zu. %s: ", i + 1, render_kind_words(c->kind));
        render_md_text(out, c->reason);
        fputs("</summary>\n\n", out);
        if (story(out, r, c) < 0)
            return -1;
        for (size_t k = 0; k < c->type_count; k++) {
            char name[512];
            fputs("- ", out);
            render_md_text(out, group_name(r->heap, GROUP_BY_TYPE, c->types[k].type, name, sizeof name));
            fprintf(out, ": %" PRIu64 " object%s, ", c->types[k].count, plural(c->types[k].count));
            md_bytes(out, c->types[k].retained_size);
            fputc('\n', out);
        }
        if (c->site) {
            char site[1024];
            fputs("- allocated at ", out);
            render_md_text(out, group_name(r->heap, GROUP_BY_SITE, c->site, site, sizeof site));
            fputc('\n', out);
        }
        if (render_origins(out, &markup_md, src, c->origin) < 0)
            return -1;
        fputs("\n</details>\n\n", out);
    }
    return 0;
}

static void suggestions(FILE *out, const report *r)
{
    fputs("## Suggestions\n\n", out);
    if (!r->suggestion_count) {
        fputs("No suggestion with a worthwhile saving.\n\n", out);
        return;
    }
    for (size_t i = 0; i < r->suggestion_count; i++) {
        const suggestion *s = &r->suggestions[i];
        char owner[256];
        fprintf(out, "### %zu. %s: save ", i + 1, suggestion_kind_name(s->kind));
        md_bytes(out, s->estimated_savings);
        fprintf(out, " (%.1f%% of the heap)", render_share(r, s->estimated_savings));
        if (s->fixes != SIZE_MAX)
            fprintf(out, ", the fix of finding %zu", s->fixes + 1);
        fputs("\n\nTarget: ", out);
        render_md_text(out, s->target ? s->target : "");
        fputs("\n\nCode: ", out);
        render_md_text(out, render_owner_text(s->owner, s->owner_name, owner, sizeof owner));
        fputs("\n\n", out);
        render_md_text(out, s->message ? s->message : "");
        if (s->example_value) {
            fputs(" The most repeated value: '", out);
            render_md_text(out, s->example_value);
            fputs("'.", out);
        }
        if (s->note) {
            fputc(' ', out);
            render_md_text(out, s->note);
        }
        fprintf(out, "\n\n<details><summary>example</summary>\n\n%s\n</details>\n\n",
                s->example ? s->example : suggestion_example(s->kind));
    }
}

static void table(FILE *out, const report *r, const histogram *hist, const char *title,
                  const char *what, size_t top)
{
    if (!hist->count)
        return;
    fprintf(out, "## %s\n\n| %s | count | shallow | retained | %% |\n|---|---|---|---|---|\n",
            title, what);
    for (size_t i = 0; i < hist->count && i < top; i++) {
        const group_row *row = &hist->rows[i];
        char name[1024];
        fputs("| ", out);
        render_md_text(out, group_name(r->heap, hist->by, row->key, name, sizeof name));
        fprintf(out, " | %" PRIu64 " | ", row->count);
        md_bytes(out, row->shallow_size);
        fputs(" | ", out);
        md_bytes(out, row->retained_size);
        fprintf(out, " | %.1f%% |\n", render_share(r, row->retained_size));
    }
    fputc('\n', out);
}

static int subtrees(FILE *out, const report *r)
{
    fputs("## Largest dominator subtrees\n\n| object | retained | objects | held by |\n"
          "|---|---|---|---|\n", out);
    for (size_t i = 0; i < r->subtree_count; i++) {
        uint32_t v = r->subtrees[i];
        char name[512], *held = r->subtree_paths[i].count
                                    ? render_path_text(r, &r->subtree_paths[i]) : NULL;
        if (r->subtree_paths[i].count && !held)
            return -1;
        fputs("| ", out);
        render_md_text(out, report_type_name(r, v, name, sizeof name));
        fprintf(out, "@0x%" PRIx64 " | ", r->heap->address[v]);
        md_bytes(out, r->dom->retained_size[v]);
        fprintf(out, " | %" PRIu32 " | ", r->dom->retained_count[v]);
        render_md_text(out, held ? held : "(unreachable)");
        fputs(" |\n", out);
        free(held);
    }
    fputc('\n', out);
    return 0;
}

int render_markdown(FILE *out, const report *r, const render_source *src)
{
    summary(out, r, src);
    if (leaks(out, r, src) < 0 || render_growing_sites(out, &markup_md, src) < 0)
        return -1;
    suggestions(out, r);
    table(out, r, &r->types, "Types by retained size", "type", 20);
    table(out, r, &r->modules, "Modules by retained size", "module", 10);
    table(out, r, &r->sites, "Allocation sites by retained size", "site", 10);
    return subtrees(out, r);
}
