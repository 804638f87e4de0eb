/**
 * @file test_pages.c
 * @brief The browser journey without a browser, against the real server:
 *        pages in both languages (default, ?lang=, Accept-Language, the
 *        remembered choice), every page well-formed, with working label and
 *        aria references and the security headers; the home page links only
 *        to what exists; login with its CSRF token, wrong passwords, safe
 *        "next" paths, input typed with blanks and full-width digits;
 *        registration errors next to their field with nothing created;
 *        the "next" of a login passed on to registration and followed;
 *        markup in stored data escaped on the profile; logout ending the
 *        session.
 */
#include "apitest.h"
#include "store/store.h"
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

/* --- what every page must be --- */

static void expect_page(struct resp *r, long status, const char *lang)
{
    page_expect(r, status, lang, NULL);
    char *csp = resp_header(r, "Content-Security-Policy");
    assert_non_null(csp);
    assert_null(strstr(csp, "unsafe-inline"));
    assert_non_null(strstr(csp, "script-src 'self'"));
    assert_non_null(strstr(csp, "style-src 'self'"));
    assert_non_null(strstr(csp, "frame-ancestors 'none'"));
    free(csp);
    char *h = resp_header(r, "X-Content-Type-Options");
    assert_string_equal(h, "nosniff");
    free(h);
    h = resp_header(r, "Referrer-Policy");
    assert_non_null(h);
    free(h);
    /* The layout: skip link to <main id="main">, labelled navigation. */
    assert_non_null(strstr(r->body, "href=\"#main\""));
    assert_non_null(strstr(r->body, "<nav class=\"main-nav\" aria-label=\""));
    assert_non_null(strstr(r->body, "<meta name=\"viewport\""));
    assert_null(strstr(r->body, "javascript:"));
}

static char *form_csrf(struct client *c, const char *path)
{
    struct resp *r = client_get(c, path);
    char *t = html_input_value(r->body, "csrf");
    resp_free(r);
    assert_non_null(t);
    return t;
}

static void expect_location(struct resp *r, const char *where)
{
    char *loc = page_location(r);
    assert_string_equal(loc, where);
    free(loc);
}

/* POSTs a form whose fields are given already url-encoded after the CSRF
 * token of the client. */
static struct resp *post(struct client *c, const char *path, const char *csrf,
                         const char *fields)
{
    char form[1024];
    snprintf(form, sizeof form, "csrf=%s&%s", csrf, fields);
    return client_form(c, path, form);
}

/* --- tests --- */

static void test_pages_in_two_languages(void **state)
{
    struct client *c = client_new(H);
    struct resp *r = client_get(c, "/");
    expect_page(r, 200, "zh-CN");
    assert_non_null(strstr(r->body, "佛山市网上办事大厅"));
    assert_non_null(strstr(r->body, "<a href=\"/\" aria-current=\"page\">首页</a>"));
    assert_non_null(strstr(r->body, "hreflang=\"en\">English</a>"));
    resp_free(r);
    r = client_get(c, "/?lang=en");
    expect_page(r, 200, "en");
    assert_non_null(strstr(r->body, "Foshan Online Service Hall"));
    assert_non_null(strstr(r->body, "Service guides"));
    assert_null(strstr(r->body, "办事服务")); /* nothing left untranslated */
    resp_free(r);
    /* The choice sticks (cookie). */
    r = client_get(c, "/login");
    expect_page(r, 200, "en");
    resp_free(r);
    r = client_get(c, "/?lang=zh-CN");
    expect_page(r, 200, "zh-CN");
    resp_free(r);
    /* A browser asking for English gets it without choosing. */
    struct client *c2 = client_new(H);
    const char *h[] = {"Accept-Language: en-US,en;q=0.8", NULL};
    r = client_req(c2, "GET", "/", NULL, NULL, 0, h);
    expect_page(r, 200, "en");
    assert_non_null(strstr(r->body, "Welcome to the Foshan Online Service Hall"));
    resp_free(r);
    r = client_req(c2, "GET", "/register", NULL, NULL, 0, h);
    expect_page(r, 200, "en");
    resp_free(r);
    /* Friendly error pages, in the person's language, titled by the error. */
    r = client_req(c2, "GET", "/no-such-page", NULL, NULL, 0, h);
    expect_page(r, 404, "en");
    assert_non_null(strstr(r->body, "<title>What you are looking for was not found"));
    assert_non_null(strstr(r->body, "<a href=\"/\">Back to the home page</a>"));
    resp_free(r);
    r = client_get(c2, "/no-such-page");
    expect_page(r, 404, "zh-CN");
    assert_non_null(strstr(r->body, "找不到您要访问的内容"));
    assert_non_null(strstr(r->body, "返回首页"));
    resp_free(r);
    r = client_req(c2, "DELETE", "/login", NULL, NULL, 0, NULL);
    expect_page(r, 405, "zh-CN");
    resp_free(r);
    client_free(c);
    client_free(c2);
}

