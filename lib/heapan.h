/*
 * heapan.h: libheapan, the writer and reader of heapan heap dumps and
 * allocation traces.  The on-disk format is specified in docs/format.md.
 *
 * The library never prints and never exits: every function reports failure
 * through a heapan_status value, and the handle keeps a one-line message.
 * Handles are not thread-safe; serialise calls on one handle yourself.
 */
#ifndef HEAPAN_H
#define HEAPAN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define HEAPAN_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define HEAPAN_PRINTF(fmt, args)
#endif

/* ------------------------------------------------------------------------
 * Versions and limits
 * ---------------------------------------------------------------------- */

/** Major version of the format this library writes; readers refuse newer. */
#define HEAPAN_FORMAT_MAJOR 1
/** Minor version: additions an older reader of the same major can skip. */
#define HEAPAN_FORMAT_MINOR 2
/** Largest record payload in bytes; larger lengths are corruption. */
#define HEAPAN_MAX_RECORD_SIZE (16u * 1024u * 1024u)
/** Bytes of a str/bytes value a producer may keep in an object record. */
#define HEAPAN_MAX_VALUE_PREFIX 256u

/** Version of the library as "MAJOR.MINOR.PATCH", e.g. "0.1.0". */
const char *heapan_version(void);

/* ------------------------------------------------------------------------
 * Status codes
 * ---------------------------------------------------------------------- */

/** Result of every fallible call.  Values are stable across releases. */
typedef enum heapan_status {
    HEAPAN_OK = 0,
    HEAPAN_END = 1,              /**< reader: no more records */
    HEAPAN_ERR_IO = -1,          /**< open/read/write failed (errno kept) */
    HEAPAN_ERR_NOMEM = -2,       /**< allocation failed */
    HEAPAN_ERR_INVALID = -3,     /**< bad argument or call order */
    HEAPAN_ERR_EMPTY = -4,       /**< input holds no bytes at all */
    HEAPAN_ERR_NOT_ZSTD = -5,    /**< input is not a zstd stream */
    HEAPAN_ERR_NOT_HEAPAN = -6,  /**< zstd, but no heapan magic inside */
    HEAPAN_ERR_VERSION = -7,     /**< newer major format version */
    HEAPAN_ERR_CORRUPT = -8,     /**< undecodable data or inconsistent ids */
    HEAPAN_ERR_TRUNCATED = -9,   /**< input ends in the middle of the stream */
    HEAPAN_ERR_LIMIT = -10       /**< a size or count exceeds a documented limit */
} heapan_status;

/** Short constant name of a status, e.g. "truncated".  Never NULL. */
const char *heapan_status_name(heapan_status status);

/* ------------------------------------------------------------------------
 * Records: the data model shared by writer and reader
 *
 * Strings, types, frames, stacks and shapes get ids 1, 2, 3, ... in the
 * order they are written; id 0 means "none".  Objects are named by their
 * address in the process.
 * ---------------------------------------------------------------------- */

/** Record tags as they appear in the file. */
typedef enum heapan_record_kind {
    HEAPAN_REC_HEADER = 1,
    HEAPAN_REC_STRING = 2,
    HEAPAN_REC_TYPE = 3,
    HEAPAN_REC_FRAME = 4,
    HEAPAN_REC_STACK = 5,
    HEAPAN_REC_SHAPE = 6,
    HEAPAN_REC_OBJECT = 7,
    HEAPAN_REC_REF = 8,      /**< one reference; the file groups them by source */
    HEAPAN_REC_ROOT = 9,
    HEAPAN_REC_ALLOC = 10,
    HEAPAN_REC_FREE = 11,
    HEAPAN_REC_SAMPLE = 12,
    HEAPAN_REC_END = 13,
    HEAPAN_REC_PROPERTY = 14, /**< a fact about the process or one object (format 1.1) */
    HEAPAN_REC_REUSE = 15     /**< a live block now holds an object of another site (format 1.2) */
} heapan_record_kind;

/** Number of record kinds, for arrays indexed by heapan_record_kind. */
#define HEAPAN_REC_KIND_COUNT 16

/** Lower-case name of a record kind ("object"), or "unknown". */
const char *heapan_record_kind_name(unsigned kind);

/** What the file holds. */
typedef enum heapan_content {
    HEAPAN_CONTENT_HEAP = 1,   /**< a heap dump: objects, references, roots */
    HEAPAN_CONTENT_TRACE = 2   /**< an allocation trace: events and samples */
} heapan_content;

