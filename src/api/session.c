/**
 * @file session.c
 * @brief POST /api/v1/session (log in, get a bearer token) and
 *        DELETE /api/v1/session (revoke it).
 */
#include "api/api.h"
#include "domain/accounts.h"
#include <string.h>
#include <strings.h>

int api_session_create(struct http_req *r)
{
    json_t *body = http_json(r);
    if (!body)
        return 0;
    int failed = 0;
    const char *user = api_str(r, body, "username", &failed);
    const char *pass = api_str(r, body, "password", &failed);
    if (failed)
        return 0;
    if (!user)
        return http_fail(r, ERR_INVALID, "username", "api.field_missing", "username");
    if (!pass)
        return http_fail(r, ERR_INVALID, "password", "api.field_missing", "password");
    char token[64];
    int64_t id;
    struct err e;
    err_clear(&e);
    if (accounts_login(http_db(r), user, pass, SESSION_API, r->ip, token, &id, &e) < 0) {
        if (e.code == ERR_LOCKED)
            http_header_add(r, "Retry-After", e.arg);
        if (e.code == ERR_UNAVAILABLE)
            http_header_add(r, "Retry-After", "1");
        return http_reply_err(r, &e);
    }
    struct account a;
    if (accounts_get(http_db(r), r->arena, id, &a, &e) < 0)
        return http_reply_err(r, &e);
    return http_reply_json(r, 201,
                           json_pack("{s:s, s:s, s:o}", "token", token, "token_type", "Bearer",
                                     "account", api_account_json(&a, 1)));
}

int api_session_delete(struct http_req *r)
{
    const char *auth = http_header(r, "Authorization");
    const char *token = auth && strncasecmp(auth, "Bearer ", 7) == 0 ? auth + 7
                                                                     : http_cookie(r, "oh_sid");
    if (accounts_logout(http_db(r), token, r->ip) < 0)
        return http_fail(r, ERR_UNAVAILABLE, NULL, "err.detail.storage", NULL);
    if (!auth)
        http_cookie_set(r, "oh_sid", "", 0);
    return http_reply_empty(r, 204);
}
