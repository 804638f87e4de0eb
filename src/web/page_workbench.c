/**
 * @file page_workbench.c
 * @brief The department's workbench (docs/workbench.md): the department's
 *        cases by time left with filters and pages, a case with the
 *        applicant's data, materials, owed materials, time limits with their
 *        derivation, history and one form per action allowed now; the
 *        actions posted from those forms; materials served for viewing in
 *        the browser; the department's ratings.
 *
 * The pages only show what the domain answers (src/domain/cases.h): which
 * cases a person sees, which actions are allowed and who may take them are
 * decided there, and every staff view or download is logged there. A case
 * of another department answers 404, as if it did not exist.
 *
 * Every action form carries the version of the case it was rendered from
 * (expected_version). When someone else changed the case meanwhile, the
 * domain answers 409 with the current state; the page is rendered again
 * from the case as it is now, with a message saying so, and the forms carry
 * the new version: acting again is a deliberate second step.
 *
 * Field names repeat between actions (a reason is asked by decline, refuse,
 * extend ...), so the ids of the fields carry the action: "f-decline-reason".
 * A refused form comes back with what was typed and the message at its
 * field, like the other pages (docs/ui.md).
 */
#include "core/clock.h"
#include "core/html.h"
#include "core/url.h"
#include "domain/cases.h"
#include "http/server.h"
#include "store/files.h"
#include "store/store.h"
#include "web/page.h"
#include "web/web.h"
#include "web/workbench.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Cases on one page of the list. */
#define PER_PAGE 20
/* A case is due soon with this many working days left or fewer (the same
 * window as the domain's due_soon filter). */
#define DUE_SOON_DAYS 3
/* Longest text a reason, note or legal basis may have (characters are
 * counted by the domain; this only bounds the input). */
#define TEXT_MAX 2000


/* --- small helpers --- */

static const char *str_of(json_t *o, const char *name)
{
    return json_string_value(json_object_get(o, name));
}

static json_t *get2(json_t *o, const char *a, const char *b)
{
    return json_object_get(json_object_get(o, a), b);
}

/* The translation of key, or fallback when the catalogs have no such key
 * (tr answers the key itself then): data the domain names, such as a form
 * field of an item, is shown as it is rather than as a key. */
static const char *t_or(struct http_req *r, const char *key, const char *fallback)
{
    const char *s = T(r, key);
    return strcmp(s, key) == 0 ? fallback : s;
}

/* T(key) with "{}" replaced by arg, escaped. */
static void put_trf(struct http_req *r, struct buf *b, const char *key, const char *arg)
{
    char out[1024];
    html_text(b, trf(r->lang, key, arg, out, sizeof out));
}

static void put_trf_long(struct http_req *r, struct buf *b, const char *key, long long n)
{
    char num[32];
    snprintf(num, sizeof num, "%lld", n);
    put_trf(r, b, key, num);
}

/* A translated name of a kind of thing ("workbench.state." + "accepted"),
 * the name itself when it has no translation. */
static const char *name_of(struct http_req *r, const char *prefix, const char *name)
{
    if (!name || !*name) return T(r, "workbench.none");
    char key[96];
    snprintf(key, sizeof key, "%s%s", prefix, name);
    return arena_strdup(r->arena, t_or(r, key, name));
}

/* An instant as "2026-03-05 10:20" in the hall's zone, inside <time>. */
static void put_when(struct buf *b, const char *iso)
{
    if (!iso || !*iso) return;
    int64_t ms;
    char local[40];
    const char *s = iso;
    if (strlen(iso) > 10 && clock_parse_iso(iso, &ms) == 0) {
        clock_format_iso(ms, local);
        s = local;
    }
    buf_puts(b, "<time datetime=\"");
    html_attr(b, iso);
    buf_puts(b, "\">");
    if (strlen(s) >= 16 && s[10] == 'T') {
        html_text_n(b, s, 10);
        buf_putc(b, ' ');
        html_text_n(b, s + 11, 5);
    } else {
        html_text(b, s);
    }
    buf_puts(b, "</time>");
}

/* A value of the applicant's form or of a history entry, in words: text as
 * it is, numbers, yes / no, lists joined as the language joins them,
 * anything else as compact JSON. */
static void put_value(struct http_req *r, struct buf *b, json_t *v)
{
    if (json_is_string(v)) {
        html_text(b, json_string_value(v));
    } else if (json_is_integer(v)) {
        buf_printf(b, "%lld", (long long)json_integer_value(v));
    } else if (json_is_real(v)) {
        buf_printf(b, "%g", json_real_value(v));
    } else if (json_is_boolean(v)) {
        page_t(r, b, json_is_true(v) ? "workbench.yes" : "workbench.no");
    } else if (json_is_array(v)) {
        size_t i;
        json_t *x;
        json_array_foreach(v, i, x)
        {
            if (!i) {
                put_value(r, b, x);
                continue;
            }
            /* "、{}" or ", {}": how the next item of a list is joined */
            struct buf one = BUF_INIT;
            put_value(r, &one, x);
            const char *more = T(r, "web.list.more");
            const char *at = strstr(more, "{}");
            if (at) {
                html_text_n(b, more, (size_t)(at - more));
                buf_puts(b, buf_str(&one));
                html_text(b, at + 2);
            } else {
                buf_puts(b, buf_str(&one));
            }
            buf_free(&one);
        }
    } else if (json_is_object(v)) {
        char *s = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS);
        html_text(b, s);
        free(s);
    } else {
        page_t(r, b, "workbench.none");
    }
}

static void fact(struct http_req *r, struct buf *b, const char *key, const char *value)
{
    page_fact(r, b, key, value, "workbench.none");
}

/* The same with an instant. */
static void fact_when(struct http_req *r, struct buf *b, const char *key, const char *iso)
{
    page_fact_open(r, b, key);
    if (iso && *iso)
        put_when(b, iso);
    else
        page_t(r, b, "workbench.none");
    page_fact_close(b);
}

/* The case number as read over the phone, from the case JSON. */
static const char *display_number(struct http_req *r, json_t *k)
{
    const char *d = str_of(k, "number_display");
    if (d) return d;
    const char *n = str_of(k, "number");
    if (!n) return "";
    char *out = arena_alloc(r->arena, 32);
    if (strlen(n) == 12)
        case_number_display(n, out);
    else
        snprintf(out, 32, "%s", n);
    return out;
}

/* --- who may come in --- */

/* Sends an anonymous visitor to log in (and back here after, for a GET) and
 * refuses other roles with a 403 page. Returns 1 when it has answered. */
static int gate(struct http_req *r)
{
    return page_gate(r, WORKBENCH_ROLES, "/workbench", "workbench.forbidden");
}

static int is_dept_admin(struct http_req *r)
{
    return (r->principal->roles & ROLE_DEPT_ADMIN) != 0;
}

/* The {number} of the route as 12 digits; a number that cannot be one
 * answers 404 like a case that does not exist. 0, or -1 when answered. */
static int number_arg(struct http_req *r, char out[13])
{
    const char *n = http_param(r, "number");
    if (!n || case_number_parse(n, out) < 0) {
        http_fail(r, ERR_NOT_FOUND, NULL, "workbench.no_case", NULL);
        return -1;
    }
    return 0;
}

/* --- the person's department --- */

struct dept {
    char code[64];
    char name[256];
};

static int my_department(struct http_req *r, struct dept *d)
{
    return cases_my_department(http_db(r), r->principal, d->code, d->name);
}

static json_t *department_staff(struct http_req *r)
{
    return cases_department_staff(http_db(r), r->principal);
}

/* --- the list --- */

/* A yes/no query argument ("1", "on", "true"). */
static int query_flag(struct http_req *r, const char *name)
{
    const char *v = http_query(r, name);
    return v && (!strcmp(v, "1") || !strcmp(v, "on") || !strcmp(v, "true"));
}

/* The filters of the request, checked: an unknown state or a page that is
 * not a number is ignored rather than refused (it came from an old link). */
static void filter_from_query(struct http_req *r, struct case_filter *f)
{
    memset(f, 0, sizeof *f);
    const char *s = http_query(r, "state");
    if (s && case_state_parse(s) > CASE_DRAFT) f->state = s;
    const char *item = http_query(r, "item");
    if (item) {
        size_t start = strspn(item, " \t"), n = strlen(item + start);
        while (n && (item[start + n - 1] == ' ' || item[start + n - 1] == '\t'))
            n--;
        if (n && n <= 64) f->item_code = arena_strndup(r->arena, item + start, n);
    }
    f->overdue = query_flag(r, "overdue");
    f->due_soon = query_flag(r, "due_soon");
    f->mine = query_flag(r, "mine");
    const char *p = http_query(r, "page");
    char *end;
    long page = p ? strtol(p, &end, 10) : 1;
    f->page = p && (*end || page < 1 || page > 100000) ? 1 : page;
    f->per_page = PER_PAGE;
}

/* /workbench with the filters of f and page (escaped for an attribute). */
static void list_href(struct buf *b, const struct case_filter *f, long page)
{
    struct buf u = BUF_INIT;
    buf_puts(&u, "/workbench");
    char sep = '?';
    if (f->state) {
        buf_printf(&u, "%cstate=", sep);
        url_encode_str(&u, f->state);
        sep = '&';
    }
    if (f->item_code) {
        buf_printf(&u, "%citem=", sep);
        url_encode_str(&u, f->item_code);
        sep = '&';
    }
    if (f->overdue) buf_printf(&u, "%coverdue=1", sep), sep = '&';
    if (f->due_soon) buf_printf(&u, "%cdue_soon=1", sep), sep = '&';
    if (f->mine) buf_printf(&u, "%cmine=1", sep), sep = '&';
    if (page > 1) buf_printf(&u, "%cpage=%ld", sep, page);
    html_attr(b, buf_str(&u));
    buf_free(&u);
}

static void checkbox(struct http_req *r, struct buf *b, const char *name, int checked,
                     const char *label_key)
{
    buf_printf(b,
               "<div class=\"field check\"><input type=\"checkbox\" id=\"f-%s\" name=\"%s\" "
               "value=\"1\"%s><label for=\"f-%s\">",
               name, name, checked ? " checked" : "", name);
    page_t(r, b, label_key);
    buf_puts(b, "</label></div>");
}