/** Header flags. */
enum {
    HEAPAN_HEADER_VALUES = 1u << 0,     /**< objects carry short values */
    HEAPAN_HEADER_TRACEBACKS = 1u << 1  /**< objects carry allocation stacks */
};

/** The file header: who wrote the file, about which process. */
typedef struct heapan_header {
    unsigned content;              /**< a heapan_content value */
    unsigned flags;                /**< HEAPAN_HEADER_* bits */
    const char *producer;          /**< e.g. "heapan-python"; NUL-terminated */
    const char *producer_version;  /**< e.g. "0.1.0" */
    const char *runtime;           /**< e.g. "CPython" */
    const char *runtime_version;   /**< e.g. "3.11.7" */
    uint64_t pid;
    int64_t time_us;               /**< microseconds since the Unix epoch */
    unsigned pointer_size;         /**< bytes per pointer in the process */
    uint64_t sample_bytes;         /**< traces: mean bytes between samples, 0 = all */
    size_t argc;
    const char *const *argv;       /**< the process's command line */
} heapan_header;

/** Type flags. */
enum {
    HEAPAN_TYPE_HAS_DICT = 1u << 0,   /**< instances can carry a __dict__ */
    HEAPAN_TYPE_HAS_SLOTS = 1u << 1,  /**< the class defines __slots__ */
    HEAPAN_TYPE_BUILTIN = 1u << 2,    /**< defined in C, not by a class statement */
    HEAPAN_TYPE_CONTAINER = 1u << 3,  /**< instances hold references (GC type) */
    HEAPAN_TYPE_SEQUENCE = 1u << 4,   /**< element_count is a length (list, tuple) */
    HEAPAN_TYPE_MAPPING = 1u << 5     /**< element_count is a number of entries */
};

/** A type (class).  Its own object, if dumped, is at `address`. */
typedef struct heapan_type {
    uint32_t id;          /**< assigned by the writer; filled by the reader */
    uint32_t name;        /**< string id of the qualified name, e.g. "Order" */
    uint32_t module;      /**< string id of the module, 0 if none */
    unsigned flags;       /**< HEAPAN_TYPE_* bits */
    uint64_t address;     /**< address of the type object, 0 if unknown */
    uint64_t basic_size;  /**< tp_basicsize, 0 if unknown */
    uint64_t pre_header;  /**< bytes kept before each instance for its dict and weak
                               references, GC header excluded (format 1.1; 0 if unknown) */
    uint64_t inline_values; /**< bytes of the attribute values an instance keeps while it
                                 has no __dict__ (format 1.1; 0 if none or unknown) */
} heapan_type;

/** A source location of a call stack. */
typedef struct heapan_frame {
    uint32_t id;
    uint32_t file;      /**< string id */
    uint32_t function;  /**< string id */
    uint32_t line;
} heapan_frame;

/**
 * A call stack, stored as a trie node: the stack `parent` (0 for none)
 * with `frame` called from it, so `frame` is the innermost frame.
 */
typedef struct heapan_stack {
    uint32_t id;
    uint32_t parent;  /**< stack id, smaller than id; 0 = outermost frame */
    uint32_t frame;   /**< frame id */
} heapan_stack;

/** A sorted or unsorted set of attribute names shared by many instances. */
typedef struct heapan_shape {
    uint32_t id;
    size_t count;
    const uint32_t *names;  /**< `count` string ids */
} heapan_shape;

/** Kinds of short value an object record may carry. */
typedef enum heapan_value_kind {
    HEAPAN_VALUE_NONE = 0,
    HEAPAN_VALUE_INT = 1,    /**< `i` holds the value */
    HEAPAN_VALUE_FLOAT = 2,  /**< `f` holds the value */
    HEAPAN_VALUE_TEXT = 3,   /**< `data`/`len`: UTF-8 prefix of a string */
    HEAPAN_VALUE_BYTES = 4,  /**< `data`/`len`: prefix of a byte string */
    HEAPAN_VALUE_BOOL = 5    /**< `i` is 0 or 1 */
} heapan_value_kind;

