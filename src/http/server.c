/**
 * @file server.c
 * @brief libmicrohttpd glue. The access handler follows MHD's two-call
 *        pattern: the first call only sets up the request (and refuses an
 *        oversized Content-Length at once, since MHD 0.9.75 cannot answer
 *        half-way through a body); body chunks come on middle calls; the
 *        answer is queued on the last call. Answering on the first call costs
 *        three quarters of the throughput.
 */
#include "core/clock.h"
#include "core/log.h"
#include "core/res.h"
#include "core/utf8.h"
#include "http/http_priv.h"
#include "store/store.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct store *server_store(struct server *s)
{
    return s->store;
}

struct blob_store *server_blobs(struct server *s)
{
    return s->blobs;
}

unsigned server_port(const struct server *s)
{
    return s->port;
}

static const char *asset_type(const char *path)
{
    static const struct {
        const char *ext, *type;
    } types[] = {
        {".css", "text/css; charset=utf-8"},  {".js", "text/javascript; charset=utf-8"},
        {".svg", "image/svg+xml"},            {".png", "image/png"},
        {".ico", "image/x-icon"},             {".woff2", "font/woff2"},
        {".json", "application/json"},        {".txt", "text/plain; charset=utf-8"},
    };
    const char *dot = strrchr(path, '.');
    for (size_t i = 0; dot && i < sizeof types / sizeof types[0]; i++)
        if (strcmp(dot, types[i].ext) == 0)
            return types[i].type;
    return "application/octet-stream";
}

/* Builds one reusable response per embedded asset at start, so serving one
 * costs a lookup and a queue: no allocation, no copy. */
static void build_assets(struct server *s)
{
    s->asset_responses = xcalloc(res_count, sizeof *s->asset_responses);
    for (size_t i = 0; i < res_count; i++) {
        const struct res *r = &res_table[i];
        if (strncmp(r->path, "assets/", 7) != 0)
            continue;
        struct MHD_Response *resp = MHD_create_response_from_buffer(
            r->len, (void *)r->data, MHD_RESPMEM_PERSISTENT);
        MHD_add_response_header(resp, "Content-Type", asset_type(r->path));
        MHD_add_response_header(resp, "ETag", r->etag);
        MHD_add_response_header(resp, "Cache-Control", "public, max-age=3600");
        http_add_security_headers(NULL, resp);
        s->asset_responses[i] = resp;
    }
}

/* Serves /assets/... from the prebuilt responses; 0 when path is not an asset. */
static int serve_asset(struct server *s, struct MHD_Connection *conn, const char *url,
                       int *status)
{
    if (strncmp(url, "/assets/", 8) != 0)
        return 0;
    const struct res *r = res_find(url + 1);
    if (!r)
        return 0;
    size_t i = (size_t)(r - res_table);
    const char *inm = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "If-None-Match");
    if (inm && strcmp(inm, r->etag) == 0) {
        struct MHD_Response *nm = MHD_create_response_from_buffer(0, "", MHD_RESPMEM_PERSISTENT);
        MHD_add_response_header(nm, "ETag", r->etag);
        MHD_add_response_header(nm, "Cache-Control", "public, max-age=3600");
        MHD_queue_response(conn, 304, nm);
        MHD_destroy_response(nm);
        *status = 304;
        return 1;
    }
    MHD_queue_response(conn, 200, s->asset_responses[i]);
    *status = 200;
    return 1;
}

static const char *client_ip(struct http_req *r)
{
    if (r->srv->cfg.trust_proxy) {
        const char *xff = http_header(r, "X-Forwarded-For");
        if (xff) {
            size_t n = strcspn(xff, ", ");
            return arena_strndup(r->arena, xff, n);
        }
    }
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(r->priv->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    char host[INET6_ADDRSTRLEN] = "?";
    if (ci && ci->client_addr) {
        const struct sockaddr *sa = ci->client_addr;
        if (sa->sa_family == AF_INET)
            inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, host, sizeof host);
        else if (sa->sa_family == AF_INET6)
            inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, host, sizeof host);
    }
    return arena_strdup(r->arena, host);
}

