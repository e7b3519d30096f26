/*
 * reader.c: decompresses a heapan stream through a window of decoded
 * bytes and decodes it one record at a time, checking every field.
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

#define WINDOW_INITIAL (256u * 1024u)
#define RECORD_HEAD_MAX (2 * HEAPAN_VARINT_MAX)

typedef struct memory_source {
    const uint8_t *data;
    size_t len, pos;
} memory_source;

/* Strings live in chunks that never move, so pointers to them stay valid. */
typedef struct string_chunk {
    struct string_chunk *next;
    size_t used, cap;
    char bytes[];
} string_chunk;

typedef struct string_entry {
    const char *data;
    size_t len;
} string_entry;

#define STRING_CHUNK_SIZE (256u * 1024u)

struct heapan_reader {
    heapan_source_fn source;
    void *source_ctx;
    int fd;
    int owns_fd;
    void (*release_source)(void *ctx); /* the source's, called at close */
    memory_source memory;
    ZSTD_DCtx *dctx;
    uint8_t *in;               /* compressed input */
    size_t in_cap, in_len, in_pos;
    int input_ended;
    size_t frame_left;         /* zstd's last hint: 0 at a frame boundary */
    uint8_t *window;           /* decompressed bytes [start, end) not yet decoded */
    size_t window_cap, start, end;
    uint64_t consumed;         /* decompressed offset of window[start] */
    uint64_t record_offset;    /* offset of the record being decoded */
    unsigned record_kind;
    unsigned major, minor;
    heapan_header header;
    bytebuf header_text;
    const char **argv;
    string_chunk *chunks;      /* the strings' bytes; they never move */
    string_entry *string_table;  /* by id; [0] unused */
    size_t string_table_cap;
    uint32_t *shape_names;
    size_t shape_names_cap;
    const uint8_t *refs_next, *refs_end;  /* entries left in the open REFS record */
    uint64_t refs_from, refs_left;
    heapan_counts counts;
    uint64_t skipped;
    int ended;
    heapan_status status;
    char error[256];
};

HEAPAN_PRINTF(3, 4)
static heapan_status fail(heapan_reader *r, heapan_status status, const char *fmt, ...)
{
    if (r->status != HEAPAN_OK)
        return r->status;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->error, sizeof r->error, fmt, ap);
    va_end(ap);
    r->status = status;
    return status;
}

HEAPAN_PRINTF(2, 3)
static heapan_status corrupt(heapan_reader *r, const char *fmt, ...)
{
    char detail[192];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    if (r->record_kind == 0)
        return fail(r, HEAPAN_ERR_CORRUPT, "corrupt record head at offset %llu: %s",
                    (unsigned long long)r->record_offset, detail);
    return fail(r, HEAPAN_ERR_CORRUPT, "corrupt %s record at offset %llu: %s",
                heapan_record_kind_name(r->record_kind),
                (unsigned long long)r->record_offset, detail);
}

static heapan_status truncated(heapan_reader *r)
{
    const char *where = r->frame_left ? "the compressed stream stops mid-frame"
                                      : "the stream ends without an END record";
    if (r->header.content == HEAPAN_CONTENT_TRACE)
        return fail(r, HEAPAN_ERR_TRUNCATED, "truncated after %llu allocations and %llu frees (%s)",
                    (unsigned long long)r->counts.allocs, (unsigned long long)r->counts.frees,
                    where);
    return fail(r, HEAPAN_ERR_TRUNCATED,
                "truncated after %llu objects and %llu references (%s)",
                (unsigned long long)r->counts.objects,
                (unsigned long long)r->counts.refs, where);
}

/* ---- input ------------------------------------------------------------ */

static long read_fd(void *ctx, void *buf, size_t cap)
{
    int fd = *(int *)ctx;
    for (;;) {
        ssize_t n = read(fd, buf, cap);
        if (n >= 0 || errno != EINTR)
            return (long)n;
    }
}

static long read_memory(void *ctx, void *buf, size_t cap)
{
    memory_source *m = ctx;
    size_t n = m->len - m->pos < cap ? m->len - m->pos : cap;
    memcpy(buf, m->data + m->pos, n);
    m->pos += n;
    return (long)n;
}

/* Reads more compressed bytes; 0 on success or end of input, -1 on error. */
static int read_input(heapan_reader *r)
{
    if (r->in_pos == r->in_len)
        r->in_pos = r->in_len = 0;
    if (r->in_len == r->in_cap)
        return 0;
    long n = r->source(r->source_ctx, r->in + r->in_len, r->in_cap - r->in_len);
    if (n < 0) {
        fail(r, HEAPAN_ERR_IO, "read failed: %s", strerror(errno));
        return -1;
    }
    if (n == 0)
        r->input_ended = 1;
    r->in_len += (size_t)n;
    return 0;
}

