/**
 * @file http.h
 * @brief The HTTP layer as handlers see it: a request with its arena, route
 *        parameters, query, headers, cookies, body (JSON, form, multipart with
 *        uploads streamed to the blob store), principal and language; and the
 *        ways to answer it. A handler answers exactly once; a parsing helper
 *        either succeeds or has already answered and says so by returning
 *        NULL / a negative value.
 */
#ifndef ONEHALL_HTTP_H
#define ONEHALL_HTTP_H
#include "core/err.h"
#include "core/i18n.h"
#include "core/mem.h"
#include <jansson.h>
#include <stdint.h>

struct store_conn;
struct server;

/* Roles, as bits; a route's access is a mask of them. */
enum role {
    ROLE_CITIZEN = 1u << 0,
    ROLE_AGENT = 1u << 1,        /**< acts for an enterprise */
    ROLE_STAFF = 1u << 2,        /**< department staff */
    ROLE_DEPT_ADMIN = 1u << 3,
    ROLE_HALL_ADMIN = 1u << 4,
    ROLE_CATALOG_EDITOR = 1u << 5,
    ROLE_SYSADMIN = 1u << 6,
    ROLE_AUDITOR = 1u << 7,
    ROLE_TERMINAL = 1u << 8,     /**< a kiosk */
};
#define ROLE_ALL 0x1ffu
/** Anyone, logged in or not. */
#define ACCESS_PUBLIC (1u << 31)
/** Anyone logged in. */
#define ACCESS_AUTH ROLE_ALL

/** Who is calling; NULL principal means anonymous. */
struct principal {
    int64_t account_id;
    unsigned roles;
    int64_t department_id; /**< 0 when none */
    const char *name;
    const char *username;
    int via_bearer;        /**< authenticated by API token, not cookie */
    const char *session_hash; /**< hex SHA-256 of the session token */
};

/** A file received in a multipart body, already in the blob store. */
struct http_upload {
    struct http_upload *next;
    const char *field;
    const char *filename;
    const char *content_type; /**< as the client declared it */
    char sha256[65];          /**< content address in the blob store */
    int64_t size;
};

struct http_req {
    struct arena *arena;     /**< freed after the response */
    struct server *srv;
    const char *method;
    const char *path;        /**< decoded path without query */
    const char *ip;          /**< client address as text */
    enum lang lang;          /**< from ?lang=, cookie "lang", Accept-Language */
    const struct principal *principal; /**< NULL when anonymous */
    int is_api;              /**< path under /api/: errors as problem+json */
    /* private to the HTTP layer */
    struct http_req_priv *priv;
};

typedef int (*http_handler)(struct http_req *r);

/** Route flags. */
enum {
    ROUTE_NO_CSRF = 1u << 0, /**< a state-changing route that needs no CSRF token (login, API tokens) */
    ROUTE_UPLOAD = 1u << 1,  /**< accepts multipart file uploads */
    ROUTE_LARGE_BODY = 1u << 2, /**< a JSON body up to the upload limit (catalog import) */
};

struct route {
    const char *method;  /**< "GET", "POST", ... */
    const char *pattern; /**< "/api/v1/accounts/{id}"; "{name}" matches one segment, "{name*}" the rest */
    http_handler handler;
    unsigned access;     /**< mask of roles, ACCESS_PUBLIC or ACCESS_AUTH; 0 refuses everyone */
    unsigned flags;
};

/* --- reading the request --- */
const char *http_param(struct http_req *r, const char *name);  /**< route parameter */
const char *http_query(struct http_req *r, const char *name);  /**< query string argument */
const char *http_header(struct http_req *r, const char *name);
const char *http_cookie(struct http_req *r, const char *name);
/** A urlencoded or multipart form field; NULL when absent. */
const char *http_form(struct http_req *r, const char *name);
/** The parsed JSON body (borrowed, freed with the request). When the body is
 *  missing, not JSON, not an object or not UTF-8, answers 400 and returns NULL. */
json_t *http_json(struct http_req *r);
/** Files received (multipart routes only), in order. */
const struct http_upload *http_uploads(struct http_req *r);
/** The database connection for this request, acquired on first use. */
struct store_conn *http_db(struct http_req *r);
/** True when If-None-Match names etag (a quoted entity tag) or "*". */
int http_etag_matches(struct http_req *r, const char *etag);
/** The CSRF token to embed in forms (and send as X-CSRF-Token). */
const char *http_csrf_token(struct http_req *r);
/** True when the request came over TLS (or from a trusted proxy saying so). */
int http_is_secure(struct http_req *r);

/* --- answering --- */
/** Adds a response header. */
void http_header_add(struct http_req *r, const char *name, const char *value);
/** Sets a cookie (Path=/; HttpOnly; SameSite=Lax; Secure under TLS). max_age < 0 omits Max-Age; 0 deletes. */
void http_cookie_set(struct http_req *r, const char *name, const char *value, int max_age);
/** The answer body is taken over (steal) in each of these. */
int http_reply_json(struct http_req *r, int status, json_t *body);
int http_reply_html(struct http_req *r, int status, struct buf *body);
int http_reply_bytes(struct http_req *r, int status, const char *content_type, const void *data,
                     size_t len);
/** Serves a file by descriptor (taken over). */
int http_reply_fd(struct http_req *r, int status, const char *content_type, int fd, uint64_t size);
int http_reply_empty(struct http_req *r, int status);
int http_redirect(struct http_req *r, const char *location); /**< 303 See Other */
/** The one place errors are answered: problem+json for the API, an error
 *  page in the user's language for browsers. Returns 0 (answered). */
int http_reply_err(struct http_req *r, const struct err *e);
/** The same with a list of problems (taken over) as the "errors" member of
 *  problem+json, e.g. every error of a refused import. */
int http_reply_problems(struct http_req *r, const struct err *e, json_t *errors);
/** Shorthand for err_set + http_reply_err. */
int http_fail(struct http_req *r, enum err_code code, const char *field, const char *key,
              const char *arg);

/** Server-side translation shorthand for the request's language. */
#define T(r, key) tr((r)->lang, (key))
#endif