/* The filters as a GET form: it needs no token and its result can be
 * bookmarked. */
static void filter_form(struct http_req *r, struct buf *b, const struct case_filter *f)
{
    buf_puts(b, "<form method=\"get\" action=\"/workbench\" class=\"card filters\" "
                "aria-labelledby=\"h-filters\"><h2 id=\"h-filters\">");
    page_t(r, b, "workbench.filters");
    buf_puts(b, "</h2><div class=\"field\"><label for=\"f-state\">");
    page_t(r, b, "workbench.f.state");
    buf_puts(b, "</label><select id=\"f-state\" name=\"state\"><option value=\"\">");
    page_t(r, b, "workbench.all_states");
    buf_puts(b, "</option>");
    for (int s = CASE_SUBMITTED; s < CASE__COUNT; s++) {
        const char *n = case_state_name((enum case_state)s);
        if (!n) continue;
        buf_puts(b, "<option value=\"");
        html_attr(b, n);
        buf_puts(b, f->state && !strcmp(f->state, n) ? "\" selected>" : "\">");
        html_text(b, name_of(r, "workbench.state.", n));
        buf_puts(b, "</option>");
    }
    buf_puts(b, "</select></div><div class=\"field\"><label for=\"f-item\">");
    page_t(r, b, "workbench.f.item");
    buf_puts(b, "</label><p class=\"hint\" id=\"h-item\">");
    page_t(r, b, "workbench.h.item");
    buf_puts(b, "</p><input id=\"f-item\" name=\"item\" type=\"text\" maxlength=\"64\" "
                "spellcheck=\"false\" aria-describedby=\"h-item\"");
    if (f->item_code) {
        buf_puts(b, " value=\"");
        html_attr(b, f->item_code);
        buf_puts(b, "\"");
    }
    buf_puts(b, "></div>");
    checkbox(r, b, "overdue", f->overdue, "workbench.f.overdue");
    checkbox(r, b, "due_soon", f->due_soon, "workbench.f.due_soon");
    checkbox(r, b, "mine", f->mine, "workbench.f.mine");
    buf_puts(b, "<button type=\"submit\">");
    page_t(r, b, "workbench.filter");
    buf_puts(b, "</button> <a href=\"/workbench\">");
    page_t(r, b, "workbench.filter_clear");
    buf_puts(b, "</a></form>\n");
}

/* The promised limit of a case (or of a summary of one): the object with
 * "due", "left", "overdue", "state". */
static json_t *promised_of(json_t *k)
{
    json_t *p = get2(k, "time_limit", "promised");
    return p ? p : k; /* a summary may carry the members at the top */
}

/* The due date of a limit, or of a list entry ("due_promised"). */
static const char *due_of(json_t *tl)
{
    const char *d = str_of(tl, "due");
    return d ? d : str_of(tl, "due_promised");
}

/* Where the clock stands in a case state without a due date. */
static const char *clock_of_state(const char *state)
{
    static const struct {
        const char *state, *clock;
    } map[] = {
        {"submitted", "not_started"}, {"pre_accepted", "not_started"}, {"supplement", "stopped"},
        {"special", "stopped"},       {"approved", "decided"},         {"refused", "decided"},
        {"delivered", "decided"},     {"declined", "declined"},        {"withdrawn", "withdrawn"}};
    for (size_t i = 0; state && i < PAGE_NELEM(map); i++)
        if (!strcmp(map[i].state, state)) return map[i].clock;
    return NULL;
}

/* Time left in words: "3 working days left", "due soon", "2 working days
 * overdue" (marked as an error, so not by colour alone), or where the clock
 * stands when it does not run. */
static void put_left(struct http_req *r, struct buf *b, json_t *tl, json_t *k)
{
    json_t *left = json_object_get(tl, "left");
    const char *due = due_of(tl);
    int overdue = json_is_true(json_object_get(tl, "overdue")) ||
                  (k && json_is_true(json_object_get(k, "overdue")));
    if (!json_is_integer(left) || !due) {
        /* a limit says where its clock stands; a list entry only has the
         * case's state, from which the clock follows */
        const char *st = str_of(tl, "state");
        if (tl == k) st = clock_of_state(st);
        if (overdue) {
            buf_puts(b, "<span class=\"error\">");
            page_t(r, b, "workbench.overdue");
            buf_puts(b, "</span>");
        } else {
            html_text(b, st ? name_of(r, "workbench.clock.", st) : T(r, "workbench.none"));
        }
        return;
    }
    long long n = (long long)json_integer_value(left);
    if (overdue || n < 0) {
        buf_puts(b, "<span class=\"error\">");
        if (n < 0)
            put_trf_long(r, b, "workbench.left.overdue", -n);
        else
            page_t(r, b, "workbench.overdue");
        buf_puts(b, "</span>");
        return;
    }
    int soon = (k && json_is_true(json_object_get(k, "due_soon"))) || n <= DUE_SOON_DAYS;
    if (soon) buf_puts(b, "<strong>");
    put_trf_long(r, b, "workbench.left.days", n);
    if (soon) {
        buf_puts(b, " · ");
        page_t(r, b, "workbench.due_soon");
        buf_puts(b, "</strong>");
    }
}

/* The assignee of a case in words: the name the case carries, else the
 * name of that id among the department's staff, "me" for the caller. */
static void put_assignee(struct http_req *r, struct buf *b, json_t *as, json_t *staff)
{
    json_t *id = json_is_object(as) ? json_object_get(as, "id") : as;
    const char *name = json_is_object(as) ? str_of(as, "name") : NULL;
    size_t i;
    json_t *s;
    json_array_foreach(staff, i, s)
    {
        if (!name && json_is_integer(id) && json_equal(json_object_get(s, "id"), id))
            name = str_of(s, "name");
    }
    if (!json_is_integer(id) && !name) {
        page_t(r, b, "workbench.unassigned");
        return;
    }
    if (name) html_text(b, name);
    if (json_is_integer(id) && json_integer_value(id) == r->principal->account_id) {
        if (name) buf_putc(b, ' ');
        page_t(r, b, "workbench.me");
    }
}

static void list_row(struct http_req *r, struct buf *b, json_t *it, json_t *staff)
{
    const char *number = str_of(it, "number");
    buf_puts(b, "<tr><th scope=\"row\">");
    if (number) {
        buf_puts(b, "<a href=\"/workbench/cases/");
        html_attr(b, number);
        buf_puts(b, "\">");
        html_text(b, display_number(r, it));
        buf_puts(b, "</a>");
    }
    buf_puts(b, "</th><td>");
    json_t *item = json_object_get(it, "item");
    const char *iname = json_is_object(item) ? str_of(item, "name") : str_of(it, "item_name");
    const char *icode = json_is_object(item) ? str_of(item, "code") : str_of(it, "item_code");
    html_text(b, iname ? iname : icode);
    if (iname && icode) {
        buf_puts(b, "<br><span class=\"meta\">");
        html_text(b, icode);
        buf_puts(b, "</span>");
    }
    buf_puts(b, "</td><td>");
    const char *who = json_string_value(get2(it, "applicant", "name"));
    if (!who) who = str_of(it, "applicant_name");
    html_text(b, who ? who : T(r, "workbench.none"));
    const char *ent = json_string_value(get2(it, "enterprise", "name"));
    if (ent) {
        buf_puts(b, "<br><span class=\"meta\">");
        html_text(b, ent);
        buf_puts(b, "</span>");
    }
    buf_puts(b, "</td><td>");
    html_text(b, name_of(r, "workbench.state.", str_of(it, "state")));
    buf_puts(b, "</td><td>");
    const char *due = due_of(promised_of(it));
    html_text(b, due ? due : T(r, "workbench.none"));
    buf_puts(b, "</td><td>");
    put_left(r, b, promised_of(it), it);
    buf_puts(b, "</td><td>");
    put_assignee(r, b, json_object_get(it, "assigned_to"), staff);
    buf_puts(b, "</td></tr>\n");
}

