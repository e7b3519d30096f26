/*
 * mkdump.c: writes the dumps the tests read, good and bad.  Good dumps go
 * through libheapan; malformed ones are encoded by hand and compressed
 * with libzstd, since the writer refuses to produce them.
 *
 *   mkdump KIND OUT [N]     (mkdump --list shows the kinds)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

#include "encoding.h"
#include "heapan.h"

static heapan_writer *w;

static void die(const char *what)
{
    fprintf(stderr, "mkdump: %s: %s\n", what, w ? heapan_writer_error(w) : "");
    exit(2);
}

static void check(heapan_status st, const char *what)
{
    if (st != HEAPAN_OK)
        die(what);
}

static uint32_t str(const char *s)
{
    uint32_t id = heapan_writer_string(w, s, strlen(s));
    if (!id)
        die("string");
    return id;
}

static uint64_t sample_bytes; /* of the next header start() writes */

static void start(const char *path, unsigned content, size_t flush_interval)
{
    static const char *const argv[] = {"python3", "app.py", "--serve"};
    /* direct: "unfinished" dies mid-dump, and what it wrote must stay */
    heapan_writer_options options = {.flush_interval = flush_interval, .direct = 1};
    if (heapan_writer_open(&w, path, &options) != HEAPAN_OK) {
        perror(path);
        exit(2);
    }
    heapan_header h = {.content = content,
                       .flags = HEAPAN_HEADER_VALUES | HEAPAN_HEADER_TRACEBACKS,
                       .producer = "mkdump",
                       .producer_version = "1.0",
                       .runtime = "CPython",
                       .runtime_version = "3.11.7",
                       .sample_bytes = sample_bytes,
                       .pid = 4242,
                       .time_us = 1764000000000000,
                       .pointer_size = 8,
                       .argc = 3,
                       .argv = argv};
    check(heapan_writer_header(w, &h), "header");
}

static void finish(void)
{
    check(heapan_writer_close(w, NULL), "close");
    heapan_writer_free(w);
}

static uint32_t type(const char *module, const char *name, unsigned flags)
{
    heapan_type t = {.name = str(name), .module = str(module), .flags = flags};
    uint32_t id = heapan_writer_type(w, &t);
    if (!id)
        die("type");
    return id;
}

static void object(uint64_t address, uint32_t type_id, uint64_t size, uint64_t length)
{
    heapan_object o = {.address = address, .type = type_id, .size = size, .refcount = 1,
                       .length = length};
    check(heapan_writer_object(w, &o), "object");
}

static void ref(uint64_t from, uint64_t to, heapan_label_kind kind, const char *label,
                int64_t number)
{
    heapan_ref r = {.from = from, .to = to, .label_kind = kind,
                    .label = label ? str(label) : 0, .label_number = number};
    check(heapan_writer_ref(w, &r), "ref");
}

static void root(uint64_t address, heapan_root_kind kind, const char *label)
{
    heapan_root r = {.object = address, .kind = kind, .label = label ? str(label) : 0};
    check(heapan_writer_root(w, &r), "root");
}

static void property(uint64_t object, const char *key, int64_t number, const char *text)
{
    heapan_property p = {.object = object, .key = str(key),
                         .value_kind = text ? HEAPAN_VALUE_TEXT : HEAPAN_VALUE_INT, .i = number,
                         .data = text, .len = text ? strlen(text) : 0};
    check(heapan_writer_property(w, &p), "property");
}

/* A class with its own object at `address` and an __mro__ of it and `bases`. */
static uint32_t class(const char *module, const char *name, uint64_t address, unsigned flags,
                      const uint64_t *bases, size_t n)
{
    heapan_type t = {.name = str(name), .module = str(module), .flags = flags, .address = address,
                     .basic_size = 16, .pre_header = 16, .inline_values = 40};
    uint32_t id = heapan_writer_type(w, &t);
    if (!id)
        die("type");
    object(address, type("builtins", "type", HEAPAN_TYPE_BUILTIN), 900, 0);
    object(address + 8, type("builtins", "tuple", HEAPAN_TYPE_BUILTIN | HEAPAN_TYPE_SEQUENCE), 64,
           n + 1);
    ref(address, address + 8, HEAPAN_LABEL_FIELD, "__mro__", 0);
    ref(address + 8, address, HEAPAN_LABEL_INDEX, NULL, 0);
    for (size_t i = 0; i < n; i++)
        ref(address + 8, bases[i], HEAPAN_LABEL_INDEX, NULL, (int64_t)i + 1);
    return id;
}

/*
 * The memory facts heapan-python records (docs/format.md, "Memory
 * facts") of a fragmented program: 64 MiB of arenas that hold 2 MiB of
 * small tuples, one in each of 16 pools.  `foreign`: malloc is not
 * glibc's, and its file name is hostile.
 */
