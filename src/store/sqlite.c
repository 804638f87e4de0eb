/**
 * @file sqlite.c
 * @brief The embedded SQLite backend: one database file in the data
 *        directory, WAL with synchronous=FULL (a commit is on disk when it
 *        returns), foreign keys on, a busy timeout, write transactions begun
 *        IMMEDIATE so that readers turning writers never deadlock, and a
 *        per-connection cache of prepared statements.
 */
#include "core/mem.h"
#include "store/backend.h"
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CACHE_SLOTS 128

struct cache_slot {
    char *sql;
    sqlite3_stmt *stmt;
    int in_use;
};

struct store_stmt {
    struct store_conn *conn; /* first: see store.c */
    sqlite3_stmt *s;
    struct cache_slot *slot;
    int done;
    int64_t changes;
};

static int map_rc(struct store_conn *c, int rc)
{
    sqlite3 *db = c->handle;
    switch (rc & 0xff) {
    case SQLITE_OK:
        return STORE_OK;
    case SQLITE_ROW:
        return STORE_ROW;
    case SQLITE_DONE:
        return STORE_DONE;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        store_set_error(c, "database busy: %s", sqlite3_errmsg(db));
        return STORE_BUSY;
    case SQLITE_CONSTRAINT:
        store_set_error(c, "constraint: %s", sqlite3_errmsg(db));
        return STORE_CONSTRAINT;
    default:
        store_set_error(c, "sqlite: %s", sqlite3_errmsg(db));
        return STORE_ERROR;
    }
}

static int sq_connect(struct store *s, struct store_conn *c, char *errbuf, size_t errlen)
{
    char *path = xasprintf("%s/onehall.db", s->data_dir);
    sqlite3 *db = NULL;
    int rc = sqlite3_open_v2(path, &db,
                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                             NULL);
    if (rc != SQLITE_OK) {
        snprintf(errbuf, errlen, "cannot open %s: %s", path,
                 db ? sqlite3_errmsg(db) : "out of memory");
        sqlite3_close(db);
        free(path);
        return STORE_ERROR;
    }
    free(path);
    sqlite3_busy_timeout(db, s->busy_timeout_ms);
    sqlite3_extended_result_codes(db, 1);
    char *err = NULL;
    /* Switching to WAL needs a moment of exclusive access, which the busy
     * handler does not cover: another process opening the same database at
     * the same time makes it fail with SQLITE_BUSY, so it is retried. */
    for (int waited = 0;; waited += 10) {
        rc = sqlite3_exec(db,
                          "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; "
                          "PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY;",
                          NULL, NULL, &err);
        if ((rc & 0xff) != SQLITE_BUSY || waited >= s->busy_timeout_ms)
            break;
        sqlite3_free(err);
        err = NULL;
        sqlite3_sleep(10);
    }
    if (rc != SQLITE_OK) {
        snprintf(errbuf, errlen, "cannot set up the database: %s", err ? err : "?");
        sqlite3_free(err);
        sqlite3_close(db);
        return STORE_ERROR;
    }
    c->handle = db;
    c->cache = xcalloc(CACHE_SLOTS, sizeof(struct cache_slot));
    return STORE_OK;
}

static void sq_disconnect(struct store_conn *c)
{
    struct cache_slot *cache = c->cache;
    for (int i = 0; cache && i < CACHE_SLOTS; i++) {
        if (cache[i].stmt)
            sqlite3_finalize(cache[i].stmt);
        free(cache[i].sql);
    }
    free(cache);
    c->cache = NULL;
    sqlite3_close(c->handle);
    c->handle = NULL;
}

static int sq_check(struct store_conn *c)
{
    return c->handle ? 0 : STORE_ERROR;
}

static int sq_exec(struct store_conn *c, const char *sql)
{
    char *err = NULL;
    int rc = sqlite3_exec(c->handle, sql, NULL, NULL, &err);
    if (rc != SQLITE_OK) {
        int mapped = map_rc(c, rc);
        if (err)
            store_set_error(c, "sqlite: %s", err);
        sqlite3_free(err);
        return mapped;
    }
    return STORE_OK;
}

