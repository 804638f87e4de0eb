/**
 * @file test_store.c
 * @brief The store contract suite, one source for both backends: ctest runs
 *        it as store/test_store/sqlite (ONEHALL_TEST_BACKEND=sqlite) and as
 *        store/test_store/postgres under tests/pg-server.sh, which provides
 *        ONEHALL_TEST_PG_URL and ONEHALL_TEST_PG_RESTART.
 *
 * It complements test_backend.c (the happy paths) with the edges of the
 * contract in store.h: value extremes, placeholder translation around
 * quotes and comments, change counts, the error classes (constraint, busy),
 * the retry helper's bounds, the pool's waiting, the SQLite durability
 * settings and statement cache, migrations (DDL rolled back on failure,
 * concurrent starts, the embedded files on both dialects) and recovery from
 * a PostgreSQL restart with connections held across it.
 *
 * Every test gets a fresh database: SQLite a new temporary data directory,
 * PostgreSQL a new schema (search_path set through the connection URL's
 * options), dropped afterwards.
 *
 */
#include "store/store.h"
#include "testlib.h"
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int pg;            /* 1 when running on PostgreSQL */
static char *dir;         /* this test's data directory (SQLite) */
static char *pg_url;      /* this test's URL: base URL + its own search_path */
static char schema[64];   /* this test's PostgreSQL schema */
static int schema_seq;

/**
 * @brief Opens a store on this test's database.
 * @param[in] pool  pool size
 * @param[in] busy_ms busy timeout (SQLite) / lock_timeout (PostgreSQL)
 */
static struct store *open_store_busy(int pool, int busy_ms)
{
    struct store_options opt = {pg ? pg_url : NULL, dir, pool, busy_ms};
    struct store *s = NULL;
    char err[512];
    if (store_open(&opt, &s, err, sizeof err) < 0)
        fail_msg("store_open: %s", err);
    return s;
}

/** @brief Opens a store with the default 5 s busy timeout. */
static struct store *open_store(int pool)
{
    return open_store_busy(pool, 5000);
}

/**
 * @brief Runs one statement on a store opened on the server's base URL (no
 *        search_path), for creating and dropping the per-test schema.
 */
static void pg_admin(const char *sql)
{
    struct store_options opt = {getenv("ONEHALL_TEST_PG_URL"), dir, 1, 5000};
    struct store *s = NULL;
    char err[512];
    if (store_open(&opt, &s, err, sizeof err) < 0)
        fail_msg("store_open (admin): %s", err);
    struct store_conn *c = store_acquire(s);
    if (store_exec(c, sql) < 0)
        fail_msg("%s: %s", sql, store_errmsg(c));
    store_release(c);
    store_close(s);
}

/** @brief A fresh data directory, and on PostgreSQL a fresh schema. */
static int setup(void **state)
{
    (void)state;
    dir = test_tmpdir();
    if (pg) {
        const char *base = getenv("ONEHALL_TEST_PG_URL");
        snprintf(schema, sizeof schema, "ts_%ld_%d", (long)getpid(), ++schema_seq);
        char sql[128];
        snprintf(sql, sizeof sql, "CREATE SCHEMA %s", schema);
        pg_admin(sql);
        /* libpq passes "options" to the server at connection start (and
         * again on PQreset), so every pooled connection sees only this
         * test's schema. */
        size_t n = strlen(base) + strlen(schema) + 64;
        pg_url = malloc(n);
        snprintf(pg_url, n, "%s%coptions=-c%%20search_path%%3D%s", base,
                 strchr(base, '?') ? '&' : '?', schema);
    }
    return 0;
}

/** @brief Drops what setup made. */
static int teardown(void **state)
{
    (void)state;
    if (pg) {
        char sql[128];
        snprintf(sql, sizeof sql, "DROP SCHEMA %s CASCADE", schema);
        pg_admin(sql);
        free(pg_url);
        pg_url = NULL;
    }
    test_rmrf(dir);
    free(dir);
    dir = NULL;
    return 0;
}

/** @brief Runs sql on c and fails the test with the store's message if it fails. */
static void exec_ok(struct store_conn *c, const char *sql)
{
    int rc = store_exec(c, sql);
    if (rc < 0)
        fail_msg("%s -> %d: %s", sql, rc, store_errmsg(c));
}

/** @brief COUNT(*) of a table (or -1 on error). */
static int64_t count_of(struct store_conn *c, const char *table)
{
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM %s", table);
    int64_t n = -1;
    if (store_query_int64(c, &n, sql, NULL) != STORE_ROW)
        return -1;
    return n;
}

/** @brief Whether a table exists in this test's database. */
static int table_exists(struct store_conn *c, const char *table)
{
    int64_t n = 0;
    int rc = pg ? store_query_int64(c, &n,
                                    "SELECT COUNT(*) FROM information_schema.tables WHERE "
                                    "table_schema = current_schema() AND table_name = ?",
                                    table, NULL)
                : store_query_int64(c, &n,
                                    "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' "
                                    "AND name = ?",
                                    table, NULL);
    assert_int_equal(rc, STORE_ROW);
    return n > 0;
}