/* Makes the window able to hold `need` bytes from `start`. */
static int make_room(heapan_reader *r, size_t need)
{
    if (r->start > 0 && r->window_cap - r->start < need + ZSTD_BLOCKSIZE_MAX) {
        memmove(r->window, r->window + r->start, r->end - r->start);
        r->end -= r->start;
        r->start = 0;
    }
    if (r->window_cap - r->start >= need + ZSTD_BLOCKSIZE_MAX)
        return 0;
    size_t cap = r->window_cap;
    while (cap < need + ZSTD_BLOCKSIZE_MAX)
        cap *= 2;
    uint8_t *window = realloc(r->window, cap);
    if (!window) {
        fail(r, HEAPAN_ERR_NOMEM, "out of memory");
        return -1;
    }
    r->window = window;
    r->window_cap = cap;
    return 0;
}

/* Decompresses some input; returns 1 when nothing more can come, -1 on error. */
static int pump(heapan_reader *r)
{
    if (r->in_pos == r->in_len && !r->input_ended && read_input(r) < 0)
        return -1;
    ZSTD_inBuffer in = {r->in, r->in_len, r->in_pos};
    ZSTD_outBuffer out = {r->window, r->window_cap, r->end};
    size_t hint = ZSTD_decompressStream(r->dctx, &out, &in);
    if (ZSTD_isError(hint)) {
        fail(r, HEAPAN_ERR_CORRUPT, "zstd data is corrupt after %llu objects: %s",
             (unsigned long long)r->counts.objects, ZSTD_getErrorName(hint));
        return -1;
    }
    int progressed = in.pos != r->in_pos || out.pos != r->end;
    /* Called again at a frame's end with no input, zstd hints at the next frame. */
    if (progressed)
        r->frame_left = hint;
    r->in_pos = in.pos;
    r->end = out.pos;
    return !progressed && r->input_ended && r->in_pos == r->in_len;
}

/* Ensures `need` decoded bytes at window[start]: 0 yes, 1 input ended first, -1 error. */
static int fill(heapan_reader *r, size_t need)
{
    while (r->end - r->start < need) {
        if (make_room(r, need) < 0)
            return -1;
        int st = pump(r);
        if (st != 0)
            return st;
    }
    return 0;
}

static void consume(heapan_reader *r, size_t n)
{
    r->start += n;
    r->consumed += n;
}

/* ---- field decoding ----------------------------------------------------- */

typedef struct cursor {
    const uint8_t *p, *end;
    int bad;
} cursor;

static uint64_t next_varint(cursor *c)
{
    uint64_t v = 0;
    if (!c->bad && varint_get(&c->p, c->end, &v) != 0)
        c->bad = 1;
    return c->bad ? 0 : v;
}

static const uint8_t *next_bytes(cursor *c, size_t *len)
{
    uint64_t n = next_varint(c);
    if (c->bad || n > (uint64_t)(c->end - c->p)) {
        c->bad = 1;
        *len = 0;
        return NULL;
    }
    const uint8_t *bytes = c->p;
    c->p += n;
    *len = (size_t)n;
    return bytes;
}

/* An id field: must be 0 (when `optional`) or already defined. */
static uint32_t next_id(heapan_reader *r, cursor *c, const char *what, uint64_t defined,
                        int optional)
{
    uint64_t id = next_varint(c);
    if (c->bad)
        return 0;
    if ((id == 0 && !optional) || id > defined) {
        corrupt(r, "%s id %llu is not defined", what, (unsigned long long)id);
        c->bad = 2;
        return 0;
    }
    return (uint32_t)id;
}

static heapan_status check_cursor(heapan_reader *r, const cursor *c)
{
    if (c->bad == 1)
        return corrupt(r, "a field is malformed or runs past the record's end");
    return r->status;
}

/* ---- records ------------------------------------------------------------- */

/* Copies `len` bytes plus a NUL into the chunks; NULL when out of memory. */
static const char *store_string(heapan_reader *r, const uint8_t *data, size_t len)
{
    string_chunk *c = r->chunks;
    if (!c || c->cap - c->used < len + 1) {
        size_t cap = len + 1 > STRING_CHUNK_SIZE ? len + 1 : STRING_CHUNK_SIZE;
        c = malloc(sizeof *c + cap);
        if (!c)
            return NULL;
        c->next = r->chunks;
        c->used = 0;
        c->cap = cap;
        r->chunks = c;
    }
    char *copy = c->bytes + c->used;
    if (len)
        memcpy(copy, data, len);
    copy[len] = '\0';
    c->used += len + 1;
    return copy;
}

