/**
 * @file page_home.c
 * @brief GET / : the hall's front page.
 */
#include "core/html.h"
#include "web/page.h"
#include "web/web.h"

int page_home(struct http_req *r)
{
    struct buf b = BUF_INIT;
    page_open(r, &b, "web.home.title", NAV_HOME);
    buf_puts(&b, "<section class=\"hero\"><h1>");
    page_t(r, &b, "hall.name");
    buf_puts(&b, "</h1><p class=\"lead\">");
    page_t(r, &b, "web.home.lead");
    buf_puts(&b, "</p></section>\n<section class=\"tiles\" aria-labelledby=\"h-services\">"
                 "<h2 id=\"h-services\">");
    page_t(r, &b, "web.home.services");
    buf_puts(&b, "</h2><ul class=\"grid\">");
    /* What exists today is linked; what the next releases bring is said
     * plainly, without a dead link. */
    static const struct {
        const char *title, *text, *href;
    } tiles[] = {
        {"web.home.t.handle", "web.home.t.handle.text", NULL},
        {"web.home.t.cases", "web.home.t.cases.text", "/profile"},
        {"web.home.t.book", "web.home.t.book.text", NULL},
        {"web.home.t.nearest", "web.home.t.nearest.text", NULL},
    };
    for (size_t i = 0; i < sizeof tiles / sizeof tiles[0]; i++) {
        buf_puts(&b, "<li class=\"tile\"><h3>");
        if (tiles[i].href) {
            buf_puts(&b, "<a href=\"");
            html_attr(&b, tiles[i].href);
            buf_puts(&b, "\">");
        }
        page_t(r, &b, tiles[i].title);
        if (tiles[i].href)
            buf_puts(&b, "</a>");
        buf_puts(&b, "</h3><p>");
        page_t(r, &b, tiles[i].text);
        if (!tiles[i].href) {
            buf_puts(&b, " <span class=\"soon\">");
            page_t(r, &b, "web.home.soon");
            buf_puts(&b, "</span>");
        }
        buf_puts(&b, "</p></li>");
    }
    buf_puts(&b, "</ul></section>\n");
    if (!r->principal) {
        buf_puts(&b, "<section class=\"card\"><h2>");
        page_t(r, &b, "web.home.account");
        buf_puts(&b, "</h2><p>");
        page_t(r, &b, "web.home.account.text");
        buf_puts(&b, "</p><p><a class=\"button\" href=\"/register\">");
        page_t(r, &b, "web.register");
        buf_puts(&b, "</a> <a class=\"button secondary\" href=\"/login\">");
        page_t(r, &b, "web.login");
        buf_puts(&b, "</a></p></section>\n");
    }
    http_header_add(r, "Cache-Control", "no-cache");
    return page_send(r, &b, 200);
}