static void write_memory(const char *path, int foreign)
{
    const int64_t MiB = 1 << 20;
    start(path, HEAPAN_CONTENT_HEAP, 0);
    root(0x1000, HEAPAN_ROOT_MODULE, "app");
    uint32_t module_t = type("builtins", "module", HEAPAN_TYPE_BUILTIN);
    uint32_t list_t = type("builtins", "list", HEAPAN_TYPE_BUILTIN | HEAPAN_TYPE_SEQUENCE);
    uint32_t tuple_t = type("builtins", "tuple", HEAPAN_TYPE_BUILTIN | HEAPAN_TYPE_SEQUENCE);
    object(0x1000, module_t, 72, 0);
    object(0x2000, list_t, 2 * MiB, 16);
    ref(0x1000, 0x2000, HEAPAN_LABEL_ATTRIBUTE, "kept", 0);
    for (uint64_t i = 0; i < 16; i++) {
        object(0x7f0000000000 + i * 16384, tuple_t, 64, 2);
        ref(0x2000, 0x7f0000000000 + i * 16384, HEAPAN_LABEL_INDEX, NULL, (int64_t)i);
    }
    static const struct {
        const char *key;
        int64_t value;
    } facts[] = {{"memory.rss", 96 * MiB},        {"memory.anonymous", 80 * MiB},
                 {"memory.file", 16 * MiB},       {"memory.shmem", 0},
                 {"memory.pss", 90 * MiB},        {"memory.swap", 0},
                 {"memory.stack", 128 << 10},     {"memory.thread_stacks", 64 << 10},
                 {"memory.thread_stacks", 1},     {"memory.thread_stacks", 3},
                 {"memory.static", 2 * MiB},      {"memory.brk_heap", 6 * MiB},
                 {"memory.anonymous_other", 70 * MiB},
                 {"memory.mapping", 0x7f0000000000}, {"memory.mapping", 64 * MiB},
                 {"memory.mapping", 64 * MiB},    {"memory.mapping", 0},
                 {"memory.cgroup", 200 * MiB},    {"memory.cgroup", 512 * MiB},
                 {"pymalloc.arena_size", MiB},    {"pymalloc.pool_size", 16384},
                 {"pymalloc.arenas", 64},         {"pymalloc.pools", 4000},
                 {"pymalloc.pools", -1},          {"pymalloc.pools", 96},
                 {"pymalloc.blocks", 3 * MiB},    {"pymalloc.blocks", 58 * MiB},
                 {"pymalloc.overhead", 200000},   {"pymalloc.overhead", 100000},
                 {"pymalloc.overhead", 0},        {"pymalloc.resident", -1},
                 {"pymalloc.class", 64},          {"pymalloc.class", 4000},
                 {"pymalloc.class", 49152},       {"pymalloc.class", 950000},
                 {"memory.objects_static", 0}};
    for (size_t i = 0; i < sizeof facts / sizeof facts[0]; i++)
        property(0, facts[i].key, facts[i].value, NULL);
    property(0, "memory.source", 0, "smaps_rollup");
    property(0, "pymalloc.source", 0, "debug_stats");
    if (foreign) {
        property(0, "malloc.allocator", 0, "/opt/<b>evil</b>`|*\x1b[31m\xe2\x80\xae/libjemalloc.so");
    } else {
        property(0, "malloc.allocator", 0, "glibc");
        property(0, "malloc.arena", 7 * MiB, NULL);
        property(0, "malloc.in_use", 5 * MiB, NULL);
        property(0, "malloc.free", 2 * MiB, NULL);
        property(0, "malloc.free_chunks", 40, NULL);
        property(0, "malloc.mmapped", MiB, NULL);
        property(0, "malloc.mmapped", 2, NULL);
        property(0, "malloc.top_pad", 128 << 10, NULL);
    }
    property(0, "memory.objects_not_resident", 0, NULL);
    finish();
}

/*
 * A program as heapan-python dumps it, with the facts a report tells its
 * story from: the collector's state, where the library lives, a
 * functools cache on a method of a class named like an HTML tag, loggers
 * named like Markdown, and a dict keyed by tuples.  Every name the causes
 * quote and the fitted examples would use is hostile.
 */
