/**
 * @file catalog_store.c
 * @brief The catalog in the database (docs/catalog.md "Storage").
 *
 * An item version is stored as its canonical exchange object without the
 * status (compact JSON in catalog_items.doc); the status lives in its column
 * because it is the one thing that changes after publishing. Every change
 * that the public can see bumps catalog_revision so the in-memory views of
 * all processes reload.
 */
#include "domain/catalog_store.h"
#include "core/clock.h"
#include "core/mem.h"
#include "domain/audit.h"
#include "http/http.h"
#include "store/store.h"
#include <pthread.h>
#include <stdio.h>
#include <string.h>

static const char *str_of(json_t *o, const char *name)
{
    return json_string_value(json_object_get(o, name));
}

/* Compact text of a JSON value, "" for NULL; caller frees. */
static char *dump(json_t *v)
{
    return v && !json_is_null(v) ? json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
}

/* The stored text of an item: canonical, without status. */
static char *item_doc_text(json_t *item)
{
    json_t *canon = catalog_item_canonical(item, NULL);
    char *s = json_dumps(canon, JSON_COMPACT);
    json_decref(canon);
    return s;
}

/* The summary column of an item (catalog_item_summary), compact. */
static char *summary_text(json_t *item)
{
    json_t *sum = catalog_item_summary(item);
    char *s = json_dumps(sum, JSON_COMPACT);
    json_decref(sum);
    return s;
}

/* An item object from its stored text with status put back in its place. */
static json_t *item_from_row(const char *doc, const char *status)
{
    json_t *raw = json_loads(doc, 0, NULL);
    if (!raw) return NULL;
    json_t *out = catalog_item_canonical(raw, status);
    json_decref(raw);
    return out;
}

static int bump_revision(struct store_conn *c)
{
    struct store_stmt *st;
    int rc =
        store_prepare(c, "UPDATE catalog_revision SET revision = revision + 1 WHERE id = 1", &st);
    if (rc < 0) return rc;
    rc = store_step(st);
    store_finalize(st);
    return rc < 0 ? rc : 0;
}

int catalog_revision(struct store_conn *c, int64_t *out)
{
    int rc = store_query_int64(c, out, "SELECT revision FROM catalog_revision WHERE id = 1", NULL);
    return rc == STORE_ROW ? 0 : (rc < 0 ? rc : STORE_ERROR);
}

int64_t catalog_department_id(struct store_conn *c, const char *code)
{
    int64_t id = 0;
    if (!code || store_query_int64(c, &id, "SELECT id FROM departments WHERE code = ?", code,
                                   NULL) != STORE_ROW)
        return 0;
    return id;
}

int catalog_department_of(struct store_conn *c, int64_t id, char code[64], char name[256])
{
    struct store_stmt *st;
    int rc = store_prepare(c, "SELECT code, name FROM departments WHERE id = ?", &st);
    if (rc < 0)
        return rc;
    store_bind_int64(st, 1, id);
    rc = store_step(st);
    if (rc == STORE_ROW) {
        snprintf(code, 64, "%s", store_column_text(st, 0) ? store_column_text(st, 0) : "");
        snprintf(name, 256, "%s", store_column_text(st, 1) ? store_column_text(st, 1) : "");
    }
    store_finalize(st);
    return rc == STORE_ROW ? 1 : rc < 0 ? rc : 0;
}

int catalog_may_edit(struct store_conn *c, const struct principal *p, const char *department)
{
    if (!p) return 0;
    if (p->roles & (ROLE_CATALOG_EDITOR | ROLE_SYSADMIN)) return 1;
    if ((p->roles & ROLE_DEPT_ADMIN) && p->department_id)
        return catalog_department_id(c, department) == p->department_id;
    return 0;
}

/* Runs one statement with text parameters (NULL binds NULL); STORE_DONE or an error. */
static int exec_texts(struct store_conn *c, const char *sql, int n, const char *const *v)
{
    struct store_stmt *st;
    int rc = store_prepare(c, sql, &st);
    if (rc < 0) return rc;
    for (int i = 0; i < n; i++)
        store_bind_text(st, i + 1, v[i]);
    rc = store_step(st);
    store_finalize(st);
    return rc == STORE_ROW ? STORE_DONE : rc;
}

/* --- import --- */

struct import_tx {
    json_t *doc;
    int64_t actor;
    const char *ip;
    catalog_locate_fn locate;
    void *locate_ctx;
    struct catalog_report *rep;
    size_t rep_n0, rep_err0, rep_warn0;
    struct catalog_import_counts counts;
};

