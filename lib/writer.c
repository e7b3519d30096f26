/*
 * writer.c: encodes records into the heapan format and compresses them
 * with zstd, flushing whole blocks regularly so a cut file stays readable.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include "encoding.h"
#include "heapan.h"
#include "intern.h"

#define DEFAULT_LEVEL 3
#define DEFAULT_FLUSH_INTERVAL (1u << 20)
#define THREADED_FLUSH_INTERVAL (16u << 20)
#define THREADED_JOB_SIZE (1u << 20)
/* Records queue up to this many bytes before a compression call. */
#define COMPRESS_BATCH (128u * 1024u)
/* Room kept for a REFS record's own fields besides its entries. */
#define REFS_HEADROOM (2 * HEAPAN_VARINT_MAX)
#define MAX_REF_ENTRY (3 * HEAPAN_VARINT_MAX)

struct heapan_writer {
    heapan_sink_fn sink;
    void *sink_ctx;
    int fd;                  /* ours to close, or -1 */
    char *path, *temp;       /* the file; the temporary one it is written as, or NULL */
    int io_errno;            /* errno of the write or close that failed, or 0 */
    ZSTD_CCtx *cctx;
    bytebuf pending;         /* encoded records not yet compressed */
    bytebuf payload;         /* the record being encoded */
    bytebuf refs;            /* entries of the open REFS group */
    uint8_t *out;            /* compressed output staging */
    size_t out_cap;
    uint64_t refs_from, refs_count;
    size_t record_head, record_start;  /* the record open in `pending`: its tag, its payload */
    size_t since_flush, flush_interval;
    int header_written;
    int closed;
    heapan_status status;
    heapan_counts counts;
    intern_table interned;
    char error[256];
};

HEAPAN_PRINTF(3, 4)
static heapan_status fail(heapan_writer *w, heapan_status status, const char *fmt, ...)
{
    if (w->status != HEAPAN_OK)
        return w->status;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(w->error, sizeof w->error, fmt, ap);
    va_end(ap);
    w->status = status;
    return status;
}

static heapan_status fail_nomem(heapan_writer *w)
{
    return fail(w, HEAPAN_ERR_NOMEM, "out of memory");
}

static int write_all_fd(void *ctx, const void *buf, size_t len)
{
    int fd = *(int *)ctx;
    const char *p = buf;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n == 0)
            errno = EIO;
        if (n <= 0)
            return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Compresses `pending` with the given directive until zstd is done with it. */
static heapan_status compress_pending(heapan_writer *w, ZSTD_EndDirective mode)
{
    ZSTD_inBuffer in = {w->pending.data, w->pending.len, 0};
    for (;;) {
        ZSTD_outBuffer out = {w->out, w->out_cap, 0};
        size_t left = ZSTD_compressStream2(w->cctx, &out, &in, mode);
        if (ZSTD_isError(left))
            return fail(w, HEAPAN_ERR_IO, "zstd: %s", ZSTD_getErrorName(left));
        if (out.pos && w->sink(w->sink_ctx, w->out, out.pos) < 0) {
            w->io_errno = errno;
            return fail(w, HEAPAN_ERR_IO, "write failed: %s", strerror(errno));
        }
        w->counts.bytes_written += out.pos;
        int finished = mode == ZSTD_e_continue ? in.pos == in.size : left == 0;
        if (finished)
            break;
    }
    w->pending.len = 0;
    return HEAPAN_OK;
}

/* Counts a record just added to `pending`, and compresses when it is time. */
static heapan_status record_queued(heapan_writer *w, size_t len)
{
    w->since_flush += len;
    if (w->since_flush >= w->flush_interval) {
        w->since_flush = 0;
        return compress_pending(w, ZSTD_e_flush);
    }
    if (w->pending.len >= COMPRESS_BATCH)
        return compress_pending(w, ZSTD_e_continue);
    return HEAPAN_OK;
}

static heapan_status limit_exceeded(heapan_writer *w, unsigned tag, size_t len)
{
    return fail(w, HEAPAN_ERR_LIMIT, "%s record of %zu bytes exceeds the %u-byte limit",
                heapan_record_kind_name(tag), len, HEAPAN_MAX_RECORD_SIZE);
}