static void write_story(const char *path)
{
    start(path, HEAPAN_CONTENT_HEAP, 0);
    root(0x1000, HEAPAN_ROOT_MODULE, "app");
    root(0x3000, HEAPAN_ROOT_MODULE, "logging");
    property(0, "gc.enabled", 1, NULL);
    for (int g = 0; g < 3; g++)
        property(0, "gc.threshold", g ? 10 : 700, NULL);
    property(0, "stdlib.dir", 0, "/usr/lib/python3.11");
    property(0, "site.packages", 0, "/usr/lib/python3/dist-packages");
    property(0, "stdlib.module", 0, "logging");
    const char *evil_class = "<img src=x onerror=alert(3)>`|*", *evil_method = "render`rm -rf /`";
    uint64_t object_class = 0x10000, logger_class = 0x10100, app_class = 0x10200;
    class("builtins", "object", object_class, HEAPAN_TYPE_BUILTIN, NULL, 0);
    uint32_t logger = class("logging", "Logger", logger_class, HEAPAN_TYPE_HAS_DICT, &object_class, 1);
    uint32_t app = class("app", evil_class, app_class, HEAPAN_TYPE_HAS_DICT, &object_class, 1);
    uint32_t module_t = type("builtins", "module", HEAPAN_TYPE_BUILTIN);
    uint32_t dict_t = type("builtins", "dict", HEAPAN_TYPE_BUILTIN | HEAPAN_TYPE_MAPPING);
    uint32_t tuple_t = type("builtins", "tuple", HEAPAN_TYPE_BUILTIN | HEAPAN_TYPE_SEQUENCE);
    uint32_t str_t = type("builtins", "str", HEAPAN_TYPE_BUILTIN | HEAPAN_TYPE_SEQUENCE);
    uint32_t wrapper = type("functools", "_lru_cache_wrapper", HEAPAN_TYPE_HAS_DICT);
    object(0x1000, module_t, 72, 0); /* module app */
    object(0x1100, dict_t, 2000, 3);
    property(0x1000, "module.file", 0, "/srv/app/app.py");
    ref(0x1000, 0x1100, HEAPAN_LABEL_FIELD, "__dict__", 0);
    ref(0x1100, app_class, HEAPAN_LABEL_KEY, evil_class, 0);
    object(app_class + 0x40, dict_t, 600, 1); /* the class's namespace */
    ref(app_class, app_class + 0x40, HEAPAN_LABEL_FIELD, "__dict__", 0);
    ref(app_class + 0x40, 0x2000, HEAPAN_LABEL_KEY, evil_method, 0);
    object(0x2000, wrapper, 120, 0);
    object(0x2100, dict_t, 40000, 400);
    ref(0x2000, 0x2100, HEAPAN_LABEL_FIELD, "cache", 0);
    property(0x2000, "lru_cache.hits", 0, NULL);
    property(0x2000, "lru_cache.misses", 400, NULL);
    property(0x2000, "lru_cache.maxsize", -1, NULL);
    for (uint64_t i = 0; i < 400; i++) {
        uint64_t key = 0x100000 + 0x100 * i, self = key + 0x40, result = key + 0x80;
        object(key, tuple_t, 56, 2);
        object(self, app, 96, 0);
        object(result, str_t, 1500, 1400);
        ref(0x2100, key, HEAPAN_LABEL_DICT_KEY, NULL, 0);
        ref(0x2100, result, HEAPAN_LABEL_NONE, NULL, 0);
        ref(key, self, HEAPAN_LABEL_INDEX, NULL, 0);
    }
    /* logging's registry: loggers per request, named with Markdown and HTML */
    object(0x3000, module_t, 72, 0);
    object(0x3100, dict_t, 30000, 300);
    property(0x3000, "module.file", 0, "/usr/lib/python3.11/logging/__init__.py");
    ref(0x3000, 0x3100, HEAPAN_LABEL_ATTRIBUTE, "loggerDict", 0);
    for (uint64_t i = 0; i < 300; i++) {
        char name[64];
        snprintf(name, sizeof name, "*job*|<b>%llu</b>`", (unsigned long long)(1000 + 7 * i));
        object(0x200000 + 0x100 * i, logger, 1200, 0);
        ref(0x3100, 0x200000 + 0x100 * i, HEAPAN_LABEL_KEY, name, 0);
    }
    /* a dict keyed by tuples: each value reads its key */
    object(0x4000, dict_t, 9000, 200);
    ref(0x1100, 0x4000, HEAPAN_LABEL_KEY, "index", 0);
    for (uint64_t i = 0; i < 200; i++) {
        char key[64];
        snprintf(key, sizeof key, "('<script>', %llu)", (unsigned long long)i);
        object(0x300000 + 0x100 * i, str_t, 800, 700);
        ref(0x4000, 0x300000 + 0x100 * i, HEAPAN_LABEL_KEY_REPR, key, 0);
    }
    finish();
}

/* A small, well-formed heap: module app.cache holding a dict of orders. */
static void write_basic(const char *path)
{
    start(path, HEAPAN_CONTENT_HEAP, 0);
    uint32_t module_t = type("builtins", "module", HEAPAN_TYPE_BUILTIN | HEAPAN_TYPE_HAS_DICT);
    uint32_t dict_t = type("builtins", "dict", HEAPAN_TYPE_BUILTIN | HEAPAN_TYPE_MAPPING);
    uint32_t str_t = type("builtins", "str", HEAPAN_TYPE_BUILTIN | HEAPAN_TYPE_SEQUENCE);
    uint32_t order_t = type("app.models", "Order", HEAPAN_TYPE_HAS_DICT);
    uint32_t frame = heapan_writer_frame(w, str("app/cache.py"), str("load"), 42);
    uint32_t stack = heapan_writer_stack(w, heapan_writer_stack(w, 0, frame), frame);
    uint32_t names[] = {str("id"), str("payload")};
    uint32_t shape = heapan_writer_shape(w, names, 2);
    if (!frame || !stack || !shape)
        die("interning");

    root(0x1000, HEAPAN_ROOT_MODULE, "app.cache");
    root(0x5000, HEAPAN_ROOT_EXTERNAL, NULL);
    object(0x1000, module_t, 72, 0);
    object(0x2000, dict_t, 232, 2);
    heapan_object key = {.address = 0x3000, .type = str_t, .size = 56, .refcount = 2,
                         .length = 7, .value_kind = HEAPAN_VALUE_TEXT, .data = "user:42",
                         .len = 7, .flags = HEAPAN_OBJ_HAS_HASH, .value_hash = 0x1234};
    check(heapan_writer_object(w, &key), "object");
    for (uint64_t i = 0; i < 2; i++) {
        heapan_object order = {.address = 0x4000 + i * 0x100, .type = order_t, .size = 56,
                               .refcount = 1, .stack = stack, .shape = shape};
        check(heapan_writer_object(w, &order), "object");
    }
    heapan_object number = {.address = 0x5000, .type = type("builtins", "int", HEAPAN_TYPE_BUILTIN),
                            .size = 28, .refcount = 9, .value_kind = HEAPAN_VALUE_INT, .i = -7};
    check(heapan_writer_object(w, &number), "object");
    ref(0x1000, 0x2000, HEAPAN_LABEL_ATTRIBUTE, "_CACHE", 0);
    ref(0x2000, 0x3000, HEAPAN_LABEL_DICT_KEY, NULL, 0);
    ref(0x2000, 0x4000, HEAPAN_LABEL_KEY, "user:42", 0);
    ref(0x2000, 0x4100, HEAPAN_LABEL_INT_KEY, NULL, 7);
    ref(0x4000, 0x5000, HEAPAN_LABEL_ATTRIBUTE, "id", 0);
    heapan_ref weak = {.from = 0x4100, .to = 0x4000, .weak = 1};
    check(heapan_writer_ref(w, &weak), "ref");
    finish();
}

