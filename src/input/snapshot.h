/*
 * snapshot.h: V8 heap snapshots (.heapsnapshot: Chrome DevTools, Node's
 * v8.writeHeapSnapshot(), memlab) read into heapan's heap model.  The
 * JSON is streamed: neither its text nor a tree of it is ever held; the
 * numbers go straight into the model's arrays.
 *
 * Nodes become objects (address: the node id; size: self_size; type: the
 * constructor name for objects, "(closure)", "(string)"... otherwise, as
 * DevTools groups them).  Edges keep their names and indexes.  Node 0,
 * V8's synthetic root, is the one root.  An edge counts as weak, as in
 * DevTools and memlab, when it is a weak edge, a shortcut not from the
 * root, or goes from an object the root cannot reach into one it can.
 */
#ifndef HEAPAN_SNAPSHOT_H
#define HEAPAN_SNAPSHOT_H

#include <stddef.h>

#include "model/heap.h"

enum {
    SNAPSHOT_OK = 0,
    SNAPSHOT_UNREADABLE = -1,
    SNAPSHOT_MALFORMED = -2,
    SNAPSHOT_NO_MEMORY = -3
};

/*
 * Loads the snapshot at `path` (plain, zstd or gzip) into `h`.  Returns
 * SNAPSHOT_OK, or another SNAPSHOT_* with a one-line reason in `why`.
 * Without `labels`, references carry no names (out_label and
 * out_label_kind are NULL) and nodes no name (h->name is NULL): enough for
 * dominators and type tables, in a third less memory.  Release `h` either
 * way.
 */
int snapshot_load(heap *h, const char *path, int labels, heap_progress_fn progress, void *ctx,
                  char *why, size_t why_size);

#endif