static heapan_status add_string(heapan_reader *r, const uint8_t *data, size_t len,
                                heapan_record *rec)
{
    uint64_t id = r->counts.strings + 1;
    if (id > UINT32_MAX)
        return fail(r, HEAPAN_ERR_LIMIT, "more than %u strings", UINT32_MAX);
    if (id >= r->string_table_cap) {
        size_t cap = r->string_table_cap ? r->string_table_cap * 2 : 1024;
        string_entry *table = realloc(r->string_table, cap * sizeof *table);
        if (!table)
            return fail(r, HEAPAN_ERR_NOMEM, "out of memory");
        r->string_table = table;
        r->string_table_cap = cap;
    }
    const char *copy = store_string(r, data, len);
    if (!copy)
        return fail(r, HEAPAN_ERR_NOMEM, "out of memory");
    r->string_table[id] = (string_entry){copy, len};
    r->counts.strings = id;
    rec->u.string.id = (uint32_t)id;
    rec->u.string.data = copy;
    rec->u.string.len = len;
    return HEAPAN_OK;
}

static heapan_status decode_type(heapan_reader *r, cursor *c, heapan_record *rec)
{
    heapan_type *t = &rec->u.type;
    t->name = next_id(r, c, "name string", r->counts.strings, 0);
    t->module = next_id(r, c, "module string", r->counts.strings, 1);
    t->flags = (unsigned)next_varint(c);
    t->address = next_varint(c);
    t->basic_size = next_varint(c);
    t->pre_header = t->inline_values = 0;
    if (!c->bad && c->p < c->end) { /* format 1.1 */
        t->pre_header = next_varint(c);
        t->inline_values = next_varint(c);
    }
    if (c->bad)
        return check_cursor(r, c);
    t->id = (uint32_t)++r->counts.types;
    return HEAPAN_OK;
}

static heapan_status decode_frame(heapan_reader *r, cursor *c, heapan_record *rec)
{
    heapan_frame *f = &rec->u.frame;
    f->file = next_id(r, c, "file string", r->counts.strings, 1);
    f->function = next_id(r, c, "function string", r->counts.strings, 1);
    uint64_t line = next_varint(c);
    if (c->bad)
        return check_cursor(r, c);
    f->line = line > UINT32_MAX ? UINT32_MAX : (uint32_t)line;
    f->id = (uint32_t)++r->counts.frames;
    return HEAPAN_OK;
}

static heapan_status decode_stack(heapan_reader *r, cursor *c, heapan_record *rec)
{
    heapan_stack *s = &rec->u.stack;
    s->parent = next_id(r, c, "parent stack", r->counts.stacks, 1);
    s->frame = next_id(r, c, "frame", r->counts.frames, 0);
    if (c->bad)
        return check_cursor(r, c);
    s->id = (uint32_t)++r->counts.stacks;
    return HEAPAN_OK;
}

static heapan_status decode_shape(heapan_reader *r, cursor *c, heapan_record *rec)
{
    uint64_t count = next_varint(c);
    if (!c->bad && count > (uint64_t)(c->end - c->p))
        return corrupt(r, "claims %llu names in %zu bytes", (unsigned long long)count,
                       (size_t)(c->end - c->p));
    if (count > r->shape_names_cap) {
        uint32_t *names = realloc(r->shape_names, count * sizeof *names);
        if (!names)
            return fail(r, HEAPAN_ERR_NOMEM, "out of memory");
        r->shape_names = names;
        r->shape_names_cap = count;
    }
    for (uint64_t i = 0; i < count && !c->bad; i++)
        r->shape_names[i] = next_id(r, c, "name string", r->counts.strings, 0);
    if (c->bad)
        return check_cursor(r, c);
    rec->u.shape = (heapan_shape){(uint32_t)++r->counts.shapes, (size_t)count, r->shape_names};
    return HEAPAN_OK;
}

/* A value as put_value() writes it; a kind from a newer minor version is skipped. */
static void decode_value(cursor *c, heapan_value_kind *kind_out, int64_t *i, double *f,
                         const void **data, size_t *data_len)
{
    uint64_t kind = next_varint(c);
    *kind_out = HEAPAN_VALUE_NONE;
    if (c->bad || kind == HEAPAN_VALUE_NONE)
        return;
    size_t len;
    const uint8_t *body = next_bytes(c, &len);
    if (c->bad)
        return;
    cursor inner = {body, body + len, 0};
    switch (kind) {
    case HEAPAN_VALUE_INT:
    case HEAPAN_VALUE_BOOL:
        *i = zigzag_decode(next_varint(&inner));
        c->bad = inner.bad;
        break;
    case HEAPAN_VALUE_FLOAT: {
        if (len != 8) {
            c->bad = 1;
            return;
        }
        uint64_t bits = u64le_get(body);
        memcpy(f, &bits, sizeof *f);
        break;
    }
    case HEAPAN_VALUE_TEXT:
    case HEAPAN_VALUE_BYTES:
        *data = body;
        *data_len = len;
        break;
    default:
        return;
    }
    *kind_out = (heapan_value_kind)kind;
}