/*
 * Names full of HTML and Markdown metacharacters, in every place a report
 * shows: a module, a key, a class, a site.  A registry of 300 instances
 * makes them a leak candidate and a __slots__ suggestion.
 */
static void write_hostile(const char *path)
{
    start(path, HEAPAN_CONTENT_HEAP, 0);
    uint32_t module_t = type("builtins", "module", HEAPAN_TYPE_BUILTIN | HEAPAN_TYPE_HAS_DICT);
    uint32_t dict_t = type("builtins", "dict", HEAPAN_TYPE_BUILTIN | HEAPAN_TYPE_MAPPING);
    uint32_t list_t = type("builtins", "list", HEAPAN_TYPE_BUILTIN | HEAPAN_TYPE_SEQUENCE);
    uint32_t evil_t = type("evil<b>mod</b>", "<script>alert(1)</script>|Evil`name`\n# heading",
                           HEAPAN_TYPE_HAS_DICT);
    uint32_t frame = heapan_writer_frame(w, str("<img src=x onerror=alert(2)>.py"),
                                         str("f|g*h*"), 7);
    uint32_t stack = heapan_writer_stack(w, 0, frame);
    if (!frame || !stack)
        die("interning");
    root(0x1000, HEAPAN_ROOT_MODULE, "<script>alert(\"m\")</script>");
    object(0x1000, module_t, 72, 0);
    object(0x2000, dict_t, 232, 1);
    object(0x3000, list_t, 56 + 8 * 300, 300);
    ref(0x1000, 0x2000, HEAPAN_LABEL_FIELD, "__dict__", 0);
    ref(0x2000, 0x3000, HEAPAN_LABEL_KEY, "</td><img src=x onerror=alert(3)>|*_[x](javascript:alert(4))", 0);
    for (uint64_t i = 0; i < 300; i++) {
        heapan_object o = {.address = 0x10000 + i * 0x100, .type = evil_t, .size = 1000,
                           .refcount = 1, .stack = stack};
        check(heapan_writer_object(w, &o), "object");
        ref(0x3000, o.address, HEAPAN_LABEL_INDEX, NULL, (int64_t)i);
    }
    for (uint64_t i = 0; i < 300; i++) {
        ref(0x10000 + i * 0x100, 0x1000, HEAPAN_LABEL_ATTRIBUTE, "<i>owner</i>", 0);
        ref(0x10000 + i * 0x100, 0x2000, HEAPAN_LABEL_ATTRIBUTE, "`tick`", 0);
    }
    finish();
}

/*
 * Names that would drive a terminal or reorder its text: C1 controls (CSI
 * is U+009B), bidi overrides and isolates, a line separator, bytes that are
 * no UTF-8, an ESC.  Modules, types, keys and values carry them.
 */
static void write_terminal(const char *path)
{
    start(path, HEAPAN_CONTENT_HEAP, 0);
    static const char *const names[] = {
        "csi\xc2\x9b" "31mred", "rlo\xe2\x80\xae" "txt.exe", "lri\xe2\x81\xa6x\xe2\x81\xa9",
        "ls\xe2\x80\xa8" "next", "bad\xff\xfe" "utf8", "esc\x1b[2J", "c1\xc2\x85nel"};
    size_t n = sizeof names / sizeof *names;
    uint32_t module_t = type("builtins", "module", HEAPAN_TYPE_BUILTIN | HEAPAN_TYPE_HAS_DICT);
    uint32_t dict_t = type("builtins", "dict", HEAPAN_TYPE_BUILTIN | HEAPAN_TYPE_MAPPING);
    root(0x1000, HEAPAN_ROOT_MODULE, names[0]);
    object(0x1000, module_t, 72, 0);
    object(0x2000, dict_t, 232, n);
    ref(0x1000, 0x2000, HEAPAN_LABEL_FIELD, "__dict__", 0);
    for (size_t i = 0; i < n; i++) {
        uint32_t t = type(names[(i + 1) % n], names[i], HEAPAN_TYPE_HAS_DICT);
        heapan_object o = {.address = 0x10000 + i * 0x100, .type = t, .size = 100000,
                           .refcount = 1, .value_kind = HEAPAN_VALUE_TEXT, .data = names[i],
                           .len = strlen(names[i])};
        check(heapan_writer_object(w, &o), "object");
        ref(0x2000, o.address, HEAPAN_LABEL_KEY, names[i], 0);
    }
    finish();
}

/* A module global holding a 3 MB bytes object: a file read whole. */
static void write_bigvalue(const char *path)
{
    start(path, HEAPAN_CONTENT_HEAP, 0);
    uint32_t module_t = type("builtins", "module", HEAPAN_TYPE_BUILTIN | HEAPAN_TYPE_HAS_DICT);
    uint32_t dict_t = type("builtins", "dict", HEAPAN_TYPE_BUILTIN | HEAPAN_TYPE_MAPPING);
    uint32_t bytes_t = type("builtins", "bytes", HEAPAN_TYPE_BUILTIN | HEAPAN_TYPE_SEQUENCE);
    root(0x1000, HEAPAN_ROOT_MODULE, "loader");
    object(0x1000, module_t, 72, 0);
    object(0x2000, dict_t, 232, 1);
    object(0x3000, bytes_t, 3000033, 3000000);
    ref(0x1000, 0x2000, HEAPAN_LABEL_FIELD, "__dict__", 0);
    ref(0x2000, 0x3000, HEAPAN_LABEL_KEY, "CONTENT", 0);
    finish();
}

