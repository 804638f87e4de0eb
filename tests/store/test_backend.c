/**
 * @file test_backend.c
 * @brief The store suite, one source for both backends: ctest runs it with
 *        ONEHALL_TEST_BACKEND=sqlite, and with =postgres under
 *        tests/pg-server.sh, which provides ONEHALL_TEST_PG_URL.
 */
#include "store/files.h"
#include "store/store.h"
#include "testlib.h"
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int pg;
static char *dir;

static struct store *open_store(int pool)
{
    struct store_options opt = {pg ? getenv("ONEHALL_TEST_PG_URL") : NULL, dir, pool, 5000};
    struct store *s = NULL;
    char err[512];
    if (store_open(&opt, &s, err, sizeof err) < 0) fail_msg("store_open: %s", err);
    return s;
}

static int setup(void **state)
{
    dir = test_tmpdir();
    struct store *s = open_store(1);
    struct store_conn *c = store_acquire(s);
    /* A clean slate: drop what an earlier test made. */
    store_exec(c, "DROP TABLE IF EXISTS t");
    store_exec(c, "DROP TABLE IF EXISTS counter");
    store_exec(c, "DROP TABLE IF EXISTS m1");
    store_exec(c, "DROP TABLE IF EXISTS m2");
    store_exec(c, "DROP TABLE IF EXISTS schema_migrations");
    store_release(c);
    store_close(s);
    return 0;
}

static int teardown(void **state)
{
    test_rmrf(dir);
    free(dir);
    return 0;
}

static void make_table(struct store_conn *c)
{
    char *sql = store_dialect(store_conn_backend(c),
                              "CREATE TABLE t (id @ID@, name TEXT UNIQUE, n BIGINT, data @BLOB@)");
    assert_int_equal(store_exec(c, sql), 0);
    free(sql);
}

static void test_values_round_trip(void **state)
{
    struct store *s = open_store(1);
    struct store_conn *c = store_acquire(s);
    assert_int_equal(store_backend(s), pg ? STORE_POSTGRES : STORE_SQLITE);
    assert_true(store_ping(c));
    make_table(c);
    struct store_stmt *st;
    const unsigned char bytes[] = {0, 1, 0xff, 0xfe, '\'', '\\', 0x80};
    assert_int_equal(
        store_prepare(c, "INSERT INTO t (name, n, data) VALUES (?, ?, ?) RETURNING id", &st), 0);
    store_bind_text(st, 1, "佛山市·禅城区 'quoted' ?");
    store_bind_int64(st, 2, 9007199254740993LL);
    store_bind_blob(st, 3, bytes, sizeof bytes);
    assert_int_equal(store_step(st), STORE_ROW);
    int64_t id = store_column_int64(st, 0);
    assert_true(id > 0);
    store_finalize(st);

    assert_int_equal(store_prepare(c, "INSERT INTO t (name, n) VALUES (?, ?)", &st), 0);
    store_bind_null(st, 1);
    store_bind_null(st, 2);
    assert_int_equal(store_step(st), STORE_DONE);
    assert_int_equal(store_changes(st), 1);
    store_finalize(st);

    /* A literal question mark is not a placeholder. */
    assert_int_equal(store_prepare(c, "SELECT name, n, data, 'a?b' FROM t WHERE id = ?", &st), 0);
    store_bind_int64(st, 1, id);
    assert_int_equal(store_step(st), STORE_ROW);
    assert_string_equal(store_column_text(st, 0), "佛山市·禅城区 'quoted' ?");
    assert_true(store_column_int64(st, 1) == 9007199254740993LL);
    size_t len = 0;
    const void *b = store_column_blob(st, 2, &len);
    assert_int_equal(len, sizeof bytes);
    assert_memory_equal(b, bytes, sizeof bytes);
    assert_string_equal(store_column_text(st, 3), "a?b");
    assert_int_equal(store_column_count(st), 4);
    assert_int_equal(store_step(st), STORE_DONE);
    store_finalize(st);

    assert_int_equal(store_prepare(c, "SELECT name, n FROM t WHERE name IS NULL", &st), 0);
    assert_int_equal(store_step(st), STORE_ROW);
    assert_true(store_column_is_null(st, 0));
    assert_null(store_column_text(st, 0));
    assert_int_equal(store_column_int64(st, 1), 0);
    store_finalize(st);
    store_release(c);
    store_close(s);
}

