/**
 * @file test_pages.c
 * @brief The browser journey without a browser: pages in both languages,
 *        well-formed, with security headers; login with its CSRF token,
 *        wrong passwords, registration errors shown next to their field,
 *        markup in a name escaped, logout ending the session.
 */
#include "apitest.h"
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct hall *H;

static int up(void **state)
{
    H = hall_start(test_db_url(), NULL);
    if (!H)
        return -1;
    hall_create_user(H, "clerk9", "窗口九", "clerk-pass-9", "staff");
    return 0;
}

static int down(void **state)
{
    assert_int_equal(hall_stop(H), 0);
    return 0;
}

/* Checks that elements open and close in order (void elements aside). */
static void assert_well_formed(const char *html)
{
    static const char *voids[] = {"meta", "link", "img", "input", "br", "hr", NULL};
    char stack[64][16];
    int depth = 0;
    assert_non_null(strstr(html, "<!doctype html>"));
    for (const char *p = strchr(html, '<'); p; p = strchr(p + 1, '<')) {
        if (p[1] == '!')
            continue;
        int closing = p[1] == '/';
        const char *n = p + 1 + closing;
        char name[16];
        int i = 0;
        while (isalnum((unsigned char)n[i]) && i < 15) {
            name[i] = (char)tolower((unsigned char)n[i]);
            i++;
        }
        name[i] = 0;
        if (!i)
            fail_msg("stray '<' in HTML near: %.40s", p);
        int is_void = 0;
        for (int v = 0; voids[v]; v++)
            is_void |= strcmp(voids[v], name) == 0;
        if (is_void)
            continue;
        if (!closing) {
            assert_true(depth < 64);
            strcpy(stack[depth++], name);
        } else {
            if (depth == 0 || strcmp(stack[depth - 1], name) != 0)
                fail_msg("</%s> closes <%s>", name, depth ? stack[depth - 1] : "nothing");
            depth--;
        }
    }
    assert_int_equal(depth, 0);
}

static void expect_page(struct resp *r, long status, const char *lang)
{
    if (r->status != status)
        fail_msg("status %ld, want %ld: %.300s", r->status, status, r->body);
    char *ct = resp_header(r, "Content-Type");
    assert_non_null(strstr(ct, "text/html"));
    free(ct);
    char *csp = resp_header(r, "Content-Security-Policy");
    assert_non_null(csp);
    assert_null(strstr(csp, "unsafe-inline"));
    free(csp);
    char want[48];
    snprintf(want, sizeof want, "<html lang=\"%s\">", lang);
    assert_non_null(strstr(r->body, want));
    assert_well_formed(r->body);
    assert_null(strstr(r->body, " style=")); /* CSP: no inline style */
    assert_null(strstr(r->body, "<script>"));
}

static void test_pages_in_two_languages(void **state)
{
    struct client *c = client_new(H);
    struct resp *r = client_get(c, "/");
    expect_page(r, 200, "zh-CN");
    assert_non_null(strstr(r->body, "佛山市网上办事大厅"));
    resp_free(r);
    r = client_get(c, "/?lang=en");
    expect_page(r, 200, "en");
    assert_non_null(strstr(r->body, "Foshan Online Service Hall"));
    resp_free(r);
    /* The choice sticks (cookie). */
    r = client_get(c, "/login");
    expect_page(r, 200, "en");
    resp_free(r);
    struct client *c2 = client_new(H);
    const char *h[] = {"Accept-Language: en-US,en;q=0.8", NULL};
    r = client_req(c2, "GET", "/register", NULL, NULL, 0, h);
    expect_page(r, 200, "en");
    resp_free(r);
    r = client_get(c2, "/no-such-page");
    expect_page(r, 404, "zh-CN");
    assert_non_null(strstr(r->body, "找不到"));
    resp_free(r);
    client_free(c);
    client_free(c2);
}

static char *form_csrf(struct client *c, const char *path)
{
    struct resp *r = client_get(c, path);
    char *t = html_input_value(r->body, "csrf");
    resp_free(r);
    assert_non_null(t);
    return t;
}

