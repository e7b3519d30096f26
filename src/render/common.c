/* common.c: the words and the pieces the documents share, and the escapes of the markups. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "render/doc.h"
#include "render/render.h"
#include "textout.h"

#include <stdio.h>

char *render_path_text(const report *r, const path *p)
{
    return path_text(r->heap, p);
}

double render_share(const report *r, uint64_t bytes)
{
    return r->heap->total_size ? 100.0 * (double)bytes / (double)r->heap->total_size : 0.0;
}

const char *render_owner_text(code_owner owner, const char *name, char *buf, size_t size)
{
    switch (owner) {
    case OWNER_PROGRAM: snprintf(buf, size, "the program's own code"); break;
    case OWNER_STDLIB: snprintf(buf, size, "the standard library (in a library)"); break;
    case OWNER_PACKAGE:
        snprintf(buf, size, "an installed package%s%s%s (in a library)", *name ? " (" : "", name,
                 *name ? ")" : "");
        break;
    default: snprintf(buf, size, "not known: the dump does not say where the library lives");
    }
    return buf;
}

const char *render_growth_word(const leak_candidate *c)
{
    switch (c->growth) {
    case GROWTH_IN_DUMP: return "yes, proven in the dump";
    case GROWTH_TRACE: return "yes, by the trace";
    case GROWTH_BASELINE: return "yes, since the baseline";
    case GROWTH_STABLE_TRACE: return "no, by the trace";
    case GROWTH_STABLE_BASELINE: return "no, since the baseline";
    default: return "not known";
    }
}

const char *render_kind_words(leak_kind kind)
{
    static const char *const words[] = {"large collection", "big retainer", "stored traceback",
                                        "garbage"};
    return kind <= LEAK_GARBAGE ? words[kind] : "finding";
}

const char *render_collector_text(const report *r, char *buf, size_t size)
{
    const collector_state *gc = &r->interp.gc;
    if (!gc->known)
        return NULL;
    size_t n = (size_t)snprintf(buf, size, "%s", gc->enabled ? "enabled" : "disabled");
    if (gc->thresholds && n < size)
        n += (size_t)snprintf(buf + n, size - n, ", thresholds");
    for (size_t g = 0; g < gc->thresholds && n < size; g++)
        n += (size_t)snprintf(buf + n, size - n, " %lld", (long long)gc->threshold[g]);
    if (gc->freeze_count > 0 && n < size)
        n += (size_t)snprintf(buf + n, size - n, ", %lld objects frozen by gc.freeze()",
                              (long long)gc->freeze_count);
    if (gc->garbage > 0 && n < size)
        snprintf(buf + n, size - n, ", %lld in gc.garbage", (long long)gc->garbage);
    return buf;
}

/*
 * Text from the dump, inert in Markdown: HTML's metacharacters as
 * entities, and a backslash before what Markdown would read as markup:
 * emphasis, code, links, tables and strikethrough anywhere, and a heading
 * or a list at the start (a span may begin a line or a list item).
 * Parentheses, braces and '!' mean nothing once '[' is escaped.
 */
void render_md_text(FILE *out, const char *s)
{
    char escape[12];
    if (*s == '#' || *s == '-' || *s == '+')
        fputc('\\', out);
    for (size_t left = strlen(s); *s;) {
        size_t n = text_unit(s, left, escape);
        unsigned char c = (unsigned char)*s;
        s += n, left -= n;
        if (n > 1 && !escape[0])
            fwrite(s - n, 1, n, out);
        else if (c == '<')
            fputs("&lt;", out);
        else if (c == '>')
            fputs("&gt;", out);
        else if (c == '&')
            fputs("&amp;", out);
        else if (c == '\n' || c == '\r' || c == '\t')
            fputc(' ', out);
        else if (escape[0])
            fprintf(out, "\\%s", escape); /* "\\x1b" shows as \x1b */
        else if (strchr("\\`*_[]|~", c))
            fprintf(out, "\\%c", c);
        else
            fputc(c, out);
    }
}

/* Text from the dump, inert in HTML: entities for the five metacharacters. */
void render_html_text(FILE *out, const char *s)
{
    char escape[12];
    for (size_t left = strlen(s); *s;) {
        size_t n = text_unit(s, left, escape);
        unsigned char c = (unsigned char)*s;
        s += n, left -= n;
        if (escape[0]) { /* as text: a character reference would be the character again */
            fputs(escape, out);
            continue;
        }
        if (n > 1) {
            fwrite(s - n, 1, n, out);
            continue;
        }
        switch (c) {
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '&': fputs("&amp;", out); break;
        case '"': fputs("&quot;", out); break;
        case '\'': fputs("&#39;", out); break;
        default: fputc(c, out);
        }
    }
}

