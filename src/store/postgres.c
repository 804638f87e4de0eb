/**
 * @file postgres.c
 * @brief The PostgreSQL backend through libpq. "?" placeholders become $n;
 *        a statement executes on its first step with its bound parameters
 *        and walks the rows of the result. A connection found broken is
 *        reset, so a restarted server is reconnected to; an error on a
 *        broken connection is reported as retryable so store_tx tries again.
 *
 * Each connection prepares the statements it runs under names of its own
 * (up to PREPARED_MAX), so the server parses and plans a statement once per
 * connection instead of on every execution: the hall runs the same few
 * hundred statements all day. A reset connection is a new session without
 * them, so the names are forgotten with it.
 */
#include "core/mem.h"
#include "store/backend.h"
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PARAMS 64
#define PREPARED_MAX 512 /* statements a connection keeps prepared; more run unnamed */
#define PREPARED_SLOTS 1024 /* open addressing, at most half full */

struct prepared {
    char *sql; /* with $n placeholders; NULL: free slot */
    unsigned long hash;
};

struct prepared_set {
    struct prepared slot[PREPARED_SLOTS];
    int n;
    unsigned gen; /* part of every name: see prepared_stale */
};

struct store_stmt {
    struct store_conn *conn; /* first: see store.c */
    char *sql;               /* with $n placeholders */
    int nparams;
    char *values[MAX_PARAMS];
    int lengths[MAX_PARAMS];
    int formats[MAX_PARAMS];
    Oid types[MAX_PARAMS];
    PGresult *res;
    int row;
    int executed;
    unsigned char **blobs; /* unescaped bytea values of the current row */
    size_t nblobs;
};

/* Frees the bytea values handed out for the current row: they stay valid
 * until the next step, like every other column. */
static void free_blobs(struct store_stmt *st)
{
    for (size_t i = 0; i < st->nblobs; i++)
        PQfreemem(st->blobs[i]);
    free(st->blobs);
    st->blobs = NULL;
    st->nblobs = 0;
}

/* Turns ? into $1, $2 ... outside quotes and comments; counts them. */
static char *translate(const char *sql, int *count)
{
    struct buf b = BUF_INIT;
    int n = 0;
    for (const char *p = sql; *p; p++) {
        if (*p == '\'' || *p == '"') {
            char q = *p;
            buf_putc(&b, *p);
            for (p++; *p; p++) {
                buf_putc(&b, *p);
                if (*p == q) {
                    if (p[1] == q) { /* doubled quote inside */
                        buf_putc(&b, *++p);
                        continue;
                    }
                    break;
                }
            }
            if (!*p)
                break;
        } else if (p[0] == '-' && p[1] == '-') {
            while (*p && *p != '\n')
                buf_putc(&b, *p++);
            if (!*p)
                break;
            buf_putc(&b, *p);
        } else if (p[0] == '/' && p[1] == '*') {
            const char *end = strstr(p + 2, "*/");
            size_t len = end ? (size_t)(end + 2 - p) : strlen(p);
            buf_append(&b, p, len);
            p += len - 1;
        } else if (*p == '?') {
            buf_printf(&b, "$%d", ++n);
        } else {
            buf_putc(&b, *p);
        }
    }
    *count = n;
    return buf_steal(&b);
}

static int map_result(struct store_conn *c, PGresult *res)
{
    ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
        return STORE_OK;
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    store_set_error(c, "postgres: %s", res ? PQresultErrorMessage(res) : PQerrorMessage(c->handle));
    if (PQstatus(c->handle) != CONNECTION_OK)
        return STORE_BUSY;
    if (!state)
        return STORE_ERROR;
    if (strncmp(state, "23", 2) == 0)
        return STORE_CONSTRAINT;
    if (!strcmp(state, "40001") || !strcmp(state, "40P01") || !strcmp(state, "55P03") ||
        strncmp(state, "08", 2) == 0 || !strcmp(state, "57P01"))
        return STORE_BUSY;
    return STORE_ERROR;
}

