/**
 * @file app.h
 * @brief Wiring of the hall: opens the database and blob store from the
 *        configuration, applies migrations, holds the route table and
 *        resolves principals for the HTTP layer.
 */
#ifndef ONEHALL_APP_H
#define ONEHALL_APP_H
#include "core/config.h"
#include "http/http.h"
#include <stddef.h>

struct store;
struct blob_store;

struct app_ctx {
    struct store *store;
    struct blob_store *blobs;
};

/** Opens the store (SQLite in cfg->data_dir unless cfg->db_url), migrates it,
 *  and opens the blob store under cfg->data_dir/blobs. pool is the number of
 *  connections to keep. */
int app_open(const struct config *cfg, int pool, struct app_ctx *out, char *errbuf,
             size_t errlen);
void app_close(struct app_ctx *ctx);

/** A 32-byte server secret by name, created at first use and shared by every
 *  process on the same database. */
int app_secret(struct store_conn *c, const char *name, unsigned char out[32]);

/** Sets r->principal from a bearer token or the session cookie. */
int app_authenticate(struct http_req *r);

extern const struct route app_routes[];
extern const size_t app_nroutes;
#endif
