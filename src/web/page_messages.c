/**
 * @file page_messages.c
 * @brief GET /messages: the person's message centre, newest first, a page
 *        at a time, unread ones marked; POST /messages/{id}/read marks one
 *        read and comes back to the same page.
 */
#include "core/html.h"
#include "domain/notify.h"
#include "web/page.h"
#include "web/web.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PER_PAGE 20

/* The page number from ?page=, 1 when absent or not a positive number. */
static int page_number(const char *s)
{
    char *end;
    long v = s ? strtol(s, &end, 10) : 1;
    return s && (*end || v < 1 || v > 1000000) ? 1 : (int)v;
}

/* Writes T(key) with "{}" replaced by the number n, escaped. */
static void counted(struct http_req *r, struct buf *b, const char *key, int64_t n)
{
    char num[24], out[128];
    snprintf(num, sizeof num, "%lld", (long long)n);
    html_text(b, trf(r->lang, key, num, out, sizeof out));
}

static void message_item(struct http_req *r, struct buf *b, const struct notify_message *m,
                         int page)
{
    struct buf text = BUF_INIT;
    buf_printf(b, "<li class=\"card\" id=\"m%lld\"><h2>", (long long)m->id);
    notify_render(r->lang, m->subject_key, m->args, &text);
    html_text(b, buf_str(&text));
    if (!m->read_at) {
        buf_puts(b, " <strong class=\"note\">");
        page_t(r, b, "notify.page.unread");
        buf_puts(b, "</strong>");
    }
    buf_puts(b, "</h2><p><time datetime=\"");
    html_attr(b, m->created_at);
    buf_puts(b, "\">");
    /* "2026-01-01T08:00:00+08:00" reads as "2026-01-01 08:00". */
    if (strlen(m->created_at) >= 16) {
        html_text_n(b, m->created_at, 10);
        buf_putc(b, ' ');
        html_text_n(b, m->created_at + 11, 5);
    } else {
        html_text(b, m->created_at);
    }
    buf_puts(b, "</time></p><p>");
    buf_reset(&text);
    notify_render(r->lang, m->body_key, m->args, &text);
    html_text(b, buf_str(&text));
    buf_puts(b, "</p>");
    buf_free(&text);
    if (m->link && html_url_check(m->link) == 0 && m->link[0] == '/') {
        buf_puts(b, "<p><a href=\"");
        html_href(b, m->link);
        buf_puts(b, "\">");
        page_t(r, b, "notify.page.open");
        buf_puts(b, "</a></p>");
    }
    if (!m->read_at) {
        buf_printf(b, "<form method=\"post\" action=\"/messages/%lld/read\" class=\"inline\">",
                   (long long)m->id);
        page_csrf(r, b);
        buf_printf(b, "<input type=\"hidden\" name=\"page\" value=\"%d\">", page);
        buf_puts(b, "<button type=\"submit\" class=\"button secondary\">");
        page_t(r, b, "notify.page.mark_read");
        buf_puts(b, "</button></form>");
    }
    buf_puts(b, "</li>");
}

int page_messages(struct http_req *r)
{
    if (!r->principal)
        return http_redirect(r, "/login?next=/messages");
    int page = page_number(http_query(r, "page"));
    struct notify_list list;
    struct err e;
    if (notify_list(http_db(r), r->arena, r->principal->account_id, page, PER_PAGE, &list, &e) <
        0)
        return http_reply_err(r, &e);
    struct buf b = BUF_INIT;
    page_open(r, &b, "notify.page.title", NAV_MESSAGES);
    buf_puts(&b, "<section><h1>");
    page_t(r, &b, "notify.page.title");
    buf_puts(&b, "</h1><p class=\"lead\">");
    counted(r, &b, "notify.page.total_count", list.total);
    buf_puts(&b, " · ");
    counted(r, &b, "notify.page.unread_count", list.unread);
    buf_puts(&b, "</p>");
    if (list.n == 0) {
        page_para(r, &b, "note", "notify.page.empty");
    } else {
        buf_puts(&b, "<ul class=\"messages\">");
        for (int i = 0; i < list.n; i++)
            message_item(r, &b, &list.items[i], page);
        buf_puts(&b, "</ul>");
    }
    int64_t pages = (list.total + PER_PAGE - 1) / PER_PAGE;
    if (pages > 1) {
        buf_puts(&b, "<nav aria-label=\"");
        page_t(r, &b, "notify.page.pages");
        buf_puts(&b, "\"><p>");
        if (page > 1) {
            buf_printf(&b, "<a href=\"/messages?page=%d\" rel=\"prev\">", page - 1);
            page_t(r, &b, "notify.page.prev");
            buf_puts(&b, "</a> ");
        }
        if (page < pages) {
            buf_printf(&b, "<a href=\"/messages?page=%d\" rel=\"next\">", page + 1);
            page_t(r, &b, "notify.page.next");
            buf_puts(&b, "</a>");
        }
        buf_puts(&b, "</p></nav>");
    }
    buf_puts(&b, "</section>");
    return page_send(r, &b, 200);
}

int page_messages_read(struct http_req *r)
{
    char *end;
    const char *idtext = http_param(r, "id");
    long long id = strtoll(idtext, &end, 10);
    if (!*idtext || *end || id <= 0)
        return http_fail(r, ERR_NOT_FOUND, NULL, "notify.not_found", NULL);
    struct notify_message m;
    struct err e;
    if (notify_mark_read(http_db(r), r->arena, r->principal->account_id, id, &m, &e) < 0)
        return http_reply_err(r, &e);
    char *back = arena_printf(r->arena, "/messages?page=%d", page_number(http_form(r, "page")));
    return http_redirect(r, back);
}