/** @brief The table most tests use: auto id, unique name, integer, blob. */
static void make_table(struct store_conn *c)
{
    char *sql = store_dialect(store_conn_backend(c),
                              "CREATE TABLE t (id @ID@, name TEXT UNIQUE, n BIGINT, "
                              "a @BLOB@, b @BLOB@)");
    exec_ok(c, sql);
    free(sql);
}

/* ---- opening ---------------------------------------------------------- */

/** @brief store_open makes every missing level of data_dir, mode 0700, and
 *         the SQLite file inside it; a data_dir that cannot be made is a clear
 *         error. */
static void test_open_makes_data_dir(void **state)
{
    (void)state;
    char *nested = malloc(strlen(dir) + 32);
    sprintf(nested, "%s/a/b/c", dir);
    struct store_options opt = {pg ? pg_url : "", nested, 1, 5000};
    struct store *s = NULL;
    char err[512] = "";
    assert_int_equal(store_open(&opt, &s, err, sizeof err), STORE_OK);
    struct store_conn *c = store_acquire(s);
    assert_true(store_ping(c));
    assert_int_equal(store_conn_index(c), 0);
    store_release(c);
    store_close(s);
    if (!pg) {
        struct stat sb;
        char path[600];
        snprintf(path, sizeof path, "%s/a", dir);
        assert_int_equal(stat(path, &sb), 0);
        assert_int_equal(sb.st_mode & 0777, 0700);
        assert_int_equal(stat(nested, &sb), 0);
        assert_int_equal(sb.st_mode & 0777, 0700);
        snprintf(path, sizeof path, "%s/onehall.db", nested);
        assert_int_equal(stat(path, &sb), 0);

        /* A regular file where a directory should be. */
        snprintf(path, sizeof path, "%s/plain", dir);
        FILE *f = fopen(path, "w");
        assert_non_null(f);
        fclose(f);
        snprintf(path, sizeof path, "%s/plain/sub", dir);
        opt.data_dir = path;
        err[0] = 0;
        assert_int_equal(store_open(&opt, &s, err, sizeof err), STORE_ERROR);
        assert_non_null(strstr(err, "plain/sub"));
    }
    free(nested);
}

/** @brief Every pooled SQLite connection runs WAL, synchronous=FULL, foreign
 *         keys on and the busy timeout from the options. */
static void test_sqlite_settings(void **state)
{
    (void)state;
    if (pg)
        skip();
    struct store *s = open_store_busy(3, 1234);
    struct store_conn *c[3];
    for (int i = 0; i < 3; i++)
        c[i] = store_acquire(s);
    int seen = 0;
    for (int i = 0; i < 3; i++) {
        seen |= 1 << store_conn_index(c[i]);
        struct store_stmt *st;
        assert_int_equal(store_prepare(c[i], "PRAGMA journal_mode", &st), 0);
        assert_int_equal(store_step(st), STORE_ROW);
        assert_string_equal(store_column_text(st, 0), "wal");
        store_finalize(st);
        int64_t v = -1;
        assert_int_equal(store_query_int64(c[i], &v, "PRAGMA synchronous", NULL), STORE_ROW);
        assert_int_equal(v, 2); /* FULL */
        assert_int_equal(store_query_int64(c[i], &v, "PRAGMA foreign_keys", NULL), STORE_ROW);
        assert_int_equal(v, 1);
        assert_int_equal(store_query_int64(c[i], &v, "PRAGMA busy_timeout", NULL), STORE_ROW);
        assert_int_equal(v, 1234);
    }
    assert_int_equal(seen, 7); /* three distinct indexes 0..2 */
    for (int i = 0; i < 3; i++)
        store_release(c[i]);
    store_close(s);
}

/* ---- values ------------------------------------------------------------ */

/** @brief Extremes survive the round trip: int64 limits, empty text versus
 *         NULL, an empty blob, a 1 MiB blob of every byte value, characters
 *         outside the BMP. */
