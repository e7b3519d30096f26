/*
 * jsonpipe.c: an array of numbers tokenized on a second core.  A thread
 * runs json_numbers() on a copy of the stream and hands batches of numbers
 * to the caller, who feeds them to the sink while the next batch is read.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "input/json.h"

#define BATCH_NUMBERS (64u * 1024) /* 512 KB: one hand-over per some 300 KB of text */
#define BATCHES 4                  /* being filled, being consumed, two waiting */

typedef struct batch {
    uint64_t values[BATCH_NUMBERS];
    size_t count;
} batch;

typedef struct number_pipe {
    json_stream stream; /* the thread's copy, with its own message buffer */
    char why[256];
    pthread_mutex_t lock;
    pthread_cond_t changed;
    batch *empty[BATCHES], *full[BATCHES];
    size_t empty_count, full_head, full_count;
    batch *filling;
    int stop;     /* the caller's sink failed: the thread gives up */
    int finished; /* the thread is done; `status` is json_numbers' result */
    int status;
} number_pipe;

/* Invariant: every batch is in `empty`, in `full`, `filling`, or held by the caller. */

static void hand_over(number_pipe *q)
{
    pthread_mutex_lock(&q->lock);
    q->full[(q->full_head + q->full_count++) % BATCHES] = q->filling;
    q->filling = NULL;
    pthread_cond_broadcast(&q->changed);
    pthread_mutex_unlock(&q->lock);
}

/* The thread's sink: copies into batches, waiting for an empty one; -1 once the caller stopped. */
static int push(void *ctx, const uint64_t *values, size_t n)
{
    number_pipe *q = ctx;
    while (n) {
        if (!q->filling) {
            pthread_mutex_lock(&q->lock);
            while (!q->empty_count && !q->stop)
                pthread_cond_wait(&q->changed, &q->lock);
            q->filling = q->stop ? NULL : q->empty[--q->empty_count];
            pthread_mutex_unlock(&q->lock);
            if (!q->filling)
                return -1;
            q->filling->count = 0;
        }
        batch *b = q->filling;
        size_t take = BATCH_NUMBERS - b->count < n ? BATCH_NUMBERS - b->count : n;
        memcpy(b->values + b->count, values, take * sizeof *values);
        b->count += take, values += take, n -= take;
        if (b->count == BATCH_NUMBERS)
            hand_over(q);
    }
    return 0;
}

static void *tokenize(void *arg)
{
    number_pipe *q = arg;
    int status = json_numbers(&q->stream, push, q);
    if (q->filling)
        hand_over(q);
    pthread_mutex_lock(&q->lock);
    q->status = status;
    q->finished = 1;
    pthread_cond_broadcast(&q->changed);
    pthread_mutex_unlock(&q->lock);
    return NULL;
}

/* The next full batch, or NULL when the thread has finished and none is left. */
static batch *take_full(number_pipe *q)
{
    pthread_mutex_lock(&q->lock);
    while (!q->full_count && !q->finished)
        pthread_cond_wait(&q->changed, &q->lock);
    batch *b = NULL;
    if (q->full_count) {
        b = q->full[q->full_head];
        q->full_head = (q->full_head + 1) % BATCHES;
        q->full_count--;
    }
    pthread_mutex_unlock(&q->lock);
    return b;
}

static void give_back(number_pipe *q, batch *b, int stop)
{
    pthread_mutex_lock(&q->lock);
    q->empty[q->empty_count++] = b;
    q->stop |= stop;
    pthread_cond_broadcast(&q->changed);
    pthread_mutex_unlock(&q->lock);
}

/* Feeds a batch to the sink JSON_NUMBERS_AT_ONCE at a time, as json_numbers() would. */
static int feed(const batch *b, json_numbers_fn sink, void *ctx)
{
    for (size_t k = 0; k < b->count; k += JSON_NUMBERS_AT_ONCE) {
        size_t n = b->count - k < JSON_NUMBERS_AT_ONCE ? b->count - k : JSON_NUMBERS_AT_ONCE;
        if (sink(ctx, b->values + k, n) < 0)
            return -1;
    }
    return 0;
}

/*
 * The sink's message, written while the thread reads on, goes to the
 * caller's stream; the thread's own goes there after, so the first wins.
 */
static int finish(number_pipe *q, json_stream *j, int sink_failed)
{
    char *why = j->why;
    size_t why_size = j->why_size;
    int out_of_memory = j->out_of_memory;
    *j = q->stream;
    j->why = why, j->why_size = why_size;
    j->out_of_memory = out_of_memory;
    if (sink_failed)
        return -1;
    if (q->status < 0) {
        j->out_of_memory |= q->stream.out_of_memory;
        return q->why[0] ? json_fail(j, "%s", q->why) : -1;
    }
    return 0;
}

int json_numbers_piped(json_stream *j, json_numbers_fn sink, void *ctx)
{
    number_pipe *q = calloc(1, sizeof *q);
    batch *batches = calloc(BATCHES, sizeof *batches);
    pthread_t thread;
    int started = 0;
    if (q && batches) {
        q->stream = *j;
        q->stream.why = q->why, q->stream.why_size = sizeof q->why;
        q->stream.out_of_memory = 0;
        for (size_t k = 0; k < BATCHES; k++)
            q->empty[q->empty_count++] = &batches[k];
        pthread_mutex_init(&q->lock, NULL);
        pthread_cond_init(&q->changed, NULL);
        started = pthread_create(&thread, NULL, tokenize, q) == 0;
        if (!started)
            pthread_mutex_destroy(&q->lock), pthread_cond_destroy(&q->changed);
    }
    if (!started) { /* no thread: the same work, inline */
        free(batches), free(q);
        return json_numbers(j, sink, ctx);
    }
    int sink_failed = 0;
    for (batch *b; (b = take_full(q));) {
        sink_failed = sink_failed || feed(b, sink, ctx) < 0;
        give_back(q, b, sink_failed);
    }
    pthread_join(thread, NULL);
    int status = finish(q, j, sink_failed);
    pthread_mutex_destroy(&q->lock);
    pthread_cond_destroy(&q->changed);
    free(batches), free(q);
    return status;
}
