/**
 * @file catalog_view.c
 * @brief The in-memory view of the published catalog (docs/catalog.md
 *        "Serving"): built from the store, swapped whole when the revision
 *        moves, searched and faceted without touching the database.
 */
#include "domain/catalog_view.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/mem.h"
#include "domain/catalog.h"
#include "domain/catalog_store.h"
#include "domain/search.h"
#include "store/store.h"
#include <malloc.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* How often a process looks for changes made by other processes. */
#define CHECK_EVERY_MS 2000

static const char *str_of(json_t *o, const char *name)
{
    return json_string_value(json_object_get(o, name));
}

static const char *adup(struct arena *a, const char *s)
{
    return s ? arena_strdup(a, s) : NULL;
}

static const char *adump(struct arena *a, json_t *v)
{
    char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    const char *out = arena_strdup(a, s);
    free(s);
    return out;
}

static int index_of(const char *const *list, const char *s)
{
    for (int i = 0; s && list[i]; i++)
        if (!strcmp(list[i], s)) return i;
    return -1;
}

static int cmp_code_dept(const void *a, const void *b)
{
    return strcmp(((const struct cv_dept *)a)->code, ((const struct cv_dept *)b)->code);
}

static int cmp_cstr(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

const struct cv_dept *catalog_view_dept(const struct catalog_view *v, const char *code)
{
    struct cv_dept key = {.code = code};
    return code && v->ndepts ? bsearch(&key, v->depts, v->ndepts, sizeof key, cmp_code_dept) : NULL;
}

const struct cv_hall *catalog_view_hall(const struct catalog_view *v, const char *code)
{
    /* a handful of halls: a walk is as fast as a search */
    for (size_t i = 0; code && i < v->nhalls; i++)
        if (v->hallv[i].code && !strcmp(v->hallv[i].code, code)) return &v->hallv[i];
    return NULL;
}

static int cmp_code_item(const void *a, const void *b)
{
    return strcmp(((const struct cv_item *)a)->code, ((const struct cv_item *)b)->code);
}

const struct cv_item *catalog_view_item(const struct catalog_view *v, const char *code)
{
    struct cv_item key = {.code = code};
    /* an empty catalog has no array to search at all */
    return code && v->nitems ? bsearch(&key, v->items, v->nitems, sizeof key, cmp_code_item) : NULL;
}

/* --- building --- */

struct build {
    struct catalog_view *v;
    size_t cap;
};

static int add_item(const char *summary, size_t len, void *ctx)
{
    struct build *b = ctx;
    struct catalog_view *v = b->v;
    json_t *it = json_loadb(summary, len, 0, NULL);
    if (!it) return 0; /* cannot happen for what the store wrote; skip rather than fail */
    if (v->nitems == b->cap) {
        b->cap = b->cap ? b->cap * 2 : 1024;
        v->items = xrealloc(v->items, b->cap * sizeof *v->items);
    }
    struct arena *a = v->arena;
    struct cv_item *x = &v->items[v->nitems++];
    memset(x, 0, sizeof *x);
    x->code = adup(a, str_of(it, "code"));
    x->name = adup(a, str_of(it, "name"));
    x->short_name = adup(a, str_of(it, "short_name"));
    x->department = adup(a, str_of(it, "department"));
    x->region = adup(a, str_of(it, "region"));
    x->type = adup(a, str_of(it, "type"));
    x->target = adup(a, str_of(it, "target"));
    x->handling = adup(a, str_of(it, "handling"));
    x->effective_from = adup(a, str_of(it, "effective_from"));
    x->version = json_integer_value(json_object_get(it, "version"));
    x->level = (int)json_integer_value(json_object_get(it, "level"));
    x->channels = catalog_item_channels(it);
    x->type_ix = index_of(catalog_item_types, x->type);
    x->targets = !x->target                         ? 0
                 : !strcmp(x->target, "both")       ? 3u
                 : !strcmp(x->target, "enterprise") ? 2u
                                                    : 1u;
    size_t i;
    json_t *t;
    json_array_foreach(json_object_get(it, "themes"), i, t)
    {
        int k = index_of(catalog_themes, json_string_value(t));
        if (k >= 0) x->themes |= 1u << k;
    }
    json_t *kw = json_object_get(it, "keywords");
    x->nkeywords = json_array_size(kw);
    x->keywords = arena_alloc(a, (x->nkeywords + 1) * sizeof *x->keywords);
    json_array_foreach(kw, i, t) x->keywords[i] = adup(a, json_string_value(t));
    /* the list entry: the summary without keywords, with the department's
     * name once departments are known; park the object until then */
    json_object_del(it, "keywords");
    json_object_set_new(it, "department_name", json_null());
    x->summary = (const char *)it;
    return 0;
}

/* --- the answer cache --- */

enum { CACHE_SLOTS = 256, CACHE_ENTRY_MAX = 64 * 1024, CACHE_TOTAL_MAX = 8 * 1024 * 1024 };

struct cv_cache {
    pthread_mutex_t mu;
    size_t total;
    struct {
        char *key;
        char *data;
        size_t len;
    } slot[CACHE_SLOTS];
};

static size_t slot_of(const char *key)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (const unsigned char *p = (const unsigned char *)key; *p; p++)
        h = (h ^ *p) * 1099511628211ULL;
    return (size_t)(h % CACHE_SLOTS);
}

