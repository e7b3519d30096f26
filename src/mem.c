/* mem.c: every allocation counted against the memory budget (see mem.h). */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cliopt.h"
#include "mem.h"
#include "msg.h"
#include "input/snapsource.h"
#include "textout.h"

void *__real_malloc(size_t size);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t size);
void __real_free(void *p);
void *__wrap_malloc(size_t size);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *old, size_t size);
void __wrap_free(void *p);
char *__wrap_strdup(const char *s);
char *__wrap_strndup(const char *s, size_t max);

/* Bytes held, as malloc_usable_size counts them; signed: a block freed here may be a library's. */
static int64_t in_use;
static uint64_t explicit_limit;  /* --max-memory, or 0 */
static uint64_t allocations, fail_at;
static int fail_at_read, dying;
static const char *outputs[4];

void mem_set_limit(uint64_t bytes)
{
    explicit_limit = bytes;
}

void mem_add_output(const char *path)
{
    for (size_t k = 0; k < sizeof outputs / sizeof *outputs; k++)
        if (!outputs[k]) {
            outputs[k] = path;
            return;
        }
}

void mem_drop_output(const char *path)
{
    for (size_t k = 0; k < sizeof outputs / sizeof *outputs; k++)
        if (outputs[k] == path)
            outputs[k] = NULL;
}

uint64_t mem_limit(void)
{
    if (explicit_limit)
        return explicit_limit;
    const input_bytes *in = input_bytes_so_far();
    uint64_t declared = __atomic_load_n(&in->declared, __ATOMIC_RELAXED);
    uint64_t read = __atomic_load_n(&in->read, __ATOMIC_RELAXED);
    uint64_t input = declared > read ? declared : read;
    return input > (UINT64_MAX - MEM_BASE_LIMIT) / MEM_PER_INPUT_BYTE
               ? UINT64_MAX
               : MEM_BASE_LIMIT + MEM_PER_INPUT_BYTE * input;
}

/* One line, the output removed, exit 2: no stdio buffers are flushed, no memory is asked for. */
static void die(int past_limit, uint64_t wanted)
{
    dying = 1;
    for (size_t k = 0; k < sizeof outputs / sizeof *outputs; k++)
        if (outputs[k])
            unlink(outputs[k]);
    const char *input = snapsource_last_path();
    char name[512], limit[32], line[1024];
    terminal_safe_copy(name, sizeof name, input ? input : "heapan");
    format_bytes(mem_limit(), limit, sizeof limit);
    if (past_limit)
        snprintf(line, sizeof line,
                 "heapan: %s: needs more memory than the limit of %s (%s); raise it with "
                 "--max-memory SIZE\n",
                 name, limit,
                 explicit_limit ? "--max-memory" : "64 times the input's size plus 256 MiB");
    else
        snprintf(line, sizeof line, "heapan: %s: out of memory (%llu more bytes wanted)\n", name,
                 (unsigned long long)wanted);
    ssize_t unused = write(STDERR_FILENO, line, strlen(line));
    (void)unused;
    _exit(EXIT_TROUBLE);
}

static void read_fail_at(void)
{
    fail_at_read = 1;
    const char *n = getenv("HEAPAN_TEST_FAIL_ALLOC");
    fail_at = n ? strtoull(n, NULL, 10) : 0;
}

/* May `size` more bytes be taken?  Dies if not. */
static void admit(size_t size)
{
    if (dying)
        return;
    if (!fail_at_read)
        read_fail_at();
    uint64_t nth = __atomic_add_fetch(&allocations, 1, __ATOMIC_RELAXED);
    if (fail_at && nth == fail_at)
        die(0, size);
    int64_t held = __atomic_load_n(&in_use, __ATOMIC_RELAXED);
    if ((uint64_t)(held > 0 ? held : 0) + size > mem_limit())
        die(1, size);
}

static void count(void *p, int sign)
{
    if (p)
        __atomic_add_fetch(&in_use, sign * (int64_t)malloc_usable_size(p), __ATOMIC_RELAXED);
}

void *__wrap_malloc(size_t size)
{
    admit(size);
    void *p = __real_malloc(size);
    if (!p && size && !dying)
        die(0, size);
    count(p, 1);
    return p;
}

void *__wrap_calloc(size_t n, size_t size)
{
    size_t bytes = size && n > SIZE_MAX / size ? SIZE_MAX : n * size;
    admit(bytes);
    void *p = __real_calloc(n, size);
    if (!p && bytes && !dying)
        die(0, bytes);
    count(p, 1);
    return p;
}

void *__wrap_realloc(void *old, size_t size)
{
    size_t before = old ? malloc_usable_size(old) : 0;
    admit(size > before ? size - before : 0);
    void *p = __real_realloc(old, size);
    if (!p && size && !dying)
        die(0, size);
    if (p || !size) {
        __atomic_sub_fetch(&in_use, (int64_t)before, __ATOMIC_RELAXED);
        count(p, 1);
    }
    return p;
}

void __wrap_free(void *p)
{
    count(p, -1);
    __real_free(p);
}

char *__wrap_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *copy = __wrap_malloc(n);
    return memcpy(copy, s, n);
}

char *__wrap_strndup(const char *s, size_t max)
{
    size_t n = strnlen(s, max);
    char *copy = __wrap_malloc(n + 1);
    memcpy(copy, s, n);
    copy[n] = '\0';
    return copy;
}

int mem_take_option(int argc, char **argv)
{
    int kept = 1;
    for (int i = 1; i < argc; i++) {
        const char *value = NULL;
        if (strcmp(argv[i], "--") == 0) {
            while (i < argc)
                argv[kept++] = argv[i++];
            break;
        }
        if (strncmp(argv[i], "--max-memory=", 13) == 0)
            value = argv[i] + 13;
        else if (strcmp(argv[i], "--max-memory") == 0 && (value = argv[i + 1]) != NULL)
            i++;
        else if (strcmp(argv[i], "--max-memory") == 0)
            usage_error(NULL, "--max-memory needs a size: 4G, 512MiB");
        if (!value) {
            argv[kept++] = argv[i];
            continue;
        }
        size_spec size;
        if (size_of(value, &size) < 0 || size.percent > 0 || size.bytes == 0)
            usage_error(NULL, "--max-memory takes a size such as 4G or 512MiB, not '%s'", value);
        mem_set_limit(size.bytes);
    }
    argv[kept] = NULL;
    return kept;
}