static void test_value_extremes(void **state)
{
    (void)state;
    struct store *s = open_store(1);
    struct store_conn *c = store_acquire(s);
    make_table(c);
    size_t big_len = 1 << 20;
    unsigned char *big = malloc(big_len);
    for (size_t i = 0; i < big_len; i++)
        big[i] = (unsigned char)(i * 7 + (i >> 8));
    const char *han = "𠮷野家 粤语 — «quotes» \\ 'x' \"y\"";

    struct store_stmt *st;
    assert_int_equal(store_prepare(c, "INSERT INTO t (name, n, a, b) VALUES (?, ?, ?, ?)", &st), 0);
    store_bind_text(st, 1, "");
    store_bind_int64(st, 2, INT64_MIN);
    store_bind_blob(st, 3, "", 0);
    store_bind_blob(st, 4, big, big_len);
    assert_int_equal(store_step(st), STORE_DONE);
    assert_int_equal(store_changes(st), 1);
    /* Reused with new bindings after a reset. */
    assert_int_equal(store_reset(st), 0);
    store_bind_text(st, 1, han);
    store_bind_int64(st, 2, INT64_MAX);
    store_bind_null(st, 3);
    store_bind_blob(st, 4, "\x00\xff\x00", 3);
    assert_int_equal(store_step(st), STORE_DONE);
    assert_int_equal(store_changes(st), 1);
    store_finalize(st);

    assert_int_equal(store_prepare(c, "SELECT name, n, a, b FROM t ORDER BY n", &st), 0);
    assert_int_equal(store_step(st), STORE_ROW);
    assert_false(store_column_is_null(st, 0));
    assert_string_equal(store_column_text(st, 0), "");
    assert_true(store_column_int64(st, 1) == INT64_MIN);
    assert_false(store_column_is_null(st, 2));
    size_t len = 99;
    store_column_blob(st, 2, &len);
    assert_int_equal(len, 0);
    len = 0;
    const void *p = store_column_blob(st, 3, &len);
    assert_int_equal(len, big_len);
    assert_memory_equal(p, big, big_len);

    assert_int_equal(store_step(st), STORE_ROW);
    assert_string_equal(store_column_text(st, 0), han);
    assert_true(store_column_int64(st, 1) == INT64_MAX);
    assert_true(store_column_is_null(st, 2));
    p = store_column_blob(st, 2, &len);
    assert_null(p);
    assert_int_equal(len, 0);
    p = store_column_blob(st, 3, &len);
    assert_int_equal(len, 3);
    assert_memory_equal(p, "\x00\xff\x00", 3);
    assert_int_equal(store_step(st), STORE_DONE);
    /* Stepping past the end keeps saying so. */
    assert_int_equal(store_step(st), STORE_DONE);
    store_finalize(st);
    free(big);
    store_release(c);
    store_close(s);
}

/** @brief Two blob columns of one row are both valid until the next step
 *         (store.h: "valid until the next step or finalize"). */
static void test_two_blobs_in_one_row(void **state)
{
    (void)state;
    struct store *s = open_store(1);
    struct store_conn *c = store_acquire(s);
    make_table(c);
    struct store_stmt *st;
    assert_int_equal(store_prepare(c, "INSERT INTO t (name, a, b) VALUES ('x', ?, ?)", &st), 0);
    store_bind_blob(st, 1, "\x01\x02\x03\x04", 4);
    store_bind_blob(st, 2, "\xfe\xfd", 2);
    assert_int_equal(store_step(st), STORE_DONE);
    store_finalize(st);
    assert_int_equal(store_prepare(c, "SELECT a, b FROM t", &st), 0);
    assert_int_equal(store_step(st), STORE_ROW);
    size_t la = 0, lb = 0;
    const void *a = store_column_blob(st, 0, &la);
    const void *b = store_column_blob(st, 1, &lb);
    assert_int_equal(la, 4);
    assert_int_equal(lb, 2);
    assert_memory_equal(a, "\x01\x02\x03\x04", 4);
    assert_memory_equal(b, "\xfe\xfd", 2);
    store_finalize(st);
    store_release(c);
    store_close(s);
}

/** @brief "?" inside string literals (with doubled quotes), double-quoted
 *         identifiers and both comment forms is not a placeholder; the real
 *         ones around them are numbered in order. */
static void test_placeholders_around_quotes_and_comments(void **state)
{
    (void)state;
    struct store *s = open_store(1);
    struct store_conn *c = store_acquire(s);
    exec_ok(c, "CREATE TABLE \"odd?name\" (\"col?\" TEXT, v TEXT)");
    struct store_stmt *st;
    assert_int_equal(store_prepare(c,
                                   "INSERT INTO \"odd?name\" (\"col?\", v) /* a ? here */ "
                                   "VALUES ('it''s ?', -- and ? there\n ?)",
                                   &st),
                     0);
    store_bind_text(st, 1, "bound");
    assert_int_equal(store_step(st), STORE_DONE);
    store_finalize(st);
    assert_int_equal(store_prepare(c,
                                   "SELECT \"col?\", v, ?, 'q?''?' FROM \"odd?name\" "
                                   "WHERE v = ? -- ?\n AND \"col?\" <> ?",
                                   &st),
                     0);
    assert_int_equal(store_bind_text(st, 1, "first"), 0);
    assert_int_equal(store_bind_text(st, 2, "bound"), 0);
    assert_int_equal(store_bind_text(st, 3, "zzz"), 0);
    assert_int_equal(store_step(st), STORE_ROW);
    assert_string_equal(store_column_text(st, 0), "it's ?");
    assert_string_equal(store_column_text(st, 1), "bound");
    assert_string_equal(store_column_text(st, 2), "first");
    assert_string_equal(store_column_text(st, 3), "q?'?");
    assert_int_equal(store_step(st), STORE_DONE);
    store_finalize(st);
    store_release(c);
    store_close(s);
}

/** @brief store_changes counts the rows of UPDATE and DELETE, and RETURNING
 *         yields one row per changed row. */
