/*
 * tracer.c: the allocator hooks.  Inside a hook nothing calls Python code,
 * raises, or allocates through Python's allocators: stacks are read from
 * the interpreter's frames, names are encoded by hand, and the writer and
 * the tables use malloc.  One mutex serialises the writer between the
 * threads, the RSS sampler and the raw domain, which runs without the GIL.
 */
#include "tracer.h" /* Python.h first, as CPython requires */

#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "addrmap.h"
#include "facts.h"
#include "process.h"
#include "pyinternals.h"

#define FILTER_BITS 14 /* 32 KiB: stays in the first-level cache */
#define NAME_BYTES 512
#define FLUSH_EVERY_US 1000000

typedef struct hooked_domain {
    PyMemAllocatorDomain domain;
    PyMemAllocatorEx original;
    int needs_gil_check; /* the raw domain may run without the GIL */
    int may_nest;        /* mem and object: pymalloc may call the raw domain */
    int sampled_small;   /* a sampled trace's GIL domain: small requests take the fast path */
} hooked_domain;

/* A stack seen before: its locations, in the pool, give its writer id. */
typedef struct cached_stack {
    uint64_t hash; /* 0: an empty slot */
    uint32_t stack;
    uint32_t first;
    uint32_t count;
} cached_stack;

static struct tracer {
    atomic_flag lock; /* the writer's: see writer_lock() */
    heapan_writer *w; /* NULL when not recording; read under `lock` */
    int active;
    int frames;
    uint64_t sample_bytes;
    struct timespec start;
    hooked_domain domains[3];
    /* The stack cache is used with the GIL held only. */
    cached_stack *stacks;
    size_t stacks_mask, stacks_used;
    py_location *pool; /* holds a reference to each code object */
    size_t pool_len, pool_cap;
    /* Sampled blocks still live: a free is written only for these. */
    addrmap sampled;
    /* Live sampled blocks per address bucket, read without the lock: most
     * frees are of unsampled blocks and skip the lock on a zero. */
    _Atomic uint16_t filter[1u << FILTER_BITS];
    pthread_t sampler;
    pthread_mutex_t sampler_lock;
    pthread_cond_t sampler_wake;
    int sampler_running;
    unsigned interval_ms;
} tracer = {.lock = ATOMIC_FLAG_INIT, .sampler_lock = PTHREAD_MUTEX_INITIALIZER};

/* Thread-local state costs a call per access in a shared object, so the
 * hot paths of the GIL-holding domains use globals the GIL protects.  The
 * initial-exec model makes the rest one load: its 24 bytes fit the static
 * TLS that glibc keeps spare for libraries loaded later. */
#define THREAD_LOCAL _Thread_local __attribute__((tls_model("initial-exec")))
static THREAD_LOCAL int in_hook;
static THREAD_LOCAL uint32_t thread_number;
static THREAD_LOCAL int64_t raw_bytes_to_next_sample;
static THREAD_LOCAL uint64_t random_state;
static int64_t bytes_to_next_sample; /* the GIL holder's */
static uintptr_t last_object_block;  /* the GIL holder's last recorded block */
static atomic_uint threads_seen;

/*
 * The writer's lock.  A trace takes it twice per allocation, almost never
 * contended (the GIL holder, and rarely the raw domain or the RSS
 * sampler): a flag costs one exchange and a store, a mutex two atomic
 * read-modify-writes.  A waiter yields after a short spin.
 */
static inline void writer_lock(void)
{
    for (unsigned spins = 0; atomic_flag_test_and_set_explicit(&tracer.lock, memory_order_acquire);
         spins++)
        if (spins >= 64)
            sched_yield();
}

static inline void writer_unlock(void)
{
    atomic_flag_clear_explicit(&tracer.lock, memory_order_release);
}

/* ---- time, threads, RSS ---------------------------------------------------- */

/* The coarse clock costs a few nanoseconds; its resolution (a few ms) is
 * finer than anything the analysis draws. */
