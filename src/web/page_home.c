/**
 * @file page_home.c
 * @brief GET / : the hall's front page: the catalog search and its entry
 *        points (department, person or enterprise, life event). Sections
 *        that later releases bring (cases, appointments, the nearest hall)
 *        are described in plain text and marked as coming.
 */
#include "core/html.h"
#include "web/page.h"
#include "web/web.h"
#include <stdio.h>

int page_home(struct http_req *r)
{
    struct buf b = BUF_INIT;
    page_open(r, &b, "web.home.title", NAV_HOME);
    buf_puts(&b, "<section class=\"hero\"><h1>");
    page_t(r, &b, "web.home.welcome");
    buf_puts(&b, "</h1>");
    page_para(r, &b, "lead", "web.home.lead");
    page_catalog_entries(r, &b);
    buf_puts(&b, "</section>\n<section aria-labelledby=\"h-services\"><h2 id=\"h-services\">");
    page_t(r, &b, "web.home.services");
    buf_puts(&b, "</h2><ul class=\"grid\">");
    static const char *const tiles[] = {"cases", "book", "nearest"};
    for (size_t i = 0; i < sizeof tiles / sizeof tiles[0]; i++) {
        char key[48];
        buf_puts(&b, "<li class=\"tile soon\"><h3>");
        snprintf(key, sizeof key, "web.home.t.%s", tiles[i]);
        page_t(r, &b, key);
        buf_puts(&b, "</h3><p>");
        snprintf(key, sizeof key, "web.home.t.%s.text", tiles[i]);
        page_t(r, &b, key);
        buf_puts(&b, "</p>");
        page_para(r, &b, "badge", "web.home.soon");
        buf_puts(&b, "</li>");
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
