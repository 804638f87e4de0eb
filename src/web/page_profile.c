/**
 * @file page_profile.c
 * @brief GET /profile: the person's own account. The ID number is shown
 *        whole here, to its owner alone (issue 2: masked everywhere except
 *        to the person and to staff handling the person's case).
 */
#include "core/html.h"
#include "domain/accounts.h"
#include "web/page.h"
#include "web/web.h"
#include <stdio.h>
#include <string.h>

/* One fact of the account; an empty value reads "not given" in words. */
static void row(struct http_req *r, struct buf *b, const char *key, const char *value)
{
    page_fact(r, b, key, value, "web.profile.none");
}

/* The roles in words, joined the way each language lists things. */
static void roles_text(struct http_req *r, unsigned roles, struct buf *out)
{
    for (unsigned bit = 1; bit <= ROLE_TERMINAL; bit <<= 1) {
        if (!(roles & bit) || !role_name(bit))
            continue;
        char key[48];
        snprintf(key, sizeof key, "web.role.%s", role_name(bit));
        if (out->len) {
            /* "、{}" or ", {}": how the next item of a list is joined. */
            char more[160];
            buf_puts(out, trf(r->lang, "web.list.more", T(r, key), more, sizeof more));
        } else {
            buf_puts(out, T(r, key));
        }
    }
}

int page_profile(struct http_req *r)
{
    /* Public route: an anonymous visitor is sent to log in and back here,
     * not shown a bare 401. */
    if (!r->principal)
        return http_redirect(r, "/login?next=/profile");
    struct account a;
    struct err e;
    if (accounts_get(http_db(r), r->arena, r->principal->account_id, &a, &e) < 0)
        return http_reply_err(r, &e);
    struct buf b = BUF_INIT;
    page_open(r, &b, "web.profile.title", NAV_PROFILE);
    buf_puts(&b, "<section class=\"card\" aria-labelledby=\"h-profile\"><h1 id=\"h-profile\">");
    page_t(r, &b, "web.profile.title");
    buf_puts(&b, "</h1><dl class=\"facts\">");
    row(r, &b, "web.field.name", a.name);
    if (a.username)
        row(r, &b, "web.field.username", a.username);
    /* Whole: this page is only ever its owner's. */
    if (a.id_number)
        row(r, &b, "web.field.id_number", a.id_number);
    row(r, &b, "web.field.phone", a.phone);
    row(r, &b, "web.field.email_plain", a.email);
    char key[32];
    snprintf(key, sizeof key, "accounts.level.%d", a.realname_level);
    row(r, &b, "web.field.realname", T(r, key));
    if (a.department_id || a.department_name)
        row(r, &b, "web.field.department", a.department_name);
    struct buf roles = BUF_INIT;
    roles_text(r, a.roles, &roles);
    row(r, &b, "web.field.roles", buf_str(&roles));
    buf_free(&roles);
    if (a.created_at && strlen(a.created_at) >= 10) {
        char day[11];
        memcpy(day, a.created_at, 10);
        day[10] = 0;
        row(r, &b, "web.field.created", day);
    }
    buf_puts(&b, "</dl>");
    /* What the level means for the person, in words. */
    buf_puts(&b, "<p class=\"note\">");
    snprintf(key, sizeof key, "web.profile.level.%d", a.realname_level);
    page_t(r, &b, key);
    buf_puts(&b, "</p>");
    if (a.id_number) {
        page_para(r, &b, "hint", "web.profile.id_whole");
    }
    buf_puts(&b, "</section>");
    return page_send(r, &b, 200);
}