int page_workbench(struct http_req *r)
{
    if (gate(r)) return 0;
    struct case_filter f;
    filter_from_query(r, &f);
    struct err e;
    err_clear(&e);
    json_t *list = cases_list_department(http_db(r), r->principal, &f, &e);
    if (!list) return http_reply_err(r, &e);
    struct dept d = {"", ""};
    my_department(r, &d);

    struct buf b = BUF_INIT;
    page_open(r, &b, "workbench.title", NAV_WORKBENCH);
    buf_puts(&b, "<section aria-labelledby=\"h-wb\"><h1 id=\"h-wb\">");
    page_t(r, &b, "workbench.title");
    buf_puts(&b, "</h1>");
    if (d.name[0]) {
        buf_puts(&b, "<p class=\"lead\">");
        html_text(&b, d.name);
        buf_puts(&b, "</p>");
    }
    buf_puts(&b, "<p>");
    page_t(r, &b, is_dept_admin(r) ? "workbench.lead.admin" : "workbench.lead.clerk");
    buf_puts(&b, "</p><ul class=\"actions\"><li><a href=\"/workbench/ratings\">");
    page_t(r, &b, "workbench.ratings.title");
    buf_puts(&b, "</a></li></ul>");
    filter_form(r, &b, &f);

    json_t *items = json_object_get(list, "items");
    long long total = json_integer_value(json_object_get(list, "total"));
    if (!total) total = (long long)json_array_size(items);
    long page = json_is_integer(json_object_get(list, "page"))
                    ? (long)json_integer_value(json_object_get(list, "page"))
                    : f.page;
    long per = json_integer_value(json_object_get(list, "per_page")) > 0
                   ? (long)json_integer_value(json_object_get(list, "per_page"))
                   : PER_PAGE;
    buf_puts(&b, "<p class=\"count\" role=\"status\">");
    put_trf_long(r, &b, "workbench.count", total);
    buf_puts(&b, "</p>");
    if (!json_array_size(items)) {
        buf_puts(&b, "<p class=\"note\">");
        page_t(r, &b,
               f.state || f.item_code || f.overdue || f.due_soon || f.mine
                   ? "workbench.empty.filtered"
                   : "workbench.empty");
        buf_puts(&b, "</p>");
    } else {
        buf_puts(&b, "<div class=\"table-wrap\" role=\"region\" tabindex=\"0\" "
                     "aria-labelledby=\"cap-cases\"><table class=\"depth cases\">"
                     "<caption id=\"cap-cases\">");
        page_t(r, &b, "workbench.caption");
        buf_puts(&b, "</caption>");
        static const char *const cols[] = {"workbench.col.number",    "workbench.col.item",
                                           "workbench.col.applicant", "workbench.col.state",
                                           "workbench.col.due",       "workbench.col.left",
                                           "workbench.col.assignee"};
        page_table_head(r, &b, cols, PAGE_NELEM(cols));
        size_t i;
        json_t *it;
        /* names of the assignees, when some case has one */
        json_t *staff = NULL;
        json_array_foreach(items, i, it)
        {
            if (!staff && json_is_integer(json_object_get(it, "assigned_to")))
                staff = department_staff(r);
        }
        json_array_foreach(items, i, it) list_row(r, &b, it, staff);
        json_decref(staff);
        buf_puts(&b, "</tbody></table></div>");
    }
    long pages = (long)((total + per - 1) / per);
    if (pages > 1) {
        buf_puts(&b, "<nav class=\"pages\" aria-label=\"");
        html_attr(&b, T(r, "workbench.pages"));
        buf_puts(&b, "\"><ul>");
        if (page > 1) {
            buf_puts(&b, "<li><a rel=\"prev\" href=\"");
            list_href(&b, &f, page - 1);
            buf_puts(&b, "\">");
            page_t(r, &b, "workbench.prev");
            buf_puts(&b, "</a></li>");
        }
        buf_printf(&b, "<li aria-current=\"page\">%ld / %ld</li>", page, pages);
        if (page < pages) {
            buf_puts(&b, "<li><a rel=\"next\" href=\"");
            list_href(&b, &f, page + 1);
            buf_puts(&b, "\">");
            page_t(r, &b, "workbench.next");
            buf_puts(&b, "</a></li>");
        }
        buf_puts(&b, "</ul></nav>");
    }
    buf_puts(&b, "</section>");
    json_decref(list);
    return page_send(r, &b, 200);
}

/* --- the case page: what is known --- */

/* The applicant's data: each value of the form, marked verified when it
 * is the value the government holds and the applicant did not change. */
static void applicant_section(struct http_req *r, struct buf *b, json_t *k)
{
    buf_puts(b, "<section class=\"card\" aria-labelledby=\"h-data\"><h2 id=\"h-data\">");
    page_t(r, b, "workbench.case.data");
    buf_puts(b, "</h2><dl class=\"facts\">");
    fact(r, b, "workbench.case.applicant", json_string_value(get2(k, "applicant", "name")));
    json_t *ent = json_object_get(k, "enterprise");
    if (json_is_object(ent)) {
        fact(r, b, "workbench.case.enterprise", str_of(ent, "name"));
        fact(r, b, "workbench.case.uscc", str_of(ent, "uscc"));
    }
    json_t *form = json_object_get(k, "form"), *pre = json_object_get(k, "prefilled");
    const char *key;
    json_t *v;
    /* The form's values first, then prefilled values the form lacks. */
    for (int pass = 0; pass < 2; pass++) {
        json_t *src = pass ? pre : form;
        json_object_foreach(src, key, v)
        {
            if (pass && json_object_get(form, key)) continue;
            json_t *p = json_object_get(pre, key);
            json_t *val = pass ? json_object_get(v, "value") : v;
            int verified = json_is_true(json_object_get(p, "verified"));
            json_t *pv = json_object_get(p, "value");
            if (verified && pv && !pass && !json_equal(pv, val)) verified = 0;
            char label[96];
            snprintf(label, sizeof label, "workbench.form.%s", key);
            buf_puts(b, "<div><dt>");
            html_text(b, t_or(r, label, key));
            buf_puts(b, "</dt><dd>");
            put_value(r, b, val);
            if (verified) {
                buf_puts(b, " <span class=\"level level-4\">✓ ");
                page_t(r, b, "workbench.verified");
                buf_puts(b, "</span>");
            }
            buf_puts(b, "</dd></div>");
        }
    }
    buf_puts(b, "</dl>");
    if (json_object_size(form) || json_object_size(pre)) {
        page_para(r, b, "hint", "workbench.case.verified_hint");
    }
    buf_puts(b, "</section>\n");
}

/* Content types the browser shows itself: viewed inline, everything else
 * downloaded. */
static int viewable(const char *ct)
{
    return ct && (!strcmp(ct, "application/pdf") || !strcmp(ct, "image/jpeg") ||
                  !strcmp(ct, "image/png"));
}

static void materials_section(struct http_req *r, struct buf *b, json_t *k)
{
    const char *number = str_of(k, "number");
    json_t *mats = json_object_get(k, "materials");
    buf_puts(b, "<section class=\"card\" aria-labelledby=\"h-mats\"><h2 id=\"h-mats\">");
    page_t(r, b, "workbench.case.materials");
    buf_puts(b, "</h2>");
    if (!json_array_size(mats)) {
        buf_puts(b, "<p>");
        page_t(r, b, "workbench.case.no_materials");
        buf_puts(b, "</p>");
    } else {
        buf_puts(b, "<div class=\"table-wrap\" role=\"region\" tabindex=\"0\" "
                    "aria-labelledby=\"h-mats\"><table class=\"depth\">");
        static const char *const cols[] = {"workbench.col.material", "workbench.col.required",
                                           "workbench.col.source", "workbench.col.file"};
        page_table_head(r, b, cols, PAGE_NELEM(cols));
        size_t i;
        json_t *m;
        json_array_foreach(mats, i, m)
        {
            buf_puts(b, "<tr><th scope=\"row\">");
            html_text(b, str_of(m, "name"));
            buf_puts(b, "</th><td>");
            page_t(r, b,
                   json_is_true(json_object_get(m, "required")) ? "workbench.required"
                                                                : "workbench.optional");
            buf_puts(b, "</td><td>");
            const char *src = str_of(m, "source");
            html_text(b,
                      src ? name_of(r, "workbench.source.", src) : T(r, "workbench.source.none"));
            buf_puts(b, "</td><td>");
            json_t *up = json_object_get(m, "upload");
            json_t *id = json_object_get(up, "id");
            if (json_is_object(up) && number && (json_is_integer(id) || json_is_string(id))) {
                const char *ct = str_of(up, "content_type");
                buf_puts(b, "<a href=\"/workbench/cases/");
                html_attr(b, number);
                buf_puts(b, "/materials/");
                if (json_is_integer(id))
                    buf_printf(b, "%lld", (long long)json_integer_value(id));
                else
                    html_attr(b, json_string_value(id));
                buf_puts(b, "\">");
                page_t(r, b, viewable(ct) ? "workbench.view" : "workbench.download");
                buf_puts(b, "<span class=\"sr-only\"> ");
                html_text(b, str_of(m, "name"));
                buf_puts(b, "</span></a><br><span class=\"meta\">");
                html_text(b, str_of(up, "filename"));
                json_t *size = json_object_get(up, "size");
                if (json_is_integer(size)) {
                    long long n = (long long)json_integer_value(size);
                    if (n >= 1024 * 1024)
                        buf_printf(b, " · %.1f MB", (double)n / (1024.0 * 1024.0));
                    else
                        buf_printf(b, " · %lld KB", (n + 1023) / 1024);
                }
                buf_puts(b, "</span>");
            } else {
                page_t(r, b, "workbench.none");
            }
            buf_puts(b, "</td></tr>");
        }
        buf_puts(b, "</tbody></table></div>");
        page_para(r, b, "hint", "workbench.case.view_logged");
    }
    json_t *owed = json_object_get(k, "owed");
    if (json_array_size(owed)) {
        buf_puts(b, "<h3>");
        page_t(r, b, "workbench.case.owed");
        buf_puts(b, "</h3><ul>");
        size_t i;
        json_t *o;
        json_array_foreach(owed, i, o)
        {
            buf_puts(b, "<li>");
            put_value(r, b,
                      json_is_object(o) && json_object_get(o, "name") ? json_object_get(o, "name")
                                                                      : o);
            buf_puts(b, "</li>");
        }
        buf_puts(b, "</ul>");
        const char *by = str_of(k, "owed_by");
        if (by) {
            buf_puts(b, "<p>");
            put_trf(r, b, "workbench.case.owed_by", by);
            buf_puts(b, "</p>");
        }
    }
    json_t *pledge = json_object_get(k, "pledge");
    if (json_is_object(pledge)) {
        buf_puts(b, "<h3>");
        page_t(r, b, "workbench.case.pledge");
        buf_puts(b, "</h3><dl class=\"facts\">");
        fact_when(r, b, "workbench.case.pledge_signed", str_of(pledge, "signed_at"));
        page_fact_open(r, b, "workbench.case.pledge_waived");
        put_value(r, b, json_object_get(pledge, "waived"));
        page_fact_close(b);
        buf_puts(b, "</dl>");
    }
    json_t *sup = json_object_get(k, "supplement");
    if (json_is_object(sup)) {
        buf_puts(b, "<h3>");
        page_t(r, b, "workbench.case.supplement");
        buf_puts(b, "</h3><dl class=\"facts\">");
        fact_when(r, b, "workbench.case.supplement_at", str_of(sup, "requested_at"));
        page_fact_open(r, b, "workbench.case.supplement_missing");
        put_value(r, b, json_object_get(sup, "missing"));
        page_fact_close(b);
        fact(r, b, "workbench.f.note", str_of(sup, "note"));
        fact(r, b, "workbench.case.supplement_due", str_of(sup, "due"));
        buf_puts(b, "</dl>");
    }
    buf_puts(b, "</section>\n");
}

