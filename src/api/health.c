/**
 * @file health.c
 * @brief GET /healthz, GET /api/v1/stats/storage and GET /api/v1/openapi.json
 */
#include "api/api.h"
#include "core/res.h"
#include "http/server.h"
#include "store/store.h"
#include <string.h>

int api_healthz(struct http_req *r)
{
    if (!store_ping(http_db(r)))
        return http_reply_json(r, 503, json_pack("{s:s, s:s}", "status", "unavailable",
                                                 "database", "not answering"));
    return http_reply_json(r, 200, json_pack("{s:s, s:s}", "status", "ok", "database", "ok"));
}

/* How well writes share commits: on SQLite, transactions committed through
 * store_tx_group and the commits (log syncs) that carried them since the
 * process started; PostgreSQL commits each on its own. For operators. */
int api_stats_storage(struct http_req *r)
{
    struct store *s = server_store(r->srv);
    long commits = 0, transactions = 0;
    store_group_stats(s, &commits, &transactions);
    int pg = store_backend(s) == STORE_POSTGRES;
    http_header_add(r, "Cache-Control", "no-store");
    return http_reply_json(r, 200,
                           json_pack("{s:s, s:{s:I, s:I}}", "backend", pg ? "postgresql" : "sqlite",
                                     "group_commit", "transactions", (json_int_t)transactions,
                                     "commits", (json_int_t)commits));
}

int api_openapi(struct http_req *r)
{
    const struct res *doc = res_find("data/openapi.json");
    if (!doc)
        return http_fail(r, ERR_NOT_FOUND, NULL, NULL, NULL);
    http_header_add(r, "ETag", doc->etag);
    http_header_add(r, "Cache-Control", "public, max-age=300");
    if (http_etag_matches(r, doc->etag))
        return http_reply_empty(r, 304);
    return http_reply_bytes(r, 200, "application/json; charset=utf-8", doc->data, doc->len);
}