/** Object flags. */
enum {
    HEAPAN_OBJ_GC_TRACKED = 1u << 0,        /**< tracked by the cycle collector */
    HEAPAN_OBJ_DICT_MATERIALISED = 1u << 1, /**< its __dict__ exists as an object */
    HEAPAN_OBJ_HAS_HASH = 1u << 2,          /**< `value_hash` is set */
    HEAPAN_OBJ_FROZEN = 1u << 3             /**< in the collector's permanent generation
                                                 (gc.freeze()): never collected */
};

/** One object of the heap. */
typedef struct heapan_object {
    uint64_t address;        /**< unique, non-zero */
    uint32_t type;           /**< type id, never 0 */
    unsigned flags;          /**< HEAPAN_OBJ_* bits */
    uint64_t size;           /**< shallow size in bytes as the allocator sees it */
    uint64_t refcount;
    uint64_t length;         /**< elements: len() of a container or string */
    uint32_t stack;          /**< allocation stack id, 0 if unknown */
    uint32_t shape;          /**< attribute-name shape id, 0 if none */
    heapan_value_kind value_kind;
    int64_t i;
    double f;
    const void *data;        /**< value prefix; reader: valid until next call */
    size_t len;
    uint64_t value_hash;     /**< hash of the whole value (HEAPAN_OBJ_HAS_HASH) */
} heapan_object;

/** How a reference names its target, for retention paths. */
typedef enum heapan_label_kind {
    HEAPAN_LABEL_NONE = 0,
    HEAPAN_LABEL_ATTRIBUTE = 1,  /**< `.name`  (string) */
    HEAPAN_LABEL_KEY = 2,        /**< `['key']` dict value under a str key (string) */
    HEAPAN_LABEL_INT_KEY = 3,    /**< `[42]` dict value under an int key (number) */
    HEAPAN_LABEL_INDEX = 4,      /**< `[3]` item of a sequence (number) */
    HEAPAN_LABEL_LOCAL = 5,      /**< a frame's local variable (string) */
    HEAPAN_LABEL_FIELD = 6,      /**< structural: __dict__, __class__, f_back (string) */
    HEAPAN_LABEL_DICT_KEY = 7,   /**< the key object of a dict entry (none) */
    HEAPAN_LABEL_ELEMENT = 8,    /**< member of an unordered container (none) */
    HEAPAN_LABEL_KEY_REPR = 9    /**< `[('s3', 2)]` dict value under another key: the key's
                                      repr() (string; format 1.1) */
} heapan_label_kind;

/** The largest label kind this version knows. */
#define HEAPAN_LABEL_KIND_MAX HEAPAN_LABEL_KEY_REPR

/** One reference from `from` to `to`. */
typedef struct heapan_ref {
    uint64_t from;
    uint64_t to;
    int weak;                    /**< non-zero: does not keep `to` alive */
    heapan_label_kind label_kind;
    uint32_t label;              /**< string id, for string label kinds */
    int64_t label_number;        /**< for HEAPAN_LABEL_INT_KEY and _INDEX */
} heapan_ref;

/** Why an object is a root. */
typedef enum heapan_root_kind {
    HEAPAN_ROOT_OTHER = 0,
    HEAPAN_ROOT_MODULE = 1,     /**< a module in sys.modules; label = its name */
    HEAPAN_ROOT_FRAME = 2,      /**< a thread's frame; label = thread name */
    HEAPAN_ROOT_EXTERNAL = 3,   /**< held from outside the dumped graph */
    HEAPAN_ROOT_INTERNED = 4,   /**< an interned string */
    HEAPAN_ROOT_BUILTINS = 5,   /**< builtins and interpreter state */
    HEAPAN_ROOT_GC_GARBAGE = 6, /**< listed in gc.garbage */
    HEAPAN_ROOT_THREAD = 7      /**< a thread state object */
} heapan_root_kind;

/** Number of root kinds this version names. */
#define HEAPAN_ROOT_KIND_COUNT 8

/** Lower-case name of a root kind ("module"), or "unknown". */
const char *heapan_root_kind_name(unsigned kind);

/** One root: an object the analysis treats as alive. */
typedef struct heapan_root {
    uint64_t object;
    unsigned kind;    /**< a heapan_root_kind value */
    uint32_t label;   /**< string id, 0 if none */
} heapan_root;

/**
 * A fact about the process (object 0) or about one object that no other
 * record holds: the collector's state, where the interpreter's library
 * lives, a cache's hit counters.  The value is encoded as an object's
 * value is; a key given several times makes a list, in file order.  The
 * keys heapan-python writes are listed in docs/format.md.
 */
