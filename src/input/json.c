/* json.c: a streaming JSON tokenizer with its own window on the text. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "input/json.h"

#define BUFFER (1u << 20)
#define PROGRESS_EVERY (64u << 20)

int json_open(json_stream *p, snapsource *src, char *why, size_t why_size,
              json_progress_fn progress, void *progress_ctx)
{
    *p = (json_stream){.src = src,
                       .why = why,
                       .why_size = why_size,
                       .progress = progress,
                       .progress_ctx = progress_ctx,
                       .next_progress = PROGRESS_EVERY};
    return (p->buf = malloc(BUFFER)) ? 0 : json_no_memory(p);
}

void json_close(json_stream *p)
{
    free(p->buf);
    p->buf = NULL;
}

int json_vfail(json_stream *p, const char *fmt, va_list ap)
{
    if (!p->why[0])
        vsnprintf(p->why, p->why_size, fmt, ap);
    return -1;
}

int json_fail(json_stream *p, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    json_vfail(p, fmt, ap);
    va_end(ap);
    return -1;
}

int json_no_memory(json_stream *p)
{
    p->out_of_memory = 1;
    return json_fail(p, "out of memory");
}

uint64_t json_offset(const json_stream *p)
{
    return p->text_offset + p->pos;
}

void json_skip_byte(json_stream *p)
{
    p->pos++;
}

static int refill(json_stream *p)
{
    if (p->eof)
        return -1;
    long n = snapsource_read(p->src, p->buf, BUFFER);
    if (n < 0)
        return json_fail(p, "%s", snapsource_error(p->src));
    p->text_offset += (uint64_t)p->len;
    p->pos = 0;
    p->len = (size_t)n;
    p->eof = n == 0;
    if (p->progress && snapsource_offset(p->src) >= p->next_progress) {
        p->progress(p->progress_ctx, snapsource_offset(p->src));
        p->next_progress = snapsource_offset(p->src) + PROGRESS_EVERY;
    }
    return n ? 0 : -1;
}

int json_truncated(json_stream *p)
{
    return json_fail(p, "the snapshot ends early, at byte %llu of its text",
                     (unsigned long long)(p->text_offset + p->pos));
}

/* The next character that is not white space, not consumed; -1 at the end. */
int json_peek(json_stream *p)
{
    for (;;) {
        while (p->pos < p->len) {
            char c = p->buf[p->pos];
            if (c != ' ' && c != '\n' && c != '\r' && c != '\t')
                return (unsigned char)c;
            p->pos++;
        }
        if (refill(p) < 0)
            return -1;
    }
}

/* A byte from the text for a message: 'x' when printable ASCII, else its value. */
const char *json_byte_text(int c, char buf[16])
{
    if (c > 0x20 && c < 0x7f && c != '\'' && c != '\\')
        snprintf(buf, 16, "'%c'", c);
    else
        snprintf(buf, 16, "byte 0x%02x", (unsigned)c & 0xff);
    return buf;
}

int json_expect(json_stream *p, char c)
{
    int next = json_peek(p);
    if (next == c) {
        p->pos++;
        return 0;
    }
    if (next < 0)
        return json_truncated(p);
    char found[16];
    return json_fail(p, "expected '%c' at byte %llu of the text, found %s", c,
                     (unsigned long long)(p->text_offset + p->pos), json_byte_text(next, found));
}

static int take(json_stream *p)
{
    if (p->pos == p->len && refill(p) < 0)
        return -1;
    return (unsigned char)p->buf[p->pos++];
}

static int hex_value(int c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

static int read_hex4(json_stream *p, unsigned *out)
{
    *out = 0;
    for (int i = 0; i < 4; i++) {
        int c = take(p), v = c < 0 ? -1 : hex_value(c);
        if (v < 0)
            return c < 0 ? json_truncated(p) : json_fail(p, "a bad \\u escape in a string");
        *out = *out << 4 | (unsigned)v;
    }
    return 0;
}

/* Code point `cp` as UTF-8 into out; U+FFFD for lone surrogates and NUL. */
static size_t utf8_encode(unsigned cp, char out[4])
{
    if ((cp >= 0xd800 && cp <= 0xdfff) || cp == 0) /* NUL: as above */
        cp = 0xfffd;
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xc0 | cp >> 6), out[1] = (char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xe0 | cp >> 12), out[1] = (char)(0x80 | (cp >> 6 & 0x3f));
        out[2] = (char)(0x80 | (cp & 0x3f));
        return 3;
    }
    out[0] = (char)(0xf0 | cp >> 18), out[1] = (char)(0x80 | (cp >> 12 & 0x3f));
    out[2] = (char)(0x80 | (cp >> 6 & 0x3f)), out[3] = (char)(0x80 | (cp & 0x3f));
    return 4;
}

