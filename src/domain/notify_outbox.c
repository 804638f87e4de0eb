/**
 * @file notify_outbox.c
 * @brief Delivering the outbox: claiming due rows safely among several
 *        senders, building RFC 5322 e-mail, sending it through libcurl's
 *        SMTP (or into a log file when no server is configured), the SMS
 *        sender interface with its logging implementation, retries with
 *        exponential back-off, and the background thread of `onehall serve`.
 */
#include "core/clock.h"
#include "core/log.h"
#include "core/mem.h"
#include "domain/notify.h"
#include "store/store.h"
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* --- settings --- */

static int interval_s(const struct notify_settings *s)
{
    return s->interval_s > 0 ? s->interval_s : 5;
}
static int64_t give_up_ms(const struct notify_settings *s)
{
    return (s->give_up_s > 0 ? s->give_up_s : 86400) * 1000LL;
}
static int batch(const struct notify_settings *s)
{
    return s->batch > 0 ? s->batch : 50;
}
static int timeout_s(const struct notify_settings *s)
{
    return s->timeout_s > 0 ? s->timeout_s : 30;
}
static int has(const char *s)
{
    return s && *s;
}

/* An address we are willing to put in a header or an SMTP command: no
 * spaces, controls, angle brackets or quotes that could end the field. */
static int address_ok(const char *a)
{
    if (!has(a) || strlen(a) > 254 || !strchr(a, '@'))
        return 0;
    for (const unsigned char *p = (const unsigned char *)a; *p; p++)
        if (*p <= ' ' || *p == 0x7f || strchr("<>\"(),;:\\[]", *p))
            return 0;
    return 1;
}

int notify_settings_check(const struct notify_settings *s, char *errbuf, size_t errlen)
{
    if (has(s->smtp_url) && strncmp(s->smtp_url, "smtp://", 7) != 0 &&
        strncmp(s->smtp_url, "smtps://", 8) != 0) {
        snprintf(errbuf, errlen, "smtp-url must start with smtp:// or smtps://, not '%s'",
                 s->smtp_url);
        return -1;
    }
    if (!address_ok(s->smtp_from)) {
        snprintf(errbuf, errlen, "smtp-from '%s' is not a plain e-mail address",
                 s->smtp_from ? s->smtp_from : "");
        return -1;
    }
    if (has(s->sms_sender) && strcmp(s->sms_sender, "log") != 0) {
        snprintf(errbuf, errlen, "sms-sender '%s' is unknown (known: log)", s->sms_sender);
        return -1;
    }
    return 0;
}

/* --- building the e-mail --- */

static void b64(struct buf *out, const unsigned char *p, size_t n)
{
    size_t len = sodium_base64_encoded_len(n, sodium_base64_VARIANT_ORIGINAL);
    char *tmp = xmalloc(len);
    sodium_bin2base64(tmp, len, p, n, sodium_base64_VARIANT_ORIGINAL);
    buf_puts(out, tmp);
    free(tmp);
}

static int plain_ascii(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p > 0x7e)
            return 0;
    return 1;
}

/* Appends s as RFC 2047 "B" encoded-words, folded onto continuation lines
 * so that no line passes 76 characters (RFC 2047 wants at most 76 per
 * line holding encoded-words, RFC 5322 78). used is how many characters
 * of the first line are already taken ("Subject: "). A word never ends
 * inside a UTF-8 sequence: RFC 2047 wants each to decode to whole
 * characters. */
static void encode_words(struct buf *out, const char *s, size_t used)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s), i = 0;
    int first = 1;
    while (i < n) {
        /* 12 characters of "=?UTF-8?B?" and "?="; 4 base64 per 3 bytes. */
        size_t room = 76 - (first ? used : 1) - 12;
        size_t max = room / 4 * 3;
        size_t take = n - i < max ? n - i : max;
        while (i + take < n && take > 0 && (p[i + take] & 0xc0) == 0x80)
            take--; /* step back off a continuation byte */
        if (take == 0)
            take = n - i < max ? n - i : max;
        if (!first)
            buf_puts(out, "\r\n ");
        buf_puts(out, "=?UTF-8?B?");
        b64(out, p + i, take);
        buf_puts(out, "?=");
        i += take;
        first = 0;
    }
}