static enum lang pick_lang(struct http_req *r)
{
    int l = lang_parse(http_query(r, "lang"));
    if (l >= 0) {
        http_cookie_set(r, "lang", lang_tag((enum lang)l), 365 * 86400);
        return (enum lang)l;
    }
    l = lang_parse(http_cookie(r, "lang"));
    if (l >= 0)
        return (enum lang)l;
    return lang_from_accept(http_header(r, "Accept-Language"));
}

/* A marker for requests answered by the static fast path: no context. */
static char asset_marker;

static struct http_req *req_new(struct server *s, struct MHD_Connection *conn, const char *url,
                                const char *method)
{
    struct http_req *r = xcalloc(1, sizeof *r);
    r->arena = arena_new();
    r->priv = arena_alloc(r->arena, sizeof *r->priv);
    r->priv->conn = conn;
    r->priv->started_ms = clock_now_ms();
    r->srv = s;
    r->method = arena_strdup(r->arena, method);
    r->path = arena_strdup(r->arena, url);
    r->is_api = strncmp(url, "/api/", 5) == 0;
    if (s->cfg.tls_cert)
        r->priv->secure = 1;
    else if (s->cfg.trust_proxy) {
        const char *proto =
            MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Forwarded-Proto");
        r->priv->secure = proto && strcasecmp(proto, "https") == 0;
    }
    r->ip = client_ip(r);
    r->lang = pick_lang(r);
    return r;
}

/* Decides, before any handler runs, whether the caller may go on. Answers
 * and returns -1 when not. */