static heapan_status decode_object(heapan_reader *r, cursor *c, heapan_record *rec)
{
    heapan_object *o = &rec->u.object;
    memset(o, 0, sizeof *o);
    o->address = next_varint(c);
    o->type = next_id(r, c, "type", r->counts.types, 0);
    o->flags = (unsigned)next_varint(c);
    o->size = next_varint(c);
    o->refcount = next_varint(c);
    o->length = next_varint(c);
    o->stack = next_id(r, c, "stack", r->counts.stacks, 1);
    o->shape = next_id(r, c, "shape", r->counts.shapes, 1);
    decode_value(c, &o->value_kind, &o->i, &o->f, &o->data, &o->len);
    if ((o->flags & HEAPAN_OBJ_HAS_HASH) && !c->bad) {
        if (c->end - c->p < 8)
            c->bad = 1;
        else
            o->value_hash = u64le_get(c->p);
    }
    if (c->bad)
        return check_cursor(r, c);
    if (!o->address)
        return corrupt(r, "object address is 0");
    r->counts.objects++;
    return HEAPAN_OK;
}

/* Opens a REFS record; its entries are then handed out one per call. */
static heapan_status open_refs(heapan_reader *r, cursor *c)
{
    r->refs_from = next_varint(c);
    r->refs_left = next_varint(c);
    if (c->bad)
        return check_cursor(r, c);
    if (!r->refs_from)
        return corrupt(r, "reference source address is 0");
    /* Each entry takes at least two bytes. */
    if (r->refs_left > (uint64_t)(c->end - c->p) / 2)
        return corrupt(r, "claims %llu references in %zu bytes",
                       (unsigned long long)r->refs_left, (size_t)(c->end - c->p));
    r->refs_next = c->p;
    r->refs_end = c->end;
    return HEAPAN_OK;
}

static heapan_status next_ref(heapan_reader *r, heapan_record *rec)
{
    cursor c = {r->refs_next, r->refs_end, 0};
    heapan_ref *ref = &rec->u.ref;
    memset(ref, 0, sizeof *ref);
    ref->from = r->refs_from;
    ref->to = next_varint(&c);
    uint64_t descriptor = next_varint(&c);
    unsigned payload = descriptor & 3;
    uint64_t kind = descriptor >> 3;
    ref->weak = (descriptor & 4) != 0;
    if (!c.bad && kind <= HEAPAN_LABEL_KIND_MAX && label_payload_of((unsigned)kind) != payload)
        return corrupt(r, "reference label kind %llu with payload type %u",
                       (unsigned long long)kind, payload);
    ref->label_kind = kind <= HEAPAN_LABEL_KIND_MAX ? (heapan_label_kind)kind : HEAPAN_LABEL_NONE;
    if (payload == PAYLOAD_STRING)
        ref->label = next_id(r, &c, "label string", r->counts.strings, 0);
    else if (payload == PAYLOAD_NUMBER)
        ref->label_number = zigzag_decode(next_varint(&c));
    else if (payload != PAYLOAD_NONE)
        return corrupt(r, "reference payload type 3 is reserved");
    if (c.bad)
        return check_cursor(r, &c);
    if (!ref->to)
        return corrupt(r, "reference target address is 0");
    if (kind > HEAPAN_LABEL_KIND_MAX)
        ref->label = 0;
    r->refs_next = c.p;
    r->refs_left--;
    r->counts.refs++;
    rec->kind = HEAPAN_REC_REF;
    return HEAPAN_OK;
}

static heapan_status decode_root(heapan_reader *r, cursor *c, heapan_record *rec)
{
    heapan_root *root = &rec->u.root;
    root->object = next_varint(c);
    root->kind = (unsigned)next_varint(c);
    root->label = next_id(r, c, "label string", r->counts.strings, 1);
    if (c->bad)
        return check_cursor(r, c);
    if (!root->object)
        return corrupt(r, "root address is 0");
    r->counts.roots++;
    return HEAPAN_OK;
}

static heapan_status decode_property(heapan_reader *r, cursor *c, heapan_record *rec)
{
    heapan_property *p = &rec->u.property;
    memset(p, 0, sizeof *p);
    p->object = next_varint(c);
    p->key = next_id(r, c, "key string", r->counts.strings, 0);
    decode_value(c, &p->value_kind, &p->i, &p->f, &p->data, &p->len);
    if (c->bad)
        return check_cursor(r, c);
    r->counts.properties++;
    return HEAPAN_OK;
}