/*
 * A record is encoded straight into `pending`, after room for its tag and
 * for its length as long as `expected` would need.  close_record() moves
 * the payload in the rare case its real length needs another size.
 */
static bytebuf *open_record(heapan_writer *w, size_t expected)
{
    size_t room = 1 + varint_size(expected);
    w->record_head = w->pending.len;
    w->record_start = w->record_head + room;
    if (bytebuf_reserve(&w->pending, room) < 0)
        return NULL;
    w->pending.len += room;
    return &w->pending;
}

/* Finishes the open record; `encoded` < 0 means its encoding ran out of memory. */
static heapan_status close_record(heapan_writer *w, unsigned tag, int encoded)
{
    bytebuf *b = &w->pending;
    size_t head = w->record_head, start = w->record_start, len = b->len - start;
    if (encoded < 0 || len > HEAPAN_MAX_RECORD_SIZE) {
        b->len = head;
        return encoded < 0 ? fail_nomem(w) : limit_exceeded(w, tag, len);
    }
    size_t payload_at = head + 1 + varint_size(len);
    if (payload_at != start) {
        if (payload_at > start && bytebuf_reserve(b, payload_at - start) < 0) {
            b->len = head;
            return fail_nomem(w);
        }
        memmove(b->data + payload_at, b->data + start, len);
    }
    b->data[head] = (uint8_t)tag;
    b->len = head + 1;
    bytebuf_put_varint_unchecked(b, len);
    b->len += len;
    return record_queued(w, len);
}

/* Queues a record whose payload is `head` then `body`, already encoded. */
static heapan_status queue_record(heapan_writer *w, unsigned tag, const uint8_t *head,
                                  size_t head_len, const uint8_t *body, size_t body_len)
{
    size_t len = head_len + body_len;
    if (len > HEAPAN_MAX_RECORD_SIZE) /* refused before it is copied */
        return limit_exceeded(w, tag, len);
    bytebuf *b = open_record(w, len);
    int encoded = b && bytebuf_put(b, head, head_len) == 0 && bytebuf_put(b, body, body_len) == 0
                      ? 0
                      : -1;
    return close_record(w, tag, encoded);
}

static heapan_status close_ref_group(heapan_writer *w)
{
    if (!w->refs_count)
        return HEAPAN_OK;
    uint8_t head[2 * HEAPAN_VARINT_MAX];
    size_t head_len = varint_put(head, w->refs_from);
    head_len += varint_put(head + head_len, w->refs_count);
    heapan_status st =
        queue_record(w, HEAPAN_REC_REF, head, head_len, w->refs.data, w->refs.len);
    w->refs.len = 0;
    w->refs_count = 0;
    return st;
}

/* Checks the writer may take a record now; every emitting call starts here. */
static heapan_status ready(heapan_writer *w)
{
    if (!w)
        return HEAPAN_ERR_INVALID;
    if (w->status != HEAPAN_OK)
        return w->status;
    if (w->closed)
        return fail(w, HEAPAN_ERR_INVALID, "the writer is closed");
    if (!w->header_written)
        return fail(w, HEAPAN_ERR_INVALID, "a record was written before the header");
    return close_ref_group(w);
}

static heapan_status emit_payload(heapan_writer *w, unsigned tag)
{
    return queue_record(w, tag, NULL, 0, w->payload.data, w->payload.len);
}

/* Appends varints to the payload; fails only when memory runs out. */
static int put_varints(bytebuf *b, const uint64_t *values, size_t n)
{
    if (bytebuf_reserve(b, n * HEAPAN_VARINT_MAX) < 0)
        return -1;
    for (size_t i = 0; i < n; i++)
        bytebuf_put_varint_unchecked(b, values[i]);
    return 0;
}

static int check_id(heapan_writer *w, const char *what, uint64_t id, uint64_t defined)
{
    if (id <= defined)
        return 0;
    fail(w, HEAPAN_ERR_INVALID, "%s id %llu is not defined", what,
         (unsigned long long)id);
    return -1;
}

