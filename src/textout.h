/*
 * textout.h: plain-text output helpers.  Everything a dump contains is
 * untrusted, so text from it goes through print_text(), which keeps
 * control characters from reaching the terminal.
 */
#ifndef HEAPAN_TEXTOUT_H
#define HEAPAN_TEXTOUT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Length of the valid UTF-8 sequence at s (at most `left` bytes), or 0. */
size_t utf8_length(const unsigned char *s, size_t left);

/*
 * The next unit of untrusted text at s: returns its length in bytes, and
 * when it must not reach a reader as it is, its escape in `escape`
 * ("\x1b" for a control byte or a byte that is no UTF-8, "\u202e" for a
 * C1 control, a bidi override or isolate, a bidi mark, or a line or
 * paragraph separator); else escape[0] is '\0'.  Every renderer uses it:
 * none of these can move text, hide it or reorder it.
 */
size_t text_unit(const char *s, size_t left, char escape[12]);

/* Writes `len` bytes with every unit text_unit() escapes escaped. */
void print_text(FILE *out, const char *s, size_t len);

/* `s` into `out` (at most `size` bytes with its NUL), escaped as print_text() does. */
void terminal_safe_copy(char *out, size_t size, const char *s);

/* Like print_text() for a NUL-terminated string. */
void print_cstr(FILE *out, const char *s);

/* How many characters (UTF-8 sequences, or bytes that are none) s shows. */
size_t text_width(const char *s);

/*
 * s cut to at most `width` characters by leaving out its middle, marked
 * "…" ("module app . cach…ssion . data"), into buf (of `size` bytes);
 * returns buf.  Never splits a UTF-8 sequence.
 */
char *text_cut_middle(const char *s, size_t width, char *buf, size_t size);

/* "512 B", "1.5 KiB", "3.2 MiB" ...; returns buf (at least 16 bytes). */
char *format_bytes(uint64_t bytes, char *buf, size_t size);

/* format_bytes() of |bytes| with its sign: "-1.5 KiB"; "+1.5 KiB", "+0 B" when `plus`.  buf: 32 bytes. */
char *format_signed_bytes(int64_t bytes, int plus, char *buf, size_t size);

/* "s" unless n is 1: "%llu object%s". */
const char *plural(uint64_t n);

/* `values` as a line of `columns` block characters (▁ to █), scaled to their maximum. */
void print_sparkline(FILE *out, const uint64_t *values, size_t n, size_t columns);

/* "2026-11-24 15:30:00 UTC" for microseconds since the epoch. */
char *format_time_us(int64_t time_us, char *buf, size_t size);

#endif
