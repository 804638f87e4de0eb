/**
 * @file page_catalog.c
 * @brief The public catalog pages: search results with facets and pages,
 *        the service guide of an item (the four questions first, printable),
 *        departments, and the depth of online service with a bar chart drawn
 *        here as SVG. All read the in-memory view (domain/catalog_view.h).
 */
#include "api/api.h"
#include "core/html.h"
#include "core/i18n.h"
#include "core/url.h"
#include "domain/catalog.h"
#include "domain/catalog_view.h"
#include "web/page.h"
#include "web/web.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PER_PAGE 20

static struct catalog_view *view_or_fail(struct http_req *r)
{
    struct catalog_view *v = catalog_view_get(http_db(r));
    if (!v) http_fail(r, ERR_UNAVAILABLE, NULL, "err.detail.storage", NULL);
    return v;
}

static const char *str_of(json_t *o, const char *name)
{
    return json_string_value(json_object_get(o, name));
}

/* T() of "prefix.value" (type, channel, level ... labels). */
static const char *label(struct http_req *r, const char *prefix, const char *value)
{
    char key[96];
    snprintf(key, sizeof key, "%s.%s", prefix, value ? value : "");
    return T(r, key);
}

static void label_html(struct http_req *r, struct buf *b, const char *prefix, const char *value)
{
    html_text(b, label(r, prefix, value));
}

static void level_badge(struct http_req *r, struct buf *b, int level)
{
    char v[12];
    snprintf(v, sizeof v, "%d", level);
    buf_printf(b, "<span class=\"level level-%d\">", level);
    label_html(r, b, "catalog.level", v);
    buf_puts(b, "</span>");
}

/* A time limit in words: "15 个工作日", "即时办结", "法律未规定". */
static void limit_text(struct http_req *r, struct buf *b, json_t *limit)
{
    if (!json_is_object(limit)) {
        page_t(r, b, "portal.none_given");
        return;
    }
    char key[64], val[24], out[160];
    snprintf(key, sizeof key, "catalog.unit.%s",
             str_of(limit, "unit") ? str_of(limit, "unit") : "none");
    snprintf(val, sizeof val, "%lld",
             (long long)json_integer_value(json_object_get(limit, "value")));
    trf(r->lang, key, val, out, sizeof out);
    html_text(b, out);
}

static const char *dept_name(struct http_req *r, const struct cv_dept *d)
{
    return r->lang == LANG_EN && d->name_en ? d->name_en : d->name;
}

/* --- search results --- */

/* The /items URL of q with one filter set (value NULL: removed) and page. */
static void items_url(struct buf *b, const struct catalog_query *q, const char *set,
                      const char *value, long page)
{
    const char *names[] = {"q",      "department", "region", "type",
                           "target", "channel",    "theme",  "level"};
    char level[12] = "";
    if (q->level) snprintf(level, sizeof level, "%d", q->level);
    const char *values[] = {q->q,      q->department, q->region, q->type,
                            q->target, q->channel,    q->theme,  q->level ? level : NULL};
    struct buf u = BUF_INIT;
    buf_puts(&u, "/items");
    char sep = '?';
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const char *v = set && !strcmp(set, names[i]) ? value : values[i];
        if (!v || !*v) continue;
        buf_printf(&u, "%c%s=", sep, names[i]);
        url_encode_str(&u, v);
        sep = '&';
    }
    if (page > 1) buf_printf(&u, "%cpage=%ld", sep, page);
    html_attr(b, buf_str(&u));
    buf_free(&u);
}

static void search_form(struct http_req *r, struct buf *b, const char *q, const char *heading)
{
    buf_puts(b, "<form class=\"search\" role=\"search\" action=\"/items\" method=\"get\" "
                "aria-labelledby=\"h-search\"><h2 id=\"h-search\"");
    buf_puts(b, heading ? ">" : " class=\"sr-only\">");
    page_t(r, b, "web.home.search");
    buf_puts(b, "</h2><div class=\"search-row\"><label for=\"q\" class=\"sr-only\">");
    page_t(r, b, "web.home.search.label");
    buf_puts(b, "</label><input id=\"q\" name=\"q\" type=\"search\" maxlength=\"200\" "
                "aria-describedby=\"q-hint\" value=\"");
    html_attr(b, q ? q : "");
    buf_puts(b, "\" placeholder=\"");
    html_attr(b, T(r, "web.home.search.placeholder"));
    buf_puts(b, "\"><button type=\"submit\">");
    page_t(r, b, "web.home.search.submit");
    buf_puts(b, "</button></div><p class=\"hint\" id=\"q-hint\">");
    page_t(r, b, "portal.search.hint");
    buf_puts(b, "</p></form>\n");
}