static void test_changes_and_returning(void **state)
{
    (void)state;
    struct store *s = open_store(1);
    struct store_conn *c = store_acquire(s);
    make_table(c);
    struct store_stmt *st;
    assert_int_equal(store_prepare(c, "INSERT INTO t (name, n) VALUES (?, ?) RETURNING id, name",
                                   &st),
                     0);
    int64_t last = 0;
    for (int i = 1; i <= 5; i++) {
        char name[16];
        snprintf(name, sizeof name, "r%d", i);
        store_reset(st);
        store_bind_text(st, 1, name);
        store_bind_int64(st, 2, i);
        assert_int_equal(store_step(st), STORE_ROW);
        assert_true(store_column_int64(st, 0) > last);
        last = store_column_int64(st, 0);
        assert_string_equal(store_column_text(st, 1), name);
        assert_int_equal(store_step(st), STORE_DONE);
    }
    store_finalize(st);

    assert_int_equal(store_prepare(c, "UPDATE t SET n = n * 10 WHERE n > ?", &st), 0);
    store_bind_int64(st, 1, 2);
    assert_int_equal(store_step(st), STORE_DONE);
    assert_int_equal(store_changes(st), 3);
    store_finalize(st);

    assert_int_equal(store_prepare(c, "DELETE FROM t WHERE n >= ? RETURNING name", &st), 0);
    store_bind_int64(st, 1, 40);
    int rows = 0;
    while (store_step(st) == STORE_ROW)
        rows++;
    assert_int_equal(rows, 2);
    store_finalize(st);
    assert_int_equal(store_prepare(c, "UPDATE t SET n = 0 WHERE name = 'none'", &st), 0);
    assert_int_equal(store_step(st), STORE_DONE);
    assert_int_equal(store_changes(st), 0);
    store_finalize(st);
    assert_int_equal(count_of(c, "t"), 3);
    store_release(c);
    store_close(s);
}

/* ---- errors and transactions ----------------------------------------- */

/** @brief A duplicate primary key and a duplicate unique value are both
 *         STORE_CONSTRAINT with a message; inside a transaction the caller
 *         rolls back and the connection is usable again. */
static void test_constraint_classes(void **state)
{
    (void)state;
    struct store *s = open_store(1);
    struct store_conn *c = store_acquire(s);
    exec_ok(c, "CREATE TABLE k (id BIGINT PRIMARY KEY, code TEXT UNIQUE)");
    exec_ok(c, "INSERT INTO k VALUES (1, 'a')");
    struct store_stmt *st;
    assert_int_equal(store_prepare(c, "INSERT INTO k VALUES (?, ?)", &st), 0);
    store_bind_int64(st, 1, 1);
    store_bind_text(st, 2, "b");
    assert_int_equal(store_step(st), STORE_CONSTRAINT);
    assert_true(strlen(store_errmsg(c)) > 0);
    store_reset(st);
    store_bind_int64(st, 1, 2);
    store_bind_text(st, 2, "a");
    assert_int_equal(store_step(st), STORE_CONSTRAINT);
    store_finalize(st);

    assert_int_equal(store_begin(c), 0);
    exec_ok(c, "INSERT INTO k VALUES (3, 'c')");
    assert_int_equal(store_exec(c, "INSERT INTO k VALUES (4, 'a')"), STORE_CONSTRAINT);
    assert_int_equal(store_rollback(c), 0);
    assert_int_equal(count_of(c, "k"), 1);
    assert_true(store_ping(c));
    store_release(c);
    store_close(s);
}

/** State of a transaction body that fails a given number of times. */
struct flaky {
    int calls;       /**< how often the body ran */
    int busy_first;  /**< return STORE_BUSY on this many first calls */
    int result;      /**< value to return once it succeeds */
};

/** @brief Inserts a row, then reports busy for the first attempts. */
static int flaky_body(struct store_conn *c, void *ctx)
{
    struct flaky *f = ctx;
    f->calls++;
    int rc = store_exec(c, "INSERT INTO t (n) VALUES (1)");
    if (rc < 0)
        return rc;
    return f->calls <= f->busy_first ? STORE_BUSY : f->result;
}

/** @brief store_tx rolls back a busy attempt and retries it; it gives up
 *         after a bounded number of attempts with STORE_BUSY and nothing
 *         written; a hard error from the body is returned at once. */
static void test_tx_retry_bounds(void **state)
{
    (void)state;
    struct store *s = open_store(1);
    struct store_conn *c = store_acquire(s);
    make_table(c);
    struct flaky f = {0, 2, 5};
    assert_int_equal(store_tx(c, flaky_body, &f), 5);
    assert_int_equal(f.calls, 3);
    assert_int_equal(count_of(c, "t"), 1); /* only the committed attempt */

    struct flaky always = {0, 1000, 0};
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_int_equal(store_tx(c, flaky_body, &always), STORE_BUSY);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    assert_true(always.calls >= 3 && always.calls <= 12);
    /* The back-off is short: the whole give-up stays well under a few seconds. */
    assert_true(t1.tv_sec - t0.tv_sec < 5);
    assert_int_equal(count_of(c, "t"), 1);

    struct flaky hard = {0, 0, STORE_CONSTRAINT};
    assert_int_equal(store_tx(c, flaky_body, &hard), STORE_CONSTRAINT);
    assert_int_equal(hard.calls, 1);
    assert_int_equal(count_of(c, "t"), 1);
    store_release(c);
    store_close(s);
}