/* The entry points of later releases are text, not links: every link of
 * the home page (anonymous and logged in) leads to a page that answers. */
static void check_links(struct client *c, const char *html)
{
    for (const char *p = strstr(html, "href=\""); p; p = strstr(p + 1, "href=\"")) {
        char href[256];
        if (sscanf(p + 6, "%255[^\"]", href) != 1 || href[0] == '#' || href[0] == '?')
            continue;
        assert_int_equal(href[0], '/');
        struct resp *r = client_get(c, href);
        if (r->status != 200 && r->status != 303)
            fail_msg("home links to %s, which answers %ld", href, r->status);
        resp_free(r);
    }
}

static void test_home_links_only_what_exists(void **state)
{
    struct client *c = client_new(H);
    struct resp *r = client_get(c, "/");
    expect_page(r, 200, "zh-CN");
    /* The catalog search is open; sections still to come say so. */
    assert_non_null(strstr(r->body, "role=\"search\""));
    assert_non_null(strstr(r->body, "action=\"/items\""));
    assert_null(strstr(r->body, " disabled"));
    assert_non_null(strstr(r->body, "即将开通"));
    check_links(c, r->body);
    resp_free(r);
    /* Logged in: the header names the person and offers logout. */
    char *csrf = form_csrf(c, "/login");
    r = post(c, "/login", csrf, "username=clerk9&password=clerk-pass-9");
    expect_location(r, "/profile");
    resp_free(r);
    r = client_get(c, "/");
    expect_page(r, 200, "zh-CN");
    assert_non_null(strstr(r->body, "窗口九</a>"));
    assert_non_null(strstr(r->body, "action=\"/logout\""));
    assert_null(strstr(r->body, "href=\"/register\""));
    check_links(c, r->body);
    resp_free(r);
    r = client_get(c, "/messages");
    expect_page(r, 200, "zh-CN");
    assert_non_null(strstr(r->body, "<a href=\"/messages\" aria-current=\"page\">"));
    resp_free(r);
    /* The assets the layout names are served, with content-derived ETags. */
    static const char *assets[] = {"/assets/app.css", "/assets/app.js", "/assets/logo.svg", NULL};
    for (int i = 0; assets[i]; i++) {
        r = client_get(c, assets[i]);
        assert_int_equal(r->status, 200);
        char *etag = resp_header(r, "ETag");
        assert_non_null(etag);
        free(etag);
        resp_free(r);
    }
    free(csrf);
    client_free(c);
}

