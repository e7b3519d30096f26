/*
 * mem.h: the tool's memory budget.  The heapan executable is linked with
 * -Wl,--wrap for malloc, calloc, realloc, free, strdup and strndup, so
 * every allocation of its own code and of libheapan (linked in) passes
 * through mem.c: counted, held to a limit, and fatal when it fails.
 *
 * A failed allocation, or one past the limit, prints one line and exits
 * with status 2 at once, having removed the output file being written (so
 * no half-written report is left).  Allocations of the shared libraries
 * (zstd's windows, PCRE2's) are their own and bounded by them.
 *
 * The limit, unless --max-memory sets it: 64 times the bytes of input (the
 * size of each regular file opened, or what was read from a pipe) plus
 * 256 MiB.  The test hook HEAPAN_TEST_FAIL_ALLOC=N makes the Nth
 * allocation fail, to test that every path out of memory ends so.
 */
#ifndef HEAPAN_MEM_H
#define HEAPAN_MEM_H

#include <stdint.h>

#define MEM_BASE_LIMIT (256ull << 20)
#define MEM_PER_INPUT_BYTE 64

/* --max-memory: a limit of `bytes`, whatever the input. */
void mem_set_limit(uint64_t bytes);

/*
 * Takes "--max-memory SIZE" or "--max-memory=SIZE" out of argv, wherever
 * it is before "--", and sets the limit; a bad SIZE is a usage error.
 * Returns the new argc.
 */
int mem_take_option(int argc, char **argv);

/* Outputs being written (up to 4), removed if heapan dies of memory; dropped when done. */
void mem_add_output(const char *path);
void mem_drop_output(const char *path);

/* The limit now, for the message and the tests. */
uint64_t mem_limit(void);

#endif