typedef struct heapan_property {
    uint64_t object;             /**< the object's address, or 0 for the process */
    uint32_t key;                /**< string id of its name, e.g. "gc.enabled" */
    heapan_value_kind value_kind;
    int64_t i;                   /**< INT and BOOL */
    double f;                    /**< FLOAT */
    const void *data;            /**< TEXT and BYTES; reader: valid until next call */
    size_t len;
} heapan_property;

/** Bytes of a property's TEXT or BYTES value at most. */
#define HEAPAN_MAX_PROPERTY_VALUE 65536u

/** An allocation in a trace. */
typedef struct heapan_alloc {
    uint64_t time_us;  /**< microseconds since the header's time */
    uint64_t address;
    uint64_t size;
    uint32_t stack;    /**< stack id, 0 if unknown */
    uint64_t thread;
} heapan_alloc;

/** A free in a trace. */
typedef struct heapan_free {
    uint64_t time_us;
    uint64_t address;
} heapan_free;

/** A block reused in a trace: its object is new, made at `stack` (format 1.2). */
typedef struct heapan_reuse {
    uint64_t time_us;
    uint64_t address;
    uint32_t stack;    /**< stack id, 0 if unknown */
} heapan_reuse;

/** A periodic sample of a traced process. */
typedef struct heapan_sample {
    uint64_t time_us;
    uint64_t rss;           /**< resident set size in bytes, 0 if unknown */
    uint64_t traced_bytes;  /**< bytes live per the trace at that moment */
} heapan_sample;

/** Counts of what a file holds, as written in its END record. */
typedef struct heapan_counts {
    uint64_t strings, types, frames, stacks, shapes;
    uint64_t objects, refs, roots;
    uint64_t allocs, frees, samples;
    uint64_t properties;     /**< format 1.1; a 1.0 file's END does not count them */
    uint64_t reuses;         /**< format 1.2; no END counts them */
    uint64_t bytes_written;  /**< writer: compressed bytes; not in the file */
} heapan_counts;

/* ------------------------------------------------------------------------
 * Writer
 *
 *   heapan_writer *w;
 *   if (heapan_writer_open(&w, "app.zst", NULL) != HEAPAN_OK) ...
 *   heapan_writer_header(w, &header);
 *   uint32_t name = heapan_writer_string(w, "dict", 4);
 *   ... heapan_writer_object(w, &obj); heapan_writer_ref(w, &ref); ...
 *   status = heapan_writer_close(w, &counts);
 *   if (status != HEAPAN_OK) report(heapan_writer_error(w));
 *   heapan_writer_free(w);
 *
 * After the first failure the writer keeps its status: later calls do
 * nothing and return it, and close reports it.  The writer allocates only
 * with malloc (never through Python), holds no global lock and calls no
 * user code, so it is safe inside an allocator hook.
 * ---------------------------------------------------------------------- */

typedef struct heapan_writer heapan_writer;

/**
 * Where the writer sends compressed bytes.  Must write all `len` bytes and
 * return 0, or return -1 (the writer then fails with HEAPAN_ERR_IO).
 */
typedef int (*heapan_sink_fn)(void *ctx, const void *buf, size_t len);

/** Writer tuning; zero-initialise it for the defaults. */
typedef struct heapan_writer_options {
    int level;                 /**< zstd level; 0 = default (3) */
    size_t flush_interval;     /**< record bytes between block flushes; 0 = 1 MiB,
                                    or 16 MiB with workers */
    int workers;               /**< zstd compression threads beside the caller;
                                    0 = compress in the calling thread */
    int direct;                /**< write `path` itself as records come (a trace that
                                    must survive a crash), not a temporary file */
} heapan_writer_options;

/**
 * Open a writer on the file `path`, created owner-only (mode 0600, even
 * over a file of another mode).  A symbolic link is refused (HEAPAN_ERR_IO,
 * errno ELOOP).  Unless options->direct, the records go to a temporary file
 * beside `path` (".NAME.XXXXXX") that heapan_writer_close() renames over
 * it once whole; a writer freed without a successful close removes it, so
 * a failed dump leaves neither a partial file nor a clobbered old one.  A
 * FIFO or a device at `path` cannot be renamed over and is written
 * directly.  `options` may be NULL.  On failure *out is NULL, the status
 * says why, and errno is set.
 */
