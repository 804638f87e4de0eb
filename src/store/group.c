/**
 * @file group.c
 * @brief Group commit for SQLite: transactions arriving together share one
 *        COMMIT, so one fsync of the write-ahead log makes all of them
 *        durable (docs/storage.md "Group commit").
 *
 * No extra thread: the first caller to find no batch in progress becomes the
 * leader. It takes every job queued so far (its own included), runs each
 * inside a savepoint of one transaction on its own connection, commits, and
 * wakes the owners; jobs that arrived meanwhile form the next batch, led by
 * the same thread while it has its own job pending or by the next waiter.
 * A failing job is rolled back to its savepoint and reported to its owner
 * alone; a failed COMMIT (or a busy database) retries the whole batch, which
 * is why a job must be re-runnable, as for store_tx.
 */
#include "core/log.h"
#include "store/backend.h"
#include "store/store.h"
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct group_job {
    struct group_job *next;
    int (*fn)(struct store_conn *c, void *ctx);
    void *ctx;
    int rc;
    int done;
};

/* Largest batch: a bound on the time a leader spends on others' work. */
#define GROUP_MAX 64

static int run_batch(struct store_conn *c, struct group_job **jobs, int n)
{
    int rc = STORE_BUSY;
    for (int attempt = 0; attempt < 10 && rc == STORE_BUSY; attempt++) {
        if (attempt) {
            struct timespec ts = {0, (long)(1000000L << (attempt < 6 ? attempt : 6))};
            nanosleep(&ts, NULL);
        }
        if ((rc = store_begin(c)) < 0) continue;
        int busy = 0;
        for (int i = 0; i < n && !busy; i++) {
            if ((rc = store_exec(c, "SAVEPOINT g")) < 0) {
                busy = 1;
                break;
            }
            int r = jobs[i]->fn(c, jobs[i]->ctx);
            if (r == STORE_BUSY || r == STORE_ERROR) {
                /* the connection itself may be at fault: redo the batch */
                busy = r == STORE_BUSY;
                if (!busy) {
                    store_exec(c, "ROLLBACK TO g");
                    store_exec(c, "RELEASE g");
                    jobs[i]->rc = r;
                    continue;
                }
                break;
            }
            if (r < 0) store_exec(c, "ROLLBACK TO g");
            store_exec(c, "RELEASE g");
            jobs[i]->rc = r;
        }
        if (busy) {
            store_rollback(c);
            rc = STORE_BUSY;
            continue;
        }
        rc = store_commit(c);
        if (rc < 0) store_rollback(c);
    }
    if (rc < 0)
        for (int i = 0; i < n; i++)
            jobs[i]->rc = rc; /* nothing of the batch committed */
    return rc;
}

int store_tx_group(struct store_conn *c, int (*fn)(struct store_conn *c, void *ctx), void *ctx)
{
    struct store *s = c->store;
    if (s->backend != STORE_SQLITE) return store_tx(c, fn, ctx);
    struct group_job me = {NULL, fn, ctx, 0, 0};
    pthread_mutex_lock(&s->group_lock);
    if (s->group_tail)
        s->group_tail->next = &me;
    else
        s->group_head = &me;
    s->group_tail = &me;
    while (!me.done) {
        if (s->group_leader) {
            pthread_cond_wait(&s->group_done, &s->group_lock);
            continue;
        }
        /* lead one batch: everything queued up to now */
        s->group_leader = 1;
        struct group_job *jobs[GROUP_MAX];
        int n = 0;
        while (s->group_head && n < GROUP_MAX) {
            jobs[n++] = s->group_head;
            s->group_head = s->group_head->next;
        }
        if (!s->group_head) s->group_tail = NULL;
        pthread_mutex_unlock(&s->group_lock);
        run_batch(c, jobs, n);
        pthread_mutex_lock(&s->group_lock);
        for (int i = 0; i < n; i++)
            jobs[i]->done = 1;
        s->group_batches++;
        s->group_jobs += n;
        s->group_leader = 0;
        pthread_cond_broadcast(&s->group_done);
    }
    pthread_mutex_unlock(&s->group_lock);
    return me.rc;
}

void store_group_stats(struct store *s, long *batches, long *jobs)
{
    pthread_mutex_lock(&s->group_lock);
    *batches = s->group_batches;
    *jobs = s->group_jobs;
    pthread_mutex_unlock(&s->group_lock);
}
