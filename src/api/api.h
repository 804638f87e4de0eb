/**
 * @file api.h
 * @brief The JSON REST API /api/v1: handlers and the helpers they share.
 */
#ifndef ONEHALL_API_H
#define ONEHALL_API_H
#include "http/http.h"

struct account;

/* Handlers, one file per resource. */
int api_healthz(struct http_req *r);          /* api/health.c */
int api_openapi(struct http_req *r);
int api_stats_storage(struct http_req *r);
int api_session_create(struct http_req *r);   /* api/session.c */
int api_session_delete(struct http_req *r);
int api_accounts_create(struct http_req *r);  /* api/accounts.c */
int api_accounts_me(struct http_req *r);
int api_accounts_list(struct http_req *r);
int api_accounts_grant(struct http_req *r);
int api_identity_verify(struct http_req *r);
int api_audit_verify(struct http_req *r);     /* api/audit.c */
int api_enterprises_create(struct http_req *r); /* api/enterprises.c */
int api_enterprises_mine(struct http_req *r);
int api_enterprises_add_agent(struct http_req *r);
int api_calendar_years(struct http_req *r);  /* api/calendar.c */
int api_calendar_load(struct http_req *r);
int api_calendar_due(struct http_req *r);
int api_uploads_create(struct http_req *r);   /* api/uploads.c */
int api_uploads_get(struct http_req *r);
int api_messages_list(struct http_req *r);   /* api/messages.c */
int api_messages_read(struct http_req *r);
int api_departments_list(struct http_req *r); /* api/catalog.c: the public catalog */
int api_departments_get(struct http_req *r);
int api_items_list(struct http_req *r);
int api_items_get(struct http_req *r);
int api_item_versions(struct http_req *r);
int api_stats_depth(struct http_req *r);
int api_items_create(struct http_req *r);     /* api/catalog_edit.c: editors */
int api_items_save_draft(struct http_req *r);
int api_items_publish(struct http_req *r);
int api_items_withdraw(struct http_req *r);
int api_catalog_carding(struct http_req *r);
int api_catalog_import(struct http_req *r);
int api_catalog_export(struct http_req *r);
int api_items_apply_check(struct http_req *r); /* api/applications.c */
int api_applications_create(struct http_req *r);
int api_applications_list(struct http_req *r);
int api_applications_get(struct http_req *r);
int api_applications_update(struct http_req *r);
int api_applications_act(struct http_req *r);
int api_applications_material(struct http_req *r);
int api_applications_rate(struct http_req *r);
int api_locker_list(struct http_req *r);
int api_locker_delete(struct http_req *r);
int api_access_log(struct http_req *r);
int api_stats_ratings(struct http_req *r);
int api_rectifications_list(struct http_req *r);
int api_rectifications_close(struct http_req *r);

struct catalog_view;
struct catalog_query;
struct catalog_hits;
struct catalog_report;
/** The search and filters of an item list from the query string (q,
 *  department, region, type, target, channel, theme, level). 0, or -1 when
 *  answered 422. Shared by the API and the search page. */
int api_catalog_query(struct http_req *r, struct catalog_query *q);
/** Runs it; 0, or -1 when answered 400 (a query that is not text). */
int api_catalog_run(struct http_req *r, const struct catalog_view *v,
                    const struct catalog_query *q, struct catalog_hits *hits);
/** The guide of code (version 0: the one in force) as the API shows it:
 *  the item with its level, department name and the members changed since
 *  the previous version. Drafts only for their editors. NULL when absent. */
json_t *api_item_guide(struct http_req *r, const struct catalog_view *v, const char *code,
                       int64_t version, int *status);
/** A catalog report as the "errors" list of problem+json, in r's language. */
json_t *api_catalog_problems(struct http_req *r, const struct catalog_report *rep);

/** Records the files of a multipart request (ROUTE_UPLOAD) in the caller's
 *  locker, all or none: empty files and files whose bytes are not PDF, JPEG,
 *  PNG or OFD are refused (e names the field). 0 with *items the uploads as
 *  JSON, or a negative code with nothing written. */
int api_uploads_store(struct http_req *r, json_t **items, struct err *e);

/** A string member of a JSON body: NULL when absent or null; when present
 *  with another type, answers 422 naming the field and sets *failed. */
const char *api_str(struct http_req *r, json_t *body, const char *field, int *failed);

/** A positive integer query argument (1..1,000,000): def when absent, -1
 *  when malformed. */
long api_positive_query(struct http_req *r, const char *name, long def);

/** The account as JSON; the ID number is whole only when whole_id. */
json_t *api_account_json(const struct account *a, int whole_id);

/** Idempotency-Key support for creating requests. Returns 1 when the request
 *  was a retry and the first answer was replayed, 0 to go on, -1 when it
 *  answered an error (key reused for another request). */
int api_idem_replay(struct http_req *r, const char *scope);
/** Answers status with body and, when the request carries an
 *  Idempotency-Key, records the answer for retries. */
int api_reply_created(struct http_req *r, const char *scope, int status, json_t *body);
#endif
