/* render_common.c: what the three renderers share. */
#include <string.h>

#include "render.h"
#include "textout.h"

char *render_path_text(const report *r, const path *p)
{
    return path_text(r->heap, p);
}

double render_share(const report *r, uint64_t bytes)
{
    return r->heap->total_size ? 100.0 * (double)bytes / (double)r->heap->total_size : 0.0;
}

/* Text from the dump, inert in Markdown: punctuation escaped, HTML as entities. */
void render_md_text(FILE *out, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '<')
            fputs("&lt;", out);
        else if (c == '>')
            fputs("&gt;", out);
        else if (c == '&')
            fputs("&amp;", out);
        else if (c == '\n' || c == '\r' || c == '\t')
            fputc(' ', out);
        else if (c < 0x20 || c == 0x7f)
            fprintf(out, "\\\\x%02x", c);
        else if (strchr("\\`*_[]|#~!{}()", c))
            fprintf(out, "\\%c", c);
        else
            fputc(c, out);
    }
}

/* Text from the dump, inert in HTML: entities for the five metacharacters. */
void render_html_text(FILE *out, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        switch (c) {
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '&': fputs("&amp;", out); break;
        case '"': fputs("&quot;", out); break;
        case '\'': fputs("&#39;", out); break;
        default:
            if (c < 0x20 || c == 0x7f)
                fprintf(out, "\\x%02x", c);
            else
                fputc(c, out);
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
    return report_format("%s: %s in %llu objects; %s", trace_site_name(t, stack, name, sizeof name),
                         format_bytes(bytes, size, sizeof size), (unsigned long long)objects,
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
