/**
 * @file page.c
 * @brief The base layout, the form helpers and the friendly error page.
 *        All dynamic text goes through html_text / html_attr; there is no
 *        inline style or script (the CSP forbids them) and nothing needs
 *        JavaScript: assets/app.js only adds comfort where it runs.
 */
#include "web/page.h"
#include "core/html.h"
#include "core/url.h"
#include "web/web.h"
#include <stdio.h>
#include <string.h>

void page_t(struct http_req *r, struct buf *b, const char *key)
{
    html_text(b, T(r, key));
}

void page_para(struct http_req *r, struct buf *b, const char *cls, const char *key)
{
    buf_puts(b, "<p class=\"");
    buf_puts(b, cls);
    buf_puts(b, "\">");
    page_t(r, b, key);
    buf_puts(b, "</p>");
}

void page_table_head(struct http_req *r, struct buf *b, const char *const *col_keys, size_t n)
{
    buf_puts(b, "<thead><tr>");
    for (size_t i = 0; i < n; i++) {
        buf_puts(b, "<th scope=\"col\">");
        page_t(r, b, col_keys[i]);
        buf_puts(b, "</th>");
    }
    buf_puts(b, "</tr></thead><tbody>");
}

void page_fact_open(struct http_req *r, struct buf *b, const char *key)
{
    buf_puts(b, "<div><dt>");
    page_t(r, b, key);
    buf_puts(b, "</dt><dd>");
}

void page_fact_close(struct buf *b)
{
    buf_puts(b, "</dd></div>");
}

void page_fact(struct http_req *r, struct buf *b, const char *key, const char *value,
               const char *none_key)
{
    page_fact_open(r, b, key);
    if (value && *value)
        html_text(b, value);
    else
        page_t(r, b, none_key);
    page_fact_close(b);
}

/* One entry of a navigation list; the current one says so to screen
 * readers (aria-current) and is styled from that attribute alone. */
static void nav_link(struct http_req *r, struct buf *b, const char *href, const char *key,
                     int current)
{
    buf_puts(b, "<li><a href=\"");
    html_attr(b, href);
    buf_puts(b, current ? "\" aria-current=\"page\">" : "\">");
    page_t(r, b, key);
    buf_puts(b, "</a></li>");
}

/* The language switch. A query-only link ("?lang=en") keeps the page the
 * person is on; the server remembers the choice in a cookie. Each name is
 * written in its own language and marked so (lang, hreflang), so a screen
 * reader pronounces it right whatever the page's language. */
static void lang_switch(struct http_req *r, struct buf *b)
{
    buf_puts(b, "<nav class=\"lang\" aria-label=\"");
    page_t(r, b, "web.lang.label");
    buf_puts(b, "\"><ul>");
    if (r->lang == LANG_ZH)
        buf_puts(b, "<li><a href=\"?lang=zh-CN\" lang=\"zh-CN\" hreflang=\"zh-CN\" "
                    "aria-current=\"true\">中文</a></li><li><a href=\"?lang=en\" lang=\"en\" "
                    "hreflang=\"en\">English</a></li>");
    else
        buf_puts(b, "<li><a href=\"?lang=zh-CN\" lang=\"zh-CN\" hreflang=\"zh-CN\">中文</a></li>"
                    "<li><a href=\"?lang=en\" lang=\"en\" hreflang=\"en\" "
                    "aria-current=\"true\">English</a></li>");
    buf_puts(b, "</ul></nav>\n");
}

/* Who is here: the person's name (their own page behind it) and a logout
 * button, or the ways in. Logout is a POST form with the CSRF token, so a
 * link on another site cannot log anyone out. */
static void login_state(struct http_req *r, struct buf *b, enum nav_item current)
{
    buf_puts(b, "<div class=\"who\">");
    if (r->principal) {
        buf_puts(b, "<a href=\"/profile\" class=\"me\"");
        if (current == NAV_PROFILE)
            buf_puts(b, " aria-current=\"page\"");
        buf_puts(b, "><span class=\"sr-only\">");
        page_t(r, b, "web.who.logged_in_as");
        buf_puts(b, " </span>");
        html_text(b, r->principal->name);
        buf_puts(b, "</a><form method=\"post\" action=\"/logout\" class=\"inline\">");
        page_csrf(r, b);
        buf_puts(b, "<button type=\"submit\" class=\"link\">");
        page_t(r, b, "web.logout");
        buf_puts(b, "</button></form>");
    } else {
        buf_puts(b, current == NAV_LOGIN ? "<a href=\"/login\" aria-current=\"page\">"
                                         : "<a href=\"/login\">");
        page_t(r, b, "web.login");
        buf_puts(b, current == NAV_REGISTER ? "</a><a href=\"/register\" aria-current=\"page\">"
                                            : "</a><a href=\"/register\">");
        page_t(r, b, "web.register");
        buf_puts(b, "</a>");
    }
    buf_puts(b, "</div>\n");
}