static unsigned long sql_hash(const char *s)
{
    unsigned long h = 1469598103934665603UL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211UL;
    return h;
}

/* The slot of sql: its own when prepared, else the free one where it would
 * go. The slot's index is the statement's name on this connection. */
static int prepared_slot(struct prepared_set *ps, const char *sql, unsigned long h)
{
    int i = (int)(h % PREPARED_SLOTS);
    while (ps->slot[i].sql && (ps->slot[i].hash != h || strcmp(ps->slot[i].sql, sql)))
        i = (i + 1) % PREPARED_SLOTS;
    return i;
}

/* The connection's session is gone (reset): so are its prepared statements. */
static void prepared_forget(struct store_conn *c)
{
    struct prepared_set *ps = c->cache;
    if (!ps)
        return;
    for (int i = 0; i < PREPARED_SLOTS; i++) {
        free(ps->slot[i].sql);
        ps->slot[i].sql = NULL;
    }
    ps->n = 0;
}

/* The server still holds the statements but they no longer fit (a table
 * changed): new names for all, so preparing again does not clash with the
 * old ones; those are dropped now unless a transaction (aborted by the
 * error) is open, else they stay until the session ends. */
static void prepared_stale(struct store_conn *c)
{
    struct prepared_set *ps = c->cache;
    prepared_forget(c);
    ps->gen++;
    if (!c->in_tx)
        PQclear(PQexec(c->handle, "DEALLOCATE ALL"));
}

/* Runs st: prepared under its name when it is (or can now be), else as an
 * unnamed statement. *stale is set when the server no longer knows the name
 * or the plan no longer fits a changed table: the names are forgotten, and
 * the caller runs the statement again (or, inside a transaction that the
 * error aborted, has the transaction retried). */
static PGresult *pg_run(struct store_stmt *st, int *stale)
{
    struct store_conn *c = st->conn;
    struct prepared_set *ps = c->cache;
    const char *const *values = (const char *const *)st->values;
    *stale = 0;
    if (ps) {
        unsigned long h = sql_hash(st->sql);
        int i = prepared_slot(ps, st->sql, h);
        char name[32];
        snprintf(name, sizeof name, "s%u_%d", ps->gen, i);
        int ready = ps->slot[i].sql != NULL;
        if (!ready && ps->n < PREPARED_MAX) {
            PGresult *r = PQprepare(c->handle, name, st->sql, st->nparams, st->types);
            ready = r && PQresultStatus(r) == PGRES_COMMAND_OK;
            PQclear(r);
            if (ready) {
                ps->slot[i].sql = xstrdup(st->sql);
                ps->slot[i].hash = h;
                ps->n++;
            }
        }
        if (ready) {
            PGresult *res = PQexecPrepared(c->handle, name, st->nparams, values, st->lengths,
                                           st->formats, 0);
            const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
            if (state && (!strcmp(state, "26000") || !strcmp(state, "0A000"))) {
                prepared_stale(c);
                *stale = 1;
            }
            return res;
        }
    }
    return PQexecParams(c->handle, st->sql, st->nparams, st->types, values, st->lengths,
                        st->formats, 0);
}

static int pg_connect(struct store *s, struct store_conn *c, char *errbuf, size_t errlen)
{
    PGconn *pg = PQconnectdb(s->url);
    if (PQstatus(pg) != CONNECTION_OK) {
        snprintf(errbuf, errlen, "cannot connect to PostgreSQL: %s", PQerrorMessage(pg));
        size_t n = strlen(errbuf);
        while (n && errbuf[n - 1] == '\n')
            errbuf[--n] = 0;
        PQfinish(pg);
        return STORE_ERROR;
    }
    c->handle = pg;
    c->cache = xcalloc(1, sizeof(struct prepared_set));
    char set[160];
    snprintf(set, sizeof set,
             "SET lock_timeout = %d; SET client_encoding = 'UTF8'; SET client_min_messages = "
             "warning",
             s->busy_timeout_ms);
    PGresult *r = PQexec(pg, set);
    PQclear(r);
    return STORE_OK;
}