/* A linked list of n nodes under one root, flushed every 4 KiB. */
static void write_chain(const char *path, uint64_t n)
{
    start(path, HEAPAN_CONTENT_HEAP, 4096);
    uint32_t node_t = type("app", "Node", HEAPAN_TYPE_HAS_DICT);
    root(16, HEAPAN_ROOT_MODULE, "app");
    for (uint64_t i = 1; i <= n; i++) {
        object(i * 16, node_t, 48, 0);
        if (i < n)
            ref(i * 16, (i + 1) * 16, HEAPAN_LABEL_ATTRIBUTE, "next", 0);
    }
    finish();
}

/*
 * A ring of n nodes, each the next one's only holder but the first's: with
 * `rooted`, a module holds node 1; without, no root reaches the ring and
 * the collector is off, so the ring is garbage that stays.
 */
static void write_cycle(const char *path, uint64_t n, int rooted)
{
    start(path, HEAPAN_CONTENT_HEAP, 1 << 20);
    if (!rooted)
        property(0, "gc.enabled", 0, NULL);
    uint32_t module_t = type("builtins", "module", HEAPAN_TYPE_BUILTIN | HEAPAN_TYPE_HAS_DICT);
    uint32_t node_t = type("app", "Node", HEAPAN_TYPE_HAS_DICT);
    root(8, HEAPAN_ROOT_MODULE, "app");
    object(8, module_t, 72, 0);
    if (rooted)
        ref(8, 16, HEAPAN_LABEL_ATTRIBUTE, "head", 0);
    for (uint64_t i = 1; i <= n; i++) {
        object(i * 16, node_t, 48, 0);
        ref(i * 16, i < n ? (i + 1) * 16 : 16, HEAPAN_LABEL_ATTRIBUTE, "next", 0);
    }
    finish();
}

/*
 * A zip bomb: n distinct strings of 16 MiB each (the format's largest),
 * nearly all one byte: a file of a few hundred KB that would take n times
 * 16 MiB to hold.
 */
static void write_string_bomb(const char *path, uint64_t n)
{
    start(path, HEAPAN_CONTENT_HEAP, 0);
    size_t len = 16u << 20;
    char *text = malloc(len);
    if (!text)
        die("memory");
    memset(text, 'a', len);
    for (uint64_t i = 0; i < n; i++) {
        snprintf(text, 24, "%020llu", (unsigned long long)i);
        text[20] = 'a';
        if (!heapan_writer_string(w, text, len))
            die("string");
    }
    free(text);
    finish();
}

/* A complete dump that names no root: every object is unreachable, and heapan says why. */
static void write_rootless(const char *path)
{
    start(path, HEAPAN_CONTENT_HEAP, 0);
    uint32_t t = type("app", "Node", 0);
    for (uint64_t i = 1; i <= 10; i++)
        object(i * 16, t, 48, 0);
    finish();
}

/* A 1.1 dump with its root after the objects, against the format's order. */
static void write_roots_last(const char *path)
{
    start(path, HEAPAN_CONTENT_HEAP, 0);
    uint32_t t = type("app", "Node", 0);
    for (uint64_t i = 1; i <= 10; i++) {
        object(i * 16, t, 48, 0);
        if (i < 10)
            ref(i * 16, (i + 1) * 16, HEAPAN_LABEL_ATTRIBUTE, "next", 0);
    }
    root(16, HEAPAN_ROOT_MODULE, "app");
    finish();
}

static void write_trace(const char *path)
{
    start(path, HEAPAN_CONTENT_TRACE, 0);
    uint32_t frame = heapan_writer_frame(w, str("app/io.py"), str("read_all"), 7);
    uint32_t stack = heapan_writer_stack(w, 0, frame);
    uint64_t live = 0;
    for (uint64_t i = 0; i < 100; i++) {
        heapan_alloc a = {.time_us = i * 1000, .address = 0x10000 + i * 64, .size = 1024,
                          .stack = stack, .thread = 1};
        check(heapan_writer_alloc_event(w, &a), "alloc");
        live += 1024;
        if (i % 2) {
            heapan_free f = {.time_us = i * 1000 + 500, .address = a.address};
            check(heapan_writer_free_event(w, &f), "free");
            live -= 1024;
        }
        if (i % 10 == 9) {
            heapan_sample s = {.time_us = i * 1000 + 900, .rss = 20u << 20, .traced_bytes = live};
            check(heapan_writer_sample(w, &s), "sample");
        }
    }
    finish();
}

