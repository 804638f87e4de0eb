/**
 * @file backend.h
 * @brief Private to the store layer: the backend operations behind the
 *        public interface, and the pooled connection.
 */
#ifndef ONEHALL_STORE_BACKEND_H
#define ONEHALL_STORE_BACKEND_H
#include "store/store.h"
#include <pthread.h>

struct store_ops {
    int (*connect)(struct store *s, struct store_conn *c, char *errbuf, size_t errlen);
    void (*disconnect)(struct store_conn *c);
    /** 0 when usable; tries to repair a broken connection. */
    int (*check)(struct store_conn *c);
    int (*exec)(struct store_conn *c, const char *sql);
    int (*prepare)(struct store_conn *c, const char *sql, struct store_stmt **out);
    int (*bind)(struct store_stmt *st, int idx, int type, const void *p, size_t n, int64_t v);
    int (*step)(struct store_stmt *st);
    int (*column_count)(struct store_stmt *st);
    int (*column_is_null)(struct store_stmt *st, int col);
    const char *(*column_text)(struct store_stmt *st, int col);
    int64_t (*column_int64)(struct store_stmt *st, int col);
    const void *(*column_blob)(struct store_stmt *st, int col, size_t *len);
    int64_t (*changes)(struct store_stmt *st);
    int (*reset)(struct store_stmt *st);
    void (*finalize)(struct store_stmt *st);
    const char *begin_sql;
};

enum { BIND_NULL, BIND_TEXT, BIND_INT64, BIND_BLOB };

struct store_conn {
    struct store *store;
    int index;
    int in_use;
    int in_tx;      /**< between store_begin and store_commit/rollback */
    int tx_broken;  /**< the connection was lost inside the transaction */
    void *handle;   /**< sqlite3 * or PGconn * */
    void *cache;    /**< backend's statement cache */
    char errmsg[512];
};

struct store {
    enum store_backend backend;
    const struct store_ops *ops;
    char *url;
    char *data_dir;
    int busy_timeout_ms;
    int pool_size;
    struct store_conn *conns;
    pthread_mutex_t lock;
    pthread_cond_t freed;
    /* group commit (group.c): transactions waiting to share one commit */
    pthread_mutex_t group_lock;
    pthread_cond_t group_done;
    struct group_job *group_head, *group_tail;
    int group_leader; /**< a thread is committing a batch */
    long group_batches, group_jobs; /**< for the figures */
};

extern const struct store_ops store_sqlite_ops;
extern const struct store_ops store_pg_ops;

/** Records an error message on the connection. */
void store_set_error(struct store_conn *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#endif