static void pg_disconnect(struct store_conn *c)
{
    prepared_forget(c);
    free(c->cache);
    c->cache = NULL;
    PQfinish(c->handle);
    c->handle = NULL;
}

static int pg_check(struct store_conn *c)
{
    if (c->tx_broken) {
        store_set_error(c, "postgres: connection lost inside a transaction");
        return STORE_BUSY;
    }
    if (PQstatus(c->handle) == CONNECTION_OK)
        return 0;
    /* A transaction does not survive its connection: everything until the
     * rollback fails as retryable, so store_tx runs the whole of it again. */
    if (c->in_tx) {
        c->tx_broken = 1;
        store_set_error(c, "postgres: connection lost inside a transaction");
        return STORE_BUSY;
    }
    PQreset(c->handle);
    prepared_forget(c);
    if (PQstatus(c->handle) != CONNECTION_OK) {
        store_set_error(c, "postgres: connection lost: %s", PQerrorMessage(c->handle));
        return STORE_BUSY;
    }
    char set[64];
    snprintf(set, sizeof set, "SET lock_timeout = %d", c->store->busy_timeout_ms);
    PQclear(PQexec(c->handle, set));
    return 0;
}

/* Whether a failed statement may simply be sent again: the connection was
 * lost (a server restart) and no transaction was open, so nothing of it
 * happened. */
static int retry_after_reset(struct store_conn *c)
{
    if (PQstatus(c->handle) == CONNECTION_OK || c->in_tx)
        return 0;
    return pg_check(c) == 0;
}

static int pg_exec(struct store_conn *c, const char *sql)
{
    if (c->tx_broken && strcmp(sql, "ROLLBACK") == 0) {
        c->tx_broken = 0;
        PQreset(c->handle);
        prepared_forget(c);
        return STORE_OK;
    }
    if (pg_check(c) < 0)
        return STORE_BUSY;
    /* BEGIN itself may be sent again after a reset: in_tx is set only once
     * it succeeded. */
    PGresult *res = PQexec(c->handle, sql);
    int rc = map_result(c, res);
    if (rc < 0 && retry_after_reset(c)) {
        PQclear(res);
        res = PQexec(c->handle, sql);
        rc = map_result(c, res);
    }
    if (rc < 0 && c->in_tx && PQstatus(c->handle) != CONNECTION_OK)
        c->tx_broken = 1;
    PQclear(res);
    return rc;
}

static int pg_prepare(struct store_conn *c, const char *sql, struct store_stmt **out)
{
    struct store_stmt *st = xcalloc(1, sizeof *st);
    st->conn = c;
    st->sql = translate(sql, &st->nparams);
    if (st->nparams > MAX_PARAMS) {
        store_set_error(c, "too many parameters (%d)", st->nparams);
        free(st->sql);
        free(st);
        return STORE_ERROR;
    }
    *out = st;
    return STORE_OK;
}

static int pg_bind(struct store_stmt *st, int idx, int type, const void *p, size_t n, int64_t v)
{
    if (idx < 1 || idx > st->nparams) {
        store_set_error(st->conn, "parameter %d out of range", idx);
        return STORE_ERROR;
    }
    int i = idx - 1;
    free(st->values[i]);
    st->values[i] = NULL;
    st->lengths[i] = 0;
    st->formats[i] = 0;
    st->types[i] = 0;
    switch (type) {
    case BIND_TEXT:
        st->values[i] = xstrndup(p, n);
        break;
    case BIND_INT64:
        st->values[i] = xasprintf("%lld", (long long)v);
        /* type left to the server: it infers it from where the value goes */
        break;
    case BIND_BLOB:
        st->values[i] = xmalloc(n ? n : 1);
        memcpy(st->values[i], p, n);
        st->lengths[i] = (int)n;
        st->formats[i] = 1;
        st->types[i] = 17; /* bytea */
        break;
    default:
        break;
    }
    return STORE_OK;
}