static heapan_status open_common(heapan_writer *w, const heapan_writer_options *o)
{
    int threaded = o && o->workers > 0;
    /* A flush waits for the worker, so a threaded writer flushes less often. */
    size_t default_interval = threaded ? THREADED_FLUSH_INTERVAL : DEFAULT_FLUSH_INTERVAL;
    w->flush_interval = o && o->flush_interval ? o->flush_interval : default_interval;
    w->cctx = ZSTD_createCCtx();
    w->out_cap = ZSTD_CStreamOutSize();
    w->out = malloc(w->out_cap);
    if (!w->cctx || !w->out)
        return HEAPAN_ERR_NOMEM;
    int level = o && o->level ? o->level : DEFAULT_LEVEL;
    if (ZSTD_isError(ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_compressionLevel, level)) ||
        ZSTD_isError(ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_checksumFlag, 1)))
        return HEAPAN_ERR_INVALID;
    /*
     * A libzstd built without threads refuses; the writer then compresses
     * inline.  Small jobs keep the worker close behind, so a flush and the
     * close wait for 1 MiB rather than a level's default 8; each job reads
     * a whole window of the one before, so the ratio holds.
     */
    if (threaded && !ZSTD_isError(ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_nbWorkers, o->workers))) {
        ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_jobSize, THREADED_JOB_SIZE);
        ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_overlapLog, 9);
    }
    uint8_t version[2 * HEAPAN_VARINT_MAX];
    size_t n = varint_put(version, HEAPAN_FORMAT_MAJOR);
    n += varint_put(version + n, HEAPAN_FORMAT_MINOR);
    if (bytebuf_put(&w->pending, HEAPAN_MAGIC, HEAPAN_MAGIC_LEN) < 0 ||
        bytebuf_put(&w->pending, version, n) < 0)
        return HEAPAN_ERR_NOMEM;
    return HEAPAN_OK;
}

static void free_writer(heapan_writer *w)
{
    if (!w)
        return;
    if (w->fd >= 0)
        close(w->fd);
    if (w->temp)
        unlink(w->temp); /* never renamed into place: the dump failed */
    free(w->temp), free(w->path);
    ZSTD_freeCCtx(w->cctx);
    bytebuf_release(&w->pending);
    bytebuf_release(&w->payload);
    bytebuf_release(&w->refs);
    intern_release(&w->interned);
    free(w->out);
    free(w);
}

heapan_status heapan_writer_open_sink(heapan_writer **out, heapan_sink_fn sink,
                                      void *ctx, const heapan_writer_options *options)
{
    if (!out)
        return HEAPAN_ERR_INVALID;
    *out = NULL;
    if (!sink)
        return HEAPAN_ERR_INVALID;
    heapan_writer *w = calloc(1, sizeof *w);
    if (!w)
        return HEAPAN_ERR_NOMEM;
    w->fd = -1;
    w->sink = sink;
    w->sink_ctx = ctx;
    heapan_status st = open_common(w, options);
    if (st != HEAPAN_OK) {
        free_writer(w);
        return st;
    }
    *out = w;
    return HEAPAN_OK;
}

/*
 * Opens the file a dump is written to, owner-only (a dump holds the
 * process's data, secrets included) whatever mode a file there had.  A
 * symbolic link is refused (ELOOP): it could aim the dump at any file the
 * process may write.  A regular file, or none, is written as a temporary
 * file beside it, renamed over it at close; with `direct`, or for a FIFO
 * or a device, which cannot be renamed over, the path itself is written.
 */