/* A header value that is text for people: plain when it is short printable
 * ASCII, else encoded. */
static void header_text(struct buf *out, const char *name, const char *value)
{
    buf_printf(out, "%s: ", name);
    if (plain_ascii(value) && strlen(value) + strlen(name) < 70)
        buf_puts(out, value);
    else
        encode_words(out, value, strlen(name) + 2);
    buf_puts(out, "\r\n");
}

char *notify_mail_build(const char *from, const char *from_name, const char *to,
                        const char *subject, const char *body, const char *message_id,
                        int64_t date_ms)
{
    static const char *days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char *months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    /* The display zone is Asia/Shanghai, which has kept +08:00 all year
     * since 1991: the offset can be written as a constant. */
    time_t t = (time_t)(date_ms / 1000) + 8 * 3600;
    struct tm tm;
    gmtime_r(&t, &tm);
    struct buf m = BUF_INIT;
    buf_printf(&m, "Date: %s, %02d %s %04d %02d:%02d:%02d +0800\r\n", days[tm.tm_wday],
               tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
               tm.tm_sec);
    buf_puts(&m, "From: ");
    if (has(from_name)) {
        size_t line_start = m.len;
        encode_words(&m, from_name, 6);
        const char *nl = strrchr(buf_str(&m) + line_start, '\n');
        size_t col = nl ? (size_t)(m.data + m.len - nl - 1) : 6 + m.len - line_start;
        /* Fold before the address when it would make the line too long. */
        buf_puts(&m, col + strlen(from) + 3 > 78 ? "\r\n " : " ");
    }
    buf_printf(&m, "<%s>\r\n", from);
    buf_printf(&m, "To: <%s>\r\n", to);
    header_text(&m, "Subject", subject ? subject : "");
    buf_printf(&m, "Message-ID: <%s>\r\n", message_id);
    buf_puts(&m, "MIME-Version: 1.0\r\n"
                 "Content-Type: text/plain; charset=UTF-8\r\n"
                 "Content-Transfer-Encoding: base64\r\n"
                 "Auto-Submitted: auto-generated\r\n\r\n");
    /* The body in canonical form (CRLF line ends), then base64 in lines of
     * 76 characters: UTF-8 text passes any relay unchanged this way, even
     * one that knows nothing of 8BITMIME. */
    struct buf crlf = BUF_INIT;
    for (const char *p = body ? body : ""; *p; p++) {
        if (*p == '\n' && (p == body || p[-1] != '\r'))
            buf_putc(&crlf, '\r');
        buf_putc(&crlf, *p);
    }
    const unsigned char *bp = (const unsigned char *)buf_str(&crlf);
    for (size_t i = 0; i < crlf.len; i += 57) {
        b64(&m, bp + i, crlf.len - i < 57 ? crlf.len - i : 57);
        buf_puts(&m, "\r\n");
    }
    buf_free(&crlf);
    return buf_steal(&m);
}

/* --- the logging senders --- */

/* Appends text to data_dir/name; 0 or -1 with errno's message in err. */
static int append_file(const char *data_dir, const char *name, const char *text, char *err,
                       size_t errlen)
{
    static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
    char *path = xasprintf("%s/%s", has(data_dir) ? data_dir : ".", name);
    pthread_mutex_lock(&mu);
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    int rc = -1;
    if (fd >= 0) {
        size_t n = strlen(text), off = 0;
        while (off < n) {
            ssize_t w = write(fd, text + off, n - off);
            if (w < 0 && errno == EINTR)
                continue;
            if (w <= 0)
                break;
            off += (size_t)w;
        }
        rc = off == n ? 0 : -1;
        close(fd);
    }
    if (rc < 0)
        snprintf(err, errlen, "cannot append to %s: %s", path, strerror(errno));
    pthread_mutex_unlock(&mu);
    free(path);
    return rc;
}