static int pg_step(struct store_stmt *st)
{
    struct store_conn *c = st->conn;
    free_blobs(st);
    if (!st->executed) {
        st->executed = 1;
        if (pg_check(c) < 0)
            return STORE_BUSY;
        int stale;
        st->res = pg_run(st, &stale);
        int rc = map_result(c, st->res);
        if (stale && c->in_tx)
            rc = STORE_BUSY; /* the error aborted the transaction: store_tx runs it again */
        else if (stale || (rc < 0 && retry_after_reset(c))) {
            PQclear(st->res);
            st->res = pg_run(st, &stale);
            rc = map_result(c, st->res);
        }
        if (rc < 0 && c->in_tx && PQstatus(c->handle) != CONNECTION_OK)
            c->tx_broken = 1;
        if (rc < 0)
            return rc;
        st->row = -1;
    }
    if (!st->res || PQresultStatus(st->res) != PGRES_TUPLES_OK)
        return STORE_DONE;
    st->row++;
    return st->row < PQntuples(st->res) ? STORE_ROW : STORE_DONE;
}

static int pg_column_count(struct store_stmt *st)
{
    return st->res ? PQnfields(st->res) : 0;
}

static int pg_column_is_null(struct store_stmt *st, int col)
{
    return PQgetisnull(st->res, st->row, col);
}

static const char *pg_column_text(struct store_stmt *st, int col)
{
    if (!st->res || PQgetisnull(st->res, st->row, col))
        return NULL;
    return PQgetvalue(st->res, st->row, col);
}

static int64_t pg_column_int64(struct store_stmt *st, int col)
{
    const char *v = pg_column_text(st, col);
    if (!v)
        return 0;
    if (v[0] == 't' && v[1] == 0)
        return 1; /* boolean true */
    return strtoll(v, NULL, 10);
}

static const void *pg_column_blob(struct store_stmt *st, int col, size_t *len)
{
    const char *v = pg_column_text(st, col);
    *len = 0;
    if (!v)
        return NULL;
    if (PQftype(st->res, col) != 17) { /* not bytea: the text itself */
        *len = (size_t)PQgetlength(st->res, st->row, col);
        return v;
    }
    unsigned char *b = PQunescapeBytea((const unsigned char *)v, len);
    if (!b)
        return NULL;
    st->blobs = xrealloc(st->blobs, (st->nblobs + 1) * sizeof *st->blobs);
    st->blobs[st->nblobs++] = b;
    return b;
}

static int64_t pg_changes(struct store_stmt *st)
{
    const char *n = st->res ? PQcmdTuples(st->res) : "";
    return *n ? strtoll(n, NULL, 10) : 0;
}

static int pg_reset(struct store_stmt *st)
{
    free_blobs(st);
    PQclear(st->res);
    st->res = NULL;
    st->executed = 0;
    st->row = -1;
    for (int i = 0; i < st->nparams; i++) {
        free(st->values[i]);
        st->values[i] = NULL;
        st->lengths[i] = st->formats[i] = 0;
        st->types[i] = 0;
    }
    return STORE_OK;
}

static void pg_finalize(struct store_stmt *st)
{
    pg_reset(st);
    free(st->sql);
    free(st);
}

const struct store_ops store_pg_ops = {
    pg_connect,     pg_disconnect,  pg_check,        pg_exec,           pg_prepare,
    pg_bind,        pg_step,        pg_column_count, pg_column_is_null, pg_column_text,
    pg_column_int64, pg_column_blob, pg_changes,      pg_reset,          pg_finalize,
    "BEGIN",
};
