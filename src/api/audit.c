/**
 * @file audit.c
 * @brief GET /api/v1/audit/verify: checks the audit trail's hash chains.
 */
#include "api/api.h"
#include "domain/audit.h"

int api_audit_verify(struct http_req *r)
{
    struct audit_report rep;
    int rc = audit_verify(http_db(r), &rep);
    if (rc < 0)
        return http_fail(r, ERR_UNAVAILABLE, NULL, "err.detail.storage", NULL);
    json_t *j = json_pack("{s:b, s:I}", "intact", rc == 0, "entries", (json_int_t)rep.rows);
    if (rc) {
        json_object_set_new(j, "problem", json_string(rep.problem));
        json_object_set_new(j, "shard", json_integer(rep.bad_shard));
        json_object_set_new(j, "seq", json_integer(rep.bad_seq));
    }
    return http_reply_json(r, 200, j);
}
