/**
 * @file health.c
 * @brief GET /healthz and GET /api/v1/openapi.json
 */
#include "api/api.h"
#include "core/res.h"
#include "store/store.h"
#include <string.h>

int api_healthz(struct http_req *r)
{
    if (!store_ping(http_db(r)))
        return http_reply_json(r, 503, json_pack("{s:s, s:s}", "status", "unavailable",
                                                 "database", "not answering"));
    return http_reply_json(r, 200, json_pack("{s:s, s:s}", "status", "ok", "database", "ok"));
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
