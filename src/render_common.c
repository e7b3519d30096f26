/* render_common.c: what the three renderers share. */
#include <string.h>

#include "render.h"

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