/* One entry of a result list from the item's summary. */
static void result_entry(struct http_req *r, struct buf *b, const struct catalog_view *v,
                         const struct cv_item *x)
{
    json_t *s = json_loads(x->summary, 0, NULL);
    buf_puts(b, "<li class=\"result\"><h3><a href=\"/items/");
    url_encode_str(b, x->code);
    buf_puts(b, "\">");
    html_text(b, x->name);
    buf_puts(b, "</a></h3><p class=\"meta\">");
    html_text(b, dept_name(r, &v->depts[x->dept]));
    buf_puts(b, " · ");
    label_html(r, b, "catalog.type", x->type);
    buf_puts(b, " · ");
    label_html(r, b, "catalog.target", x->target);
    buf_puts(b, "</p><p class=\"meta\">");
    level_badge(r, b, x->level);
    buf_puts(b, " <span>");
    page_t(r, b, "portal.promised");
    buf_puts(b, "：");
    json_t *tl = json_object_get(s, "time_limit");
    limit_text(r, b, json_object_get(tl, "promised"));
    buf_puts(b, "</span> <span>");
    page_t(r, b,
           json_is_true(json_object_get(s, "free")) ? "portal.fee.free" : "portal.fee.charged");
    buf_puts(b, "</span></p></li>");
    json_decref(s);
}

static const char *const facet_param[FACET__COUNT] = {"department", "region",  "type",
                                                      "level",      "channel", "target"};
static const char *const facet_prefix[FACET__COUNT] = {
    NULL, NULL, "catalog.type", "catalog.level", "catalog.channel", "catalog.target"};

static const char *query_value(const struct catalog_query *q, int f, char tmp[12])
{
    switch (f) {
    case FACET_DEPARTMENT:
        return q->department;
    case FACET_REGION:
        return q->region;
    case FACET_TYPE:
        return q->type;
    case FACET_LEVEL:
        if (!q->level) return NULL;
        snprintf(tmp, 12, "%d", q->level);
        return tmp;
    case FACET_CHANNEL:
        return q->channel;
    default:
        return q->target;
    }
}

static void facets(struct http_req *r, struct buf *b, const struct catalog_view *v,
                   const struct catalog_query *q, const struct catalog_hits *h)
{
    buf_puts(b, "<aside class=\"facets\" aria-labelledby=\"h-facets\"><h2 id=\"h-facets\">");
    page_t(r, b, "portal.facets");
    buf_puts(b, "</h2>");
    for (int f = 0; f < FACET__COUNT; f++) {
        char tmp[12], key[48];
        const char *chosen = query_value(q, f, tmp);
        if (!h->nfacets[f] && !chosen) continue;
        snprintf(key, sizeof key, "portal.facet.%s", facet_param[f]);
        buf_printf(b, "<section><h3 id=\"f-%s\">", facet_param[f]);
        page_t(r, b, key);
        buf_printf(b, "</h3><ul aria-labelledby=\"f-%s\">", facet_param[f]);
        if (chosen) {
            buf_puts(b, "<li><a href=\"");
            items_url(b, q, facet_param[f], NULL, 1);
            buf_puts(b, "\">");
            page_t(r, b, "portal.facet.all");
            buf_puts(b, "</a></li>");
        }
        size_t shown = 0;
        for (size_t k = 0; k < h->nfacets[f] && shown < 30; k++) {
            const struct catalog_facet_value *fv = &h->facets[f][k];
            int on = chosen && !strcmp(chosen, fv->value);
            buf_puts(b, "<li><a href=\"");
            items_url(b, q, facet_param[f], fv->value, 1);
            buf_puts(b, on ? "\" aria-current=\"true\">" : "\">");
            if (f == FACET_DEPARTMENT) {
                const struct cv_dept *d = catalog_view_dept(v, fv->value);
                html_text(b, d ? dept_name(r, d) : fv->value);
            } else if (facet_prefix[f]) {
                label_html(r, b, facet_prefix[f], fv->value);
            } else {
                html_text(b, fv->value);
            }
            buf_printf(b, " <span class=\"count\">(%zu)</span></a></li>", fv->count);
            shown++;
        }
        buf_puts(b, "</ul></section>");
    }
    buf_puts(b, "</aside>");
}

int page_items(struct http_req *r)
{
    struct catalog_query q;
    if (api_catalog_query(r, &q) < 0) return 0;
    long page = api_positive_query(r, "page", 1);
    if (page < 0) page = 1;
    struct catalog_view *v = view_or_fail(r);
    if (!v) return 0;
    struct catalog_hits h;
    if (api_catalog_run(r, v, &q, &h) < 0) {
        catalog_view_put(v);
        return 0;
    }
    struct buf b = BUF_INIT;
    page_open(r, &b, "portal.items.title", NAV_SERVICES);
    buf_puts(&b, "<h1>");
    page_t(r, &b, "portal.items.title");
    buf_puts(&b, "</h1>");
    search_form(r, &b, q.q, NULL);
    buf_puts(&b, "<div class=\"with-facets\">");
    facets(r, &b, v, &q, &h);
    buf_puts(&b, "<section aria-labelledby=\"h-results\"><h2 id=\"h-results\" role=\"status\">");
    char n[24], line[200];
    snprintf(n, sizeof n, "%zu", h.n);
    trf(r->lang, "portal.items.count", n, line, sizeof line);
    html_text(&b, line);
    buf_puts(&b, "</h2>");
    if (!h.n) {
        buf_puts(&b, "<p>");
        page_t(r, &b, "portal.items.none");
        buf_puts(&b, "</p>");
    }
    buf_puts(&b, "<ol class=\"results\">");
    size_t from = (size_t)((page - 1) * PER_PAGE);
    for (size_t i = from; i < h.n && i < from + PER_PAGE; i++)
        result_entry(r, &b, v, &v->items[h.idx[i]]);
    buf_puts(&b, "</ol>");
    long pages = (long)((h.n + PER_PAGE - 1) / PER_PAGE);
    if (pages > 1) {
        buf_puts(&b, "<nav class=\"pages\" aria-label=\"");
        html_attr(&b, T(r, "portal.pages"));
        buf_puts(&b, "\"><ul>");
        if (page > 1) {
            buf_puts(&b, "<li><a rel=\"prev\" href=\"");
            items_url(&b, &q, NULL, NULL, page - 1);
            buf_puts(&b, "\">");
            page_t(r, &b, "portal.prev");
            buf_puts(&b, "</a></li>");
        }
        buf_printf(&b, "<li aria-current=\"page\">%ld / %ld", page, pages);
        buf_puts(&b, "</li>");
        if (page < pages) {
            buf_puts(&b, "<li><a rel=\"next\" href=\"");
            items_url(&b, &q, NULL, NULL, page + 1);
            buf_puts(&b, "\">");
            page_t(r, &b, "portal.next");
            buf_puts(&b, "</a></li>");
        }
        buf_puts(&b, "</ul></nav>");
    }
    buf_puts(&b, "</section></div>");
    catalog_hits_free(&h);
    catalog_view_put(v);
    return page_send(r, &b, 200);
}