static int open_target(const char *path, int direct, char **temp)
{
    struct stat st;
    int exists = lstat(path, &st) == 0;
    if (exists && S_ISLNK(st.st_mode)) {
        errno = ELOOP;
        return -1;
    }
    *temp = NULL;
    if (direct || (exists && !S_ISREG(st.st_mode))) {
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && fchmod(fd, 0600) < 0) {
            int saved = errno;
            close(fd);
            errno = saved;
            return -1;
        }
        return fd;
    }
    const char *slash = strrchr(path, '/');
    size_t dir = slash ? (size_t)(slash - path) + 1 : 0;
    char *name = malloc(strlen(path) + 16);
    if (!name) {
        errno = ENOMEM;
        return -1;
    }
    memcpy(name, path, dir);
    snprintf(name + dir, strlen(path) + 16 - dir, ".%s.XXXXXX", path + dir);
    int fd = mkstemp(name); /* mode 0600 */
    if (fd < 0) {
        int saved = errno;
        free(name);
        errno = saved;
        return -1;
    }
    fcntl(fd, F_SETFD, FD_CLOEXEC);
    *temp = name;
    return fd;
}

heapan_status heapan_writer_open(heapan_writer **out, const char *path,
                                 const heapan_writer_options *options)
{
    if (!out || !path)
        return HEAPAN_ERR_INVALID;
    *out = NULL;
    char *temp, *copy = strdup(path);
    int fd = copy ? open_target(path, options && options->direct, &temp) : -1;
    if (fd < 0) {
        int saved = copy ? errno : ENOMEM;
        free(copy);
        errno = saved;
        return saved == ENOMEM ? HEAPAN_ERR_NOMEM : HEAPAN_ERR_IO;
    }
    heapan_writer *w;
    heapan_status st = heapan_writer_open_sink(&w, write_all_fd, NULL, options);
    if (st != HEAPAN_OK) {
        close(fd);
        if (temp)
            unlink(temp);
        free(temp), free(copy);
        return st;
    }
    w->fd = fd;
    w->sink_ctx = &w->fd;
    w->path = copy;
    w->temp = temp;
    *out = w;
    return HEAPAN_OK;
}

int heapan_writer_errno(const heapan_writer *w)
{
    return w ? w->io_errno : 0;
}

static int put_string_field(bytebuf *b, const char *s)
{
    return bytebuf_put_bytes_with_length(b, s ? s : "", s ? strlen(s) : 0);
}

heapan_status heapan_writer_header(heapan_writer *w, const heapan_header *h)
{
    if (!w || !h)
        return HEAPAN_ERR_INVALID;
    if (w->status != HEAPAN_OK)
        return w->status;
    if (w->header_written)
        return fail(w, HEAPAN_ERR_INVALID, "the header was already written");
    bytebuf *b = &w->payload;
    b->len = 0;
    uint64_t head[] = {h->content, h->flags};
    uint64_t tail[] = {h->pid, zigzag_encode(h->time_us), h->pointer_size,
                       h->sample_bytes, h->argc};
    int bad = put_varints(b, head, 2) < 0 || put_string_field(b, h->producer) < 0 ||
              put_string_field(b, h->producer_version) < 0 ||
              put_string_field(b, h->runtime) < 0 ||
              put_string_field(b, h->runtime_version) < 0 || put_varints(b, tail, 5) < 0;
    for (size_t i = 0; !bad && i < h->argc; i++)
        bad = put_string_field(b, h->argv ? h->argv[i] : NULL) < 0;
    if (bad)
        return fail_nomem(w);
    w->header_written = 1;
    return emit_payload(w, HEAPAN_REC_HEADER);
}

/*
 * Returns the id of the record now in `payload` if it was written before,
 * or writes it under the next id of its kind.  Returns 0 on failure.
 */
static uint32_t intern_payload(heapan_writer *w, unsigned tag, uint64_t *count)
{
    uint32_t id = intern_find(&w->interned, tag, w->payload.data, w->payload.len);
    if (id)
        return id;
    if (*count >= UINT32_MAX) {
        fail(w, HEAPAN_ERR_LIMIT, "more than %u %s records", UINT32_MAX,
             heapan_record_kind_name(tag));
        return 0;
    }
    if (intern_add(&w->interned, tag, w->payload.data, w->payload.len,
                   (uint32_t)(*count + 1)) < 0) {
        fail_nomem(w);
        return 0;
    }
    if (emit_payload(w, tag) != HEAPAN_OK)
        return 0;
    return (uint32_t)++*count;
}