/** @brief Lock contention beyond the busy timeout is STORE_BUSY, not a hard
 *         error: SQLite's BEGIN IMMEDIATE against a held write lock,
 *         PostgreSQL's lock_timeout (55P03) against a held row lock. */
static void test_contention_is_busy(void **state)
{
    (void)state;
    struct store *s = open_store_busy(2, 100);
    struct store_conn *a = store_acquire(s), *b = store_acquire(s);
    exec_ok(a, "CREATE TABLE k (id BIGINT PRIMARY KEY, v BIGINT)");
    exec_ok(a, "INSERT INTO k VALUES (1, 0)");
    assert_int_equal(store_begin(a), 0);
    exec_ok(a, "UPDATE k SET v = 1 WHERE id = 1");
    if (pg) {
        assert_int_equal(store_begin(b), 0);
        assert_int_equal(store_exec(b, "UPDATE k SET v = 2 WHERE id = 1"), STORE_BUSY);
        assert_int_equal(store_rollback(b), 0);
    } else {
        assert_int_equal(store_begin(b), STORE_BUSY);
    }
    assert_int_equal(store_commit(a), 0);
    assert_int_equal(store_begin(b), 0);
    exec_ok(b, "UPDATE k SET v = v + 10 WHERE id = 1");
    assert_int_equal(store_commit(b), 0);
    int64_t v = 0;
    assert_int_equal(store_query_int64(a, &v, "SELECT v FROM k WHERE id = ?", "1", NULL),
                     STORE_ROW);
    assert_int_equal(v, 11);
    store_release(a);
    store_release(b);
    store_close(s);
}

/* ---- pool and threads ------------------------------------------------- */

/** Shared by the inserting threads. */
struct inserter {
    struct store *s;
    int thread;
    int rows;
    int pool;
    int bad_index; /* set when a connection index is out of range */
    int failed;
};

/** Body of one insert: ctx is the row's unique name. */
static int insert_named(struct store_conn *c, void *ctx)
{
    struct store_stmt *st;
    int rc = store_prepare(c, "INSERT INTO t (name, n) VALUES (?, 1)", &st);
    if (rc < 0)
        return rc;
    store_bind_text(st, 1, ctx);
    rc = store_step(st);
    store_finalize(st);
    return rc < 0 ? rc : 0;
}

/** @brief Thread: inserts its rows, one transaction each, through the pool. */
static void *insert_rows(void *arg)
{
    struct inserter *w = arg;
    for (int i = 0; i < w->rows; i++) {
        struct store_conn *c = store_acquire(w->s);
        int idx = store_conn_index(c);
        if (idx < 0 || idx >= w->pool)
            w->bad_index = 1;
        char name[32];
        snprintf(name, sizeof name, "w%d-%d", w->thread, i);
        if (store_tx(c, insert_named, name) < 0)
            w->failed++;
        store_release(c);
    }
    return NULL;
}

/** @brief More threads than connections: every insert lands exactly once. */
static void test_more_threads_than_connections(void **state)
{
    (void)state;
    enum { THREADS = 5, ROWS = 60, POOL = 2 };
    struct store *s = open_store(POOL);
    struct store_conn *c = store_acquire(s);
    make_table(c);
    store_release(c);
    pthread_t th[THREADS];
    struct inserter w[THREADS];
    for (int i = 0; i < THREADS; i++) {
        w[i] = (struct inserter){s, i, ROWS, POOL, 0, 0};
        assert_int_equal(pthread_create(&th[i], NULL, insert_rows, &w[i]), 0);
    }
    for (int i = 0; i < THREADS; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(w[i].failed, 0);
        assert_int_equal(w[i].bad_index, 0);
    }
    c = store_acquire(s);
    assert_int_equal(count_of(c, "t"), THREADS * ROWS);
    int64_t distinct = 0;
    assert_int_equal(store_query_int64(c, &distinct, "SELECT COUNT(DISTINCT name) FROM t", NULL),
                     STORE_ROW);
    assert_int_equal(distinct, THREADS * ROWS);
    store_release(c);
    store_close(s);
}

/** Shared with the waiting thread. */
struct waiter {
    struct store *s;
    volatile int got;
};

/** @brief Thread: borrows a connection (waiting for it), then returns it. */
static void *wait_for_conn(void *arg)
{
    struct waiter *w = arg;
    struct store_conn *c = store_acquire(w->s);
    __atomic_store_n(&w->got, 1, __ATOMIC_SEQ_CST);
    store_release(c);
    return NULL;
}

/** @brief A caller beyond the pool size waits until a connection is
 *         released, then gets it. */