void page_open_title(struct http_req *r, struct buf *b, const char *title,
                     enum nav_item current)
{
    buf_printf(b, "<!doctype html>\n<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\">\n",
               lang_tag(r->lang));
    buf_puts(b, "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                "<meta name=\"color-scheme\" content=\"light\">\n"
                "<link rel=\"stylesheet\" href=\"/assets/app.css\">\n"
                "<link rel=\"icon\" href=\"/assets/logo.svg\" type=\"image/svg+xml\">\n"
                "<script src=\"/assets/app.js\" defer></script>\n<title>");
    html_text(b, title);
    buf_puts(b, " - ");
    page_t(r, b, "hall.name");
    buf_puts(b, "</title>\n</head>\n<body>\n<a class=\"skip\" href=\"#main\">");
    page_t(r, b, "web.skip");
    buf_puts(b, "</a>\n<header class=\"top\">\n<div class=\"bar\">\n"
                "<a class=\"brand\" href=\"/\"><img src=\"/assets/logo.svg\" alt=\"\" "
                "width=\"40\" height=\"40\"><span>");
    page_t(r, b, "hall.name");
    buf_puts(b, "</span></a>\n<div class=\"tools\">\n");
    lang_switch(r, b);
    login_state(r, b, current);
    buf_puts(b, "</div>\n</div>\n<nav class=\"main-nav\" aria-label=\"");
    page_t(r, b, "web.nav.label");
    buf_puts(b, "\"><ul>");
    nav_link(r, b, "/", "web.nav.home", current == NAV_HOME);
    nav_link(r, b, "/items", "web.nav.services", current == NAV_SERVICES);
    nav_link(r, b, "/departments", "web.nav.departments", current == NAV_DEPARTMENTS);
    nav_link(r, b, "/stats/depth", "web.nav.depth", current == NAV_DEPTH);
    /* Only pages that exist are linked; sections of later releases are
     * not in the navigation until they open. */
    if (r->principal) {
        nav_link(r, b, "/cases", "web.nav.cases", current == NAV_CASES);
        nav_link(r, b, "/profile", "web.nav.profile", current == NAV_PROFILE);
        nav_link(r, b, "/messages", "web.nav.messages", current == NAV_MESSAGES);
        if ((r->principal->roles & (ROLE_STAFF | ROLE_DEPT_ADMIN)) && r->principal->department_id)
            nav_link(r, b, "/workbench", "web.nav.workbench", current == NAV_WORKBENCH);
        if (r->principal->roles & (ROLE_CATALOG_EDITOR | ROLE_DEPT_ADMIN | ROLE_SYSADMIN))
            nav_link(r, b, "/editor", "web.nav.editor", current == NAV_EDITOR);
    }
    buf_puts(b, "</ul></nav>\n</header>\n<main id=\"main\" tabindex=\"-1\">\n");
}

void page_open(struct http_req *r, struct buf *b, const char *title_key, enum nav_item current)
{
    page_open_title(r, b, T(r, title_key), current);
}

static void page_close(struct http_req *r, struct buf *b)
{
    buf_puts(b, "\n</main>\n<footer class=\"foot\"><div class=\"foot-in\"><p>");
    page_t(r, b, "web.footer");
    buf_puts(b, "</p><p>");
    page_t(r, b, "web.footer.help");
    buf_puts(b, "</p></div></footer>\n</body>\n</html>\n");
}

static void page_headers(struct http_req *r)
{
    http_header_add(r, "Content-Language", lang_tag(r->lang));
    /* The same URL renders per language and per login state. */
    http_header_add(r, "Vary", "Cookie, Accept-Language");
}

int page_send(struct http_req *r, struct buf *b, int status)
{
    page_close(r, b);
    page_headers(r);
    return http_reply_html(r, status, b);
}

void page_finish(struct http_req *r, struct buf *b)
{
    page_close(r, b);
}

int page_send_bytes(struct http_req *r, const char *html, size_t len)
{
    page_headers(r);
    return http_reply_bytes(r, 200, "text/html; charset=utf-8", html, len);
}

void page_csrf(struct http_req *r, struct buf *b)
{
    buf_puts(b, "<input type=\"hidden\" name=\"csrf\" value=\"");
    html_attr(b, http_csrf_token(r));
    buf_puts(b, "\">");
}

