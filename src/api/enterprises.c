/**
 * @file enterprises.c
 * @brief /api/v1/enterprises: register an enterprise, list the caller's,
 *        authorise another person as agent.
 */
#include "api/api.h"
#include "domain/enterprises.h"
#include <stdlib.h>

static json_t *enterprise_json(const struct enterprise *en)
{
    json_t *j = json_pack("{s:I, s:s, s:s, s:s}", "id", (json_int_t)en->id, "name", en->name,
                          "uscc", en->uscc, "created_at", en->created_at);
    if (en->override_reason)
        json_object_set_new(j, "check_override_reason", json_string(en->override_reason));
    return j;
}

static void add_one(const struct enterprise *en, void *ctx)
{
    json_array_append_new(ctx, enterprise_json(en));
}

int api_enterprises_create(struct http_req *r)
{
    json_t *body = http_json(r);
    if (!body)
        return 0;
    int failed = 0;
    const char *name = api_str(r, body, "name", &failed);
    const char *uscc = api_str(r, body, "uscc", &failed);
    const char *reason = api_str(r, body, "override_reason", &failed);
    if (failed)
        return 0;
    struct err e;
    err_clear(&e);
    int64_t id;
    if (enterprises_register(http_db(r), r->principal, name, uscc, reason, r->ip, &id, &e) < 0)
        return http_reply_err(r, &e);
    return http_reply_json(r, 201, json_pack("{s:I, s:s}", "id", (json_int_t)id, "uscc", uscc));
}

int api_enterprises_mine(struct http_req *r)
{
    json_t *items = json_array();
    if (enterprises_of(http_db(r), r->principal->account_id, add_one, items) < 0) {
        json_decref(items);
        return http_fail(r, ERR_UNAVAILABLE, NULL, "err.detail.storage", NULL);
    }
    return http_reply_json(r, 200, json_pack("{s:o}", "items", items));
}

int api_enterprises_add_agent(struct http_req *r)
{
    json_t *body = http_json(r);
    if (!body)
        return 0;
    char *end;
    long long en = strtoll(http_param(r, "id"), &end, 10);
    if (*end || en <= 0)
        return http_fail(r, ERR_NOT_FOUND, NULL, NULL, NULL);
    json_t *acc = json_object_get(body, "account_id");
    if (!json_is_integer(acc))
        return http_fail(r, ERR_INVALID, "account_id", "api.want_number", NULL);
    struct err e;
    err_clear(&e);
    if (enterprises_add_agent(http_db(r), r->principal, en, json_integer_value(acc), r->ip, &e) <
        0)
        return http_reply_err(r, &e);
    return http_reply_empty(r, 204);
}
