/**
 * @file page_register.c
 * @brief GET/POST /register: a person registers (self-registered, not yet
 *        verified) and is logged in. A refused form comes back with the
 *        message next to the field at fault and what was typed kept, bar
 *        the passwords. A "next" (from the login page's register link)
 *        rides along in the form and is where the new account lands, when
 *        page_safe_next accepts it; else the profile.
 */
#include "core/html.h"
#include "domain/accounts.h"
#include "web/page.h"
#include "web/web.h"
#include <string.h>

static const struct page_field fields[] = {
    {"name", "text", "web.field.name", "web.field.name.hint", "name", NULL, 1, 50},
    {"id_number", "text", "web.field.id_number", "web.field.id_number.hint", "off", NULL, 1, 18},
    {"phone", "tel", "web.field.phone", NULL, "tel-national", "tel", 1, 14},
    {"email", "email", "web.field.email", NULL, "email", "email", 0, 254},
    {"password", "password", "web.field.password", "accounts.password_weak", "new-password",
     NULL, 1, 128},
    {"password2", "password", "web.field.password2", NULL, "new-password", NULL, 1, 128},
};

/* Where to go once in: next when it is a path of this site, else the
 * profile. */
static const char *landing(const char *next)
{
    next = page_safe_next(next);
    return strcmp(next, "/") == 0 ? "/profile" : next;
}

static int render(struct http_req *r, int status, const struct err *e)
{
    const char *next = http_form(r, "next") ? http_form(r, "next") : http_query(r, "next");
    struct buf b = BUF_INIT;
    page_open(r, &b, "web.register.title", NAV_REGISTER);
    buf_puts(&b, "<section class=\"card narrow\"><h1>");
    page_t(r, &b, "web.register.title");
    buf_puts(&b, "</h1><p>");
    page_t(r, &b, "web.register.intro");
    buf_puts(&b, "</p>");
    if (e)
        page_error_box(r, &b, e);
    buf_puts(&b, "<form method=\"post\" action=\"/register\" novalidate>");
    page_csrf(r, &b);
    page_next_field(&b, next);
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        const struct page_field *f = &fields[i];
        /* Passwords are never sent back in a page. */
        int secret = strcmp(f->type, "password") == 0;
        page_field(r, &b, f, secret ? NULL : page_form_clean(r, f->name, 0), e);
    }
    buf_puts(&b, "<button type=\"submit\">");
    page_t(r, &b, "web.register.submit");
    buf_puts(&b, "</button></form><p class=\"aside\">");
    page_t(r, &b, "web.register.have_account");
    buf_puts(&b, " <a href=\"/login");
    page_next_query(&b, next);
    buf_puts(&b, "\">");
    page_t(r, &b, "web.register.login_link");
    buf_puts(&b, "</a></p></section>");
    return page_send(r, &b, status);
}

int page_register_form(struct http_req *r)
{
    if (r->principal)
        return http_redirect(r, landing(http_query(r, "next")));
    return render(r, 200, NULL);
}

int page_register_submit(struct http_req *r)
{
    struct err e;
    err_clear(&e);
    const char *pw = http_form(r, "password"), *pw2 = http_form(r, "password2");
    /* The repeat is checked here, before anything is created: the domain
     * only ever sees one password. */
    if (pw && *pw && (!pw2 || !*pw2)) {
        err_set(&e, ERR_INVALID, "password2", "web.register.repeat_missing", NULL);
        return render(r, 422, &e);
    }
    if (pw && pw2 && strcmp(pw, pw2) != 0) {
        err_set(&e, ERR_INVALID, "password2", "web.register.mismatch", NULL);
        return render(r, 422, &e);
    }
    const char *email = page_form_clean(r, "email", 1);
    struct person_input in = {page_form_clean(r, "name", 0), page_form_clean(r, "id_number", 1),
                              page_form_clean(r, "phone", 1), email && *email ? email : NULL,
                              pw};
    if (accounts_register(http_db(r), &in, r->ip, NULL, &e) < 0)
        return render(r, err_status(e.code), &e);
    /* In at once, by the ID number just checked (the domain stores it with
     * an upper-case X and looks it up the same way). */
    const char *to = landing(http_form(r, "next"));
    char token[64];
    if (accounts_login(http_db(r), in.id_number, pw, SESSION_WEB, r->ip, token, NULL, &e) < 0) {
        struct buf b = BUF_INIT;
        buf_puts(&b, "/login");
        page_next_query(&b, to);
        const char *login = arena_strdup(r->arena, buf_str(&b));
        buf_free(&b);
        return http_redirect(r, login);
    }
    http_cookie_set(r, "oh_sid", token, -1);
    return http_redirect(r, to);
}
