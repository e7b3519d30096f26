/* names.c: the library's version and the names of its enums. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif
#include "heapan.h"

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "unknown"
#endif

const char *heapan_version(void)
{
    return PACKAGE_VERSION;
}

const char *heapan_status_name(heapan_status status)
{
    switch (status) {
    case HEAPAN_OK: return "ok";
    case HEAPAN_END: return "end";
    case HEAPAN_ERR_IO: return "i/o error";
    case HEAPAN_ERR_NOMEM: return "out of memory";
    case HEAPAN_ERR_INVALID: return "invalid argument";
    case HEAPAN_ERR_EMPTY: return "empty input";
    case HEAPAN_ERR_NOT_ZSTD: return "not zstd";
    case HEAPAN_ERR_NOT_HEAPAN: return "not a heapan file";
    case HEAPAN_ERR_VERSION: return "unsupported version";
    case HEAPAN_ERR_CORRUPT: return "corrupt";
    case HEAPAN_ERR_TRUNCATED: return "truncated";
    case HEAPAN_ERR_LIMIT: return "limit exceeded";
    }
    return "unknown status";
}

const char *heapan_record_kind_name(unsigned kind)
{
    static const char *const names[HEAPAN_REC_KIND_COUNT] = {
        [HEAPAN_REC_HEADER] = "header", [HEAPAN_REC_STRING] = "string",
        [HEAPAN_REC_TYPE] = "type",     [HEAPAN_REC_FRAME] = "frame",
        [HEAPAN_REC_STACK] = "stack",   [HEAPAN_REC_SHAPE] = "shape",
        [HEAPAN_REC_OBJECT] = "object", [HEAPAN_REC_REF] = "ref",
        [HEAPAN_REC_ROOT] = "root",     [HEAPAN_REC_ALLOC] = "alloc",
        [HEAPAN_REC_FREE] = "free",     [HEAPAN_REC_SAMPLE] = "sample",
        [HEAPAN_REC_END] = "end",       [HEAPAN_REC_PROPERTY] = "property",
        [HEAPAN_REC_REUSE] = "reuse",
    };
    return kind < HEAPAN_REC_KIND_COUNT && names[kind] ? names[kind] : "unknown";
}

const char *heapan_root_kind_name(unsigned kind)
{
    static const char *const names[HEAPAN_ROOT_KIND_COUNT] = {
        [HEAPAN_ROOT_OTHER] = "other",         [HEAPAN_ROOT_MODULE] = "module",
        [HEAPAN_ROOT_FRAME] = "frame",         [HEAPAN_ROOT_EXTERNAL] = "external",
        [HEAPAN_ROOT_INTERNED] = "interned",   [HEAPAN_ROOT_BUILTINS] = "builtins",
        [HEAPAN_ROOT_GC_GARBAGE] = "gc-garbage", [HEAPAN_ROOT_THREAD] = "thread",
    };
    return kind < HEAPAN_ROOT_KIND_COUNT ? names[kind] : "unknown";
}
