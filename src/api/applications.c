/**
 * @file applications.c
 * @brief The applications API: applying (idempotent), a case, the lists of
 *        the applicant and of the department, workflow steps, materials
 *        (logged when staff look), ratings, the locker, the access log.
 *        The rules live in domain/cases.c; this file only translates HTTP.
 */
#include "api/api.h"
#include "core/crypto.h"
#include "domain/cases.h"
#include "http/server.h"
#include "store/files.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SCOPE_APPLY "applications.create"

/* A refusal; a conflict names the state the case is in now. */
static int refuse(struct http_req *r, const struct err *e)
{
    if (e->code == ERR_CONFLICT && e->arg[0])
        return http_reply_problems(r, e,
                                   json_pack("[{s:s, s:s}]", "code", e->key, "state", e->arg));
    return http_reply_err(r, e);
}

/* The Idempotency-Key is kept by cases_create in the transaction of the
 * case: a request sent again with the key answers the case as it is now. */
int api_applications_create(struct http_req *r)
{
    const char *key = http_header(r, "Idempotency-Key");
    if (key && (strlen(key) < 8 || strlen(key) > 128))
        return http_fail(r, ERR_INVALID, "Idempotency-Key", "api.idem_key_bad", NULL);
    json_t *body = http_json(r);
    if (!body) return 0;
    /* the same request: the same body, whatever the order of its keys */
    char hash[65];
    char *canon = key ? json_dumps(body, JSON_SORT_KEYS | JSON_COMPACT) : NULL;
    if (key) crypto_sha256_hex(canon ? canon : "", canon ? strlen(canon) : 0, hash);
    free(canon);
    struct case_idem idem = {SCOPE_APPLY, key, hash};
    json_t *out;
    int replayed;
    struct err e;
    if (cases_create(http_db(r), r->principal, body, key ? &idem : NULL, r->ip, &out, &replayed,
                     &e) < 0)
        return refuse(r, &e);
    char loc[64];
    snprintf(loc, sizeof loc, "/api/v1/applications/%s",
             json_string_value(json_object_get(out, "number")));
    http_header_add(r, "Location", loc);
    if (replayed) http_header_add(r, "Idempotent-Replayed", "true");
    return http_reply_json(r, 201, out);
}

int api_applications_update(struct http_req *r)
{
    json_t *body = http_json(r);
    if (!body) return 0;
    json_t *out;
    struct err e;
    if (cases_update_draft(http_db(r), r->principal, http_param(r, "number"), body, r->ip, &out,
                           &e) < 0)
        return refuse(r, &e);
    return http_reply_json(r, 200, out);
}

int api_applications_get(struct http_req *r)
{
    struct err e;
    json_t *out = cases_get(http_db(r), r->principal, http_param(r, "number"), r->ip, &e);
    if (!out) return refuse(r, &e);
    http_header_add(r, "Cache-Control", "private, no-store");
    return http_reply_json(r, 200, out);
}

int api_applications_list(struct http_req *r)
{
    long page = api_positive_query(r, "page", 1), per_page = api_positive_query(r, "per_page", 20);
    if (page < 0) return http_fail(r, ERR_INVALID, "page", "api.want_number", NULL);
    if (per_page < 0 || per_page > 100)
        return http_fail(r, ERR_INVALID, "per_page", "api.want_number", NULL);
    struct err e;
    json_t *out;
    const char *mine = http_query(r, "mine");
    if (mine && strcmp(mine, "0")) {
        out = cases_list_mine(http_db(r), r->principal, page, per_page, &e);
    } else {
        struct case_filter f = {0};
        f.state = http_query(r, "state");
        if (f.state && case_state_parse(f.state) < 0)
            return http_fail(r, ERR_INVALID, "state", "cases.state_unknown", f.state);
        f.item_code = http_query(r, "item");
        f.overdue = http_query(r, "overdue") && strcmp(http_query(r, "overdue"), "0");
        f.due_soon = http_query(r, "due_soon") && strcmp(http_query(r, "due_soon"), "0");
        const char *as = http_query(r, "assigned");
        f.mine = as && !strcmp(as, "me");
        f.page = page;
        f.per_page = per_page;
        out = cases_list_department(http_db(r), r->principal, &f, &e);
    }
    if (!out) return refuse(r, &e);
    http_header_add(r, "Cache-Control", "private, no-store");
    return http_reply_json(r, 200, out);
}