static heapan_status decode_event(heapan_reader *r, cursor *c, heapan_record *rec)
{
    if (rec->kind == HEAPAN_REC_ALLOC) {
        heapan_alloc *a = &rec->u.alloc;
        a->time_us = next_varint(c);
        a->address = next_varint(c);
        a->size = next_varint(c);
        a->stack = next_id(r, c, "stack", r->counts.stacks, 1);
        a->thread = next_varint(c);
    } else if (rec->kind == HEAPAN_REC_FREE) {
        rec->u.free.time_us = next_varint(c);
        rec->u.free.address = next_varint(c);
    } else if (rec->kind == HEAPAN_REC_REUSE) {
        rec->u.reuse.time_us = next_varint(c);
        rec->u.reuse.address = next_varint(c);
        rec->u.reuse.stack = next_id(r, c, "stack", r->counts.stacks, 1);
    } else {
        rec->u.sample.time_us = next_varint(c);
        rec->u.sample.rss = next_varint(c);
        rec->u.sample.traced_bytes = next_varint(c);
    }
    if (c->bad)
        return check_cursor(r, c);
    uint64_t *counter = rec->kind == HEAPAN_REC_ALLOC   ? &r->counts.allocs
                        : rec->kind == HEAPAN_REC_FREE  ? &r->counts.frees
                        : rec->kind == HEAPAN_REC_REUSE ? &r->counts.reuses
                                                        : &r->counts.samples;
    ++*counter;
    return HEAPAN_OK;
}

/*
 * After the END record the input must end too, at a frame boundary: that
 * verifies the last frame's checksum and catches a cut inside it.
 */
static heapan_status finish_stream(heapan_reader *r)
{
    int st;
    do {
        if (r->end > r->start)
            return fail(r, HEAPAN_ERR_CORRUPT, "data follows the END record at offset %llu",
                        (unsigned long long)r->consumed);
    } while ((st = pump(r)) == 0);
    if (st < 0)
        return r->status;
    if (r->frame_left)
        return fail(r, HEAPAN_ERR_TRUNCATED,
                    "truncated after the END record (the last zstd frame is incomplete)");
    r->ended = 1;
    return HEAPAN_OK;
}

static heapan_status decode_end(heapan_reader *r, cursor *c, heapan_record *rec)
{
    heapan_counts *claimed = &rec->u.end;
    memset(claimed, 0, sizeof *claimed);
    uint64_t *fields[] = {&claimed->strings, &claimed->types, &claimed->frames,
                          &claimed->stacks, &claimed->shapes, &claimed->objects,
                          &claimed->refs, &claimed->roots, &claimed->allocs,
                          &claimed->frees, &claimed->samples, &claimed->properties};
    const uint64_t *actual[] = {&r->counts.strings, &r->counts.types, &r->counts.frames,
                                &r->counts.stacks, &r->counts.shapes, &r->counts.objects,
                                &r->counts.refs, &r->counts.roots, &r->counts.allocs,
                                &r->counts.frees, &r->counts.samples, &r->counts.properties};
    static const char *const names[] = {"strings", "types", "frames", "stacks",
                                        "shapes", "objects", "references", "roots",
                                        "allocations", "frees", "samples", "properties"};
    /* Format 1.0 counts the first 11 kinds; 1.1 adds properties. */
    size_t counted = sizeof fields / sizeof *fields;
    for (size_t i = 0; i < counted; i++) {
        if (i == 11 && c->p == c->end) {
            counted = 11;
            break;
        }
        *fields[i] = next_varint(c);
    }
    if (c->bad)
        return check_cursor(r, c);
    for (size_t i = 0; i < counted; i++)
        if (*fields[i] != *actual[i])
            return corrupt(r, "END record counts %llu %s but the file holds %llu",
                           (unsigned long long)*fields[i], names[i],
                           (unsigned long long)*actual[i]);
    if (counted == 11)
        claimed->properties = r->counts.properties;
    return finish_stream(r);
}

static heapan_status decode_record(heapan_reader *r, unsigned kind, const uint8_t *p,
                                   size_t len, heapan_record *rec)
{
    cursor c = {p, p + len, 0};
    rec->kind = (heapan_record_kind)kind;
    switch (kind) {
    case HEAPAN_REC_STRING: return add_string(r, p, len, rec);
    case HEAPAN_REC_TYPE: return decode_type(r, &c, rec);
    case HEAPAN_REC_FRAME: return decode_frame(r, &c, rec);
    case HEAPAN_REC_STACK: return decode_stack(r, &c, rec);
    case HEAPAN_REC_SHAPE: return decode_shape(r, &c, rec);
    case HEAPAN_REC_OBJECT: return decode_object(r, &c, rec);
    case HEAPAN_REC_ROOT: return decode_root(r, &c, rec);
    case HEAPAN_REC_ALLOC:
    case HEAPAN_REC_FREE:
    case HEAPAN_REC_REUSE:
    case HEAPAN_REC_SAMPLE: return decode_event(r, &c, rec);
    case HEAPAN_REC_END: return decode_end(r, &c, rec);
    case HEAPAN_REC_PROPERTY: return decode_property(r, &c, rec);
    case HEAPAN_REC_HEADER: return corrupt(r, "a second header");
    default: return HEAPAN_ERR_INVALID; /* handled by the caller */
    }
}

