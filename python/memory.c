/*
 * memory.c: where the process's resident memory is, beside its objects:
 * the kernel's counts (/proc/self/status, smaps_rollup, smaps), pymalloc's
 * arenas and pools, glibc malloc's totals, and the cgroup's limit.  Read
 * before the walk, whose own tables would take about as much memory again.
 */
#include "memory.h" /* Python.h first, as CPython requires */

#include <dirent.h>
#include <dlfcn.h>
#include <inttypes.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "pyinternals.h"
#include "watch.h"

#define MAX_THREADS 4096   /* stack pointers looked for, at most */
#define LARGEST_MAPPINGS 8 /* anonymous mappings recorded by size */

static int add_int(py_facts *f, const char *key, int64_t value)
{
    return py_facts_add(f, key, HEAPAN_VALUE_INT, value, NULL, 0);
}

static int add_text(py_facts *f, const char *key, const char *text)
{
    return py_facts_add(f, key, HEAPAN_VALUE_TEXT, 0, text, strlen(text));
}

/* ---- the kernel's counts ---------------------------------------------------- */

static int gather_totals(py_facts *f)
{
    /* RSS is the sum of the other three (fs/proc/task_mmu.c). */
    static const char *const keys[][2] = {{"VmRSS:", "memory.rss"},
                                          {"RssAnon:", "memory.anonymous"},
                                          {"RssFile:", "memory.file"},
                                          {"RssShmem:", "memory.shmem"}};
    FILE *in = fopen("/proc/self/status", "r");
    char line[256];
    int rc = 0;
    while (in && rc == 0 && fgets(line, sizeof line, in))
        for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
            size_t n = strlen(keys[i][0]);
            long long kb;
            if (strncmp(line, keys[i][0], n) == 0 && sscanf(line + n, "%lld", &kb) == 1)
                rc = add_int(f, keys[i][1], (int64_t)kb * 1024);
        }
    if (in)
        fclose(in);
    return rc;
}

/* ---- the mappings: stacks, static data, the largest anonymous ones ---------- */

typedef struct mapping {
    uint64_t start, end, rss, anonymous;
    char perms[5];
    int named;      /* a path, or a [name] */
    int file;       /* a path: a file (or a shared segment) */
    int shared_anon; /* an mmap(-1) or memfd: shared anonymous memory */
    int main_stack;
} mapping;

typedef struct mappings_scan {
    uint64_t sp[MAX_THREADS];   /* the threads' stack pointers, this one's first */
    size_t sp_count;
    int readable;      /* /proc/self/smaps could be read */
    uint64_t pss, swap; /* summed over the mappings: smaps_rollup's, without a second walk */
    uint64_t stack, thread_stacks, static_data, brk_heap, anon_other;
    uint64_t threads_found, threads;
    uint64_t bss;      /* resident bytes of the libraries' zeroed data (.bss) */
    mapping largest[LARGEST_MAPPINGS]; /* by rss, descending */
    size_t largest_count;
} mappings_scan;

static int by_address(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* The stack pointer of each other thread, from its /proc/self/task/N/syscall. */
static void find_stack_pointers(mappings_scan *s)
{
    volatile char here = 0;
    s->sp[s->sp_count++] = (uint64_t)(uintptr_t)&here;
    long self = syscall(SYS_gettid);
    DIR *dir = opendir("/proc/self/task");
    struct dirent *e;
    while (dir && (e = readdir(dir)) && s->sp_count < MAX_THREADS) {
        long tid = strtol(e->d_name, NULL, 10);
        if (tid <= 0)
            continue;
        s->threads++;
        if (tid == self)
            continue;
        char path[64], text[512];
        snprintf(path, sizeof path, "/proc/self/task/%ld/syscall", tid);
        FILE *in = fopen(path, "r");
        size_t n = in ? fread(text, 1, sizeof text - 1, in) : 0;
        if (in)
            fclose(in);
        text[n] = '\0';
        /* "NR ARGS... SP PC", or "-1 SP PC" between calls, or "running" */
        char *last = strrchr(text, ' ');
        if (!last || last == text)
            continue;
        *last = '\0';
        char *sp = strrchr(text, ' ');
        uint64_t value = sp ? strtoull(sp + 1, NULL, 16) : 0;
        if (value)
            s->sp[s->sp_count++] = value;
    }
    if (dir)
        closedir(dir);
    qsort(s->sp, s->sp_count, sizeof *s->sp, by_address);
}

/* How many stack pointers lie in the mapping; s->sp is sorted. */
static int holds_stack_pointer(const mappings_scan *s, const mapping *m)
{
    size_t lo = 0, hi = s->sp_count; /* the first at or above m->start is in [lo, hi] */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->sp[mid] < m->start)
            lo = mid + 1;
        else
            hi = mid;
    }
    int found = 0;
    for (; lo < s->sp_count && s->sp[lo] < m->end; lo++)
        found++;
    return found;
}

