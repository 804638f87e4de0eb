/**
 * @file audit.h
 * @brief The audit trail: every state change records who, what, when and
 *        from which address, in an append-only table whose rows are
 *        hash-chained per shard. Writers on different connections use
 *        different shards, so they do not queue behind one lock.
 */
#ifndef ONEHALL_AUDIT_H
#define ONEHALL_AUDIT_H
#include <stdint.h>

struct store_conn;

#define AUDIT_SHARDS 8

/** Appends one entry; call inside the transaction of the change it records.
 *  actor_id 0 means the system or an anonymous caller; detail is JSON text
 *  (may be NULL for "{}"); ip may be NULL for the command line. */
int audit_record(struct store_conn *c, int64_t actor_id, const char *action, const char *target,
                 const char *detail, const char *ip);

struct audit_report {
    int64_t rows;       /**< entries checked */
    int64_t bad_id;     /**< first row found wrong, 0 when none */
    int bad_shard;
    int64_t bad_seq;
    char problem[256];  /**< what is wrong, in English, for operators */
};

/** Walks every shard's chain. Returns 0 when intact, 1 when an entry was
 *  edited, deleted or inserted out of chain (report says which), < 0 when
 *  the database failed. */
int audit_verify(struct store_conn *c, struct audit_report *rep);
#endif