/* Module app.cache whose _CACHE dict holds n sessions: a pair of n makes a gate's baseline and its growth. */
static void write_cache(const char *path, uint64_t n)
{
    start(path, HEAPAN_CONTENT_HEAP, 0);
    uint32_t module_t = type("builtins", "module", HEAPAN_TYPE_BUILTIN);
    uint32_t dict_t = type("builtins", "dict", HEAPAN_TYPE_BUILTIN | HEAPAN_TYPE_MAPPING);
    uint32_t session_t = type("app.cache", "Session", 0);
    root(0x1000, HEAPAN_ROOT_MODULE, "app.cache");
    object(0x1000, module_t, 72, 0);
    object(0x1100, dict_t, 640, 4);
    ref(0x1000, 0x1100, HEAPAN_LABEL_FIELD, "__dict__", 0);
    object(0x2000, dict_t, 64 + 48 * n, n);
    ref(0x1100, 0x2000, HEAPAN_LABEL_KEY, "_CACHE", 0);
    char key[32];
    for (uint64_t i = 0; i < n; i++) {
        snprintf(key, sizeof key, "user-%llu", (unsigned long long)i);
        object(0x100000 + 0x400 * i, session_t, 512, 0);
        ref(0x2000, 0x100000 + 0x400 * i, HEAPAN_LABEL_KEY, key, 0);
    }
    finish();
}

/*
 * One module holding one object allocated where tracemalloc says: its
 * frames name a file and a line, never a function.
 */
static void write_single(const char *path)
{
    start(path, HEAPAN_CONTENT_HEAP, 0);
    uint32_t module_t = type("builtins", "module", HEAPAN_TYPE_BUILTIN);
    uint32_t list_t = type("builtins", "list", HEAPAN_TYPE_BUILTIN | HEAPAN_TYPE_SEQUENCE);
    uint32_t stack = heapan_writer_stack(w, 0, heapan_writer_frame(w, str("app/main.py"), 0, 1458));
    root(0x1000, HEAPAN_ROOT_MODULE, "app");
    object(0x1000, module_t, 72, 0);
    heapan_object o = {.address = 0x2000, .type = list_t, .size = 4096, .refcount = 1,
                       .length = 500, .stack = stack};
    check(heapan_writer_object(w, &o), "object");
    ref(0x1000, 0x2000, HEAPAN_LABEL_ATTRIBUTE, "ITEMS", 0);
    finish();
}

/* A complete dump of nothing: every table is empty. */
static void write_empty(const char *path)
{
    start(path, HEAPAN_CONTENT_HEAP, 0);
    finish();
}

/* Objects whose sizes pass any address space, and add up past 2^64 bytes. */
static void write_huge_sizes(const char *path)
{
    start(path, HEAPAN_CONTENT_HEAP, 0);
    uint32_t t = type("app", "Blob", 0);
    root(16, HEAPAN_ROOT_MODULE, "app");
    object(16, t, 64, 0);
    for (uint64_t i = 2; i <= 201; i++) { /* 200 x 64 PiB: past 8 EiB in all */
        object(i * 16, t, UINT64_MAX - i, 0);
        ref(16, i * 16, HEAPAN_LABEL_INDEX, NULL, (int64_t)i);
    }
    finish();
}

/*
 * A trace that breaks its own rules: an address allocated twice with no
 * free between, and records stamped earlier than the ones before them.
 */
static void write_odd_trace(const char *path, uint64_t every)
{
    sample_bytes = every;
    start(path, HEAPAN_CONTENT_TRACE, 0);
    uint32_t frame = heapan_writer_frame(w, str("app/io.py"), str("read_all"), 7);
    uint32_t stack = heapan_writer_stack(w, 0, frame);
    static const uint64_t times[] = {1000, 2000, 1500, 3000, 500};
    for (size_t i = 0; i < sizeof times / sizeof *times; i++) {
        heapan_alloc a = {.time_us = times[i], .address = 0x10000 + (i % 2) * 64, .size = 1024,
                          .stack = stack, .thread = 1};
        check(heapan_writer_alloc_event(w, &a), "alloc");
    }
    finish();
}

/*
 * A recursion n frames deep, every frame on one line as a recursive call's
 * are, with a block allocated at each depth: stacks as deep as a program's
 * can get, for the trace reports' speed.
 */
static void write_deep_trace(const char *path, uint64_t n)
{
    start(path, HEAPAN_CONTENT_TRACE, 1 << 20);
    uint32_t frame = heapan_writer_frame(w, str("app/walk.py"), str("walk"), 12);
    uint32_t stack = 0;
    for (uint64_t i = 0; i < n; i++) {
        if (!(stack = heapan_writer_stack(w, stack, frame)))
            die("stack");
        heapan_alloc a = {.time_us = i, .address = 0x10000 + i * 64, .size = 64, .stack = stack,
                          .thread = 1};
        check(heapan_writer_alloc_event(w, &a), "alloc");
    }
    finish();
}

/*
 * A heap dump that also carries the allocations of its objects, as if the
 * trace and the dump of one process were one file: for the fuzz replay,
 * which joins any input, read as a dump, with itself read as a trace.
 */
