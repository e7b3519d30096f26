/*
 * output.h: files that commands write (-o).  A report is written to a
 * temporary file beside its target and renamed over it only once whole, so
 * a full disk or a death by memory never leaves a truncated report in place
 * of the last good one.  "-" is standard output; a target that exists and
 * is no regular file (a FIFO, /dev/stdout) is written in place.
 */
#ifndef HEAPAN_OUTPUT_H
#define HEAPAN_OUTPUT_H

#include <stdio.h>

typedef struct output_file {
    const char *path;  /* the target, as given */
    char *temp;        /* the temporary file, or NULL when writing in place */
    FILE *f;
} output_file;

/*
 * Can `path` be written: does its directory exist, and may we create
 * files there?  Commands ask before the analysis, not after it.  0, or -1
 * after saying why ("heapan: out/r.html: cannot create: No such file or
 * directory").
 */
int output_check(const char *path);

/* Opens `path` for writing; 0, or -1 after saying why. */
int output_open(output_file *o, const char *path);

/*
 * Finishes the file: with `ok`, flushes it and renames it into place,
 * saying so on a write error; without, removes it.  0, or -1.
 */
int output_close(output_file *o, int ok);

#endif
