/**
 * @file http_priv.h
 * @brief Internals shared by the files of the HTTP layer only.
 */
#ifndef ONEHALL_HTTP_PRIV_H
#define ONEHALL_HTTP_PRIV_H
#include "http/http.h"
#include "http/server.h"
#include <microhttpd.h>
#include <stdatomic.h>

struct blob_writer;

struct kv {
    struct kv *next;
    const char *name;
    const char *value;
};

enum body_kind { BODY_NONE, BODY_RAW, BODY_FORM };

struct http_req_priv {
    struct MHD_Connection *conn;
    int64_t started_ms;
    const struct route *route;
    int route_status;            /**< 0, 404 or 405 when no route matched */
    struct kv *params;           /**< route parameters */
    /* body */
    enum body_kind body_kind;
    size_t body_limit;
    size_t body_seen;
    int body_too_large;
    int body_bad;                /**< malformed form / invalid UTF-8 field */
    int body_io_error;
    struct buf raw;              /**< BODY_RAW */
    struct MHD_PostProcessor *pp;
    struct kv *form;             /**< BODY_FORM fields */
    size_t form_bytes;
    struct buf field_acc;        /**< value being accumulated across chunks */
    const char *field_name;
    struct http_upload *uploads, *uploads_tail;
    struct blob_writer *writer;  /**< upload in progress */
    const char *up_field, *up_filename, *up_type;
    json_t *json;
    /* answer */
    int answered;
    int status;
    struct MHD_Response *response;
    struct kv *headers;
    int64_t bytes_out;
    /* state */
    struct store_conn *db;
    char *csrf;
    int secure;
};

struct server {
    struct MHD_Daemon *daemon;
    struct server_config cfg;
    struct server_app app;
    struct store *store;
    struct blob_store *blobs;
    unsigned port;
    atomic_int in_flight;
    struct MHD_Response **asset_responses; /**< prebuilt, one per embedded asset */
};

/* router.c */
const struct route *router_match(struct http_req *r, const struct route *routes, size_t n,
                                 int *status);
/* response.c */
int http_queue(struct http_req *r);
void http_add_security_headers(struct http_req *r, struct MHD_Response *resp);
/* request.c */
int http_body_start(struct http_req *r, const char *content_type);
int http_body_feed(struct http_req *r, const char *data, size_t n);
int http_body_finish(struct http_req *r);
void http_body_cleanup(struct http_req *r);
int http_csrf_check(struct http_req *r);
int http_is_state_changing(const char *method);
#endif