/* A problem found against what is stored, placed in the source. */
static void import_problem(struct import_tx *t, size_t index, const char *code, const char *field,
                           const char *key, const char *arg)
{
    catalog_report_add(t->rep, 1, code, field, key, arg);
    struct catalog_problem *p = &t->rep->v[t->rep->n - 1];
    if (t->locate)
        t->locate(t->locate_ctx, "items", index, field, p->file, sizeof p->file, &p->line);
}

static int import_departments(struct store_conn *c, struct import_tx *t)
{
    size_t i;
    json_t *d;
    int rc;
    json_array_foreach(json_object_get(t->doc, "departments"), i, d)
    {
        char *contact = dump(json_object_get(d, "contact"));
        const char *v[] = {str_of(d, "code"), str_of(d, "name"), str_of(d, "name_en"),
                           str_of(d, "region"), contact};
        rc = exec_texts(c,
                        "INSERT INTO departments (code, name, name_en, region, contact) "
                        "VALUES (?, ?, ?, ?, ?) ON CONFLICT (code) DO UPDATE SET "
                        "name = excluded.name, name_en = excluded.name_en, "
                        "region = excluded.region, contact = excluded.contact",
                        5, v);
        free(contact);
        if (rc < 0) return rc;
        t->counts.departments++;
    }
    /* parents once every department exists */
    json_array_foreach(json_object_get(t->doc, "departments"), i, d)
    {
        const char *v[] = {str_of(d, "parent"), str_of(d, "code")};
        rc = exec_texts(c,
                        "UPDATE departments SET parent_id = (SELECT p.id FROM departments p "
                        "WHERE p.code = ?) WHERE code = ?",
                        2, v);
        if (rc < 0) return rc;
    }
    return 0;
}

static int import_halls(struct store_conn *c, struct import_tx *t)
{
    size_t i;
    json_t *h;
    json_array_foreach(json_object_get(t->doc, "halls"), i, h)
    {
        json_t *canon = catalog_hall_canonical(h);
        char *doc = json_dumps(canon, JSON_COMPACT);
        json_decref(canon);
        const char *v[] = {str_of(h, "code"), str_of(h, "name"), str_of(h, "region"), doc};
        int rc = exec_texts(c,
                            "INSERT INTO halls (code, name, region, doc) VALUES (?, ?, ?, ?) "
                            "ON CONFLICT (code) DO UPDATE SET name = excluded.name, "
                            "region = excluded.region, doc = excluded.doc",
                            4, v);
        free(doc);
        if (rc < 0) return rc;
        t->counts.halls++;
    }
    return 0;
}

/* The stored version (code, version): its status and doc, or found = 0. */
struct stored {
    int found;
    char status[16];
    char *doc;
};

static int load_stored(struct store_conn *c, const char *code, int64_t version, struct stored *out)
{
    memset(out, 0, sizeof *out);
    struct store_stmt *st;
    int rc = store_prepare(
        c, "SELECT status, doc FROM catalog_items WHERE code = ? AND version = ?", &st);
    if (rc < 0) return rc;
    store_bind_text(st, 1, code);
    store_bind_int64(st, 2, version);
    rc = store_step(st);
    if (rc == STORE_ROW) {
        out->found = 1;
        snprintf(out->status, sizeof out->status, "%s", store_column_text(st, 0));
        out->doc = xstrdup(store_column_text(st, 1) ? store_column_text(st, 1) : "");
    }
    store_finalize(st);
    return rc < 0 ? rc : 0;
}

static int insert_version(struct store_conn *c, json_t *item, const char *status, const char *doc,
                          int64_t actor, const char *now)
{
    struct store_stmt *st;
    int rc = store_prepare(c,
                           "INSERT INTO catalog_items (code, version, status, department_code, "
                           "name, level, effective_from, doc, created_at, created_by, "
                           "published_at, published_by, summary) VALUES (?, ?, ?, ?, ?, ?, ?, ?, "
                           "?, ?, ?, ?, ?)",
                           &st);
    if (rc < 0) return rc;
    int published = strcmp(status, "draft") != 0;
    store_bind_text(st, 1, str_of(item, "code"));
    store_bind_int64(st, 2, json_integer_value(json_object_get(item, "version")));
    store_bind_text(st, 3, status);
    store_bind_text(st, 4, str_of(item, "department"));
    store_bind_text(st, 5, str_of(item, "name"));
    store_bind_int64(st, 6, catalog_item_level(item));
    store_bind_text(st, 7, str_of(item, "effective_from"));
    store_bind_text(st, 8, doc);
    store_bind_text(st, 9, now);
    if (actor)
        store_bind_int64(st, 10, actor);
    else
        store_bind_null(st, 10);
    store_bind_text(st, 11, published ? now : NULL);
    if (published && actor)
        store_bind_int64(st, 12, actor);
    else
        store_bind_null(st, 12);
    char *sum = summary_text(item);
    store_bind_text(st, 13, sum);
    rc = store_step(st);
    free(sum);
    store_finalize(st);
    return rc < 0 ? rc : 0;
}

