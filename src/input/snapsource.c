/* snapsource.c: plain, zstd or gzip input, decompressed as it is read. */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zlib.h>
#include <zstd.h>

#include "input/snapsource.h"

#define RAW_BUFFER (256u << 10)

typedef enum codec { CODEC_PLAIN, CODEC_ZSTD, CODEC_GZIP } codec;

struct snapsource {
    const char *path; /* as given: the registry of sniffed inputs is keyed by it */
    int fd;
    codec codec;
    unsigned char *raw; /* read from the file, not yet decompressed */
    size_t raw_pos, raw_len;
    int raw_end;
    uint64_t offset;
    ZSTD_DCtx *zstd;
    z_stream gzip;
    int gzip_open, gzip_done;
    char error[160];
};

static input_bytes totals;
static const char *last_path;

const char *snapsource_last_path(void)
{
    return last_path;
}

const input_bytes *input_bytes_so_far(void)
{
    return &totals;
}

static void count_read(snapsource *s, ssize_t n)
{
    s->offset += (uint64_t)n;
    __atomic_add_fetch(&totals.read, (uint64_t)n, __ATOMIC_RELAXED);
}

/* read(2) that retries on EINTR; the bytes count toward the memory budget. */
static ssize_t read_some(snapsource *s, void *buf, size_t cap)
{
    ssize_t n;
    do
        n = read(s->fd, buf, cap);
    while (n < 0 && errno == EINTR);
    if (n < 0)
        snprintf(s->error, sizeof s->error, "read failed: %s", strerror(errno));
    else
        count_read(s, n);
    return n;
}

static int fill_raw(snapsource *s)
{
    if (s->raw_pos < s->raw_len || s->raw_end)
        return 0;
    ssize_t n = read_some(s, s->raw, RAW_BUFFER);
    if (n < 0)
        return -1;
    s->raw_pos = 0;
    s->raw_len = (size_t)n;
    s->raw_end = n == 0;
    return 0;
}

/* Reads until the buffer holds `want` bytes or the input ends; what is there stays unread. */
static int fill_head(snapsource *s, size_t want)
{
    while (s->raw_len < want && !s->raw_end) {
        ssize_t n = read_some(s, s->raw + s->raw_len, RAW_BUFFER - s->raw_len);
        if (n < 0)
            return -1;
        s->raw_end = n == 0;
        s->raw_len += (size_t)n;
    }
    return 0;
}

/* Chooses the codec from the first bytes, which stay in the buffer. */
static int detect_codec(snapsource *s)
{
    if (fill_head(s, 4) < 0)
        return -1;
    const unsigned char *b = s->raw;
    if (s->raw_len >= 4 && b[0] == 0x28 && b[1] == 0xb5 && b[2] == 0x2f && b[3] == 0xfd) {
        s->codec = CODEC_ZSTD;
        return (s->zstd = ZSTD_createDCtx()) ? 0 : -1;
    }
    if (s->raw_len >= 2 && b[0] == 0x1f && b[1] == 0x8b) {
        s->codec = CODEC_GZIP;
        if (inflateInit2(&s->gzip, 16 + MAX_WBITS) != Z_OK)
            return -1;
        s->gzip_open = 1;
    }
    return 0;
}

/* Inputs sniffed by input_kind_of(), kept open for the reading that follows. */
static snapsource *sniffed[4];

static snapsource *take_sniffed(const char *path)
{
    for (size_t k = 0; k < sizeof sniffed / sizeof *sniffed; k++) {
        snapsource *s = sniffed[k];
        if (s && strcmp(s->path, path) == 0) {
            sniffed[k] = NULL;
            return s;
        }
    }
    return NULL;
}

