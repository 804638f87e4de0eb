/**
 * @file accounts.c
 * @brief /api/v1/accounts: registration, the caller's own account, the
 *        list for administrators, role grants, verified identity claims.
 */
#include "api/api.h"
#include "domain/accounts.h"
#include "store/store.h"
#include <stdlib.h>
#include <string.h>

#define SCOPE_REGISTER "POST /api/v1/accounts"

int api_accounts_create(struct http_req *r)
{
    json_t *body = http_json(r);
    if (!body)
        return 0;
    int rc = api_idem_replay(r, SCOPE_REGISTER);
    if (rc != 0)
        return 0;
    int failed = 0;
    struct person_input in = {
        .name = api_str(r, body, "name", &failed),
        .id_number = api_str(r, body, "id_number", &failed),
        .phone = api_str(r, body, "phone", &failed),
        .email = api_str(r, body, "email", &failed),
        .password = api_str(r, body, "password", &failed),
    };
    if (failed)
        return 0;
    struct err e;
    err_clear(&e);
    int64_t id;
    if (accounts_register(http_db(r), &in, r->ip, &id, &e) < 0)
        return http_reply_err(r, &e);
    struct account a;
    if (accounts_get(http_db(r), r->arena, id, &a, &e) < 0)
        return http_reply_err(r, &e);
    http_header_add(r, "Location", "/api/v1/accounts/me");
    return api_reply_created(r, SCOPE_REGISTER, 201, api_account_json(&a, 1));
}

int api_accounts_me(struct http_req *r)
{
    struct account a;
    struct err e;
    if (accounts_get(http_db(r), r->arena, r->principal->account_id, &a, &e) < 0)
        return http_reply_err(r, &e);
    return http_reply_json(r, 200, api_account_json(&a, 1));
}

static long query_long(struct http_req *r, const char *name, long def, long max)
{
    const char *s = http_query(r, name);
    if (!s)
        return def;
    char *end;
    long v = strtol(s, &end, 10);
    if (*end || v < 0)
        return -1;
    return v > max ? max : v;
}

int api_accounts_list(struct http_req *r)
{
    long limit = query_long(r, "limit", 50, 500), offset = query_long(r, "offset", 0, 1L << 40);
    if (limit < 0 || offset < 0)
        return http_fail(r, ERR_INVALID, limit < 0 ? "limit" : "offset", "api.want_number", NULL);
    struct store_stmt *st;
    if (store_prepare(http_db(r), "SELECT id FROM accounts ORDER BY id LIMIT ? OFFSET ?", &st) < 0)
        return http_fail(r, ERR_UNAVAILABLE, NULL, "err.detail.storage", NULL);
    store_bind_int64(st, 1, limit);
    store_bind_int64(st, 2, offset);
    int64_t ids[500];
    int n = 0, rc;
    while (n < 500 && (rc = store_step(st)) == STORE_ROW)
        ids[n++] = store_column_int64(st, 0);
    store_finalize(st);
    json_t *items = json_array();
    for (int i = 0; i < n; i++) {
        struct account a;
        struct err e;
        if (accounts_get(http_db(r), r->arena, ids[i], &a, &e) == 0)
            json_array_append_new(items, api_account_json(&a, 0));
    }
    int64_t total = 0;
    store_query_int64(http_db(r), &total, "SELECT COUNT(*) FROM accounts", NULL);
    return http_reply_json(r, 200, json_pack("{s:o, s:I, s:i, s:i}", "items", items, "total",
                                             (json_int_t)total, "limit", (int)limit, "offset",
                                             (int)offset));
}

int api_accounts_grant(struct http_req *r)
{
    json_t *body = http_json(r);
    if (!body)
        return 0;
    int failed = 0;
    const char *role = api_str(r, body, "role", &failed);
    if (failed)
        return 0;
    char *end;
    long long id = strtoll(http_param(r, "id"), &end, 10);
    if (*end || id <= 0)
        return http_fail(r, ERR_NOT_FOUND, NULL, NULL, NULL);
    struct err e;
    err_clear(&e);
    if (accounts_grant(http_db(r), id, role, r->principal->account_id, &e) < 0)
        return http_reply_err(r, &e);
    struct account a;
    if (accounts_get(http_db(r), r->arena, id, &a, &e) < 0)
        return http_reply_err(r, &e);
    return http_reply_json(r, 200, api_account_json(&a, 0));
}

int api_identity_verify(struct http_req *r)
{
    json_t *body = http_json(r);
    if (!body)
        return 0;
    int failed = 0;
    struct person_input in = {
        .name = api_str(r, body, "name", &failed),
        .id_number = api_str(r, body, "id_number", &failed),
        .phone = api_str(r, body, "phone", &failed),
        .password = api_str(r, body, "password", &failed),
    };
    const char *method = api_str(r, body, "method", &failed);
    if (failed)
        return 0;
    /* A kiosk verifies by reading the card; staff at a counter. */
    int level = (r->principal->roles & ROLE_TERMINAL) ? REALNAME_KIOSK : REALNAME_COUNTER;
    if (method && strcmp(method, "kiosk") == 0 && (r->principal->roles & ROLE_TERMINAL))
        level = REALNAME_KIOSK;
    struct err e;
    err_clear(&e);
    int64_t id;
    if (accounts_verify_claim(http_db(r), &in, level, r->principal->account_id, r->ip, &id, &e) <
        0)
        return http_reply_err(r, &e);
    struct account a;
    if (accounts_get(http_db(r), r->arena, id, &a, &e) < 0)
        return http_reply_err(r, &e);
    /* Staff handling this person see the number whole. */
    return http_reply_json(r, 200, api_account_json(&a, 1));
}
