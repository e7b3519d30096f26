/* recordpipe.c: a producer thread and chunks of decoded records. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "grow.h"
#include "model/heap.h"
#include "input/recordpipe.h"
#include "input/dumpload.h"

#define CHUNK_RECORDS 8192
#define CHUNKS 3  /* one being filled, one being read, one waiting */

typedef struct chunk {
    heapan_record records[CHUNK_RECORDS];
    size_t count;
    uint32_t *names;  /* the shapes' names, which the reader would overwrite */
    size_t names_used, names_cap;
    char *texts;      /* the properties' TEXT and BYTES values, likewise */
    size_t texts_used, texts_cap;
    uint64_t offset;
    int last;
} chunk;

struct record_pipe {
    heapan_reader *reader;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t changed;
    chunk *chunks;
    chunk *empty[CHUNKS], *full[CHUNKS];
    size_t empty_count, full_head, full_count;
    chunk *reading;      /* the chunk the caller holds */
    int stop, finished;  /* the caller gave up; the thread is done */
    heapan_status status;
};

/* Copies the shape's names into the chunk; -1 when out of memory. */
static int keep_names(chunk *c, heapan_record *rec)
{
    heapan_shape *s = &rec->u.shape;
    if (grow(&c->names, sizeof *c->names, &c->names_cap, c->names_used + s->count) < 0)
        return -1;
    if (s->count)
        memcpy(c->names + c->names_used, s->names, s->count * sizeof *s->names);
    s->names = (const uint32_t *)(uintptr_t)c->names_used;  /* an offset until read */
    c->names_used += s->count;
    return 0;
}

/* Copies a property's text into the chunk; -1 when out of memory. */
static int keep_text(chunk *c, heapan_record *rec)
{
    heapan_property *p = &rec->u.property;
    if (p->value_kind != HEAPAN_VALUE_TEXT && p->value_kind != HEAPAN_VALUE_BYTES)
        return 0;
    if (grow(&c->texts, 1, &c->texts_cap, c->texts_used + p->len + 1) < 0)
        return -1;
    if (p->len)
        memcpy(c->texts + c->texts_used, p->data, p->len);
    p->data = (const void *)(uintptr_t)c->texts_used;  /* an offset until read */
    c->texts_used += p->len;
    return 0;
}

/* Fills one chunk; returns 1 when the dump has ended. */
static int fill(record_pipe *p, chunk *c)
{
    c->count = c->names_used = c->texts_used = 0;
    heapan_status st = HEAPAN_OK;
    while (c->count < CHUNK_RECORDS && (st = heapan_reader_next(p->reader, &c->records[c->count])) ==
                                           HEAPAN_OK) {
        heapan_record *rec = &c->records[c->count];
        if (rec->kind == HEAPAN_REC_STRING)
            continue;
        if (rec->kind == HEAPAN_REC_OBJECT) {
            heap_hash_short_value(&rec->u.object);  /* its bytes are gone after this call */
            rec->u.object.data = NULL;
        }
        if ((rec->kind == HEAPAN_REC_SHAPE && keep_names(c, rec) < 0) ||
            (rec->kind == HEAPAN_REC_PROPERTY && keep_text(c, rec) < 0)) {
            st = HEAPAN_ERR_NOMEM;
            break;
        }
        c->count++;
    }
    c->offset = heapan_reader_offset(p->reader);
    c->last = st != HEAPAN_OK;
    if (c->last)
        p->status = st;
    return c->last;
}

static void *produce(void *arg)
{
    record_pipe *p = arg;
    for (int last = 0; !last;) {
        pthread_mutex_lock(&p->lock);
        while (!p->empty_count && !p->stop)
            pthread_cond_wait(&p->changed, &p->lock);
        chunk *c = p->stop ? NULL : p->empty[--p->empty_count];
        pthread_mutex_unlock(&p->lock);
        if (!c)
            break;
        last = fill(p, c);
        pthread_mutex_lock(&p->lock);
        p->full[(p->full_head + p->full_count++) % CHUNKS] = c;
        pthread_cond_broadcast(&p->changed);
        pthread_mutex_unlock(&p->lock);
    }
    pthread_mutex_lock(&p->lock);
    p->finished = 1;
    pthread_cond_broadcast(&p->changed);
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

record_pipe *record_pipe_start(heapan_reader *r)
{
    record_pipe *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->reader = r;
    p->status = HEAPAN_OK;
    /* Not calloc: a small dump then touches only the pages its records fill. */
    if (!(p->chunks = malloc(CHUNKS * sizeof *p->chunks))) {
        free(p);
        return NULL;
    }
    for (size_t i = 0; i < CHUNKS; i++) {
        chunk *c = &p->chunks[i];
        c->count = c->names_used = c->names_cap = c->texts_used = c->texts_cap = 0;
        c->names = NULL;
        c->texts = NULL;
        c->offset = 0;
        c->last = 0;
        p->empty[p->empty_count++] = c;
    }
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->changed, NULL);
    if (pthread_create(&p->thread, NULL, produce, p) != 0) {
        pthread_mutex_destroy(&p->lock);
        pthread_cond_destroy(&p->changed);
        free(p->chunks);
        free(p);
        return NULL;
    }
    return p;
}

const heapan_record *record_pipe_next(record_pipe *p, size_t *count, uint64_t *offset)
{
    pthread_mutex_lock(&p->lock);
    if (p->reading) {
        int was_last = p->reading->last;
        p->empty[p->empty_count++] = p->reading;
        p->reading = NULL;
        pthread_cond_broadcast(&p->changed);
        if (was_last) {
            pthread_mutex_unlock(&p->lock);
            return NULL;
        }
    }
    while (!p->full_count && !p->finished)
        pthread_cond_wait(&p->changed, &p->lock);
    chunk *c = NULL;
    if (p->full_count) {
        c = p->full[p->full_head];
        p->full_head = (p->full_head + 1) % CHUNKS;
        p->full_count--;
    }
    p->reading = c;
    pthread_mutex_unlock(&p->lock);
    if (!c)
        return NULL;
    for (size_t i = 0; i < c->count; i++) { /* offsets back to pointers */
        heapan_record *rec = &c->records[i];
        if (rec->kind == HEAPAN_REC_SHAPE) /* a shape of no names may come before any room */
            rec->u.shape.names = c->names ? c->names + (uintptr_t)rec->u.shape.names : NULL;
        else if (rec->kind == HEAPAN_REC_PROPERTY && (rec->u.property.value_kind == HEAPAN_VALUE_TEXT ||
                                                      rec->u.property.value_kind == HEAPAN_VALUE_BYTES))
            rec->u.property.data = c->texts + (uintptr_t)rec->u.property.data;
    }
    *count = c->count;
    *offset = c->offset;
    return c->records;
}

heapan_status record_pipe_finish(record_pipe *p)
{
    pthread_mutex_lock(&p->lock);
    p->stop = 1;
    pthread_cond_broadcast(&p->changed);
    pthread_mutex_unlock(&p->lock);
    pthread_join(p->thread, NULL);
    heapan_status status = p->status;
    for (size_t i = 0; i < CHUNKS; i++)
        free(p->chunks[i].names), free(p->chunks[i].texts);
    pthread_mutex_destroy(&p->lock);
    pthread_cond_destroy(&p->changed);
    free(p->chunks);
    free(p);
    return status;
}
