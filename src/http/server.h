/**
 * @file server.h
 * @brief The HTTP server: libmicrohttpd with its internal epoll thread pool,
 *        a route table, limits, security headers, access log, graceful stop.
 *        The application wires in what the HTTP layer must not know itself:
 *        who the caller is (principal resolution) and how an error page looks.
 */
#ifndef ONEHALL_SERVER_H
#define ONEHALL_SERVER_H
#include "http/http.h"
#include <stddef.h>
#include <stdio.h>

struct store;
struct blob_store;

struct server_config {
    const char *listen;        /**< "HOST:PORT" or "[V6]:PORT" */
    int threads;               /**< size of the thread pool */
    size_t max_body;           /**< JSON and form bodies, bytes */
    size_t max_upload;         /**< multipart bodies on ROUTE_UPLOAD routes, bytes */
    size_t max_header;         /**< request line + headers, bytes (431 beyond) */
    unsigned max_conns;        /**< concurrent connections */
    unsigned max_per_ip;       /**< concurrent connections per client address; 0 = no limit */
    unsigned timeout_s;        /**< idle connection timeout: slow clients are cut */
    const char *tls_cert;      /**< PEM file; with tls_key enables HTTPS */
    const char *tls_key;
    int trust_proxy;           /**< believe X-Forwarded-For / X-Forwarded-Proto */
    FILE *access_log;          /**< NULL: no access log */
};

/** What the application provides. */
struct server_app {
    const struct route *routes;
    size_t nroutes;
    /** Sets r->principal from the session cookie or bearer token; 0 when
     *  anonymous or resolved, a negative code when the database failed. */
    int (*authenticate)(struct http_req *r);
    /** Renders a friendly error page in r->lang into body. */
    void (*error_page)(struct http_req *r, int status, const char *title, const char *detail,
                       struct buf *body);
    /** Secret for CSRF tokens (HMAC key), 32 bytes. */
    unsigned char csrf_secret[32];
};

struct server;

/** Starts listening. Returns NULL and writes errbuf on failure. */
struct server *server_start(const struct server_config *cfg, const struct server_app *app,
                            struct store *store, struct blob_store *blobs, char *errbuf,
                            size_t errlen);
/** The port actually bound (useful with port 0). */
unsigned server_port(const struct server *s);
/** Stops accepting, waits up to grace_ms for in-flight requests, stops. */
void server_stop(struct server *s, int grace_ms);
struct store *server_store(struct server *s);
struct blob_store *server_blobs(struct server *s);
#endif
