/*
 * recordpipe.h: reading a dump on a second core.  A thread decompresses
 * and decodes records into chunks while the caller builds from the
 * previous chunk.  String records stay in the reader (its string table);
 * every other record is copied, shape names included.  The reader must
 * not be used by anyone else until record_pipe_finish().
 */
#ifndef HEAPAN_RECORDPIPE_H
#define HEAPAN_RECORDPIPE_H

#include <stddef.h>
#include <stdint.h>

#include "heapan.h"

typedef struct record_pipe record_pipe;

/* Starts reading `r`; NULL when no thread can start (then read it inline). */
record_pipe *record_pipe_start(heapan_reader *r);

/*
 * The next chunk: `*count` records, valid until the next call, and the
 * reader's position after them.  Returns NULL after the last chunk.
 */
const heapan_record *record_pipe_next(record_pipe *p, size_t *count, uint64_t *offset);

/* Stops the thread (even mid-dump) and frees the pipe; returns how reading ended. */
heapan_status record_pipe_finish(record_pipe *p);

#endif
