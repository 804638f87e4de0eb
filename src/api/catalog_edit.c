/**
 * @file catalog_edit.c
 * @brief The editors' catalog API: drafts, publishing, withdrawing, the
 *        carding report, whole-catalog import and export. Refusals list every
 *        problem (problem+json "errors": file, line, item, field, message).
 */
#include "api/api.h"
#include "core/i18n.h"
#include "core/mem.h"
#include "domain/catalog.h"
#include "domain/catalog_store.h"
#include "domain/catalog_view.h"
#include <stdio.h>
#include <string.h>

json_t *api_catalog_problems(struct http_req *r, const struct catalog_report *rep)
{
    json_t *out = json_array();
    for (size_t i = 0; i < rep->n; i++) {
        const struct catalog_problem *p = &rep->v[i];
        char msg[512];
        trf(r->lang, p->key, p->arg, msg, sizeof msg);
        json_t *j =
            json_pack("{s:s, s:s, s:s, s:s, s:s}", "severity", p->error ? "error" : "warning",
                      "item", p->item, "field", p->field, "code", p->key, "message", msg);
        if (!j) /* an argument that is not text (a broken import): keep the rest */
            j = json_pack("{s:s, s:s}", "severity", p->error ? "error" : "warning", "code", p->key);
        if (p->file[0]) json_object_set_new(j, "file", json_string(p->file));
        if (p->line) json_object_set_new(j, "line", json_integer(p->line));
        json_array_append_new(out, j);
    }
    return out;
}

static int reply_refusal(struct http_req *r, const struct err *e, const struct catalog_report *rep)
{
    return http_reply_problems(r, e, rep->n ? api_catalog_problems(r, rep) : NULL);
}

static int save_draft(struct http_req *r, const char *code)
{
    json_t *body = http_json(r);
    if (!body) return 0;
    /* what the guide adds when read is derived, not edited: drop it so a
     * guide read, changed and sent back is accepted */
    json_object_del(body, "level");
    json_object_del(body, "department_name");
    json_object_del(body, "changes");
    if (code) {
        const char *given = json_string_value(json_object_get(body, "code"));
        if (!given)
            json_object_set_new(body, "code", json_string(code));
        else if (strcmp(given, code))
            return http_fail(r, ERR_INVALID, "code", "catalog.filter_bad", "code");
    }
    struct catalog_report rep = {0};
    struct err e;
    int64_t version = 0;
    int rc = catalog_save_draft(http_db(r), r->principal, body, r->ip, &rep, &version, &e);
    if (rc < 0) {
        reply_refusal(r, &e, &rep);
        catalog_report_free(&rep);
        return 0;
    }
    /* carding of the draft, so the editor sees what keeps it from publishing */
    catalog_report_free(&rep);
    json_object_set_new(body, "status", json_string("draft"));
    catalog_item_card(body, &rep);
    json_t *out = json_pack("{s:s, s:I, s:s, s:i, s:o}", "code",
                            json_string_value(json_object_get(body, "code")), "version",
                            (json_int_t)version, "status", "draft", "level",
                            catalog_item_level(body), "problems", api_catalog_problems(r, &rep));
    catalog_report_free(&rep);
    char loc[200];
    snprintf(loc, sizeof loc, "/api/v1/items/%s?version=%lld",
             json_string_value(json_object_get(body, "code")), (long long)version);
    http_header_add(r, "Location", loc);
    return http_reply_json(r, code ? 200 : 201, out);
}

int api_items_create(struct http_req *r)
{
    return save_draft(r, NULL);
}

int api_items_save_draft(struct http_req *r)
{
    return save_draft(r, http_param(r, "code"));
}

int api_items_publish(struct http_req *r)
{
    struct catalog_report rep = {0};
    struct err e;
    int64_t version = 0;
    const char *code = http_param(r, "code");
    if (catalog_publish(http_db(r), r->principal, code, r->ip, &rep, &version, &e) < 0) {
        reply_refusal(r, &e, &rep);
        catalog_report_free(&rep);
        return 0;
    }
    catalog_report_free(&rep);
    catalog_view_stale();
    return http_reply_json(r, 200,
                           json_pack("{s:s, s:I, s:s}", "code", code, "version",
                                     (json_int_t)version, "status", "published"));
}

int api_items_withdraw(struct http_req *r)
{
    struct err e;
    const char *code = http_param(r, "code");
    if (catalog_withdraw(http_db(r), r->principal, code, r->ip, &e) < 0)
        return http_reply_err(r, &e);
    catalog_view_stale();
    return http_reply_json(r, 200, json_pack("{s:s, s:s}", "code", code, "status", "withdrawn"));
}

