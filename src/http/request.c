/**
 * @file request.c
 * @brief Reading a request: route parameters, query, headers, cookies, and
 *        the body. JSON and other raw bodies are collected up to the limit;
 *        forms go through MHD's post processor, and multipart file parts are
 *        streamed into the blob store without being held in memory.
 */
#include "core/crypto.h"
#include "core/utf8.h"
#include "http/http_priv.h"
#include "store/files.h"
#include "store/store.h"
#include <string.h>
#include <strings.h>

/* Caps the bytes of non-file form fields so a form cannot eat memory even on
 * an upload route where the body limit is large. */
#define FORM_FIELDS_MAX (256 * 1024)

const char *http_param(struct http_req *r, const char *name)
{
    for (struct kv *p = r->priv->params; p; p = p->next)
        if (strcmp(p->name, name) == 0)
            return p->value;
    return NULL;
}

const char *http_query(struct http_req *r, const char *name)
{
    return MHD_lookup_connection_value(r->priv->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *http_header(struct http_req *r, const char *name)
{
    return MHD_lookup_connection_value(r->priv->conn, MHD_HEADER_KIND, name);
}

const char *http_cookie(struct http_req *r, const char *name)
{
    return MHD_lookup_connection_value(r->priv->conn, MHD_COOKIE_KIND, name);
}

const char *http_form(struct http_req *r, const char *name)
{
    for (struct kv *p = r->priv->form; p; p = p->next)
        if (strcmp(p->name, name) == 0)
            return p->value;
    return NULL;
}

const struct http_upload *http_uploads(struct http_req *r)
{
    return r->priv->uploads;
}

struct store_conn *http_db(struct http_req *r)
{
    if (!r->priv->db)
        r->priv->db = store_acquire(server_store(r->srv));
    return r->priv->db;
}

int http_is_secure(struct http_req *r)
{
    return r->priv->secure;
}

json_t *http_json(struct http_req *r)
{
    struct http_req_priv *p = r->priv;
    if (p->json)
        return p->json;
    const char *ct = http_header(r, "Content-Type");
    if (!ct || strncasecmp(ct, "application/json", 16) != 0) {
        http_fail(r, ERR_MEDIA_TYPE, NULL, "err.detail.want_json", NULL);
        return NULL;
    }
    if (p->body_kind != BODY_RAW || p->raw.len == 0) {
        http_fail(r, ERR_BAD_JSON, NULL, "err.detail.empty_body", NULL);
        return NULL;
    }
    json_error_t je;
    json_t *j = json_loadb(p->raw.data, p->raw.len, JSON_REJECT_DUPLICATES, &je);
    if (!j) {
        char where[200];
        snprintf(where, sizeof where, "%d:%d %s", je.line, je.column, je.text);
        http_fail(r, ERR_BAD_JSON, NULL, "err.detail.json_at", where);
        return NULL;
    }
    if (!json_is_object(j)) {
        json_decref(j);
        http_fail(r, ERR_BAD_JSON, NULL, "err.detail.want_object", NULL);
        return NULL;
    }
    p->json = j;
    return j;
}

int http_is_state_changing(const char *method)
{
    return strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0 &&
           strcmp(method, "OPTIONS") != 0;
}

/* --- forms and uploads --- */

static void form_add(struct http_req *r, const char *name, const char *value, size_t len)
{
    struct http_req_priv *p = r->priv;
    if (utf8_validate(value, len, NULL) < 0 || memchr(value, 0, len)) {
        p->body_bad = 1;
        return;
    }
    struct kv *kv = arena_alloc(r->arena, sizeof *kv);
    kv->name = arena_strdup(r->arena, name);
    kv->value = arena_strndup(r->arena, value, len);
    /* Keep order of arrival: append. */
    struct kv **tail = &p->form;
    while (*tail)
        tail = &(*tail)->next;
    *tail = kv;
}

static void flush_field(struct http_req *r)
{
    struct http_req_priv *p = r->priv;
    if (p->field_name) {
        form_add(r, p->field_name, buf_str(&p->field_acc), p->field_acc.len);
        p->field_name = NULL;
        buf_reset(&p->field_acc);
    }
}

static int finish_upload(struct http_req *r)
{
    struct http_req_priv *p = r->priv;
    if (!p->writer)
        return 0;
    struct http_upload *u = arena_alloc(r->arena, sizeof *u);
    int rc = blob_writer_commit(p->writer, u->sha256, &u->size);
    p->writer = NULL;
    if (rc < 0) {
        p->body_io_error = 1;
        return -1;
    }
    u->field = p->up_field;
    u->filename = p->up_filename;
    u->content_type = p->up_type;
    if (p->uploads_tail)
        p->uploads_tail->next = u;
    else
        p->uploads = u;
    p->uploads_tail = u;
    return 0;
}

static enum MHD_Result post_iter(void *cls, enum MHD_ValueKind kind, const char *key,
                                 const char *filename, const char *content_type,
                                 const char *transfer_encoding, const char *data, uint64_t off,
                                 size_t size)
{
    struct http_req *r = cls;
    struct http_req_priv *p = r->priv;
    if (!key)
        return MHD_YES;
    if (filename) {
        if (!(p->route && (p->route->flags & ROUTE_UPLOAD))) {
            p->body_bad = 1;
            return MHD_YES;
        }
        /* A new file part starts at offset 0 (or with a different field). */
        if (off == 0 || !p->writer || strcmp(p->up_field, key) != 0) {
            flush_field(r);
            if (finish_upload(r) < 0)
                return MHD_NO;
            if (blob_writer_new(server_blobs(r->srv), (int64_t)p->body_limit, &p->writer) < 0) {
                p->body_io_error = 1;
                return MHD_NO;
            }
            p->up_field = arena_strdup(r->arena, key);
            p->up_filename = utf8_validate(filename, strlen(filename), NULL) == 0
                                 ? arena_strdup(r->arena, filename)
                                 : "upload";
            p->up_type = arena_strdup(r->arena, content_type ? content_type : "");
        }
        if (size && blob_writer_write(p->writer, data, size) < 0) {
            p->body_too_large = 1;
            blob_writer_abort(p->writer);
            p->writer = NULL;
            return MHD_NO;
        }
        return MHD_YES;
    }
    /* A plain field may arrive in several chunks. */
    if (!p->field_name || strcmp(p->field_name, key) != 0 || off == 0) {
        flush_field(r);
        p->field_name = arena_strdup(r->arena, key);
    }
    p->form_bytes += size;
    if (p->form_bytes > FORM_FIELDS_MAX) {
        p->body_too_large = 1;
        return MHD_NO;
    }
    buf_append(&p->field_acc, data, size);
    return MHD_YES;
}

int http_body_start(struct http_req *r, const char *ct)
{
    struct http_req_priv *p = r->priv;
    if (ct && (strncasecmp(ct, "application/x-www-form-urlencoded", 33) == 0 ||
               strncasecmp(ct, "multipart/form-data", 19) == 0)) {
        p->pp = MHD_create_post_processor(p->conn, 16 * 1024, post_iter, r);
        if (!p->pp) {
            /* multipart without a boundary, for instance */
            p->body_bad = 1;
            p->body_kind = BODY_NONE;
            return 0;
        }
        p->body_kind = BODY_FORM;
        return 0;
    }
    p->body_kind = BODY_RAW;
    return 0;
}

int http_body_feed(struct http_req *r, const char *data, size_t n)
{
    struct http_req_priv *p = r->priv;
    p->body_seen += n;
    if (p->body_too_large || p->body_bad || p->body_io_error)
        return 0; /* keep reading to answer cleanly, but drop the bytes */
    if (p->body_seen > p->body_limit) {
        p->body_too_large = 1;
        buf_free(&p->raw);
        return 0;
    }
    if (p->body_kind == BODY_RAW) {
        buf_append(&p->raw, data, n);
    } else if (p->body_kind == BODY_FORM) {
        if (MHD_post_process(p->pp, data, n) != MHD_YES && !p->body_too_large &&
            !p->body_io_error)
            p->body_bad = 1;
    }
    return 0;
}

int http_body_finish(struct http_req *r)
{
    struct http_req_priv *p = r->priv;
    if (p->body_kind == BODY_FORM && !p->body_too_large && !p->body_bad && !p->body_io_error) {
        flush_field(r);
        finish_upload(r);
    }
    if (p->body_kind == BODY_RAW && p->raw.len && !p->body_too_large &&
        utf8_validate(p->raw.data, p->raw.len, NULL) < 0) {
        const char *ct = http_header(r, "Content-Type");
        /* Only textual bodies must be UTF-8. */
        if (!ct || strncasecmp(ct, "application/json", 16) == 0 || strncasecmp(ct, "text/", 5) == 0)
            return http_fail(r, ERR_BAD_UTF8, NULL, NULL, NULL), -1;
    }
    if (p->body_too_large) {
        char lim[32];
        snprintf(lim, sizeof lim, "%zu", p->body_limit);
        return http_fail(r, ERR_TOO_LARGE, NULL, "err.detail.body_limit", lim), -1;
    }
    if (p->body_io_error)
        return http_fail(r, ERR_UNAVAILABLE, NULL, "err.detail.storage", NULL), -1;
    if (p->body_bad)
        return http_fail(r, ERR_BAD_REQUEST, NULL, "err.detail.bad_form", NULL), -1;
    return 0;
}

void http_body_cleanup(struct http_req *r)
{
    struct http_req_priv *p = r->priv;
    if (p->pp)
        MHD_destroy_post_processor(p->pp);
    p->pp = NULL;
    if (p->writer)
        blob_writer_abort(p->writer);
    p->writer = NULL;
    buf_free(&p->raw);
    buf_free(&p->field_acc);
    if (p->json)
        json_decref(p->json);
    p->json = NULL;
}

/* --- CSRF: token = hex(HMAC-SHA-256(secret, session or pre-session cookie)) --- */

#define COOKIE_SESSION "oh_sid"
#define COOKIE_PRE "oh_pre"

const char *http_csrf_token(struct http_req *r)
{
    struct http_req_priv *p = r->priv;
    if (p->csrf)
        return p->csrf;
    const char *basis = http_cookie(r, COOKIE_SESSION);
    if (!basis || r->principal == NULL)
        basis = http_cookie(r, COOKIE_PRE);
    if (!basis || strlen(basis) < 16) {
        char tok[CRYPTO_TOKEN_BUFSZ];
        crypto_random_token(tok);
        basis = arena_strdup(r->arena, tok);
        http_cookie_set(r, COOKIE_PRE, basis, -1);
    }
    unsigned char mac[32];
    crypto_hmac_sha256(r->srv->app.csrf_secret, sizeof r->srv->app.csrf_secret, basis,
                       strlen(basis), mac);
    char out[2 * sizeof mac + 1];
    crypto_hex_encode(mac, sizeof mac, out);
    p->csrf = arena_strdup(r->arena, out);
    return p->csrf;
}

/* Whether the token sent matches the one derived from either cookie: a form
 * rendered before login carries the pre-session token. */
int http_csrf_check(struct http_req *r)
{
    const char *sent = http_header(r, "X-CSRF-Token");
    if (!sent)
        sent = http_form(r, "csrf");
    if (!sent)
        return 0;
    const char *cookies[] = {http_cookie(r, COOKIE_SESSION), http_cookie(r, COOKIE_PRE)};
    for (int i = 0; i < 2; i++) {
        if (!cookies[i] || strlen(cookies[i]) < 16)
            continue;
        unsigned char mac[32];
        char want[2 * sizeof mac + 1];
        crypto_hmac_sha256(r->srv->app.csrf_secret, sizeof r->srv->app.csrf_secret, cookies[i],
                           strlen(cookies[i]), mac);
        crypto_hex_encode(mac, sizeof mac, want);
        if (crypto_streq(want, sent))
            return 1;
    }
    return 0;
}

int http_etag_matches(struct http_req *r, const char *etag)
{
    const char *inm = http_header(r, "If-None-Match");
    if (!inm)
        return 0;
    size_t n = strlen(etag);
    /* a list of entity tags, perhaps weak (W/"..."): weak comparison */
    for (const char *p = inm; *p;) {
        while (*p == ' ' || *p == '\t' || *p == ',')
            p++;
        if (*p == '*')
            return 1;
        if (p[0] == 'W' && p[1] == '/')
            p += 2;
        if (!strncmp(p, etag, n) && (p[n] == '\0' || p[n] == ',' || p[n] == ' '))
            return 1;
        while (*p && *p != ',')
            p++;
    }
    return 0;
}