/* One step of a derivation: the domain writes it per language, either as
 * text, as {"text"} already in the request's language, or as {"text":
 * {"zh-CN", "en"}} / {"zh-CN", "en"}. */
static void put_step(struct http_req *r, struct buf *b, json_t *s)
{
    const char *tag = lang_tag(r->lang);
    json_t *t = json_is_object(s) ? json_object_get(s, "text") : s;
    if (json_is_object(s) && !t) t = s;
    if (json_is_object(t)) {
        json_t *x = json_object_get(t, tag);
        if (!x) x = json_object_get(t, r->lang == LANG_EN ? "en" : "zh");
        if (!x) x = json_object_get(t, "zh-CN");
        t = x;
    }
    if (json_is_string(t))
        html_text(b, json_string_value(t));
    else
        put_value(r, b, s);
}

static void limit_block(struct http_req *r, struct buf *b, json_t *tl, const char *which)
{
    if (!json_is_object(tl)) return;
    char key[64], id[32];
    snprintf(id, sizeof id, "h-tl-%s", which);
    buf_printf(b, "<h3 id=\"%s\">", id);
    snprintf(key, sizeof key, "workbench.tl.%s", which);
    page_t(r, b, key);
    buf_puts(b, "</h3><dl class=\"facts\">");
    if (str_of(tl, "due")) {
        fact(r, b, "workbench.tl.due", str_of(tl, "due"));
        page_fact_open(r, b, "workbench.col.left");
        put_left(r, b, tl, NULL);
        page_fact_close(b);
    }
    const char *st = str_of(tl, "state");
    if (st) fact(r, b, "workbench.tl.clock", name_of(r, "workbench.clock.", st));
    if (str_of(tl, "supplement_due"))
        fact(r, b, "workbench.case.supplement_due", str_of(tl, "supplement_due"));
    if (str_of(tl, "delivery_due")) fact(r, b, "workbench.tl.delivery", str_of(tl, "delivery_due"));
    buf_puts(b, "</dl>");
    if (json_is_true(json_object_get(tl, "provisional"))) {
        page_para(r, b, "hint", "workbench.tl.provisional");
    }
    json_t *steps = json_object_get(tl, "steps");
    if (json_array_size(steps)) {
        buf_printf(b, "<details><summary>");
        page_t(r, b, "workbench.tl.steps");
        buf_puts(b, "</summary><ol>");
        size_t i;
        json_t *s;
        json_array_foreach(steps, i, s)
        {
            buf_puts(b, "<li>");
            put_step(r, b, s);
            buf_puts(b, "</li>");
        }
        buf_puts(b, "</ol></details>");
    }
}

static void limits_section(struct http_req *r, struct buf *b, json_t *k)
{
    json_t *tl = json_object_get(k, "time_limit");
    buf_puts(b, "<section class=\"card\" aria-labelledby=\"h-tl\"><h2 id=\"h-tl\">");
    page_t(r, b, "workbench.case.limits");
    buf_puts(b, "</h2>");
    if (!json_is_object(tl)) {
        buf_puts(b, "<p>");
        page_t(r, b, "workbench.none");
        buf_puts(b, "</p>");
    } else {
        limit_block(r, b, json_object_get(tl, "promised"), "promised");
        limit_block(r, b, json_object_get(tl, "statutory"), "statutory");
        const char *dd = str_of(tl, "delivery_due");
        if (dd) {
            buf_puts(b, "<p>");
            put_trf(r, b, "workbench.tl.delivery_due", dd);
            buf_puts(b, "</p>");
        }
    }
    buf_puts(b, "</section>\n");
}

static void decision_section(struct http_req *r, struct buf *b, json_t *k)
{
    json_t *d = json_object_get(k, "decision");
    if (!json_is_object(d)) return;
    const char *res = str_of(d, "result");
    buf_puts(b, "<section class=\"card\" aria-labelledby=\"h-decision\"><h2 id=\"h-decision\">");
    page_t(r, b, "workbench.case.decision");
    buf_puts(b, "</h2><dl class=\"facts\">");
    fact(r, b, "workbench.case.result", name_of(r, "workbench.result.", res));
    fact_when(r, b, "workbench.case.decided_at", str_of(k, "decided_at"));
    if (json_object_get(d, "reasons")) {
        page_fact_open(r, b, "workbench.f.reason");
        put_value(r, b, json_object_get(d, "reasons"));
        page_fact_close(b);
    }
    if (json_object_get(d, "legal_basis")) {
        page_fact_open(r, b, "workbench.f.legal_basis");
        put_value(r, b, json_object_get(d, "legal_basis"));
        page_fact_close(b);
    }
    buf_puts(b, "</dl>");
    if (res && !strcmp(res, "refused")) {
        /* The refusal tells the applicant of their remedies (行政许可法
         * art. 38): the domain's wording when it gives one. */
        buf_puts(b, "<p class=\"note\">");
        const char *remedy = str_of(d, "remedy");
        /* the domain stores a translation key ("cases.remedy") or text */
        if (remedy && !strchr(remedy, ' ') && strchr(remedy, '.'))
            html_text(b, t_or(r, remedy, T(r, "workbench.remedy")));
        else if (remedy)
            html_text(b, remedy);
        else
            page_t(r, b, "workbench.remedy");
        buf_puts(b, "</p>");
    }
    buf_puts(b, "</section>\n");
}

/* What the domain may write into the detail of a step of the history
 * (src/domain/cases.c: cases_act, one detail per action), and how each
 * member reads: its label is "workbench.f.<key>" in both catalogs, its value
 * as it is (text, dates as the ISO dates the domain keeps, lists of
 * material names, numbers), a code through its translations, or an account
 * by its name. A key not listed here is not shown (docs/workbench.md): the
 * page cannot know what a future member means or whether its value is a
 * code, and a raw English key or code in a Chinese page is worse than a
 * member left out; the API's history still carries the whole detail. */
enum detail_kind { DK_VALUE, DK_CODE, DK_ACCOUNT, DK_SKIP };
static const struct {
    const char *key;
    enum detail_kind kind;
    const char *codes; /* DK_CODE: the prefix of the codes' translations */
} detail_keys[] = {
    {"note", DK_VALUE, NULL},                 /* pre_accept, request_supplement */
    {"bring_by", DK_VALUE, NULL},             /* pre_accept: a date */
    {"owed", DK_VALUE, NULL},                 /* accept: material names */
    {"missing", DK_VALUE, NULL},              /* request_supplement: material names */
    {"due", DK_VALUE, NULL},                  /* request_supplement: a date */
    {"requested_at", DK_SKIP, NULL},          /* request_supplement: the row's time again */
    {"answered", DK_VALUE, NULL},             /* supplement: material names */
    {"days", DK_VALUE, NULL},                 /* extend: working days */
    {"method", DK_CODE, "workbench.method."}, /* deliver: pickup, post, electronic */
    {"assignee", DK_ACCOUNT, NULL},           /* assign: an account id */
};

static int detail_kind_of(const char *key, const char **codes)
{
    for (size_t i = 0; i < PAGE_NELEM(detail_keys); i++) {
        if (!strcmp(detail_keys[i].key, key)) {
            *codes = detail_keys[i].codes;
            return (int)detail_keys[i].kind;
        }
    }
    return -1;
}

/* One member of a step's detail, "label：value"; 0 when it is not shown.
 * *staff is the department's staff, looked up at the first account. */
static int put_detail(struct http_req *r, struct buf *b, json_t *k, const char *dk, json_t *dv,
                      json_t **staff)
{
    const char *codes = NULL;
    int kind = detail_kind_of(dk, &codes);
    /* unknown, or nothing said */
    if (kind < 0 || kind == DK_SKIP || json_is_null(dv) ||
        (json_is_array(dv) && !json_array_size(dv)))
        return 0;
    char key[96];
    snprintf(key, sizeof key, "workbench.f.%s", dk);
    const char *label = t_or(r, key, NULL);
    if (!label) return 0; /* a listed key whose text is missing: never the key itself */
    html_text(b, label);
    page_t(r, b, "workbench.colon");
    if (r->lang == LANG_EN) buf_putc(b, ' ');
    if (kind == DK_CODE && json_is_string(dv)) {
        html_text(b, name_of(r, codes, json_string_value(dv)));
    } else if (kind == DK_ACCOUNT && json_is_integer(dv)) {
        /* the case's own assignee carries its name; others are found among
         * the department's staff; an account found nowhere shows its id */
        json_t *cur = json_object_get(k, "assigned_to");
        json_t *as = json_is_object(cur) && json_equal(json_object_get(cur, "id"), dv) ? cur : dv;
        if (as == dv && !*staff) *staff = department_staff(r);
        size_t before = b->len;
        put_assignee(r, b, as, *staff);
        if (b->len == before) put_value(r, b, dv);
    } else {
        put_value(r, b, dv);
    }
    return 1;
}

