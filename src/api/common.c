/**
 * @file common.c
 * @brief Helpers shared by the API handlers: body fields, account JSON,
 *        idempotent creation.
 */
#include "api/api.h"
#include "core/clock.h"
#include "core/crypto.h"
#include "core/idcheck.h"
#include "domain/accounts.h"
#include "store/store.h"
#include <stdlib.h>
#include <string.h>

const char *api_str(struct http_req *r, json_t *body, const char *field, int *failed)
{
    json_t *v = json_object_get(body, field);
    if (!v || json_is_null(v))
        return NULL;
    if (!json_is_string(v)) {
        if (!*failed)
            http_fail(r, ERR_INVALID, field, "api.want_string", field);
        *failed = 1;
        return NULL;
    }
    return json_string_value(v);
}

long api_positive_query(struct http_req *r, const char *name, long def)
{
    const char *s = http_query(r, name);
    if (!s)
        return def;
    char *end;
    long v = strtol(s, &end, 10);
    return *s && !*end && v >= 1 && v <= 1000000 ? v : -1;
}

json_t *api_account_json(const struct account *a, int whole_id)
{
    json_t *roles = json_array();
    for (unsigned bit = 1; bit <= ROLE_TERMINAL; bit <<= 1)
        if (a->roles & bit)
            json_array_append_new(roles, json_string(role_name(bit)));
    json_t *j = json_pack("{s:I, s:s, s:s, s:i, s:o, s:b, s:s}", "id", (json_int_t)a->id, "kind",
                          a->kind ? a->kind : "", "name", a->name ? a->name : "",
                          "realname_level", a->realname_level, "roles", roles, "disabled",
                          a->disabled, "created_at", a->created_at ? a->created_at : "");
    if (a->username)
        json_object_set_new(j, "username", json_string(a->username));
    if (a->id_number) {
        char masked[32];
        idcheck_mask(a->id_number, masked, sizeof masked);
        json_object_set_new(j, "id_number", json_string(whole_id ? a->id_number : masked));
    }
    if (a->phone)
        json_object_set_new(j, "phone", json_string(a->phone));
    if (a->email)
        json_object_set_new(j, "email", json_string(a->email));
    if (a->department_id) {
        json_object_set_new(j, "department_id", json_integer(a->department_id));
        if (a->department_name)
            json_object_set_new(j, "department_name", json_string(a->department_name));
    }
    return j;
}

/* The scope keeps keys of different callers and routes apart. */
static const char *idem_scope(struct http_req *r, const char *scope)
{
    return arena_printf(r->arena, "%s|%lld", scope,
                        (long long)(r->principal ? r->principal->account_id : 0));
}

static void request_hash(struct http_req *r, char out[65])
{
    json_t *j = http_json(r);
    char *s = j ? json_dumps(j, JSON_SORT_KEYS | JSON_COMPACT) : NULL;
    crypto_sha256_hex(s ? s : "", s ? strlen(s) : 0, out);
    free(s);
}

int api_idem_replay(struct http_req *r, const char *scope)
{
    const char *key = http_header(r, "Idempotency-Key");
    if (!key)
        return 0;
    if (strlen(key) < 8 || strlen(key) > 128)
        return http_fail(r, ERR_INVALID, "Idempotency-Key", "api.idem_key_bad", NULL), -1;
    struct store_stmt *st;
    if (store_prepare(http_db(r),
                      "SELECT request_hash, status, body FROM idempotency_keys WHERE scope = ? "
                      "AND idem_key = ?",
                      &st) < 0)
        return http_fail(r, ERR_UNAVAILABLE, NULL, "err.detail.storage", NULL), -1;
    store_bind_text(st, 1, idem_scope(r, scope));
    store_bind_text(st, 2, key);
    int rc = store_step(st), result = 0;
    if (rc == STORE_ROW) {
        char want[65];
        request_hash(r, want);
        if (strcmp(want, store_column_text(st, 0)) != 0) {
            http_fail(r, ERR_INVALID, "Idempotency-Key", "api.idem_key_reused", NULL);
            result = -1;
        } else {
            const char *body = store_column_text(st, 2);
            http_header_add(r, "Idempotent-Replayed", "true");
            http_reply_bytes(r, (int)store_column_int64(st, 1), "application/json; charset=utf-8",
                             body, strlen(body));
            result = 1;
        }
    } else if (rc < 0) {
        http_fail(r, ERR_UNAVAILABLE, NULL, "err.detail.storage", NULL);
        result = -1;
    }
    store_finalize(st);
    return result;
}

int api_reply_created(struct http_req *r, const char *scope, int status, json_t *body)
{
    const char *key = http_header(r, "Idempotency-Key");
    if (key) {
        char hash[65];
        request_hash(r, hash);
        char *s = json_dumps(body, JSON_COMPACT);
        struct store_stmt *st;
        if (s && store_prepare(http_db(r),
                               "INSERT INTO idempotency_keys (scope, idem_key, request_hash, "
                               "status, body, created_ms) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT "
                               "(scope, idem_key) DO NOTHING",
                               &st) == 0) {
            store_bind_text(st, 1, idem_scope(r, scope));
            store_bind_text(st, 2, key);
            store_bind_text(st, 3, hash);
            store_bind_int64(st, 4, status);
            store_bind_text(st, 5, s);
            store_bind_int64(st, 6, clock_now_ms());
            store_step(st);
            store_finalize(st);
        }
        free(s);
    }
    return http_reply_json(r, status, body);
}