static void keep_largest(mappings_scan *s, const mapping *m)
{
    size_t i = s->largest_count < LARGEST_MAPPINGS ? s->largest_count++ : LARGEST_MAPPINGS - 1;
    if (i == LARGEST_MAPPINGS - 1 && s->largest[i].rss >= m->rss)
        return;
    for (; i > 0 && s->largest[i - 1].rss < m->rss; i--)
        s->largest[i] = s->largest[i - 1];
    s->largest[i] = *m;
}

/* Where one mapping's resident bytes go; its fields are all read. */
static void classify(mappings_scan *s, const mapping *m)
{
    int threads = holds_stack_pointer(s, m);
    if (m->main_stack)
        s->stack += m->rss;
    else if (threads && !m->file) {
        s->thread_stacks += m->rss;
        s->threads_found += (uint64_t)threads;
    } else if (m->file && !m->shared_anon)
        s->static_data += m->anonymous; /* a library's data, written since it was mapped */
    else if (!m->named || m->shared_anon) {
        if (!m->shared_anon)
            s->anon_other += m->rss;
        keep_largest(s, m);
    }
}

/*
 * The libraries' zeroed data (.bss): what a loaded segment holds past its
 * file's bytes, mapped anonymously right after it.  Its pages are asked
 * directly, as an arena mapped into the gap after a library would look
 * the same in /proc/self/maps.
 */
static int add_bss(struct dl_phdr_info *info, size_t size, void *ctx)
{
    mappings_scan *s = ctx;
    (void)size;
    uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_LOAD || ph->p_memsz <= ph->p_filesz)
            continue;
        uintptr_t file_end = info->dlpi_addr + ph->p_vaddr + ph->p_filesz;
        uintptr_t start = (file_end + page - 1) & ~(page - 1);
        uintptr_t end = (info->dlpi_addr + ph->p_vaddr + ph->p_memsz + page - 1) & ~(page - 1);
        int64_t resident = end > start ? py_memory_resident(start, end - start) : 0;
        s->bss += resident > 0 ? (uint64_t)resident : 0;
    }
    return 0;
}

static void parse_header(const char *line, mapping *m)
{
    unsigned long long start, end, offset, inode;
    unsigned major, minor;
    int at = 0;
    *m = (mapping){0};
    if (sscanf(line, "%llx-%llx %4s %llx %x:%x %llu %n", &start, &end, m->perms, &offset, &major,
               &minor, &inode, &at) < 7)
        return;
    m->start = start;
    m->end = end;
    const char *name = line + at;
    m->named = *name && *name != '\n';
    m->file = *name == '/';
    m->shared_anon = strncmp(name, "/dev/zero", 9) == 0 || strncmp(name, "/memfd:", 7) == 0 ||
                     strncmp(name, "/SYSV", 5) == 0 || strncmp(name, "/dev/shm/", 9) == 0;
    m->main_stack = strncmp(name, "[stack]", 7) == 0;
    if (strncmp(name, "[heap]", 6) == 0)
        m->perms[4] = 'h'; /* marks the brk heap for the caller */
}

static void scan_smaps(mappings_scan *s)
{
    FILE *in = fopen("/proc/self/smaps", "r");
    if (!in)
        return;
    s->readable = 1;
    char line[512];
    mapping m = {0};
    int have = 0, continued = 0;
    while (fgets(line, sizeof line, in)) {
        int whole = strchr(line, '\n') != NULL;
        if (continued) { /* the rest of a long path */
            continued = !whole;
            continue;
        }
        continued = !whole;
        unsigned long long kb;
        if (sscanf(line, "Rss: %llu kB", &kb) == 1)
            m.rss = kb * 1024;
        else if (sscanf(line, "Anonymous: %llu kB", &kb) == 1)
            m.anonymous = kb * 1024;
        else if (sscanf(line, "Pss: %llu kB", &kb) == 1)
            s->pss += kb * 1024;
        else if (sscanf(line, "Swap: %llu kB", &kb) == 1)
            s->swap += kb * 1024;
        else if (line[0] >= '0' && line[0] <= '9' ? 1 : (line[0] >= 'a' && line[0] <= 'f')) {
            if (have) {
                if (m.perms[4] == 'h')
                    s->brk_heap += m.rss;
                else
                    classify(s, &m);
            }
            parse_header(line, &m);
            have = m.end > m.start;
        }
    }
    if (have && m.perms[4] != 'h')
        classify(s, &m);
    else if (have)
        s->brk_heap += m.rss;
    fclose(in);
}

