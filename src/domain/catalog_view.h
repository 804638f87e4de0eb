/**
 * @file catalog_view.h
 * @brief What the public sees of the catalog, in memory: the published items
 *        with their departments and halls, a search index, facets and depth
 *        statistics (docs/catalog.md "Serving").
 *
 * A view is an immutable snapshot of one catalog revision, shared by every
 * request thread and freed when the last one lets go. The process checks
 * the revision at most every two seconds (so changes made by another process
 * on the same database show within that time) and at once after its own
 * changes (catalog_view_stale).
 */
#ifndef ONEHALL_CATALOG_VIEW_H
#define ONEHALL_CATALOG_VIEW_H
#include "core/mem.h"
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

struct store;
struct store_conn;

/** One published item: what lists, filters and facets need and its list
 *  entry as compact JSON. The whole item is read from the store when its
 *  guide is shown: that keeps the view small and its building quick. */
struct cv_item {
    const char *code, *name, *short_name, *department, *region, *type, *target, *handling;
    const char *effective_from;
    int64_t version;
    int level;            /**< depth of online service, 1..4 */
    unsigned channels;    /**< enum catalog_channel bits */
    unsigned themes;      /**< bit i: catalog_themes[i] */
    size_t dept;          /**< index into the view's departments */
    int region_ix, type_ix; /**< indexes into the view's regions, catalog_item_types */
    const char **keywords;
    size_t nkeywords;
    unsigned targets;     /**< bit 0: for persons, bit 1: for enterprises */
    const char *summary;  /**< list entry, compact JSON */
};

struct cv_dept {
    const char *code, *name, *name_en, *parent, *region;
    const char *doc;      /**< exchange object, compact JSON */
    size_t nitems;        /**< published items of the department itself */
    size_t at_least[5];   /**< [k]: of those, reaching level k or deeper */
    uint32_t *items;      /**< their indexes, by code */
};

struct catalog_view {
    int64_t revision;
    struct cv_item *items; /**< by code */
    size_t nitems;
    struct cv_dept *depts; /**< by code */
    size_t ndepts;
    const char *halls;     /**< JSON array text of the halls */
    struct cv_hall { const char *code, *name, *address; } *hallv; /**< by code */
    size_t nhalls;
    const char **regions;  /**< distinct item regions, sorted */
    size_t nregions;
    const char *depth;     /**< GET /api/v1/stats/depth body */
    size_t at_least[5];
    struct search_index *search;
    struct cv_cache *cache; /**< whole answers of this revision (see below) */
    /* private */
    struct arena *arena;
    int refs;
};

/** The current view, with a reference the caller gives back with
 *  catalog_view_put. Builds it on first use and when the catalog's revision
 *  moved. NULL when the database fails and there is no view yet. */
struct catalog_view *catalog_view_get(struct store_conn *c);
void catalog_view_put(struct catalog_view *v);
/** The next catalog_view_get checks the revision at once. */
void catalog_view_stale(void);
/** Drops the current view (at exit, so leak checkers stay quiet). */
void catalog_view_shutdown(void);

/** Builds a view of what c holds now; NULL on a database error. */
struct catalog_view *catalog_view_build(struct store_conn *c);

const struct cv_item *catalog_view_item(const struct catalog_view *v, const char *code);
const struct cv_dept *catalog_view_dept(const struct catalog_view *v, const char *code);
const struct cv_hall *catalog_view_hall(const struct catalog_view *v, const char *code);

/** A small cache of whole answers made from this view: popular searches,
 *  guides read without logging in. Direct-mapped and bounded (256 entries,
 *  64 KB each, 8 MB in all); answers die with the view, so a new revision
 *  never serves an old answer. The only part of a view that changes. */
int catalog_view_cache_get(const struct catalog_view *v, const char *key, struct buf *out);
void catalog_view_cache_put(const struct catalog_view *v, const char *key, const void *data,
                            size_t len);

/** A search of the published items. Filters left NULL (or level 0) do not
 *  filter; target "person" also matches items for both. */
struct catalog_query {
    const char *q;
    size_t qlen;
    const char *department, *region, *type, *target, *channel, *theme;
    int level;
};

enum catalog_facet {
    FACET_DEPARTMENT, FACET_REGION, FACET_TYPE, FACET_LEVEL, FACET_CHANNEL, FACET_TARGET,
    FACET__COUNT
};

/** One value of a facet with the number of matches it would give: counted
 *  over the items matching the query and every other filter. */
struct catalog_facet_value {
    const char *value;
    size_t count;
};

struct catalog_hits {
    uint32_t *idx;  /**< matching items, best first (caller frees) */
    size_t n;
    struct catalog_facet_value *facets[FACET__COUNT]; /**< caller frees each */
    size_t nfacets[FACET__COUNT];
};

/** Runs a query. 0, or SEARCH_BAD (from search.h) for a query that is not
 *  valid UTF-8 or too long; hits is filled on 0. */
int catalog_view_query(const struct catalog_view *v, const struct catalog_query *q,
                       struct catalog_hits *hits);
void catalog_hits_free(struct catalog_hits *hits);
#endif