static void test_conflicts_and_upserts(void **state)
{
    struct store *s = open_store(1);
    struct store_conn *c = store_acquire(s);
    make_table(c);
    struct store_stmt *st;
    for (int i = 0; i < 2; i++) {
        assert_int_equal(store_prepare(c, "INSERT INTO t (name, n) VALUES ('a', 1)", &st), 0);
        assert_int_equal(store_step(st), i == 0 ? STORE_DONE : STORE_CONSTRAINT);
        store_finalize(st);
    }
    assert_int_equal(store_prepare(c,
                                   "INSERT INTO t (name, n) VALUES ('a', 5) ON CONFLICT (name) "
                                   "DO NOTHING",
                                   &st),
                     0);
    assert_int_equal(store_step(st), STORE_DONE);
    assert_int_equal(store_changes(st), 0);
    store_finalize(st);
    assert_int_equal(store_prepare(c,
                                   "INSERT INTO t (name, n) VALUES (?, ?) ON CONFLICT (name) DO "
                                   "UPDATE SET n = t.n + excluded.n RETURNING n",
                                   &st),
                     0);
    store_bind_text(st, 1, "a");
    store_bind_int64(st, 2, 41);
    assert_int_equal(store_step(st), STORE_ROW);
    assert_int_equal(store_column_int64(st, 0), 42);
    store_finalize(st);
    /* The connection is still usable after the error. */
    int64_t n = 0;
    assert_int_equal(store_query_int64(c, &n, "SELECT n FROM t WHERE name = ?", "a", NULL),
                     STORE_ROW);
    assert_int_equal(n, 42);
    assert_int_equal(store_query_int64(c, &n, "SELECT n FROM t WHERE name = ?", "zz", NULL),
                     STORE_DONE);
    assert_int_equal(store_exec(c, "SELEC nonsense"), STORE_ERROR);
    assert_true(strlen(store_errmsg(c)) > 0);
    store_release(c);
    store_close(s);
}

/* Inside a transaction, a key already taken answers "no row" to INSERT ...
 * ON CONFLICT DO NOTHING RETURNING, and the transaction goes on: this is how
 * a caller draws another key (a unique violation would abort the
 * transaction on PostgreSQL). */
static int insert_taken_then_free(struct store_conn *c, void *ctx)
{
    const char *names[] = {"taken", "free"};
    int64_t *ids = ctx;
    for (int i = 0; i < 2; i++) {
        struct store_stmt *st;
        int rc = store_prepare(c,
                               "INSERT INTO t (name, n) VALUES (?, 1) ON CONFLICT (name) DO "
                               "NOTHING RETURNING id",
                               &st);
        if (rc < 0)
            return rc;
        store_bind_text(st, 1, names[i]);
        rc = store_step(st);
        ids[i] = rc == STORE_ROW ? store_column_int64(st, 0) : 0;
        store_finalize(st);
        if (rc < 0)
            return rc;
    }
    return 0;
}

static void test_conflict_in_transaction(void **state)
{
    struct store *s = open_store(1);
    struct store_conn *c = store_acquire(s);
    make_table(c);
    assert_int_equal(store_exec(c, "INSERT INTO t (name, n) VALUES ('taken', 1)"), 0);
    int64_t ids[2] = {-1, -1};
    assert_int_equal(store_tx(c, insert_taken_then_free, ids), 0);
    assert_int_equal(ids[0], 0);
    assert_true(ids[1] > 0);
    int64_t n = 0;
    assert_int_equal(store_query_int64(c, &n, "SELECT COUNT(*) FROM t", NULL), STORE_ROW);
    assert_int_equal(n, 2);
    store_release(c);
    store_close(s);
}

static int insert_then(struct store_conn *c, void *ctx)
{
    int fail = *(int *)ctx;
    int rc = store_exec(c, "INSERT INTO t (name, n) VALUES ('tx', 1)");
    if (rc < 0) return rc;
    return fail ? -99 : 7;
}

static void test_transactions(void **state)
{
    struct store *s = open_store(1);
    struct store_conn *c = store_acquire(s);
    make_table(c);
    int fail = 1;
    assert_int_equal(store_tx(c, insert_then, &fail), -99);
    int64_t n = -1;
    store_query_int64(c, &n, "SELECT COUNT(*) FROM t", NULL);
    assert_int_equal(n, 0);
    fail = 0;
    assert_int_equal(store_tx(c, insert_then, &fail), 7);
    store_query_int64(c, &n, "SELECT COUNT(*) FROM t", NULL);
    assert_int_equal(n, 1);
    /* Manual rollback. */
    assert_int_equal(store_begin(c), 0);
    assert_int_equal(store_exec(c, "DELETE FROM t"), 0);
    assert_int_equal(store_rollback(c), 0);
    store_query_int64(c, &n, "SELECT COUNT(*) FROM t", NULL);
    assert_int_equal(n, 1);
    store_release(c);
    store_close(s);
}