/* The default SMS sender: one line per message in data_dir/sms.log, for
 * halls without a gateway contract yet, demos and tests. */
static int sms_log_send(void *cls, const char *phone, const char *text, char *err,
                        size_t errlen)
{
    const char *data_dir = cls;
    char now[32];
    clock_format_iso(clock_now_ms(), now);
    struct buf line = BUF_INIT;
    buf_printf(&line, "%s\t%s\t", now, phone);
    for (const char *p = text; *p; p++) /* one line per message */
        buf_putc(&line, *p == '\n' || *p == '\r' || *p == '\t' ? ' ' : *p);
    buf_putc(&line, '\n');
    int rc = append_file(data_dir, "sms.log", buf_str(&line), err, errlen);
    buf_free(&line);
    return rc;
}

/* --- delivering one row --- */

enum outcome { SENT, RETRY, GIVE_UP, ABORTED };

struct pass_ctx {
    const struct notify_settings *s;
    const volatile int *stop;
    CURL *curl;
    struct notify_sms_sender sms;
    char owner[96];
};

static int stopping(const volatile int *stop)
{
    return stop && __atomic_load_n(stop, __ATOMIC_RELAXED);
}

struct upload {
    const char *data;
    size_t len, pos;
};

static size_t read_cb(char *ptr, size_t size, size_t nmemb, void *ud)
{
    struct upload *u = ud;
    size_t n = size * nmemb, left = u->len - u->pos;
    if (n > left)
        n = left;
    memcpy(ptr, u->data + u->pos, n);
    u->pos += n;
    return n;
}

static int progress_cb(void *ud, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
    (void)dt, (void)dn, (void)ut, (void)un;
    return stopping(ud) ? 1 : 0; /* non-zero aborts the transfer */
}

/* Whether the server refused this recipient for good. Only "no such
 * mailbox"-type answers to RCPT count: a refused sender or a failed login
 * is the hall's own configuration, which an operator will fix, and the
 * messages must still be there when they do. */
static int recipient_refused(long code, const char *errtext)
{
    return strstr(errtext, "RCPT") &&
           (code == 501 || code == 550 || code == 551 || code == 553);
}