static void test_acquire_waits(void **state)
{
    (void)state;
    struct store *s = open_store(1);
    struct store_conn *c = store_acquire(s);
    struct waiter w = {s, 0};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, wait_for_conn, &w), 0);
    struct timespec pause = {0, 150 * 1000000L};
    nanosleep(&pause, NULL);
    assert_int_equal(__atomic_load_n(&w.got, __ATOMIC_SEQ_CST), 0);
    store_release(c);
    pthread_join(th, NULL);
    assert_int_equal(w.got, 1);
    store_close(s);
}

/* ---- statement cache --------------------------------------------------- */

/** @brief Statements are reused per connection: a finalized statement comes
 *         back with its bindings cleared and from the first row; more
 *         distinct texts than the cache holds still work; on SQLite the
 *         sqlite_stmt table shows one prepared statement run many times. */
static void test_statement_cache(void **state)
{
    (void)state;
    struct store *s = open_store(1);
    struct store_conn *c = store_acquire(s);
    make_table(c);
    exec_ok(c, "INSERT INTO t (name, n) VALUES ('a', 1)");
    exec_ok(c, "INSERT INTO t (name, n) VALUES ('b', 2)");

    const char *q = "SELECT n FROM t WHERE name = ? OR CAST(? AS TEXT) IS NULL ORDER BY n";
    struct store_stmt *st;
    assert_int_equal(store_prepare(c, q, &st), 0);
    store_bind_text(st, 1, "b");
    store_bind_text(st, 2, "x");
    assert_int_equal(store_step(st), STORE_ROW);
    assert_int_equal(store_column_int64(st, 0), 2);
    store_finalize(st); /* left before STORE_DONE on purpose */
    assert_int_equal(store_prepare(c, q, &st), 0);
    /* No bindings: both parameters are NULL now, so every row matches. */
    assert_int_equal(store_step(st), STORE_ROW);
    assert_int_equal(store_column_int64(st, 0), 1);
    assert_int_equal(store_step(st), STORE_ROW);
    assert_int_equal(store_step(st), STORE_DONE);
    store_finalize(st);

    const char *hot = "SELECT n FROM t WHERE name = ?";
    for (int i = 0; i < 200; i++) {
        assert_int_equal(store_prepare(c, hot, &st), 0);
        store_bind_text(st, 1, i % 2 ? "a" : "b");
        assert_int_equal(store_step(st), STORE_ROW);
        assert_int_equal(store_column_int64(st, 0), i % 2 ? 1 : 2);
        store_finalize(st);
    }
    if (!pg) {
        int64_t copies = -1, runs = -1;
        int rc = store_query_int64(c, &copies, "SELECT COUNT(*) FROM sqlite_stmt WHERE sql = ?",
                                   hot, NULL);
        if (rc == STORE_ROW) { /* the sqlite_stmt table is a compile-time option */
            assert_int_equal(copies, 1);
            assert_int_equal(store_query_int64(c, &runs,
                                               "SELECT run FROM sqlite_stmt WHERE sql = ?", hot,
                                               NULL),
                             STORE_ROW);
            assert_true(runs >= 200);
        }
    }

    /* Far more distinct statements than any cache keeps. */
    for (int i = 0; i < 400; i++) {
        char sql[64];
        snprintf(sql, sizeof sql, "SELECT %d + n FROM t WHERE name = 'a'", i);
        assert_int_equal(store_prepare(c, sql, &st), 0);
        assert_int_equal(store_step(st), STORE_ROW);
        assert_int_equal(store_column_int64(st, 0), i + 1);
        store_finalize(st);
    }
    /* A cached statement sees a changed schema. */
    assert_int_equal(store_prepare(c, "SELECT * FROM t", &st), 0);
    assert_int_equal(store_step(st), STORE_ROW);
    int cols = store_column_count(st);
    store_finalize(st);
    exec_ok(c, "ALTER TABLE t ADD COLUMN extra TEXT");
    assert_int_equal(store_prepare(c, "SELECT * FROM t", &st), 0);
    assert_int_equal(store_step(st), STORE_ROW);
    assert_int_equal(store_column_count(st), cols + 1);
    store_finalize(st);
    store_release(c);
    store_close(s);
}

/* ---- migrations -------------------------------------------------------- */

/** @brief The dialect tokens expand to each backend's spelling. */
static void test_dialect_tokens(void **state)
{
    (void)state;
    char *a = store_dialect(STORE_SQLITE, "CREATE TABLE x (id @ID@, b @BLOB@, c @BLOB@)");
    assert_string_equal(a, "CREATE TABLE x (id INTEGER PRIMARY KEY AUTOINCREMENT, b BLOB, "
                           "c BLOB)");
    free(a);
    a = store_dialect(STORE_POSTGRES, "CREATE TABLE x (id @ID@, b @BLOB@)");
    assert_string_equal(a, "CREATE TABLE x (id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY "
                           "KEY, b BYTEA)");
    free(a);
    a = store_dialect(STORE_POSTGRES, "no tokens @ here");
    assert_string_equal(a, "no tokens @ here");
    free(a);
}