uint32_t heapan_writer_string(heapan_writer *w, const char *s, size_t len)
{
    if (ready(w) != HEAPAN_OK)
        return 0;
    if (!s && len) {
        fail(w, HEAPAN_ERR_INVALID, "string pointer is NULL");
        return 0;
    }
    w->payload.len = 0;
    if (bytebuf_put(&w->payload, s, len) < 0) {
        fail_nomem(w);
        return 0;
    }
    return intern_payload(w, HEAPAN_REC_STRING, &w->counts.strings);
}

uint32_t heapan_writer_type(heapan_writer *w, const heapan_type *t)
{
    if (ready(w) != HEAPAN_OK)
        return 0;
    if (!t || !t->name) {
        fail(w, HEAPAN_ERR_INVALID, "a type needs a name");
        return 0;
    }
    if (check_id(w, "string", t->name, w->counts.strings) < 0 ||
        check_id(w, "string", t->module, w->counts.strings) < 0)
        return 0;
    uint64_t fields[] = {t->name,       t->module,     t->flags,        t->address,
                         t->basic_size, t->pre_header, t->inline_values};
    w->payload.len = 0;
    if (put_varints(&w->payload, fields, 7) < 0) {
        fail_nomem(w);
        return 0;
    }
    return intern_payload(w, HEAPAN_REC_TYPE, &w->counts.types);
}

uint32_t heapan_writer_frame(heapan_writer *w, uint32_t file, uint32_t function,
                             uint32_t line)
{
    if (ready(w) != HEAPAN_OK)
        return 0;
    if (check_id(w, "string", file, w->counts.strings) < 0 ||
        check_id(w, "string", function, w->counts.strings) < 0)
        return 0;
    uint64_t fields[] = {file, function, line};
    w->payload.len = 0;
    if (put_varints(&w->payload, fields, 3) < 0) {
        fail_nomem(w);
        return 0;
    }
    return intern_payload(w, HEAPAN_REC_FRAME, &w->counts.frames);
}

uint32_t heapan_writer_stack(heapan_writer *w, uint32_t parent, uint32_t frame)
{
    if (ready(w) != HEAPAN_OK)
        return 0;
    if (!frame) {
        fail(w, HEAPAN_ERR_INVALID, "a stack needs a frame");
        return 0;
    }
    if (check_id(w, "stack", parent, w->counts.stacks) < 0 ||
        check_id(w, "frame", frame, w->counts.frames) < 0)
        return 0;
    uint64_t fields[] = {parent, frame};
    w->payload.len = 0;
    if (put_varints(&w->payload, fields, 2) < 0) {
        fail_nomem(w);
        return 0;
    }
    return intern_payload(w, HEAPAN_REC_STACK, &w->counts.stacks);
}

uint32_t heapan_writer_shape(heapan_writer *w, const uint32_t *names, size_t count)
{
    if (ready(w) != HEAPAN_OK)
        return 0;
    if (!names && count) {
        fail(w, HEAPAN_ERR_INVALID, "shape names are NULL");
        return 0;
    }
    w->payload.len = 0;
    if (bytebuf_put_varint(&w->payload, count) < 0) {
        fail_nomem(w);
        return 0;
    }
    for (size_t i = 0; i < count; i++) {
        if (!names[i] || check_id(w, "string", names[i], w->counts.strings) < 0) {
            fail(w, HEAPAN_ERR_INVALID, "shape name %zu is not a defined string", i);
            return 0;
        }
        if (bytebuf_put_varint(&w->payload, names[i]) < 0) {
            fail_nomem(w);
            return 0;
        }
    }
    return intern_payload(w, HEAPAN_REC_SHAPE, &w->counts.shapes);
}

