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

/** A string member of a JSON body: NULL when absent or null; when present
 *  with another type, answers 422 naming the field and sets *failed. */
const char *api_str(struct http_req *r, json_t *body, const char *field, int *failed);

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