static int gather_mappings(py_facts *f)
{
    mappings_scan *s = calloc(1, sizeof *s);
    if (!s)
        return -1;
    find_stack_pointers(s);
    dl_iterate_phdr(add_bss, s);
    scan_smaps(s);
    s->static_data += s->bss;
    s->anon_other -= s->bss < s->anon_other ? s->bss : s->anon_other;
    int rc = add_text(f, "memory.source", s->readable ? "smaps" : "status") < 0 ||
             (s->readable && (add_int(f, "memory.pss", (int64_t)s->pss) < 0 ||
                              add_int(f, "memory.swap", (int64_t)s->swap) < 0)) ||
             add_int(f, "memory.stack", (int64_t)s->stack) < 0 ||
             add_int(f, "memory.thread_stacks", (int64_t)s->thread_stacks) < 0 ||
             add_int(f, "memory.thread_stacks", (int64_t)s->threads_found) < 0 ||
             add_int(f, "memory.thread_stacks", (int64_t)s->threads) < 0 ||
             add_int(f, "memory.static", (int64_t)s->static_data) < 0 ||
             add_int(f, "memory.brk_heap", (int64_t)s->brk_heap) < 0 ||
             add_int(f, "memory.anonymous_other", (int64_t)s->anon_other) < 0;
    for (size_t i = 0; i < s->largest_count && !rc; i++) {
        const mapping *m = &s->largest[i];
        rc = add_int(f, "memory.mapping", (int64_t)m->start) < 0 ||
             add_int(f, "memory.mapping", (int64_t)(m->end - m->start)) < 0 ||
             add_int(f, "memory.mapping", (int64_t)m->rss) < 0 ||
             add_int(f, "memory.mapping", m->shared_anon) < 0;
    }
    free(s);
    return rc ? -1 : 0;
}

/* ---- the cgroup ------------------------------------------------------------- */

/* The cgroup's usage and limit, as heapan.dump_on_memory() reads them (v2 or v1). */
static int gather_cgroup(py_facts *f)
{
    cgroup_memory m;
    if (cgroup_memory_read(&m) < 0)
        return 0;
    return add_int(f, "memory.cgroup", (int64_t)m.usage) < 0 ||
                   add_int(f, "memory.cgroup", m.limit ? (int64_t)m.limit : -1) < 0
               ? -1
               : 0;
}

/* ---- glibc malloc ----------------------------------------------------------- */

typedef struct provider_search {
    char file[256];
} provider_search;

/* Stops at the first loaded object past the program that defines malloc() itself. */
static int defines_malloc(struct dl_phdr_info *info, size_t size, void *ctx)
{
    provider_search *p = ctx;
    (void)size;
    if (!info->dlpi_name || !*info->dlpi_name)
        return 0; /* the program, or the vDSO */
    void *handle = dlopen(info->dlpi_name, RTLD_LAZY | RTLD_NOLOAD);
    void *found = handle ? dlsym(handle, "malloc") : NULL;
    Dl_info where;
    int here = found && dladdr(found, &where) && where.dli_fname &&
               strcmp(where.dli_fname, info->dlpi_name) == 0;
    if (handle)
        dlclose(handle);
    if (here)
        snprintf(p->file, sizeof p->file, "%s", info->dlpi_name);
    return here;
}

/*
 * The file that provides malloc(): the first object in lookup order that
 * defines it (a preloaded jemalloc or sanitizer before libc).  Asked of
 * the loaded objects, since the program's own symbol may be a stub of its
 * PLT (a non-PIE python3), which dladdr() would name instead.
 */
static const char *malloc_provider(provider_search *p)
{
    p->file[0] = '\0';
    dl_iterate_phdr(defines_malloc, p);
    return p->file;
}

#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
/* Does glibc see a block that malloc() hands out?  Then it is the allocator. */
static int glibc_allocates(void)
{
    size_t before = mallinfo2().uordblks;
    void *volatile probe = malloc(4096); /* under the mmap threshold: from an arena */
    size_t after = mallinfo2().uordblks;
    free(probe);
    return probe && after >= before + 4096;
}
#endif

