/*
 * testdump.h: writing dumps into memory for unit tests, and reading them
 * back.  A test_dump collects the writer's compressed output.
 */
#ifndef HEAPAN_TESTDUMP_H
#define HEAPAN_TESTDUMP_H

#include <stddef.h>
#include <stdint.h>

#include "heapan.h"

typedef struct test_dump {
    heapan_writer *w;
    unsigned char *data;  /* the compressed bytes so far */
    size_t len, cap;
} test_dump;

/* Opens a writer into `d` and writes a plain heap-dump header; aborts the test on failure. */
void test_dump_start(test_dump *d, const heapan_writer_options *options);

/* Like test_dump_start() for an allocation trace, sampled every `sample_bytes` (0: all). */
void test_trace_start(test_dump *d, uint64_t sample_bytes);

/* Closes the writer (END record) and frees it; aborts on failure. */
void test_dump_finish(test_dump *d);

/* Frees the collected bytes. */
void test_dump_release(test_dump *d);

/* Interns a NUL-terminated string; aborts on failure. */
uint32_t test_string(test_dump *d, const char *s);

/* Interns a type "module.name" with no flags; aborts on failure. */
uint32_t test_type(test_dump *d, const char *module, const char *name);
/* A type whose own object is at `address`. */
uint32_t test_type_at(test_dump *d, const char *module, const char *name, uint64_t address);

/* Writes an object of `size` bytes; aborts on failure. */
void test_object(test_dump *d, uint64_t address, uint32_t type, uint64_t size);

/* Writes an unlabelled strong reference; aborts on failure. */
void test_ref(test_dump *d, uint64_t from, uint64_t to);

/*
 * A class as a Python dump holds one: its TYPE record, its own object at
 * `address` (of type builtins.type), and that object's __mro__, a tuple
 * at address + 8 of itself and the classes at `bases`.  Returns its id.
 */
uint32_t test_class(test_dump *d, const char *module, const char *name, uint64_t address,
                    unsigned flags, const uint64_t *bases, size_t base_count);

/* Writes a strong reference labelled `kind`: with the string `label`, or the number. */
void test_labelled_ref(test_dump *d, uint64_t from, uint64_t to, heapan_label_kind kind,
                       const char *label, int64_t number);

/* Writes a property of `object` (0: the process): an INT, or a TEXT when `text` is given. */
void test_property(test_dump *d, uint64_t object, const char *key, int64_t number,
                   const char *text);

/* Writes a root of `kind` with no label; aborts on failure. */
void test_root(test_dump *d, uint64_t address, heapan_root_kind kind);

/* Opens a reader on the collected bytes; aborts if that fails. */
heapan_reader *test_dump_reader(const test_dump *d);

/* Reads every record; returns the final status (HEAPAN_END when whole). */
heapan_status test_read_all(heapan_reader *r);

/*
 * Hand-encoded payloads, for inputs the writer refuses to produce: start
 * with raw_start(), add records, then raw_open() compresses the payload
 * and opens a reader on it.
 */
typedef struct raw_dump {
    unsigned char *payload, *compressed;
    size_t len, cap, compressed_len;
} raw_dump;

/* Magic, format version, and (if `header`) a minimal header record. */
void raw_start(raw_dump *d, uint64_t major, uint64_t minor, int header);
void raw_bytes(raw_dump *d, const void *bytes, size_t len);
void raw_varint(raw_dump *d, uint64_t v);
/* A record: tag, length, payload. */
void raw_record(raw_dump *d, unsigned tag, const void *payload, size_t len);
/* Compresses and opens; *r is set even on failure (close it). */
heapan_status raw_open(raw_dump *d, heapan_reader **r);
void raw_release(raw_dump *d);

#endif