static void write_joined(const char *path)
{
    start(path, HEAPAN_CONTENT_HEAP, 0);
    uint32_t module_t = type("builtins", "module", HEAPAN_TYPE_BUILTIN);
    uint32_t list_t = type("builtins", "list", HEAPAN_TYPE_BUILTIN | HEAPAN_TYPE_CONTAINER |
                                                   HEAPAN_TYPE_SEQUENCE);
    uint32_t bytes_t = type("builtins", "bytes", HEAPAN_TYPE_BUILTIN | HEAPAN_TYPE_SEQUENCE);
    uint32_t leak = heapan_writer_stack(w, 0, heapan_writer_frame(w, str("app.py"), str("handle"), 9));
    uint32_t comprehension = heapan_writer_stack(
        w, leak, heapan_writer_frame(w, str("app.py"), str("handle.<locals>.<listcomp>"), 6));
    root(0x1000, HEAPAN_ROOT_MODULE, "app");
    object(0x1000, module_t, 72, 0);
    object(0x2010, list_t, 1656, 200);
    ref(0x1000, 0x2010, HEAPAN_LABEL_ATTRIBUTE, "LEAK", 0);
    heapan_alloc list = {.time_us = 0, .address = 0x2000, .size = 56, .stack = leak, .thread = 1};
    check(heapan_writer_alloc_event(w, &list), "alloc");
    for (uint64_t i = 0; i < 200; i++) {
        uint64_t address = 0x100000 + i * 0x1000;
        object(address, bytes_t, 2033, 2000);
        heapan_alloc scratch = {.time_us = i * 1000, .address = 0x900000, .size = 100000,
                                .stack = comprehension, .thread = 1};
        heapan_alloc entry = {.time_us = i * 1000 + 1, .address = address, .size = 2033,
                              .stack = leak, .thread = 1};
        heapan_free drop = {.time_us = i * 1000 + 2, .address = 0x900000};
        check(heapan_writer_alloc_event(w, &scratch), "alloc");
        check(heapan_writer_alloc_event(w, &entry), "alloc");
        check(heapan_writer_free_event(w, &drop), "free");
    }
    for (uint64_t i = 0; i < 200; i++)  /* a list's references together */
        ref(0x2010, 0x100000 + i * 0x1000, HEAPAN_LABEL_INDEX, NULL, (int64_t)i);
    finish();
}

/* Broken graphs the writer accepts: only `heapan check` can tell. */
static void write_dangling(const char *path)
{
    start(path, HEAPAN_CONTENT_HEAP, 0);
    uint32_t t = type("app", "Node", 0);
    root(0x10, HEAPAN_ROOT_MODULE, "app");
    root(0xbeef0, HEAPAN_ROOT_FRAME, "MainThread");
    object(0x10, t, 48, 0);
    object(0x20, t, 48, 0);
    object(0x20, t, 64, 0);
    ref(0x10, 0xdead0, HEAPAN_LABEL_ATTRIBUTE, "ghost", 0);
    ref(0x30, 0x10, HEAPAN_LABEL_NONE, NULL, 0);
    finish();
}

/* A dump whose writer died after a flush: no END record, frame not closed. */
static void write_unfinished(const char *path)
{
    start(path, HEAPAN_CONTENT_HEAP, 0);
    uint32_t t = type("app", "Node", 0);
    for (uint64_t i = 1; i <= 10; i++)
        object(i * 16, t, 48, 0);
    check(heapan_writer_flush(w), "flush");
    object(0x1000, t, 48, 0); /* lost with the process */
    heapan_writer_free(w);
}

/* ---- hand-encoded payloads ----------------------------------------------- */

static bytebuf raw;

static void put_varint(uint64_t v)
{
    if (bytebuf_put_varint(&raw, v) < 0)
        die("memory");
}

static void put_record(uint64_t tag, const void *payload, size_t len)
{
    put_varint(tag);
    put_varint(len);
    if (bytebuf_put(&raw, payload, len) < 0)
        die("memory");
}

static void put_preamble(uint64_t major, uint64_t minor)
{
    bytebuf_put(&raw, HEAPAN_MAGIC, HEAPAN_MAGIC_LEN);
    put_varint(major);
    put_varint(minor);
}

/* A minimal header: heap content, no flags, empty texts, no arguments. */
static void put_header(void)
{
    static const uint8_t header[] = {1, 0, 1, 'x', 0, 0, 0, 1, 0, 8, 0, 0};
    put_record(HEAPAN_REC_HEADER, header, sizeof header);
}

static void put_string_and_type(void)
{
    put_record(HEAPAN_REC_STRING, "T", 1);
    static const uint8_t type[] = {1, 0, 0, 0, 0};
    put_record(HEAPAN_REC_TYPE, type, sizeof type);
}

static void put_end(uint64_t strings, uint64_t types, uint64_t objects)
{
    uint8_t end[11 * HEAPAN_VARINT_MAX];
    uint64_t counts[11] = {strings, types, 0, 0, 0, objects, 0, 0, 0, 0, 0};
    size_t n = 0;
    for (int i = 0; i < 11; i++)
        n += varint_put(end + n, counts[i]);
    put_record(HEAPAN_REC_END, end, n);
}

static void write_compressed(const char *path, const void *data, size_t len)
{
    size_t cap = ZSTD_compressBound(len);
    void *out = malloc(cap);
    size_t n = out ? ZSTD_compress(out, cap, data, len, 3) : 0;
    FILE *f = fopen(path, "wb");
    if (!out || ZSTD_isError(n) || !f || fwrite(out, 1, n, f) != n || fclose(f) != 0)
        die(path);
    free(out);
}