static int open_fd(snapsource *s, const char *path)
{
    s->fd = strcmp(path, "-") == 0 ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
    if (s->fd < 0)
        return -1;
    struct stat st;
    if (fstat(s->fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        errno = EISDIR;
        return -1;
    }
    if (fstat(s->fd, &st) == 0 && S_ISREG(st.st_mode))
        __atomic_add_fetch(&totals.declared, (uint64_t)st.st_size, __ATOMIC_RELAXED);
    return 0;
}

snapsource *snapsource_open(const char *path)
{
    snapsource *s = take_sniffed(path);
    if (s)
        return s;
    if (!(s = calloc(1, sizeof *s)) || !(s->raw = malloc(RAW_BUFFER))) {
        free(s);
        errno = ENOMEM;
        return NULL;
    }
    s->path = path;
    last_path = path;
    if (open_fd(s, path) < 0) {
        int saved = errno;
        if (s->fd > STDIN_FILENO)
            close(s->fd);
        free(s->raw);
        free(s);
        errno = saved;
        return NULL;
    }
    if (detect_codec(s) < 0) {
        int saved = s->error[0] ? EIO : ENOMEM;
        snapsource_close(s);
        errno = saved;
        return NULL;
    }
    return s;
}

static long read_plain(snapsource *s, char *buf, size_t cap)
{
    if (fill_raw(s) < 0)
        return -1;
    size_t n = s->raw_len - s->raw_pos < cap ? s->raw_len - s->raw_pos : cap;
    memcpy(buf, s->raw + s->raw_pos, n);
    s->raw_pos += n;
    return (long)n;
}

static long read_zstd(snapsource *s, char *buf, size_t cap)
{
    ZSTD_outBuffer out = {buf, cap, 0};
    while (out.pos == 0) {
        if (fill_raw(s) < 0)
            return -1;
        if (s->raw_end && s->raw_pos == s->raw_len)
            return 0; /* a cut frame shows as a parse error on the text */
        ZSTD_inBuffer in = {s->raw, s->raw_len, s->raw_pos};
        size_t rc = ZSTD_decompressStream(s->zstd, &out, &in);
        s->raw_pos = in.pos;
        if (ZSTD_isError(rc)) {
            snprintf(s->error, sizeof s->error, "zstd: %s", ZSTD_getErrorName(rc));
            return -1;
        }
    }
    return (long)out.pos;
}

static long read_gzip(snapsource *s, char *buf, size_t cap)
{
    s->gzip.next_out = (Bytef *)buf;
    s->gzip.avail_out = (uInt)(cap > UINT32_MAX ? UINT32_MAX : cap);
    while (s->gzip.avail_out == cap && !s->gzip_done) {
        if (fill_raw(s) < 0)
            return -1;
        if (s->raw_end && s->raw_pos == s->raw_len)
            return 0;
        s->gzip.next_in = s->raw + s->raw_pos;
        s->gzip.avail_in = (uInt)(s->raw_len - s->raw_pos);
        int rc = inflate(&s->gzip, Z_NO_FLUSH);
        s->raw_pos = s->raw_len - s->gzip.avail_in;
        if (rc == Z_STREAM_END) {
            if (fill_raw(s) < 0)
                return -1;
            if (s->raw_end && s->raw_pos == s->raw_len)
                s->gzip_done = 1;
            else
                inflateReset(&s->gzip); /* another gzip member follows */
        } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
            snprintf(s->error, sizeof s->error, "gzip: %s",
                     s->gzip.msg ? s->gzip.msg : "corrupt data");
            return -1;
        }
    }
    return (long)(cap - s->gzip.avail_out);
}

long snapsource_read(snapsource *s, char *buf, size_t cap)
{
    switch (s->codec) {
    case CODEC_ZSTD: return read_zstd(s, buf, cap);
    case CODEC_GZIP: return read_gzip(s, buf, cap);
    default: return read_plain(s, buf, cap);
    }
}

const char *snapsource_error(const snapsource *s)
{
    return s->error[0] ? s->error : "read failed";
}

uint64_t snapsource_offset(const snapsource *s)
{
    return s->offset;
}