/* --- the service guide --- */

static void h2(struct http_req *r, struct buf *b, const char *id, const char *key)
{
    buf_printf(b, "<section aria-labelledby=\"%s\"><h2 id=\"%s\">", id, id);
    page_t(r, b, key);
    buf_puts(b, "</h2>");
}

static void text_list(struct buf *b, json_t *arr, const char *tag)
{
    buf_printf(b, "<%s>", tag);
    size_t i;
    json_t *e;
    json_array_foreach(arr, i, e)
    {
        buf_puts(b, "<li>");
        html_text(b, json_string_value(e));
        buf_puts(b, "</li>");
    }
    buf_printf(b, "</%s>", tag);
}

static void dt(struct http_req *r, struct buf *b, const char *key)
{
    buf_puts(b, "<dt>");
    page_t(r, b, key);
    buf_puts(b, "</dt><dd>");
}

static void money(struct buf *b, json_int_t fen)
{
    buf_printf(b, "%lld.%02lld", (long long)(fen / 100), (long long)(fen % 100));
}

/* The four questions at a glance: what to bring, how it is checked, by what
 * authority, how long it takes (and what it costs). */
static void four_questions(struct http_req *r, struct buf *b, json_t *it)
{
    json_t *mats = json_object_get(it, "materials");
    buf_puts(b, "<section class=\"card glance\" aria-labelledby=\"h-glance\"><h2 id=\"h-glance\">");
    page_t(r, b, "portal.guide.glance");
    buf_puts(b, "</h2><dl class=\"glance\">");
    dt(r, b, "portal.q.materials");
    size_t required = 0, electronic = 0, i;
    json_t *m;
    json_array_foreach(mats, i, m)
    {
        required += json_is_true(json_object_get(m, "required"));
        json_t *sub = json_object_get(m, "substitute");
        electronic += str_of(sub, "certificate_type") || str_of(sub, "government_data");
    }
    char a[24], bb[24], line[256];
    snprintf(a, sizeof a, "%zu", json_array_size(mats));
    trf(r->lang, "portal.q.materials.count", a, line, sizeof line);
    html_text(b, line);
    if (electronic) {
        snprintf(bb, sizeof bb, "%zu", electronic);
        trf(r->lang, "portal.q.materials.reuse", bb, line, sizeof line);
        buf_puts(b, " ");
        html_text(b, line);
    }
    buf_puts(b, " <a href=\"#h-materials\">");
    page_t(r, b, "portal.see_list");
    buf_puts(b, "</a></dd>");
    dt(r, b, "portal.q.check");
    page_t(r, b, "portal.q.check.text");
    buf_puts(b, " <a href=\"#h-materials\">");
    page_t(r, b, "portal.see_list");
    buf_puts(b, "</a></dd>");
    dt(r, b, "portal.q.basis");
    json_t *lb = json_array_get(json_object_get(it, "legal_basis"), 0);
    if (lb) {
        html_text(b, str_of(lb, "law"));
        if (str_of(lb, "article")) {
            buf_puts(b, " ");
            html_text(b, str_of(lb, "article"));
        }
        if (json_array_size(json_object_get(it, "legal_basis")) > 1) buf_puts(b, " …");
    }
    buf_puts(b, " <a href=\"#h-basis\">");
    page_t(r, b, "portal.see_list");
    buf_puts(b, "</a></dd>");
    json_t *tl = json_object_get(it, "time_limit");
    dt(r, b, "portal.q.days");
    page_t(r, b, "portal.promised");
    buf_puts(b, "：");
    limit_text(r, b, json_object_get(tl, "promised"));
    buf_puts(b, "；");
    page_t(r, b, "portal.statutory");
    buf_puts(b, "：");
    limit_text(r, b, json_object_get(tl, "statutory"));
    buf_puts(b, "</dd>");
    dt(r, b, "portal.q.visits");
    json_t *visits = json_object_get(it, "visits");
    snprintf(a, sizeof a, "%lld", (long long)json_integer_value(visits));
    json_int_t nv = json_integer_value(visits);
    trf(r->lang,
        nv >= 3   ? "portal.visits.many"
        : nv == 0 ? "portal.visits.none"
                  : "portal.visits.n",
        a, line, sizeof line);
    html_text(b, line);
    buf_puts(b, " ");
    level_badge(r, b, (int)json_integer_value(json_object_get(it, "level")));
    buf_puts(b, "</dd>");
    dt(r, b, "portal.q.fee");
    json_t *fee = json_object_get(it, "fee");
    if (json_is_true(json_object_get(fee, "free")))
        page_t(r, b, "portal.fee.free");
    else {
        json_int_t total = 0;
        json_array_foreach(json_object_get(fee, "items"), i, m) total +=
            json_integer_value(json_object_get(m, "amount_fen"));
        page_t(r, b, "portal.fee.charged");
        buf_puts(b, " ");
        money(b, total);
        buf_puts(b, " ");
        page_t(r, b, "portal.yuan");
    }
    buf_puts(b, "</dd></dl></section>");
}