heapan_status heapan_writer_open(heapan_writer **out, const char *path,
                                 const heapan_writer_options *options);

/**
 * Open a writer that hands its compressed output to `sink`.  Closing the
 * writer does not close whatever `ctx` stands for.
 */
heapan_status heapan_writer_open_sink(heapan_writer **out, heapan_sink_fn sink,
                                      void *ctx,
                                      const heapan_writer_options *options);

/** The errno of the write, close or rename that failed the writer, or 0. */
int heapan_writer_errno(const heapan_writer *w);

/** Write the header.  Must be the first record, written exactly once. */
heapan_status heapan_writer_header(heapan_writer *w, const heapan_header *h);

/**
 * Intern a string of `len` bytes (any bytes, need not be NUL-terminated)
 * and return its id; equal strings get the same id.  Returns 0 on failure.
 */
uint32_t heapan_writer_string(heapan_writer *w, const char *s, size_t len);

/** Intern a type (t->id is ignored) and return its id, or 0 on failure. */
uint32_t heapan_writer_type(heapan_writer *w, const heapan_type *t);

/** Intern a frame (file, function, line) and return its id, or 0. */
uint32_t heapan_writer_frame(heapan_writer *w, uint32_t file,
                             uint32_t function, uint32_t line);

/**
 * Intern the stack "`parent`, then a call to `frame`" and return its id,
 * or 0.  Build a whole stack from the outermost frame in, starting with
 * parent 0.
 */
uint32_t heapan_writer_stack(heapan_writer *w, uint32_t parent, uint32_t frame);

/** Intern a set of `count` attribute-name string ids; return its id, or 0. */
uint32_t heapan_writer_shape(heapan_writer *w, const uint32_t *names,
                             size_t count);

/** Write one object.  Its type, stack, shape and label ids must exist. */
heapan_status heapan_writer_object(heapan_writer *w, const heapan_object *o);

/**
 * Write one reference.  Consecutive references from the same object are
 * grouped into one record, so write an object's references together.
 */
heapan_status heapan_writer_ref(heapan_writer *w, const heapan_ref *r);

/** Write one root. */
heapan_status heapan_writer_root(heapan_writer *w, const heapan_root *r);

/**
 * Write one property.  Its key must be an interned string; a TEXT or BYTES
 * value holds at most HEAPAN_MAX_PROPERTY_VALUE bytes.
 */
heapan_status heapan_writer_property(heapan_writer *w, const heapan_property *p);

/** Write one allocation event of a trace. */
heapan_status heapan_writer_alloc_event(heapan_writer *w, const heapan_alloc *a);

/** Write one free event of a trace. */
heapan_status heapan_writer_free_event(heapan_writer *w, const heapan_free *f);

/**
 * Write one reuse event of a trace: the live block at `address` now holds
 * an object made at `stack`, with no allocation (CPython handed it out
 * again from a free list).  Its size is unchanged.
 */
heapan_status heapan_writer_reuse_event(heapan_writer *w, const heapan_reuse *u);

/** Write one periodic sample of a trace. */
heapan_status heapan_writer_sample(heapan_writer *w, const heapan_sample *s);

/**
 * Compress and hand to the sink everything written so far, ending on a
 * whole zstd block: a file cut after this point reads back up to here.
 * The writer also does this by itself every `flush_interval` bytes.
 */
heapan_status heapan_writer_flush(heapan_writer *w);

/**
 * Write the END record, finish the stream and close the file.  If `counts`
 * is not NULL it receives what was written.  Returns the first error the
 * writer met, if any; heapan_writer_error() then describes it.  Free the
 * writer afterwards with heapan_writer_free().
 */
heapan_status heapan_writer_close(heapan_writer *w, heapan_counts *counts);

/**
 * Free the writer.  A writer freed without heapan_writer_close() leaves a
 * file without its END record, which reads back as truncated.  NULL is
 * allowed.
 */
void heapan_writer_free(heapan_writer *w);

/** One-line description of the writer's first error, or "" if none. */
const char *heapan_writer_error(const heapan_writer *w);

