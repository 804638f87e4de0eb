/**
 * @file page_login.c
 * @brief GET/POST /login and POST /logout for browsers. The session lives
 *        in the cookie "oh_sid" (HttpOnly, SameSite=Lax, Secure under TLS);
 *        only its hash is stored (domain/accounts).
 */
#include "core/html.h"
#include "domain/accounts.h"
#include "web/page.h"
#include "web/web.h"
#include <string.h>

#define SESSION_COOKIE "oh_sid"

static const struct page_field f_username = {
    "username", "text", "web.login.username", "web.login.username.hint", "username", NULL, 1, 64};
static const struct page_field f_password = {
    "password", "password", "web.login.password", NULL, "current-password", NULL, 1, 128};

/* The form, with what went wrong above it. The username typed stays; the
 * password never comes back in a page. */
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
    /* Where the person was going, kept across a refused form and passed
     * on to the register page for someone without an account. */
    const char *next = http_form(r, "next") ? http_form(r, "next") : http_query(r, "next");
    page_next_field(&b, next);
    page_field(r, &b, &f_username, username, NULL);
    page_field(r, &b, &f_password, NULL, NULL);
    buf_puts(&b, "<button type=\"submit\">");
    page_t(r, &b, "web.login.submit");
    buf_puts(&b, "</button></form><p class=\"aside\">");
    page_t(r, &b, "web.login.no_account");
    buf_puts(&b, " <a href=\"/register");
    page_next_query(&b, next);
    buf_puts(&b, "\">");
    page_t(r, &b, "web.login.register_link");
    buf_puts(&b, "</a></p>");
    page_para(r, &b, "aside", "web.login.forgot");
    buf_puts(&b, "</section>");
    return page_send(r, &b, status);
}

int page_login_form(struct http_req *r)
{
    if (r->principal) {
        /* Already in: go where the login was meant to lead. */
        const char *next = page_safe_next(http_query(r, "next"));
        return http_redirect(r, strcmp(next, "/") == 0 ? "/profile" : next);
    }
    return render(r, 200, NULL, NULL);
}

int page_login_submit(struct http_req *r)
{
    /* Blanks around a pasted number and full-width digits are what people
     * type, not what they mean. */
    const char *user = page_form_clean(r, "username", 1);
    const char *pass = http_form(r, "password");
    struct err e;
    err_clear(&e);
    char token[64];
    if (accounts_login(http_db(r), user, pass, SESSION_WEB, r->ip, token, NULL, &e) < 0) {
        if (e.code == ERR_LOCKED)
            http_header_add(r, "Retry-After", e.arg);
        return render(r, err_status(e.code), user, &e);
    }
    /* A new session id at every login; the one before, if any, ends. */
    const char *old = http_cookie(r, SESSION_COOKIE);
    if (old && *old)
        accounts_logout(http_db(r), old, r->ip);
    http_cookie_set(r, SESSION_COOKIE, token, -1);
    const char *next = page_safe_next(http_form(r, "next"));
    return http_redirect(r, strcmp(next, "/") == 0 ? "/profile" : next);
}

int page_logout(struct http_req *r)
{
    const char *token = http_cookie(r, SESSION_COOKIE);
    if (token && *token)
        accounts_logout(http_db(r), token, r->ip);
    http_cookie_set(r, SESSION_COOKIE, "", 0);
    return http_redirect(r, "/");
}