static void test_login_logout(void **state)
{
    struct client *c = client_new(H);
    /* Without the token: refused, no session. */
    struct resp *r = client_form(c, "/login", "username=clerk9&password=clerk-pass-9");
    expect_page(r, 403, "zh-CN");
    resp_free(r);
    assert_null(client_cookie(c, "oh_sid"));
    char *csrf = form_csrf(c, "/login");
    r = post(c, "/login", csrf, "username=clerk9&password=wrong-pass-0");
    expect_page(r, 401, "zh-CN");
    assert_non_null(strstr(r->body, "role=\"alert\""));
    assert_non_null(strstr(r->body, "账号或密码不正确"));
    assert_non_null(strstr(r->body, "value=\"clerk9\"")); /* what was typed stays */
    assert_null(strstr(r->body, "wrong-pass-0"));         /* the password does not */
    resp_free(r);
    assert_null(client_cookie(c, "oh_sid"));
    r = post(c, "/login", csrf, "username=clerk9&password=clerk-pass-9");
    expect_location(r, "/profile");
    char *cookie = resp_header(r, "Set-Cookie");
    assert_non_null(strstr(cookie, "oh_sid="));
    assert_non_null(strstr(cookie, "HttpOnly"));
    assert_non_null(strstr(cookie, "SameSite=Lax"));
    free(cookie);
    resp_free(r);
    char *sid = client_cookie(c, "oh_sid");
    assert_non_null(sid);
    r = client_get(c, "/profile");
    expect_page(r, 200, "zh-CN");
    assert_non_null(strstr(r->body, "窗口九"));
    assert_non_null(strstr(r->body, "clerk9"));
    assert_non_null(strstr(r->body, "部门工作人员")); /* the role in words */
    resp_free(r);
    /* Logging out needs the token of the logged-in session. */
    r = client_form(c, "/logout", "csrf=forged");
    expect_page(r, 403, "zh-CN");
    resp_free(r);
    free(csrf);
    csrf = form_csrf(c, "/profile");
    r = post(c, "/logout", csrf, "x=1");
    expect_location(r, "/");
    cookie = resp_header(r, "Set-Cookie");
    assert_non_null(strstr(cookie, "Max-Age=0"));
    free(cookie);
    resp_free(r);
    r = client_get(c, "/profile");
    expect_location(r, "/login?next=/profile");
    resp_free(r);
    /* The old session id is dead even if replayed. */
    struct client *thief = client_new(H);
    char hdr[128];
    snprintf(hdr, sizeof hdr, "Cookie: oh_sid=%s", sid);
    const char *h[] = {hdr, NULL};
    r = client_req(thief, "GET", "/profile", NULL, NULL, 0, h);
    expect_location(r, "/login?next=/profile");
    resp_free(r);
    r = client_req(thief, "GET", "/messages", NULL, NULL, 0, h);
    expect_location(r, "/login?next=/messages");
    resp_free(r);
    client_free(thief);
    free(sid);
    free(csrf);
    client_free(c);
}

static void test_login_next_and_typing(void **state)
{
    struct client *c = client_new(H);
    /* next comes from the query into the form, and is followed. */
    struct resp *r = client_get(c, "/login?next=/messages");
    expect_page(r, 200, "zh-CN");
    char *next = html_input_value(r->body, "next");
    assert_non_null(next);
    assert_string_equal(next, "/messages");
    free(next);
    resp_free(r);
    char *csrf = form_csrf(c, "/login");
    /* Blanks around the name and full-width letters, as an input method in
     * full-width mode types them ("ｃｌｅｒｋ９"), are what people mean. */
    r = post(c, "/login", csrf,
             "next=%2Fmessages&username=+%EF%BD%83%EF%BD%8C%EF%BD%85%EF%BD%92%EF%BD%8B%EF%BC%99"
             "%E3%80%80&password=clerk-pass-9");
    expect_location(r, "/messages");
    resp_free(r);
    /* Already in: the login page sends on. */
    r = client_get(c, "/login");
    expect_location(r, "/profile");
    resp_free(r);
    client_free(c);
    /* Another site is never a "next": //host, /\host, a tab that browsers
     * drop, an absolute URL. */
    static const char *evil[] = {"%2F%2Fevil.example%2Fx", "%2F%5Cevil.example",
                                 "%2F%09%2Fevil.example", "https%3A%2F%2Fevil.example", NULL};
    for (int i = 0; evil[i]; i++) {
        c = client_new(H);
        free(csrf);
        csrf = form_csrf(c, "/login");
        char fields[256];
        snprintf(fields, sizeof fields, "next=%s&username=clerk9&password=clerk-pass-9",
                 evil[i]);
        r = post(c, "/login", csrf, fields);
        expect_location(r, "/profile");
        resp_free(r);
        client_free(c);
    }
    free(csrf);
}

/* Registers through the form, with the field next (already url-encoded)
 * when next_enc is not NULL; returns the response. */
static struct resp *register_form_next(struct client *c, const char *csrf, const char *next_enc,
                                       const char *name_enc, const char *id, const char *phone,
                                       const char *email_enc, const char *pw, const char *pw2)
{
    char fields[768];
    snprintf(fields, sizeof fields,
             "%s%s%sname=%s&id_number=%s&phone=%s&email=%s&password=%s&password2=%s",
             next_enc ? "next=" : "", next_enc ? next_enc : "", next_enc ? "&" : "", name_enc,
             id, phone, email_enc, pw, pw2);
    return post(c, "/register", csrf, fields);
}

