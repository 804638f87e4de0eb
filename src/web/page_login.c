/**
 * @file page_login.c
 * @brief GET/POST /login and POST /logout for browsers.
 */
#include "core/html.h"
#include "domain/accounts.h"
#include "web/page.h"
#include "web/web.h"
#include <string.h>

#define SESSION_COOKIE "oh_sid"

static int render(struct http_req *r, int status, const char *username, const struct err *e)
{
    struct buf b = BUF_INIT;
    page_open(r, &b, "web.login.title", NAV_LOGIN);
    buf_puts(&b, "<section class=\"card narrow\"><h1>");
    page_t(r, &b, "web.login.title");
    buf_puts(&b, "</h1>");
    if (e)
        page_error_box(r, &b, e);
    buf_puts(&b, "<form method=\"post\" action=\"/login\" novalidate>");
    page_csrf(r, &b);
    const char *next = http_form(r, "next") ? http_form(r, "next") : http_query(r, "next");
    buf_puts(&b, "<input type=\"hidden\" name=\"next\" value=\"");
    html_attr(&b, page_safe_next(next));
    buf_puts(&b, "\">");
    page_input(r, &b, "username", "text", "web.login.username", username, "username", NULL);
    buf_puts(&b, "<p class=\"hint\">");
    page_t(r, &b, "web.login.username.hint");
    buf_puts(&b, "</p>");
    page_input(r, &b, "password", "password", "web.login.password", NULL, "current-password",
               NULL);
    buf_puts(&b, "<button type=\"submit\">");
    page_t(r, &b, "web.login.submit");
    buf_puts(&b, "</button></form><p>");
    page_t(r, &b, "web.login.no_account");
    buf_puts(&b, " <a href=\"/register\">");
    page_t(r, &b, "web.register");
    buf_puts(&b, "</a></p></section>");
    return page_send(r, &b, status);
}

int page_login_form(struct http_req *r)
{
    if (r->principal)
        return http_redirect(r, "/profile");
    return render(r, 200, NULL, NULL);
}

int page_login_submit(struct http_req *r)
{
    const char *user = http_form(r, "username");
    const char *pass = http_form(r, "password");
    struct err e;
    err_clear(&e);
    char token[64];
    if (accounts_login(http_db(r), user, pass, SESSION_WEB, r->ip, token, NULL, &e) < 0) {
        if (e.code == ERR_LOCKED)
            http_header_add(r, "Retry-After", e.arg);
        return render(r, err_status(e.code), user, &e);
    }
    /* A new session id at every login; the old session, if any, ends. */
    accounts_logout(http_db(r), http_cookie(r, SESSION_COOKIE), r->ip);
    http_cookie_set(r, SESSION_COOKIE, token, -1);
    const char *next = page_safe_next(http_form(r, "next"));
    return http_redirect(r, strcmp(next, "/") == 0 ? "/profile" : next);
}

int page_logout(struct http_req *r)
{
    accounts_logout(http_db(r), http_cookie(r, SESSION_COOKIE), r->ip);
    http_cookie_set(r, SESSION_COOKIE, "", 0);
    return http_redirect(r, "/");
}