static const char *growth_phrase(const trace *t, uint32_t stack, char *buf, size_t size)
{
    const trace_site *s = &t->sites[stack];
    char rate[32];
    if (trace_site_grows(t, stack) && s->fit_from_us)
        snprintf(buf, size, "its live bytes grow %s/s, steadily (R² %.2f) from %.3f s on, after "
                 "a warm-up", format_bytes((uint64_t)s->growth, rate, sizeof rate), s->fit,
                 (double)s->fit_from_us / 1e6);
    else if (trace_site_grows(t, stack))
        snprintf(buf, size, "its live bytes grow %s/s, steadily (R² %.2f)",
                 format_bytes((uint64_t)s->growth, rate, sizeof rate), s->fit);
    else if (s->growth > 0)
        snprintf(buf, size, "its live bytes rise %s/s, unsteadily (R² %.2f)",
                 format_bytes((uint64_t)s->growth, rate, sizeof rate), s->fit);
    else
        snprintf(buf, size, "its live bytes do not grow");
    return buf;
}

char *render_origin_text(const trace *t, uint32_t stack, uint64_t bytes, uint64_t objects)
{
    char name[1024], size[32], growth[128];
    return report_format("%s: %s in %llu object%s; %s",
                         trace_site_name(t, stack, name, sizeof name),
                         format_bytes(bytes, size, sizeof size), (unsigned long long)objects,
                         plural(objects),
                         growth_phrase(t, stack, growth, sizeof growth));
}

char *render_growth_text(const trace *t, uint32_t stack)
{
    char live[32], growth[128];
    return report_format("%s live at the end; %s",
                         format_bytes(t->sites[stack].live, live, sizeof live),
                         growth_phrase(t, stack, growth, sizeof growth));
}

/* The site's live bytes over time, as a curve span. */
static void site_curve(doc *d, const trace *t, uint32_t stack)
{
    uint64_t curve[TRACE_CURVE_POINTS];
    doc_curve(d, curve, trace_site_curve(t, stack, curve));
}

/* An item: the text (from the dump), then the site's curve. */
static void curve_item(doc *d, char *text, const trace *t, uint32_t stack)
{
    doc_item(d);
    doc_dump(d, text ? text : "");
    doc_text(d, " ");
    site_curve(d, t, stack);
    if (!text)
        d->failed = 1;
    free(text);
}

void render_origins(doc *d, const render_source *src, size_t origin)
{
    const trace_link *l = src->trace;
    const leak_origin *o = l && l->same_process ? &l->origins[origin] : NULL;
    if (!o || !o->objects)
        return;
    doc_para(d, TONE_PLAIN);
    doc_textf(d, "Per the trace, %" PRIu64 " of its %" PRIu64 " object%s %s allocated while it ran:",
              o->matched, o->objects, plural(o->objects), o->matched == 1 ? "was" : "were");
    doc_list(d);
    for (size_t k = 0; k < o->site_count; k++) {
        const origin_site *site = &o->sites[k];
        curve_item(d, render_origin_text(l->trace, site->stack, site->bytes, site->objects),
                   l->trace, site->stack);
    }
}

void render_growing_sites(doc *d, const render_source *src)
{
    const trace_link *l = src->trace;
    if (!l)
        return;
    doc_heading(d, 2, NULL);
    doc_text(d, "Growing allocation sites (from the trace ");
    doc_styled(d, SPAN_PATH, 1, src->trace_path);
    doc_text(d, ")");
    if (!l->same_process) {
        doc_para(d, TONE_PLAIN);
        doc_textf(d, "The trace is from pid %" PRIu64 ", the dump from another process: objects "
                     "cannot be matched to their allocations.", l->trace->header.pid);
    }
    if (!l->growing_count) {
        doc_para(d, TONE_PLAIN);
        doc_text(d, "No site grows steadily.");
        return;
    }
    doc_list(d);
    for (size_t i = 0; i < l->growing_count && i < 10; i++) {
        char name[1024], *growth = render_growth_text(l->trace, l->growing[i]);
        char *text = growth ? report_format("%s: %s", trace_site_name(l->trace, l->growing[i], name,
                                                                       sizeof name), growth)
                            : NULL;
        free(growth);
        curve_item(d, text, l->trace, l->growing[i]);
    }
}

const char *render_process_text(const heap *h, char *buf, size_t size)
{
    if (heap_is_v8(h))
        snprintf(buf, size, "%s", h->header.producer);
    else
        snprintf(buf, size, "%s %s, pid %" PRIu64, h->header.runtime ? h->header.runtime : "",
                 h->header.runtime_version ? h->header.runtime_version : "", h->header.pid);
    return buf;
}