static void history_section(struct http_req *r, struct buf *b, json_t *k)
{
    json_t *h = json_object_get(k, "history");
    buf_puts(b, "<section class=\"card\" aria-labelledby=\"h-history\"><h2 id=\"h-history\">");
    page_t(r, b, "workbench.case.history");
    buf_puts(b, "</h2>");
    if (!json_array_size(h)) {
        buf_puts(b, "<p>");
        page_t(r, b, "workbench.none");
        buf_puts(b, "</p></section>\n");
        return;
    }
    buf_puts(b, "<div class=\"table-wrap\" role=\"region\" tabindex=\"0\" "
                "aria-labelledby=\"h-history\"><table class=\"depth history\">");
    static const char *const cols[] = {"workbench.col.when", "workbench.col.action",
                                       "workbench.col.state", "workbench.col.actor",
                                       "workbench.col.reason"};
    page_table_head(r, b, cols, PAGE_NELEM(cols));
    json_t *staff = NULL; /* the department's staff, for an assign step */
    size_t i;
    json_t *e;
    json_array_foreach(h, i, e)
    {
        buf_puts(b, "<tr><td>");
        put_when(b, str_of(e, "at"));
        buf_puts(b, "</td><th scope=\"row\">");
        html_text(b, name_of(r, "workbench.event.", str_of(e, "action")));
        buf_puts(b, "</th><td>");
        const char *from = str_of(e, "from"), *to = str_of(e, "to");
        if (from) {
            html_text(b, name_of(r, "workbench.state.", from));
            buf_puts(b, " → ");
        }
        html_text(b, name_of(r, "workbench.state.", to));
        buf_puts(b, "</td><td>");
        json_t *actor = json_object_get(e, "actor");
        const char *an = str_of(actor, "name"), *role = str_of(actor, "role");
        html_text(b, an ? an : T(r, "workbench.none"));
        if (role) {
            buf_puts(b, "<br><span class=\"meta\">");
            html_text(b, name_of(r, "workbench.role.", role));
            buf_puts(b, "</span>");
        }
        buf_puts(b, "</td><td>");
        json_t *reason = json_object_get(e, "reason"), *detail = json_object_get(e, "detail");
        int said = reason && !json_is_null(reason);
        if (said) put_value(r, b, reason);
        /* the detail in words: {"missing": [...], "note": ...} one member a
         * line (no separator to translate); nothing when no member shows */
        struct buf d = BUF_INIT;
        if (json_is_object(detail)) {
            const char *dk;
            json_t *dv;
            json_object_foreach(detail, dk, dv)
            {
                struct buf one = BUF_INIT;
                if (put_detail(r, &one, k, dk, dv, &staff)) {
                    if (d.len) buf_puts(&d, "<br>");
                    buf_puts(&d, buf_str(&one));
                }
                buf_free(&one);
            }
        } else if (detail && !json_is_null(detail)) {
            put_value(r, &d, detail);
        }
        if (d.len) {
            if (said) buf_puts(b, "<br>");
            buf_puts(b, "<span class=\"meta\">");
            buf_puts(b, buf_str(&d));
            buf_puts(b, "</span>");
        }
        buf_free(&d);
        buf_puts(b, "</td></tr>");
    }
    json_decref(staff);
    buf_puts(b, "</tbody></table></div></section>\n");
}

/* --- the case page: the actions --- */

/* What a refused action brings back to its form: which action, the field
 * at fault (a name of that action's form, "" for none) and its message. */
struct failed {
    enum case_action action;
    char field[64];
    const struct err *e; /* the error shown, its field already the id suffix */
};

/* The value a field of action a shows: what was typed when that action
 * was refused, else def. */
static const char *typed(struct http_req *r, const struct failed *fl, enum case_action a,
                         const char *name, const char *def)
{
    if (fl && fl->action == a) {
        const char *v = http_form(r, name);
        return v ? v : "";
    }
    return def;
}

static int field_bad(const struct failed *fl, enum case_action a, const char *name)
{
    return fl && fl->action == a && !strcmp(fl->field, name);
}

/* The message of a refused field, tied to it by id "e-<action>-<name>". */
static void field_error(struct http_req *r, struct buf *b, const struct failed *fl,
                        const char *aname, const char *name)
{
    char msg[512];
    const struct err *e = fl->e;
    const char *text;
    if (e->key[0]) {
        text = trf(r->lang, e->key, e->arg, msg, sizeof msg);
    } else {
        char key[96];
        snprintf(key, sizeof key, "err.%s", err_slug(e->code));
        text = T(r, key);
    }
    buf_printf(b, "<p class=\"error\" id=\"e-%s-%s\"><span class=\"sr-only\">", aname, name);
    page_t(r, b, "web.form.error_prefix");
    buf_puts(b, " </span>");
    html_text(b, text);
    buf_puts(b, "</p>");
}

/* aria-describedby of a field: its message first, then its hint. */
static void described(struct buf *b, int bad, int hint, const char *aname, const char *name)
{
    if (!bad && !hint) return;
    buf_puts(b, " aria-describedby=\"");
    if (bad) buf_printf(b, "e-%s-%s%s", aname, name, hint ? " " : "");
    if (hint) buf_printf(b, "h-%s-%s", aname, name);
    buf_puts(b, "\"");
    if (bad) buf_puts(b, " aria-invalid=\"true\"");
}

enum fkind { FK_TEXTAREA, FK_DATE, FK_NUMBER };

/* One labelled field of an action's form: label "workbench.f.<name>",
 * hint "workbench.h.<action>.<name>" when the catalogs have one. */
static void afield(struct http_req *r, struct buf *b, const struct failed *fl, enum case_action a,
                   const char *name, enum fkind kind, int required, const char *def)
{
    const char *aname = case_action_name(a);
    char key[96], hkey[96];
    snprintf(key, sizeof key, "workbench.f.%s", name);
    snprintf(hkey, sizeof hkey, "workbench.h.%s.%s", aname, name);
    int hint = strcmp(T(r, hkey), hkey) != 0;
    int bad = field_bad(fl, a, name);
    buf_printf(b, "<div class=\"field%s\"><label for=\"f-%s-%s\">", bad ? " invalid" : "", aname,
               name);
    page_t(r, b, key);
    if (!required) {
        buf_putc(b, ' ');
        page_t(r, b, "workbench.optional_mark");
    }
    buf_puts(b, "</label>");
    if (hint) {
        buf_printf(b, "<p class=\"hint\" id=\"h-%s-%s\">", aname, name);
        page_t(r, b, hkey);
        buf_puts(b, "</p>");
    }
    if (bad) field_error(r, b, fl, aname, name);
    const char *v = typed(r, fl, a, name, def);
    if (kind == FK_TEXTAREA) {
        buf_printf(b, "<textarea id=\"f-%s-%s\" name=\"%s\" rows=\"3\" maxlength=\"%d\"%s", aname,
                   name, name, TEXT_MAX, required ? " aria-required=\"true\"" : "");
        described(b, bad, hint, aname, name);
        buf_puts(b, ">");
        html_text(b, v);
        buf_puts(b, "</textarea>");
    } else {
        buf_printf(b, "<input id=\"f-%s-%s\" name=\"%s\" type=\"%s\"%s%s", aname, name, name,
                   kind == FK_DATE ? "date" : "number",
                   kind == FK_NUMBER ? " inputmode=\"numeric\" min=\"1\" max=\"365\"" : "",
                   required ? " aria-required=\"true\"" : "");
        described(b, bad, hint, aname, name);
        if (v && *v) {
            buf_puts(b, " value=\"");
            html_attr(b, v);
            buf_puts(b, "\"");
        }
        buf_puts(b, ">");
    }
    buf_puts(b, "</div>");
}

/* A group of checkboxes over the case's materials ("missing_<i>" or
 * "owed_<i>", each posting the material's name; "<name>_n" says how many
 * there are, since unchecked boxes are not posted). preselect checks the
 * required materials the applicant has not provided. */
static void material_checks(struct http_req *r, struct buf *b, const struct failed *fl,
                            enum case_action a, const char *name, json_t *k, int preselect,
                            int required)
{
    const char *aname = case_action_name(a);
    json_t *mats = json_object_get(k, "materials");
    char key[96], hkey[96];
    snprintf(key, sizeof key, "workbench.f.%s", name);
    snprintf(hkey, sizeof hkey, "workbench.h.%s.%s", aname, name);
    int hint = strcmp(T(r, hkey), hkey) != 0;
    int bad = field_bad(fl, a, name);
    buf_printf(b, "<fieldset class=\"field%s\" id=\"f-%s-%s\"", bad ? " invalid" : "", aname, name);
    described(b, bad, hint, aname, name);
    buf_puts(b, "><legend>");
    page_t(r, b, key);
    if (!required) {
        buf_putc(b, ' ');
        page_t(r, b, "workbench.optional_mark");
    }
    buf_puts(b, "</legend>");
    if (hint) {
        buf_printf(b, "<p class=\"hint\" id=\"h-%s-%s\">", aname, name);
        page_t(r, b, hkey);
        buf_puts(b, "</p>");
    }
    if (bad) field_error(r, b, fl, aname, name);
    size_t i;
    json_t *m;
    json_array_foreach(mats, i, m)
    {
        const char *mname = str_of(m, "name");
        if (!mname) continue;
        char field[48];
        snprintf(field, sizeof field, "%s_%zu", name, i);
        int checked;
        if (fl && fl->action == a)
            checked = http_form(r, field) != NULL;
        else
            checked =
                preselect && json_is_true(json_object_get(m, "required")) && !str_of(m, "source");
        buf_printf(b,
                   "<div class=\"check\"><input type=\"checkbox\" id=\"f-%s-%s\" name=\"%s\" "
                   "value=\"",
                   aname, field, field);
        html_attr(b, mname);
        buf_printf(b, "\"%s><label for=\"f-%s-%s\">", checked ? " checked" : "", aname, field);
        html_text(b, mname);
        buf_puts(b, "</label></div>");
    }
    buf_printf(b, "<input type=\"hidden\" name=\"%s_n\" value=\"%zu\">", name,
               json_array_size(mats));
    buf_puts(b, "</fieldset>");
}

/* The delivery methods the result may go by. */
static const char *const methods[] = {"pickup", "post", "electronic"};

static void method_radios(struct http_req *r, struct buf *b, const struct failed *fl,
                          enum case_action a)
{
    const char *aname = case_action_name(a);
    int bad = field_bad(fl, a, "method");
    const char *v = typed(r, fl, a, "method", "");
    buf_printf(b, "<fieldset class=\"field%s\" id=\"f-%s-method\"", bad ? " invalid" : "", aname);
    described(b, bad, 0, aname, "method");
    buf_puts(b, "><legend>");
    page_t(r, b, "workbench.f.method");
    buf_puts(b, "</legend>");
    if (bad) field_error(r, b, fl, aname, "method");
    for (size_t i = 0; i < PAGE_NELEM(methods); i++) {
        buf_printf(b,
                   "<div class=\"check\"><input type=\"radio\" id=\"f-%s-method-%s\" "
                   "name=\"method\" value=\"%s\"%s><label for=\"f-%s-method-%s\">",
                   aname, methods[i], methods[i], !strcmp(v, methods[i]) ? " checked" : "", aname,
                   methods[i]);
        html_text(b, name_of(r, "workbench.method.", methods[i]));
        buf_puts(b, "</label></div>");
    }
    buf_puts(b, "</fieldset>");
}