/** @brief A failing migration takes its DDL back too, names its file, and
 *         leaves the version where it was; once fixed it applies. Every
 *         applied migration is recorded with its name and time. */
static void test_failed_migration_leaves_nothing(void **state)
{
    (void)state;
    struct store *s = open_store(1);
    struct store_migration list[] = {
        {1, "0001_base.sql", "CREATE TABLE base (id @ID@, x TEXT);"},
        {2, "0002_broken.sql", "CREATE TABLE half (id @ID@, b @BLOB@);\n"
                               "INSERT INTO base (x) VALUES ('from 2');\n"
                               "INSERT INTO no_such_table VALUES (1);"},
    };
    char err[512] = "";
    int applied = -1;
    assert_true(store_migrate_from(s, list, 2, &applied, err, sizeof err) < 0);
    assert_non_null(strstr(err, "0002_broken.sql"));
    struct store_conn *c = store_acquire(s);
    assert_true(table_exists(c, "base"));
    assert_false(table_exists(c, "half"));
    assert_int_equal(count_of(c, "base"), 0);
    assert_int_equal(store_schema_version(c), 1);
    store_release(c);

    list[1].sql = "CREATE TABLE half (id @ID@, b @BLOB@);\n"
                  "INSERT INTO base (x) VALUES ('from 2');";
    assert_int_equal(store_migrate_from(s, list, 2, &applied, err, sizeof err), 0);
    assert_int_equal(applied, 1);
    c = store_acquire(s);
    assert_true(table_exists(c, "half"));
    assert_int_equal(count_of(c, "base"), 1);
    assert_int_equal(store_schema_version(c), 2);
    struct store_stmt *st;
    assert_int_equal(store_prepare(c, "SELECT version, name, applied_at FROM schema_migrations "
                                      "ORDER BY version",
                                   &st),
                     0);
    for (int i = 0; i < 2; i++) {
        assert_int_equal(store_step(st), STORE_ROW);
        assert_int_equal(store_column_int64(st, 0), i + 1);
        assert_string_equal(store_column_text(st, 1), list[i].name);
        assert_true(strlen(store_column_text(st, 2)) >= 10);
    }
    assert_int_equal(store_step(st), STORE_DONE);
    store_finalize(st);
    store_release(c);
    store_close(s);
}

/** @brief A migration with a lower version than the highest applied one
 *         (two branches merged) is still applied: "those not applied". */
static void test_migration_gap_is_filled(void **state)
{
    (void)state;
    struct store *s = open_store(1);
    struct store_migration list[] = {
        {1, "0001_one.sql", "CREATE TABLE one (x TEXT)"},
        {2, "0002_two.sql", "CREATE TABLE two (x TEXT)"},
    };
    char err[512];
    int applied = -1;
    assert_int_equal(store_migrate_from(s, &list[1], 1, &applied, err, sizeof err), 0);
    assert_int_equal(applied, 1);
    assert_int_equal(store_migrate_from(s, list, 2, &applied, err, sizeof err), 0);
    assert_int_equal(applied, 1);
    struct store_conn *c = store_acquire(s);
    assert_true(table_exists(c, "one"));
    store_release(c);
    store_close(s);
}

/** Shared with the migrating threads. */
struct migrator {
    const struct store_migration *list;
    size_t n;
    int applied;
    int rc;
    char err[512];
};

/** @brief Thread: opens its own store (as a second process would) and migrates. */
static void *migrate_thread(void *arg)
{
    struct migrator *m = arg;
    struct store_options opt = {pg ? pg_url : NULL, dir, 1, 5000};
    struct store *s = NULL;
    m->rc = store_open(&opt, &s, m->err, sizeof m->err);
    if (m->rc < 0)
        return NULL;
    m->rc = store_migrate_from(s, m->list, m->n, &m->applied, m->err, sizeof m->err);
    store_close(s);
    return NULL;
}

/** @brief Several processes starting at once: each migration is applied
 *         exactly once and every one of them succeeds. */
static void test_concurrent_migrations(void **state)
{
    (void)state;
    enum { N = 4 };
    struct store_migration list[] = {
        {1, "0001_a.sql", "CREATE TABLE a (id @ID@, x TEXT); INSERT INTO a (x) VALUES ('once');"},
        {2, "0002_b.sql", "CREATE TABLE b (id @ID@, y @BLOB@);"},
        {3, "0003_c.sql", "INSERT INTO a (x) VALUES ('also once');"},
    };
    pthread_t th[N];
    struct migrator m[N];
    for (int i = 0; i < N; i++) {
        memset(&m[i], 0, sizeof m[i]);
        m[i].list = list;
        m[i].n = 3;
        assert_int_equal(pthread_create(&th[i], NULL, migrate_thread, &m[i]), 0);
    }
    for (int i = 0; i < N; i++)
        pthread_join(th[i], NULL);
    int total = 0;
    for (int i = 0; i < N; i++) {
        if (m[i].rc < 0)
            fail_msg("migrator %d: %s", i, m[i].err);
        total += m[i].applied;
    }
    assert_int_equal(total, 3);
    struct store *s = open_store(1);
    struct store_conn *c = store_acquire(s);
    assert_int_equal(count_of(c, "a"), 2);
    assert_int_equal(count_of(c, "schema_migrations"), 3);
    store_release(c);
    store_close(s);
}