/* Registers through the form; returns the response. */
static struct resp *register_form(struct client *c, const char *csrf, const char *name_enc,
                                  const char *id, const char *phone, const char *email_enc,
                                  const char *pw, const char *pw2)
{
    return register_form_next(c, csrf, NULL, name_enc, id, phone, email_enc, pw, pw2);
}

/* Logging in with these credentials is refused: no such account. */
static void assert_no_account(const char *username, const char *password)
{
    struct client *c = client_new(H);
    char *csrf = form_csrf(c, "/login");
    char fields[256];
    snprintf(fields, sizeof fields, "username=%s&password=%s", username, password);
    struct resp *r = post(c, "/login", csrf, fields);
    assert_int_equal(r->status, 401);
    resp_free(r);
    free(csrf);
    client_free(c);
}

static void test_registration_form(void **state)
{
    struct client *c = client_new(H);
    char *csrf = form_csrf(c, "/register");
    char id[19], bad[19];
    test_id_number("19910101", 31, id);
    memcpy(bad, id, 19);
    bad[17] = bad[17] == '5' ? '6' : '5';
    const char *liu = "%E5%88%98%E4%B8%80"; /* 刘一 */
    struct resp *r = register_form(c, csrf, liu, bad, "13122223333", "", "reg-pass-31",
                                   "reg-pass-31");
    expect_page(r, 422, "zh-CN");
    /* The message stands next to the field at fault, tied to it. */
    assert_non_null(strstr(r->body, "<p class=\"error\" id=\"e-id_number\">"));
    assert_non_null(strstr(r->body, "aria-invalid=\"true\" aria-describedby=\"e-id_number "));
    assert_non_null(strstr(r->body, "校验位"));
    /* The summary at the top leads to the field. */
    assert_non_null(strstr(r->body, "<a href=\"#f-id_number\">"));
    /* What was typed stays, except the passwords. */
    assert_non_null(strstr(r->body, "value=\"刘一\""));
    assert_non_null(strstr(r->body, "value=\"13122223333\""));
    assert_null(strstr(r->body, "reg-pass-31"));
    resp_free(r);
    /* Nothing was created: neither number logs in. */
    assert_no_account(bad, "reg-pass-31");
    assert_no_account("13122223333", "reg-pass-31");
    /* English, for the same mistake. */
    r = client_get(c, "/register?lang=en");
    resp_free(r);
    r = register_form(c, csrf, liu, bad, "13122223333", "", "reg-pass-31", "reg-pass-31");
    expect_page(r, 422, "en");
    assert_non_null(strstr(r->body, "id=\"e-id_number\""));
    assert_null(strstr(r->body, "校验位"));
    resp_free(r);
    r = client_get(c, "/register?lang=zh-CN");
    resp_free(r);
    /* Two different passwords: said at the repeat, nothing created. */
    r = register_form(c, csrf, liu, id, "13122223333", "", "reg-pass-31", "reg-pass-32");
    expect_page(r, 422, "zh-CN");
    assert_non_null(strstr(r->body, "id=\"e-password2\""));
    assert_non_null(strstr(r->body, "两次输入的密码不一致"));
    resp_free(r);
    /* Markup in the name: refused with a message, and shown escaped. */
    r = register_form(c, csrf, "%3Cscript%3Ex%3C%2Fscript%3E", id, "13122223333", "",
                      "reg-pass-31", "reg-pass-31");
    expect_page(r, 422, "zh-CN");
    assert_non_null(strstr(r->body, "id=\"e-name\""));
    assert_null(strstr(r->body, "<script>x"));
    assert_non_null(strstr(r->body, "&lt;script&gt;"));
    resp_free(r);
    assert_no_account(id, "reg-pass-31");
    /* Right at last, typed with blanks around and a full-width phone
     * number: the person is registered, logged in and on their profile,
     * their e-mail (an "&" is allowed there) escaped. */
    r = register_form(c, csrf, liu, id,
                      "+%EF%BC%91%EF%BC%93%EF%BC%91%EF%BC%92%EF%BC%92%EF%BC%92%EF%BC%92%EF%BC%93"
                      "%EF%BC%93%EF%BC%93%EF%BC%93+",
                      "liu%26yi%40example.cn", "reg-pass-31", "reg-pass-31");
    expect_location(r, "/profile");
    resp_free(r);
    r = client_get(c, "/profile");
    expect_page(r, 200, "zh-CN");
    assert_non_null(strstr(r->body, id)); /* whole, to its owner */
    assert_non_null(strstr(r->body, "13122223333"));
    assert_non_null(strstr(r->body, "liu&amp;yi@example.cn"));
    assert_non_null(strstr(r->body, "尚未实名核验"));
    assert_non_null(strstr(r->body, "个人用户"));
    resp_free(r);
    client_free(c);
    /* The same ID number again: 409, telling the owner how to claim it. */
    c = client_new(H);
    free(csrf);
    csrf = form_csrf(c, "/register");
    r = register_form(c, csrf, liu, id, "13122224444", "", "reg-pass-31", "reg-pass-31");
    expect_page(r, 409, "zh-CN");
    assert_non_null(strstr(r->body, "id=\"e-id_number\""));
    assert_non_null(strstr(r->body, "认领"));
    resp_free(r);
    assert_no_account("13122224444", "reg-pass-31");
    free(csrf);
    client_free(c);
}