static int check_access(struct http_req *r)
{
    const struct route *rt = r->priv->route;
    if (r->srv->app.authenticate && r->srv->app.authenticate(r) < 0)
        return http_fail(r, ERR_UNAVAILABLE, NULL, "err.detail.storage", NULL), -1;
    if (!(rt->access & ACCESS_PUBLIC)) {
        if (!r->principal)
            return http_fail(r, ERR_UNAUTHENTICATED, NULL, NULL, NULL), -1;
        if (!(rt->access & r->principal->roles))
            return http_fail(r, ERR_FORBIDDEN, NULL, NULL, NULL), -1;
    }
    if (http_is_state_changing(r->method) && !(rt->flags & ROUTE_NO_CSRF)) {
        /* Cookie-authenticated calls and browser forms need the token; bearer
         * calls carry no ambient credential, and a JSON body cannot be sent
         * cross-site without a CORS preflight we never grant. */
        const char *ct = http_header(r, "Content-Type");
        int is_json = ct && strncasecmp(ct, "application/json", 16) == 0;
        int cookie_auth = r->principal && !r->principal->via_bearer;
        if ((cookie_auth || !is_json) && !(r->principal && r->principal->via_bearer) &&
            !http_csrf_check(r))
            return http_fail(r, ERR_CSRF, NULL, NULL, NULL), -1;
    }
    return 0;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
    struct server *s = cls;
    if (*con_cls == &asset_marker) {
        /* Second call of a static asset request: answer from the prebuilt
         * responses, without a request context (no access log line). */
        int status;
        if (*upload_data_size) {
            *upload_data_size = 0;
            return MHD_YES;
        }
        return serve_asset(s, conn, url, &status) ? MHD_YES : MHD_NO;
    }
    struct http_req *r = *con_cls;
    if (!r) {
        /* First call: set up only. */
        if ((strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0) &&
            strncmp(url, "/assets/", 8) == 0 && res_find(url + 1)) {
            *con_cls = &asset_marker;
            return MHD_YES;
        }
        r = req_new(s, conn, url, method);
        *con_cls = r;
        atomic_fetch_add(&s->in_flight, 1);
        if (utf8_validate(url, strlen(url), NULL) < 0) {
            r->priv->route_status = 400;
        } else {
            r->priv->route = router_match(r, s->app.routes, s->app.nroutes,
                                          &r->priv->route_status);
        }
        const struct route *rt = r->priv->route;
        r->priv->body_limit =
            rt && (rt->flags & (ROUTE_UPLOAD | ROUTE_LARGE_BODY)) ? s->cfg.max_upload : s->cfg.max_body;
        const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
        if (cl) {
            char *end;
            unsigned long long n = strtoull(cl, &end, 10);
            if (*end == 0 && n > r->priv->body_limit) {
                /* The one answer on the first call: MHD would otherwise read
                 * the whole oversized body before we could refuse it. */
                char lim[32];
                snprintf(lim, sizeof lim, "%zu", r->priv->body_limit);
                http_fail(r, ERR_TOO_LARGE, NULL, "err.detail.body_limit", lim);
                http_header_add(r, "Connection", "close");
                return http_queue(r) == 0 ? MHD_YES : MHD_NO;
            }
        }
        if (rt)
            http_body_start(r, MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                                           "Content-Type"));
        return MHD_YES;
    }
    if (*upload_data_size) {
        http_body_feed(r, upload_data, *upload_data_size);
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (r->priv->answered && r->priv->response == NULL)
        return MHD_YES; /* already queued (413 on the first call) */
    if (!r->priv->route) {
        int st = r->priv->route_status;
        http_fail(r, st == 400 ? ERR_BAD_UTF8 : st == 405 ? ERR_METHOD : ERR_NOT_FOUND, NULL,
                  NULL, NULL);
    } else if (http_body_finish(r) == 0 && check_access(r) == 0) {
        r->priv->route->handler(r);
    }
    int queued = http_queue(r) == 0;
    /* The answer is built: give the database connection back now, not when
     * the answer has been sent. A worker thread serves many connections;
     * holding pool connections while slow clients read would leave it
     * blocked in store_acquire for a connection only it can free. */
    if (r->priv->db) {
        store_release(r->priv->db);
        r->priv->db = NULL;
    }
    return queued ? MHD_YES : MHD_NO;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct server *s = cls;
    if (*con_cls == &asset_marker) {
        *con_cls = NULL;
        return;
    }
    struct http_req *r = *con_cls;
    if (!r)
        return;
    *con_cls = NULL;
    if (s->cfg.access_log) {
        char when[32];
        clock_format_iso(r->priv->started_ms, when);
        fprintf(s->cfg.access_log, "%s %s %s %s %d %lld %lldms%s\n", when, r->ip, r->method,
                r->path, r->priv->status, (long long)r->priv->bytes_out,
                (long long)(clock_now_ms() - r->priv->started_ms),
                toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " aborted");
    }
    http_body_cleanup(r);
    if (r->priv->response)
        MHD_destroy_response(r->priv->response);
    if (r->priv->db)
        store_release(r->priv->db);
    arena_free(r->arena);
    free(r);
    atomic_fetch_sub(&s->in_flight, 1);
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
    char line[512];
    vsnprintf(line, sizeof line, fmt, ap);
    size_t n = strlen(line);
    while (n && line[n - 1] == '\n')
        line[--n] = 0;
    log_debug("mhd: %s", line);
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    struct buf b = BUF_INIT;
    char tmp[4096];
    size_t n;
    while ((n = fread(tmp, 1, sizeof tmp, f)) > 0)
        buf_append(&b, tmp, n);
    fclose(f);
    return buf_steal(&b);
}

static int parse_listen(const char *listen, struct sockaddr_storage *ss, socklen_t *len)
{
    char host[128];
    const char *colon = strrchr(listen, ':');
    if (!colon || colon == listen)
        return -1;
    snprintf(host, sizeof host, "%.*s", (int)(colon - listen), listen);
    char *end;
    long port = strtol(colon + 1, &end, 10);
    if (*end || port < 0 || port > 65535)
        return -1;
    memset(ss, 0, sizeof *ss);
    if (host[0] == '[') {
        size_t hl = strlen(host);
        if (host[hl - 1] != ']')
            return -1;
        host[hl - 1] = 0;
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
        a->sin6_family = AF_INET6;
        a->sin6_port = htons((uint16_t)port);
        if (inet_pton(AF_INET6, host + 1, &a->sin6_addr) != 1)
            return -1;
        *len = sizeof *a;
    } else {
        struct sockaddr_in *a = (struct sockaddr_in *)ss;
        a->sin_family = AF_INET;
        a->sin_port = htons((uint16_t)port);
        if (strcmp(host, "localhost") == 0)
            snprintf(host, sizeof host, "127.0.0.1");
        if (inet_pton(AF_INET, host, &a->sin_addr) != 1)
            return -1;
        *len = sizeof *a;
    }
    return 0;
}