static void test_login_logout(void **state)
{
    struct client *c = client_new(H);
    /* Without the token: refused, no session. */
    struct resp *r = client_form(c, "/login", "username=clerk9&password=clerk-pass-9");
    assert_int_equal(r->status, 403);
    resp_free(r);
    char *csrf = form_csrf(c, "/login");
    char form[256];
    snprintf(form, sizeof form, "csrf=%s&username=clerk9&password=wrong-pass-0", csrf);
    r = client_form(c, "/login", form);
    expect_page(r, 401, "zh-CN");
    assert_non_null(strstr(r->body, "role=\"alert\""));
    assert_non_null(strstr(r->body, "value=\"clerk9\"")); /* what was typed stays */
    resp_free(r);
    snprintf(form, sizeof form, "csrf=%s&username=clerk9&password=clerk-pass-9", csrf);
    r = client_form(c, "/login", form);
    assert_int_equal(r->status, 303);
    char *loc = resp_header(r, "Location");
    assert_string_equal(loc, "/profile");
    free(loc);
    char *cookie = resp_header(r, "Set-Cookie");
    assert_non_null(strstr(cookie, "oh_sid="));
    assert_non_null(strstr(cookie, "HttpOnly"));
    assert_non_null(strstr(cookie, "SameSite=Lax"));
    free(cookie);
    resp_free(r);
    char *sid = client_cookie(c, "oh_sid");
    r = client_get(c, "/profile");
    expect_page(r, 200, "zh-CN");
    assert_non_null(strstr(r->body, "窗口九"));
    resp_free(r);
    /* Logging out needs the token of the logged-in session. */
    r = client_form(c, "/logout", "csrf=forged");
    assert_int_equal(r->status, 403);
    resp_free(r);
    free(csrf);
    csrf = form_csrf(c, "/profile");
    snprintf(form, sizeof form, "csrf=%s", csrf);
    r = client_form(c, "/logout", form);
    assert_int_equal(r->status, 303);
    resp_free(r);
    /* The old session id is dead even if replayed. */
    struct client *thief = client_new(H);
    char hdr[128];
    snprintf(hdr, sizeof hdr, "Cookie: oh_sid=%s", sid);
    const char *h[] = {hdr, NULL};
    r = client_req(thief, "GET", "/profile", NULL, NULL, 0, h);
    assert_int_equal(r->status, 303); /* to the login page */
    resp_free(r);
    client_free(thief);
    free(sid);
    free(csrf);
    client_free(c);
}

static void test_registration_form(void **state)
{
    struct client *c = client_new(H);
    char *csrf = form_csrf(c, "/register");
    char id[19], bad[19], form[512];
    test_id_number("19910101", 31, id);
    memcpy(bad, id, 19);
    bad[17] = bad[17] == '5' ? '6' : '5';
    snprintf(form, sizeof form,
             "csrf=%s&name=%%E5%%88%%98%%E4%%B8%%80&id_number=%s&phone=13122223333&password="
             "reg-pass-31&password2=reg-pass-31",
             csrf, bad);
    struct resp *r = client_form(c, "/register", form);
    expect_page(r, 422, "zh-CN");
    /* The message stands next to the field at fault. */
    assert_non_null(strstr(r->body, "id=\"e-id_number\""));
    assert_non_null(strstr(r->body, "aria-invalid=\"true\""));
    assert_non_null(strstr(r->body, "校验位"));
    resp_free(r);
    /* Markup in the name: refused with a message, and shown escaped. */
    snprintf(form, sizeof form,
             "csrf=%s&name=%%3Cscript%%3Ex%%3C%%2Fscript%%3E&id_number=%s&phone=13122223333&"
             "password=reg-pass-31&password2=reg-pass-31",
             csrf, id);
    r = client_form(c, "/register", form);
    expect_page(r, 422, "zh-CN");
    assert_null(strstr(r->body, "<script>x"));
    assert_non_null(strstr(r->body, "&lt;script&gt;"));
    resp_free(r);
    snprintf(form, sizeof form,
             "csrf=%s&name=%%E5%%88%%98%%E4%%B8%%80&id_number=%s&phone=13122223333&password="
             "reg-pass-31&password2=reg-pass-31",
             csrf, id);
    r = client_form(c, "/register", form);
    assert_int_equal(r->status, 303);
    resp_free(r);
    r = client_get(c, "/profile");
    expect_page(r, 200, "zh-CN");
    assert_non_null(strstr(r->body, id)); /* whole, to its owner */
    assert_non_null(strstr(r->body, "尚未实名核验"));
    resp_free(r);
    free(csrf);
    client_free(c);
}

static void test_anonymous_profile_goes_to_login(void **state)
{
    struct client *c = client_new(H);
    struct resp *r = client_get(c, "/profile");
    assert_int_equal(r->status, 303);
    char *loc = resp_header(r, "Location");
    assert_string_equal(loc, "/login?next=/profile");
    free(loc);
    resp_free(r);
    client_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pages_in_two_languages),
        cmocka_unit_test(test_login_logout),
        cmocka_unit_test(test_registration_form),
        cmocka_unit_test(test_anonymous_profile_goes_to_login),
    };
    return cmocka_run_group_tests(tests, up, down);
}