static uint64_t now_us(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC_COARSE, &now);
    int64_t us = (int64_t)(now.tv_sec - tracer.start.tv_sec) * 1000000 +
                 (now.tv_nsec - tracer.start.tv_nsec) / 1000;
    return us > 0 ? (uint64_t)us : 0;
}

static uint64_t this_thread(void)
{
    if (!thread_number)
        thread_number = atomic_fetch_add(&threads_seen, 1) + 1;
    return thread_number;
}

/* ---- Poisson sampling ---------------------------------------------------------- */

static uint64_t next_random(void)
{
    if (!random_state) {
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        random_state = ((uint64_t)now.tv_nsec ^ this_thread() << 32) | 1;
    }
    random_state ^= random_state >> 12; /* xorshift64* */
    random_state ^= random_state << 25;
    random_state ^= random_state >> 27;
    return random_state * 0x2545f4914f6cdd1dull;
}

/* Bytes to the next sample point: exponential with mean sample_bytes. */
static int64_t exponential_gap(void)
{
    double uniform = ((double)(next_random() >> 11) + 1.0) * 0x1.0p-53; /* (0, 1] */
    double gap = -log(uniform) * (double)tracer.sample_bytes;
    return gap < 1 ? 1 : gap > 0x1.0p62 ? INT64_C(1) << 62 : (int64_t)gap;
}

/*
 * Whether a sample point falls in the next `size` bytes: probability
 * 1 - exp(-size / sample_bytes), as the reader's weights assume.  The
 * gap is memoryless, so one process per counter is exact.
 */
static int sample_now(int64_t *bytes_to_next, size_t size)
{
    *bytes_to_next -= (int64_t)(size < INT64_MAX ? size : INT64_MAX);
    if (*bytes_to_next > 0)
        return 0;
    *bytes_to_next = exponential_gap();
    return 1;
}

static int64_t *sample_counter(const hooked_domain *d)
{
    if (!d->needs_gil_check)
        return &bytes_to_next_sample;
    if (!random_state) /* a thread's first raw allocation */
        raw_bytes_to_next_sample = exponential_gap();
    return &raw_bytes_to_next_sample;
}

static _Atomic uint16_t *filter_bucket(const void *ptr)
{
    return &tracer.filter[((uint64_t)(uintptr_t)ptr * 0x9e3779b97f4a7c15ull) >> (64 - FILTER_BITS)];
}

/* ---- stacks ------------------------------------------------------------------- */

/* Code names are ready strings; 3.12 made every string so. */
static int is_ready(PyObject *s)
{
#if PY_VERSION_HEX < 0x030C0000
    return PyUnicode_IS_READY(s);
#else
    (void)s;
    return 1;
#endif
}

/* The UTF-8 text of a str, encoded here: the C API could allocate or raise. */
static uint32_t string_id(PyObject *s)
{
    if (!s || !PyUnicode_Check(s) || !is_ready(s))
        return heapan_writer_string(tracer.w, "?", 1);
    if (PyUnicode_IS_COMPACT_ASCII(s))
        return heapan_writer_string(tracer.w, PyUnicode_DATA(s), (size_t)PyUnicode_GET_LENGTH(s));
    char text[NAME_BYTES];
    size_t len = 0;
    int kind = PyUnicode_KIND(s);
    const void *data = PyUnicode_DATA(s);
    for (Py_ssize_t i = 0; i < PyUnicode_GET_LENGTH(s) && len + 4 <= sizeof text; i++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        if (c < 0x80) {
            text[len++] = (char)c;
        } else if (c < 0x800) {
            text[len++] = (char)(0xc0 | c >> 6);
            text[len++] = (char)(0x80 | (c & 0x3f));
        } else if (c < 0x10000) {
            text[len++] = (char)(0xe0 | c >> 12);
            text[len++] = (char)(0x80 | (c >> 6 & 0x3f));
            text[len++] = (char)(0x80 | (c & 0x3f));
        } else {
            text[len++] = (char)(0xf0 | c >> 18);
            text[len++] = (char)(0x80 | (c >> 12 & 0x3f));
            text[len++] = (char)(0x80 | (c >> 6 & 0x3f));
            text[len++] = (char)(0x80 | (c & 0x3f));
        }
    }
    return heapan_writer_string(tracer.w, text, len);
}