int api_applications_act(struct http_req *r)
{
    int a = case_action_parse(http_param(r, "action"));
    if (a < 0) return http_fail(r, ERR_NOT_FOUND, NULL, "cases.action_unknown", NULL);
    json_t *body = NULL;
    const char *ct = http_header(r, "Content-Type");
    if (ct && strstr(ct, "json") && !(body = http_json(r))) return 0;
    json_t *out;
    struct err e;
    if (cases_act(http_db(r), r->principal, http_param(r, "number"), (enum case_action)a, body,
                  r->ip, &out, &e) < 0)
        return refuse(r, &e);
    return http_reply_json(r, 200, out);
}

int api_applications_material(struct http_req *r)
{
    char *end;
    long long id = strtoll(http_param(r, "upload"), &end, 10);
    if (*end || id <= 0) return http_fail(r, ERR_NOT_FOUND, NULL, "cases.not_found", NULL);
    char sha[65], type[64];
    struct err e;
    if (cases_log_download(http_db(r), r->principal, http_param(r, "number"), id, r->ip, sha, type,
                           sizeof type, &e) < 0)
        return refuse(r, &e);
    int fd;
    int64_t size;
    if (blob_open(server_blobs(r->srv), sha, &fd, &size) < 0)
        return http_fail(r, ERR_UNAVAILABLE, NULL, "err.detail.storage", NULL);
    /* shown in the browser, never run: images and PDF only, no scripts */
    http_header_add(r, "Content-Disposition", "inline");
    http_header_add(r, "Cache-Control", "private, no-store");
    http_header_add(r, "Content-Security-Policy",
                    "default-src 'none'; img-src 'self'; "
                    "object-src 'self'; sandbox");
    return http_reply_fd(r, 200, type, fd, (uint64_t)size);
}

int api_applications_rate(struct http_req *r)
{
    json_t *body = http_json(r);
    if (!body) return 0;
    json_t *out;
    struct err e;
    if (cases_rate(http_db(r), r->principal, http_param(r, "number"), body, r->ip, &out, &e) < 0)
        return refuse(r, &e);
    return http_reply_json(r, 200, out);
}

int api_items_apply_check(struct http_req *r)
{
    struct err e;
    json_t *out = cases_prepare(http_db(r), r->principal, http_param(r, "code"), &e);
    if (!out) return http_reply_err(r, &e);
    http_header_add(r, "Cache-Control", "private, no-store");
    return http_reply_json(r, 200, out);
}

int api_locker_list(struct http_req *r)
{
    struct err e;
    json_t *out = locker_list(http_db(r), r->principal, &e);
    if (!out) return http_reply_err(r, &e);
    http_header_add(r, "Cache-Control", "private, no-store");
    return http_reply_json(r, 200, out);
}

int api_locker_delete(struct http_req *r)
{
    char *end;
    long long id = strtoll(http_param(r, "id"), &end, 10);
    if (*end || id <= 0) return http_fail(r, ERR_NOT_FOUND, NULL, "cases.upload_unknown", NULL);
    struct err e;
    if (locker_delete(http_db(r), r->principal, id, r->ip, &e) < 0) return http_reply_err(r, &e);
    return http_reply_empty(r, 204);
}

int api_access_log(struct http_req *r)
{
    long page = api_positive_query(r, "page", 1), per_page = api_positive_query(r, "per_page", 50);
    if (page < 0 || per_page < 0 || per_page > 200)
        return http_fail(r, ERR_INVALID, page < 0 ? "page" : "per_page", "api.want_number", NULL);
    struct err e;
    json_t *out = cases_access_log(http_db(r), r->principal, page, per_page, &e);
    if (!out) return http_reply_err(r, &e);
    return http_reply_json(r, 200, out);
}

int api_stats_ratings(struct http_req *r)
{
    struct err e;
    json_t *out = cases_rating_stats(http_db(r), &e);
    if (!out) return http_reply_err(r, &e);
    return http_reply_json(r, 200, out);
}

int api_rectifications_list(struct http_req *r)
{
    struct err e;
    json_t *out = cases_rectifications(http_db(r), r->principal, &e);
    if (!out) return http_reply_err(r, &e);
    http_header_add(r, "Cache-Control", "private, no-store");
    return http_reply_json(r, 200, out);
}

int api_rectifications_close(struct http_req *r)
{
    char *end;
    long long id = strtoll(http_param(r, "id"), &end, 10);
    if (*end || id <= 0) return http_fail(r, ERR_NOT_FOUND, NULL, "cases.task_unknown", NULL);
    json_t *body = http_json(r);
    if (!body) return 0;
    struct err e;
    if (cases_rectification_close(http_db(r), r->principal, id,
                                  json_string_value(json_object_get(body, "note")), r->ip, &e) < 0)
        return refuse(r, &e);
    return http_reply_json(r, 200, json_pack("{s:I, s:s}", "id", (json_int_t)id, "state", "done"));
}