static void materials_table(struct http_req *r, struct buf *b, json_t *it)
{
    h2(r, b, "h-materials", "portal.guide.materials");
    json_t *mats = json_object_get(it, "materials");
    buf_puts(b, "<div class=\"table-wrap\" role=\"region\" tabindex=\"0\" "
                "aria-labelledby=\"h-materials\"><table class=\"materials\"><thead><tr>"
                "<th scope=\"col\">");
    page_t(r, b, "portal.m.name");
    buf_puts(b, "</th><th scope=\"col\">");
    page_t(r, b, "portal.m.form");
    buf_puts(b, "</th><th scope=\"col\">");
    page_t(r, b, "portal.m.check");
    buf_puts(b, "</th><th scope=\"col\">");
    page_t(r, b, "portal.m.instead");
    buf_puts(b, "</th></tr></thead><tbody>");
    size_t i;
    json_t *m;
    json_array_foreach(mats, i, m)
    {
        buf_puts(b, "<tr><th scope=\"row\">");
        html_text(b, str_of(m, "name"));
        if (!json_is_true(json_object_get(m, "required"))) {
            buf_puts(b, "<br><small>");
            page_t(r, b, "portal.m.conditional");
            if (str_of(m, "condition")) {
                buf_puts(b, "：");
                html_text(b, str_of(m, "condition"));
            }
            buf_puts(b, "</small>");
        }
        if (str_of(m, "notes")) {
            buf_puts(b, "<br><small>");
            html_text(b, str_of(m, "notes"));
            buf_puts(b, "</small>");
        }
        buf_puts(b, "</th><td>");
        label_html(r, b, "catalog.form", str_of(m, "form"));
        buf_printf(b, " × %lld</td><td>",
                   (long long)json_integer_value(json_object_get(m, "copies")));
        html_text(b, str_of(m, "verification"));
        buf_puts(b, "</td><td>");
        json_t *sub = json_object_get(m, "substitute");
        char line[256];
        if (str_of(sub, "certificate_type")) {
            trf(r->lang, "portal.m.ecert", str_of(sub, "certificate_type"), line, sizeof line);
            html_text(b, line);
        } else if (str_of(sub, "government_data")) {
            trf(r->lang, "portal.m.govdata", str_of(sub, "government_data"), line, sizeof line);
            html_text(b, line);
        } else {
            buf_puts(b, "—");
        }
        buf_puts(b, "</td></tr>");
    }
    buf_puts(b, "</tbody></table></div>");
    json_t *c = json_object_get(it, "commitment");
    if (json_is_true(json_object_get(c, "allowed"))) {
        buf_puts(b, "<p class=\"note\">");
        page_t(r, b, "portal.commitment");
        if (json_array_size(json_object_get(c, "waived_materials"))) {
            buf_puts(b, " ");
            text_list(b, json_object_get(c, "waived_materials"), "ul");
        }
        buf_puts(b, "</p>");
    }
    if (json_is_true(json_object_get(it, "acceptance_with_missing"))) {
        page_para(r, b, "note", "portal.missing_ok");
    }
    buf_puts(b, "</section>");
}