static uint32_t frame_id(const py_location *at)
{
    PyCodeObject *code = (PyCodeObject *)at->code;
#if PY_VERSION_HEX >= 0x030B0000
    PyObject *function = code->co_qualname;
#else
    PyObject *function = code->co_name;
#endif
    int line = PyCode_Addr2Line(code, at->offset);
    return heapan_writer_frame(tracer.w, string_id(code->co_filename), string_id(function),
                               line > 0 ? (uint32_t)line : 0);
}

static uint64_t hash_locations(const py_location *at, int count)
{
    uint64_t h = 0x84222325cbf29ce4ull;
    for (int i = 0; i < count; i++) {
        h = (h ^ (uint64_t)(uintptr_t)at[i].code) * 0x100000001b3ull;
        h = (h ^ (uint64_t)at[i].offset) * 0x100000001b3ull;
    }
    h ^= h >> 29;
    return h ? h : 1;
}

/* Field by field: a py_location's padding bytes are unspecified. */
static int same_locations(const py_location *a, const py_location *b, int count)
{
    for (int i = 0; i < count; i++)
        if (a[i].code != b[i].code || a[i].offset != b[i].offset)
            return 0;
    return 1;
}

static cached_stack *cache_slot(uint64_t hash, const py_location *at, int count)
{
    size_t i = hash & tracer.stacks_mask;
    for (;; i = (i + 1) & tracer.stacks_mask) {
        cached_stack *c = &tracer.stacks[i];
        if (!c->hash || (c->hash == hash && c->count == (uint32_t)count &&
                         same_locations(&tracer.pool[c->first], at, count)))
            return c;
    }
}

static int grow_cache(void)
{
    size_t size = (tracer.stacks_mask + 1) * 2;
    cached_stack *bigger = calloc(size, sizeof *bigger);
    if (!bigger)
        return -1;
    cached_stack *old = tracer.stacks;
    size_t old_size = tracer.stacks_mask + 1;
    tracer.stacks = bigger;
    tracer.stacks_mask = size - 1;
    for (size_t i = 0; i < old_size; i++)
        if (old[i].hash)
            *cache_slot(old[i].hash, &tracer.pool[old[i].first], (int)old[i].count) = old[i];
    free(old);
    return 0;
}

/* Keeps the locations, and their code objects alive: a freed code object's
 * address could come back as another's and hit a stale entry. */
static int remember(cached_stack *slot, uint64_t hash, const py_location *at, int count,
                    uint32_t stack)
{
    size_t need = tracer.pool_len + (size_t)count;
    if (need > UINT32_MAX)
        return -1;
    if (need > tracer.pool_cap) {
        size_t cap = tracer.pool_cap ? tracer.pool_cap * 2 : 4096;
        py_location *bigger = realloc(tracer.pool, (cap > need ? cap : need) * sizeof *bigger);
        if (!bigger)
            return -1;
        tracer.pool = bigger;
        tracer.pool_cap = cap > need ? cap : need;
    }
    for (int i = 0; i < count; i++)
        Py_INCREF(at[i].code);
    memcpy(&tracer.pool[tracer.pool_len], at, sizeof *at * (size_t)count);
    *slot = (cached_stack){hash, stack, (uint32_t)tracer.pool_len, (uint32_t)count};
    tracer.pool_len = need;
    tracer.stacks_used++;
    return 0;
}

