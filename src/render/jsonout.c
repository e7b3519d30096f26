/* jsonout.c: JSON strings and CSV fields from untrusted bytes. */
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "render/jsonout.h"
#include "textout.h"

void json_string(FILE *out, const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    fputc('"', out);
    for (size_t i = 0; i < len;) {
        unsigned char c = p[i];
        if (c == '"' || c == '\\') {
            fputc('\\', out);
            fputc(c, out);
            i++;
        } else if (c < 0x20 || c == 0x7f) {
            fprintf(out, "\\u%04x", c);
            i++;
        } else if (c < 0x80) {
            fputc(c, out);
            i++;
        } else {
            size_t n = utf8_length(p + i, len - i);
            if (n) {
                fwrite(p + i, 1, n, out);
                i += n;
            } else {
                fputs("\\ufffd", out);
                i++;
            }
        }
    }
    fputc('"', out);
}

void json_cstr(FILE *out, const char *s)
{
    if (s)
        json_string(out, s, strlen(s));
    else
        fputs("null", out);
}

void csv_field(FILE *out, const char *s, size_t len)
{
    fputc('"', out);
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '"')
            fputc('"', out);
        fputc(s[i], out);
    }
    fputc('"', out);
}

char *utf8_sanitize(const char *s)
{
    size_t len = strlen(s);
    char *out = malloc(3 * len + 1);  /* each bad byte becomes three */
    if (!out)
        return NULL;
    size_t o = 0;
    for (size_t i = 0; i < len;) {
        const unsigned char *p = (const unsigned char *)s + i;
        size_t n = p[0] < 0x80 ? 1 : utf8_length(p, len - i);
        if (n) {
            memcpy(out + o, p, n);
            o += n;
            i += n;
        } else {
            memcpy(out + o, "\xef\xbf\xbd", 3);
            o += 3;
            i++;
        }
    }
    out[o] = '\0';
    return out;
}

int json_add_text(cJSON *o, const char *name, const char *text)
{
    if (!text)
        return cJSON_AddNullToObject(o, name) ? 0 : -1;
    char *clean = utf8_sanitize(text);
    int ok = clean && cJSON_AddStringToObject(o, name, clean);
    free(clean);
    return ok ? 0 : -1;
}

int json_finish(FILE *out, cJSON *doc, int failed)
{
    char *text = failed || !doc ? NULL : cJSON_Print(doc);
    if (text)
        fprintf(out, "%s\n", text);
    free(text);
    cJSON_Delete(doc);
    return text ? 0 : -1;
}