/* A value is its kind, then a length-prefixed body, so readers can skip new kinds. */
static int put_value(bytebuf *b, heapan_value_kind kind, int64_t i, double f, const void *data,
                     size_t len)
{
    uint8_t body[HEAPAN_VARINT_MAX];
    switch (kind) {
    case HEAPAN_VALUE_INT:
    case HEAPAN_VALUE_BOOL:
        len = varint_put(body, zigzag_encode(i));
        data = body;
        break;
    case HEAPAN_VALUE_FLOAT: {
        uint64_t bits;
        memcpy(&bits, &f, sizeof bits);
        for (len = 0; len < 8; len++)
            body[len] = (uint8_t)(bits >> (8 * len));
        data = body;
        break;
    }
    case HEAPAN_VALUE_TEXT:
    case HEAPAN_VALUE_BYTES:
        break;
    default:
        return bytebuf_put_varint(b, HEAPAN_VALUE_NONE);
    }
    if (bytebuf_put_varint(b, kind) < 0)
        return -1;
    return bytebuf_put_bytes_with_length(b, data, len);
}

static heapan_status check_object(heapan_writer *w, const heapan_object *o)
{
    if (!o->address)
        return fail(w, HEAPAN_ERR_INVALID, "an object needs a non-zero address");
    if (!o->type)
        return fail(w, HEAPAN_ERR_INVALID, "object 0x%llx has no type",
                    (unsigned long long)o->address);
    if ((unsigned)o->value_kind > HEAPAN_VALUE_BOOL)
        return fail(w, HEAPAN_ERR_INVALID, "object 0x%llx: unknown value kind %u",
                    (unsigned long long)o->address, (unsigned)o->value_kind);
    int is_prefix = o->value_kind == HEAPAN_VALUE_TEXT || o->value_kind == HEAPAN_VALUE_BYTES;
    if (is_prefix && o->len > HEAPAN_MAX_VALUE_PREFIX)
        return fail(w, HEAPAN_ERR_LIMIT, "object 0x%llx: value prefix of %zu bytes exceeds %u",
                    (unsigned long long)o->address, o->len, HEAPAN_MAX_VALUE_PREFIX);
    if (is_prefix && o->len && !o->data)
        return fail(w, HEAPAN_ERR_INVALID, "object 0x%llx: value data is NULL",
                    (unsigned long long)o->address);
    if (check_id(w, "type", o->type, w->counts.types) < 0 ||
        check_id(w, "stack", o->stack, w->counts.stacks) < 0 ||
        check_id(w, "shape", o->shape, w->counts.shapes) < 0)
        return w->status;
    return HEAPAN_OK;
}

heapan_status heapan_writer_object(heapan_writer *w, const heapan_object *o)
{
    heapan_status st = ready(w);
    if (st != HEAPAN_OK)
        return st;
    if (!o)
        return fail(w, HEAPAN_ERR_INVALID, "object is NULL");
    if ((st = check_object(w, o)) != HEAPAN_OK)
        return st;
    uint64_t fields[] = {o->address, o->type, o->flags, o->size, o->refcount,
                         o->length, o->stack, o->shape};
    bytebuf *b = open_record(w, 0);
    int encoded = b && put_varints(b, fields, 8) == 0 &&
                          put_value(b, o->value_kind, o->i, o->f, o->data, o->len) == 0 &&
                          (!(o->flags & HEAPAN_OBJ_HAS_HASH) || bytebuf_put_u64le(b, o->value_hash) == 0)
                      ? 0
                      : -1;
    if ((st = close_record(w, HEAPAN_REC_OBJECT, encoded)) == HEAPAN_OK)
        w->counts.objects++;
    return st;
}

