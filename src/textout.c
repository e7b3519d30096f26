/* textout.c: escaping and number formatting for terminal output. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "textout.h"

size_t utf8_length(const unsigned char *s, size_t left)
{
    size_t need = s[0] >= 0xf0 && s[0] <= 0xf4 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc2 ? 2 : 0;
    if (s[0] >= 0xf5 || need == 0 || need > left)
        return 0;
    for (size_t i = 1; i < need; i++)
        if ((s[i] & 0xc0) != 0x80)
            return 0;
    if ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] >= 0xa0) ||
        (s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] >= 0x90))
        return 0; /* overlong, surrogate, or past U+10FFFF */
    return need;
}

static unsigned long code_point(const unsigned char *s, size_t n)
{
    unsigned long c = n == 2 ? s[0] & 0x1f : n == 3 ? s[0] & 0x0f : s[0] & 0x07;
    for (size_t i = 1; i < n; i++)
        c = c << 6 | (s[i] & 0x3f);
    return c;
}

/* Code points that move, hide or reorder text on a terminal or a page. */
static int is_unsafe_code(unsigned long c)
{
    return (c >= 0x80 && c <= 0x9f) ||    /* C1 controls: CSI is U+009B */
           c == 0x061c ||                 /* ARABIC LETTER MARK */
           c == 0x200e || c == 0x200f ||  /* LRM, RLM */
           (c >= 0x2028 && c <= 0x202e) || /* LS, PS, LRE, RLE, PDF, LRO, RLO */
           (c >= 0x2066 && c <= 0x2069);   /* LRI, RLI, FSI, PDI */
}

size_t text_unit(const char *s, size_t left, char escape[12])
{
    const unsigned char *p = (const unsigned char *)s;
    escape[0] = '\0';
    if (p[0] < 0x20 || p[0] == 0x7f) {
        snprintf(escape, 12, "\\x%02x", p[0]);
        return 1;
    }
    if (p[0] < 0x80)
        return 1;
    size_t n = utf8_length(p, left);
    if (!n) {
        snprintf(escape, 12, "\\x%02x", p[0]);
        return 1;
    }
    unsigned long c = code_point(p, n);
    if (is_unsafe_code(c))
        snprintf(escape, 12, "\\u%04lx", c);
    return n;
}

void print_text(FILE *out, const char *s, size_t len)
{
    char escape[12];
    for (size_t i = 0; i < len;) {
        size_t n = text_unit(s + i, len - i, escape);
        if (escape[0])
            fputs(escape, out);
        else
            fwrite(s + i, 1, n, out);
        i += n;
    }
}

void terminal_safe_copy(char *out, size_t size, const char *s)
{
    size_t o = 0, len = strlen(s);
    char escape[12];
    for (size_t i = 0; i < len && size;) {
        size_t n = text_unit(s + i, len - i, escape);
        const char *piece = escape[0] ? escape : s + i;
        size_t piece_len = escape[0] ? strlen(escape) : n;
        if (o + piece_len >= size)
            break;
        memcpy(out + o, piece, piece_len);
        o += piece_len;
        i += n;
    }
    if (size)
        out[o] = '\0';
}

void print_cstr(FILE *out, const char *s)
{
    print_text(out, s, strlen(s));
}

void print_sparkline(FILE *out, const uint64_t *values, size_t n, size_t columns)
{
    static const char *const blocks[] = {"▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"};
    uint64_t max = 1;
    for (size_t i = 0; i < n; i++)
        max = values[i] > max ? values[i] : max;
    columns = n < columns ? n : columns;
    for (size_t c = 0; c < columns; c++)
        fputs(blocks[(size_t)((double)values[c * n / columns] * 7 / (double)max)], out);
}

/* The length of the character at s: its UTF-8 sequence, or 1 for a byte that is none. */
static size_t char_length(const char *s)
{
    size_t n = utf8_length((const unsigned char *)s, strnlen(s, 4));
    return n ? n : 1;
}

size_t text_width(const char *s)
{
    size_t width = 0;
    for (; *s; s += char_length(s))
        width++;
    return width;
}

char *text_cut_middle(const char *s, size_t width, char *buf, size_t size)
{
    size_t total = text_width(s), used = 0;
    if (!size)
        return buf;
    if (total <= width || width < 3) {
        snprintf(buf, size, "%s", s);
        return buf;
    }
    size_t head = (width - 1) / 2, tail = width - 1 - head, k = 0;
    const char *p = s;
    for (; k < head; k++, p += char_length(p)) {
        size_t n = char_length(p);
        if (used + n + 1 > size)
            break;
        memcpy(buf + used, p, n), used += n;
    }
    if (used + 4 <= size)
        memcpy(buf + used, "\xe2\x80\xa6", 3), used += 3;  /* … */
    for (size_t skip = total - tail; k < skip; k++)
        p += char_length(p);
    for (; *p; p += char_length(p)) {
        size_t n = char_length(p);
        if (used + n + 1 > size)
            break;
        memcpy(buf + used, p, n), used += n;
    }
    buf[used] = '\0';
    return buf;
}

char *format_signed_bytes(int64_t bytes, int plus, char *buf, size_t size)
{
    char plain[24]; /* format_bytes() needs 16; the sign and this fit in 32 */
    format_bytes(bytes < 0 ? 0 - (uint64_t)bytes : (uint64_t)bytes, plain, sizeof plain);
    snprintf(buf, size, "%s%s", bytes < 0 ? "-" : plus ? "+" : "", plain);
    return buf;
}

char *format_bytes(uint64_t bytes, char *buf, size_t size)
{
    static const char *const units[] = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    if (bytes < 1024) {
        snprintf(buf, size, "%" PRIu64 " B", bytes);
        return buf;
    }
    double value = (double)bytes / 1024;
    size_t unit = 0;
    while (value >= 1024 && unit + 1 < sizeof units / sizeof *units) {
        value /= 1024;
        unit++;
    }
    snprintf(buf, size, "%.1f %s", value, units[unit]);
    return buf;
}

const char *plural(uint64_t n)
{
    return n == 1 ? "" : "s";
}

char *format_time_us(int64_t time_us, char *buf, size_t size)
{
    time_t seconds = (time_t)(time_us / 1000000);
    struct tm tm;
    if (!gmtime_r(&seconds, &tm) || !strftime(buf, size, "%Y-%m-%d %H:%M:%S UTC", &tm))
        snprintf(buf, size, "%" PRId64 " us", time_us);
    return buf;
}
