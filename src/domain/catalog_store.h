/**
 * @file catalog_store.h
 * @brief The catalog in the database: whole-catalog import and export in the
 *        exchange format, and the editors' life cycle of an item (draft,
 *        publish, withdraw, versions). docs/catalog.md.
 */
#ifndef ONEHALL_CATALOG_STORE_H
#define ONEHALL_CATALOG_STORE_H
#include "core/err.h"
#include "domain/catalog.h"
#include <jansson.h>
#include <stdint.h>

struct store_conn;
struct principal;

struct catalog_import_counts {
    long departments, halls, items_added, items_unchanged, items_replaced;
};

/** Imports a whole exchange document: checks it (catalog_doc_check; locate
 *  places problems in the source, may be NULL), then, in one transaction,
 *  adds or updates departments and halls by code and adds item versions.
 *  A version already stored is left alone when identical; a stored draft is
 *  replaced; a different published, superseded or withdrawn version is an
 *  error (they never change). Publishing a version supersedes the older
 *  published one. Nothing changes unless everything is valid: returns 0, or
 *  -ERR_INVALID with every problem in rep, or another negative code with e
 *  set. */
int catalog_import(struct store_conn *c, json_t *doc, int64_t actor_id, const char *ip,
                   catalog_locate_fn locate, void *locate_ctx, struct catalog_report *rep,
                   struct catalog_import_counts *counts, struct err *e);

/** The whole catalog (every version of every item) as an exchange document,
 *  in a stable order: departments, halls and items by code, then version.
 *  NULL on a database error. */
json_t *catalog_export(struct store_conn *c);

/** The catalog's revision: bumped by every change. */
int catalog_revision(struct store_conn *c, int64_t *out);

/** The id of the department with code; 0 when there is none. */
int64_t catalog_department_id(struct store_conn *c, const char *code);
/** The code (64 bytes) and name (256 bytes) of department id: 1 found, 0 not,
 *  a negative store code on failure. */
int catalog_department_of(struct store_conn *c, int64_t id, char code[64], char name[256]);

/** May p edit items of department (code)? Catalog editors and system admins
 *  edit every department; a department admin edits their own. */
int catalog_may_edit(struct store_conn *c, const struct principal *p, const char *department);

/** Saves item (exchange-format object; its version and status are set here)
 *  as the draft of its code: the current draft is replaced, or a new draft
 *  is made as the next version. Refused: not well-formed (ERR_INVALID with the
 *  problems in rep), a department p may not edit (ERR_FORBIDDEN). *version
 *  receives the draft's version. */
int catalog_save_draft(struct store_conn *c, const struct principal *p, json_t *item,
                       const char *ip, struct catalog_report *rep, int64_t *version,
                       struct err *e);

/** Publishes the draft of code: carding must pass (ERR_INVALID with the
 *  problems in rep otherwise); the published version in force becomes
 *  superseded. effective_from defaults to today. ERR_NOT_FOUND when there is
 *  no draft. */
int catalog_publish(struct store_conn *c, const struct principal *p, const char *code,
                    const char *ip, struct catalog_report *rep, int64_t *version, struct err *e);

/** Withdraws the published version of code (no longer offered; history
 *  stays). ERR_NOT_FOUND when nothing of code is published. */
int catalog_withdraw(struct store_conn *c, const struct principal *p, const char *code,
                     const char *ip, struct err *e);

/** Every version of code, newest first: [{version, status, effective_from,
 *  created_at, published_at, level, name}]; NULL when the code is unknown. */
json_t *catalog_versions(struct store_conn *c, const char *code);

/** One version's object (version 0: the published one, else the newest).
 *  NULL when absent. */
json_t *catalog_item_get(struct store_conn *c, const char *code, int64_t version);

/** The items in force and the drafts (status set), of one department or of
 *  all (department NULL), by code then version. NULL on a database error. */
json_t *catalog_current(struct store_conn *c, const char *department);

/** Calls fn with each published item's summary (catalog_item_summary, as
 *  compact JSON text), by code. */
int catalog_each_published(struct store_conn *c,
                           int (*fn)(const char *doc, size_t len, void *ctx), void *ctx);
/** Same for departments and halls, as exchange objects (owned by the callee). */
json_t *catalog_departments(struct store_conn *c);
json_t *catalog_halls(struct store_conn *c);
#endif
