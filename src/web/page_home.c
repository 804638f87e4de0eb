/**
 * @file page_home.c
 * @brief GET / : the hall's front page. It says what the hall offers and
 *        links only to what exists: sections that later releases bring
 *        (the catalog search, handling affairs, cases, appointments, the
 *        nearest hall) are described in plain text and marked as coming.
 */
#include "core/html.h"
#include "web/page.h"
#include "web/web.h"
#include <stdio.h>

/* The catalog search as it will stand. Until the catalog opens the box is
 * disabled and says why, rather than leading to a page that is not there. */
static void search_box(struct http_req *r, struct buf *b)
{
    buf_puts(b, "<form class=\"search\" role=\"search\" aria-labelledby=\"h-search\">"
                "<h2 id=\"h-search\">");
    page_t(r, b, "web.home.search");
    buf_puts(b, "</h2><div class=\"search-row\"><label for=\"q\" class=\"sr-only\">");
    page_t(r, b, "web.home.search.label");
    buf_puts(b, "</label><input id=\"q\" name=\"q\" type=\"search\" disabled "
                "aria-describedby=\"q-note\" placeholder=\"");
    html_attr(b, T(r, "web.home.search.placeholder"));
    buf_puts(b, "\"><button type=\"submit\" disabled>");
    page_t(r, b, "web.home.search.submit");
    buf_puts(b, "</button></div><p class=\"hint\" id=\"q-note\">");
    page_t(r, b, "web.home.search.soon");
    buf_puts(b, "</p></form>\n");
}

int page_home(struct http_req *r)
{
    struct buf b = BUF_INIT;
    page_open(r, &b, "web.home.title", NAV_HOME);
    buf_puts(&b, "<section class=\"hero\"><h1>");
    page_t(r, &b, "web.home.welcome");
    buf_puts(&b, "</h1><p class=\"lead\">");
    page_t(r, &b, "web.home.lead");
    buf_puts(&b, "</p>");
    search_box(r, &b);
    buf_puts(&b, "</section>\n<section aria-labelledby=\"h-services\"><h2 id=\"h-services\">");
    page_t(r, &b, "web.home.services");
    buf_puts(&b, "</h2><ul class=\"grid\">");
    static const char *const tiles[] = {"handle", "cases", "book", "nearest"};
    for (size_t i = 0; i < sizeof tiles / sizeof tiles[0]; i++) {
        char key[48];
        buf_puts(&b, "<li class=\"tile soon\"><h3>");
        snprintf(key, sizeof key, "web.home.t.%s", tiles[i]);
        page_t(r, &b, key);
        buf_puts(&b, "</h3><p>");
        snprintf(key, sizeof key, "web.home.t.%s.text", tiles[i]);
        page_t(r, &b, key);
        buf_puts(&b, "</p><p class=\"badge\">");
        page_t(r, &b, "web.home.soon");
        buf_puts(&b, "</p></li>");
    }
    buf_puts(&b, "</ul></section>\n");
    buf_puts(&b, "<section class=\"card\" aria-labelledby=\"h-account\"><h2 id=\"h-account\">");
    if (r->principal) {
        page_t(r, &b, "web.home.mine");
        buf_puts(&b, "</h2><ul class=\"actions\"><li><a class=\"button\" href=\"/profile\">");
        page_t(r, &b, "web.nav.profile");
        buf_puts(&b, "</a></li><li><a class=\"button secondary\" href=\"/messages\">");
        page_t(r, &b, "web.nav.messages");
        buf_puts(&b, "</a></li></ul>");
    } else {
        page_t(r, &b, "web.home.account");
        buf_puts(&b, "</h2><p>");
        page_t(r, &b, "web.home.account.text");
        buf_puts(&b, "</p><ul class=\"actions\"><li><a class=\"button\" href=\"/register\">");
        page_t(r, &b, "web.register");
        buf_puts(&b, "</a></li><li><a class=\"button secondary\" href=\"/login\">");
        page_t(r, &b, "web.login");
        buf_puts(&b, "</a></li></ul>");
    }
    buf_puts(&b, "</section>\n");
    return page_send(r, &b, 200);
}