void snapsource_close(snapsource *s)
{
    if (!s)
        return;
    if (s->fd > STDIN_FILENO)
        close(s->fd);
    ZSTD_freeDCtx(s->zstd);
    if (s->gzip_open)
        inflateEnd(&s->gzip);
    free(s->raw);
    free(s);
}

/*
 * The first decompressed bytes, from the head of the buffer, with a context
 * of their own: the buffer is left as it was, for the reading that follows.
 */
static long peek(snapsource *s, char *out, size_t cap)
{
    if (fill_head(s, RAW_BUFFER) < 0)
        return -1;
    if (s->codec == CODEC_PLAIN) {
        size_t n = s->raw_len < cap ? s->raw_len : cap;
        memcpy(out, s->raw, n);
        return (long)n;
    }
    if (s->codec == CODEC_ZSTD) {
        ZSTD_DCtx *z = ZSTD_createDCtx();
        ZSTD_inBuffer in = {s->raw, s->raw_len, 0};
        ZSTD_outBuffer o = {out, cap, 0};
        size_t rc = z ? ZSTD_decompressStream(z, &o, &in) : 0;
        ZSTD_freeDCtx(z);
        return !z || ZSTD_isError(rc) ? -1 : (long)o.pos;
    }
    z_stream g = {.next_in = s->raw, .avail_in = (uInt)s->raw_len, .next_out = (Bytef *)out,
                  .avail_out = (uInt)cap};
    if (inflateInit2(&g, 16 + MAX_WBITS) != Z_OK)
        return -1;
    int rc = inflate(&g, Z_NO_FLUSH);
    long n = (long)(cap - g.avail_out);
    inflateEnd(&g);
    return rc == Z_OK || rc == Z_STREAM_END || rc == Z_BUF_ERROR ? n : -1;
}

static input_kind kind_from_head(snapsource *s)
{
    char head[256];
    long n = peek(s, head, sizeof head - 1);
    if (n <= 0)
        return INPUT_HEAPAN;
    head[n] = '\0';
    const char *p = head;
    if ((unsigned char)p[0] == 0xef && (unsigned char)p[1] == 0xbb && (unsigned char)p[2] == 0xbf)
        p += 3; /* a UTF-8 byte-order mark */
    p += strspn(p, " \t\r\n");
    /* A heapan dump starts with its magic: a JSON object can only be a snapshot, or broken. */
    return *p == '{' ? INPUT_SNAPSHOT : INPUT_HEAPAN;
}

input_kind input_kind_of(const char *path)
{
    snapsource *s = take_sniffed(path);
    if (!s && !(s = snapsource_open(path)))
        return INPUT_HEAPAN; /* the reader that follows says why it cannot be opened */
    input_kind kind = kind_from_head(s);
    for (size_t k = 0; k < sizeof sniffed / sizeof *sniffed; k++)
        if (!sniffed[k]) {
            sniffed[k] = s;
            return kind;
        }
    snapsource_close(s); /* more inputs than any command has: read it again */
    return kind;
}

/* The heapan reader's source: the compressed bytes as they are, buffered ones first. */
static long raw_source(void *ctx, void *buf, size_t cap)
{
    snapsource *s = ctx;
    if (s->raw_pos < s->raw_len) {
        size_t n = s->raw_len - s->raw_pos < cap ? s->raw_len - s->raw_pos : cap;
        memcpy(buf, s->raw + s->raw_pos, n);
        s->raw_pos += n;
        return (long)n;
    }
    if (s->raw_end)
        return 0;
    ssize_t n = read_some(s, buf, cap);
    return n < 0 ? -1 : (long)n;
}

static void release_source(void *ctx)
{
    snapsource_close(ctx);
}

heapan_status snapsource_reader(snapsource *s, heapan_reader **out)
{
    return heapan_reader_open_owned_source(out, raw_source, release_source, s);
}

int snapsource_is_file(const char *path)
{
    struct stat st;
    return strcmp(path, "-") != 0 && stat(path, &st) == 0 && S_ISREG(st.st_mode);
}