/* GET /api/v1/catalog/carding?department=: every problem of the items in
 * force and of the drafts, per department, for the departments the caller
 * edits. */
int api_catalog_carding(struct http_req *r)
{
    const char *only = http_query(r, "department");
    char own[64] = "", name[256];
    if (!(r->principal->roles & (ROLE_CATALOG_EDITOR | ROLE_SYSADMIN))) {
        /* a department admin cards their own department: read only that */
        if (catalog_department_of(http_db(r), r->principal->department_id, own, name) < 0)
            return http_fail(r, ERR_UNAVAILABLE, NULL, "err.detail.storage", NULL);
        if (!own[0] || (only && strcmp(only, own)))
            only = "";
        else
            only = own;
    }
    json_t *items = catalog_current(http_db(r), only);
    if (!items) return http_fail(r, ERR_UNAVAILABLE, NULL, "err.detail.storage", NULL);
    json_t *depts = json_object();
    size_t i, total_errors = 0, total_warnings = 0, carded = 0;
    json_t *it;
    json_array_foreach(items, i, it)
    {
        const char *dept = json_string_value(json_object_get(it, "department"));
        carded++;
        struct catalog_report rep = {0};
        catalog_item_card(it, &rep);
        json_t *d = json_object_get(depts, dept);
        if (!d) {
            d = json_pack("{s:s, s:i, s:i, s:i, s:[]}", "department", dept, "items", 0, "errors", 0,
                          "warnings", 0, "problems");
            json_object_set_new(depts, dept, d);
        }
        json_object_set_new(d, "items",
                            json_integer(json_integer_value(json_object_get(d, "items")) + 1));
        json_object_set_new(d, "errors",
                            json_integer(json_integer_value(json_object_get(d, "errors")) +
                                         (json_int_t)rep.errors));
        json_object_set_new(d, "warnings",
                            json_integer(json_integer_value(json_object_get(d, "warnings")) +
                                         (json_int_t)rep.warnings));
        total_errors += rep.errors;
        total_warnings += rep.warnings;
        json_t *problems = api_catalog_problems(r, &rep);
        size_t k;
        json_t *p;
        json_array_foreach(problems, k, p)
        {
            json_object_set(p, "status", json_object_get(it, "status"));
            json_object_set(p, "version", json_object_get(it, "version"));
            json_object_set(p, "name", json_object_get(it, "name"));
        }
        json_array_extend(json_object_get(d, "problems"), problems);
        json_decref(problems);
        catalog_report_free(&rep);
    }
    json_decref(items);
    json_t *list = json_array();
    const char *key;
    json_t *d;
    json_object_foreach(depts, key, d) json_array_append(list, d);
    json_decref(depts);
    return http_reply_json(r, 200,
                           json_pack("{s:I, s:I, s:I, s:o}", "items", (json_int_t)carded, "errors",
                                     (json_int_t)total_errors, "warnings",
                                     (json_int_t)total_warnings, "departments", list));
}

int api_catalog_import(struct http_req *r)
{
    json_t *doc = http_json(r);
    if (!doc) return 0;
    struct catalog_report rep = {0};
    struct catalog_import_counts n;
    struct err e;
    if (catalog_import(http_db(r), doc, r->principal->account_id, r->ip, NULL, NULL, &rep, &n, &e) <
        0) {
        reply_refusal(r, &e, &rep);
        catalog_report_free(&rep);
        return 0;
    }
    catalog_report_free(&rep);
    catalog_view_stale();
    return http_reply_json(
        r, 200,
        json_pack("{s:I, s:I, s:I, s:I, s:I}", "departments", (json_int_t)n.departments, "halls",
                  (json_int_t)n.halls, "items_added", (json_int_t)n.items_added, "items_unchanged",
                  (json_int_t)n.items_unchanged, "items_replaced", (json_int_t)n.items_replaced));
}

int api_catalog_export(struct http_req *r)
{
    json_t *doc = catalog_export(http_db(r));
    if (!doc) return http_fail(r, ERR_UNAVAILABLE, NULL, "err.detail.storage", NULL);
    http_header_add(r, "Content-Disposition", "attachment; filename=\"catalog.json\"");
    http_header_add(r, "Cache-Control", "no-store");
    return http_reply_json(r, 200, doc);
}
