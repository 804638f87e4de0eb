/**
 * @file page_register.c
 * @brief GET/POST /register: a person registers (self-registered, not yet
 *        verified) and is logged in.
 */
#include "core/html.h"
#include "domain/accounts.h"
#include "web/page.h"
#include "web/web.h"
#include <string.h>

static int render(struct http_req *r, int status, const struct err *e)
{
    struct buf b = BUF_INIT;
    page_open(r, &b, "web.register.title", NAV_REGISTER);
    buf_puts(&b, "<section class=\"card narrow\"><h1>");
    page_t(r, &b, "web.register.title");
    buf_puts(&b, "</h1><p>");
    page_t(r, &b, "web.register.intro");
    buf_puts(&b, "</p>");
    if (e && !e->field[0])
        page_error_box(r, &b, e);
    buf_puts(&b, "<form method=\"post\" action=\"/register\" novalidate>");
    page_csrf(r, &b);
    page_input(r, &b, "name", "text", "web.field.name", http_form(r, "name"), "name", e);
    page_input(r, &b, "id_number", "text", "web.field.id_number", http_form(r, "id_number"),
               "off", e);
    page_input(r, &b, "phone", "tel", "web.field.phone", http_form(r, "phone"), "tel", e);
    page_input(r, &b, "email", "email", "web.field.email", http_form(r, "email"), "email", e);
    page_input(r, &b, "password", "password", "web.field.password", NULL, "new-password", e);
    page_input(r, &b, "password2", "password", "web.field.password2", NULL, "new-password", e);
    buf_puts(&b, "<p class=\"hint\">");
    page_t(r, &b, "accounts.password_weak");
    buf_puts(&b, "</p><button type=\"submit\">");
    page_t(r, &b, "web.register.submit");
    buf_puts(&b, "</button></form></section>");
    return page_send(r, &b, status);
}

int page_register_form(struct http_req *r)
{
    if (r->principal)
        return http_redirect(r, "/profile");
    return render(r, 200, NULL);
}

int page_register_submit(struct http_req *r)
{
    struct err e;
    err_clear(&e);
    const char *pw = http_form(r, "password"), *pw2 = http_form(r, "password2");
    if (!pw2 || !pw || strcmp(pw, pw2) != 0) {
        err_set(&e, ERR_INVALID, "password2", "web.register.mismatch", NULL);
        return render(r, 422, &e);
    }
    const char *email = http_form(r, "email");
    struct person_input in = {http_form(r, "name"), http_form(r, "id_number"),
                              http_form(r, "phone"), email && *email ? email : NULL, pw};
    if (accounts_register(http_db(r), &in, r->ip, NULL, &e) < 0)
        return render(r, err_status(e.code), &e);
    char token[64];
    if (accounts_login(http_db(r), in.phone, pw, SESSION_WEB, r->ip, token, NULL, &e) < 0)
        return http_redirect(r, "/login");
    http_cookie_set(r, "oh_sid", token, -1);
    return http_redirect(r, "/profile");
}