static void guide_details(struct http_req *r, struct buf *b, const struct catalog_view *v,
                          json_t *it)
{
    size_t i;
    json_t *e;
    h2(r, b, "h-basis", "portal.guide.basis");
    buf_puts(b, "<ul class=\"basis\">");
    json_array_foreach(json_object_get(it, "legal_basis"), i, e)
    {
        buf_puts(b, "<li><strong>");
        html_text(b, str_of(e, "law"));
        buf_puts(b, "</strong> ");
        html_text(b, str_of(e, "article"));
        if (str_of(e, "text")) {
            buf_puts(b, "<blockquote>");
            html_text(b, str_of(e, "text"));
            buf_puts(b, "</blockquote>");
        }
        if (str_of(e, "url")) {
            buf_puts(b, " <a href=\"");
            if (html_href(b, str_of(e, "url")) < 0) buf_puts(b, "#");
            buf_puts(b, "\">");
            page_t(r, b, "portal.full_text");
            buf_puts(b, "</a>");
        }
        buf_puts(b, "</li>");
    }
    buf_puts(b, "</ul></section>");

    h2(r, b, "h-conditions", "portal.guide.conditions");
    text_list(b, json_object_get(it, "conditions"), "ul");
    buf_puts(b, "</section>");
    h2(r, b, "h-process", "portal.guide.process");
    buf_puts(b, "<ol class=\"process\">");
    json_array_foreach(json_object_get(it, "process"), i, e)
    {
        buf_puts(b, "<li><strong>");
        html_text(b, str_of(e, "step"));
        buf_puts(b, "</strong>");
        if (str_of(e, "description")) {
            buf_puts(b, "：");
            html_text(b, str_of(e, "description"));
        }
        buf_puts(b, "</li>");
    }
    buf_puts(b, "</ol></section>");

    h2(r, b, "h-fee", "portal.guide.fee");
    json_t *fee = json_object_get(it, "fee");
    if (json_is_true(json_object_get(fee, "free"))) {
        buf_puts(b, "<p>");
        page_t(r, b, "portal.fee.free");
        buf_puts(b, "</p>");
    } else {
        buf_puts(b, "<ul>");
        json_array_foreach(json_object_get(fee, "items"), i, e)
        {
            buf_puts(b, "<li>");
            html_text(b, str_of(e, "name"));
            buf_puts(b, "：");
            money(b, json_integer_value(json_object_get(e, "amount_fen")));
            buf_puts(b, " ");
            page_t(r, b, "portal.yuan");
            buf_puts(b, "（");
            html_text(b, str_of(e, "basis"));
            buf_puts(b, "）</li>");
        }
        buf_puts(b, "</ul>");
    }
    buf_puts(b, "</section>");

    h2(r, b, "h-where", "portal.guide.where");
    buf_puts(b, "<dl>");
    dt(r, b, "portal.channels");
    json_array_foreach(json_object_get(it, "channels"), i, e)
    {
        if (i) buf_puts(b, "、");
        label_html(r, b, "catalog.channel", json_string_value(e));
    }
    buf_puts(b, "</dd>");
    json_array_foreach(json_object_get(it, "locations"), i, e)
    {
        dt(r, b, "portal.location");
        const struct cv_hall *h = catalog_view_hall(v, str_of(e, "hall"));
        html_text(b, h ? h->name : str_of(e, "hall"));
        if (h && h->address) {
            buf_puts(b, "，");
            html_text(b, h->address);
        }
        if (str_of(e, "window")) {
            buf_puts(b, "，");
            html_text(b, str_of(e, "window"));
        }
        if (str_of(e, "hours")) {
            buf_puts(b, "，");
            html_text(b, str_of(e, "hours"));
        }
        buf_puts(b, "</dd>");
    }
    json_t *result = json_object_get(it, "result");
    if (json_is_object(result)) {
        dt(r, b, "portal.result");
        html_text(b, str_of(result, "name"));
        if (str_of(result, "certificate_type")) {
            buf_puts(b, "（");
            page_t(r, b, "portal.ecert_issued");
            buf_puts(b, "）");
        }
        buf_puts(b, "</dd>");
        dt(r, b, "portal.delivery");
        json_array_foreach(json_object_get(result, "delivery"), i, e)
        {
            if (i) buf_puts(b, "、");
            label_html(r, b, "catalog.delivery", json_string_value(e));
        }
        buf_puts(b, "</dd>");
    }
    json_t *prefs = json_object_get(it, "preferences");
    if (json_array_size(prefs)) {
        dt(r, b, "portal.preferences");
        buf_puts(b, "<ul>");
        json_array_foreach(prefs, i, e)
        {
            char key[64], val[24], line[200];
            snprintf(key, sizeof key, "catalog.pref.%s",
                     str_of(e, "kind") ? str_of(e, "kind") : "");
            snprintf(val, sizeof val, "%lld",
                     (long long)json_integer_value(json_object_get(e, "value")));
            trf(r->lang, key, val, line, sizeof line);
            buf_puts(b, "<li>");
            html_text(b, line);
            buf_puts(b, "</li>");
        }
        buf_puts(b, "</ul></dd>");
    }
    json_t *contacts = json_object_get(it, "contacts");
    dt(r, b, "portal.consultation");
    html_text(b, str_of(contacts, "consultation"));
    buf_puts(b, "</dd>");
    dt(r, b, "portal.complaint");
    html_text(b, str_of(contacts, "complaint"));
    buf_puts(b, "</dd></dl></section>");
}