/* The writer's id of the calling thread's stack; 0 when it has none. */
static uint32_t current_stack(void)
{
    py_location at[TRACE_MAX_FRAMES];
    int count = py_current_locations(at, tracer.frames);
    if (!count)
        return 0;
    uint64_t hash = hash_locations(at, count);
    cached_stack *slot = cache_slot(hash, at, count);
    if (slot->hash)
        return slot->stack;
    uint32_t stack = 0;
    for (int i = count - 1; i >= 0; i--) /* the writer builds stacks from the outermost in */
        stack = heapan_writer_stack(tracer.w, stack, frame_id(&at[i]));
    if (stack && (tracer.stacks_used + 1) * 2 <= tracer.stacks_mask + 1)
        remember(slot, hash, at, count, stack);
    else if (stack && grow_cache() == 0)
        remember(cache_slot(hash, at, count), hash, at, count, stack);
    return stack;
}

/* ---- events ------------------------------------------------------------------- */

/* The fast paths, inlined in the hooks: most events of a sampled trace stop here. */
static inline int alloc_is_recorded(const hooked_domain *d, size_t size)
{
    return !tracer.sample_bytes || sample_now(sample_counter(d), size);
}

static inline int free_may_be_recorded(void *ptr)
{
    return ptr &&
           (!tracer.sample_bytes || atomic_load_explicit(filter_bucket(ptr), memory_order_relaxed));
}

static void record_alloc(const hooked_domain *d, void *ptr, size_t size)
{
    if (in_hook)
        return; /* our own allocations, or a nested raw call: see PYMALLOC_MAX_SMALL */
    int has_stack = !d->needs_gil_check || PyGILState_Check();
    in_hook = 1;
    writer_lock();
    if (tracer.w) {
        heapan_alloc a = {.time_us = now_us(),
                          .address = (uintptr_t)ptr,
                          .size = size,
                          .stack = has_stack ? current_stack() : 0,
                          .thread = this_thread()};
        int added = 0;
        if (has_stack)
            last_object_block = a.address;
        if (!tracer.sample_bytes || addrmap_upsert(&tracer.sampled, a.address, &added))
            heapan_writer_alloc_event(tracer.w, &a);
        if (tracer.sample_bytes && added)
            atomic_fetch_add_explicit(filter_bucket(ptr), 1, memory_order_relaxed);
    }
    writer_unlock();
    in_hook = 0;
}

/* Called before the block is freed: another thread may get it next. */
static void record_free(void *ptr)
{
    if (in_hook)
        return;
    in_hook = 1;
    writer_lock();
    if (tracer.w && (!tracer.sample_bytes || addrmap_remove(&tracer.sampled, (uintptr_t)ptr))) {
        heapan_free f = {.time_us = now_us(), .address = (uintptr_t)ptr};
        heapan_writer_free_event(tracer.w, &f);
        if (tracer.sample_bytes)
            atomic_fetch_sub_explicit(filter_bucket(ptr), 1, memory_order_relaxed);
    }
    writer_unlock();
    in_hook = 0;
}

/*
 * pymalloc hands requests over 512 bytes, and of 0 bytes, and the frees
 * and reallocs of such blocks, down to the raw domain.  That nested call is the same
 * block: the outer hook records it, and marks the thread so the raw hook
 * does not record it again.  Small requests never nest, and skip the mark.
 */
#define PYMALLOC_MAX_SMALL 512

/* Out of line: thread-locals cost a call each, which small requests skip. */
static void *nested_malloc(hooked_domain *d, size_t size)
{
    in_hook++;
    void *ptr = d->original.malloc(d->original.ctx, size);
    in_hook--;
    return ptr;
}