/* The detail of e in the request's language, or its title when it has no
 * detail of its own. */
static const char *error_text(struct http_req *r, const struct err *e, char *out, unsigned n)
{
    if (e->key[0])
        return trf(r->lang, e->key, e->arg, out, n);
    char key[96];
    snprintf(key, sizeof key, "err.%s", err_slug(e->code));
    snprintf(out, n, "%s", T(r, key));
    return out;
}

void page_field(struct http_req *r, struct buf *b, const struct page_field *f,
                const char *value, const struct err *e)
{
    int bad = e && e->code != ERR_OK && strcmp(e->field, f->name) == 0;
    buf_printf(b, "<div class=\"field%s\"><label for=\"f-%s\">", bad ? " invalid" : "", f->name);
    page_t(r, b, f->label_key);
    buf_puts(b, "</label>");
    if (f->hint_key) {
        buf_printf(b, "<p class=\"hint\" id=\"h-%s\">", f->name);
        page_t(r, b, f->hint_key);
        buf_puts(b, "</p>");
    }
    if (bad) {
        char msg[512];
        buf_printf(b, "<p class=\"error\" id=\"e-%s\"><span class=\"sr-only\">", f->name);
        page_t(r, b, "web.form.error_prefix");
        buf_puts(b, " </span>");
        html_text(b, error_text(r, e, msg, sizeof msg));
        buf_puts(b, "</p>");
    }
    buf_printf(b, "<input id=\"f-%s\" name=\"%s\" type=\"%s\"", f->name, f->name, f->type);
    if (f->autocomplete)
        buf_printf(b, " autocomplete=\"%s\"", f->autocomplete);
    if (f->inputmode)
        buf_printf(b, " inputmode=\"%s\"", f->inputmode);
    if (f->maxlength > 0)
        buf_printf(b, " maxlength=\"%d\"", f->maxlength);
    /* Most fields are required, so the optional ones say so in their
     * label ("(optional)") instead of marking every other one with "*";
     * assistive technology still hears "required". */
    if (f->required)
        buf_puts(b, " aria-required=\"true\"");
    if (strcmp(f->type, "text") == 0 || strcmp(f->type, "email") == 0)
        buf_puts(b, " spellcheck=\"false\"");
    if (value && *value) {
        buf_puts(b, " value=\"");
        html_attr(b, value);
        buf_puts(b, "\"");
    }
    if (bad)
        buf_puts(b, " aria-invalid=\"true\"");
    /* The message first, then the hint: what to fix is heard first. */
    if (bad || f->hint_key) {
        buf_puts(b, " aria-describedby=\"");
        if (bad)
            buf_printf(b, "e-%s%s", f->name, f->hint_key ? " " : "");
        if (f->hint_key)
            buf_printf(b, "h-%s", f->name);
        buf_puts(b, "\"");
    }
    buf_puts(b, "></div>\n");
}

void page_error_box(struct http_req *r, struct buf *b, const struct err *e)
{
    char key[96], msg[512];
    snprintf(key, sizeof key, "err.%s", err_slug(e->code));
    const char *title = T(r, key);
    error_text(r, e, msg, sizeof msg);
    /* tabindex="-1": app.js moves the focus here after a failed submit. */
    buf_puts(b, "<div class=\"alert\" role=\"alert\" id=\"form-error\" tabindex=\"-1\"><h2>");
    html_text(b, title);
    buf_puts(b, "</h2>");
    if (e->field[0]) {
        /* The detail stands next to the field; here a link leads to it. */
        buf_puts(b, "<p><a href=\"#f-");
        html_attr(b, e->field);
        buf_puts(b, "\">");
        html_text(b, msg);
        buf_puts(b, "</a></p>");
    } else if (strcmp(msg, title) != 0) {
        buf_puts(b, "<p>");
        html_text(b, msg);
        buf_puts(b, "</p>");
    }
    buf_puts(b, "</div>\n");
}

/* A path as the value of ?next=: it stays readable, '/' as it is, the
 * rest percent-encoded (so '?', '&', '#' and blanks of the path cannot end
 * the value). */
static void put_next(struct buf *b, const char *path)
{
    for (const char *p = path; *p; p++) {
        if (*p == '/')
            buf_putc(b, '/');
        else
            url_encode(b, p, 1);
    }
}

int page_gate(struct http_req *r, unsigned roles, const char *back, const char *forbidden_key)
{
    if (!r->principal) {
        struct buf b = BUF_INIT;
        buf_puts(&b, "/login?next=");
        put_next(&b, strcmp(r->method, "GET") == 0 ? r->path : back);
        http_redirect(r, arena_strdup(r->arena, buf_str(&b)));
        buf_free(&b);
        return 1;
    }
    if (roles && !(r->principal->roles & roles)) {
        http_fail(r, ERR_FORBIDDEN, NULL, forbidden_key, NULL);
        return 1;
    }
    return 0;
}