/*
 * Reads the next record's tag and length and makes its payload available
 * at window[start].  Returns 0, 1 at a clean end of input, or -1.
 */
static int next_raw_record(heapan_reader *r, unsigned *kind, size_t *len)
{
    int st = fill(r, RECORD_HEAD_MAX);
    if (st < 0)
        return -1;
    if (r->end == r->start)
        return 1;
    const uint8_t *p = r->window + r->start, *end = r->window + r->end;
    uint64_t tag = 0, length = 0;
    int bad = varint_get(&p, end, &tag);
    if (!bad)
        bad = varint_get(&p, end, &length);
    r->record_offset = r->consumed;
    r->record_kind = 0;
    if (bad == -1 && st == 1)
        return 1; /* cut inside a record head */
    if (bad || tag == 0) {
        corrupt(r, "bad tag or length varint");
        return -1;
    }
    /* Any other tag is a record kind, known or from a newer minor version: skipped. */
    r->record_kind = tag > UINT32_MAX ? UINT32_MAX : (unsigned)tag;
    if (length > HEAPAN_MAX_RECORD_SIZE) {
        corrupt(r, "length %llu exceeds the %u-byte limit", (unsigned long long)length,
                HEAPAN_MAX_RECORD_SIZE);
        return -1;
    }
    size_t head = (size_t)(p - (r->window + r->start));
    if ((st = fill(r, head + (size_t)length)) != 0)
        return st;
    consume(r, head);
    *kind = r->record_kind;
    *len = (size_t)length;
    return 0;
}

heapan_status heapan_reader_next(heapan_reader *r, heapan_record *rec)
{
    if (!r || !rec)
        return HEAPAN_ERR_INVALID;
    if (r->status != HEAPAN_OK)
        return r->status;
    if (r->refs_left)
        return next_ref(r, rec);
    for (;;) {
        if (r->ended)
            return HEAPAN_END;
        unsigned kind;
        size_t len;
        int st = next_raw_record(r, &kind, &len);
        if (st < 0)
            return r->status;
        if (st > 0)
            return truncated(r);
        const uint8_t *payload = r->window + r->start;
        consume(r, len);
        if (kind == HEAPAN_REC_REF) {
            cursor c = {payload, payload + len, 0};
            if (open_refs(r, &c) != HEAPAN_OK)
                return r->status;
            if (r->refs_left)
                return next_ref(r, rec);
            continue;
        }
        heapan_status result = decode_record(r, kind, payload, len, rec);
        if (result == HEAPAN_ERR_INVALID) {
            r->skipped++;
            continue;
        }
        return result;
    }
}

/* ---- opening ------------------------------------------------------------- */

/* Copies `len` bytes NUL-terminated into the header's text; -1 if out of memory. */
static int keep_text(heapan_reader *r, const uint8_t *bytes, size_t len, size_t *offset)
{
    *offset = r->header_text.len;
    return bytebuf_put(&r->header_text, bytes, len) < 0 ||
                   bytebuf_put(&r->header_text, "", 1) < 0
               ? -1
               : 0;
}

static heapan_status decode_header(heapan_reader *r, const uint8_t *p, size_t len)
{
    enum { TEXTS = 4 }; /* producer, its version, runtime, its version */
    cursor c = {p, p + len, 0};
    heapan_header *h = &r->header;
    h->content = (unsigned)next_varint(&c);
    h->flags = (unsigned)next_varint(&c);
    size_t offsets[TEXTS], n;
    for (int i = 0; i < TEXTS; i++) {
        const uint8_t *text = next_bytes(&c, &n);
        if (keep_text(r, text, n, &offsets[i]) < 0)
            return fail(r, HEAPAN_ERR_NOMEM, "out of memory");
    }
    h->pid = next_varint(&c);
    h->time_us = zigzag_decode(next_varint(&c));
    h->pointer_size = (unsigned)next_varint(&c);
    h->sample_bytes = next_varint(&c);
    uint64_t argc = next_varint(&c);
    if (!c.bad && argc > (uint64_t)(c.end - c.p))
        return corrupt(r, "claims %llu arguments in %zu bytes", (unsigned long long)argc,
                       (size_t)(c.end - c.p));
    if (c.bad)
        return check_cursor(r, &c);
    r->argv = calloc((size_t)argc + 1, sizeof *r->argv);
    size_t *arg_offsets = calloc((size_t)argc + 1, sizeof *arg_offsets);
    int nomem = !r->argv || !arg_offsets;
    for (uint64_t i = 0; i < argc && !nomem; i++) {
        const uint8_t *arg = next_bytes(&c, &n);
        nomem = keep_text(r, arg, n, &arg_offsets[i]) < 0;
    }
    if (nomem || c.bad) {
        free(arg_offsets);
        return nomem ? fail(r, HEAPAN_ERR_NOMEM, "out of memory") : check_cursor(r, &c);
    }
    const char *base = (const char *)r->header_text.data;
    h->producer = base + offsets[0];
    h->producer_version = base + offsets[1];
    h->runtime = base + offsets[2];
    h->runtime_version = base + offsets[3];
    for (uint64_t i = 0; i < argc; i++)
        r->argv[i] = base + arg_offsets[i];
    h->argc = (size_t)argc;
    h->argv = r->argv;
    free(arg_offsets);
    return HEAPAN_OK;
}