__attribute__((noinline)) static void *malloc_slow(hooked_domain *d, size_t size)
{
    if (d->sampled_small && size - 1 < PYMALLOC_MAX_SMALL) {
        bytes_to_next_sample = exponential_gap(); /* hook_malloc's countdown ran out: a sample */
        void *ptr = d->original.malloc(d->original.ctx, size);
        if (ptr)
            record_alloc(d, ptr, size);
        return ptr;
    }
    /* size - 1 wraps for 0, which pymalloc hands down too (obmalloc.c: nbytes - 1 >= 512) */
    void *ptr = d->may_nest && size - 1 >= PYMALLOC_MAX_SMALL
                    ? nested_malloc(d, size)
                    : d->original.malloc(d->original.ctx, size);
    if (ptr && alloc_is_recorded(d, size))
        record_alloc(d, ptr, size);
    return ptr;
}

/*
 * Most requests of a sampled trace are small, in a GIL domain, and not
 * sampled: those only count down and go on, with no frame of their own.
 */
static void *hook_malloc(void *ctx, size_t size)
{
    hooked_domain *d = ctx;
    if (d->sampled_small && size - 1 < PYMALLOC_MAX_SMALL &&
        (bytes_to_next_sample -= (int64_t)size) > 0)
        return d->original.malloc(d->original.ctx, size);
    return malloc_slow(d, size);
}

__attribute__((noinline)) static void *calloc_slow(hooked_domain *d, size_t count, size_t size)
{
    if (d->sampled_small && count <= PYMALLOC_MAX_SMALL && size <= PYMALLOC_MAX_SMALL &&
        count * size - 1 < PYMALLOC_MAX_SMALL) {
        bytes_to_next_sample = exponential_gap(); /* hook_calloc's countdown ran out */
        void *ptr = d->original.calloc(d->original.ctx, count, size);
        if (ptr)
            record_alloc(d, ptr, count * size);
        return ptr;
    }
    in_hook++; /* may nest; and the thread-local costs little here */
    void *ptr = d->original.calloc(d->original.ctx, count, size);
    in_hook--;
    if (ptr && alloc_is_recorded(d, count * size))
        record_alloc(d, ptr, count * size);
    return ptr;
}

/* As hook_malloc: a small unsampled request goes on at once.  Both factors at most 512
 * keep the product from wrapping. */
static void *hook_calloc(void *ctx, size_t count, size_t size)
{
    hooked_domain *d = ctx;
    if (d->sampled_small && count <= PYMALLOC_MAX_SMALL && size <= PYMALLOC_MAX_SMALL &&
        count * size - 1 < PYMALLOC_MAX_SMALL && (bytes_to_next_sample -= (int64_t)(count * size)) > 0)
        return d->original.calloc(d->original.ctx, count, size);
    return calloc_slow(d, count, size);
}

/* The free is written after the move: a failed realloc keeps the block.
 * Without the GIL another thread could get the old address in between;
 * tracemalloc, which takes the GIL there, pays more to close that gap. */
static void *hook_realloc(void *ctx, void *old, size_t size)
{
    hooked_domain *d = ctx;
    in_hook++; /* reallocs are rarer: no need to spare the thread-local */
    void *ptr = d->original.realloc(d->original.ctx, old, size);
    in_hook--;
    if (ptr && free_may_be_recorded(old))
        record_free(old);
    if (ptr && alloc_is_recorded(d, size))
        record_alloc(d, ptr, size);
    return ptr;
}

__attribute__((noinline)) static void free_slow(hooked_domain *d, void *ptr)
{
    int recorded = free_may_be_recorded(ptr);
    if (recorded)
        record_free(ptr);
    /* A block the filter rules out is ruled out for the nested raw hook too. */
    if (d->may_nest && recorded) {
        in_hook++;
        d->original.free(d->original.ctx, ptr);
        in_hook--;
    } else {
        d->original.free(d->original.ctx, ptr);
    }
}

/* A sampled trace's frees are mostly of blocks the filter rules out: on, with no frame. */
static void hook_free(void *ctx, void *ptr)
{
    hooked_domain *d = ctx;
    if (tracer.sample_bytes && !atomic_load_explicit(filter_bucket(ptr), memory_order_relaxed))
        d->original.free(d->original.ctx, ptr);
    else
        free_slow(d, ptr);
}