int page_item(struct http_req *r)
{
    const char *vq = http_query(r, "version");
    int64_t version = 0;
    if (vq) {
        char *end;
        long long n = strtoll(vq, &end, 10);
        if (!*vq || *end || n < 1 || n > 100000)
            return http_fail(r, ERR_NOT_FOUND, NULL, "catalog.version_not_found", NULL);
        version = n;
    }
    struct catalog_view *v = view_or_fail(r);
    if (!v) return 0;
    const char *code = http_param(r, "code");
    /* a guide read without logging in is the same for everyone: keep it */
    char key[160] = "";
    if (!r->principal && !version && strlen(code) < 100) {
        snprintf(key, sizeof key, "page-item\x1f%d\x1f%s", (int)r->lang, code);
        struct buf hit = BUF_INIT;
        if (catalog_view_cache_get(v, key, &hit)) {
            catalog_view_put(v);
            int rc = page_send_bytes(r, buf_str(&hit), hit.len);
            buf_free(&hit);
            return rc;
        }
    }
    int status;
    json_t *it = api_item_guide(r, v, code, version, &status);
    if (!it) {
        catalog_view_put(v);
        return http_fail(r, ERR_NOT_FOUND, NULL,
                         version ? "catalog.version_not_found" : "catalog.not_found", NULL);
    }
    struct buf b = BUF_INIT;
    page_open_title(r, &b, str_of(it, "name"), NAV_SERVICES);
    buf_puts(&b, "<article class=\"guide\"><header><p class=\"crumbs\"><a href=\"/departments/");
    url_encode_str(&b, str_of(it, "department"));
    buf_puts(&b, "\">");
    const struct cv_dept *d = catalog_view_dept(v, str_of(it, "department"));
    html_text(&b, d ? dept_name(r, d) : str_of(it, "department"));
    buf_puts(&b, "</a></p><h1>");
    html_text(&b, str_of(it, "name"));
    buf_puts(&b, "</h1><p class=\"meta\">");
    label_html(r, &b, "catalog.type", str_of(it, "type"));
    buf_puts(&b, " · ");
    label_html(r, &b, "catalog.handling", str_of(it, "handling"));
    buf_puts(&b, " · ");
    label_html(r, &b, "catalog.target", str_of(it, "target"));
    buf_puts(&b, " · ");
    char line[256], n[24];
    snprintf(n, sizeof n, "%lld", (long long)json_integer_value(json_object_get(it, "version")));
    trf(r->lang, "portal.version", n, line, sizeof line);
    html_text(&b, line);
    if (str_of(it, "effective_from")) {
        buf_puts(&b, " · ");
        trf(r->lang, "portal.effective", str_of(it, "effective_from"), line, sizeof line);
        html_text(&b, line);
    }
    buf_puts(&b, "</p>");
    const char *st = str_of(it, "status");
    int in_force = st && !strcmp(st, "published");
    if (!in_force) {
        buf_puts(&b, "<p class=\"alert\" role=\"note\">");
        label_html(r, &b, "portal.status", st);
        buf_puts(&b, " <a href=\"/items/");
        url_encode_str(&b, code);
        buf_puts(&b, "\">");
        page_t(r, &b, "portal.current_version");
        buf_puts(&b, "</a></p>");
    }
    json_t *changes = json_object_get(it, "changes");
    if (json_is_object(changes) && json_array_size(json_object_get(changes, "members"))) {
        buf_puts(&b, "<p class=\"changes\">");
        snprintf(n, sizeof n, "%lld",
                 (long long)json_integer_value(json_object_get(changes, "since_version")));
        trf(r->lang, "portal.changes", n, line, sizeof line);
        html_text(&b, line);
        size_t i;
        json_t *m;
        json_array_foreach(json_object_get(changes, "members"), i, m)
        {
            buf_puts(&b, i ? "、" : " ");
            label_html(r, &b, "portal.member", json_string_value(m));
        }
        buf_puts(&b, " <a href=\"/items/");
        url_encode_str(&b, code);
        buf_printf(&b, "?version=%s\">", n);
        page_t(r, &b, "portal.see_previous");
        buf_puts(&b, "</a></p>");
    }
    buf_puts(&b, "<p class=\"no-print actions\">");
    size_t ci;
    json_t *ch;
    int online = 0;
    json_array_foreach(json_object_get(it, "channels"), ci, ch) online |=
        !strcmp(json_string_value(ch), "online") || !strcmp(json_string_value(ch), "mobile");
    if (in_force && online) {
        buf_puts(&b, "<a class=\"button\" href=\"/items/");
        url_encode_str(&b, code);
        buf_puts(&b, "/apply\">");
        page_t(r, &b, "portal.apply");
        buf_puts(&b, "</a> ");
    }
    buf_puts(&b, "<button type=\"button\" class=\"secondary\" data-print>");
    page_t(r, &b, "portal.print");
    buf_puts(&b, "</button></p></header>");
    four_questions(r, &b, it);
    materials_table(r, &b, it);
    guide_details(r, &b, v, it);
    buf_puts(&b, "</article>");
    json_decref(it);
    if (key[0] && in_force) {
        page_finish(r, &b);
        catalog_view_cache_put(v, key, buf_str(&b), b.len);
        catalog_view_put(v);
        int rc = page_send_bytes(r, buf_str(&b), b.len);
        buf_free(&b);
        return rc;
    }
    catalog_view_put(v);
    return page_send(r, &b, 200);
}

/* --- departments --- */

static void dept_row(struct http_req *r, struct buf *b, const struct cv_dept *d)
{
    buf_puts(b, "<li><a href=\"/departments/");
    url_encode_str(b, d->code);
    buf_puts(b, "\">");
    html_text(b, dept_name(r, d));
    buf_printf(b, "</a> <span class=\"count\">(%zu)</span></li>", d->nitems);
}