static int update_version(struct store_conn *c, json_t *item, const char *status, const char *doc)
{
    struct store_stmt *st;
    int rc = store_prepare(c,
                           "UPDATE catalog_items SET status = ?, department_code = ?, name = ?, "
                           "level = ?, effective_from = ?, doc = ?, summary = ? WHERE code = ? "
                           "AND version = ?",
                           &st);
    if (rc < 0) return rc;
    store_bind_text(st, 1, status);
    store_bind_text(st, 2, str_of(item, "department"));
    store_bind_text(st, 3, str_of(item, "name"));
    store_bind_int64(st, 4, catalog_item_level(item));
    store_bind_text(st, 5, str_of(item, "effective_from"));
    store_bind_text(st, 6, doc);
    char *sum = summary_text(item);
    store_bind_text(st, 7, sum);
    store_bind_text(st, 8, str_of(item, "code"));
    store_bind_int64(st, 9, json_integer_value(json_object_get(item, "version")));
    rc = store_step(st);
    free(sum);
    store_finalize(st);
    return rc < 0 ? rc : 0;
}

static int set_status(struct store_conn *c, const char *code, int64_t version, const char *status)
{
    struct store_stmt *st;
    int rc =
        store_prepare(c, "UPDATE catalog_items SET status = ? WHERE code = ? AND version = ?", &st);
    if (rc < 0) return rc;
    store_bind_text(st, 1, status);
    store_bind_text(st, 2, code);
    store_bind_int64(st, 3, version);
    rc = store_step(st);
    store_finalize(st);
    return rc < 0 ? rc : 0;
}

/* Supersedes the published versions of code older than version. */
static int supersede_older(struct store_conn *c, const char *code, int64_t version)
{
    struct store_stmt *st;
    int rc = store_prepare(c,
                           "UPDATE catalog_items SET status = 'superseded' WHERE code = ? AND "
                           "status = 'published' AND version < ?",
                           &st);
    if (rc < 0) return rc;
    store_bind_text(st, 1, code);
    store_bind_int64(st, 2, version);
    rc = store_step(st);
    store_finalize(st);
    return rc < 0 ? rc : 0;
}

/* The status a stored version may move to by import: a frozen version only
 * forward in its life (published -> superseded or withdrawn). */
static int status_may_move(const char *from, const char *to)
{
    return !strcmp(from, to) || !strcmp(from, "draft") ||
           (!strcmp(from, "published") && (!strcmp(to, "superseded") || !strcmp(to, "withdrawn")));
}

static int import_item(struct store_conn *c, struct import_tx *t, size_t index, json_t *item,
                       const char *now)
{
    const char *code = str_of(item, "code");
    const char *status = str_of(item, "status");
    int64_t version = json_integer_value(json_object_get(item, "version"));
    char vtext[24];
    snprintf(vtext, sizeof vtext, "%lld", (long long)version);
    int rc;
    int64_t other = 0;
    if (!strcmp(status, "published")) {
        rc = store_query_int64(c, &other,
                               "SELECT version FROM catalog_items WHERE code = ? AND "
                               "status = 'published' AND version > ?",
                               code, vtext, NULL);
        if (rc < 0) return rc;
        if (rc == STORE_ROW) {
            char arg[24];
            snprintf(arg, sizeof arg, "%lld", (long long)other);
            import_problem(t, index, code, "version", "catalog.newer_published", arg);
            return 0;
        }
    }
    if (!strcmp(status, "draft")) {
        rc = store_query_int64(c, &other,
                               "SELECT version FROM catalog_items WHERE code = ? AND "
                               "status <> 'draft' AND version >= ?",
                               code, vtext, NULL);
        if (rc < 0) return rc;
        if (rc == STORE_ROW) {
            import_problem(t, index, code, "version", "catalog.draft_not_newest", NULL);
            return 0;
        }
        /* one draft per code: the imported one replaces another stored draft */
        const char *v[] = {code, vtext};
        if ((rc = exec_texts(c,
                             "DELETE FROM catalog_items WHERE code = ? AND status = 'draft' AND "
                             "version <> ?",
                             2, v)) < 0)
            return rc;
    }
    struct stored s;
    if ((rc = load_stored(c, code, version, &s)) < 0) return rc;
    char *doc = item_doc_text(item);
    if (!s.found) {
        rc = insert_version(c, item, status, doc, t->actor, now);
        t->counts.items_added++;
    } else if (!strcmp(s.status, "draft")) {
        rc = strcmp(s.doc, doc) || strcmp(s.status, status) ? update_version(c, item, status, doc)
                                                            : 0;
        if (strcmp(s.doc, doc) || strcmp(s.status, status))
            t->counts.items_replaced++;
        else
            t->counts.items_unchanged++;
    } else if (strcmp(s.doc, doc) || !status_may_move(s.status, status)) {
        import_problem(t, index, code, strcmp(s.doc, doc) ? "" : "status", "catalog.version_frozen",
                       vtext);
        rc = 0;
    } else {
        rc = strcmp(s.status, status) ? set_status(c, code, version, status) : 0;
        t->counts.items_unchanged++;
    }
    free(doc);
    free(s.doc);
    if (rc < 0) return rc;
    if (!strcmp(status, "published")) return supersede_older(c, code, version);
    return 0;
}

