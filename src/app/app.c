/**
 * @file app.c
 * @brief Opening the hall's storage and resolving principals.
 */
#include "app/app.h"
#include "core/crypto.h"
#include "core/log.h"
#include "domain/accounts.h"
#include "store/files.h"
#include "store/store.h"
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

int app_open(const struct config *cfg, int pool, struct app_ctx *out, char *errbuf,
             size_t errlen)
{
    memset(out, 0, sizeof *out);
    struct store_options opt = {cfg->db_url, cfg->data_dir, pool, 5000};
    if (store_open(&opt, &out->store, errbuf, errlen) < 0)
        return -1;
    int applied = 0;
    if (store_migrate(out->store, &applied, errbuf, errlen) < 0) {
        store_close(out->store);
        return -1;
    }
    if (applied)
        log_info("applied %d migration(s)", applied);
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/blobs", cfg->data_dir);
    if (blob_store_open(dir, &out->blobs) < 0) {
        snprintf(errbuf, errlen, "cannot open the file store in %s", dir);
        store_close(out->store);
        return -1;
    }
    return 0;
}

void app_close(struct app_ctx *ctx)
{
    if (ctx->blobs)
        blob_store_close(ctx->blobs);
    if (ctx->store)
        store_close(ctx->store);
    memset(ctx, 0, sizeof *ctx);
}

struct secret_tx {
    const char *name;
    char hex[65];
};

static int secret_fn(struct store_conn *c, void *ctx)
{
    struct secret_tx *t = ctx;
    unsigned char fresh[32];
    crypto_random_bytes(fresh, sizeof fresh);
    char hex[65];
    crypto_hex_encode(fresh, sizeof fresh, hex);
    struct store_stmt *st;
    /* Insert-if-absent then read: every process ends up with the same value. */
    int rc = store_prepare(c, "INSERT INTO secrets (name, value) VALUES (?, ?) "
                              "ON CONFLICT (name) DO NOTHING", &st);
    if (rc < 0)
        return rc;
    store_bind_text(st, 1, t->name);
    store_bind_text(st, 2, hex);
    rc = store_step(st);
    store_finalize(st);
    if (rc < 0)
        return rc;
    if ((rc = store_prepare(c, "SELECT value FROM secrets WHERE name = ?", &st)) < 0)
        return rc;
    store_bind_text(st, 1, t->name);
    rc = store_step(st);
    if (rc == STORE_ROW)
        snprintf(t->hex, sizeof t->hex, "%s", store_column_text(st, 0));
    store_finalize(st);
    return rc == STORE_ROW ? 0 : STORE_ERROR;
}

int app_secret(struct store_conn *c, const char *name, unsigned char out[32])
{
    struct secret_tx t = {name, ""};
    int rc = store_tx(c, secret_fn, &t);
    if (rc < 0)
        return rc;
    size_t len = 0;
    if (crypto_hex_decode(t.hex, strlen(t.hex), out, 32, &len) < 0 || len != 32)
        return -1;
    return 0;
}

int app_authenticate(struct http_req *r)
{
    const char *auth = http_header(r, "Authorization");
    const char *token = NULL;
    enum session_kind kind = SESSION_WEB;
    if (auth && strncasecmp(auth, "Bearer ", 7) == 0) {
        token = auth + 7;
        kind = SESSION_API;
    } else {
        token = http_cookie(r, "oh_sid");
    }
    if (!token || !*token)
        return 0;
    struct principal *p = arena_alloc(r->arena, sizeof *p);
    int rc = accounts_session_principal(http_db(r), r->arena, token, kind, p);
    if (rc < 0)
        return rc;
    if (rc > 0)
        r->principal = p;
    return 0;
}
