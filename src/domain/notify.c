/**
 * @file notify.c
 * @brief Writing notifications (the message-centre row and the outbox rows,
 *        in the caller's transaction) and reading the message centre. The
 *        delivery of the outbox is in notify_outbox.c.
 */
#include "domain/notify.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/mem.h"
#include "store/store.h"
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- rendering --- */

/* Appends the value of args[name] (name: n bytes) when it is a string or an
 * integer; returns 0 when it did, -1 when there is no such value. */
static int put_arg(struct buf *out, const json_t *args, const char *name, size_t n)
{
    char key[64];
    if (!args || n >= sizeof key)
        return -1;
    memcpy(key, name, n);
    key[n] = 0;
    const json_t *v = json_object_get(args, key);
    if (json_is_string(v))
        buf_puts(out, json_string_value(v));
    else if (json_is_integer(v))
        buf_printf(out, "%lld", (long long)json_integer_value(v));
    else
        return -1;
    return 0;
}

/* The template with its "{name}" placeholders filled from args. */
static void render_json(enum lang lang, const char *key, const json_t *args, struct buf *out)
{
    const char *t = tr(lang, key);
    while (*t) {
        if (*t == '{') {
            size_t n = 1;
            while (isalnum((unsigned char)t[n]) || t[n] == '_')
                n++;
            if (t[n] == '}' && n > 1 && put_arg(out, args, t + 1, n - 1) == 0) {
                t += n + 1;
                continue;
            }
        }
        buf_putc(out, *t++);
    }
}

void notify_render(enum lang lang, const char *key, const char *args_json, struct buf *out)
{
    json_t *args = args_json ? json_loads(args_json, 0, NULL) : NULL;
    render_json(lang, key, json_is_object(args) ? args : NULL, out);
    json_decref(args);
}

/* --- writing --- */

static int insert_outbox(struct store_conn *c, int64_t message_id, const char *channel,
                         const char *recipient, const char *subject, const char *body,
                         enum lang lang, int64_t now)
{
    struct store_stmt *st;
    int rc = store_prepare(c,
                           "INSERT INTO outbox (message_id, channel, recipient, subject, body, "
                           "lang, state, attempts, created_ms, next_ms) VALUES (?, ?, ?, ?, ?, "
                           "?, 'pending', 0, ?, ?)",
                           &st);
    if (rc < 0)
        return rc;
    store_bind_int64(st, 1, message_id);
    store_bind_text(st, 2, channel);
    store_bind_text(st, 3, recipient);
    store_bind_text(st, 4, subject);
    store_bind_text(st, 5, body);
    store_bind_text(st, 6, lang_tag(lang));
    store_bind_int64(st, 7, now);
    store_bind_int64(st, 8, now);
    rc = store_step(st);
    store_finalize(st);
    return rc < 0 ? rc : 0;
}

/* The recipient's details, read in the caller's transaction. */
struct recipient {
    char *name, *email, *phone;
    enum lang lang;
};

static int load_recipient(struct store_conn *c, int64_t account_id, struct recipient *r)
{
    struct store_stmt *st;
    int rc = store_prepare(c, "SELECT name, email, phone, lang FROM accounts WHERE id = ?", &st);
    if (rc < 0)
        return rc;
    store_bind_int64(st, 1, account_id);
    rc = store_step(st);
    if (rc == STORE_ROW) {
        const char *v;
        r->name = xstrdup((v = store_column_text(st, 0)) ? v : "");
        r->email = (v = store_column_text(st, 1)) && *v ? xstrdup(v) : NULL;
        r->phone = (v = store_column_text(st, 2)) && *v ? xstrdup(v) : NULL;
        int l = (v = store_column_text(st, 3)) ? lang_parse(v) : -1;
        r->lang = l < 0 ? LANG_ZH : (enum lang)l;
    }
    store_finalize(st);
    if (rc == STORE_DONE) {
        log_error("notify: no account %lld to notify", (long long)account_id);
        return STORE_ERROR;
    }
    return rc < 0 ? rc : 0;
}