struct worker {
    struct store *s;
    int rounds;
};

static int bump(struct store_conn *c, void *ctx)
{
    int64_t v = 0;
    /* Read-then-write: SQLite's BEGIN IMMEDIATE serialises writers; on
     * PostgreSQL the row lock does. */
    int rc = store_query_int64(c, &v,
                               pg ? "SELECT v FROM counter WHERE id = 1 FOR UPDATE"
                                  : "SELECT v FROM counter WHERE id = 1",
                               NULL);
    if (rc < 0) return rc;
    struct store_stmt *st;
    if ((rc = store_prepare(c, "UPDATE counter SET v = ? WHERE id = 1", &st)) < 0) return rc;
    store_bind_int64(st, 1, v + 1);
    rc = store_step(st);
    store_finalize(st);
    return rc < 0 ? rc : 0;
}

static void *work(void *arg)
{
    struct worker *w = arg;
    for (int i = 0; i < w->rounds; i++) {
        struct store_conn *c = store_acquire(w->s);
        int rc = store_tx(c, bump, NULL);
        store_release(c);
        if (rc < 0) return (void *)1;
    }
    return NULL;
}

static void test_concurrent_writers(void **state)
{
    struct store *s = open_store(4);
    struct store_conn *c = store_acquire(s);
    assert_int_equal(store_exec(c, "CREATE TABLE counter (id BIGINT PRIMARY KEY, v BIGINT)"), 0);
    assert_int_equal(store_exec(c, "INSERT INTO counter VALUES (1, 0)"), 0);
    store_release(c);
    store_close(s);
    s = open_store(4);
    pthread_t th[6];
    struct worker w = {s, 50};
    for (int i = 0; i < 6; i++)
        pthread_create(&th[i], NULL, work, &w);
    int failed = 0;
    for (int i = 0; i < 6; i++) {
        void *r;
        pthread_join(th[i], &r);
        failed += r != NULL;
    }
    assert_int_equal(failed, 0);
    c = store_acquire(s);
    int64_t v = 0;
    store_query_int64(c, &v, "SELECT v FROM counter WHERE id = 1", NULL);
    assert_int_equal(v, 300); /* no lost update */
    store_release(c);
    store_close(s);
}

static void test_migrations(void **state)
{
    struct store *s = open_store(1);
    struct store_migration good[] = {
        {1, "0001_one.sql",
         "CREATE TABLE m1 (id @ID@, x TEXT);"
         "INSERT INTO m1 (x) VALUES ('a');"},
        {2, "0002_two.sql", "CREATE TABLE m2 (id @ID@, b @BLOB@)"},
    };
    char err[512];
    int applied = -1;
    assert_int_equal(store_migrate_from(s, good, 2, &applied, err, sizeof err), 0);
    assert_int_equal(applied, 2);
    assert_int_equal(store_migrate_from(s, good, 2, &applied, err, sizeof err), 0);
    assert_int_equal(applied, 0);
    struct store_conn *c = store_acquire(s);
    assert_int_equal(store_schema_version(c), 2);
    store_release(c);
    struct store_migration bad[] = {
        good[0],
        good[1],
        {3, "0003_bad.sql", "INSERT INTO m1 (x) VALUES ('b'); CREATE TABLE broken (;"},
    };
    assert_true(store_migrate_from(s, bad, 3, &applied, err, sizeof err) < 0);
    assert_non_null(strstr(err, "0003_bad.sql"));
    c = store_acquire(s);
    int64_t n = 0;
    store_query_int64(c, &n, "SELECT COUNT(*) FROM m1", NULL);
    assert_int_equal(n, 1); /* the failed migration's insert was rolled back */
    assert_int_equal(store_schema_version(c), 2);
    store_release(c);
    store_close(s);
}