static enum outcome send_email(struct pass_ctx *p, int64_t id, int64_t created_ms,
                               const char *to, const char *subject, const char *body,
                               const char *lang, char *err, size_t errlen)
{
    const struct notify_settings *s = p->s;
    if (!address_ok(to)) {
        snprintf(err, errlen, "recipient address '%s' is not usable", to);
        return GIVE_UP;
    }
    /* A Message-ID fixed by the row: should a message go out twice (a
     * sender dying between the server's "250" and marking the row), the
     * copies carry one ID and mail clients show one. */
    const char *at = strchr(s->smtp_from, '@');
    char msgid[160];
    snprintf(msgid, sizeof msgid, "outbox.%lld.%lld@%s", (long long)id, (long long)created_ms,
             at ? at + 1 : "onehall.invalid");
    int l = lang_parse(lang);
    char *mail = notify_mail_build(s->smtp_from, tr(l < 0 ? LANG_ZH : (enum lang)l, "hall.name"),
                                   to, subject, body, msgid, clock_now_ms());
    if (!has(s->smtp_url)) {
        /* No mail server configured: keep the message where an operator
         * (or a demo) can read it, in mbox form. */
        char now[32];
        clock_format_iso(clock_now_ms(), now);
        char *entry = xasprintf("From onehall %s\r\n%s\r\n", now, mail);
        int rc = append_file(s->data_dir, "mail.log", entry, err, errlen);
        free(entry);
        free(mail);
        return rc < 0 ? RETRY : SENT;
    }
    if (!p->curl && !(p->curl = curl_easy_init())) {
        free(mail);
        snprintf(err, errlen, "libcurl could not start");
        return RETRY;
    }
    CURL *h = p->curl;
    char from[300], rcpt[300], cerr[CURL_ERROR_SIZE] = "";
    snprintf(from, sizeof from, "<%s>", s->smtp_from);
    snprintf(rcpt, sizeof rcpt, "<%s>", to);
    struct curl_slist *rcpts = curl_slist_append(NULL, rcpt);
    struct upload up = {mail, strlen(mail), 0};
    curl_easy_setopt(h, CURLOPT_URL, s->smtp_url);
    curl_easy_setopt(h, CURLOPT_MAIL_FROM, from);
    curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpts);
    curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(h, CURLOPT_READFUNCTION, read_cb);
    curl_easy_setopt(h, CURLOPT_READDATA, &up);
    curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)up.len);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, (long)timeout_s(s));
    curl_easy_setopt(h, CURLOPT_TIMEOUT, (long)timeout_s(s));
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, cerr);
    curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, progress_cb);
    curl_easy_setopt(h, CURLOPT_XFERINFODATA, (void *)p->stop);
    if (has(s->smtp_user)) {
        curl_easy_setopt(h, CURLOPT_USERNAME, s->smtp_user);
        curl_easy_setopt(h, CURLOPT_PASSWORD, s->smtp_password ? s->smtp_password : "");
        /* A password never crosses the network in clear: smtp:// with
         * credentials insists on STARTTLS. */
        curl_easy_setopt(h, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
    } else {
        curl_easy_setopt(h, CURLOPT_USE_SSL, (long)CURLUSESSL_TRY);
    }
    CURLcode rc = curl_easy_perform(h);
    long code = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
    curl_slist_free_all(rcpts);
    curl_easy_setopt(h, CURLOPT_MAIL_RCPT, NULL);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, NULL);
    free(mail);
    if (rc == CURLE_OK)
        return SENT;
    snprintf(err, errlen, "%s (SMTP %ld)", cerr[0] ? cerr : curl_easy_strerror(rc), code);
    /* A failed transfer can leave the connection in any state: start the
     * next one afresh. */
    curl_easy_cleanup(h);
    p->curl = NULL;
    if (rc == CURLE_ABORTED_BY_CALLBACK)
        return ABORTED;
    return recipient_refused(code, cerr) ? GIVE_UP : RETRY;
}

/* --- claiming and marking rows --- */

/* One statement with parameters given by types: 'I' int64, 'S' text. */
struct stmt_tx {
    const char *sql, *types;
    const void *const *vals;
    int64_t changes;
};

static int stmt_fn(struct store_conn *c, void *ctx)
{
    struct stmt_tx *t = ctx;
    struct store_stmt *st;
    int rc = store_prepare(c, t->sql, &st);
    if (rc < 0)
        return rc;
    for (int i = 0; t->types[i]; i++) {
        if (t->types[i] == 'I')
            store_bind_int64(st, i + 1, *(const int64_t *)t->vals[i]);
        else
            store_bind_text(st, i + 1, (const char *)t->vals[i]);
    }
    rc = store_step(st);
    t->changes = rc < 0 ? 0 : store_changes(st);
    store_finalize(st);
    return rc < 0 ? rc : 0;
}

/* Runs one write with retries on contention; the rows it changed, or a
 * negative store code. */
static int64_t write1(struct store_conn *c, const char *sql, const char *types, ...)
{
    const void *vals[8];
    va_list ap;
    va_start(ap, types);
    for (int i = 0; types[i] && i < 8; i++)
        vals[i] = va_arg(ap, const void *);
    va_end(ap);
    struct stmt_tx t = {sql, types, vals, 0};
    int rc = store_tx(c, stmt_fn, &t);
    return rc < 0 ? rc : t.changes;
}

/* Claims row id when it is still due: the compare-and-set at the heart of
 * multi-sender safety. The UPDATE's WHERE is checked again under the row's
 * write lock (PostgreSQL re-evaluates it on the newest row version when it
 * had to wait; SQLite has one writer at a time), so of several senders that
 * saw the row due, exactly one changes it and the others change 0 rows. A
 * claim is a lease: if its holder dies, the row is due again at its end. */