/* A \u escape, joined with the low half when it is a high surrogate. */
static int read_unicode_escape(json_stream *p, char out[4], size_t *n)
{
    unsigned cp, low;
    if (read_hex4(p, &cp) < 0)
        return -1;
    if (cp >= 0xd800 && cp <= 0xdbff && json_peek(p) == '\\') {
        p->pos++;
        int u = take(p);
        if (u != 'u')
            return u < 0 ? json_truncated(p) : json_fail(p, "a lone surrogate escape in a string");
        if (read_hex4(p, &low) < 0)
            return -1;
        cp = low >= 0xdc00 && low <= 0xdfff ? 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00)
                                            : 0xfffd;
    }
    *n = utf8_encode(cp, out);
    return 0;
}

/* Reads a string after its opening quote, handing its decoded bytes to `sink`. */
int json_string_body(json_stream *p, json_bytes_fn sink, void *ctx)
{
    for (;;) {
        size_t start = p->pos;
        while (p->pos < p->len && p->buf[p->pos] != '"' && p->buf[p->pos] != '\\' &&
               p->buf[p->pos] != '\0')
            p->pos++;
        if (p->pos > start && sink && sink(ctx, p->buf + start, p->pos - start) < 0)
            return -1;
        int c = take(p);
        if (c < 0)
            return json_truncated(p);
        if (c == '"')
            return 0;
        if (c == '\0') /* JSON escapes it; heapan's strings could not hold it */
            return json_fail(p, "a raw NUL byte in a string at byte %llu of the text",
                             (unsigned long long)(p->text_offset + p->pos - 1));
        if (c != '\\')
            continue; /* take() refilled: scan on */
        int e = take(p);
        char bytes[4];
        size_t n = 1;
        switch (e) {
        case '"':
        case '\\':
        case '/': bytes[0] = (char)e; break;
        case 'b': bytes[0] = '\b'; break;
        case 'f': bytes[0] = '\f'; break;
        case 'n': bytes[0] = '\n'; break;
        case 'r': bytes[0] = '\r'; break;
        case 't': bytes[0] = '\t'; break;
        case 'u':
            if (read_unicode_escape(p, bytes, &n) < 0)
                return -1;
            break;
        default:
            return e < 0 ? json_truncated(p) : json_fail(p, "a bad escape '\\%c' in a string", e);
        }
        if (sink && sink(ctx, bytes, n) < 0)
            return -1;
    }
}

typedef struct fixed_text {
    json_stream *j;
    char *text;
    size_t len, cap;
} fixed_text;

static int put_fixed(void *ctx, const char *bytes, size_t n)
{
    fixed_text *t = ctx;
    if (t->len + n >= t->cap)
        return json_fail(t->j, "a key longer than %zu bytes", t->cap - 1);
    memcpy(t->text + t->len, bytes, n);
    t->len += n;
    t->text[t->len] = '\0';
    return 0;
}

int json_key(json_stream *p, char *key, size_t cap)
{
    fixed_text t = {p, key, 0, cap};
    key[0] = '\0';
    return json_expect(p, '"') < 0 || json_string_body(p, put_fixed, &t) < 0 ||
                   json_expect(p, ':') < 0
               ? -1
               : 0;
}

/* Skips any JSON value, nested or not, without building it. */
int json_skip_value(json_stream *p)
{
    int depth = 0;
    do {
        int c = json_peek(p);
        if (c < 0)
            return json_truncated(p);
        p->pos++;
        if (c == '{' || c == '[')
            depth++;
        else if (c == '}' || c == ']')
            depth--;
        else if (c == '"' && json_string_body(p, NULL, NULL) < 0)
            return -1;
        /* numbers, true, false, null, ',' and ':' pass character by character */
    } while (depth > 0);
    return depth == 0 ? 0 : json_fail(p, "unbalanced brackets");
}