/* A zstd frame or a skippable frame (RFC 8878, section 3.1). */
static int starts_zstd_frame(const uint8_t *p)
{
    uint32_t magic = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
                     (uint32_t)p[3] << 24;
    return magic == 0xFD2FB528u || (magic & 0xFFFFFFF0u) == 0x184D2A50u;
}

/* Reads enough input to tell whether it is zstd at all. */
static heapan_status check_zstd(heapan_reader *r)
{
    while (r->in_len < 4 && !r->input_ended)
        if (read_input(r) < 0)
            return r->status;
    if (r->in_len == 0)
        return fail(r, HEAPAN_ERR_EMPTY, "empty file");
    if (r->in_len < 4 || !starts_zstd_frame(r->in))
        return fail(r, HEAPAN_ERR_NOT_ZSTD, "not a heapan dump: not zstd-compressed");
    return HEAPAN_OK;
}

static heapan_status read_preamble(heapan_reader *r)
{
    int st = fill(r, HEAPAN_MAGIC_LEN);
    if (st < 0)
        return r->status;
    size_t have = r->end - r->start;
    size_t cmp = have < HEAPAN_MAGIC_LEN ? have : HEAPAN_MAGIC_LEN;
    if (memcmp(r->window + r->start, HEAPAN_MAGIC, cmp) != 0)
        return fail(r, HEAPAN_ERR_NOT_HEAPAN,
                    "not a heapan dump: zstd-compressed, but without the heapan magic");
    if (have < HEAPAN_MAGIC_LEN)
        return truncated(r);
    consume(r, HEAPAN_MAGIC_LEN);
    st = fill(r, RECORD_HEAD_MAX);
    if (st < 0)
        return r->status;
    const uint8_t *p = r->window + r->start, *end = r->window + r->end;
    uint64_t major, minor;
    int bad = varint_get(&p, end, &major);
    if (!bad)
        bad = varint_get(&p, end, &minor);
    if (bad == -1)
        return truncated(r);
    if (bad)
        return fail(r, HEAPAN_ERR_CORRUPT, "corrupt format version");
    if (major != HEAPAN_FORMAT_MAJOR || minor > UINT32_MAX)
        return fail(r, HEAPAN_ERR_VERSION,
                    "format version %llu.%llu is not supported (this heapan reads %d.x)",
                    (unsigned long long)major, (unsigned long long)minor,
                    HEAPAN_FORMAT_MAJOR);
    r->major = (unsigned)major;
    r->minor = (unsigned)minor;
    consume(r, (size_t)(p - (r->window + r->start)));
    return HEAPAN_OK;
}

static heapan_status read_header(heapan_reader *r)
{
    unsigned kind;
    size_t len;
    int st = next_raw_record(r, &kind, &len);
    if (st < 0)
        return r->status;
    if (st > 0)
        return truncated(r);
    if (kind != HEAPAN_REC_HEADER)
        return corrupt(r, "the first record must be the header");
    const uint8_t *payload = r->window + r->start;
    heapan_status result = decode_header(r, payload, len);
    consume(r, len);
    return result;
}

static heapan_status start(heapan_reader *r)
{
    r->dctx = ZSTD_createDCtx();
    r->in_cap = ZSTD_DStreamInSize();
    r->in = malloc(r->in_cap);
    r->window_cap = WINDOW_INITIAL;
    r->window = malloc(r->window_cap);
    if (!r->dctx || !r->in || !r->window)
        return fail(r, HEAPAN_ERR_NOMEM, "out of memory");
    heapan_status st = check_zstd(r);
    if (st == HEAPAN_OK)
        st = read_preamble(r);
    if (st == HEAPAN_OK)
        st = read_header(r);
    return st;
}

static heapan_reader *new_reader(void)
{
    return calloc(1, sizeof(heapan_reader));
}