/* ---- objects reused from free lists ----------------------------------------- */

/*
 * CPython keeps freed dicts, lists, tuples and floats on free lists and
 * hands them out again without the allocator: the block then still bears
 * the site of the object that first had it, which may be a temporary of
 * some other line.  From 3.13 a reference tracer hears of every new
 * object; a block handed out that way moves to the site that made the
 * object (a REUSE record), as tracemalloc does.  Before 3.13 nothing
 * reports the reuse, and the trace says so (trace.reuse_attributed).
 */
#if PY_VERSION_HEX >= 0x030D0000
#define HAVE_REUSE_TRACER 1
static PyRefTracer previous_ref_tracer;
static void *previous_ref_data;

static void record_reuse(PyObject *o)
{
    void *block = py_object_block(o);
    if (!block || (uintptr_t)block == last_object_block || !free_may_be_recorded(block))
        return; /* made by the allocator just now, or a block the sample left out */
    in_hook = 1;
    writer_lock();
    if (tracer.w && (!tracer.sample_bytes || addrmap_slot_of(&tracer.sampled, (uintptr_t)block))) {
        heapan_reuse u = {.time_us = now_us(), .address = (uintptr_t)block,
                          .stack = current_stack()};
        heapan_writer_reuse_event(tracer.w, &u);
    }
    writer_unlock();
    in_hook = 0;
}

static int on_reference(PyObject *o, PyRefTracerEvent event, void *data)
{
    (void)data;
    if (event == PyRefTracer_CREATE && !in_hook && tracer.w)
        record_reuse(o);
    return previous_ref_tracer ? previous_ref_tracer(o, event, previous_ref_data) : 0;
}

static int follow_reuse(void)
{
    previous_ref_tracer = PyRefTracer_GetTracer(&previous_ref_data);
    return PyRefTracer_SetTracer(on_reference, NULL) == 0;
}

static void unfollow_reuse(void)
{
    void *data;
    if (PyRefTracer_GetTracer(&data) == on_reference)
        PyRefTracer_SetTracer(previous_ref_tracer, previous_ref_data);
    previous_ref_tracer = NULL;
}
#else
static int follow_reuse(void)
{
    return 0;
}

static void unfollow_reuse(void)
{
}
#endif

/* ---- the RSS sampler ------------------------------------------------------- */

static void deadline_after(struct timespec *t, unsigned ms)
{
    clock_gettime(CLOCK_MONOTONIC, t);
    t->tv_sec += ms / 1000;
    t->tv_nsec += (long)(ms % 1000) * 1000000;
    if (t->tv_nsec >= 1000000000) {
        t->tv_sec++;
        t->tv_nsec -= 1000000000;
    }
}

/* Also flushes the writer once a second: a process that dies mid-way
 * leaves a file readable up to its last flush. */
static void *sample_loop(void *unused)
{
    (void)unused;
    uint64_t last_flush = 0;
    pthread_mutex_lock(&tracer.sampler_lock);
    while (tracer.sampler_running) {
        struct timespec deadline;
        deadline_after(&deadline, tracer.interval_ms);
        if (pthread_cond_timedwait(&tracer.sampler_wake, &tracer.sampler_lock, &deadline) == 0)
            continue; /* woken to stop */
        uint64_t rss = process_rss_bytes();
        writer_lock();
        if (tracer.w) {
            /* traced_bytes 0: the reader sums the events, exactly. */
            heapan_sample s = {.time_us = now_us(), .rss = rss, .traced_bytes = 0};
            heapan_writer_sample(tracer.w, &s);
            if (s.time_us - last_flush >= FLUSH_EVERY_US) {
                heapan_writer_flush(tracer.w);
                last_flush = s.time_us;
            }
        }
        writer_unlock();
    }
    pthread_mutex_unlock(&tracer.sampler_lock);
    return NULL;
}

