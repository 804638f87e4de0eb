/**
 * @file pool.c
 * @brief The backend-independent part of the store: the connection pool,
 *        dispatch to the backend, the transaction retry helper.
 */
#include "store/backend.h"
#include "core/fs.h"
#include "core/log.h"
#include "core/mem.h"
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

void store_set_error(struct store_conn *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->errmsg, sizeof c->errmsg, fmt, ap);
    va_end(ap);
}

static int is_pg_url(const char *url)
{
    return url && (strncmp(url, "postgres://", 11) == 0 || strncmp(url, "postgresql://", 13) == 0);
}

int store_open(const struct store_options *opt, struct store **out, char *errbuf, size_t errlen)
{
    struct store *s = xcalloc(1, sizeof *s);
    int pg = is_pg_url(opt->url);
    if (opt->url && *opt->url && !pg) {
        snprintf(errbuf, errlen, "unknown database URL '%s': use postgres://... or leave it empty "
                                 "for SQLite", opt->url);
        free(s);
        return STORE_ERROR;
    }
    s->backend = pg ? STORE_POSTGRES : STORE_SQLITE;
    s->ops = pg ? &store_pg_ops : &store_sqlite_ops;
    s->url = xstrdup(pg ? opt->url : "");
    s->data_dir = xstrdup(opt->data_dir ? opt->data_dir : ".");
    s->busy_timeout_ms = opt->busy_timeout_ms > 0 ? opt->busy_timeout_ms : 5000;
    s->pool_size = opt->pool_size > 0 ? opt->pool_size : 1;
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->freed, NULL);
    pthread_mutex_init(&s->group_lock, NULL);
    pthread_cond_init(&s->group_done, NULL);
    if (!pg && fs_mkdir_p(s->data_dir) < 0) {
        snprintf(errbuf, errlen, "cannot create data directory %s: %s", s->data_dir,
                 strerror(errno));
        store_close(s);
        return STORE_ERROR;
    }
    s->conns = xcalloc((size_t)s->pool_size, sizeof *s->conns);
    /* Connect eagerly: a wrong URL or an unreachable server is reported at
     * start, not at the first request. */
    for (int i = 0; i < s->pool_size; i++) {
        struct store_conn *c = &s->conns[i];
        c->store = s;
        c->index = i;
        if (s->ops->connect(s, c, errbuf, errlen) < 0) {
            store_close(s);
            return STORE_ERROR;
        }
    }
    *out = s;
    return STORE_OK;
}

void store_close(struct store *s)
{
    if (!s)
        return;
    for (int i = 0; s->conns && i < s->pool_size; i++)
        if (s->conns[i].handle)
            s->ops->disconnect(&s->conns[i]);
    free(s->conns);
    pthread_mutex_destroy(&s->lock);
    pthread_mutex_destroy(&s->group_lock);
    pthread_cond_destroy(&s->group_done);
    pthread_cond_destroy(&s->freed);
    free(s->url);
    free(s->data_dir);
    free(s);
}

enum store_backend store_backend(const struct store *s)
{
    return s->backend;
}

enum store_backend store_conn_backend(const struct store_conn *c)
{
    return c->store->backend;
}

int store_conn_index(const struct store_conn *c)
{
    return c->index;
}

const char *store_errmsg(const struct store_conn *c)
{
    return c->errmsg;
}

struct store_conn *store_acquire(struct store *s)
{
    pthread_mutex_lock(&s->lock);
    struct store_conn *c = NULL;
    for (;;) {
        for (int i = 0; i < s->pool_size && !c; i++)
            if (!s->conns[i].in_use)
                c = &s->conns[i];
        if (c)
            break;
        pthread_cond_wait(&s->freed, &s->lock);
    }
    c->in_use = 1;
    pthread_mutex_unlock(&s->lock);
    s->ops->check(c);
    return c;
}

void store_release(struct store_conn *c)
{
    struct store *s = c->store;
    pthread_mutex_lock(&s->lock);
    c->in_use = 0;
    pthread_cond_signal(&s->freed);
    pthread_mutex_unlock(&s->lock);
}

/* Statements remember their connection in their first member. */
struct stmt_head {
    struct store_conn *conn;
};

static const struct store_ops *ops_of(struct store_stmt *st)
{
    return ((struct stmt_head *)st)->conn->store->ops;
}

int store_exec(struct store_conn *c, const char *sql)
{
    return c->store->ops->exec(c, sql);
}