/** @brief The migrations embedded in the binary (migrations/ *.sql) apply on
 *         this backend, once: a second run applies nothing. */
static void test_embedded_migrations(void **state)
{
    (void)state;
    struct store *s = open_store(1);
    char err[512] = "";
    int applied = -1;
    if (store_migrate(s, &applied, err, sizeof err) < 0)
        fail_msg("store_migrate: %s", err);
    assert_true(applied >= 1);
    struct store_conn *c = store_acquire(s);
    int version = store_schema_version(c);
    assert_true(version >= 1);
    assert_int_equal(count_of(c, "schema_migrations"), applied);
    store_release(c);
    assert_int_equal(store_migrate(s, &applied, err, sizeof err), 0);
    assert_int_equal(applied, 0);
    c = store_acquire(s);
    assert_int_equal(store_schema_version(c), version);
    store_release(c);
    store_close(s);
}

/* ---- PostgreSQL restarts ---------------------------------------------- */

/** @brief Inserts one row and counts them into ctx. */
static int insert_and_count(struct store_conn *c, void *ctx)
{
    int rc = store_exec(c, "INSERT INTO t (n) VALUES (1)");
    if (rc < 0)
        return rc;
    return store_query_int64(c, (int64_t *)ctx, "SELECT COUNT(*) FROM t", NULL) == STORE_ROW
               ? 0
               : STORE_ERROR;
}

/** @brief Connections held across a server restart: the first statement on
 *         a dead connection is STORE_BUSY (retryable), never a hard error,
 *         the next one works; store_tx on a held connection rides it out;
 *         every pooled connection recovers. */
static void test_restart_with_held_connections(void **state)
{
    (void)state;
    const char *restart = getenv("ONEHALL_TEST_PG_RESTART");
    if (!pg)
        skip();
    if (!restart)
        fail_msg("ONEHALL_TEST_PG_RESTART is not set: run under tests/pg-server.sh");
    struct store *s = open_store(3);
    struct store_conn *c[3];
    for (int i = 0; i < 3; i++)
        c[i] = store_acquire(s);
    make_table(c[0]);
    assert_int_equal(system(restart), 0);

    int64_t n = -1;
    int rc = store_query_int64(c[0], &n, "SELECT 1", NULL);
    assert_true(rc == STORE_BUSY || rc == STORE_ROW);
    assert_int_equal(store_query_int64(c[0], &n, "SELECT 2", NULL), STORE_ROW);
    assert_int_equal(n, 2);

    n = -1;
    assert_int_equal(store_tx(c[1], insert_and_count, &n), 0);
    assert_int_equal(n, 1);
    /* A held connection that has not noticed the restart answers its first
     * query with STORE_BUSY, so a ping may say "down" once, never twice. */
    assert_true(store_ping(c[2]) || store_ping(c[2]));
    for (int i = 0; i < 3; i++)
        store_release(c[i]);

    /* And once more, with the connections idle in the pool. */
    assert_int_equal(system(restart), 0);
    for (int i = 0; i < 3; i++)
        c[i] = store_acquire(s);
    for (int i = 0; i < 3; i++) {
        n = -1;
        assert_int_equal(store_tx(c[i], insert_and_count, &n), 0);
        assert_int_equal(n, 2 + i);
    }
    for (int i = 0; i < 3; i++)
        store_release(c[i]);
    store_close(s);
}

/** @brief main: picks the backend from ONEHALL_TEST_BACKEND and runs the suite. */
int main(void)
{
    const char *b = getenv("ONEHALL_TEST_BACKEND");
    pg = b && strcmp(b, "postgres") == 0;
    if (pg && !getenv("ONEHALL_TEST_PG_URL")) {
        fprintf(stderr, "ONEHALL_TEST_PG_URL is not set: run under tests/pg-server.sh\n");
        return 1;
    }
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_open_makes_data_dir),
        T(test_sqlite_settings),
        T(test_value_extremes),
        T(test_two_blobs_in_one_row),
        T(test_placeholders_around_quotes_and_comments),
        T(test_changes_and_returning),
        T(test_constraint_classes),
        T(test_tx_retry_bounds),
        T(test_contention_is_busy),
        T(test_more_threads_than_connections),
        T(test_acquire_waits),
        T(test_statement_cache),
        T(test_dialect_tokens),
        T(test_failed_migration_leaves_nothing),
        T(test_migration_gap_is_filled),
        T(test_concurrent_migrations),
        T(test_embedded_migrations),
        T(test_restart_with_held_connections),
    };
#undef T
    return cmocka_run_group_tests_name(pg ? "store/postgres" : "store/sqlite", tests, NULL, NULL);
}