static int start_sampler(void)
{
    pthread_condattr_t attributes;
    pthread_condattr_init(&attributes);
    pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC);
    int failed = pthread_cond_init(&tracer.sampler_wake, &attributes);
    pthread_condattr_destroy(&attributes);
    if (failed)
        return -1;
    tracer.sampler_running = 1;
    if (pthread_create(&tracer.sampler, NULL, sample_loop, NULL) == 0)
        return 0;
    tracer.sampler_running = 0;
    pthread_cond_destroy(&tracer.sampler_wake);
    return -1;
}

static void stop_sampler(void)
{
    pthread_mutex_lock(&tracer.sampler_lock);
    tracer.sampler_running = 0;
    pthread_cond_signal(&tracer.sampler_wake);
    pthread_mutex_unlock(&tracer.sampler_lock);
    pthread_join(tracer.sampler, NULL);
    pthread_cond_destroy(&tracer.sampler_wake);
}

/* ---- start and stop ------------------------------------------------------------ */

static const PyMemAllocatorDomain DOMAINS[3] = {PYMEM_DOMAIN_RAW, PYMEM_DOMAIN_MEM,
                                                PYMEM_DOMAIN_OBJ};

static void install_hooks(void)
{
    for (int i = 0; i < 3; i++) {
        hooked_domain *d = &tracer.domains[i];
        d->domain = DOMAINS[i];
        d->needs_gil_check = DOMAINS[i] == PYMEM_DOMAIN_RAW;
        d->may_nest = !d->needs_gil_check;
        d->sampled_small = tracer.sample_bytes && d->may_nest;
        PyMem_GetAllocator(d->domain, &d->original);
        PyMemAllocatorEx hook = {d, hook_malloc, hook_calloc, hook_realloc, hook_free};
        PyMem_SetAllocator(d->domain, &hook);
    }
}

static int hooks_are_on_top(void)
{
    for (int i = 0; i < 3; i++) {
        PyMemAllocatorEx current;
        PyMem_GetAllocator(tracer.domains[i].domain, &current);
        if (current.malloc != hook_malloc || current.ctx != &tracer.domains[i])
            return 0;
    }
    return 1;
}

static void remove_hooks(void)
{
    for (int i = 0; i < 3; i++)
        PyMem_SetAllocator(tracer.domains[i].domain, &tracer.domains[i].original);
}

static void release_tables(void)
{
    for (size_t i = 0; i < tracer.pool_len; i++)
        Py_DECREF(tracer.pool[i].code);
    free(tracer.pool);
    free(tracer.stacks);
    addrmap_release(&tracer.sampled);
    tracer.pool = NULL;
    tracer.stacks = NULL;
    tracer.pool_len = tracer.pool_cap = tracer.stacks_used = tracer.stacks_mask = 0;
}

/* A forked child must not write into its parent's file, nor wait on a
 * lock some other thread of the parent held at the fork. */
static void before_fork(void)
{
    writer_lock();
}

static void after_fork_in_parent(void)
{
    writer_unlock();
}

static void after_fork_in_child(void)
{
    atomic_flag_clear(&tracer.lock);
    pthread_mutex_init(&tracer.sampler_lock, NULL);
    if (tracer.active && hooks_are_on_top())
        remove_hooks();
    tracer.w = NULL; /* the parent's: neither written nor freed here */
    tracer.active = tracer.sampler_running = 0;
}

/*
 * The process's facts, as a dump has them: the analysis tells the
 * program's own frames from the library's by them.  Then whether a block
 * reused from a free list moves to its new object's site.
 */
static int write_trace_facts(heapan_writer *w)
{
    py_facts facts;
    if (py_facts_gather(&facts) < 0)
        return -1;
    heapan_status st = py_facts_write_process(&facts, w);
    py_facts_release(&facts);
#ifdef HAVE_REUSE_TRACER
    int attributed = 1;
#else
    int attributed = 0;
#endif
    static const char key[] = "trace.reuse_attributed";
    heapan_property p = {.key = heapan_writer_string(w, key, sizeof key - 1),
                         .value_kind = HEAPAN_VALUE_BOOL, .i = attributed};
    if (st == HEAPAN_OK)
        st = heapan_writer_property(w, &p);
    if (st != HEAPAN_OK)
        PyErr_Format(PyExc_RuntimeError, "heapan: %s", heapan_writer_error(w));
    return st == HEAPAN_OK ? 0 : -1;
}