heapan_status heapan_writer_ref(heapan_writer *w, const heapan_ref *r)
{
    if (!w || !r)
        return HEAPAN_ERR_INVALID;
    if (w->status != HEAPAN_OK)
        return w->status;
    if (!w->header_written)
        return fail(w, HEAPAN_ERR_INVALID, "a record was written before the header");
    if (!r->from || !r->to)
        return fail(w, HEAPAN_ERR_INVALID, "a reference needs non-zero addresses");
    unsigned payload = label_payload_of(r->label_kind);
    if (payload == PAYLOAD_STRING && check_id(w, "string", r->label, w->counts.strings) < 0)
        return w->status;
    if (w->refs_count && (w->refs_from != r->from ||
                          w->refs.len + MAX_REF_ENTRY + REFS_HEADROOM > HEAPAN_MAX_RECORD_SIZE)) {
        heapan_status st = close_ref_group(w);
        if (st != HEAPAN_OK)
            return st;
    }
    if (bytebuf_reserve(&w->refs, MAX_REF_ENTRY) < 0)
        return fail_nomem(w);
    uint64_t descriptor = ((uint64_t)r->label_kind << 3) | (r->weak ? 4u : 0u) | payload;
    bytebuf_put_varint_unchecked(&w->refs, r->to);
    bytebuf_put_varint_unchecked(&w->refs, descriptor);
    if (payload == PAYLOAD_STRING)
        bytebuf_put_varint_unchecked(&w->refs, r->label);
    else if (payload == PAYLOAD_NUMBER)
        bytebuf_put_varint_unchecked(&w->refs, zigzag_encode(r->label_number));
    w->refs_from = r->from;
    w->refs_count++;
    w->counts.refs++;
    return HEAPAN_OK;
}

/* Fields of a plain record at most: their payload's length then fits one byte. */
#define SMALL_RECORD_FIELDS 12

/*
 * Writes a record of plain varint fields; `counter` is bumped on success.
 * A trace writes millions a second: the record goes into `pending` whole,
 * its length known before, with no second pass.
 */
static heapan_status emit_fields(heapan_writer *w, unsigned tag, const uint64_t *fields,
                                 size_t n, uint64_t *counter)
{
    heapan_status st = ready(w);
    if (st != HEAPAN_OK)
        return st;
    uint8_t payload[SMALL_RECORD_FIELDS * HEAPAN_VARINT_MAX];
    size_t len = 0;
    for (size_t i = 0; i < n && i < SMALL_RECORD_FIELDS; i++)
        len += varint_put(payload + len, fields[i]);
    if (bytebuf_reserve(&w->pending, len + 2) < 0)
        return fail_nomem(w);
    uint8_t *at = w->pending.data + w->pending.len;
    at[0] = (uint8_t)tag;
    at[1] = (uint8_t)len;  /* under 128: one byte of varint */
    memcpy(at + 2, payload, len);
    w->pending.len += len + 2;
    ++*counter;
    return record_queued(w, len);
}

heapan_status heapan_writer_root(heapan_writer *w, const heapan_root *r)
{
    if (!w || !r)
        return HEAPAN_ERR_INVALID;
    if (!r->object)
        return fail(w, HEAPAN_ERR_INVALID, "a root needs a non-zero address");
    if (check_id(w, "string", r->label, w->counts.strings) < 0)
        return w->status;
    uint64_t fields[] = {r->object, r->kind, r->label};
    return emit_fields(w, HEAPAN_REC_ROOT, fields, 3, &w->counts.roots);
}

heapan_status heapan_writer_property(heapan_writer *w, const heapan_property *p)
{
    heapan_status st = ready(w);
    if (st != HEAPAN_OK)
        return st;
    if (!p)
        return fail(w, HEAPAN_ERR_INVALID, "property is NULL");
    if (!p->key || check_id(w, "string", p->key, w->counts.strings) < 0)
        return fail(w, HEAPAN_ERR_INVALID, "a property needs a key string");
    if ((unsigned)p->value_kind > HEAPAN_VALUE_BOOL)
        return fail(w, HEAPAN_ERR_INVALID, "property: unknown value kind %u",
                    (unsigned)p->value_kind);
    int is_text = p->value_kind == HEAPAN_VALUE_TEXT || p->value_kind == HEAPAN_VALUE_BYTES;
    if (is_text && p->len > HEAPAN_MAX_PROPERTY_VALUE)
        return fail(w, HEAPAN_ERR_LIMIT, "property value of %zu bytes exceeds %u", p->len,
                    HEAPAN_MAX_PROPERTY_VALUE);
    if (is_text && p->len && !p->data)
        return fail(w, HEAPAN_ERR_INVALID, "property value data is NULL");
    uint64_t fields[] = {p->object, p->key};
    bytebuf *b = open_record(w, 0);
    int encoded = b && put_varints(b, fields, 2) == 0 &&
                          put_value(b, p->value_kind, p->i, p->f, p->data, p->len) == 0
                      ? 0
                      : -1;
    if ((st = close_record(w, HEAPAN_REC_PROPERTY, encoded)) == HEAPAN_OK)
        w->counts.properties++;
    return st;
}