static int gather_malloc(py_facts *f)
{
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
    if (glibc_allocates()) {
        struct mallinfo2 mi = mallinfo2();
        return add_text(f, "malloc.allocator", "glibc") < 0 ||
                       add_int(f, "malloc.arena", (int64_t)mi.arena) < 0 ||
                       add_int(f, "malloc.in_use", (int64_t)mi.uordblks) < 0 ||
                       add_int(f, "malloc.free", (int64_t)mi.fordblks) < 0 ||
                       add_int(f, "malloc.free_chunks", (int64_t)mi.ordblks) < 0 ||
                       add_int(f, "malloc.mmapped", (int64_t)mi.hblkhd) < 0 ||
                       add_int(f, "malloc.mmapped", (int64_t)mi.hblks) < 0 ||
                       add_int(f, "malloc.top_pad", (int64_t)mi.keepcost) < 0
                   ? -1
                   : 0;
    }
#endif
    /* Not glibc's (or too old a glibc): its totals are unknown; say whose it is. */
    provider_search p;
    const char *provider = malloc_provider(&p);
    return add_text(f, "malloc.allocator", *provider ? provider : "unknown");
}

/* ---- pymalloc --------------------------------------------------------------- */

/* "1,234,567" as a number. */
static int64_t grouped_number(const char *s)
{
    int64_t v = 0;
    for (; *s; s++)
        if (*s >= '0' && *s <= '9')
            v = v * 10 + (*s - '0');
        else if (*s != ',' && *s != ' ')
            break;
    return v;
}

/* The number after the last '=' of a line. */
static int64_t after_equals(const char *line)
{
    const char *eq = strrchr(line, '=');
    return eq ? grouped_number(eq + 1) : 0;
}

/*
 * CPython's own report, _PyObject_DebugMallocStats(), parsed: the only way
 * to pymalloc's file-static tables before 3.12, stripped builds included.
 * Exported by every version; from 3.11 only an internal header declares it.
 */
int _PyObject_DebugMallocStats(FILE *out);

static int parse_debug_stats(py_facts *f, char *text, py_pymalloc *pm)
{
    int rc = 0;
    for (char *line = strtok(text, "\n"); line && !rc; line = strtok(NULL, "\n")) {
        unsigned cls, size;
        unsigned long long pools, used, avail;
        if (sscanf(line, "%u %u %llu %llu %llu", &cls, &size, &pools, &used, &avail) == 5) {
            rc = add_int(f, "pymalloc.class", size) < 0 ||
                 add_int(f, "pymalloc.class", (int64_t)pools) < 0 ||
                 add_int(f, "pymalloc.class", (int64_t)used) < 0 ||
                 add_int(f, "pymalloc.class", (int64_t)avail) < 0;
            pm->pools_used += pools;
        } else if (strstr(line, "# arenas allocated current"))
            pm->arenas = (uint64_t)after_equals(line);
        else if (strstr(line, " arenas * ")) {
            const char *times = strstr(line, " * ");
            pm->arena_size = (uint64_t)grouped_number(times + 3);
        } else if (strstr(line, "# bytes in allocated blocks"))
            pm->allocated = (uint64_t)after_equals(line);
        else if (strstr(line, "# bytes in available blocks"))
            pm->available = (uint64_t)after_equals(line);
        else if (strstr(line, " unused pools * ")) {
            pm->pools_empty = (uint64_t)grouped_number(line);
            pm->pool_size = (uint64_t)grouped_number(strstr(line, " * ") + 3);
        } else if (strstr(line, "# bytes lost to pool headers"))
            pm->headers = (uint64_t)after_equals(line);
        else if (strstr(line, "# bytes lost to quantization"))
            pm->quantization = (uint64_t)after_equals(line);
        else if (strstr(line, "# bytes lost to arena alignment"))
            pm->alignment = (uint64_t)after_equals(line);
        else if (strncmp(line, "arena map counts", 16) == 0)
            break;
    }
    return rc;
}

static int gather_debug_stats(py_facts *f, py_pymalloc *pm)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    if (!out)
        return -1;
    int in_use = _PyObject_DebugMallocStats(out);
    fclose(out);
    int rc = in_use && text ? parse_debug_stats(f, text, pm) : 0;
    free(text);
    pm->source = in_use ? "debug_stats" : "off";
    pm->pools_full = -1;
    pm->resident = -1;
    return rc;
}

