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

/* Writes `len` bytes, control characters and DEL escaped as \xNN. */
void print_text(FILE *out, const char *s, size_t len);

/* Like print_text() for a NUL-terminated string. */
void print_cstr(FILE *out, const char *s);

/* "512 B", "1.5 KiB", "3.2 MiB" ...; returns buf (at least 16 bytes). */
char *format_bytes(uint64_t bytes, char *buf, size_t size);

/* `values` as a line of `columns` block characters (▁ to █), scaled to their maximum. */
void print_sparkline(FILE *out, const uint64_t *values, size_t n, size_t columns);

/* "2026-11-24 15:30:00 UTC" for microseconds since the epoch. */
char *format_time_us(int64_t time_us, char *buf, size_t size);

#endif
