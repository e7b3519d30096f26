/*
 * elf.h: the dynamic symbols of a 64-bit ELF file, read from the file:
 * enough to tell a CPython binary and to find dlopen() in a process's libc.
 */
#ifndef HEAPAN_ELF_H
#define HEAPAN_ELF_H

#include <stddef.h>
#include <stdint.h>

/*
 * Looks up each of `names[0..count)` in the .dynsym of the ELF file at
 * `path`, setting values[i] to its st_value, or 0 where it is undefined or
 * absent.  Returns 0, or -1 when the file cannot be read or is not a
 * 64-bit ELF file of this machine's byte order.  Reads the section headers
 * and the two dynamic tables only, each bounded by the file's size.
 */
int elf_dynamic_symbols(const char *path, const char *const *names, size_t count,
                        uint64_t *values);

#endif