heapan_status heapan_writer_alloc_event(heapan_writer *w, const heapan_alloc *a)
{
    if (!w || !a)
        return HEAPAN_ERR_INVALID;
    if (check_id(w, "stack", a->stack, w->counts.stacks) < 0)
        return w->status;
    uint64_t fields[] = {a->time_us, a->address, a->size, a->stack, a->thread};
    return emit_fields(w, HEAPAN_REC_ALLOC, fields, 5, &w->counts.allocs);
}

heapan_status heapan_writer_free_event(heapan_writer *w, const heapan_free *f)
{
    if (!w || !f)
        return HEAPAN_ERR_INVALID;
    uint64_t fields[] = {f->time_us, f->address};
    return emit_fields(w, HEAPAN_REC_FREE, fields, 2, &w->counts.frees);
}

heapan_status heapan_writer_reuse_event(heapan_writer *w, const heapan_reuse *u)
{
    if (!w || !u)
        return HEAPAN_ERR_INVALID;
    if (check_id(w, "stack", u->stack, w->counts.stacks) < 0)
        return w->status;
    uint64_t fields[] = {u->time_us, u->address, u->stack};
    return emit_fields(w, HEAPAN_REC_REUSE, fields, 3, &w->counts.reuses);
}

heapan_status heapan_writer_sample(heapan_writer *w, const heapan_sample *s)
{
    if (!w || !s)
        return HEAPAN_ERR_INVALID;
    uint64_t fields[] = {s->time_us, s->rss, s->traced_bytes};
    return emit_fields(w, HEAPAN_REC_SAMPLE, fields, 3, &w->counts.samples);
}

heapan_status heapan_writer_flush(heapan_writer *w)
{
    heapan_status st = ready(w);
    if (st != HEAPAN_OK)
        return st;
    w->since_flush = 0;
    return compress_pending(w, ZSTD_e_flush);
}

static heapan_status finish(heapan_writer *w)
{
    heapan_counts c = w->counts;
    uint64_t fields[] = {c.strings, c.types, c.frames, c.stacks, c.shapes, c.objects,
                         c.refs, c.roots, c.allocs, c.frees, c.samples, c.properties};
    uint64_t ends = 0;
    heapan_status st = emit_fields(w, HEAPAN_REC_END, fields, 12, &ends);
    if (st != HEAPAN_OK)
        return st;
    if ((st = compress_pending(w, ZSTD_e_end)) != HEAPAN_OK)
        return st;
    if (w->fd >= 0) {
        int fd = w->fd;
        w->fd = -1;
        if (close(fd) < 0) {
            w->io_errno = errno;
            return fail(w, HEAPAN_ERR_IO, "close failed: %s", strerror(errno));
        }
    }
    if (w->temp) {
        if (rename(w->temp, w->path) < 0) {
            w->io_errno = errno;
            return fail(w, HEAPAN_ERR_IO, "cannot rename %s into place: %s", w->temp,
                        strerror(errno));
        }
        free(w->temp);
        w->temp = NULL;
    }
    return HEAPAN_OK;
}

heapan_status heapan_writer_close(heapan_writer *w, heapan_counts *counts)
{
    if (!w)
        return HEAPAN_ERR_INVALID;
    heapan_status st = w->closed ? fail(w, HEAPAN_ERR_INVALID, "the writer is closed")
                                 : finish(w);
    w->closed = 1;
    if (counts)
        *counts = w->counts;
    return st;
}

void heapan_writer_free(heapan_writer *w)
{
    free_writer(w);
}

const char *heapan_writer_error(const heapan_writer *w)
{
    return w ? w->error : "";
}