/* ------------------------------------------------------------------------
 * Reader
 *
 *   heapan_reader *r;
 *   heapan_record rec;
 *   if (heapan_reader_open(&r, path) != HEAPAN_OK) { report; }
 *   while ((st = heapan_reader_next(r, &rec)) == HEAPAN_OK)
 *       switch (rec.kind) { case HEAPAN_REC_OBJECT: ... }
 *   if (st != HEAPAN_END) fprintf(stderr, "%s\n", heapan_reader_error(r));
 *   heapan_reader_close(r);
 *
 * The reader checks every record against the format: a bad varint, an id
 * that was never defined, a length past the record's end, a count larger
 * than the bytes that could hold it are all HEAPAN_ERR_CORRUPT, reported
 * with the record's position.  Unknown record kinds are skipped.  Memory
 * use is bounded by HEAPAN_MAX_RECORD_SIZE plus the string table.
 * ---------------------------------------------------------------------- */

typedef struct heapan_reader heapan_reader;

/**
 * Where the reader gets compressed bytes: fill up to `cap` bytes of `buf`
 * and return how many (0 at end of input), or -1 on error (errno set).
 */
typedef long (*heapan_source_fn)(void *ctx, void *buf, size_t cap);

/** One decoded record.  Pointers inside are valid until the next call. */
typedef struct heapan_record {
    heapan_record_kind kind;
    union {
        heapan_header header;
        struct {
            uint32_t id;
            const char *data;  /**< not NUL-terminated */
            size_t len;
        } string;
        heapan_type type;
        heapan_frame frame;
        heapan_stack stack;
        heapan_shape shape;
        heapan_object object;
        heapan_ref ref;
        heapan_root root;
        heapan_alloc alloc;
        heapan_free free;
        heapan_reuse reuse;
        heapan_sample sample;
        heapan_property property;
        heapan_counts end;
    } u;
} heapan_record;

/**
 * Open the file at `path` ("-" is standard input) and read its header.
 * On failure *out still holds a reader whose heapan_reader_error() says
 * what went wrong, unless the status is HEAPAN_ERR_NOMEM (then *out is
 * NULL); close it either way.
 */
heapan_status heapan_reader_open(heapan_reader **out, const char *path);

/** Like heapan_reader_open(), reading the bytes from `len` bytes at `data`. */
heapan_status heapan_reader_open_memory(heapan_reader **out, const void *data,
                                        size_t len);

/** Like heapan_reader_open(), pulling bytes from `source`. */
heapan_status heapan_reader_open_source(heapan_reader **out,
                                        heapan_source_fn source, void *ctx);

/**
 * Like heapan_reader_open_source(), and the reader owns `ctx`: it calls
 * `release(ctx)` when it is closed, or at once if it could not be made
 * (HEAPAN_ERR_NOMEM).  For a source that must live exactly as long as the
 * reader, such as a stream the caller has already read a few bytes of.
 */
heapan_status heapan_reader_open_owned_source(heapan_reader **out, heapan_source_fn source,
                                              void (*release)(void *ctx), void *ctx);

/** The header read by open.  Valid while the reader is open. */
const heapan_header *heapan_reader_header(const heapan_reader *r);

/** The format version of the file, e.g. 1 and 0. */
void heapan_reader_version(const heapan_reader *r, unsigned *major,
                           unsigned *minor);

/**
 * Decode the next record into *rec: HEAPAN_OK, HEAPAN_END after the END
 * record, or an error (then see heapan_reader_error()).  After an error
 * every later call returns the same error.
 */
heapan_status heapan_reader_next(heapan_reader *r, heapan_record *rec);

/**
 * The bytes of string `id`, or NULL if it is not defined yet.  *len (if
 * `len` is not NULL) receives the length.  The bytes are NUL-terminated
 * for convenience and stay valid while the reader is open.
 */
const char *heapan_reader_string(const heapan_reader *r, uint32_t id,
                                 size_t *len);

/** Records of each kind read so far, as in the END record's counts. */
const heapan_counts *heapan_reader_counts(const heapan_reader *r);

/** Number of records of unknown kind skipped so far. */
uint64_t heapan_reader_skipped(const heapan_reader *r);

/** Decompressed bytes consumed so far (the position used in messages). */
uint64_t heapan_reader_offset(const heapan_reader *r);

/** One-line description of the last error, or "" if none. */
const char *heapan_reader_error(const heapan_reader *r);

/** Close the input and free the reader.  NULL is allowed. */
void heapan_reader_close(heapan_reader *r);

#ifdef __cplusplus
}
#endif
#endif /* HEAPAN_H */