/* Copies the text of the object at the cursor, strings and all. */
int json_capture_object(json_stream *p, json_bytes_fn sink, void *ctx)
{
    int depth = 0, in_string = 0, escaped = 0;
    if (json_peek(p) != '{')
        return json_peek(p) < 0 ? json_truncated(p) : json_fail(p, "not an object");
    do {
        if (p->pos == p->len && refill(p) < 0)
            return json_truncated(p);
        size_t start = p->pos;
        while (p->pos < p->len) {
            char c = p->buf[p->pos++];
            if (in_string) {
                in_string = escaped || c != '"';
                escaped = !escaped && c == '\\';
            } else if (c == '"') {
                in_string = 1;
            } else if (c == '{' || c == '[') {
                depth++;
            } else if ((c == '}' || c == ']') && --depth == 0) {
                break;
            }
        }
        if (sink(ctx, p->buf + start, p->pos - start) < 0)
            return -1;
    } while (depth > 0);
    return 0;
}

/* ---- numbers -------------------------------------------------------------------- */

/*
 * Most of a snapshot's bytes are numbers of a few digits: eight bytes are
 * classified and converted at once (simdjson's parse_eight_digits).
 */
static size_t leading_digits(const char *s)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    uint64_t w;
    memcpy(&w, s, 8);
    uint64_t v = w ^ 0x3030303030303030u; /* a digit's byte becomes 0..9 */
    /* a byte is no digit when its high nibble is set, or its low one is over 9 */
    uint64_t nondigit = (v | ((v & 0x0F0F0F0F0F0F0F0Fu) + 0x0606060606060606u)) &
                        0xF0F0F0F0F0F0F0F0u;
    return nondigit ? (size_t)__builtin_ctzll(nondigit) / 8 : 8;
#else
    (void)s;
    return 8; /* the byte-at-a-time loop */
#endif
}

/* The value of the `n` (1 to 7) digits at s. */
static uint64_t short_number(const char *s, size_t n)
{
    uint64_t w;
    memcpy(&w, s, 8);
    w = (w & 0x0F0F0F0F0F0F0F0Fu) << (8 * (8 - n)); /* as eight digits, leading zeros first */
    w = (w * 2561) >> 8;
    w = ((w & 0x00FF00FF00FF00FFu) * 6553601) >> 16;
    return ((w & 0x0000FFFF0000FFFFu) * 42949672960001u) >> 32;
}

/* Streams an array of non-negative integers up to 2^53 to `sink`, CHUNK at a time. */
int json_numbers(json_stream *p, json_numbers_fn sink, void *ctx)
{
    enum { FIRST, VALUE, NUMBER, AFTER } state = FIRST;
    uint64_t chunk[JSON_NUMBERS_AT_ONCE];
    size_t n = 0;
    uint64_t value = 0;
    if (json_expect(p, '[') < 0)
        return -1;
    for (;;) {
        if (p->pos == p->len && refill(p) < 0)
            return json_truncated(p);
        const char *b = p->buf;
        size_t pos = p->pos, len = p->len;
        for (; pos < len; pos++) {
            unsigned char c = (unsigned char)b[pos];
            if ((unsigned)(c - '0') < 10u) {
                if (state == AFTER) {
                    p->pos = pos;
                    goto bad;
                }
                size_t digits;
                if (state != NUMBER && len - pos >= 8 && (digits = leading_digits(b + pos)) < 8) {
                    value = short_number(b + pos, digits);
                    pos += digits;
                    state = NUMBER;
                    c = (unsigned char)b[pos];
                    goto emit;
                }
                do {
                    value = value * 10 + (c - '0');
                    if (value > JSON_MAX_EXACT_INTEGER) {
                        p->pos = pos;
                        return json_fail(p, "a number over 2^53 at byte %llu of the text",
                                         (unsigned long long)(p->text_offset + pos));
                    }
                    if (++pos == len)
                        break;
                    c = (unsigned char)b[pos];
                } while ((unsigned)(c - '0') < 10u);
                state = NUMBER;
                if (pos == len)
                    break; /* the number may go on in the next window */
            }
        emit:
            if (state == NUMBER) {
                chunk[n++] = value;
                value = 0;
                state = AFTER;
                if (n == JSON_NUMBERS_AT_ONCE) {
                    p->pos = pos;
                    if (sink(ctx, chunk, n) < 0)
                        return -1;
                    n = 0;
                }
            }
            if (c == ' ' || c == '\n' || c == '\r' || c == '\t')
                continue;
            if (c == ',' && state == AFTER) {
                state = VALUE;
                continue;
            }
            if (c == ']' && state != VALUE) {
                p->pos = pos + 1;
                return n ? sink(ctx, chunk, n) : 0;
            }
            p->pos = pos; /* the message names the byte */
            goto bad;
        }
        p->pos = pos;
    }
bad:
    return json_fail(p, "expected a non-negative integer at byte %llu of the text",
                     (unsigned long long)(p->text_offset + p->pos));
}