struct server *server_start(const struct server_config *cfg, const struct server_app *app,
                            struct store *store, struct blob_store *blobs, char *errbuf,
                            size_t errlen)
{
    struct sockaddr_storage ss;
    socklen_t sslen;
    if (parse_listen(cfg->listen, &ss, &sslen) < 0) {
        snprintf(errbuf, errlen, "cannot understand listen address '%s' (want HOST:PORT)",
                 cfg->listen);
        return NULL;
    }
    struct server *s = xcalloc(1, sizeof *s);
    s->cfg = *cfg;
    s->app = *app;
    s->store = store;
    s->blobs = blobs;
    build_assets(s);

    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC |
                     MHD_USE_ERROR_LOG | MHD_USE_TURBO;
    if (ss.ss_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    char *cert = NULL, *key = NULL;
    if (cfg->tls_cert || cfg->tls_key) {
        if (!cfg->tls_cert || !cfg->tls_key) {
            snprintf(errbuf, errlen, "HTTPS needs both a certificate and a key");
            goto fail;
        }
        if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
            snprintf(errbuf, errlen, "this libmicrohttpd was built without TLS");
            goto fail;
        }
        cert = read_file(cfg->tls_cert);
        key = read_file(cfg->tls_key);
        if (!cert || !key) {
            snprintf(errbuf, errlen, "cannot read TLS certificate or key");
            goto fail;
        }
        flags |= MHD_USE_TLS;
    }
    struct MHD_OptionItem opts[] = {
        {MHD_OPTION_SOCK_ADDR, 0, &ss},
        {MHD_OPTION_THREAD_POOL_SIZE, cfg->threads > 0 ? cfg->threads : 2, NULL},
        {MHD_OPTION_CONNECTION_LIMIT, (intptr_t)cfg->max_conns, NULL},
        {MHD_OPTION_PER_IP_CONNECTION_LIMIT, (intptr_t)cfg->max_per_ip, NULL},
        {MHD_OPTION_CONNECTION_TIMEOUT, (intptr_t)cfg->timeout_s, NULL},
        {MHD_OPTION_CONNECTION_MEMORY_LIMIT, (intptr_t)(cfg->max_header + 16 * 1024), NULL},
        {MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)on_completed, s},
        {MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)on_mhd_log, s},
        {MHD_OPTION_LISTENING_ADDRESS_REUSE, 1, NULL},
        {cert ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, 0, cert},
        {cert ? MHD_OPTION_HTTPS_MEM_KEY : MHD_OPTION_END, 0, key},
        {MHD_OPTION_END, 0, NULL},
    };
    s->daemon = MHD_start_daemon(flags, 0, NULL, NULL, on_request, s, MHD_OPTION_ARRAY, opts,
                                 MHD_OPTION_END);
    free(cert);
    free(key);
    cert = key = NULL;
    if (!s->daemon) {
        snprintf(errbuf, errlen, "cannot listen on %s (address in use or not permitted?)",
                 cfg->listen);
        goto fail;
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
    s->port = di ? di->port : 0;
    return s;
fail:
    free(cert);
    free(key);
    for (size_t i = 0; s->asset_responses && i < res_count; i++)
        if (s->asset_responses[i])
            MHD_destroy_response(s->asset_responses[i]);
    free(s->asset_responses);
    free(s);
    return NULL;
}

void server_stop(struct server *s, int grace_ms)
{
    if (!s)
        return;
    /* Stop accepting; in-flight requests finish, then the daemon stops. */
    MHD_socket fd = MHD_quiesce_daemon(s->daemon);
    if (fd != MHD_INVALID_SOCKET)
        close(fd);
    for (int waited = 0; atomic_load(&s->in_flight) > 0 && waited < grace_ms; waited += 10) {
        struct timespec ts = {0, 10 * 1000000};
        nanosleep(&ts, NULL);
    }
    MHD_stop_daemon(s->daemon);
    for (size_t i = 0; i < res_count; i++)
        if (s->asset_responses[i])
            MHD_destroy_response(s->asset_responses[i]);
    free(s->asset_responses);
    free(s);
}