int store_prepare(struct store_conn *c, const char *sql, struct store_stmt **out)
{
    return c->store->ops->prepare(c, sql, out);
}

int store_bind_text(struct store_stmt *st, int idx, const char *s)
{
    if (!s)
        return ops_of(st)->bind(st, idx, BIND_NULL, NULL, 0, 0);
    return ops_of(st)->bind(st, idx, BIND_TEXT, s, strlen(s), 0);
}

int store_bind_int64(struct store_stmt *st, int idx, int64_t v)
{
    return ops_of(st)->bind(st, idx, BIND_INT64, NULL, 0, v);
}

int store_bind_null(struct store_stmt *st, int idx)
{
    return ops_of(st)->bind(st, idx, BIND_NULL, NULL, 0, 0);
}

int store_bind_blob(struct store_stmt *st, int idx, const void *p, size_t n)
{
    return ops_of(st)->bind(st, idx, BIND_BLOB, p ? p : "", n, 0);
}

int store_step(struct store_stmt *st)
{
    return ops_of(st)->step(st);
}

int store_column_count(struct store_stmt *st)
{
    return ops_of(st)->column_count(st);
}

int store_column_is_null(struct store_stmt *st, int col)
{
    return ops_of(st)->column_is_null(st, col);
}

const char *store_column_text(struct store_stmt *st, int col)
{
    return ops_of(st)->column_text(st, col);
}

int64_t store_column_int64(struct store_stmt *st, int col)
{
    return ops_of(st)->column_int64(st, col);
}

const void *store_column_blob(struct store_stmt *st, int col, size_t *len)
{
    return ops_of(st)->column_blob(st, col, len);
}

int64_t store_changes(struct store_stmt *st)
{
    return ops_of(st)->changes(st);
}

int store_reset(struct store_stmt *st)
{
    return ops_of(st)->reset(st);
}

void store_finalize(struct store_stmt *st)
{
    if (st)
        ops_of(st)->finalize(st);
}

int store_begin(struct store_conn *c)
{
    int rc = store_exec(c, c->store->ops->begin_sql);
    c->in_tx = rc == 0;
    return rc;
}

int store_commit(struct store_conn *c)
{
    int rc = store_exec(c, "COMMIT");
    if (rc == 0)
        c->in_tx = 0;
    return rc;
}

int store_rollback(struct store_conn *c)
{
    int rc = store_exec(c, "ROLLBACK");
    /* Whatever the answer, the transaction is over (a lost connection took
     * it with it). */
    c->in_tx = 0;
    c->tx_broken = 0;
    return rc < 0 && rc != STORE_BUSY ? rc : 0;
}

static void backoff(int attempt)
{
    /* 1, 2, 4 ... ms, with jitter so that colliding writers spread out. */
    long ms = (1L << (attempt < 8 ? attempt : 8)) + rand() % 5;
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

int store_tx(struct store_conn *c, int (*fn)(struct store_conn *c, void *ctx), void *ctx)
{
    int rc = STORE_BUSY;
    for (int attempt = 0; attempt < 10; attempt++) {
        if (attempt)
            backoff(attempt);
        rc = store_begin(c);
        if (rc == STORE_BUSY)
            continue;
        if (rc < 0)
            return rc;
        rc = fn(c, ctx);
        if (rc < 0) {
            store_rollback(c);
            if (rc == STORE_BUSY)
                continue;
            return rc;
        }
        int crc = store_commit(c);
        if (crc == 0)
            return rc;
        store_rollback(c);
        if (crc != STORE_BUSY)
            return crc;
        rc = crc;
    }
    log_warn("store: transaction gave up after retries: %s", c->errmsg);
    return rc;
}

int store_query_int64(struct store_conn *c, int64_t *out, const char *sql, ...)
{
    struct store_stmt *st;
    int rc = store_prepare(c, sql, &st);
    if (rc < 0)
        return rc;
    va_list ap;
    va_start(ap, sql);
    const char *p;
    for (int i = 1; (p = va_arg(ap, const char *)) != NULL; i++)
        store_bind_text(st, i, p);
    va_end(ap);
    rc = store_step(st);
    if (rc == STORE_ROW)
        *out = store_column_int64(st, 0);
    store_finalize(st);
    return rc;
}

int store_ping(struct store_conn *c)
{
    int64_t one = 0;
    return store_query_int64(c, &one, "SELECT 1", NULL) == STORE_ROW && one == 1;
}