static int sq_prepare(struct store_conn *c, const char *sql, struct store_stmt **out)
{
    struct cache_slot *cache = c->cache, *slot = NULL, *empty = NULL;
    for (int i = 0; i < CACHE_SLOTS; i++) {
        if (!cache[i].sql) {
            if (!empty)
                empty = &cache[i];
            continue;
        }
        if (!cache[i].in_use && strcmp(cache[i].sql, sql) == 0) {
            slot = &cache[i];
            break;
        }
    }
    sqlite3_stmt *s;
    if (slot) {
        s = slot->stmt;
    } else {
        int rc = sqlite3_prepare_v2(c->handle, sql, -1, &s, NULL);
        if (rc != SQLITE_OK)
            return map_rc(c, rc);
        if (empty) {
            empty->sql = xstrdup(sql);
            empty->stmt = s;
            slot = empty;
        }
    }
    struct store_stmt *st = xcalloc(1, sizeof *st);
    st->conn = c;
    st->s = s;
    st->slot = slot;
    if (slot)
        slot->in_use = 1;
    *out = st;
    return STORE_OK;
}

static int sq_bind(struct store_stmt *st, int idx, int type, const void *p, size_t n, int64_t v)
{
    int rc;
    switch (type) {
    case BIND_TEXT:
        rc = sqlite3_bind_text64(st->s, idx, p, n, SQLITE_TRANSIENT, SQLITE_UTF8);
        break;
    case BIND_INT64:
        rc = sqlite3_bind_int64(st->s, idx, v);
        break;
    case BIND_BLOB:
        rc = sqlite3_bind_blob64(st->s, idx, p, n, SQLITE_TRANSIENT);
        break;
    default:
        rc = sqlite3_bind_null(st->s, idx);
    }
    return rc == SQLITE_OK ? STORE_OK : map_rc(st->conn, rc);
}

static int sq_step(struct store_stmt *st)
{
    if (st->done)
        return STORE_DONE;
    int rc = sqlite3_step(st->s);
    if (rc == SQLITE_DONE) {
        st->done = 1;
        st->changes = sqlite3_changes64(st->conn->handle);
    }
    return map_rc(st->conn, rc);
}

static int sq_column_count(struct store_stmt *st)
{
    return sqlite3_column_count(st->s);
}

static int sq_column_is_null(struct store_stmt *st, int col)
{
    return sqlite3_column_type(st->s, col) == SQLITE_NULL;
}

static const char *sq_column_text(struct store_stmt *st, int col)
{
    return (const char *)sqlite3_column_text(st->s, col);
}

static int64_t sq_column_int64(struct store_stmt *st, int col)
{
    return sqlite3_column_int64(st->s, col);
}

static const void *sq_column_blob(struct store_stmt *st, int col, size_t *len)
{
    const void *p = sqlite3_column_blob(st->s, col);
    *len = (size_t)sqlite3_column_bytes(st->s, col);
    return p;
}

static int64_t sq_changes(struct store_stmt *st)
{
    return st->changes;
}

static int sq_reset(struct store_stmt *st)
{
    sqlite3_reset(st->s);
    sqlite3_clear_bindings(st->s);
    st->done = 0;
    st->changes = 0;
    return STORE_OK;
}

static void sq_finalize(struct store_stmt *st)
{
    if (st->slot) {
        sqlite3_reset(st->s);
        sqlite3_clear_bindings(st->s);
        st->slot->in_use = 0;
    } else {
        sqlite3_finalize(st->s);
    }
    free(st);
}

const struct store_ops store_sqlite_ops = {
    sq_connect,     sq_disconnect,  sq_check,       sq_exec,          sq_prepare,
    sq_bind,        sq_step,        sq_column_count, sq_column_is_null, sq_column_text,
    sq_column_int64, sq_column_blob, sq_changes,     sq_reset,         sq_finalize,
    "BEGIN IMMEDIATE",
};