int catalog_view_cache_get(const struct catalog_view *v, const char *key, struct buf *out)
{
    struct cv_cache *c = v->cache;
    size_t i = slot_of(key);
    int hit = 0;
    pthread_mutex_lock(&c->mu);
    if (c->slot[i].key && !strcmp(c->slot[i].key, key)) {
        buf_append(out, c->slot[i].data, c->slot[i].len);
        hit = 1;
    }
    pthread_mutex_unlock(&c->mu);
    return hit;
}

void catalog_view_cache_put(const struct catalog_view *v, const char *key, const void *data,
                            size_t len)
{
    struct cv_cache *c = v->cache;
    if (len > CACHE_ENTRY_MAX) return;
    size_t i = slot_of(key);
    char *k = xstrdup(key), *d = xmalloc(len ? len : 1);
    memcpy(d, data, len);
    pthread_mutex_lock(&c->mu);
    size_t old = c->slot[i].key ? c->slot[i].len : 0;
    if (c->total - old + len <= CACHE_TOTAL_MAX) {
        free(c->slot[i].key);
        free(c->slot[i].data);
        c->slot[i].key = k;
        c->slot[i].data = d;
        c->slot[i].len = len;
        c->total = c->total - old + len;
        k = d = NULL;
    }
    pthread_mutex_unlock(&c->mu);
    free(k);
    free(d);
}

static void cache_free(struct cv_cache *c)
{
    if (!c) return;
    for (size_t i = 0; i < CACHE_SLOTS; i++) {
        free(c->slot[i].key);
        free(c->slot[i].data);
    }
    pthread_mutex_destroy(&c->mu);
    free(c);
}

static void view_free(struct catalog_view *v)
{
    if (!v) return;
    cache_free(v->cache);
    for (size_t i = 0; i < v->ndepts; i++)
        free(v->depts[i].items);
    free(v->depts);
    free(v->items);
    free(v->regions);
    search_free(v->search);
    arena_free(v->arena);
    free(v);
}

static void build_depth(struct catalog_view *v)
{
    json_t *depts = json_array();
    for (size_t d = 0; d < v->ndepts; d++) {
        struct cv_dept *x = &v->depts[d];
        if (!x->nitems) continue;
        json_array_append_new(
            depts, json_pack("{s:s, s:s, s:I, s:{s:I, s:I, s:I, s:I}}", "code", x->code, "name",
                             x->name, "total", (json_int_t)x->nitems, "at_least", "1",
                             (json_int_t)x->at_least[1], "2", (json_int_t)x->at_least[2], "3",
                             (json_int_t)x->at_least[3], "4", (json_int_t)x->at_least[4]));
    }
    json_t *body = json_pack("{s:I, s:{s:I, s:I, s:I, s:I}, s:o}", "total", (json_int_t)v->nitems,
                             "at_least", "1", (json_int_t)v->at_least[1], "2",
                             (json_int_t)v->at_least[2], "3", (json_int_t)v->at_least[3], "4",
                             (json_int_t)v->at_least[4], "departments", depts);
    json_t *shares = json_object();
    for (int k = 1; k <= 4; k++) {
        char key[2] = {(char)('0' + k), 0};
        double share = v->nitems ? 100.0 * (double)v->at_least[k] / (double)v->nitems : 0;
        json_object_set_new(shares, key, json_real((double)(long)(share * 100 + 0.5) / 100));
    }
    json_object_set_new(body, "share_percent", shares);
    json_object_set_new(body, "revision", json_integer(v->revision));
    v->depth = adump(v->arena, body);
    json_decref(body);
}