static int import_fn(struct store_conn *c, void *ctx)
{
    struct import_tx *t = ctx;
    /* a retried transaction starts its findings afresh */
    t->rep->n = t->rep_n0;
    t->rep->errors = t->rep_err0;
    t->rep->warnings = t->rep_warn0;
    memset(&t->counts, 0, sizeof t->counts);
    int rc;
    if ((rc = import_departments(c, t)) < 0 || (rc = import_halls(c, t)) < 0) return rc;
    char now[32];
    clock_format_iso(clock_now_ms(), now);
    size_t i;
    json_t *item;
    json_array_foreach(json_object_get(t->doc, "items"), i, item)
    {
        if ((rc = import_item(c, t, i, item, now)) < 0) return rc;
    }
    if (t->rep->errors > t->rep_err0) return -ERR_INVALID;
    if ((rc = bump_revision(c)) < 0) return rc;
    char detail[200];
    snprintf(detail, sizeof detail,
             "{\"departments\":%ld,\"halls\":%ld,\"added\":%ld,\"unchanged\":%ld,"
             "\"replaced\":%ld}",
             t->counts.departments, t->counts.halls, t->counts.items_added,
             t->counts.items_unchanged, t->counts.items_replaced);
    return audit_record(c, t->actor, "catalog.import", "catalog", detail, t->ip);
}

int catalog_import(struct store_conn *c, json_t *doc, int64_t actor_id, const char *ip,
                   catalog_locate_fn locate, void *locate_ctx, struct catalog_report *rep,
                   struct catalog_import_counts *counts, struct err *e)
{
    err_clear(e);
    char n[24];
    if (catalog_doc_check(doc, rep, locate, locate_ctx) > 0) {
        snprintf(n, sizeof n, "%zu", rep->errors);
        return err_set(e, ERR_INVALID, NULL, "catalog.import_invalid", n);
    }
    struct import_tx t = {doc, actor_id, ip,          locate,        locate_ctx,
                          rep, rep->n,   rep->errors, rep->warnings, {0}};
    int rc = store_tx(c, import_fn, &t);
    if (rc == -ERR_INVALID) {
        snprintf(n, sizeof n, "%zu", rep->errors);
        return err_set(e, ERR_INVALID, NULL, "catalog.import_invalid", n);
    }
    if (rc < 0) return err_set(e, ERR_UNAVAILABLE, NULL, "err.detail.storage", NULL);
    if (counts) *counts = t.counts;
    return 0;
}

/* --- export and reads --- */

json_t *catalog_departments(struct store_conn *c)
{
    struct store_stmt *st;
    if (store_prepare(c,
                      "SELECT d.code, d.name, d.name_en, p.code, d.region, d.contact FROM "
                      "departments d LEFT JOIN departments p ON p.id = d.parent_id ORDER BY d.code",
                      &st) < 0)
        return NULL;
    json_t *out = json_array();
    int rc;
    while ((rc = store_step(st)) == STORE_ROW) {
        json_t *d = json_object();
        for (int col = 0; col < 5; col++) {
            static const char *const names[] = {"code", "name", "name_en", "parent", "region"};
            const char *s = store_column_text(st, col);
            json_object_set_new(d, names[col], s ? json_string(s) : json_null());
        }
        const char *contact = store_column_text(st, 5);
        json_t *cv = contact ? json_loads(contact, 0, NULL) : NULL;
        json_object_set_new(d, "contact", json_is_object(cv) ? cv : json_null());
        if (cv && !json_is_object(cv)) json_decref(cv);
        json_t *canon = catalog_department_canonical(d);
        json_decref(d);
        json_array_append_new(out, canon);
    }
    store_finalize(st);
    if (rc < 0) {
        json_decref(out);
        return NULL;
    }
    return out;
}

