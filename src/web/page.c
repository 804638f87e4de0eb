/**
 * @file page.c
 * @brief The base layout and the form helpers. All dynamic text goes through
 *        html_text / html_attr; no inline style or script (the CSP forbids
 *        them), so the pages work without JavaScript.
 */
#include "web/page.h"
#include "core/html.h"
#include "web/web.h"
#include <stdio.h>
#include <string.h>

void page_t(struct http_req *r, struct buf *b, const char *key)
{
    html_text(b, T(r, key));
}

static void nav_link(struct http_req *r, struct buf *b, const char *href, const char *key,
                     int current)
{
    buf_puts(b, "<li><a href=\"");
    html_attr(b, href);
    buf_puts(b, current ? "\" aria-current=\"page\">" : "\">");
    page_t(r, b, key);
    buf_puts(b, "</a></li>");
}

void page_open(struct http_req *r, struct buf *b, const char *title_key, enum nav_item current)
{
    buf_printf(b, "<!doctype html>\n<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\">\n",
               lang_tag(r->lang));
    buf_puts(b, "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                "<link rel=\"stylesheet\" href=\"/assets/app.css\">\n"
                "<link rel=\"icon\" href=\"/assets/logo.svg\" type=\"image/svg+xml\">\n<title>");
    page_t(r, b, title_key);
    buf_puts(b, " - ");
    page_t(r, b, "hall.name");
    buf_puts(b, "</title>\n</head>\n<body>\n<a class=\"skip\" href=\"#main\">");
    page_t(r, b, "web.skip");
    buf_puts(b, "</a>\n<header class=\"top\">\n<div class=\"bar\">\n"
                "<a class=\"brand\" href=\"/\"><img src=\"/assets/logo.svg\" alt=\"\" "
                "width=\"32\" height=\"32\"><span>");
    page_t(r, b, "hall.name");
    buf_puts(b, "</span></a>\n<div class=\"tools\">\n<nav class=\"lang\" aria-label=\"");
    page_t(r, b, "web.lang.label");
    buf_puts(b, "\">");
    /* A query-only link keeps the page and switches the language. */
    if (r->lang == LANG_ZH)
        buf_puts(b, "<span aria-current=\"true\">中文</span> <a href=\"?lang=en\" "
                    "hreflang=\"en\" lang=\"en\">English</a>");
    else
        buf_puts(b, "<a href=\"?lang=zh-CN\" hreflang=\"zh-CN\" lang=\"zh-CN\">中文</a> "
                    "<span aria-current=\"true\">English</span>");
    buf_puts(b, "</nav>\n<div class=\"who\">");
    if (r->principal) {
        buf_puts(b, "<a href=\"/profile\">");
        html_text(b, r->principal->name);
        buf_puts(b, "</a> <form method=\"post\" action=\"/logout\" class=\"inline\">");
        page_csrf(r, b);
        buf_puts(b, "<button type=\"submit\" class=\"link\">");
        page_t(r, b, "web.logout");
        buf_puts(b, "</button></form>");
    } else {
        buf_puts(b, "<a href=\"/login\">");
        page_t(r, b, "web.login");
        buf_puts(b, "</a> <a href=\"/register\">");
        page_t(r, b, "web.register");
        buf_puts(b, "</a>");
    }
    buf_puts(b, "</div>\n</div>\n</div>\n<nav class=\"main-nav\" aria-label=\"");
    page_t(r, b, "web.nav.label");
    buf_puts(b, "\"><ul>");
    nav_link(r, b, "/", "web.nav.home", current == NAV_HOME);
    if (r->principal)
        nav_link(r, b, "/profile", "web.nav.profile", current == NAV_PROFILE);
    else
        nav_link(r, b, "/login", "web.nav.login", current == NAV_LOGIN);
    buf_puts(b, "</ul></nav>\n</header>\n<main id=\"main\" tabindex=\"-1\">\n");
}