/* Assignment: a department admin chooses among the department's staff; a
 * clerk may take an unassigned case for themselves. */
static void assign_fields(struct http_req *r, struct buf *b, const struct failed *fl, json_t *k,
                          json_t *staff)
{
    const char *aname = case_action_name(ACT_ASSIGN);
    json_t *cur = get2(k, "assigned_to", "id");
    if (!is_dept_admin(r) || !staff) {
        buf_printf(b, "<input type=\"hidden\" name=\"assignee\" value=\"%lld\"><p>",
                   (long long)r->principal->account_id);
        page_t(r, b, "workbench.h.assign.take");
        buf_puts(b, "</p>");
        return;
    }
    int bad = field_bad(fl, ACT_ASSIGN, "assignee");
    char curv[32] = "";
    if (json_is_integer(cur))
        snprintf(curv, sizeof curv, "%lld", (long long)json_integer_value(cur));
    const char *v = typed(r, fl, ACT_ASSIGN, "assignee", curv);
    buf_printf(b, "<div class=\"field%s\"><label for=\"f-%s-assignee\">", bad ? " invalid" : "",
               aname);
    page_t(r, b, "workbench.f.assignee");
    buf_puts(b, "</label>");
    if (bad) field_error(r, b, fl, aname, "assignee");
    buf_printf(b, "<select id=\"f-%s-assignee\" name=\"assignee\" aria-required=\"true\"", aname);
    described(b, bad, 0, aname, "assignee");
    buf_puts(b, "><option value=\"\">");
    page_t(r, b, "workbench.choose");
    buf_puts(b, "</option>");
    size_t i;
    json_t *s;
    json_array_foreach(staff, i, s)
    {
        char id[32];
        snprintf(id, sizeof id, "%lld", (long long)json_integer_value(json_object_get(s, "id")));
        buf_printf(b, "<option value=\"%s\"%s>", id, !strcmp(id, v) ? " selected" : "");
        html_text(b, str_of(s, "name"));
        if (json_integer_value(json_object_get(s, "id")) == r->principal->account_id) {
            buf_putc(b, ' ');
            page_t(r, b, "workbench.me");
        }
        buf_puts(b, "</option>");
    }
    buf_puts(b, "</select></div>");
}

/* The actions staff take on the workbench; the applicant's (submit,
 * supplement, withdraw) are not posted here. */
static int staff_action(int a)
{
    return a == ACT_PRE_ACCEPT || a == ACT_ACCEPT || a == ACT_DECLINE ||
           a == ACT_REQUEST_SUPPLEMENT || a == ACT_REVIEW || a == ACT_SPECIAL_START ||
           a == ACT_SPECIAL_END || a == ACT_EXTEND || a == ACT_APPROVE || a == ACT_REFUSE ||
           a == ACT_DELIVER || a == ACT_ASSIGN;
}

/* One action's form, with the fields that action needs. */
static void action_form(struct http_req *r, struct buf *b, json_t *k, enum case_action a,
                        const struct failed *fl, json_t *staff)
{
    const char *aname = case_action_name(a);
    const char *number = str_of(k, "number");
    char key[96];
    buf_printf(b,
               "<section class=\"card action\" aria-labelledby=\"h-act-%s\">"
               "<h3 id=\"h-act-%s\">",
               aname, aname);
    snprintf(key, sizeof key, "workbench.action.%s", aname);
    page_t(r, b, key);
    buf_puts(b, "</h3>");
    snprintf(key, sizeof key, "workbench.about.%s", aname);
    if (strcmp(T(r, key), key) != 0) {
        page_para(r, b, "hint", key);
    }
    buf_puts(b, "<form method=\"post\" action=\"/workbench/cases/");
    html_attr(b, number);
    buf_printf(b, "/%s\">", aname);
    page_csrf(r, b);
    buf_printf(b, "<input type=\"hidden\" name=\"expected_version\" value=\"%lld\">",
               (long long)json_integer_value(json_object_get(k, "version")));
    switch (a) {
    case ACT_PRE_ACCEPT:
        afield(r, b, fl, a, "note", FK_TEXTAREA, 1, "");
        afield(r, b, fl, a, "bring_by", FK_DATE, 0, "");
        break;
    case ACT_ACCEPT: {
        const char *handling = json_string_value(get2(k, "item", "handling"));
        if (handling && !strcmp(handling, "immediate")) {
            int on = fl && fl->action == a ? http_form(r, "conclude") != NULL : 1;
            buf_printf(b,
                       "<div class=\"check\"><input type=\"checkbox\" id=\"f-accept-conclude\" "
                       "name=\"conclude\" value=\"1\"%s><label for=\"f-accept-conclude\">",
                       on ? " checked" : "");
            page_t(r, b, "workbench.f.conclude");
            buf_puts(b, "</label></div>");
        }
        /* 容缺受理 only where the item allows it (shown when the case
         * does not say) */
        if (!json_is_false(get2(k, "item", "acceptance_with_missing"))) {
            material_checks(r, b, fl, a, "owed", k, 0, 0);
            afield(r, b, fl, a, "owed_by", FK_DATE, 0, "");
        }
        break;
    }
    case ACT_DECLINE:
    case ACT_SPECIAL_START:
        afield(r, b, fl, a, "reason", FK_TEXTAREA, 1, "");
        break;
    case ACT_EXTEND:
        afield(r, b, fl, a, "reason", FK_TEXTAREA, 1, "");
        afield(r, b, fl, a, "days", FK_NUMBER, 0, "");
        break;
    case ACT_REQUEST_SUPPLEMENT:
        material_checks(r, b, fl, a, "missing", k, 1, 1);
        afield(r, b, fl, a, "note", FK_TEXTAREA, 0, "");
        break;
    case ACT_APPROVE:
        afield(r, b, fl, a, "note", FK_TEXTAREA, 0, "");
        break;
    case ACT_REFUSE:
        afield(r, b, fl, a, "reason", FK_TEXTAREA, 1, "");
        afield(r, b, fl, a, "legal_basis", FK_TEXTAREA, 1, "");
        page_para(r, b, "note", "workbench.remedy");
        break;
    case ACT_DELIVER:
        method_radios(r, b, fl, a);
        break;
    case ACT_ASSIGN:
        assign_fields(r, b, fl, k, staff);
        break;
    default:
        break;
    }
    buf_puts(b, "<button type=\"submit\">");
    snprintf(key, sizeof key, "workbench.do.%s", aname);
    if (a == ACT_ASSIGN && !(is_dept_admin(r) && staff))
        page_t(r, b, "workbench.do.take");
    else
        html_text(b, t_or(r, key, T(r, "workbench.do")));
    buf_puts(b, "</button></form></section>\n");
}

static void actions_section(struct http_req *r, struct buf *b, json_t *k, const struct failed *fl)
{
    json_t *allowed = json_object_get(k, "allowed");
    buf_puts(b, "<section class=\"actions-list\" aria-labelledby=\"h-actions\">"
                "<h2 id=\"h-actions\">");
    page_t(r, b, "workbench.case.actions");
    buf_puts(b, "</h2>");
    json_t *staff = NULL;
    int any = 0;
    size_t i;
    json_t *x;
    json_array_foreach(allowed, i, x)
    {
        int a = case_action_parse(json_string_value(x) ? json_string_value(x) : "");
        if (a < 0 || !staff_action(a)) continue;
        if (a == ACT_ASSIGN && is_dept_admin(r) && !staff) staff = department_staff(r);
        action_form(r, b, k, (enum case_action)a, fl, staff);
        any = 1;
    }
    json_decref(staff);
    if (!any) {
        buf_puts(b, "<p>");
        page_t(r, b, "workbench.case.no_actions");
        buf_puts(b, "</p>");
    }
    buf_puts(b, "</section>\n");
}

/* The notice after an action that worked (?done=<action>). */
static void notice(struct http_req *r, struct buf *b)
{
    const char *done = http_query(r, "done");
    int a = done ? case_action_parse(done) : -1;
    if (a < 0 || !staff_action(a)) return;
    char key[96];
    snprintf(key, sizeof key, "workbench.done.%s", case_action_name((enum case_action)a));
    buf_puts(b, "<div class=\"note\" role=\"status\"><p>");
    html_text(b, t_or(r, key, T(r, "workbench.done")));
    buf_puts(b, "</p></div>\n");
}

/* The whole case page; fl (may be NULL) brings a refused action back. */
static int render_case(struct http_req *r, json_t *k, const struct failed *fl, int status)
{
    const char *disp = display_number(r, k);
    const char *iname = json_string_value(get2(k, "item", "name"));
    char title[512];
    struct buf b = BUF_INIT;
    page_open_title(r, &b, trf(r->lang, "workbench.case.title", disp, title, sizeof title),
                    NAV_WORKBENCH);
    buf_puts(&b, "<section aria-labelledby=\"h-case\"><p><a href=\"/workbench\">");
    page_t(r, &b, "workbench.back");
    buf_puts(&b, "</a></p><h1 id=\"h-case\">");
    put_trf(r, &b, "workbench.case.title", disp);
    if (iname) {
        buf_puts(&b, "<br><span class=\"lead\">");
        html_text(&b, iname);
        buf_puts(&b, "</span>");
    }
    buf_puts(&b, "</h1>");
    notice(r, &b);
    if (fl) page_error_box(r, &b, fl->e);
    buf_puts(&b, "<dl class=\"facts\">");
    fact(r, &b, "workbench.col.state", name_of(r, "workbench.state.", str_of(k, "state")));
    const char *icode = json_string_value(get2(k, "item", "code"));
    json_t *iv = get2(k, "item", "version");
    if (icode) {
        char line[160];
        if (json_is_integer(iv))
            snprintf(line, sizeof line, "%s (v%lld)", icode, (long long)json_integer_value(iv));
        else
            snprintf(line, sizeof line, "%s", icode);
        fact(r, &b, "workbench.col.item", line);
    }
    page_fact_open(r, &b, "workbench.col.assignee");
    put_assignee(r, &b, json_object_get(k, "assigned_to"), NULL);
    page_fact_close(&b);
    fact_when(r, &b, "workbench.case.submitted_at", str_of(k, "submitted_at"));
    page_fact_open(r, &b, "workbench.col.left");
    put_left(r, &b, promised_of(k), k);
    page_fact_close(&b);
    buf_puts(&b, "</dl></section>\n");
    actions_section(r, &b, k, fl);
    applicant_section(r, &b, k);
    materials_section(r, &b, k);
    limits_section(r, &b, k);
    decision_section(r, &b, k);
    history_section(r, &b, k);
    return page_send(r, &b, status);
}