int notify_send(struct store_conn *c, int64_t account_id, const char *kind,
                const char *subject_key, const char *body_key, const json_t *args,
                const char *link)
{
    struct recipient who = {0};
    int rc = load_recipient(c, account_id, &who);
    if (rc < 0)
        return rc;
    /* The caller's arguments plus the person's name, which every greeting
     * wants and no caller should have to look up again. */
    json_t *all = json_object();
    if (json_is_object(args))
        json_object_update(all, (json_t *)args);
    if (!json_object_get(all, "name"))
        json_object_set_new(all, "name", json_string(who.name));
    char *args_text = json_dumps(all, JSON_COMPACT | JSON_SORT_KEYS);
    int64_t now = clock_now_ms();
    char created[32];
    clock_format_iso(now, created);

    struct store_stmt *st;
    int64_t message_id = 0;
    struct buf subject = BUF_INIT, body = BUF_INIT;
    rc = store_prepare(c,
                       "INSERT INTO messages (account_id, kind, subject_key, body_key, args, "
                       "link, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                       &st);
    if (rc < 0)
        goto out;
    store_bind_int64(st, 1, account_id);
    store_bind_text(st, 2, kind);
    store_bind_text(st, 3, subject_key);
    store_bind_text(st, 4, body_key);
    store_bind_text(st, 5, args_text);
    store_bind_text(st, 6, link);
    store_bind_text(st, 7, created);
    rc = store_step(st);
    if (rc == STORE_ROW)
        message_id = store_column_int64(st, 0);
    store_finalize(st);
    if (rc != STORE_ROW) {
        rc = rc < 0 ? rc : STORE_ERROR;
        goto out;
    }
    rc = 0;
    /* Outbox rows are rendered now, in the person's language: the text a
     * retry sends a day later is the text of the moment it happened. */
    if (who.email) {
        render_json(who.lang, subject_key, all, &subject);
        render_json(who.lang, body_key, all, &body);
        buf_puts(&body, "\n\n");
        buf_puts(&body, tr(who.lang, "notify.email.footer"));
        buf_putc(&body, '\n');
        rc = insert_outbox(c, message_id, "email", who.email, buf_str(&subject), buf_str(&body),
                           who.lang, now);
        if (rc < 0)
            goto out;
    }
    if (who.phone) {
        /* An SMS carries the hall's signature first, as Chinese carriers
         * require of every notice text, then the body alone. */
        buf_reset(&body);
        const char *sign = tr(who.lang, "notify.sms.sign");
        buf_puts(&body, sign);
        /* 【】 brackets carry their own spacing; [] in Latin text need a
         * space after them (the catalog trims trailing spaces). */
        if (sign[0] && sign[strlen(sign) - 1] == ']')
            buf_putc(&body, ' ');
        render_json(who.lang, body_key, all, &body);
        rc = insert_outbox(c, message_id, "sms", who.phone, NULL, buf_str(&body), who.lang, now);
    }
out:
    buf_free(&subject);
    buf_free(&body);
    free(args_text);
    json_decref(all);
    free(who.name);
    free(who.email);
    free(who.phone);
    return rc;
}

int notify_set_lang(struct store_conn *c, int64_t account_id, const char *lang, struct err *e)
{
    int l = lang ? lang_parse(lang) : -1;
    if (l < 0)
        return err_set(e, ERR_INVALID, "lang", "notify.lang_bad", lang);
    struct store_stmt *st;
    int rc = store_prepare(c, "UPDATE accounts SET lang = ? WHERE id = ?", &st);
    if (rc < 0)
        return err_set(e, ERR_UNAVAILABLE, NULL, "err.detail.storage", NULL);
    store_bind_text(st, 1, lang_tag((enum lang)l));
    store_bind_int64(st, 2, account_id);
    rc = store_step(st);
    int64_t n = rc < 0 ? 0 : store_changes(st);
    store_finalize(st);
    if (rc < 0)
        return err_set(e, ERR_UNAVAILABLE, NULL, "err.detail.storage", NULL);
    if (n == 0)
        return err_set(e, ERR_NOT_FOUND, NULL, "accounts.not_found", NULL);
    return 0;
}

/* --- reading the message centre --- */

#define MSG_COLUMNS "id, kind, subject_key, body_key, args, link, created_at, read_at"

static const char *col(struct arena *a, struct store_stmt *st, int i)
{
    const char *s = store_column_text(st, i);
    return s ? arena_strdup(a, s) : NULL;
}

static void read_row(struct arena *a, struct store_stmt *st, struct notify_message *m)
{
    m->id = store_column_int64(st, 0);
    m->kind = col(a, st, 1);
    m->subject_key = col(a, st, 2);
    m->body_key = col(a, st, 3);
    m->args = col(a, st, 4);
    m->link = col(a, st, 5);
    m->created_at = col(a, st, 6);
    m->read_at = col(a, st, 7);
}

int notify_list(struct store_conn *c, struct arena *a, int64_t account_id, int page,
                int per_page, struct notify_list *out, struct err *e)
{
    if (page < 1)
        page = 1;
    if (per_page < 1 || per_page > 100)
        per_page = 20;
    memset(out, 0, sizeof *out);
    struct store_stmt *st;
    int rc = store_prepare(c,
                           "SELECT COUNT(*), SUM(CASE WHEN read_at IS NULL THEN 1 ELSE 0 END) "
                           "FROM messages WHERE account_id = ?",
                           &st);
    if (rc < 0)
        return err_set(e, ERR_UNAVAILABLE, NULL, "err.detail.storage", NULL);
    store_bind_int64(st, 1, account_id);
    if ((rc = store_step(st)) == STORE_ROW) {
        out->total = store_column_int64(st, 0);
        out->unread = store_column_int64(st, 1);
    }
    store_finalize(st);
    if (rc != STORE_ROW)
        return err_set(e, ERR_UNAVAILABLE, NULL, "err.detail.storage", NULL);
    out->items = arena_alloc(a, sizeof *out->items * (size_t)per_page);
    rc = store_prepare(c,
                       "SELECT " MSG_COLUMNS " FROM messages WHERE account_id = ? "
                       "ORDER BY id DESC LIMIT ? OFFSET ?",
                       &st);
    if (rc < 0)
        return err_set(e, ERR_UNAVAILABLE, NULL, "err.detail.storage", NULL);
    store_bind_int64(st, 1, account_id);
    store_bind_int64(st, 2, per_page);
    store_bind_int64(st, 3, (int64_t)(page - 1) * per_page);
    while (out->n < per_page && (rc = store_step(st)) == STORE_ROW)
        read_row(a, st, &out->items[out->n++]);
    store_finalize(st);
    if (rc < 0)
        return err_set(e, ERR_UNAVAILABLE, NULL, "err.detail.storage", NULL);
    return 0;
}

struct read_tx {
    struct arena *a;
    int64_t account, id;
    struct notify_message *out;
    int found;
};

static int read_fn(struct store_conn *c, void *ctx)
{
    struct read_tx *t = ctx;
    char now[32];
    clock_format_iso(clock_now_ms(), now);
    struct store_stmt *st;
    /* "AND account_id = ?" is the whole access check: someone else's
     * message matches nothing and is answered like a missing one. */
    int rc = store_prepare(c,
                           "UPDATE messages SET read_at = ? WHERE id = ? AND account_id = ? "
                           "AND read_at IS NULL",
                           &st);
    if (rc < 0)
        return rc;
    store_bind_text(st, 1, now);
    store_bind_int64(st, 2, t->id);
    store_bind_int64(st, 3, t->account);
    rc = store_step(st);
    store_finalize(st);
    if (rc < 0)
        return rc;
    rc = store_prepare(c, "SELECT " MSG_COLUMNS " FROM messages WHERE id = ? AND account_id = ?",
                       &st);
    if (rc < 0)
        return rc;
    store_bind_int64(st, 1, t->id);
    store_bind_int64(st, 2, t->account);
    rc = store_step(st);
    if (rc == STORE_ROW) {
        read_row(t->a, st, t->out);
        t->found = 1;
    }
    store_finalize(st);
    return rc < 0 ? rc : 0;
}

int notify_mark_read(struct store_conn *c, struct arena *a, int64_t account_id,
                     int64_t message_id, struct notify_message *out, struct err *e)
{
    struct read_tx t = {a, account_id, message_id, out, 0};
    int rc = store_tx(c, read_fn, &t);
    if (rc < 0)
        return err_set(e, ERR_UNAVAILABLE, NULL, "err.detail.storage", NULL);
    if (!t.found)
        return err_set(e, ERR_NOT_FOUND, NULL, "notify.not_found", NULL);
    return 0;
}