struct catalog_view *catalog_view_build(struct store_conn *c)
{
    struct catalog_view *v = xcalloc(1, sizeof *v);
    v->arena = arena_new();
    v->refs = 1;
    v->cache = xcalloc(1, sizeof *v->cache);
    pthread_mutex_init(&v->cache->mu, NULL);
    int64_t rev = 0;
    json_t *depts = NULL, *halls = NULL;
    struct build b = {v, 0};
    if (catalog_revision(c, &rev) < 0 || !(depts = catalog_departments(c)) ||
        !(halls = catalog_halls(c)) || catalog_each_published(c, add_item, &b) < 0) {
        for (size_t i = 0; i < v->nitems; i++)
            json_decref((json_t *)v->items[i].summary);
        json_decref(depts);
        json_decref(halls);
        view_free(v);
        return NULL;
    }
    v->revision = rev;
    v->halls = adump(v->arena, halls);
    v->nhalls = json_array_size(halls);
    v->hallv = arena_alloc(v->arena, (v->nhalls + 1) * sizeof *v->hallv);
    size_t hi;
    json_t *hv;
    json_array_foreach(halls, hi, hv)
    {
        v->hallv[hi].code = adup(v->arena, str_of(hv, "code"));
        v->hallv[hi].name = adup(v->arena, str_of(hv, "name"));
        v->hallv[hi].address = adup(v->arena, str_of(hv, "address"));
    }
    json_decref(halls);

    /* departments, sorted by code (the store gives them so) */
    v->ndepts = json_array_size(depts);
    v->depts = xcalloc(v->ndepts + 1, sizeof *v->depts);
    size_t i;
    json_t *d;
    json_array_foreach(depts, i, d)
    {
        struct cv_dept *x = &v->depts[i];
        x->code = adup(v->arena, str_of(d, "code"));
        x->name = adup(v->arena, str_of(d, "name"));
        x->name_en = adup(v->arena, str_of(d, "name_en"));
        x->parent = adup(v->arena, str_of(d, "parent"));
        x->region = adup(v->arena, str_of(d, "region"));
        x->doc = adump(v->arena, d);
    }
    json_decref(depts);
    qsort(v->depts, v->ndepts, sizeof *v->depts, cmp_code_dept);

    /* regions of the items (or of their departments) */
    const char **regions = xcalloc(v->nitems + 1, sizeof *regions);
    size_t nreg = 0;
    for (i = 0; i < v->nitems; i++) {
        struct cv_item *x = &v->items[i];
        const struct cv_dept *dept = catalog_view_dept(v, x->department);
        x->dept = dept ? (size_t)(dept - v->depts) : 0;
        if (!x->region && dept) x->region = dept->region;
        if (x->region) regions[nreg++] = x->region;
    }
    qsort(regions, nreg, sizeof *regions, cmp_cstr);
    size_t uniq = 0;
    for (i = 0; i < nreg; i++)
        if (!uniq || strcmp(regions[uniq - 1], regions[i])) regions[uniq++] = regions[i];
    v->regions = regions;
    v->nregions = uniq;

    /* summaries, per-department lists and depth counts */
    for (i = 0; i < v->nitems; i++) {
        struct cv_item *x = &v->items[i];
        json_t *sum = (json_t *)x->summary;
        const char **r =
            x->region ? bsearch(&x->region, v->regions, v->nregions, sizeof *v->regions, cmp_cstr)
                      : NULL;
        x->region_ix = r ? (int)(r - v->regions) : -1;
        struct cv_dept *dept = v->ndepts ? &v->depts[x->dept] : NULL;
        if (dept) json_object_set_new(sum, "department_name", json_string(dept->name));
        json_object_set_new(sum, "region", x->region ? json_string(x->region) : json_null());
        x->summary = adump(v->arena, sum);
        json_decref(sum);
        for (int k = 1; k <= 4; k++)
            if (x->level >= k) {
                v->at_least[k]++;
                if (dept) dept->at_least[k]++;
            }
        if (dept) {
            dept->items = xrealloc(dept->items, (dept->nitems + 1) * sizeof *dept->items);
            dept->items[dept->nitems++] = (uint32_t)i;
        }
    }
    build_depth(v);