json_t *catalog_halls(struct store_conn *c)
{
    struct store_stmt *st;
    if (store_prepare(c, "SELECT doc FROM halls ORDER BY code", &st) < 0) return NULL;
    json_t *out = json_array();
    int rc;
    while ((rc = store_step(st)) == STORE_ROW) {
        json_t *h = json_loads(store_column_text(st, 0), 0, NULL);
        if (h) json_array_append_new(out, h);
    }
    store_finalize(st);
    if (rc < 0) {
        json_decref(out);
        return NULL;
    }
    return out;
}

json_t *catalog_export(struct store_conn *c)
{
    json_t *depts = catalog_departments(c), *halls = catalog_halls(c);
    struct store_stmt *st = NULL;
    if (!depts || !halls ||
        store_prepare(c, "SELECT doc, status FROM catalog_items ORDER BY code, version", &st) < 0) {
        json_decref(depts);
        json_decref(halls);
        return NULL;
    }
    json_t *items = json_array();
    int rc;
    while ((rc = store_step(st)) == STORE_ROW) {
        json_t *it = item_from_row(store_column_text(st, 0), store_column_text(st, 1));
        if (it) json_array_append_new(items, it);
    }
    store_finalize(st);
    if (rc < 0) {
        json_decref(depts);
        json_decref(halls);
        json_decref(items);
        return NULL;
    }
    return json_pack("{s:s, s:o, s:o, s:o}", "format", CATALOG_FORMAT, "departments", depts,
                     "halls", halls, "items", items);
}

json_t *catalog_versions(struct store_conn *c, const char *code)
{
    struct store_stmt *st;
    if (store_prepare(c,
                      "SELECT version, status, effective_from, created_at, published_at, level, "
                      "name, department_code FROM catalog_items WHERE code = ? "
                      "ORDER BY version DESC",
                      &st) < 0)
        return NULL;
    store_bind_text(st, 1, code);
    json_t *out = json_array();
    int rc;
    while ((rc = store_step(st)) == STORE_ROW) {
        json_t *v = json_object();
        json_object_set_new(v, "version", json_integer(store_column_int64(st, 0)));
        static const char *const names[] = {NULL, "status", "effective_from", "created_at",
                                            "published_at"};
        for (int col = 1; col <= 4; col++) {
            const char *s = store_column_text(st, col);
            json_object_set_new(v, names[col], s ? json_string(s) : json_null());
        }
        json_object_set_new(v, "level", json_integer(store_column_int64(st, 5)));
        json_object_set_new(v, "name", json_string(store_column_text(st, 6)));
        json_object_set_new(v, "department", json_string(store_column_text(st, 7)));
        json_array_append_new(out, v);
    }
    store_finalize(st);
    if (rc < 0 || json_array_size(out) == 0) {
        json_decref(out);
        return NULL;
    }
    return out;
}

/* Parsed documents of versions that can no longer change. Only a draft's
 * document is ever edited; a row that leaves draft keeps its document for
 * good, and a row is never made again under the same id. So the cache is
 * keyed by row id, needs no invalidation, and is bounded by its slots
 * (direct-mapped: a newer entry takes the slot). An application reads its
 * item twice and a guide once per request; copying a parsed document costs a
 * fifth of parsing it. */
#define DOC_CACHE_SLOTS 512
#define DOC_CACHE_MAX_TEXT (64 * 1024) /* larger documents are parsed each time */

static struct {
    pthread_mutex_t lock;
    struct {
        int64_t id;
        json_t *doc;
    } slot[DOC_CACHE_SLOTS];
} doc_cache = {.lock = PTHREAD_MUTEX_INITIALIZER};

static json_t *doc_cache_copy(int64_t id)
{
    json_t *doc = NULL;
    pthread_mutex_lock(&doc_cache.lock);
    size_t i = (size_t)id % DOC_CACHE_SLOTS;
    if (doc_cache.slot[i].doc && doc_cache.slot[i].id == id)
        doc = json_incref(doc_cache.slot[i].doc); /* jansson counts atomically */
    pthread_mutex_unlock(&doc_cache.lock);
    /* copied outside the lock: nobody changes a cached document */
    json_t *out = doc ? json_deep_copy(doc) : NULL;
    json_decref(doc);
    return out;
}

static void doc_cache_put(int64_t id, json_t *doc)
{
    json_t *mine = json_deep_copy(doc), *old;
    pthread_mutex_lock(&doc_cache.lock);
    size_t i = (size_t)id % DOC_CACHE_SLOTS;
    old = doc_cache.slot[i].doc;
    doc_cache.slot[i].id = id;
    doc_cache.slot[i].doc = mine;
    pthread_mutex_unlock(&doc_cache.lock);
    json_decref(old);
}