const char *page_safe_next(const char *next)
{
    /* Only a path of this site: "/x". html_url_check refuses "//host",
     * backslashes ("/\host" is a host to some browsers) and control
     * characters (browsers drop tabs and newlines, so "/\t/host" would
     * become "//host"). */
    if (!next || next[0] != '/' || html_url_check(next) != 0)
        return "/";
    return next;
}

void page_next_query(struct buf *b, const char *next)
{
    next = page_safe_next(next);
    if (strcmp(next, "/") == 0)
        return;
    buf_puts(b, "?next=");
    put_next(b, next);
}

void page_next_field(struct buf *b, const char *next)
{
    next = page_safe_next(next);
    if (strcmp(next, "/") == 0)
        return;
    buf_puts(b, "<input type=\"hidden\" name=\"next\" value=\"");
    html_attr(b, next);
    buf_puts(b, "\">");
}

const char *page_form_clean(struct http_req *r, const char *name, int fold)
{
    const char *s = http_form(r, name);
    if (!s)
        return NULL;
    struct buf out = BUF_INIT;
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        /* Full-width forms U+FF01..U+FF5E are EF BC 81..EF BD 9E in UTF-8
         * and map to ASCII 0x21..0x7E; U+3000 (E3 80 80) is a blank. */
        if (p[0] == 0xE3 && p[1] == 0x80 && p[2] == 0x80) {
            buf_putc(&out, ' ');
            p += 3;
        } else if (fold && p[0] == 0xEF && (p[1] == 0xBC || p[1] == 0xBD) && p[2] >= 0x80 &&
                   p[2] <= 0xBF) {
            unsigned cp = 0xFF00u + (unsigned)((p[1] & 0x03) << 6) + (p[2] & 0x3Fu);
            if (cp >= 0xFF01 && cp <= 0xFF5E) {
                buf_putc(&out, (char)(cp - 0xFF01 + 0x21));
                p += 3;
            } else {
                buf_append(&out, p, 3);
                p += 3;
            }
        } else {
            buf_putc(&out, (char)*p++);
        }
    }
    const char *t = buf_str(&out);
    size_t start = strspn(t, " \t\r\n"), end = out.len;
    while (end > start && strchr(" \t\r\n", t[end - 1]))
        end--;
    char *res = arena_strndup(r->arena, t + start, end - start);
    buf_free(&out);
    return res;
}

/* The page a person sees instead of what they asked for. Its title is the
 * error's own title, so a browser tab or a screen reader says what went
 * wrong before anything else. */
void web_error_page(struct http_req *r, int status, const char *title, const char *detail,
                    struct buf *body)
{
    page_open_title(r, body, title, NAV_NONE);
    buf_puts(body, "<section class=\"card error-page\" aria-labelledby=\"err-title\">"
                   "<p class=\"status\">");
    char code[16], label[64];
    snprintf(code, sizeof code, "%d", status);
    html_text(body, trf(r->lang, "web.error.code", code, label, sizeof label));
    buf_puts(body, "</p><h1 id=\"err-title\">");
    html_text(body, title);
    buf_puts(body, "</h1>");
    if (detail && strcmp(detail, title) != 0) {
        buf_puts(body, "<p>");
        html_text(body, detail);
        buf_puts(body, "</p>");
    }
    buf_puts(body, "<ul class=\"actions\">");
    if (status == 401) {
        /* Back to the same page after logging in, when it can be asked for
         * again (a GET); a form posted without a session starts over. */
        buf_puts(body, "<li><a class=\"button\" href=\"/login");
        if (strcmp(r->method, "GET") == 0 && strcmp(page_safe_next(r->path), "/") != 0) {
            struct buf q = BUF_INIT;
            url_encode_str(&q, r->path);
            buf_puts(body, "?next=");
            html_attr(body, buf_str(&q));
            buf_free(&q);
        }
        buf_puts(body, "\">");
        page_t(r, body, "web.login");
        buf_puts(body, "</a></li>");
    }
    buf_puts(body, "<li><a href=\"/\">");
    page_t(r, body, "web.error.home");
    buf_puts(body, "</a></li></ul>");
    buf_puts(body, "<p class=\"hint\">");
    page_t(r, body, "web.error.help");
    buf_puts(body, "</p></section>");
    page_close(r, body); /* the server answers it with the status */
}