    /* the search index: names, short names, keywords */
    struct search_entry *entries = xcalloc(v->nitems + 1, sizeof *entries);
    for (i = 0; i < v->nitems; i++) {
        struct cv_item *x = &v->items[i];
        entries[i] = (struct search_entry){x->name, x->short_name, x->keywords, x->nkeywords};
    }
    v->search = search_build(entries, v->nitems);
    free(entries);
    return v;
}

/* --- the current view --- */

static pthread_mutex_t cur_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t build_mu = PTHREAD_MUTEX_INITIALIZER;
static struct catalog_view *cur;
static int64_t checked_ms;

static void put_locked(struct catalog_view *v)
{
    if (v && --v->refs == 0) view_free(v);
}

void catalog_view_put(struct catalog_view *v)
{
    if (!v) return;
    pthread_mutex_lock(&cur_mu);
    put_locked(v);
    pthread_mutex_unlock(&cur_mu);
}

void catalog_view_stale(void)
{
    pthread_mutex_lock(&cur_mu);
    checked_ms = 0;
    pthread_mutex_unlock(&cur_mu);
}

void catalog_view_shutdown(void)
{
    pthread_mutex_lock(&cur_mu);
    put_locked(cur);
    cur = NULL;
    checked_ms = 0;
    pthread_mutex_unlock(&cur_mu);
}

static struct catalog_view *take_current(void)
{
    pthread_mutex_lock(&cur_mu);
    struct catalog_view *v = cur;
    if (v) v->refs++;
    pthread_mutex_unlock(&cur_mu);
    return v;
}

struct catalog_view *catalog_view_get(struct store_conn *c)
{
    int64_t now = clock_now_ms();
    pthread_mutex_lock(&cur_mu);
    int have_view = cur != NULL;
    int due = !cur || checked_ms == 0 || now - checked_ms >= CHECK_EVERY_MS || now < checked_ms;
    pthread_mutex_unlock(&cur_mu);
    if (!due) return take_current();
    /* one thread checks and rebuilds; the others keep serving the old view */
    if (have_view && pthread_mutex_trylock(&build_mu) != 0) return take_current();
    if (!have_view) pthread_mutex_lock(&build_mu);
    struct catalog_view *have = take_current();
    int64_t rev = -1;
    if (have && catalog_revision(c, &rev) == 0 && rev == have->revision) {
        pthread_mutex_lock(&cur_mu);
        checked_ms = now ? now : 1;
        pthread_mutex_unlock(&cur_mu);
        pthread_mutex_unlock(&build_mu);
        return have;
    }
    int64_t t0 = clock_now_ms();
    struct catalog_view *fresh = catalog_view_build(c);
    if (!fresh) {
        pthread_mutex_unlock(&build_mu);
        log_warn("catalog: cannot read the catalog: %s", store_errmsg(c));
        return have; /* keep serving what we have */
    }
    malloc_trim(0); /* give back what building took and let go */
    log_info("catalog: revision %lld, %zu published items, built in %lld ms",
             (long long)fresh->revision, fresh->nitems, (long long)(clock_now_ms() - t0));
    pthread_mutex_lock(&cur_mu);
    put_locked(cur);
    cur = fresh;
    fresh->refs++; /* the caller's */
    checked_ms = now ? now : 1;
    if (have) put_locked(have);
    pthread_mutex_unlock(&cur_mu);
    pthread_mutex_unlock(&build_mu);
    return fresh;
}

/* --- queries --- */

static const char *const levels[] = {"1", "2", "3", "4", NULL};
static const char *const targets[] = {"person", "enterprise", NULL};

/* The target bits a filter value asks for: person 1, enterprise 2, both 3. */
static unsigned target_bits(const char *want)
{
    return !strcmp(want, "both") ? 3u : !strcmp(want, "enterprise") ? 2u : 1u;
}

/* Which filters an item fails: bit f for facet f (theme counts as none). */
static unsigned failing(const struct catalog_view *v, const struct cv_item *x,
                        const struct catalog_query *q, int *theme_fails)
{
    unsigned m = 0;
    if (q->department && strcmp(v->depts[x->dept].code, q->department)) m |= 1u << FACET_DEPARTMENT;
    if (q->region && (!x->region || strcmp(x->region, q->region))) m |= 1u << FACET_REGION;
    if (q->type && (!x->type || strcmp(x->type, q->type))) m |= 1u << FACET_TYPE;
    if (q->level && x->level != q->level) m |= 1u << FACET_LEVEL;
    if (q->channel) {
        int k = index_of(catalog_channels, q->channel);
        if (k < 0 || !(x->channels & (1u << k))) m |= 1u << FACET_CHANNEL;
    }
    /* "person" also finds what is for both; "both" only what is for both */
    if (q->target && (x->targets & target_bits(q->target)) == 0)
        m |= 1u << FACET_TARGET;
    else if (q->target && target_bits(q->target) == 3u && x->targets != 3u)
        m |= 1u << FACET_TARGET;
    int t = q->theme ? index_of(catalog_themes, q->theme) : -2;
    *theme_fails = t != -2 && (t < 0 || !(x->themes & (1u << t)));
    return m;
}