json_t *catalog_item_get(struct store_conn *c, const char *code, int64_t version)
{
    struct store_stmt *st;
    int rc = store_prepare(c,
                           version ? "SELECT id, status, CASE WHEN status = 'draft' THEN doc END "
                                     "FROM catalog_items WHERE code = ? AND version = ?"
                                   : "SELECT id, status, CASE WHEN status = 'draft' THEN doc END "
                                     "FROM catalog_items WHERE code = ? ORDER BY CASE WHEN "
                                     "status = 'published' THEN 0 ELSE 1 END, version DESC LIMIT 1",
                           &st);
    if (rc < 0) return NULL;
    store_bind_text(st, 1, code);
    if (version) store_bind_int64(st, 2, version);
    int64_t id = 0;
    char status[16] = "";
    json_t *out = NULL;
    if (store_step(st) == STORE_ROW) {
        id = store_column_int64(st, 0);
        snprintf(status, sizeof status, "%s", store_column_text(st, 1));
        /* a draft's document comes along: it is never cached */
        if (store_column_text(st, 2)) out = json_loads(store_column_text(st, 2), 0, NULL);
    }
    store_finalize(st);
    if (!id) return NULL;
    int frozen = strcmp(status, "draft") != 0;
    if (frozen) out = doc_cache_copy(id);
    if (!out && frozen) {
        if (store_prepare(c, "SELECT doc FROM catalog_items WHERE id = ?", &st) < 0) return NULL;
        store_bind_int64(st, 1, id);
        if (store_step(st) == STORE_ROW) {
            const char *doc = store_column_text(st, 0);
            out = json_loads(doc, 0, NULL);
            if (out && strlen(doc) <= DOC_CACHE_MAX_TEXT) doc_cache_put(id, out);
        }
        store_finalize(st);
    }
    /* the stored text is canonical already; status goes at the end
     * (readers do not care where, and this is on every guide shown) */
    if (out) json_object_set_new(out, "status", json_string(status));
    return out;
}

json_t *catalog_current(struct store_conn *c, const char *department)
{
    struct store_stmt *st;
    if (store_prepare(c,
                      department ? "SELECT doc, status FROM catalog_items WHERE status IN "
                                   "('draft', 'published') AND department_code = ? "
                                   "ORDER BY code, version"
                                 : "SELECT doc, status FROM catalog_items WHERE status IN "
                                   "('draft', 'published') ORDER BY code, version",
                      &st) < 0)
        return NULL;
    if (department) store_bind_text(st, 1, department);
    json_t *out = json_array();
    int rc;
    while ((rc = store_step(st)) == STORE_ROW) {
        json_t *it = item_from_row(store_column_text(st, 0), store_column_text(st, 1));
        if (it) json_array_append_new(out, it);
    }
    store_finalize(st);
    if (rc < 0) {
        json_decref(out);
        return NULL;
    }
    return out;
}

int catalog_each_published(struct store_conn *c,
                           int (*fn)(const char *summary, size_t len, void *ctx), void *ctx)
{
    struct store_stmt *st;
    int rc = store_prepare(c,
                           "SELECT summary, CASE WHEN summary IS NULL THEN doc END FROM "
                           "catalog_items WHERE status = 'published' ORDER BY code",
                           &st);
    if (rc < 0) return rc;
    while ((rc = store_step(st)) == STORE_ROW) {
        const char *sum = store_column_text(st, 0);
        char *made = NULL;
        if (!sum) { /* written before summaries were kept */
            json_t *doc = json_loads(store_column_text(st, 1), 0, NULL);
            json_t *s = doc ? catalog_item_summary(doc) : NULL;
            made = s ? json_dumps(s, JSON_COMPACT) : NULL;
            json_decref(s);
            json_decref(doc);
            if (!made) continue;
            sum = made;
        }
        rc = fn(sum, strlen(sum), ctx);
        free(made);
        if (rc < 0) break;
    }
    store_finalize(st);
    return rc < 0 ? rc : 0;
}

/* --- the editors' life cycle --- */

static int storage_err(struct err *e)
{
    return e && e->code != ERR_OK ? -(int)e->code
                                  : err_set(e, ERR_UNAVAILABLE, NULL, "err.detail.storage", NULL);
}

static void audit_item(struct store_conn *c, int64_t actor, const char *action, const char *code,
                       int64_t version, const char *ip, int *rc)
{
    char target[100], detail[40];
    snprintf(target, sizeof target, "item:%s", code);
    snprintf(detail, sizeof detail, "{\"version\":%lld}", (long long)version);
    *rc = audit_record(c, actor, action, target, detail, ip);
}

struct draft_tx {
    const struct principal *p;
    json_t *item;
    const char *ip;
    int64_t version;
    struct err *e;
};