/* Runs `start`, keeping the reader on failure for its message. */
static heapan_status finish_open(heapan_reader **out, heapan_reader *r)
{
    heapan_status st = start(r);
    if (st == HEAPAN_ERR_NOMEM) {
        heapan_reader_close(r);
        r = NULL;
    }
    *out = r;
    return st;
}

heapan_status heapan_reader_open_source(heapan_reader **out, heapan_source_fn source,
                                        void *ctx)
{
    if (!out)
        return HEAPAN_ERR_INVALID;
    *out = NULL;
    if (!source)
        return HEAPAN_ERR_INVALID;
    heapan_reader *r = new_reader();
    if (!r)
        return HEAPAN_ERR_NOMEM;
    r->source = source;
    r->source_ctx = ctx;
    return finish_open(out, r);
}

heapan_status heapan_reader_open_owned_source(heapan_reader **out, heapan_source_fn source,
                                              void (*release)(void *ctx), void *ctx)
{
    if (!out)
        return HEAPAN_ERR_INVALID;
    *out = NULL;
    heapan_reader *r = source ? new_reader() : NULL;
    if (!r) {
        if (release)
            release(ctx);
        return source ? HEAPAN_ERR_NOMEM : HEAPAN_ERR_INVALID;
    }
    r->source = source;
    r->source_ctx = ctx;
    r->release_source = release;
    return finish_open(out, r);
}

heapan_status heapan_reader_open_memory(heapan_reader **out, const void *data, size_t len)
{
    if (!out)
        return HEAPAN_ERR_INVALID;
    *out = NULL;
    if (!data && len)
        return HEAPAN_ERR_INVALID;
    heapan_reader *r = new_reader();
    if (!r)
        return HEAPAN_ERR_NOMEM;
    r->memory = (memory_source){data, len, 0};
    r->source = read_memory;
    r->source_ctx = &r->memory;
    return finish_open(out, r);
}

static heapan_status open_file(heapan_reader *r, const char *path)
{
    r->source = read_fd;
    r->source_ctx = &r->fd;
    if (strcmp(path, "-") == 0) {
        r->fd = STDIN_FILENO;
        return HEAPAN_OK;
    }
    r->fd = open(path, O_RDONLY | O_CLOEXEC);
    if (r->fd < 0)
        return fail(r, HEAPAN_ERR_IO, "cannot open: %s", strerror(errno));
    r->owns_fd = 1;
    struct stat st;
    if (fstat(r->fd, &st) == 0 && S_ISDIR(st.st_mode))
        return fail(r, HEAPAN_ERR_IO, "is a directory");
    return HEAPAN_OK;
}

heapan_status heapan_reader_open(heapan_reader **out, const char *path)
{
    if (!out)
        return HEAPAN_ERR_INVALID;
    *out = NULL;
    if (!path)
        return HEAPAN_ERR_INVALID;
    heapan_reader *r = new_reader();
    if (!r)
        return HEAPAN_ERR_NOMEM;
    heapan_status st = open_file(r, path);
    if (st != HEAPAN_OK) {
        *out = r;
        return st;
    }
    return finish_open(out, r);
}

/* ---- accessors ----------------------------------------------------------- */

const heapan_header *heapan_reader_header(const heapan_reader *r)
{
    return r ? &r->header : NULL;
}

void heapan_reader_version(const heapan_reader *r, unsigned *major, unsigned *minor)
{
    if (major)
        *major = r ? r->major : 0;
    if (minor)
        *minor = r ? r->minor : 0;
}

const char *heapan_reader_string(const heapan_reader *r, uint32_t id, size_t *len)
{
    if (!r || id == 0 || id > r->counts.strings)
        return NULL;
    if (len)
        *len = r->string_table[id].len;
    return r->string_table[id].data;
}

const heapan_counts *heapan_reader_counts(const heapan_reader *r)
{
    return r ? &r->counts : NULL;
}

uint64_t heapan_reader_skipped(const heapan_reader *r)
{
    return r ? r->skipped : 0;
}

uint64_t heapan_reader_offset(const heapan_reader *r)
{
    return r ? r->consumed : 0;
}

const char *heapan_reader_error(const heapan_reader *r)
{
    return r ? r->error : "out of memory";
}

void heapan_reader_close(heapan_reader *r)
{
    if (!r)
        return;
    if (r->owns_fd)
        close(r->fd);
    if (r->release_source)
        r->release_source(r->source_ctx);
    ZSTD_freeDCtx(r->dctx);
    free(r->in);
    free(r->window);
    bytebuf_release(&r->header_text);
    while (r->chunks) {
        string_chunk *next = r->chunks->next;
        free(r->chunks);
        r->chunks = next;
    }
    free(r->argv);
    free(r->string_table);
    free(r->shape_names);
    free(r);
}