static void count_facets(const struct catalog_view *v, const struct cv_item *x, size_t **counts,
                         unsigned only)
{
#define IN(f) (only == ~0u || only == (f))
    if (IN(FACET_DEPARTMENT)) counts[FACET_DEPARTMENT][x->dept]++;
    if (IN(FACET_REGION) && x->region_ix >= 0) counts[FACET_REGION][x->region_ix]++;
    if (IN(FACET_TYPE) && x->type_ix >= 0) counts[FACET_TYPE][x->type_ix]++;
    if (IN(FACET_LEVEL) && x->level >= 1) counts[FACET_LEVEL][x->level - 1]++;
    if (IN(FACET_CHANNEL))
        for (int k = 0; catalog_channels[k]; k++)
            if (x->channels & (1u << k)) counts[FACET_CHANNEL][k]++;
    if (IN(FACET_TARGET))
        for (int k = 0; k < 2; k++) /* person, enterprise */
            if (x->targets & (1u << k)) counts[FACET_TARGET][k]++;
#undef IN
}

static size_t list_len(const char *const *l)
{
    size_t n = 0;
    while (l[n])
        n++;
    return n;
}

int catalog_view_query(const struct catalog_view *v, const struct catalog_query *q,
                       struct catalog_hits *hits)
{
    memset(hits, 0, sizeof *hits);
    uint32_t *order = xmalloc((v->nitems + 1) * sizeof *order);
    size_t n = 0;
    int rc = q->qlen ? search_run(v->search, q->q, q->qlen, order, &n) : SEARCH_EMPTY;
    if (rc == SEARCH_BAD) {
        free(order);
        return SEARCH_BAD;
    }
    if (rc == SEARCH_EMPTY) /* everything, by code */
        for (n = 0; n < v->nitems; n++)
            order[n] = (uint32_t)n;
    size_t sizes[FACET__COUNT] = {
        v->ndepts, v->nregions, list_len(catalog_item_types), 4, list_len(catalog_channels), 2};
    size_t *counts[FACET__COUNT];
    for (int f = 0; f < FACET__COUNT; f++)
        counts[f] = xcalloc(sizes[f] + 1, sizeof *counts[f]);
    size_t kept = 0;
    for (size_t i = 0; i < n; i++) {
        const struct cv_item *x = &v->items[order[i]];
        int theme_fails;
        unsigned m = failing(v, x, q, &theme_fails);
        if (theme_fails) continue;
        if (m == 0) {
            order[kept++] = order[i];
            count_facets(v, x, counts, ~0u);
        } else if ((m & (m - 1)) == 0) { /* fails one filter: counts for that facet */
            count_facets(v, x, counts, (unsigned)__builtin_ctz(m));
        }
    }
    hits->idx = order;
    hits->n = kept;
    for (int f = 0; f < FACET__COUNT; f++) {
        hits->facets[f] = xcalloc(sizes[f] + 1, sizeof *hits->facets[f]);
        size_t m = 0;
        for (size_t k = 0; k < sizes[f]; k++) {
            if (!counts[f][k]) continue;
            const char *value = f == FACET_DEPARTMENT ? v->depts[k].code
                                : f == FACET_REGION   ? v->regions[k]
                                : f == FACET_TYPE     ? catalog_item_types[k]
                                : f == FACET_LEVEL    ? levels[k]
                                : f == FACET_CHANNEL  ? catalog_channels[k]
                                                      : targets[k];
            hits->facets[f][m++] = (struct catalog_facet_value){value, counts[f][k]};
        }
        hits->nfacets[f] = m;
        free(counts[f]);
    }
    return 0;
}

void catalog_hits_free(struct catalog_hits *hits)
{
    free(hits->idx);
    for (int f = 0; f < FACET__COUNT; f++)
        free(hits->facets[f]);
    memset(hits, 0, sizeof *hits);
}
