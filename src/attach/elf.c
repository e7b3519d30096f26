/* elf.c: dynamic symbols from a 64-bit ELF file, every offset checked against its size. */
#include "attach/elf.h"

#include <elf.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* The section's bytes, or NULL when they lie outside the file. */
static const unsigned char *section_bytes(const unsigned char *file, size_t size,
                                          const Elf64_Shdr *s)
{
    if (s->sh_type == SHT_NOBITS || s->sh_offset > size || s->sh_size > size - s->sh_offset)
        return NULL;
    return file + s->sh_offset;
}

static int lookup(const unsigned char *file, size_t size, const char *const *names,
                  size_t count, uint64_t *values)
{
    const Elf64_Ehdr *eh = (const Elf64_Ehdr *)file;
    if (size < sizeof *eh || memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 ||
        eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_shentsize != sizeof(Elf64_Shdr) ||
        eh->e_shoff > size || (uint64_t)eh->e_shnum * sizeof(Elf64_Shdr) > size - eh->e_shoff)
        return -1;
    const Elf64_Shdr *sections = (const Elf64_Shdr *)(file + eh->e_shoff);
    for (size_t i = 0; i < eh->e_shnum; i++) {
        const Elf64_Shdr *symtab = &sections[i];
        if (symtab->sh_type != SHT_DYNSYM || symtab->sh_link >= eh->e_shnum)
            continue;
        const Elf64_Shdr *strtab = &sections[symtab->sh_link];
        const unsigned char *syms = section_bytes(file, size, symtab);
        const unsigned char *strs = section_bytes(file, size, strtab);
        if (!syms || !strs || symtab->sh_entsize != sizeof(Elf64_Sym))
            return -1;
        size_t nsyms = symtab->sh_size / sizeof(Elf64_Sym);
        for (size_t k = 0; k < nsyms; k++) {
            const Elf64_Sym *sym = (const Elf64_Sym *)(syms + k * sizeof(Elf64_Sym));
            if (sym->st_shndx == SHN_UNDEF || sym->st_name >= strtab->sh_size)
                continue;
            const char *name = (const char *)strs + sym->st_name;
            size_t room = strtab->sh_size - sym->st_name;
            for (size_t n = 0; n < count; n++)
                if (!values[n] && strnlen(name, room) < room && strcmp(name, names[n]) == 0)
                    values[n] = sym->st_value;
        }
        return 0;
    }
    return 0; /* no dynamic symbols: a static binary defines none of them */
}

int elf_dynamic_symbols(const char *path, const char *const *names, size_t count,
                        uint64_t *values)
{
    memset(values, 0, count * sizeof *values);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size < 64) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    size_t size = (size_t)st.st_size;
    void *file = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (file == MAP_FAILED)
        return -1;
    int rc = lookup(file, size, names, count, values);
    munmap(file, size);
    return rc;
}