static int draft_fn(struct store_conn *c, void *ctx)
{
    struct draft_tx *t = ctx;
    const char *code = str_of(t->item, "code");
    int64_t v = 0;
    char now[32];
    clock_format_iso(clock_now_ms(), now);
    /* the department that owns the code now must be editable too */
    struct store_stmt *st;
    int rc = store_prepare(c,
                           "SELECT department_code FROM catalog_items WHERE code = ? "
                           "ORDER BY version DESC LIMIT 1",
                           &st);
    if (rc < 0) return rc;
    store_bind_text(st, 1, code);
    rc = store_step(st);
    int owned_elsewhere = rc == STORE_ROW && !catalog_may_edit(c, t->p, store_column_text(st, 0));
    store_finalize(st);
    if (rc < 0) return rc;
    if (owned_elsewhere) return err_set(t->e, ERR_FORBIDDEN, "code", "catalog.not_your_item", code);
    rc = store_query_int64(
        c, &v, "SELECT version FROM catalog_items WHERE code = ? AND status = 'draft'", code, NULL);
    if (rc < 0) return rc;
    int replace = rc == STORE_ROW;
    if (!replace) {
        rc = store_query_int64(c, &v,
                               "SELECT COALESCE(MAX(version), 0) + 1 FROM catalog_items WHERE "
                               "code = ?",
                               code, NULL);
        if (rc != STORE_ROW) return rc < 0 ? rc : STORE_ERROR;
    }
    json_object_set_new(t->item, "version", json_integer(v));
    char *doc = item_doc_text(t->item);
    rc = replace ? update_version(c, t->item, "draft", doc)
                 : insert_version(c, t->item, "draft", doc, t->p->account_id, now);
    free(doc);
    if (rc == STORE_CONSTRAINT)
        return err_set(t->e, ERR_CONFLICT, "code", "catalog.draft_conflict", code);
    if (rc < 0) return rc;
    t->version = v;
    audit_item(c, t->p->account_id, "catalog.draft", code, v, t->ip, &rc);
    return rc;
}

int catalog_save_draft(struct store_conn *c, const struct principal *p, json_t *item,
                       const char *ip, struct catalog_report *rep, int64_t *version, struct err *e)
{
    err_clear(e);
    if (!json_is_object(item)) return err_set(e, ERR_INVALID, NULL, "catalog.want_object", NULL);
    /* version and status are the store's to give */
    json_object_set_new(item, "version", json_integer(1));
    json_object_set_new(item, "status", json_string("draft"));
    char n[24];
    if (catalog_item_check(item, rep) > 0) {
        snprintf(n, sizeof n, "%zu", rep->errors);
        return err_set(e, ERR_INVALID, NULL, "catalog.item_invalid", n);
    }
    const char *dept = str_of(item, "department");
    if (!catalog_department_id(c, dept)) {
        catalog_report_add(rep, 1, str_of(item, "code"), "department", "catalog.unknown_department",
                           dept);
        return err_set(e, ERR_INVALID, "department", "catalog.unknown_department", dept);
    }
    size_t k;
    json_t *loc;
    json_array_foreach(json_object_get(item, "locations"), k, loc)
    {
        int64_t one;
        if (store_query_int64(c, &one, "SELECT 1 FROM halls WHERE code = ?", str_of(loc, "hall"),
                              NULL) != STORE_ROW) {
            char field[40];
            snprintf(field, sizeof field, "locations[%zu].hall", k);
            catalog_report_add(rep, 1, str_of(item, "code"), field, "catalog.unknown_hall",
                               str_of(loc, "hall"));
            return err_set(e, ERR_INVALID, field, "catalog.unknown_hall", str_of(loc, "hall"));
        }
    }
    if (!catalog_may_edit(c, p, dept))
        return err_set(e, ERR_FORBIDDEN, "department", "catalog.not_your_department", dept);
    struct draft_tx t = {p, item, ip, 0, e};
    if (store_tx(c, draft_fn, &t) < 0) return storage_err(e);
    if (version) *version = t.version;
    return 0;
}

struct publish_tx {
    const struct principal *p;
    const char *code, *ip;
    int64_t version;
    json_t *item; /* the draft, ready to publish */
    struct err *e;
};

