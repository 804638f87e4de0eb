/**
 * @file catalog.c
 * @brief The public catalog API: departments, items (search, facets,
 *        pagination), one item's guide with ETag and its versions, depth
 *        statistics. Everything is answered from the in-memory view
 *        (domain/catalog_view.h) except older versions, read from the store.
 */
#include "domain/catalog.h"
#include "api/api.h"
#include "core/i18n.h"
#include "core/mem.h"
#include "domain/catalog_store.h"
#include "domain/catalog_view.h"
#include "domain/search.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct catalog_view *view_or_fail(struct http_req *r)
{
    struct catalog_view *v = catalog_view_get(http_db(r));
    if (!v) http_fail(r, ERR_UNAVAILABLE, NULL, "err.detail.storage", NULL);
    return v;
}

/* Appends a JSON string (escaped) to b. */
static void put_json_str(struct buf *b, const char *s)
{
    json_t *j = json_string(s ? s : "");
    char *t = j ? json_dumps(j, JSON_ENCODE_ANY) : NULL;
    buf_puts(b, t ? t : "\"\"");
    free(t);
    json_decref(j);
}

static int reply_buf(struct http_req *r, struct buf *b)
{
    int rc = http_reply_bytes(r, 200, "application/json; charset=utf-8", buf_str(b), b->len);
    buf_free(b);
    return rc;
}

/* page and per_page: 0, or answered 422. */
static int paging(struct http_req *r, long *page, long *per_page, long def, long max)
{
    *page = api_positive_query(r, "page", 1);
    *per_page = api_positive_query(r, "per_page", def);
    if (*page < 0) return http_fail(r, ERR_INVALID, "page", "api.want_number", NULL), -1;
    if (*per_page < 0 || *per_page > max)
        return http_fail(r, ERR_INVALID, "per_page", "api.want_number", NULL), -1;
    return 0;
}

/* --- departments --- */

static void put_dept(struct buf *b, const struct cv_dept *d)
{
    /* the exchange object, with its counts added before the closing brace */
    buf_append(b, d->doc, strlen(d->doc) - 1);
    buf_printf(b, ",\"items\":%zu,\"at_least\":{\"1\":%zu,\"2\":%zu,\"3\":%zu,\"4\":%zu}}",
               d->nitems, d->at_least[1], d->at_least[2], d->at_least[3], d->at_least[4]);
}

int api_departments_list(struct http_req *r)
{
    long page, per_page;
    if (paging(r, &page, &per_page, 200, 500) < 0) return 0;
    struct catalog_view *v = view_or_fail(r);
    if (!v) return 0;
    struct buf b = BUF_INIT;
    buf_puts(&b, "{\"items\":[");
    size_t from = (size_t)((page - 1) * per_page);
    for (size_t i = from, k = 0; i < v->ndepts && k < (size_t)per_page; i++, k++) {
        if (k) buf_putc(&b, ',');
        put_dept(&b, &v->depts[i]);
    }
    buf_printf(&b, "],\"total\":%zu,\"page\":%ld,\"per_page\":%ld}", v->ndepts, page, per_page);
    catalog_view_put(v);
    return reply_buf(r, &b);
}

int api_departments_get(struct http_req *r)
{
    struct catalog_view *v = view_or_fail(r);
    if (!v) return 0;
    const struct cv_dept *d = catalog_view_dept(v, http_param(r, "code"));
    if (!d) {
        catalog_view_put(v);
        return http_fail(r, ERR_NOT_FOUND, NULL, "catalog.department_not_found", NULL);
    }
    struct buf b = BUF_INIT;
    put_dept(&b, d);
    b.len--; /* reopen the object for its children and items */
    buf_puts(&b, ",\"children\":[");
    int first = 1;
    for (size_t i = 0; i < v->ndepts; i++) {
        if (v->depts[i].parent && !strcmp(v->depts[i].parent, d->code)) {
            if (!first) buf_putc(&b, ',');
            first = 0;
            put_json_str(&b, v->depts[i].code);
        }
    }
    buf_puts(&b, "],\"services\":[");
    for (size_t i = 0; i < d->nitems; i++) {
        if (i) buf_putc(&b, ',');
        buf_puts(&b, v->items[d->items[i]].summary);
    }
    buf_puts(&b, "]}");
    catalog_view_put(v);
    return reply_buf(r, &b);
}

