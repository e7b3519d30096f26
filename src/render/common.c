/* render_common.c: what the three renderers share. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

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

/* Text from the dump, inert in Markdown: punctuation escaped, HTML as entities. */
void render_md_text(FILE *out, const char *s)
{
    char escape[12];
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
        else if (strchr("\\`*_[]|#~!{}()", c))
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
    if (trace_site_grows(t, stack))
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

void render_html_curve(FILE *out, const trace *t, uint32_t stack)
{
    uint64_t curve[TRACE_CURVE_POINTS], max = 1;
    size_t n = trace_site_curve(t, stack, curve);
    for (size_t k = 0; k < n; k++)
        max = curve[k] > max ? curve[k] : max;
    fputs("<svg width=120 height=24 role=img><polyline fill=none stroke=#4a7fd0 stroke-width=1.5 "
          "points='", out);
    for (size_t k = 0; k < n; k++)
        fprintf(out, "%.1f,%.1f ", n > 1 ? 118.0 * (double)k / (double)(n - 1) + 1 : 1.0,
                22.0 - 20.0 * (double)curve[k] / (double)max);
    fputs("'></polyline></svg>", out);
}

void render_md_curve(FILE *out, const trace *t, uint32_t stack)
{
    uint64_t curve[TRACE_CURVE_POINTS];
    print_sparkline(out, curve, trace_site_curve(t, stack, curve), TRACE_CURVE_POINTS);
}

const markup_style markup_md = {render_md_text, render_md_curve, "## ", "\n\n", "### ", "\n\n",
                                "", "\n\n", "", "- ", "\n", "\n"};
const markup_style markup_html = {render_html_text, render_html_curve, "<h2>", "</h2>\n", "<h3>",
                                  "</h3>\n", "<p>", "</p>\n", "<ul>\n", "<li>", "</li>\n",
                                  "</ul>\n"};
const markup_style markup_plain = {print_cstr, render_md_curve, "\n", ":\n", "  ", "\n", "    ",
                                   "\n", "", "  - ", "\n", ""};

/* An item: untrusted text, then the site's curve. */
static int curve_item(FILE *out, const markup_style *m, char *text, const trace *t, uint32_t stack)
{
    if (!text)
        return -1;
    fputs(m->item, out);
    m->text(out, text);
    fputc(' ', out);
    m->curve(out, t, stack);
    fputs(m->item_end, out);
    free(text);
    return 0;
}

int render_origins(FILE *out, const markup_style *m, const render_source *src, size_t origin)
{
    const trace_link *l = src->trace;
    const leak_origin *o = l && l->same_process ? &l->origins[origin] : NULL;
    if (!o || !o->objects)
        return 0;
    fprintf(out, "%sPer the trace, %" PRIu64 " of its %" PRIu64 " object%s %s allocated while "
                 "it ran:%s%s", m->para, o->matched, o->objects, plural(o->objects),
            o->matched == 1 ? "was" : "were", m->para_end, m->list);
    for (size_t k = 0; k < o->site_count; k++) {
        const origin_site *site = &o->sites[k];
        char *text = render_origin_text(l->trace, site->stack, site->bytes, site->objects);
        if (curve_item(out, m, text, l->trace, site->stack) < 0)
            return -1;
    }
    fputs(m->list_end, out);
    return 0;
}

int render_growing_sites(FILE *out, const markup_style *m, const render_source *src)
{
    const trace_link *l = src->trace;
    if (!l)
        return 0;
    fputs(m->heading, out);
    fputs("Growing allocation sites (from the trace ", out);
    m->text(out, src->trace_path);
    fprintf(out, ")%s", m->heading_end);
    if (!l->same_process)
        fprintf(out, "%sThe trace is from pid %" PRIu64 ", the dump from another process: objects "
                     "cannot be matched to their allocations.%s",
                m->para, l->trace->header.pid, m->para_end);
    if (!l->growing_count)
        fprintf(out, "%sNo site grows steadily.%s", m->para, m->para_end);
    fputs(l->growing_count ? m->list : "", out);
    for (size_t i = 0; i < l->growing_count && i < 10; i++) {
        char name[1024], *growth = render_growth_text(l->trace, l->growing[i]);
        char *text = growth ? report_format("%s: %s", trace_site_name(l->trace, l->growing[i], name,
                                                                       sizeof name), growth)
                            : NULL;
        free(growth);
        if (curve_item(out, m, text, l->trace, l->growing[i]) < 0)
            return -1;
    }
    fputs(l->growing_count ? m->list_end : "", out);
    return 0;
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
