/**
 * @file page_profile.c
 * @brief GET /profile: the person's own account. Their ID number is shown
 *        whole here, to them alone.
 */
#include "core/html.h"
#include "domain/accounts.h"
#include "web/page.h"
#include "web/web.h"
#include <stdio.h>

static void row(struct http_req *r, struct buf *b, const char *key, const char *value)
{
    buf_puts(b, "<div><dt>");
    page_t(r, b, key);
    buf_puts(b, "</dt><dd>");
    html_text(b, value && *value ? value : "—");
    buf_puts(b, "</dd></div>");
}

int page_profile(struct http_req *r)
{
    if (!r->principal)
        return http_redirect(r, "/login?next=/profile");
    struct account a;
    struct err e;
    if (accounts_get(http_db(r), r->arena, r->principal->account_id, &a, &e) < 0)
        return http_reply_err(r, &e);
    struct buf b = BUF_INIT;
    page_open(r, &b, "web.profile.title", NAV_PROFILE);
    buf_puts(&b, "<section class=\"card\"><h1>");
    page_t(r, &b, "web.profile.title");
    buf_puts(&b, "</h1><dl class=\"facts\">");
    row(r, &b, "web.field.name", a.name);
    if (a.username)
        row(r, &b, "web.field.username", a.username);
    if (a.id_number)
        row(r, &b, "web.field.id_number", a.id_number);
    row(r, &b, "web.field.phone", a.phone);
    row(r, &b, "web.field.email", a.email);
    char key[32];
    snprintf(key, sizeof key, "accounts.level.%d", a.realname_level);
    row(r, &b, "web.field.realname", T(r, key));
    if (a.department_name)
        row(r, &b, "web.field.department", a.department_name);
    struct buf roles = BUF_INIT;
    for (unsigned bit = 1; bit <= ROLE_TERMINAL; bit <<= 1)
        if (a.roles & bit) {
            char rk[48];
            snprintf(rk, sizeof rk, "web.role.%s", role_name(bit));
            buf_printf(&roles, "%s%s", roles.len ? r->lang == LANG_ZH ? "、" : ", " : "",
                       T(r, rk));
        }
    row(r, &b, "web.field.roles", buf_str(&roles));
    buf_free(&roles);
    buf_puts(&b, "</dl>");
    if (a.realname_level == REALNAME_NONE) {
        buf_puts(&b, "<p class=\"note\">");
        page_t(r, &b, "web.profile.verify_hint");
        buf_puts(&b, "</p>");
    }
    buf_puts(&b, "</section>");
    return page_send(r, &b, 200);
}