static int publish_fn(struct store_conn *c, void *ctx)
{
    struct publish_tx *t = ctx;
    char now[32];
    clock_format_iso(clock_now_ms(), now);
    int rc = supersede_older(c, t->code, t->version);
    if (rc < 0) return rc;
    char *doc = item_doc_text(t->item);
    struct store_stmt *st;
    rc = store_prepare(c,
                       "UPDATE catalog_items SET status = 'published', doc = ?, level = ?, "
                       "effective_from = ?, published_at = ?, published_by = ?, summary = ? "
                       "WHERE code = ? AND version = ? AND status = 'draft'",
                       &st);
    if (rc < 0) {
        free(doc);
        return rc;
    }
    store_bind_text(st, 1, doc);
    store_bind_int64(st, 2, catalog_item_level(t->item));
    store_bind_text(st, 3, str_of(t->item, "effective_from"));
    store_bind_text(st, 4, now);
    store_bind_int64(st, 5, t->p->account_id);
    char *sum = summary_text(t->item);
    store_bind_text(st, 6, sum);
    store_bind_text(st, 7, t->code);
    store_bind_int64(st, 8, t->version);
    rc = store_step(st);
    int64_t changed = store_changes(st);
    store_finalize(st);
    free(doc);
    free(sum);
    if (rc < 0) return rc;
    if (changed != 1) /* published or replaced by someone else meanwhile */
        return err_set(t->e, ERR_CONFLICT, NULL, "catalog.draft_changed", t->code);
    if ((rc = bump_revision(c)) < 0) return rc;
    audit_item(c, t->p->account_id, "catalog.publish", t->code, t->version, t->ip, &rc);
    return rc;
}

int catalog_publish(struct store_conn *c, const struct principal *p, const char *code,
                    const char *ip, struct catalog_report *rep, int64_t *version, struct err *e)
{
    err_clear(e);
    struct store_stmt *st;
    if (store_prepare(c,
                      "SELECT version, doc, department_code FROM catalog_items WHERE code = ? "
                      "AND status = 'draft'",
                      &st) < 0)
        return storage_err(e);
    store_bind_text(st, 1, code);
    int rc = store_step(st);
    int64_t v = 0;
    json_t *item = NULL;
    int may = 0;
    if (rc == STORE_ROW) {
        v = store_column_int64(st, 0);
        item = item_from_row(store_column_text(st, 1), "published");
        may = catalog_may_edit(c, p, store_column_text(st, 2));
    }
    store_finalize(st);
    if (rc < 0) return storage_err(e);
    if (!item) return err_set(e, ERR_NOT_FOUND, "code", "catalog.no_draft", code);
    if (!may) {
        err_set(e, ERR_FORBIDDEN, NULL, "catalog.not_your_department", str_of(item, "department"));
        json_decref(item);
        return -ERR_FORBIDDEN;
    }
    char today[32];
    clock_format_iso(clock_now_ms(), today);
    today[10] = '\0';
    const char *eff = str_of(item, "effective_from");
    if (!eff)
        json_object_set_new(item, "effective_from", json_string(today));
    else if (strcmp(eff, today) > 0) {
        catalog_report_add(rep, 1, code, "effective_from", "catalog.effective_future", eff);
        json_decref(item);
        return err_set(e, ERR_INVALID, "effective_from", "catalog.effective_future", eff);
    }
    char n[24];
    if (catalog_item_card(item, rep) > 0) {
        json_decref(item);
        snprintf(n, sizeof n, "%zu", rep->errors);
        return err_set(e, ERR_INVALID, NULL, "catalog.card_failed", n);
    }
    struct publish_tx t = {p, code, ip, v, item, e};
    rc = store_tx(c, publish_fn, &t);
    json_decref(item);
    if (rc < 0) return storage_err(e);
    if (version) *version = v;
    return 0;
}

struct withdraw_tx {
    const struct principal *p;
    const char *code, *ip;
    struct err *e;
};

static int withdraw_fn(struct store_conn *c, void *ctx)
{
    struct withdraw_tx *t = ctx;
    struct store_stmt *st;
    int rc = store_prepare(c,
                           "SELECT version, department_code FROM catalog_items WHERE code = ? "
                           "AND status = 'published'",
                           &st);
    if (rc < 0) return rc;
    store_bind_text(st, 1, t->code);
    rc = store_step(st);
    int64_t v = rc == STORE_ROW ? store_column_int64(st, 0) : 0;
    int may = rc == STORE_ROW && catalog_may_edit(c, t->p, store_column_text(st, 1));
    store_finalize(st);
    if (rc < 0) return rc;
    if (!v) return err_set(t->e, ERR_NOT_FOUND, "code", "catalog.not_published", t->code);
    if (!may) return err_set(t->e, ERR_FORBIDDEN, NULL, "catalog.not_your_item", t->code);
    if ((rc = set_status(c, t->code, v, "withdrawn")) < 0 || (rc = bump_revision(c)) < 0) return rc;
    audit_item(c, t->p->account_id, "catalog.withdraw", t->code, v, t->ip, &rc);
    return rc;
}

int catalog_withdraw(struct store_conn *c, const struct principal *p, const char *code,
                     const char *ip, struct err *e)
{
    err_clear(e);
    struct withdraw_tx t = {p, code, ip, e};
    if (store_tx(c, withdraw_fn, &t) < 0) return storage_err(e);
    return 0;
}