int page_workbench_case(struct http_req *r)
{
    if (gate(r)) return 0;
    char number[13];
    if (number_arg(r, number) < 0) return 0;
    struct err e;
    err_clear(&e);
    json_t *k = cases_get(http_db(r), r->principal, number, r->ip, &e);
    if (!k) return http_reply_err(r, &e);
    int rc = render_case(r, k, NULL, 200);
    json_decref(k);
    return rc;
}

/* --- acting --- */

/* A text field of the form, trimmed; NULL when absent or blank. */
static const char *form_text(struct http_req *r, const char *name)
{
    const char *v = page_form_clean(r, name, 0);
    return v && *v ? v : NULL;
}

/* The checked materials of a group ("missing_<i>"), in the case's order:
 * names of the item's materials, as the domain wants them. */
static json_t *form_materials(struct http_req *r, const char *name)
{
    json_t *list = json_array();
    char field[48];
    snprintf(field, sizeof field, "%s_n", name);
    const char *ns = http_form(r, field);
    long n = ns ? strtol(ns, NULL, 10) : 0;
    if (n < 0 || n > 200) n = 0;
    for (long i = 0; i < n; i++) {
        snprintf(field, sizeof field, "%s_%ld", name, i);
        const char *v = form_text(r, field);
        if (v) json_array_append_new(list, json_string(v));
    }
    return list;
}

/* Sets member name of body to the text of the form field when given. */
static void put_text(struct http_req *r, json_t *body, const char *name)
{
    const char *v = form_text(r, name);
    if (v) json_object_set_new(body, name, json_string(v));
}

/* The body of cases_act from the posted form. What the page asks for
 * (a reason, at least one missing material ...) is checked here too, so
 * the person hears it at the field before the domain is asked. 0, or a
 * negative code with e naming the field. */
static int body_from_form(struct http_req *r, enum case_action a, json_t *body, struct err *e)
{
    const char *ev = http_form(r, "expected_version");
    if (ev && *ev) {
        char *end;
        long long v = strtoll(ev, &end, 10);
        if (!*end && v >= 0) json_object_set_new(body, "expected_version", json_integer(v));
    }
    switch (a) {
    case ACT_PRE_ACCEPT:
        if (!form_text(r, "note"))
            return err_set(e, ERR_INVALID, "note", "workbench.want.note", NULL);
        put_text(r, body, "note");
        put_text(r, body, "bring_by");
        break;
    case ACT_ACCEPT: {
        json_t *owed = form_materials(r, "owed");
        if (json_array_size(owed)) {
            json_object_set_new(body, "owed", owed);
            if (!form_text(r, "owed_by"))
                return err_set(e, ERR_INVALID, "owed_by", "workbench.want.owed_by", NULL);
            put_text(r, body, "owed_by");
        } else {
            json_decref(owed);
        }
        if (http_form(r, "conclude")) json_object_set_new(body, "conclude", json_true());
        break;
    }
    case ACT_DECLINE:
    case ACT_SPECIAL_START:
    case ACT_EXTEND:
    case ACT_REFUSE:
        if (!form_text(r, "reason"))
            return err_set(e, ERR_INVALID, "reason", "workbench.want.reason", NULL);
        put_text(r, body, "reason");
        if (a == ACT_REFUSE) {
            if (!form_text(r, "legal_basis"))
                return err_set(e, ERR_INVALID, "legal_basis", "workbench.want.legal_basis", NULL);
            put_text(r, body, "legal_basis");
        }
        if (a == ACT_EXTEND) {
            const char *d = form_text(r, "days");
            if (d) {
                char *end;
                long n = strtol(d, &end, 10);
                if (*end || n < 1 || n > 365)
                    return err_set(e, ERR_INVALID, "days", "workbench.want.days", NULL);
                json_object_set_new(body, "days", json_integer(n));
            }
        }
        break;
    case ACT_REQUEST_SUPPLEMENT: {
        json_t *missing = form_materials(r, "missing");
        if (!json_array_size(missing)) {
            json_decref(missing);
            return err_set(e, ERR_INVALID, "missing", "workbench.want.missing", NULL);
        }
        json_object_set_new(body, "missing", missing);
        put_text(r, body, "note");
        break;
    }
    case ACT_APPROVE:
        put_text(r, body, "note");
        break;
    case ACT_DELIVER: {
        const char *m = form_text(r, "method");
        int ok = 0;
        for (size_t i = 0; m && i < PAGE_NELEM(methods); i++)
            ok |= !strcmp(m, methods[i]);
        if (!ok) return err_set(e, ERR_INVALID, "method", "workbench.want.method", NULL);
        json_object_set_new(body, "method", json_string(m));
        break;
    }
    case ACT_ASSIGN: {
        const char *s = form_text(r, "assignee");
        char *end = NULL;
        long long id = s ? strtoll(s, &end, 10) : 0;
        if (!s || *end || id <= 0)
            return err_set(e, ERR_INVALID, "assignee", "workbench.want.assignee", NULL);
        json_object_set_new(body, "assignee", json_integer(id));
        break;
    }
    default:
        break;
    }
    return 0;
}

/* The fields each action's form shows, for placing an error of the domain
 * ("missing[1]", "reason") at one of them. */
static int form_has(enum case_action a, const char *f)
{
    static const struct {
        enum case_action a;
        const char *f;
    } fields[] = {
        {ACT_PRE_ACCEPT, "note"},
        {ACT_PRE_ACCEPT, "bring_by"},
        {ACT_ACCEPT, "owed"},
        {ACT_ACCEPT, "owed_by"},
        {ACT_DECLINE, "reason"},
        {ACT_SPECIAL_START, "reason"},
        {ACT_EXTEND, "reason"},
        {ACT_EXTEND, "days"},
        {ACT_REQUEST_SUPPLEMENT, "missing"},
        {ACT_REQUEST_SUPPLEMENT, "note"},
        {ACT_APPROVE, "note"},
        {ACT_REFUSE, "reason"},
        {ACT_REFUSE, "legal_basis"},
        {ACT_DELIVER, "method"},
        {ACT_ASSIGN, "assignee"},
    };
    for (size_t i = 0; i < PAGE_NELEM(fields); i++)
        if (fields[i].a == a && !strcmp(fields[i].f, f)) return 1;
    return 0;
}

/* Whether the case's "allowed" list holds a (its form is on the page). */
static int is_allowed(json_t *k, enum case_action a)
{
    size_t i;
    json_t *x;
    json_array_foreach(json_object_get(k, "allowed"), i, x)
    {
        if (json_is_string(x) && !strcmp(json_string_value(x), case_action_name(a))) return 1;
    }
    return 0;
}

/* A refused action: a conflict, a refused value or a refused role comes
 * back as the case page (as the case is now) with the message, anything
 * else as an error page. */
static int act_failed(struct http_req *r, const char *number, enum case_action a,
                      const struct err *e)
{
    if (e->code != ERR_CONFLICT && e->code != ERR_INVALID && e->code != ERR_FORBIDDEN)
        return http_reply_err(r, e);
    struct err ge;
    err_clear(&ge);
    json_t *k = cases_get(http_db(r), r->principal, number, r->ip, &ge);
    if (!k) return http_reply_err(r, &ge);
    struct err shown = *e;
    struct failed fl = {a, "", &shown};
    if (e->code == ERR_CONFLICT && case_state_parse(e->arg) >= 0 &&
        (!strcmp(e->key, "cases.changed") || !strcmp(e->key, "cases.state_forbids"))) {
        /* Someone else acted first (or the state no longer allows this):
         * say what the case is now, in words. */
        const char *now = name_of(r, "workbench.state.", e->arg);
        err_set(&shown, ERR_CONFLICT, NULL, "workbench.conflict", now);
    } else if (e->field[0]) {
        /* "missing[1]" is shown at "missing"; a field the form does not
         * show stays in the summary alone. */
        size_t n = strcspn(e->field, "[.");
        char f[40];
        snprintf(f, sizeof f, "%.*s", (int)(n < sizeof f ? n : sizeof f - 1), e->field);
        /* a clerk's assign form has no visible field; the materials owed
         * show only where the item allows acceptance with them missing */
        int shown_here =
            form_has(a, f) && is_allowed(k, a) && !(a == ACT_ASSIGN && !is_dept_admin(r)) &&
            !(a == ACT_ACCEPT && json_is_false(get2(k, "item", "acceptance_with_missing")));
        if (shown_here) {
            snprintf(fl.field, sizeof fl.field, "%s", f);
            snprintf(shown.field, sizeof shown.field, "%s-%s", case_action_name(a), f);
        } else {
            shown.field[0] = 0;
        }
    }
    int rc = render_case(r, k, &fl, err_status(e->code));
    json_decref(k);
    return rc;
}

int page_workbench_act(struct http_req *r)
{
    if (gate(r)) return 0;
    char number[13];
    if (number_arg(r, number) < 0) return 0;
    const char *an = http_param(r, "action");
    int a = an ? case_action_parse(an) : -1;
    if (a < 0 || !staff_action(a)) return http_fail(r, ERR_NOT_FOUND, NULL, NULL, NULL);
    struct err e;
    err_clear(&e);
    json_t *body = json_object();
    int rc = body_from_form(r, (enum case_action)a, body, &e);
    if (rc == 0) {
        json_t *out = NULL;
        rc =
            cases_act(http_db(r), r->principal, number, (enum case_action)a, body, r->ip, &out, &e);
        json_decref(out);
    }
    json_decref(body);
    if (rc == 0)
        return http_redirect(r, arena_printf(r->arena, "/workbench/cases/%s?done=%s#main", number,
                                             case_action_name((enum case_action)a)));
    return act_failed(r, number, (enum case_action)a, &e);
}