static void test_statement_reuse(void **state)
{
    struct store *s = open_store(1);
    struct store_conn *c = store_acquire(s);
    make_table(c);
    for (int i = 0; i < 500; i++) {
        struct store_stmt *st;
        assert_int_equal(store_prepare(c, "INSERT INTO t (name, n) VALUES (?, ?)", &st), 0);
        char name[16];
        snprintf(name, sizeof name, "n%d", i);
        store_bind_text(st, 1, name);
        store_bind_int64(st, 2, i);
        assert_int_equal(store_step(st), STORE_DONE);
        store_finalize(st);
    }
    /* Two live statements with the same SQL do not share state. */
    struct store_stmt *a, *b;
    const char *q = "SELECT n FROM t WHERE name = ?";
    assert_int_equal(store_prepare(c, q, &a), 0);
    assert_int_equal(store_prepare(c, q, &b), 0);
    store_bind_text(a, 1, "n1");
    store_bind_text(b, 1, "n2");
    assert_int_equal(store_step(a), STORE_ROW);
    assert_int_equal(store_step(b), STORE_ROW);
    assert_int_equal(store_column_int64(a, 0), 1);
    assert_int_equal(store_column_int64(b, 0), 2);
    store_reset(a);
    store_bind_text(a, 1, "n3");
    assert_int_equal(store_step(a), STORE_ROW);
    assert_int_equal(store_column_int64(a, 0), 3);
    store_finalize(a);
    store_finalize(b);
    store_release(c);
    store_close(s);
}

static int count_rows(struct store_conn *c, void *ctx)
{
    return store_query_int64(c, (int64_t *)ctx, "SELECT COUNT(*) FROM t", NULL) == STORE_ROW ? 0
                                                                                             : -1;
}

static void test_reconnect(void **state)
{
    const char *restart = getenv("ONEHALL_TEST_PG_RESTART");
    if (!pg || !restart) skip();
    struct store *s = open_store(2);
    struct store_conn *c = store_acquire(s);
    make_table(c);
    store_release(c);
    assert_int_equal(system(restart), 0);
    /* A single statement outside a transaction goes through on the first
     * try: the lost connection is reset and the statement sent again. */
    c = store_acquire(s);
    assert_true(store_ping(c));
    int64_t n = -1;
    assert_int_equal(store_tx(c, count_rows, &n), 0);
    assert_int_equal(n, 0);
    /* Lost inside a transaction: nothing runs outside it by accident; every
     * statement fails as retryable until the rollback. */
    assert_int_equal(store_begin(c), 0);
    assert_int_equal(store_exec(c, "INSERT INTO t (name, n) VALUES ('lost', 1)"), 0);
    assert_int_equal(system(restart), 0);
    assert_int_equal(store_exec(c, "INSERT INTO t (name, n) VALUES ('after', 2)"), STORE_BUSY);
    assert_int_equal(store_exec(c, "INSERT INTO t (name, n) VALUES ('after2', 3)"), STORE_BUSY);
    assert_int_equal(store_rollback(c), 0);
    assert_int_equal(store_tx(c, count_rows, &n), 0);
    assert_int_equal(n, 0); /* neither the lost nor the later inserts exist */
    store_release(c);
    store_close(s);
}

/* Runs "SELECT * FROM t WHERE n >= 0 ORDER BY id": the columns, or -1. */
static int select_star(struct store_conn *c)
{
    struct store_stmt *st;
    if (store_prepare(c, "SELECT * FROM t WHERE n >= ? ORDER BY id", &st) < 0) return -1;
    store_bind_int64(st, 1, 0);
    int rc = store_step(st);
    int cols = rc == STORE_ROW ? store_column_count(st) : rc < 0 ? rc : -1;
    store_finalize(st);
    return cols;
}

static int select_star_tx(struct store_conn *c, void *ctx)
{
    int cols = select_star(c);
    if (cols < 0) return cols;
    *(int *)ctx = cols;
    return 0;
}

/* PostgreSQL: a connection prepares a statement once and reuses it; a table
 * changed under a prepared statement, inside a transaction or not, and a
 * server restart do not break it: it is prepared anew. */
