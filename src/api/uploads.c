/**
 * @file uploads.c
 * @brief POST /api/v1/uploads (multipart: files streamed to the blob store)
 *        and GET /api/v1/uploads/{id} (only for the file's owner).
 *        The type is decided from the bytes, not from what the client says.
 */
#include "api/api.h"
#include "core/clock.h"
#include "http/server.h"
#include "store/files.h"
#include "store/store.h"
#include <stdlib.h>
#include <string.h>

/* PDF, JPEG, PNG, and OFD (a ZIP container) by their magic bytes. */
static const char *sniff(const unsigned char *h, int n)
{
    if (n >= 5 && memcmp(h, "%PDF-", 5) == 0)
        return "application/pdf";
    if (n >= 3 && h[0] == 0xff && h[1] == 0xd8 && h[2] == 0xff)
        return "image/jpeg";
    if (n >= 8 && memcmp(h, "\x89PNG\r\n\x1a\n", 8) == 0)
        return "image/png";
    if (n >= 4 && memcmp(h, "PK\x03\x04", 4) == 0)
        return "application/ofd";
    return NULL;
}

/* Records the files received, all or none; with group commit, since each
 * upload's row would otherwise cost a log fsync of its own. */
struct uploads_tx {
    const struct http_upload *u;
    const char *const *types;
    int64_t owner;
    json_t *items;
};

static int record_fn(struct store_conn *c, void *ctx)
{
    struct uploads_tx *t = ctx;
    json_decref(t->items); /* a retried batch starts again */
    t->items = json_array();
    char now[32];
    clock_format_iso(clock_now_ms(), now);
    int n = 0;
    for (const struct http_upload *p = t->u; p; p = p->next, n++) {
        struct store_stmt *st;
        int rc = store_prepare(c,
                               "INSERT INTO uploads (sha256, owner_id, filename, content_type, "
                               "size, created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                               &st);
        if (rc < 0)
            return rc;
        store_bind_text(st, 1, p->sha256);
        store_bind_int64(st, 2, t->owner);
        store_bind_text(st, 3, p->filename);
        store_bind_text(st, 4, t->types[n]);
        store_bind_int64(st, 5, p->size);
        store_bind_text(st, 6, now);
        rc = store_step(st);
        if (rc == STORE_ROW)
            json_array_append_new(
                t->items, json_pack("{s:I, s:s, s:s, s:s, s:I, s:s, s:s}", "id",
                                    (json_int_t)store_column_int64(st, 0), "field", p->field,
                                    "filename", p->filename, "content_type", t->types[n], "size",
                                    (json_int_t)p->size, "sha256", p->sha256, "created_at", now));
        store_finalize(st);
        if (rc != STORE_ROW)
            return rc < 0 ? rc : STORE_ERROR;
    }
    return 0;
}

int api_uploads_store(struct http_req *r, json_t **items, struct err *e)
{
    *items = NULL;
    const struct http_upload *u = http_uploads(r);
    if (!u)
        return err_set(e, ERR_INVALID, "file", "api.upload_none", NULL);
    struct blob_store *bs = server_blobs(r->srv);
    /* Check every file before recording any. */
    const char *types[64];
    int n = 0;
    for (const struct http_upload *p = u; p; p = p->next, n++) {
        if (n == 64)
            return err_set(e, ERR_INVALID, "file", "api.upload_none", NULL);
        unsigned char head[8];
        int k = blob_head(bs, p->sha256, head, sizeof head);
        if (p->size == 0)
            return err_set(e, ERR_INVALID, p->field, "api.upload_empty", p->filename);
        types[n] = k > 0 ? sniff(head, k) : NULL;
        if (!types[n])
            return err_set(e, ERR_MEDIA_TYPE, p->field, "api.upload_type", p->filename);
    }
    struct uploads_tx t = {u, types, r->principal->account_id, NULL};
    if (store_tx_group(http_db(r), record_fn, &t) < 0) {
        json_decref(t.items);
        return err_set(e, ERR_UNAVAILABLE, NULL, "err.detail.storage", NULL);
    }
    *items = t.items;
    return 0;
}

int api_uploads_create(struct http_req *r)
{
    json_t *items;
    struct err e;
    if (api_uploads_store(r, &items, &e) < 0)
        return http_reply_err(r, &e);
    return http_reply_json(r, 201, json_pack("{s:o}", "items", items));
}

int api_uploads_get(struct http_req *r)
{
    char *end;
    long long id = strtoll(http_param(r, "id"), &end, 10);
    if (*end || id <= 0)
        return http_fail(r, ERR_NOT_FOUND, NULL, NULL, NULL);
    struct store_stmt *st;
    if (store_prepare(http_db(r),
                      "SELECT sha256, content_type, filename FROM uploads WHERE id = ? AND "
                      "owner_id = ?",
                      &st) < 0)
        return http_fail(r, ERR_UNAVAILABLE, NULL, "err.detail.storage", NULL);
    store_bind_int64(st, 1, id);
    store_bind_int64(st, 2, r->principal->account_id);
    int rc = store_step(st);
    char sha[65] = "", type[64] = "";
    const char *name = NULL;
    if (rc == STORE_ROW) {
        snprintf(sha, sizeof sha, "%s", store_column_text(st, 0));
        snprintf(type, sizeof type, "%s", store_column_text(st, 1));
        name = arena_strdup(r->arena, store_column_text(st, 2));
    }
    store_finalize(st);
    /* Someone else's file is answered like a missing one: its existence is
     * nobody else's business. */
    if (rc != STORE_ROW)
        return http_fail(r, ERR_NOT_FOUND, NULL, NULL, NULL);
    int fd;
    int64_t size;
    if (blob_open(server_blobs(r->srv), sha, &fd, &size) < 0)
        return http_fail(r, ERR_UNAVAILABLE, NULL, "err.detail.storage", NULL);
    (void)name;
    http_header_add(r, "Content-Disposition", "attachment");
    http_header_add(r, "Cache-Control", "private, no-store");
    return http_reply_fd(r, 200, type, fd, (uint64_t)size);
}
