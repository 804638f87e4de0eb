/**
 * @file response.c
 * @brief Answering: every reply is recorded on the request and queued by
 *        the server on a later call of the access handler; security headers
 *        go on every response; errors are answered in one place.
 */
#include "core/log.h"
#include "http/http_priv.h"
#include <string.h>
#include <strings.h>
#include <unistd.h>

/* Same-origin everything; no inline script or style; never framed. */
#define CSP                                                                                      \
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "           \
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"

void http_add_security_headers(struct http_req *r, struct MHD_Response *resp)
{
    MHD_add_response_header(resp, "Content-Security-Policy", CSP);
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "X-Frame-Options", "DENY");
    MHD_add_response_header(resp, "Referrer-Policy", "same-origin");
    if (r && r->priv->secure)
        MHD_add_response_header(resp, "Strict-Transport-Security", "max-age=31536000");
}

void http_header_add(struct http_req *r, const char *name, const char *value)
{
    struct kv *h = arena_alloc(r->arena, sizeof *h);
    h->name = arena_strdup(r->arena, name);
    h->value = arena_strdup(r->arena, value);
    h->next = r->priv->headers;
    r->priv->headers = h;
}

void http_cookie_set(struct http_req *r, const char *name, const char *value, int max_age)
{
    char age[48] = "";
    if (max_age >= 0)
        snprintf(age, sizeof age, "; Max-Age=%d", max_age);
    char *v = arena_printf(r->arena, "%s=%s; Path=/; HttpOnly; SameSite=Lax%s%s", name, value,
                           age, r->priv->secure ? "; Secure" : "");
    http_header_add(r, "Set-Cookie", v);
}

static int set_response(struct http_req *r, int status, struct MHD_Response *resp,
                        const char *content_type, int64_t len)
{
    struct http_req_priv *p = r->priv;
    if (p->answered) {
        /* A handler answers exactly once; a second answer is a bug, not input. */
        log_error("http: %s %s answered twice", r->method, r->path);
        MHD_destroy_response(resp);
        return 0;
    }
    if (!resp) {
        log_error("http: could not create a response");
        return -1;
    }
    if (content_type)
        MHD_add_response_header(resp, "Content-Type", content_type);
    p->answered = 1;
    p->status = status;
    p->response = resp;
    p->bytes_out = len;
    return 0;
}

int http_reply_bytes(struct http_req *r, int status, const char *content_type, const void *data,
                     size_t len)
{
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(len, (void *)data, MHD_RESPMEM_MUST_COPY);
    return set_response(r, status, resp, content_type, (int64_t)len);
}

int http_reply_json(struct http_req *r, int status, json_t *body)
{
    char *s = json_dumps(body, JSON_COMPACT | JSON_ENSURE_ASCII * 0);
    json_decref(body);
    if (!s)
        return http_fail(r, ERR_INTERNAL, NULL, NULL, NULL);
    size_t n = strlen(s);
    struct MHD_Response *resp = MHD_create_response_from_buffer(n, s, MHD_RESPMEM_MUST_FREE);
    return set_response(r, status, resp, "application/json; charset=utf-8", (int64_t)n);
}

int http_reply_html(struct http_req *r, int status, struct buf *body)
{
    size_t n = body->len;
    char *s = buf_steal(body);
    struct MHD_Response *resp = MHD_create_response_from_buffer(n, s, MHD_RESPMEM_MUST_FREE);
    return set_response(r, status, resp, "text/html; charset=utf-8", (int64_t)n);
}

int http_reply_fd(struct http_req *r, int status, const char *content_type, int fd, uint64_t size)
{
    struct MHD_Response *resp = MHD_create_response_from_fd64(size, fd);
    if (!resp)
        close(fd);
    return set_response(r, status, resp, content_type, (int64_t)size);
}

int http_reply_empty(struct http_req *r, int status)
{
    struct MHD_Response *resp = MHD_create_response_from_buffer(0, "", MHD_RESPMEM_PERSISTENT);
    return set_response(r, status, resp, NULL, 0);
}

int http_redirect(struct http_req *r, const char *location)
{
    http_header_add(r, "Location", location);
    return http_reply_empty(r, 303);
}

/* Whether this caller should get problem+json rather than a page. */
static int wants_json(struct http_req *r)
{
    if (r->is_api)
        return 1;
    const char *acc = http_header(r, "Accept");
    return acc && strstr(acc, "json") && !strstr(acc, "text/html");
}

int http_reply_err(struct http_req *r, const struct err *e)
{
    return http_reply_problems(r, e, NULL);
}

int http_reply_problems(struct http_req *r, const struct err *e, json_t *errors)
{
    int status = err_status(e->code);
    const char *slug = err_slug(e->code);
    char key[96];
    snprintf(key, sizeof key, "err.%s", slug);
    const char *title = tr(r->lang, key);
    char detail[512];
    if (e->key[0])
        trf(r->lang, e->key, e->arg, detail, sizeof detail);
    else
        snprintf(detail, sizeof detail, "%s", title);
    http_header_add(r, "Content-Language", lang_tag(r->lang));
    if (status == 401 && r->is_api)
        http_header_add(r, "WWW-Authenticate", "Bearer");
    if (wants_json(r)) {
        /* Members built one by one: a value that is not valid UTF-8 (a
         * request path, say) is left out instead of losing the answer. */
        json_t *j = json_object();
        json_object_set_new(j, "type", json_string(arena_printf(r->arena, "/problems/%s", slug)));
        json_object_set_new(j, "title", json_string(title));
        json_object_set_new(j, "status", json_integer(status));
        json_object_set_new(j, "detail", json_string(detail));
        json_object_set_new(j, "instance", json_string(r->path));
        if (e->field[0])
            json_object_set_new(j, "field", json_string(e->field));
        if (errors)
            json_object_set(j, "errors", errors);
        json_decref(errors);
        char *s = json_dumps(j, JSON_COMPACT);
        json_decref(j);
        size_t n = strlen(s);
        struct MHD_Response *resp = MHD_create_response_from_buffer(n, s, MHD_RESPMEM_MUST_FREE);
        return set_response(r, status, resp, "application/problem+json; charset=utf-8",
                            (int64_t)n);
    }
    json_decref(errors);
    struct buf body = BUF_INIT;
    if (r->srv->app.error_page)
        r->srv->app.error_page(r, status, title, detail, &body);
    else
        buf_printf(&body, "<!doctype html><title>%d</title><p>%d</p>", status, status);
    return http_reply_html(r, status, &body);
}

int http_fail(struct http_req *r, enum err_code code, const char *field, const char *key,
              const char *arg)
{
    struct err e;
    err_set(&e, code, field, key, arg);
    return http_reply_err(r, &e);
}

/* Queues the recorded answer with its headers. */
int http_queue(struct http_req *r)
{
    struct http_req_priv *p = r->priv;
    if (!p->answered) {
        log_error("http: %s %s: handler gave no answer", r->method, r->path);
        http_fail(r, ERR_INTERNAL, NULL, NULL, NULL);
    }
    for (struct kv *h = p->headers; h; h = h->next)
        MHD_add_response_header(p->response, h->name, h->value);
    if (!MHD_get_response_header(p->response, "Cache-Control"))
        MHD_add_response_header(p->response, "Cache-Control", "no-store");
    http_add_security_headers(r, p->response);
    enum MHD_Result rc = MHD_queue_response(p->conn, (unsigned)p->status, p->response);
    MHD_destroy_response(p->response);
    p->response = NULL;
    return rc == MHD_YES ? 0 : -1;
}