static void test_prepared_statements(void **state)
{
    if (!pg) skip();
    struct store *s = open_store(1);
    struct store_conn *c = store_acquire(s);
    make_table(c);
    assert_int_equal(store_exec(c, "INSERT INTO t (name, n) VALUES ('a', 1)"), 0);
    for (int i = 0; i < 3; i++)
        assert_int_equal(select_star(c), 4);
    int64_t n = -1;
    assert_int_equal(store_query_int64(c, &n,
                                       "SELECT COUNT(*) FROM pg_prepared_statements WHERE "
                                       "statement = 'SELECT * FROM t WHERE n >= $1 ORDER BY id'",
                                       NULL),
                     STORE_ROW);
    assert_int_equal(n, 1);
    /* SELECT * has another column now: the old plan no longer fits */
    assert_int_equal(store_exec(c, "ALTER TABLE t ADD COLUMN extra TEXT DEFAULT 'x'"), 0);
    assert_int_equal(select_star(c), 5);
    assert_int_equal(store_exec(c, "ALTER TABLE t ADD COLUMN extra2 TEXT DEFAULT 'y'"), 0);
    int cols = 0;
    int txrc = store_tx(c, select_star_tx, &cols);
    if (txrc) fail_msg("%d %s", txrc, store_errmsg(c));
    assert_int_equal(cols, 6);
    const char *restart = getenv("ONEHALL_TEST_PG_RESTART");
    if (restart) {
        assert_int_equal(system(restart), 0);
        assert_int_equal(select_star(c), 6);
        assert_int_equal(select_star(c), 6);
    }
    store_release(c);
    store_close(s);
}

static void test_unreachable_and_bad_url(void **state)
{
    struct store_options opt = {"mysql://x", dir, 1, 100};
    struct store *s;
    char err[512];
    assert_int_equal(store_open(&opt, &s, err, sizeof err), STORE_ERROR);
    assert_non_null(strstr(err, "mysql://x"));
    if (pg) {
        opt.url = "postgresql://nobody@127.0.0.1:1/none?connect_timeout=2";
        assert_int_equal(store_open(&opt, &s, err, sizeof err), STORE_ERROR);
        assert_non_null(strstr(err, "PostgreSQL"));
    }
}

static void test_files(void **state)
{
    char *fdir = test_tmpdir();
    struct blob_store *bs;
    assert_int_equal(blob_store_open(fdir, &bs), 0);
    struct blob_writer *w;
    assert_int_equal(blob_writer_new(bs, 10, &w), 0);
    assert_int_equal(blob_writer_write(w, "ab", 2), 0);
    assert_int_equal(blob_writer_write(w, "c", 1), 0);
    char hex[65];
    int64_t size = 0;
    assert_int_equal(blob_writer_commit(w, hex, &size), 0);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    assert_int_equal(size, 3);
    /* Same content again: one file. */
    assert_int_equal(blob_writer_new(bs, 10, &w), 0);
    assert_int_equal(blob_writer_write(w, "abc", 3), 0);
    char hex2[65];
    assert_int_equal(blob_writer_commit(w, hex2, &size), 0);
    assert_string_equal(hex, hex2);
    char buf[8];
    assert_int_equal(blob_head(bs, hex, buf, sizeof buf), 3);
    assert_memory_equal(buf, "abc", 3);
    /* Over the limit: refused, nothing left behind. */
    assert_int_equal(blob_writer_new(bs, 4, &w), 0);
    assert_int_equal(blob_writer_write(w, "abcd", 4), 0);
    assert_int_equal(blob_writer_write(w, "e", 1), -2);
    blob_writer_abort(w);
    char cmd[512];
    snprintf(cmd, sizeof cmd, "test -z \"$(ls -A '%s/tmp')\"", fdir);
    assert_int_equal(system(cmd), 0);
    /* Names that are not a digest are refused. */
    int fd;
    assert_int_equal(blob_open(bs, "../../etc/passwd", &fd, &size), -1);
    assert_int_equal(blob_open(bs,
                               "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD",
                               &fd, &size),
                     -1);
    blob_store_close(bs);
    test_rmrf(fdir);
    free(fdir);
}

int main(void)
{
    const char *b = getenv("ONEHALL_TEST_BACKEND");
    pg = b && strcmp(b, "postgres") == 0;
    if (pg && !getenv("ONEHALL_TEST_PG_URL")) {
        fprintf(stderr, "ONEHALL_TEST_PG_URL is not set: run under tests/pg-server.sh\n");
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_values_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_conflicts_and_upserts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_conflict_in_transaction, setup, teardown),
        cmocka_unit_test_setup_teardown(test_transactions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_concurrent_writers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_migrations, setup, teardown),
        cmocka_unit_test_setup_teardown(test_statement_reuse, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reconnect, setup, teardown),
        cmocka_unit_test_setup_teardown(test_prepared_statements, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unreachable_and_bad_url, setup, teardown),
        cmocka_unit_test_setup_teardown(test_files, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
