/**
 * @file test_group.c
 * @brief Group commit: many threads committing at once all get their rows,
 *        a failing transaction among them is rolled back alone, and on
 *        SQLite they share commits (fewer batches than transactions).
 */
#include "store/store.h"
#include "testlib.h"
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

static int pg;
static char *dir;
static struct store *S;

enum { THREADS = 16, EACH = 25 };

struct job {
    int thread, n;
};

static int insert_fn(struct store_conn *c, void *ctx)
{
    struct job *j = ctx;
    struct store_stmt *st;
    int rc = store_prepare(c, "INSERT INTO g (thread, n) VALUES (?, ?)", &st);
    if (rc < 0)
        return rc;
    store_bind_int64(st, 1, j->thread);
    store_bind_int64(st, 2, j->n);
    rc = store_step(st);
    store_finalize(st);
    if (rc < 0)
        return rc;
    /* every seventh transaction changes its mind after writing */
    return j->n % 7 == 3 ? -100 : 0;
}

static void *worker(void *arg)
{
    int t = (int)(intptr_t)arg;
    struct store_conn *c = store_acquire(S);
    for (int i = 0; i < EACH; i++) {
        struct job j = {t, i};
        int rc = store_tx_group(c, insert_fn, &j);
        if (i % 7 == 3 ? rc != -100 : rc != 0)
            fprintf(stderr, "thread %d job %d: %d\n", t, i, rc), abort();
    }
    store_release(c);
    return NULL;
}

static void test_concurrent_commits(void **state)
{
    struct store_options opt = {pg ? getenv("ONEHALL_TEST_PG_URL") : NULL, dir, THREADS, 5000};
    char err[512];
    if (store_open(&opt, &S, err, sizeof err) < 0)
        fail_msg("%s", err);
    struct store_conn *c = store_acquire(S);
    store_exec(c, "DROP TABLE IF EXISTS g");
    assert_int_equal(store_exec(c, "CREATE TABLE g (thread BIGINT, n BIGINT, UNIQUE (thread, n))"), 0);
    store_release(c);
    pthread_t th[THREADS];
    for (int t = 0; t < THREADS; t++)
        pthread_create(&th[t], NULL, worker, (void *)(intptr_t)t);
    for (int t = 0; t < THREADS; t++)
        pthread_join(th[t], NULL);
    c = store_acquire(S);
    int64_t n = 0, failed = 0;
    assert_int_equal(store_query_int64(c, &n, "SELECT COUNT(*) FROM g", NULL), STORE_ROW);
    assert_int_equal(store_query_int64(c, &failed, "SELECT COUNT(*) FROM g WHERE n % 7 = 3", NULL),
                     STORE_ROW);
    int per_thread_failing = 0;
    for (int i = 0; i < EACH; i++)
        per_thread_failing += i % 7 == 3;
    assert_int_equal(failed, 0);
    assert_int_equal(n, THREADS * (EACH - per_thread_failing));
    long batches = 0, jobs = 0;
    store_group_stats(S, &batches, &jobs);
    if (!pg) {
        assert_int_equal(jobs, THREADS * EACH);
        assert_true(batches < jobs); /* 16 threads at once: commits were shared */
        print_message("group commit: %ld transactions in %ld commits\n", jobs, batches);
    }
    store_exec(c, "DROP TABLE g");
    store_release(c);
    store_close(S);
}

int main(void)
{
    const char *b = getenv("ONEHALL_TEST_BACKEND");
    pg = b && !strcmp(b, "postgres");
    dir = test_tmpdir();
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_concurrent_commits)};
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    test_rmrf(dir);
    free(dir);
    return rc;
}