static int open_trace(const char *path, const trace_options *o, heapan_writer **w)
{
    /* One zstd worker: compression runs beside the program, not in its hooks. */
    /* Direct: a trace must survive the crash it may be recording. */
    heapan_writer_options writer_options = {.level = o->level, .workers = 1, .direct = 1};
    if (heapan_writer_open(w, path, &writer_options) != HEAPAN_OK) {
        py_raise_open_error(path);
        return -1;
    }
    if (write_process_header(*w, HEAPAN_CONTENT_TRACE, 0, o->sample_bytes, (uint64_t)getpid()) != HEAPAN_OK) {
        PyErr_Format(PyExc_RuntimeError, "heapan: %s", heapan_writer_error(*w));
        heapan_writer_free(*w);
        return -1;
    }
    if (write_trace_facts(*w) < 0) {
        heapan_writer_free(*w);
        return -1;
    }
    return 0;
}

int trace_start(const char *path, const trace_options *o)
{
    static int fork_handlers;
    if (tracer.active) {
        PyErr_SetString(PyExc_RuntimeError, "heapan is already tracing");
        return -1;
    }
    heapan_writer *w;
    if (open_trace(path, o, &w) < 0)
        return -1;
    tracer.stacks = calloc(1024, sizeof *tracer.stacks);
    tracer.stacks_mask = 1023;
    if (!tracer.stacks || addrmap_init(&tracer.sampled, 1024) < 0) {
        release_tables();
        heapan_writer_free(w);
        PyErr_NoMemory();
        return -1;
    }
    memset((void *)tracer.filter, 0, sizeof tracer.filter);
    tracer.frames = o->frames;
    tracer.sample_bytes = o->sample_bytes;
    tracer.interval_ms = o->interval_ms;
    if (o->sample_bytes)
        bytes_to_next_sample = exponential_gap();
    clock_gettime(CLOCK_MONOTONIC_COARSE, &tracer.start);
    if (start_sampler() < 0) {
        release_tables();
        heapan_writer_free(w);
        PyErr_SetString(PyExc_RuntimeError, "heapan: cannot start the sampling thread");
        return -1;
    }
    if (!fork_handlers)
        fork_handlers = pthread_atfork(before_fork, after_fork_in_parent, after_fork_in_child) == 0;
    writer_lock();
    tracer.w = w;
    writer_unlock();
    tracer.active = 1;
    install_hooks();
    follow_reuse();
    return 0;
}

int trace_stop(trace_result *result)
{
    if (!tracer.active) {
        PyErr_SetString(PyExc_RuntimeError, "heapan is not tracing");
        return -1;
    }
    if (!hooks_are_on_top()) {
        PyErr_SetString(PyExc_RuntimeError,
                        "heapan: another allocator hook (tracemalloc?) was installed after "
                        "tracing started; stop it first");
        return -1;
    }
    unfollow_reuse();
    remove_hooks();
    tracer.active = 0;
    stop_sampler();
    writer_lock();
    heapan_writer *w = tracer.w;
    tracer.w = NULL; /* a hook still running in another thread writes nothing now */
    writer_unlock();
    result->seconds = (double)now_us() / 1e6;
    heapan_status st = heapan_writer_close(w, &result->counts);
    if (st != HEAPAN_OK)
        PyErr_Format(PyExc_RuntimeError, "heapan: %s", heapan_writer_error(w));
    heapan_writer_free(w);
    release_tables();
    return st == HEAPAN_OK ? 0 : -1;
}

int trace_is_active(void)
{
    return tracer.active;
}
