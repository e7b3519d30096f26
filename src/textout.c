/* textout.c: escaping and number formatting for terminal output. */
#include <inttypes.h>
#include <string.h>
#include <time.h>

#include "textout.h"

void print_text(FILE *out, const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7f)
            fprintf(out, "\\x%02x", c);
        else
            fputc(c, out);
    }
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

char *format_time_us(int64_t time_us, char *buf, size_t size)
{
    time_t seconds = (time_t)(time_us / 1000000);
    struct tm tm;
    if (!gmtime_r(&seconds, &tm) || !strftime(buf, size, "%Y-%m-%d %H:%M:%S UTC", &tm))
        snprintf(buf, size, "%" PRId64 " us", time_us);
    return buf;
}