/* The way to an apply form for someone without an account: 在线申请 sends
 * them to /login?next=/items/X/apply, 立即注册 there to /register with the
 * same next, and the new account lands on the form, not the profile. A
 * next that is not a path of this site is dropped everywhere. */
static void test_register_keeps_next(void **state)
{
    struct client *c = client_new(H);
    struct resp *r = client_get(c, "/login?next=%2Fitems%2FX%2Fapply");
    expect_page(r, 200, "zh-CN");
    assert_non_null(strstr(r->body, "<a href=\"/register?next=/items/X/apply\">"));
    resp_free(r);
    /* The register page keeps it in its form and in its link back. */
    r = client_get(c, "/register?next=/items/X/apply");
    expect_page(r, 200, "zh-CN");
    char *next = html_input_value(r->body, "next");
    assert_non_null(next);
    assert_string_equal(next, "/items/X/apply");
    free(next);
    assert_non_null(strstr(r->body, "<a href=\"/login?next=/items/X/apply\">"));
    char *csrf = html_input_value(r->body, "csrf");
    assert_non_null(csrf);
    resp_free(r);
    /* A refused form (a wrong check digit) still carries it. */
    char id[19], bad[19];
    test_id_number("19900315", 41, id);
    memcpy(bad, id, 19);
    bad[17] = bad[17] == '5' ? '6' : '5';
    const char *zhao = "%E8%B5%B5%E5%9B%9B"; /* 赵四 */
    r = register_form_next(c, csrf, "%2Fitems%2FX%2Fapply", zhao, bad, "13566667777", "",
                           "next-pass-41", "next-pass-41");
    expect_page(r, 422, "zh-CN");
    assert_non_null(strstr(r->body, "id=\"e-id_number\""));
    next = html_input_value(r->body, "next");
    assert_non_null(next);
    assert_string_equal(next, "/items/X/apply");
    free(next);
    assert_non_null(strstr(r->body, "<a href=\"/login?next=/items/X/apply\">"));
    resp_free(r);
    assert_no_account(bad, "next-pass-41");
    /* Right: in, and on the way it was going. */
    r = register_form_next(c, csrf, "%2Fitems%2FX%2Fapply", zhao, id, "13566667777", "",
                           "next-pass-41", "next-pass-41");
    expect_location(r, "/items/X/apply");
    resp_free(r);
    char *sid = client_cookie(c, "oh_sid");
    assert_non_null(sid);
    free(sid);
    /* Already in, the register page sends on like the login page. */
    r = client_get(c, "/register?next=/items/X/apply");
    expect_location(r, "/items/X/apply");
    resp_free(r);
    r = client_get(c, "/register");
    expect_location(r, "/profile");
    resp_free(r);
    free(csrf);
    client_free(c);

    /* A next with a query of its own (出生, page 2) is encoded in the
     * links, whole. */
    c = client_new(H);
    r = client_get(c, "/login?next=%2Fitems%3Fq%3D%E5%87%BA%E7%94%9F%26page%3D2");
    expect_page(r, 200, "zh-CN");
    assert_non_null(
        strstr(r->body, "href=\"/register?next=/items%3Fq%3D%E5%87%BA%E7%94%9F%26page%3D2\""));
    resp_free(r);
    client_free(c);

    /* Another site is never a "next": not in the links, not after
     * registering (//host, https://host, /\host, CR/LF). */
    static const char *evil[] = {"%2F%2Fevil.example%2Fx", "https%3A%2F%2Fevil.example",
                                 "%2F%5Cevil", "%2F%0D%0ASet-Cookie%3A+x%3D1", NULL};
    for (int i = 0; evil[i]; i++) {
        c = client_new(H);
        char path[128];
        snprintf(path, sizeof path, "/login?next=%s", evil[i]);
        r = client_get(c, path);
        expect_page(r, 200, "zh-CN");
        assert_non_null(strstr(r->body, "<a href=\"/register\">"));
        assert_null(strstr(r->body, "evil"));
        resp_free(r);
        snprintf(path, sizeof path, "/register?next=%s", evil[i]);
        r = client_get(c, path);
        expect_page(r, 200, "zh-CN");
        assert_non_null(strstr(r->body, "<a href=\"/login\">"));
        assert_null(strstr(r->body, "evil"));
        csrf = html_input_value(r->body, "csrf");
        assert_non_null(csrf);
        resp_free(r);
        char phone[16];
        test_id_number("19900316", 50 + i, id);
        snprintf(phone, sizeof phone, "1356666800%d", i);
        r = register_form_next(c, csrf, evil[i], zhao, id, phone, "", "next-pass-41",
                               "next-pass-41");
        expect_location(r, "/profile");
        resp_free(r);
        free(csrf);
        client_free(c);
    }
}