static void page_close(struct http_req *r, struct buf *b)
{
    buf_puts(b, "\n</main>\n<footer class=\"foot\"><p>");
    page_t(r, b, "web.footer");
    buf_puts(b, "</p></footer>\n</body>\n</html>\n");
}

int page_send(struct http_req *r, struct buf *b, int status)
{
    page_close(r, b);
    http_header_add(r, "Content-Language", lang_tag(r->lang));
    http_header_add(r, "Vary", "Cookie, Accept-Language");
    return http_reply_html(r, status, b);
}

void page_csrf(struct http_req *r, struct buf *b)
{
    buf_puts(b, "<input type=\"hidden\" name=\"csrf\" value=\"");
    html_attr(b, http_csrf_token(r));
    buf_puts(b, "\">");
}

static void error_text(struct http_req *r, const struct err *e, char *out, unsigned n)
{
    if (e->key[0]) {
        trf(r->lang, e->key, e->arg, out, n);
    } else {
        char key[96];
        snprintf(key, sizeof key, "err.%s", err_slug(e->code));
        snprintf(out, n, "%s", T(r, key));
    }
}

void page_input(struct http_req *r, struct buf *b, const char *name, const char *type,
                const char *label_key, const char *value, const char *autocomplete,
                const struct err *e)
{
    int bad = e && e->code != ERR_OK && strcmp(e->field, name) == 0;
    buf_printf(b, "<div class=\"field%s\"><label for=\"f-%s\">", bad ? " invalid" : "", name);
    page_t(r, b, label_key);
    buf_printf(b, "</label><input id=\"f-%s\" name=\"%s\" type=\"%s\"", name, name, type);
    if (autocomplete)
        buf_printf(b, " autocomplete=\"%s\"", autocomplete);
    if (value && *value) {
        buf_puts(b, " value=\"");
        html_attr(b, value);
        buf_puts(b, "\"");
    }
    if (bad)
        buf_printf(b, " aria-invalid=\"true\" aria-describedby=\"e-%s\"", name);
    buf_puts(b, ">");
    if (bad) {
        char msg[512];
        error_text(r, e, msg, sizeof msg);
        buf_printf(b, "<p class=\"error\" id=\"e-%s\">", name);
        html_text(b, msg);
        buf_puts(b, "</p>");
    }
    buf_puts(b, "</div>\n");
}

void page_error_box(struct http_req *r, struct buf *b, const struct err *e)
{
    char key[96], msg[512];
    snprintf(key, sizeof key, "err.%s", err_slug(e->code));
    error_text(r, e, msg, sizeof msg);
    buf_puts(b, "<div class=\"alert\" role=\"alert\"><strong>");
    html_text(b, T(r, key));
    buf_puts(b, "</strong>");
    if (strcmp(msg, T(r, key)) != 0) {
        buf_puts(b, "<p>");
        html_text(b, msg);
        buf_puts(b, "</p>");
    }
    buf_puts(b, "</div>\n");
}

const char *page_safe_next(const char *next)
{
    /* Only a path of this site: "/x", never "//host" or "/\host". */
    if (!next || next[0] != '/' || next[1] == '/' || next[1] == '\\' || strpbrk(next, "\r\n"))
        return "/";
    return next;
}

void web_error_page(struct http_req *r, int status, const char *title, const char *detail,
                    struct buf *body)
{
    page_open(r, body, "web.error.title", NAV_NONE);
    buf_printf(body, "<section class=\"card error-page\"><p class=\"status\">%d</p><h1>", status);
    html_text(body, title);
    buf_puts(body, "</h1>");
    if (detail && strcmp(detail, title) != 0) {
        buf_puts(body, "<p>");
        html_text(body, detail);
        buf_puts(body, "</p>");
    }
    if (status == 401) {
        buf_puts(body, "<p><a class=\"button\" href=\"/login\">");
        page_t(r, body, "web.login");
        buf_puts(body, "</a></p>");
    }
    buf_puts(body, "<p><a href=\"/\">");
    page_t(r, body, "web.error.home");
    buf_puts(body, "</a></p></section>");
    page_close(r, body); /* the server answers it with the status */
}