/* --- materials --- */

int page_workbench_material(struct http_req *r)
{
    if (gate(r)) return 0;
    char number[13];
    if (number_arg(r, number) < 0) return 0;
    const char *ids = http_param(r, "upload_id");
    char *end = NULL;
    long long id = ids ? strtoll(ids, &end, 10) : 0;
    if (!ids || *end || id <= 0) return http_fail(r, ERR_NOT_FOUND, NULL, NULL, NULL);
    char sha[65] = "", ct[128] = "";
    struct err e;
    err_clear(&e);
    /* Logged before anything is sent: a download that is not recorded
     * does not happen. */
    if (cases_log_download(http_db(r), r->principal, number, id, r->ip, sha, ct, sizeof ct, &e) < 0)
        return http_reply_err(r, &e);
    int fd;
    int64_t size;
    if (blob_open(server_blobs(r->srv), sha, &fd, &size) < 0)
        return http_fail(r, ERR_NOT_FOUND, NULL, "workbench.blob_missing", NULL);
    /* The file is the applicant's, never trusted: images and PDF are shown
     * by the browser's own viewer (inline), anything else is downloaded;
     * the policy lets the document load nothing and run nothing. Images
     * are also sandboxed; a sandbox would stop the PDF viewers of Chrome
     * and Firefox, so a PDF gets the policy without it. */
    int view = viewable(ct);
    const char *ext = !strcmp(ct, "application/pdf")   ? "pdf"
                      : !strcmp(ct, "image/jpeg")      ? "jpg"
                      : !strcmp(ct, "image/png")       ? "png"
                      : !strcmp(ct, "application/ofd") ? "ofd"
                                                       : "bin";
    http_header_add(r, "Content-Disposition",
                    arena_printf(r->arena, "%s; filename=\"%s-%lld.%s\"",
                                 view ? "inline" : "attachment", number, id, ext));
    http_header_add(r, "Content-Security-Policy",
                    !strcmp(ct, "application/pdf")
                        ? "default-src 'none'; object-src 'self'; base-uri 'none'; "
                          "form-action 'none'; frame-ancestors 'none'"
                        : "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; "
                          "base-uri 'none'; form-action 'none'; frame-ancestors 'none'; "
                          "sandbox");
    http_header_add(r, "Cache-Control", "private, no-store");
    return http_reply_fd(r, 200, view ? ct : (ct[0] ? ct : "application/octet-stream"), fd,
                         (uint64_t)size);
}

/* --- ratings --- */

static const char *const level_keys[] = {NULL,
                                         "workbench.level.1",
                                         "workbench.level.2",
                                         "workbench.level.3",
                                         "workbench.level.4",
                                         "workbench.level.5"};

/* The department's call-back and rectification tasks, each open one with a
 * form to close it with what was done. */
static void rect_tasks(struct http_req *r, struct buf *b)
{
    struct err e;
    json_t *tasks = cases_rectifications(http_db(r), r->principal, &e);
    json_t *items = json_object_get(tasks, "items");
    if (!json_array_size(items)) {
        json_decref(tasks);
        return;
    }
    buf_puts(b, "<div class=\"table-wrap\" role=\"region\" tabindex=\"0\" "
                "aria-labelledby=\"cap-tasks\"><table class=\"depth\"><caption id=\"cap-tasks\">");
    page_t(r, b, "workbench.rect.title");
    buf_puts(b, "</caption><thead><tr><th scope=\"col\">");
    page_t(r, b, "workbench.rect.case");
    buf_puts(b, "</th><th scope=\"col\">");
    page_t(r, b, "workbench.rect.comment");
    buf_puts(b, "</th><th scope=\"col\">");
    page_t(r, b, "workbench.rect.due");
    buf_puts(b, "</th><th scope=\"col\">");
    page_t(r, b, "workbench.rect.done");
    buf_puts(b, "</th></tr></thead><tbody>");
    size_t i;
    json_t *t;
    json_array_foreach(items, i, t)
    {
        long long id = (long long)json_integer_value(json_object_get(t, "id"));
        buf_puts(b, "<tr><th scope=\"row\"><a href=\"/workbench/cases/");
        url_encode_str(b, str_of(t, "case"));
        buf_puts(b, "\">");
        html_text(b, str_of(t, "case_display"));
        buf_puts(b, "</a><br>");
        html_text(b, str_of(t, "item_name"));
        buf_puts(b, "</th><td>");
        html_text(b, str_of(t, "comment"));
        buf_puts(b, "</td><td>");
        html_text(b, str_of(t, "due"));
        buf_puts(b, "</td><td>");
        if (!strcmp(str_of(t, "state"), "open")) {
            buf_printf(b, "<form method=\"post\" action=\"/workbench/rectifications/%lld/close\">",
                       id);
            page_csrf(r, b);
            buf_printf(b, "<label for=\"rect-%lld\">", id);
            page_t(r, b, "workbench.rect.note");
            buf_printf(b, "</label><textarea id=\"rect-%lld\" name=\"note\" required "
                          "maxlength=\"2000\"></textarea><button type=\"submit\">",
                       id);
            page_t(r, b, "workbench.rect.close");
            buf_puts(b, "</button></form>");
        } else {
            html_text(b, str_of(t, "note"));
        }
        buf_puts(b, "</td></tr>");
    }
    buf_puts(b, "</tbody></table></div>");
    json_decref(tasks);
}

int page_workbench_rect_close(struct http_req *r)
{
    if (gate(r)) return 0;
    char *end;
    long long id = strtoll(http_param(r, "id"), &end, 10);
    if (*end || id <= 0) return http_fail(r, ERR_NOT_FOUND, NULL, "cases.task_unknown", NULL);
    struct err e;
    if (cases_rectification_close(http_db(r), r->principal, id,
                                  page_form_clean(r, "note", 0), r->ip, &e) < 0)
        return http_reply_err(r, &e);
    return http_redirect(r, "/workbench/ratings#cap-tasks");
}

int page_workbench_ratings(struct http_req *r)
{
    if (gate(r)) return 0;
    struct dept d = {"", ""};
    int found = my_department(r, &d);
    if (found < 0) return http_fail(r, ERR_UNAVAILABLE, NULL, "err.detail.storage", NULL);
    struct err e;
    err_clear(&e);
    json_t *stats = cases_rating_stats(http_db(r), &e);
    if (!stats) return http_reply_err(r, &e);
    json_t *mine = NULL;
    size_t i;
    json_t *x;
    json_array_foreach(json_object_get(stats, "departments"), i, x)
    {
        const char *code = str_of(x, "code");
        if (found && code && !strcmp(code, d.code)) mine = x;
    }

    struct buf b = BUF_INIT;
    page_open(r, &b, "workbench.ratings.title", NAV_WORKBENCH);
    buf_puts(&b, "<section aria-labelledby=\"h-ratings\"><p><a href=\"/workbench\">");
    page_t(r, &b, "workbench.back");
    buf_puts(&b, "</a></p><h1 id=\"h-ratings\">");
    page_t(r, &b, "workbench.ratings.title");
    buf_puts(&b, "</h1>");
    if (d.name[0]) {
        buf_puts(&b, "<p class=\"lead\">");
        html_text(&b, d.name);
        buf_puts(&b, "</p>");
    }
    buf_puts(&b, "<p>");
    page_t(r, &b, "workbench.ratings.lead");
    buf_puts(&b, "</p>");
    long long count = json_integer_value(json_object_get(mine, "ratings"));
    long long open = json_integer_value(json_object_get(mine, "open_tasks"));
    buf_puts(&b, "<dl class=\"facts\">");
    char num[32];
    snprintf(num, sizeof num, "%lld", count);
    fact(r, &b, "workbench.ratings.count", num);
    json_t *sat = json_object_get(mine, "satisfaction");
    if (json_is_number(sat) && count) {
        double v = json_number_value(sat);
        if (v <= 1.0) v *= 100.0; /* a ratio or a percentage */
        snprintf(num, sizeof num, "%.1f%%", v);
        fact(r, &b, "workbench.ratings.satisfaction", num);
    } else {
        fact(r, &b, "workbench.ratings.satisfaction", NULL);
    }
    snprintf(num, sizeof num, "%lld", open);
    fact(r, &b, "workbench.ratings.open_tasks", num);
    buf_puts(&b, "</dl>");
    if (open) {
        page_para(r, &b, "note", "workbench.ratings.tasks_note");
    }
    rect_tasks(r, &b);
    if (count) {
        buf_puts(&b, "<div class=\"table-wrap\" role=\"region\" tabindex=\"0\" "
                     "aria-labelledby=\"cap-levels\"><table class=\"depth\">"
                     "<caption id=\"cap-levels\">");
        page_t(r, &b, "workbench.ratings.levels");
        buf_puts(&b, "</caption><thead><tr><th scope=\"col\">");
        page_t(r, &b, "workbench.ratings.level");
        buf_puts(&b, "</th><th scope=\"col\">");
        page_t(r, &b, "workbench.ratings.count");
        buf_puts(&b, "</th></tr></thead><tbody>");
        json_t *levels = json_object_get(mine, "levels");
        for (int l = 5; l >= 1; l--) {
            char lk[12];
            snprintf(lk, sizeof lk, "%d", l);
            buf_puts(&b, "<tr><th scope=\"row\">");
            page_t(r, &b, level_keys[l]);
            buf_printf(&b, "</th><td>%lld</td></tr>",
                       (long long)json_integer_value(json_object_get(levels, lk)));
        }
        buf_puts(&b, "</tbody></table></div>");
    } else {
        buf_puts(&b, "<p>");
        page_t(r, &b, "workbench.ratings.none");
        buf_puts(&b, "</p>");
    }
    buf_puts(&b, "</section>");
    json_decref(stats);
    return page_send(r, &b, 200);
}