/* Resident bytes of [start, start+size), by mincore(); -1 when it cannot tell. */
int64_t py_memory_resident(uintptr_t start, size_t size)
{
    long page = sysconf(_SC_PAGESIZE);
    uintptr_t first = start & ~(uintptr_t)(page - 1);
    size_t pages = (start + size - first + (size_t)page - 1) / (size_t)page;
    unsigned char vec[1024];
    int64_t resident = 0;
    for (size_t done = 0; done < pages;) {
        size_t n = pages - done < sizeof vec ? pages - done : sizeof vec;
        if (mincore((void *)(first + done * (size_t)page), n * (size_t)page, vec) != 0)
            return -1;
        for (size_t i = 0; i < n; i++)
            resident += vec[i] & 1;
        done += n;
    }
    resident *= page;
    return resident > (int64_t)size ? (int64_t)size : resident;
}

static int write_pymalloc(py_facts *f, const py_pymalloc *pm)
{
    if (add_text(f, "pymalloc.source", pm->source) < 0)
        return -1;
    if (strcmp(pm->source, "off") == 0)
        return 0;
    int rc = add_int(f, "pymalloc.arena_size", (int64_t)pm->arena_size) < 0 ||
             add_int(f, "pymalloc.pool_size", (int64_t)pm->pool_size) < 0 ||
             add_int(f, "pymalloc.arenas", (int64_t)pm->arenas) < 0 ||
             add_int(f, "pymalloc.pools", (int64_t)pm->pools_used) < 0 ||
             add_int(f, "pymalloc.pools", pm->pools_full) < 0 ||
             add_int(f, "pymalloc.pools", (int64_t)pm->pools_empty) < 0 ||
             add_int(f, "pymalloc.blocks", (int64_t)pm->allocated) < 0 ||
             add_int(f, "pymalloc.blocks", (int64_t)pm->available) < 0 ||
             add_int(f, "pymalloc.overhead", (int64_t)pm->headers) < 0 ||
             add_int(f, "pymalloc.overhead", (int64_t)pm->quantization) < 0 ||
             add_int(f, "pymalloc.overhead", (int64_t)pm->alignment) < 0 ||
             add_int(f, "pymalloc.resident", pm->resident) < 0;
    for (size_t i = 0; pm->has_histogram && i < PY_ARENA_TENTHS && !rc; i++)
        rc = add_int(f, "pymalloc.arena_live", (int64_t)pm->arena_live[i]) < 0;
    return rc ? -1 : 0;
}

static int gather_pymalloc(py_facts *f)
{
    py_pymalloc pm = {0};
    int walked = py_pymalloc_walk(f, &pm);
    if (walked < 0 || (!walked && gather_debug_stats(f, &pm) < 0))
        return -1;
    return write_pymalloc(f, &pm);
}

/* ---- static objects ----------------------------------------------------- */

static int add_writable(struct dl_phdr_info *info, size_t size, void *ctx)
{
    py_ranges *r = ctx;
    (void)size;
    for (int i = 0; i < info->dlpi_phnum && r->count != SIZE_MAX; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_W))
            continue;
        uintptr_t(*bigger)[2] = realloc(r->range, (r->count + 1) * sizeof *bigger);
        if (!bigger) {
            r->count = SIZE_MAX;
            break;
        }
        r->range = bigger;
        r->range[r->count][0] = info->dlpi_addr + ph->p_vaddr;
        r->range[r->count][1] = info->dlpi_addr + ph->p_vaddr + ph->p_memsz;
        r->count++;
    }
    return 0;
}

static int by_start(const void *a, const void *b)
{
    const uintptr_t *x = a, *y = b;
    return x[0] < y[0] ? -1 : x[0] > y[0];
}

int py_static_ranges(py_ranges *out)
{
    *out = (py_ranges){0};
    dl_iterate_phdr(add_writable, out);
    if (out->count == SIZE_MAX) {
        free(out->range);
        *out = (py_ranges){0};
        return -1;
    }
    if (out->count)
        qsort(out->range, out->count, sizeof *out->range, by_start);
    return 0;
}

int py_in_ranges(const py_ranges *r, uintptr_t address)
{
    size_t lo = 0, hi = r->count; /* the range holding it, if any, is in [lo, hi) */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (address < r->range[mid][0])
            hi = mid;
        else if (address >= r->range[mid][1])
            lo = mid + 1;
        else
            return 1;
    }
    return 0;
}

void py_ranges_free(py_ranges *r)
{
    free(r->range);
    *r = (py_ranges){0};
}

/* ---- all of it -------------------------------------------------------------- */

int py_memory_gather(py_facts *f)
{
    /* pymalloc and malloc first: reading /proc allocates a little. */
    if (gather_pymalloc(f) < 0 || gather_malloc(f) < 0 || gather_totals(f) < 0 ||
        gather_mappings(f) < 0 || gather_cgroup(f) < 0) {
        PyErr_NoMemory();
        return -1;
    }
    return 0;
}
