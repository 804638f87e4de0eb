/**
 * @file store.h
 * @brief The database layer: one small interface, two backends (SQLite, the
 *        embedded default, and PostgreSQL through libpq).
 *
 * SQL is written once in the common subset of both: "?" placeholders (turned
 * into $1.. for PostgreSQL), ON CONFLICT, RETURNING. Values travel as text,
 * 64-bit integers or blobs. Every call says one of four things through its
 * return code: a hard error (STORE_ERROR), a retryable one (STORE_BUSY: lock
 * contention, serialization failure, lost connection), no more rows
 * (STORE_DONE), or a row (STORE_ROW). A unique-constraint violation is
 * STORE_CONSTRAINT so callers can answer 409.
 *
 * Threads: a struct store is shared; each thread borrows a struct store_conn
 * with store_acquire and gives it back with store_release. A connection is
 * used by one thread at a time.
 */
#ifndef ONEHALL_STORE_H
#define ONEHALL_STORE_H
#include <stddef.h>
#include <stdint.h>

enum store_rc {
    STORE_OK = 0,
    STORE_ROW = 1,
    STORE_DONE = 2,
    STORE_ERROR = -1,
    STORE_BUSY = -2,
    STORE_CONSTRAINT = -3,
};

enum store_backend { STORE_SQLITE, STORE_POSTGRES };

struct store;
struct store_conn;
struct store_stmt;

struct store_options {
    const char *url;      /**< NULL or "" for SQLite in data_dir; "postgres://..." or "postgresql://..." */
    const char *data_dir; /**< SQLite database file goes to data_dir/onehall.db */
    int pool_size;        /**< connections kept; callers beyond it wait */
    int busy_timeout_ms;  /**< SQLite busy timeout; PostgreSQL lock_timeout */
};

/** Opens the database (creating the SQLite file and data_dir when absent).
 *  On failure returns STORE_ERROR and writes a message into errbuf. */
int store_open(const struct store_options *opt, struct store **out, char *errbuf, size_t errlen);
/** Closes every connection (waits for none: call after all are released). */
void store_close(struct store *s);
enum store_backend store_backend(const struct store *s);

/** Borrows a connection, waiting while all are in use. A PostgreSQL
 *  connection found broken is reset here, so a restarted server is
 *  reconnected to transparently. Never NULL. */
struct store_conn *store_acquire(struct store *s);
void store_release(struct store_conn *c);
enum store_backend store_conn_backend(const struct store_conn *c);
/** A small integer naming the connection (0..pool_size-1), stable for its life. */
int store_conn_index(const struct store_conn *c);
/** The last error message on this connection. */
const char *store_errmsg(const struct store_conn *c);

/** Runs SQL with no parameters and no result rows (may hold several statements). */
int store_exec(struct store_conn *c, const char *sql);

/** Prepares sql ("?" placeholders). Statements may be cached per connection:
 *  always pair with store_finalize. */
int store_prepare(struct store_conn *c, const char *sql, struct store_stmt **out);
/** Parameters are numbered from 1. Text and blobs are copied. */
int store_bind_text(struct store_stmt *st, int idx, const char *s); /* NULL binds NULL */
int store_bind_int64(struct store_stmt *st, int idx, int64_t v);
int store_bind_null(struct store_stmt *st, int idx);
int store_bind_blob(struct store_stmt *st, int idx, const void *p, size_t n);
/** Executes on the first call, then walks rows: STORE_ROW, STORE_DONE or an error. */
int store_step(struct store_stmt *st);
/** Columns are numbered from 0; valid until the next step or finalize. */
int store_column_count(struct store_stmt *st);
int store_column_is_null(struct store_stmt *st, int col);
const char *store_column_text(struct store_stmt *st, int col); /* NULL for NULL */
int64_t store_column_int64(struct store_stmt *st, int col);    /* 0 for NULL */
const void *store_column_blob(struct store_stmt *st, int col, size_t *len);
/** Rows changed by the last INSERT/UPDATE/DELETE of this statement. */
int64_t store_changes(struct store_stmt *st);
/** Resets for another execution with new bindings. */
int store_reset(struct store_stmt *st);
void store_finalize(struct store_stmt *st);

int store_begin(struct store_conn *c);
int store_commit(struct store_conn *c);
int store_rollback(struct store_conn *c);

/** Runs fn inside a transaction, retrying on STORE_BUSY (bounded, with a short
 *  back-off). fn returns >= 0 to commit, < 0 to roll back; its value is
 *  returned. A commit is durable when this returns: SQLite runs with
 *  synchronous=FULL in WAL mode. */
int store_tx(struct store_conn *c, int (*fn)(struct store_conn *c, void *ctx), void *ctx);

/** Like store_tx, but on SQLite concurrent callers share one commit, and so
 *  one fsync of the log (group commit): the first caller becomes the leader
 *  and runs every transaction waiting at that moment, each inside its own
 *  savepoint on the leader's connection, then commits them together. A
 *  transaction whose fn fails is rolled back alone; the others commit. fn
 *  may run on another thread's connection (use only the c it is given) and
 *  may run again when the batch is retried. Durable when it returns >= 0.
 *  On PostgreSQL (which commits concurrent transactions in parallel) it is
 *  store_tx. */
int store_tx_group(struct store_conn *c, int (*fn)(struct store_conn *c, void *ctx), void *ctx);
/** Batches and transactions committed by store_tx_group so far. */
void store_group_stats(struct store *s, long *batches, long *jobs);

/** Convenience: one-shot query returning the first column of the first row
 *  as int64 in *out. STORE_ROW when found, STORE_DONE when no row. Parameters
 *  are text, given as a NULL-terminated list after sql. */
int store_query_int64(struct store_conn *c, int64_t *out, const char *sql, ...);

/** True when the database answers a trivial query (for /healthz). */
int store_ping(struct store_conn *c);

/** Applies the embedded migrations (migrations/NNNN_name.sql) not yet applied,
 *  each in its own transaction, recording them in schema_migrations. Writes
 *  the applied count to *applied (may be NULL). */
int store_migrate(struct store *s, int *applied, char *errbuf, size_t errlen);
/** Highest applied migration version, 0 when none. */
int store_schema_version(struct store_conn *c);

/** One migration: version NNNN, its file name, its SQL with dialect tokens
 *  (@ID@ an auto-increment primary key, @BLOB@ a byte string). */
struct store_migration {
    int version;
    const char *name;
    const char *sql;
};
/** Applies the migrations of list (sorted by version) not yet applied. */
int store_migrate_from(struct store *s, const struct store_migration *list, size_t n,
                       int *applied, char *errbuf, size_t errlen);
/** sql with the dialect tokens replaced for backend; caller frees. */
char *store_dialect(enum store_backend backend, const char *sql);
#endif
