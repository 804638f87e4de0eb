/**
 * @file messages.c
 * @brief /api/v1/messages: the caller's message centre (newest first,
 *        paginated, with the unread count) and marking one message read.
 *        Messages are rendered in the request's language.
 */
#include "api/api.h"
#include "domain/notify.h"
#include <stdlib.h>
#include <string.h>

/** One message as JSON, its subject and body in the request's language. */
static json_t *message_json(struct http_req *r, const struct notify_message *m)
{
    struct buf subject = BUF_INIT, body = BUF_INIT;
    notify_render(r->lang, m->subject_key, m->args, &subject);
    notify_render(r->lang, m->body_key, m->args, &body);
    json_t *j = json_pack("{s:I, s:s, s:s, s:s, s:s, s:b}", "id", (json_int_t)m->id, "kind",
                          m->kind, "subject", buf_str(&subject), "body", buf_str(&body),
                          "created_at", m->created_at, "read", m->read_at != NULL);
    json_object_set_new(j, "link", m->link ? json_string(m->link) : json_null());
    json_object_set_new(j, "read_at", m->read_at ? json_string(m->read_at) : json_null());
    buf_free(&subject);
    buf_free(&body);
    return j;
}

int api_messages_list(struct http_req *r)
{
    long page = api_positive_query(r, "page", 1), per_page = api_positive_query(r, "per_page", 20);
    if (page < 0)
        return http_fail(r, ERR_INVALID, "page", "api.want_number", NULL);
    if (per_page < 0 || per_page > 100)
        return http_fail(r, ERR_INVALID, "per_page", "api.want_number", NULL);
    struct notify_list list;
    struct err e;
    if (notify_list(http_db(r), r->arena, r->principal->account_id, (int)page, (int)per_page,
                    &list, &e) < 0)
        return http_reply_err(r, &e);
    json_t *items = json_array();
    for (int i = 0; i < list.n; i++)
        json_array_append_new(items, message_json(r, &list.items[i]));
    return http_reply_json(r, 200,
                           json_pack("{s:o, s:I, s:I, s:i, s:i}", "items", items, "total",
                                     (json_int_t)list.total, "unread", (json_int_t)list.unread,
                                     "page", (int)page, "per_page", (int)per_page));
}

int api_messages_read(struct http_req *r)
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
    return http_reply_json(r, 200, message_json(r, &m));
}