static int64_t claim(struct store_conn *c, int64_t id, const char *owner, int64_t now)
{
    int64_t until = now + NOTIFY_LEASE_MS;
    return write1(c,
                  "UPDATE outbox SET state = 'sending', next_ms = ?, lease_owner = ?, "
                  "attempts = attempts + 1 WHERE id = ? AND state IN ('pending', 'sending') "
                  "AND next_ms <= ?",
                  "ISII", &until, owner, &id, &now);
}

struct row {
    char *channel, *recipient, *subject, *body, *lang;
    int64_t created_ms, attempts;
};

static int load_row(struct store_conn *c, int64_t id, const char *owner, struct row *r)
{
    struct store_stmt *st;
    int rc = store_prepare(c,
                           "SELECT channel, recipient, subject, body, lang, created_ms, attempts "
                           "FROM outbox WHERE id = ? AND lease_owner = ? AND state = 'sending'",
                           &st);
    if (rc < 0)
        return rc;
    store_bind_int64(st, 1, id);
    store_bind_text(st, 2, owner);
    rc = store_step(st);
    if (rc == STORE_ROW) {
        const char *v;
        r->channel = xstrdup(store_column_text(st, 0));
        r->recipient = xstrdup(store_column_text(st, 1));
        r->subject = (v = store_column_text(st, 2)) ? xstrdup(v) : NULL;
        r->body = xstrdup(store_column_text(st, 3));
        r->lang = xstrdup(store_column_text(st, 4));
        r->created_ms = store_column_int64(st, 5);
        r->attempts = store_column_int64(st, 6);
    }
    store_finalize(st);
    return rc;
}

static void free_row(struct row *r)
{
    free(r->channel);
    free(r->recipient);
    free(r->subject);
    free(r->body);
    free(r->lang);
}

/* The delay before attempt n+1 after n failed: 1 min, 2, 4 ... at most 1 h. */
static int64_t backoff_ms(int64_t attempts)
{
    int64_t d = NOTIFY_RETRY_FIRST_MS;
    for (int64_t i = 1; i < attempts && d < NOTIFY_RETRY_MAX_MS; i++)
        d *= 2;
    return d < NOTIFY_RETRY_MAX_MS ? d : NOTIFY_RETRY_MAX_MS;
}

/* Records what became of a claimed row. Every update names the claim
 * (lease_owner): a sender whose lease ran out and was taken over changes
 * nothing. */
static int finish(struct store_conn *c, struct pass_ctx *p, int64_t id, const struct row *r,
                  enum outcome o, const char *err, struct notify_pass *pass)
{
    int64_t now = clock_now_ms();
    int64_t n;
    if (o == SENT) {
        n = write1(c,
                   "UPDATE outbox SET state = 'sent', sent_ms = ?, lease_owner = NULL, "
                   "last_error = NULL WHERE id = ? AND lease_owner = ? AND state = 'sending'",
                   "IIS", &now, &id, p->owner);
        pass->sent++;
    } else if (o == ABORTED) {
        /* Stopping: the attempt does not count, the row is due at once. */
        n = write1(c,
                   "UPDATE outbox SET state = 'pending', next_ms = ?, lease_owner = NULL, "
                   "attempts = attempts - 1 WHERE id = ? AND lease_owner = ? AND state = "
                   "'sending'",
                   "IIS", &now, &id, p->owner);
    } else if (o == GIVE_UP || now - r->created_ms >= give_up_ms(p->s)) {
        n = write1(c,
                   "UPDATE outbox SET state = 'failed', lease_owner = NULL, last_error = ? "
                   "WHERE id = ? AND lease_owner = ? AND state = 'sending'",
                   "SIS", err, &id, p->owner);
        log_warn("notify: gave up %s to %s (outbox %lld, %lld attempts): %s", r->channel,
                 r->recipient, (long long)id, (long long)r->attempts, err);
        pass->failed++;
    } else {
        int64_t next = now + backoff_ms(r->attempts);
        n = write1(c,
                   "UPDATE outbox SET state = 'pending', next_ms = ?, lease_owner = NULL, "
                   "last_error = ? WHERE id = ? AND lease_owner = ? AND state = 'sending'",
                   "ISIS", &next, err, &id, p->owner);
        /* The first failure of a row is worth a warning; the retries of a
         * known outage would only flood the log. */
        if (r->attempts == 1)
            log_warn("notify: %s to %s failed, will retry (outbox %lld): %s", r->channel,
                     r->recipient, (long long)id, err);
        else
            log_debug("notify: retry %lld of outbox %lld failed: %s", (long long)r->attempts,
                      (long long)id, err);
        pass->retried++;
    }
    return n < 0 ? (int)n : 0;
}