static void write_raw(const char *path, const char *kind)
{
    static const uint8_t object[] = {0x10, 1, 0, 48, 1, 0, 0, 0, 0};
    if (strcmp(kind, "newer-version") == 0) {
        put_preamble(2, 0);
        put_header();
    } else if (strcmp(kind, "newer-minor") == 0) {
        /* Minor 7 adds a record kind (99) and a trailing object field. */
        put_preamble(1, 7);
        put_header();
        put_string_and_type();
        put_record(99, "future", 6);
        static const uint8_t longer[] = {0x10, 1, 0, 48, 1, 0, 0, 0, 0, 0x55, 0x66};
        put_record(HEAPAN_REC_OBJECT, longer, sizeof longer);
        put_end(1, 1, 1);
    } else if (strcmp(kind, "unknown-tags") == 0) {
        /* Record kinds this version does not know, in its own minor: skipped and counted. */
        put_preamble(1, 1);
        put_header();
        put_string_and_type();
        put_record(77, "x", 1);
        put_record(HEAPAN_REC_OBJECT, object, sizeof object);
        put_record(4000000000u, "", 0);
        put_record(1ull << 40, "zzz", 3);
        put_record(99, "yy", 2);
        put_end(1, 1, 1);
    } else if (strcmp(kind, "not-heapan") == 0) {
        bytebuf_put(&raw, "hello, world\n", 13);
    } else if (strcmp(kind, "bad-varint") == 0) {
        put_preamble(1, 0);
        put_header();
        static const uint8_t bad[] = {0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
                                      0x80, 0x80, 0x80, 0x80, 0x80, 0x01};
        put_record(HEAPAN_REC_STRING, "T", 1);
        bytebuf_put(&raw, bad, sizeof bad);
    } else if (strcmp(kind, "huge-count") == 0) {
        put_preamble(1, 0);
        put_header();
        static const uint8_t refs[] = {0x10, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x20, 0x00};
        put_record(HEAPAN_REC_REF, refs, sizeof refs);
    } else if (strcmp(kind, "huge-length") == 0) {
        put_preamble(1, 0);
        put_header();
        put_varint(HEAPAN_REC_STRING);
        put_varint(1ull << 40);
    } else if (strcmp(kind, "undefined-type") == 0) {
        put_preamble(1, 0);
        put_header();
        put_record(HEAPAN_REC_OBJECT, object, sizeof object);
    } else if (strcmp(kind, "no-header") == 0) {
        put_preamble(1, 0);
        put_string_and_type();
    } else if (strcmp(kind, "wrong-end") == 0) {
        put_preamble(1, 0);
        put_header();
        put_string_and_type();
        put_record(HEAPAN_REC_OBJECT, object, sizeof object);
        put_end(1, 1, 5);
    } else {
        fprintf(stderr, "mkdump: unknown kind '%s' (try --list)\n", kind);
        exit(2);
    }
    write_compressed(path, raw.data, raw.len);
}

static const char *const raw_kinds[] = {"newer-version", "newer-minor", "not-heapan",
                                        "bad-varint",    "huge-count",  "huge-length",
                                        "undefined-type", "no-header",  "wrong-end",
                                        "unknown-tags"};

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "--list") == 0) {
        puts("basic\nchain\ncycle\ngarbage-cycle\nstring-bomb\nrootless\nroots-last\ncache\nsingle\nempty\nhuge-sizes\ntrace\nodd-trace\noversampled-trace\ndeep-trace\ndangling\n"
             "unfinished\nhostile\nterminal\nbigvalue\njoined\nstory\nmemory\nmemory-foreign");
        for (size_t i = 0; i < sizeof raw_kinds / sizeof *raw_kinds; i++)
            puts(raw_kinds[i]);
        return 0;
    }
    if (argc < 3) {
        fprintf(stderr, "usage: mkdump KIND OUT [N]\n");
        return 2;
    }
    const char *kind = argv[1], *out = argv[2];
    if (strcmp(kind, "basic") == 0)
        write_basic(out);
    else if (strcmp(kind, "chain") == 0)
        write_chain(out, argc > 3 ? strtoull(argv[3], NULL, 10) : 1000);
    else if (strcmp(kind, "cycle") == 0 || strcmp(kind, "garbage-cycle") == 0)
        write_cycle(out, argc > 3 ? strtoull(argv[3], NULL, 10) : 1000, kind[0] == 'c');
    else if (strcmp(kind, "string-bomb") == 0)
        write_string_bomb(out, argc > 3 ? strtoull(argv[3], NULL, 10) : 64);
    else if (strcmp(kind, "rootless") == 0)
        write_rootless(out);
    else if (strcmp(kind, "roots-last") == 0)
        write_roots_last(out);
    else if (strcmp(kind, "trace") == 0)
        write_trace(out);
    else if (strcmp(kind, "cache") == 0)
        write_cache(out, argc > 3 ? strtoull(argv[3], NULL, 10) : 100);
    else if (strcmp(kind, "single") == 0)
        write_single(out);
    else if (strcmp(kind, "empty") == 0)
        write_empty(out);
    else if (strcmp(kind, "huge-sizes") == 0)
        write_huge_sizes(out);
    else if (strcmp(kind, "odd-trace") == 0)
        write_odd_trace(out, 0);
    else if (strcmp(kind, "oversampled-trace") == 0)
        write_odd_trace(out, UINT64_MAX);
    else if (strcmp(kind, "deep-trace") == 0)
        write_deep_trace(out, argc > 3 ? strtoull(argv[3], NULL, 10) : 1000);
    else if (strcmp(kind, "dangling") == 0)
        write_dangling(out);
    else if (strcmp(kind, "hostile") == 0)
        write_hostile(out);
    else if (strcmp(kind, "terminal") == 0)
        write_terminal(out);
    else if (strcmp(kind, "bigvalue") == 0)
        write_bigvalue(out);
    else if (strcmp(kind, "unfinished") == 0)
        write_unfinished(out);
    else if (strcmp(kind, "memory") == 0 || strcmp(kind, "memory-foreign") == 0)
        write_memory(out, kind[6] == '-');
    else if (strcmp(kind, "joined") == 0)
        write_joined(out);
    else if (strcmp(kind, "story") == 0)
        write_story(out);
    else
        write_raw(out, kind);
    return 0;
}