int page_departments(struct http_req *r)
{
    struct catalog_view *v = view_or_fail(r);
    if (!v) return 0;
    struct buf b = BUF_INIT;
    page_open(r, &b, "portal.departments.title", NAV_DEPARTMENTS);
    buf_puts(&b, "<h1>");
    page_t(r, &b, "portal.departments.title");
    buf_puts(&b, "</h1><ul class=\"departments\">");
    for (size_t i = 0; i < v->ndepts; i++) {
        const struct cv_dept *d = &v->depts[i];
        if (d->parent && catalog_view_dept(v, d->parent)) continue; /* listed under its parent */
        dept_row(r, &b, d);
        int open = 0;
        for (size_t k = 0; k < v->ndepts; k++) {
            if (v->depts[k].parent && !strcmp(v->depts[k].parent, d->code)) {
                if (!open) buf_puts(&b, "<li class=\"children\"><ul>");
                open = 1;
                dept_row(r, &b, &v->depts[k]);
            }
        }
        if (open) buf_puts(&b, "</ul></li>");
    }
    buf_puts(&b, "</ul>");
    catalog_view_put(v);
    return page_send(r, &b, 200);
}

int page_department(struct http_req *r)
{
    struct catalog_view *v = view_or_fail(r);
    if (!v) return 0;
    const struct cv_dept *d = catalog_view_dept(v, http_param(r, "code"));
    if (!d) {
        catalog_view_put(v);
        return http_fail(r, ERR_NOT_FOUND, NULL, "catalog.department_not_found", NULL);
    }
    struct buf b = BUF_INIT;
    page_open_title(r, &b, dept_name(r, d), NAV_DEPARTMENTS);
    buf_puts(&b, "<h1>");
    html_text(&b, dept_name(r, d));
    buf_puts(&b, "</h1>");
    json_t *doc = json_loads(d->doc, 0, NULL);
    json_t *contact = json_object_get(doc, "contact");
    if (json_is_object(contact)) {
        buf_puts(&b, "<dl class=\"contact\">");
        static const char *const members[] = {"phone", "address", "hours"};
        for (int k = 0; k < 3; k++) {
            if (!str_of(contact, members[k])) continue;
            char key[48];
            snprintf(key, sizeof key, "portal.contact.%s", members[k]);
            dt(r, &b, key);
            html_text(&b, str_of(contact, members[k]));
            buf_puts(&b, "</dd>");
        }
        buf_puts(&b, "</dl>");
    }
    json_decref(doc);
    if (d->parent && catalog_view_dept(v, d->parent)) {
        buf_puts(&b, "<p>");
        page_t(r, &b, "portal.parent");
        buf_puts(&b, "：<a href=\"/departments/");
        url_encode_str(&b, d->parent);
        buf_puts(&b, "\">");
        html_text(&b, dept_name(r, catalog_view_dept(v, d->parent)));
        buf_puts(&b, "</a></p>");
    }
    char n[24], line[200];
    snprintf(n, sizeof n, "%zu", d->nitems);
    trf(r->lang, "portal.items.count", n, line, sizeof line);
    buf_puts(&b, "<section aria-labelledby=\"h-dept-items\"><h2 id=\"h-dept-items\">");
    html_text(&b, line);
    buf_puts(&b, "</h2><ol class=\"results\">");
    for (size_t i = 0; i < d->nitems; i++)
        result_entry(r, &b, v, &v->items[d->items[i]]);
    buf_puts(&b, "</ol></section>");
    catalog_view_put(v);
    return page_send(r, &b, 200);
}

/* --- depth of online service --- */

/* Bars of the four cumulative shares, drawn as SVG: one bar per level. */
static void depth_chart(struct http_req *r, struct buf *b, const size_t at_least[5], size_t total,
                        const char *id)
{
    const int w = 640, bar = 34, gap = 14, left = 230, top = 10;
    int h = top * 2 + 4 * (bar + gap);
    buf_printf(b,
               "<svg class=\"chart\" role=\"img\" aria-labelledby=\"%s\" viewBox=\"0 0 %d %d\" "
               "width=\"100%%\" preserveAspectRatio=\"xMinYMin meet\">",
               id, w, h);
    for (int k = 1; k <= 4; k++) {
        double share = total ? (double)at_least[k] / (double)total : 0;
        int y = top + (k - 1) * (bar + gap);
        int len = (int)(share * (w - left - 70) + 0.5);
        buf_printf(b, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" class=\"label\">", left - 8,
                   y + bar / 2 + 5);
        char key[48], out[160];
        snprintf(key, sizeof key, "portal.depth.at_least.%d", k);
        trf(r->lang, key, NULL, out, sizeof out);
        html_text(b, out);
        buf_printf(b,
                   "</text><rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" class=\"bar "
                   "level-%d\"/>",
                   left, y, len > 0 ? len : 1, bar, k);
        buf_printf(b, "<text x=\"%d\" y=\"%d\" class=\"value\">%.2f%%</text>", left + len + 6,
                   y + bar / 2 + 5, share * 100);
    }
    buf_puts(b, "</svg>");
}