static void make_owner(char *out, size_t n)
{
    static unsigned long counter;
    char host[64] = "";
    gethostname(host, sizeof host - 1);
    snprintf(out, n, "%s:%ld:%lu", host, (long)getpid(),
             __atomic_add_fetch(&counter, 1, __ATOMIC_RELAXED));
}

int notify_outbox_run_once(struct store_conn *c, const struct notify_settings *s,
                           const volatile int *stop, struct notify_pass *out)
{
    struct notify_pass pass = {0};
    struct pass_ctx p = {s, stop, NULL, {"log", sms_log_send, (void *)s->data_dir}, ""};
    make_owner(p.owner, sizeof p.owner);
    int64_t now = clock_now_ms();
    int max = batch(s);
    int64_t *ids = xcalloc((size_t)max, sizeof *ids);
    char *is_email = xcalloc((size_t)max, 1);
    int n = 0, rc;
    struct store_stmt *st;
    rc = store_prepare(c,
                       "SELECT id, channel FROM outbox WHERE state IN ('pending', 'sending') "
                       "AND next_ms <= ? ORDER BY next_ms, id LIMIT ?",
                       &st);
    if (rc < 0)
        goto out;
    store_bind_int64(st, 1, now);
    store_bind_int64(st, 2, max);
    while (n < max && (rc = store_step(st)) == STORE_ROW) {
        const char *ch = store_column_text(st, 1);
        is_email[n] = ch && strcmp(ch, "email") == 0;
        ids[n++] = store_column_int64(st, 0);
    }
    store_finalize(st);
    if (rc < 0)
        goto out;
    rc = 0;
    int email_down = 0;
    for (int i = 0; i < n && !stopping(stop); i++) {
        if (email_down && is_email[i]) {
            /* The mail server just failed: leave the rest of the e-mail for
             * the next pass rather than spend a timeout on every row. */
            pass.skipped++;
            continue;
        }
        int64_t got = claim(c, ids[i], p.owner, clock_now_ms());
        if (got < 0) {
            rc = (int)got;
            break;
        }
        if (got == 0)
            continue; /* another sender has it */
        struct row r = {0};
        if ((rc = load_row(c, ids[i], p.owner, &r)) != STORE_ROW) {
            free_row(&r);
            if (rc < 0)
                break;
            rc = 0;
            continue;
        }
        rc = 0;
        pass.claimed++;
        char err[512] = "";
        enum outcome o;
        if (strcmp(r.channel, "email") == 0) {
            o = send_email(&p, ids[i], r.created_ms, r.recipient, r.subject, r.body, r.lang, err,
                           sizeof err);
            email_down = o == RETRY;
        } else {
            int src = p.sms.send(p.sms.cls, r.recipient, r.body, err, sizeof err);
            o = src == 0 ? SENT : src > 0 ? GIVE_UP : RETRY;
        }
        rc = finish(c, &p, ids[i], &r, o, err, &pass);
        free_row(&r);
        if (rc < 0)
            break;
    }
out:
    if (p.curl)
        curl_easy_cleanup(p.curl);
    free(ids);
    free(is_email);
    if (out)
        *out = pass;
    return rc < 0 ? rc : pass.claimed;
}

/* --- the thread --- */

struct notify_outbox {
    struct store *store;
    struct notify_settings cfg;
    char *strs[7];
    pthread_t thread;
    int started;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    volatile int stop;
};