/* Sets an account's name in the database directly, past the validation of
 * the domain, as an import or an older version might have stored it. */
static void store_set_name(const char *phone, const char *name)
{
    struct store_options o = {H->db_url, H->dir, 1, 5000};
    struct store *s;
    char err[256];
    assert_int_equal(store_open(&o, &s, err, sizeof err), 0);
    struct store_conn *c = store_acquire(s);
    struct store_stmt *st;
    assert_int_equal(store_prepare(c, "UPDATE accounts SET name = ? WHERE phone = ?", &st), 0);
    store_bind_text(st, 1, name);
    store_bind_text(st, 2, phone);
    assert_true(store_step(st) >= 0);
    assert_int_equal(store_changes(st), 1);
    store_finalize(st);
    store_release(c);
    store_close(s);
}

static void test_markup_in_stored_name_is_escaped(void **state)
{
    struct client *c = client_new(H);
    char *csrf = form_csrf(c, "/register");
    char id[19];
    test_id_number("19800229", 77, id);
    struct resp *r = register_form(c, csrf, "%E7%8E%8B%E4%BA%94", id, "13533334444", "",
                                   "name-pass-77", "name-pass-77");
    expect_location(r, "/profile");
    resp_free(r);
    store_set_name("13533334444", "<img src=x onerror=alert(1)>&\"'");
    r = client_get(c, "/profile");
    expect_page(r, 200, "zh-CN"); /* no stray tag: the checker would see it */
    assert_null(strstr(r->body, "<img src=x"));
    const char *esc = "&lt;img src=x onerror=alert(1)&gt;&amp;&quot;&#39;";
    const char *header = strstr(r->body, esc);
    assert_non_null(header);                       /* in the header */
    assert_non_null(strstr(header + strlen(esc), esc)); /* and on the profile */
    resp_free(r);
    free(csrf);
    client_free(c);
}

static void test_anonymous_profile_goes_to_login(void **state)
{
    struct client *c = client_new(H);
    struct resp *r = client_get(c, "/profile");
    expect_location(r, "/login?next=/profile");
    resp_free(r);
    client_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pages_in_two_languages),
        cmocka_unit_test(test_home_links_only_what_exists),
        cmocka_unit_test(test_login_logout),
        cmocka_unit_test(test_login_next_and_typing),
        cmocka_unit_test(test_registration_form),
        cmocka_unit_test(test_register_keeps_next),
        cmocka_unit_test(test_markup_in_stored_name_is_escaped),
        cmocka_unit_test(test_anonymous_profile_goes_to_login),
    };
    return cmocka_run_group_tests(tests, up, down);
}