int page_depth(struct http_req *r)
{
    struct catalog_view *v = view_or_fail(r);
    if (!v) return 0;
    struct buf b = BUF_INIT;
    page_open(r, &b, "portal.depth.title", NAV_DEPTH);
    buf_puts(&b, "<h1>");
    page_t(r, &b, "portal.depth.title");
    buf_puts(&b, "</h1><p>");
    page_t(r, &b, "portal.depth.lead");
    buf_puts(&b, "</p><figure><figcaption id=\"chart-all\">");
    char n[24], line[256];
    snprintf(n, sizeof n, "%zu", v->nitems);
    trf(r->lang, "portal.depth.caption", n, line, sizeof line);
    html_text(&b, line);
    buf_puts(&b, "</figcaption>");
    depth_chart(r, &b, v->at_least, v->nitems, "chart-all");
    buf_puts(&b, "</figure>");
    /* the same figures as a table, per department: for screen readers,
     * printing and anyone who wants the numbers */
    /* a wide table scrolls in its own box on a phone, not the page */
    buf_puts(&b, "<div class=\"table-wrap\" role=\"region\" tabindex=\"0\" "
                 "aria-labelledby=\"cap-depth\"><table class=\"depth\"><caption id=\"cap-depth\">");
    page_t(r, &b, "portal.depth.table");
    buf_puts(&b, "</caption><thead><tr><th scope=\"col\">");
    page_t(r, &b, "portal.facet.department");
    buf_puts(&b, "</th><th scope=\"col\">");
    page_t(r, &b, "portal.depth.items");
    for (int k = 1; k <= 4; k++) {
        char key[48];
        snprintf(key, sizeof key, "portal.depth.at_least.%d", k);
        buf_puts(&b, "</th><th scope=\"col\">");
        page_t(r, &b, key);
    }
    buf_puts(&b, "</th></tr></thead><tbody>");
    buf_puts(&b, "<tr class=\"total\"><th scope=\"row\">");
    page_t(r, &b, "portal.depth.all");
    buf_printf(&b, "</th><td>%zu</td>", v->nitems);
    for (int k = 1; k <= 4; k++)
        buf_printf(&b, "<td>%zu (%.2f%%)</td>", v->at_least[k],
                   v->nitems ? 100.0 * (double)v->at_least[k] / (double)v->nitems : 0);
    buf_puts(&b, "</tr>");
    for (size_t i = 0; i < v->ndepts; i++) {
        const struct cv_dept *d = &v->depts[i];
        if (!d->nitems) continue;
        buf_puts(&b, "<tr><th scope=\"row\"><a href=\"/departments/");
        url_encode_str(&b, d->code);
        buf_puts(&b, "\">");
        html_text(&b, dept_name(r, d));
        buf_printf(&b, "</a></th><td>%zu</td>", d->nitems);
        for (int k = 1; k <= 4; k++)
            buf_printf(&b, "<td>%zu (%.1f%%)</td>", d->at_least[k],
                       100.0 * (double)d->at_least[k] / (double)d->nitems);
        buf_puts(&b, "</tr>");
    }
    buf_puts(&b, "</tbody></table></div><p><a href=\"/api/v1/stats/depth\">");
    page_t(r, &b, "portal.depth.json");
    buf_puts(&b, "</a></p>");
    catalog_view_put(v);
    return page_send(r, &b, 200);
}

/* --- entry points for the home page --- */

void page_catalog_entries(struct http_req *r, struct buf *b)
{
    search_form(r, b, NULL, "h");
    buf_puts(b, "<nav class=\"entries\" aria-labelledby=\"h-entries\"><h2 id=\"h-entries\">");
    page_t(r, b, "portal.entries");
    buf_puts(b, "</h2><ul class=\"grid\"><li class=\"tile\"><h3><a href=\"/departments\">");
    page_t(r, b, "portal.entry.departments");
    buf_puts(b, "</a></h3><p>");
    page_t(r, b, "portal.entry.departments.text");
    buf_puts(b, "</p></li><li class=\"tile\"><h3><a href=\"/items?target=person\">");
    page_t(r, b, "portal.entry.person");
    buf_puts(b, "</a></h3><p>");
    page_t(r, b, "portal.entry.person.text");
    buf_puts(b, "</p></li><li class=\"tile\"><h3><a href=\"/items?target=enterprise\">");
    page_t(r, b, "portal.entry.enterprise");
    buf_puts(b, "</a></h3><p>");
    page_t(r, b, "portal.entry.enterprise.text");
    buf_puts(b, "</p></li><li class=\"tile\"><h3><a href=\"/stats/depth\">");
    page_t(r, b, "portal.depth.title");
    buf_puts(b, "</a></h3><p>");
    page_t(r, b, "portal.entry.depth.text");
    buf_puts(b, "</p></li></ul><h3 id=\"h-events\">");
    page_t(r, b, "portal.entry.events");
    buf_puts(b, "</h3><ul class=\"events\" aria-labelledby=\"h-events\">");
    for (size_t i = 0; catalog_themes[i]; i++) {
        buf_puts(b, "<li><a href=\"/items?theme=");
        url_encode_str(b, catalog_themes[i]);
        buf_puts(b, "\">");
        label_html(r, b, "catalog.theme", catalog_themes[i]);
        buf_puts(b, "</a></li>");
    }
    buf_puts(b, "</ul></nav>\n");
}