/* --- items --- */

/* The label of a facet value in the request's language. */
static const char *facet_label(struct http_req *r, const struct catalog_view *v,
                               enum catalog_facet f, const char *value)
{
    char key[64];
    switch (f) {
    case FACET_DEPARTMENT: {
        const struct cv_dept *d = catalog_view_dept(v, value);
        return d ? (r->lang == LANG_EN && d->name_en ? d->name_en : d->name) : value;
    }
    case FACET_REGION:
        return value;
    case FACET_TYPE:
        snprintf(key, sizeof key, "catalog.type.%s", value);
        break;
    case FACET_LEVEL:
        snprintf(key, sizeof key, "catalog.level.%s", value);
        break;
    case FACET_CHANNEL:
        snprintf(key, sizeof key, "catalog.channel.%s", value);
        break;
    default:
        snprintf(key, sizeof key, "catalog.target.%s", value);
        break;
    }
    return tr(r->lang, key);
}

static const char *const facet_names[FACET__COUNT] = {"department", "region",  "type",
                                                      "level",      "channel", "target"};

/* A filter value from the query, checked against its allowed values (NULL
 * list: any code). 0, or -1 when answered 422. */
static int filter(struct http_req *r, const char *name, const char *const *allowed,
                  const char **out)
{
    const char *s = http_query(r, name);
    *out = s && *s ? s : NULL;
    if (!*out) return 0;
    int ok = strlen(s) <= 64;
    if (ok && allowed) {
        ok = 0;
        for (size_t i = 0; allowed[i]; i++)
            ok |= !strcmp(allowed[i], s);
    }
    for (const char *p = s; ok && *p; p++)
        ok = (*p >= '0' && *p <= '9') || (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
             *p == '-' || *p == '_' || *p == '.';
    if (!ok) return http_fail(r, ERR_INVALID, name, "catalog.filter_bad", name), -1;
    return 0;
}

/* Parses the query of GET /api/v1/items and the search page alike. 0, or -1
 * when answered. */
int api_catalog_query(struct http_req *r, struct catalog_query *q)
{
    static const char *const targets[] = {"person", "enterprise", "both", NULL};
    static const char *const levels[] = {"1", "2", "3", "4", NULL};
    memset(q, 0, sizeof *q);
    q->q = http_query(r, "q");
    q->qlen = q->q ? strlen(q->q) : 0;
    if (q->qlen > 4 * SEARCH_MAX_QUERY)
        return http_fail(r, ERR_BAD_REQUEST, "q", "catalog.query_too_long", NULL), -1;
    const char *level;
    if (filter(r, "department", NULL, &q->department) < 0 ||
        filter(r, "region", NULL, &q->region) < 0 ||
        filter(r, "type", catalog_item_types, &q->type) < 0 ||
        filter(r, "target", targets, &q->target) < 0 ||
        filter(r, "channel", catalog_channels, &q->channel) < 0 ||
        filter(r, "theme", catalog_themes, &q->theme) < 0 || filter(r, "level", levels, &level) < 0)
        return -1;
    q->level = level ? level[0] - '0' : 0;
    return 0;
}

/* Runs q on v; 0, or -1 when answered 400 (a query that is not text). */
int api_catalog_run(struct http_req *r, const struct catalog_view *v, const struct catalog_query *q,
                    struct catalog_hits *hits)
{
    if (catalog_view_query(v, q, hits) == SEARCH_BAD) {
        int too_long = q->qlen > SEARCH_MAX_QUERY;
        return http_fail(r, ERR_BAD_REQUEST, "q",
                         too_long ? "catalog.query_too_long" : "catalog.query_bad", NULL),
               -1;
    }
    return 0;
}

int api_items_list(struct http_req *r)
{
    struct catalog_query q;
    long page, per_page;
    if (api_catalog_query(r, &q) < 0 || paging(r, &page, &per_page, 20, 100) < 0) return 0;
    struct catalog_view *v = view_or_fail(r);
    if (!v) return 0;
    /* the same question on the same revision has the same answer */
    struct buf key = BUF_INIT, b = BUF_INIT;
    buf_printf(&key, "api-items\x1f%d\x1f%ld\x1f%ld\x1f%d", (int)r->lang, page, per_page, q.level);
    const char *parts[] = {q.department, q.region, q.type, q.target, q.channel, q.theme, q.q};
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
        buf_printf(&key, "\x1f%s", parts[i] ? parts[i] : "");
    if (catalog_view_cache_get(v, buf_str(&key), &b)) {
        buf_free(&key);
        catalog_view_put(v);
        return reply_buf(r, &b);
    }
    struct catalog_hits hits;
    if (api_catalog_run(r, v, &q, &hits) < 0) {
        buf_free(&key);
        catalog_view_put(v);
        return 0;
    }
    buf_puts(&b, "{\"items\":[");
    size_t from = (size_t)((page - 1) * per_page);
    for (size_t i = from, k = 0; i < hits.n && k < (size_t)per_page; i++, k++) {
        if (k) buf_putc(&b, ',');
        buf_puts(&b, v->items[hits.idx[i]].summary);
    }
    buf_printf(&b, "],\"total\":%zu,\"page\":%ld,\"per_page\":%ld,\"facets\":{", hits.n, page,
               per_page);
    for (int f = 0; f < FACET__COUNT; f++) {
        buf_printf(&b, "%s\"%s\":[", f ? "," : "", facet_names[f]);
        for (size_t k = 0; k < hits.nfacets[f]; k++) {
            const struct catalog_facet_value *fv = &hits.facets[f][k];
            buf_puts(&b, k ? ",{\"value\":" : "{\"value\":");
            put_json_str(&b, fv->value);
            buf_puts(&b, ",\"label\":");
            put_json_str(&b, facet_label(r, v, (enum catalog_facet)f, fv->value));
            buf_printf(&b, ",\"count\":%zu}", fv->count);
        }
        buf_putc(&b, ']');
    }
    buf_puts(&b, "}}");
    catalog_hits_free(&hits);
    catalog_view_cache_put(v, buf_str(&key), buf_str(&b), b.len);
    buf_free(&key);
    catalog_view_put(v);
    return reply_buf(r, &b);
}

/* The version asked for by ?version=: 0 for the one in force, -1 when
 * answered 422. */
static int64_t version_query(struct http_req *r)
{
    const char *s = http_query(r, "version");
    if (!s) return 0;
    char *end;
    long long n = strtoll(s, &end, 10);
    if (!*s || *end || n < 1 || n > 100000)
        return http_fail(r, ERR_INVALID, "version", "catalog.version_bad", NULL), -1;
    return n;
}

json_t *api_item_guide(struct http_req *r, const struct catalog_view *v, const char *code,
                       int64_t version, int *status_out)
{
    const struct cv_item *x = catalog_view_item(v, code);
    int in_force = x && (!version || version == x->version);
    json_t *item = catalog_item_get(http_db(r), code, in_force ? x->version : version);
    if (!in_force) {
        const char *st = item ? json_string_value(json_object_get(item, "status")) : NULL;
        int editor = st && !strcmp(st, "draft") &&
                     catalog_may_edit(http_db(r), r->principal,
                                      json_string_value(json_object_get(item, "department")));
        /* drafts are the editors' own; a code with nothing public is unknown */
        if (st && !strcmp(st, "draft") && !editor) {
            json_decref(item);
            item = NULL;
        }
        if (item && !version && !x && strcmp(st, "draft")) {
            /* nothing in force: only versions asked for by number are shown */
            json_decref(item);
            item = NULL;
        }
    }
    if (!item) {
        *status_out = 404;
        return NULL;
    }
    *status_out = 200;
    json_object_set_new(item, "level",
                        json_integer(in_force ? x->level : catalog_item_level(item)));
    const char *dcode = json_string_value(json_object_get(item, "department"));
    const struct cv_dept *d = catalog_view_dept(v, dcode);
    json_object_set_new(item, "department_name", d ? json_string(d->name) : json_null());
    /* what changed since the previous version */
    int64_t ver = json_integer_value(json_object_get(item, "version"));
    json_t *prev = ver > 1 ? catalog_item_get(http_db(r), code, ver - 1) : NULL;
    if (prev) {
        json_object_set_new(item, "changes",
                            json_pack("{s:I, s:o}", "since_version", (json_int_t)(ver - 1),
                                      "members", catalog_item_changes(prev, item)));
        json_decref(prev);
    } else {
        json_object_set_new(item, "changes", json_null());
    }
    return item;
}

int api_items_get(struct http_req *r)
{
    int64_t version = version_query(r);
    if (version < 0) return 0;
    struct catalog_view *v = view_or_fail(r);
    if (!v) return 0;
    const char *code = http_param(r, "code");
    const struct cv_item *x = catalog_view_item(v, code);
    /* a published version never changes, but its department's name may:
     * the revision is part of the tag */
    char etag[160];
    int64_t shown = version ? version : x ? x->version : 0;
    snprintf(etag, sizeof etag, "\"r%lld-%.64s-v%lld\"", (long long)v->revision, code,
             (long long)shown);
    if (shown && (x || version) && http_etag_matches(r, etag)) {
        catalog_view_put(v);
        http_header_add(r, "ETag", etag);
        return http_reply_empty(r, 304);
    }
    int status;
    json_t *item = api_item_guide(r, v, code, version, &status);
    catalog_view_put(v);
    if (!item)
        return http_fail(r, ERR_NOT_FOUND, NULL,
                         version ? "catalog.version_not_found" : "catalog.not_found", NULL);
    const char *st = json_string_value(json_object_get(item, "status"));
    if (strcmp(st, "draft")) { /* a draft is not cached: it changes */
        http_header_add(r, "ETag", etag);
        http_header_add(r, "Cache-Control", "no-cache");
    } else {
        http_header_add(r, "Cache-Control", "no-store");
    }
    return http_reply_json(r, 200, item);
}

int api_item_versions(struct http_req *r)
{
    const char *code = http_param(r, "code");
    json_t *all = catalog_versions(http_db(r), code);
    if (!all) return http_fail(r, ERR_NOT_FOUND, NULL, "catalog.not_found", NULL);
    const char *dept = json_string_value(json_object_get(json_array_get(all, 0), "department"));
    int editor = catalog_may_edit(http_db(r), r->principal, dept);
    json_t *out = json_array();
    size_t i;
    json_t *e;
    json_array_foreach(all, i, e)
    {
        const char *st = json_string_value(json_object_get(e, "status"));
        if (editor || strcmp(st, "draft")) json_array_append(out, e);
    }
    json_decref(all);
    if (!json_array_size(out)) {
        json_decref(out);
        return http_fail(r, ERR_NOT_FOUND, NULL, "catalog.not_found", NULL);
    }
    size_t n = json_array_size(out);
    return http_reply_json(r, 200,
                           json_pack("{s:o, s:I, s:i, s:I}", "items", out, "total", (json_int_t)n,
                                     "page", 1, "per_page", (json_int_t)n));
}

int api_stats_depth(struct http_req *r)
{
    struct catalog_view *v = view_or_fail(r);
    if (!v) return 0;
    char etag[48];
    snprintf(etag, sizeof etag, "\"depth-r%lld\"", (long long)v->revision);
    http_header_add(r, "ETag", etag);
    http_header_add(r, "Cache-Control", "no-cache");
    int rc = http_etag_matches(r, etag)
                 ? http_reply_empty(r, 304)
                 : http_reply_bytes(r, 200, "application/json; charset=utf-8", v->depth,
                                    strlen(v->depth));
    catalog_view_put(v);
    return rc;
}