static void *outbox_main(void *arg)
{
    struct notify_outbox *ob = arg;
    while (!__atomic_load_n(&ob->stop, __ATOMIC_RELAXED)) {
        struct notify_pass pass;
        struct store_conn *c = store_acquire(ob->store);
        /* The sender's own bookkeeping (claims, "sent" marks) need not wait
         * for an fsync each: on SQLite in WAL mode the next durable commit
         * of anyone makes them durable too, and a mark lost in a crash only
         * means a message is sent again (delivery is at least once). That
         * keeps the log's fsyncs for people's own writes. */
        int relaxed = store_conn_backend(c) == STORE_SQLITE &&
                      store_exec(c, "PRAGMA synchronous = NORMAL") == 0;
        int rc = notify_outbox_run_once(c, &ob->cfg, &ob->stop, &pass);
        if (relaxed)
            store_exec(c, "PRAGMA synchronous = FULL"); /* the pool's connections stay durable */
        store_release(c);
        if (rc < 0)
            log_warn("notify: outbox pass failed (database): will try again");
        else if (pass.sent || pass.retried || pass.failed)
            log_debug("notify: outbox pass: %d sent, %d to retry, %d failed", pass.sent,
                      pass.retried, pass.failed);
        /* A full batch that went well means more may be due: go on at once. */
        if (rc >= batch(&ob->cfg) && !pass.retried && !pass.skipped)
            continue;
        struct timespec until;
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_sec += interval_s(&ob->cfg);
        pthread_mutex_lock(&ob->mu);
        while (!__atomic_load_n(&ob->stop, __ATOMIC_RELAXED) &&
               pthread_cond_timedwait(&ob->cv, &ob->mu, &until) != ETIMEDOUT)
            ;
        pthread_mutex_unlock(&ob->mu);
    }
    return NULL;
}

struct notify_outbox *notify_outbox_start(struct store *s, const struct notify_settings *cfg,
                                          char *errbuf, size_t errlen)
{
    if (notify_settings_check(cfg, errbuf, errlen) < 0)
        return NULL;
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        snprintf(errbuf, errlen, "libcurl could not be initialised");
        return NULL;
    }
    struct notify_outbox *ob = xcalloc(1, sizeof *ob);
    ob->store = s;
    ob->cfg = *cfg;
    /* The settings may be freed by the caller while the thread runs. */
    const char **fields[] = {&ob->cfg.smtp_url,      &ob->cfg.smtp_from,  &ob->cfg.smtp_user,
                             &ob->cfg.smtp_password, &ob->cfg.sms_sender, &ob->cfg.data_dir};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        if (*fields[i])
            *fields[i] = ob->strs[i] = xstrdup(*fields[i]);
    pthread_mutex_init(&ob->mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&ob->cv, &ca);
    pthread_condattr_destroy(&ca);
    if (pthread_create(&ob->thread, NULL, outbox_main, ob) != 0) {
        snprintf(errbuf, errlen, "cannot start the outbox sender thread");
        notify_outbox_stop(ob);
        return NULL;
    }
    ob->started = 1;
    log_info("notify: outbox sender started (e-mail %s, SMS %s, every %d s)",
             has(cfg->smtp_url) ? cfg->smtp_url : "to mail.log",
             has(cfg->sms_sender) ? cfg->sms_sender : "log", interval_s(cfg));
    return ob;
}

void notify_outbox_stop(struct notify_outbox *ob)
{
    if (!ob)
        return;
    pthread_mutex_lock(&ob->mu);
    __atomic_store_n(&ob->stop, 1, __ATOMIC_RELAXED);
    pthread_cond_broadcast(&ob->cv);
    pthread_mutex_unlock(&ob->mu);
    if (ob->started)
        pthread_join(ob->thread, NULL);
    pthread_cond_destroy(&ob->cv);
    pthread_mutex_destroy(&ob->mu);
    for (size_t i = 0; i < sizeof ob->strs / sizeof ob->strs[0]; i++)
        free(ob->strs[i]);
    free(ob);
    curl_global_cleanup();
}
