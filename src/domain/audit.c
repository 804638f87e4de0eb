/**
 * @file audit.c
 * @brief Hash-chained audit log. Each shard keeps its last (seq, hash) in
 *        audit_heads; taking the next link updates that row, which locks it
 *        on PostgreSQL, so two writers of one shard serialise while writers
 *        of different shards do not. SQLite serialises writers anyway.
 */
#include "domain/audit.h"
#include "core/clock.h"
#include "core/crypto.h"
#include "core/mem.h"
#include "store/store.h"
#include <stdio.h>
#include <string.h>

/* Fields are length-prefixed so that no two different rows hash alike. */
static void link_hash(const char *prev, int64_t shard, int64_t seq, const char *at,
                      int64_t actor, const char *action, const char *target, const char *detail,
                      const char *ip, char out[65])
{
    struct buf b = BUF_INIT;
    const char *f[] = {prev, at, action, target, detail, ip};
    buf_printf(&b, "onehall-audit-v1|%lld|%lld|%lld", (long long)shard, (long long)seq,
               (long long)actor);
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++)
        buf_printf(&b, "|%zu:%s", strlen(f[i]), f[i]);
    crypto_sha256_hex(b.data, b.len, out);
    buf_free(&b);
}

int audit_record(struct store_conn *c, int64_t actor_id, const char *action, const char *target,
                 const char *detail, const char *ip)
{
    int64_t shard = store_conn_index(c) % AUDIT_SHARDS;
    char at[32], hash[65], prev[65] = "";
    clock_format_iso(clock_now_ms(), at);
    if (!detail)
        detail = "{}";
    if (!ip)
        ip = "cli";
    struct store_stmt *st;
    int rc = store_prepare(c, "INSERT INTO audit_heads (shard, seq, hash) VALUES (?, 0, '') "
                              "ON CONFLICT (shard) DO NOTHING", &st);
    if (rc < 0)
        return rc;
    store_bind_int64(st, 1, shard);
    rc = store_step(st);
    store_finalize(st);
    if (rc < 0)
        return rc;
    rc = store_prepare(c, "UPDATE audit_heads SET seq = seq + 1 WHERE shard = ? RETURNING seq, hash",
                       &st);
    if (rc < 0)
        return rc;
    store_bind_int64(st, 1, shard);
    rc = store_step(st);
    int64_t seq = 0;
    if (rc == STORE_ROW) {
        seq = store_column_int64(st, 0);
        snprintf(prev, sizeof prev, "%s", store_column_text(st, 1));
    }
    store_finalize(st);
    if (rc != STORE_ROW)
        return rc < 0 ? rc : STORE_ERROR;
    link_hash(prev, shard, seq, at, actor_id, action, target, detail, ip, hash);
    rc = store_prepare(c, "UPDATE audit_heads SET hash = ? WHERE shard = ?", &st);
    if (rc < 0)
        return rc;
    store_bind_text(st, 1, hash);
    store_bind_int64(st, 2, shard);
    rc = store_step(st);
    store_finalize(st);
    if (rc < 0)
        return rc;
    rc = store_prepare(c,
                       "INSERT INTO audit_log (shard, seq, at, actor_id, action, target, detail, "
                       "ip, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       &st);
    if (rc < 0)
        return rc;
    store_bind_int64(st, 1, shard);
    store_bind_int64(st, 2, seq);
    store_bind_text(st, 3, at);
    if (actor_id)
        store_bind_int64(st, 4, actor_id);
    else
        store_bind_null(st, 4);
    store_bind_text(st, 5, action);
    store_bind_text(st, 6, target);
    store_bind_text(st, 7, detail);
    store_bind_text(st, 8, ip);
    store_bind_text(st, 9, prev);
    store_bind_text(st, 10, hash);
    rc = store_step(st);
    store_finalize(st);
    return rc < 0 ? rc : 0;
}

static int fail(struct audit_report *rep, int64_t id, int shard, int64_t seq, const char *what)
{
    rep->bad_id = id;
    rep->bad_shard = shard;
    rep->bad_seq = seq;
    snprintf(rep->problem, sizeof rep->problem, "shard %d, entry %lld: %s", shard,
             (long long)seq, what);
    return 1;
}

static int verify_shard(struct store_conn *c, int shard, struct audit_report *rep)
{
    struct store_stmt *st;
    int rc = store_prepare(c,
                           "SELECT id, seq, at, actor_id, action, target, detail, ip, prev_hash, "
                           "hash FROM audit_log WHERE shard = ? ORDER BY seq",
                           &st);
    if (rc < 0)
        return rc;
    store_bind_int64(st, 1, shard);
    char prev[65] = "", hash[65];
    int64_t expect = 1;
    int result = 0;
    while ((rc = store_step(st)) == STORE_ROW) {
        int64_t id = store_column_int64(st, 0), seq = store_column_int64(st, 1);
        const char *stored_prev = store_column_text(st, 8), *stored = store_column_text(st, 9);
        rep->rows++;
        if (seq != expect) {
            result = fail(rep, id, shard, expect, "missing: an entry was deleted");
            break;
        }
        if (!stored_prev || strcmp(stored_prev, prev) != 0) {
            result = fail(rep, id, shard, seq, "does not link to the entry before it");
            break;
        }
        link_hash(prev, shard, seq, store_column_text(st, 2), store_column_int64(st, 3),
                  store_column_text(st, 4), store_column_text(st, 5), store_column_text(st, 6),
                  store_column_text(st, 7), hash);
        if (!stored || strcmp(stored, hash) != 0) {
            result = fail(rep, id, shard, seq, "its content was changed");
            break;
        }
        memcpy(prev, hash, sizeof prev);
        expect++;
    }
    store_finalize(st);
    if (rc < 0)
        return rc;
    if (result)
        return result;
    rc = store_prepare(c, "SELECT seq, hash FROM audit_heads WHERE shard = ?", &st);
    if (rc < 0)
        return rc;
    store_bind_int64(st, 1, shard);
    rc = store_step(st);
    if (rc == STORE_ROW) {
        int64_t head_seq = store_column_int64(st, 0);
        const char *head_hash = store_column_text(st, 1);
        if (head_seq != expect - 1 || strcmp(head_hash ? head_hash : "", prev) != 0)
            result = fail(rep, 0, shard, expect, "the latest entries were deleted");
    } else if (rc == STORE_DONE && expect > 1) {
        result = fail(rep, 0, shard, expect - 1, "the chain's head record is missing");
    }
    store_finalize(st);
    return rc < 0 ? rc : result;
}

int audit_verify(struct store_conn *c, struct audit_report *rep)
{
    memset(rep, 0, sizeof *rep);
    for (int shard = 0; shard < AUDIT_SHARDS; shard++) {
        int rc = verify_shard(c, shard, rep);
        if (rc != 0)
            return rc;
    }
    return 0;
}
