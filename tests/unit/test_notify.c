/**
 * @file test_notify.c
 * @brief Notifications against a throw-away SQLite database and the
 *        loopback SMTP sink: the message-centre row and the outbox rows
 *        exist exactly when the caller's transaction commits; a pass
 *        delivers e-mail with correct headers and a UTF-8 Chinese subject,
 *        and SMS to the log; a refusing or silent server delays messages
 *        with exponential back-off and loses none; a message is given up
 *        after the horizon, or at once when the server refuses its
 *        recipient; two concurrent passes never deliver a message twice;
 *        the message centre lists and marks only the person's own.
 */
#include "core/clock.h"
#include "core/crypto.h"
#include "core/i18n.h"
#include "core/mem.h"
#include "domain/accounts.h"
#include "domain/notify.h"
#include "store/store.h"
#include "apitest.h"
#include "smtpsink.h"
#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define T0 1767225600000LL /* 2026-01-01T00:00:00Z */
#define MIN (60 * 1000LL)

struct fx {
    char *dir;
    struct store *s;
    struct store_conn *c;
    struct arena *a;
    struct smtpsink *sink;
    struct notify_settings set;
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    f->dir = test_tmpdir();
    struct store_options opt = {NULL, f->dir, 4, 5000};
    char err[256];
    if (store_open(&opt, &f->s, err, sizeof err) < 0 ||
        store_migrate(f->s, NULL, err, sizeof err) < 0) {
        fprintf(stderr, "%s\n", err);
        return -1;
    }
    f->c = store_acquire(f->s);
    f->a = arena_new();
    crypto_init(2, 5000);
    assert_int_equal(i18n_init(), 0);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    clock_set(T0);
    f->sink = smtpsink_start();
    f->set = (struct notify_settings){
        .smtp_url = smtpsink_url(f->sink),
        .smtp_from = "noreply@hall.test",
        .sms_sender = "log",
        .data_dir = f->dir,
        .timeout_s = 5,
    };
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    smtpsink_stop(f->sink);
    arena_free(f->a);
    store_release(f->c);
    store_close(f->s);
    test_rmrf(f->dir);
    free(f->dir);
    free(f);
    curl_global_cleanup();
    clock_set(0);
    return 0;
}

static int64_t count(struct store_conn *c, const char *sql)
{
    int64_t n = -1;
    assert_int_equal(store_query_int64(c, &n, sql, NULL), STORE_ROW);
    return n;
}

/* Registers a person (the welcome notification comes with it). */
static int64_t person(struct fx *f, const char *name, int seq, const char *phone,
                      const char *email)
{
    char id[19];
    test_id_number("19900101", seq, id);
    struct person_input in = {name, id, phone, email, "good-pass-1"};
    struct err e;
    int64_t aid = 0;
    if (accounts_register(f->c, &in, "127.0.0.1", &aid, &e) < 0)
        fail_msg("register %s: %s %s", name, e.field, e.key);
    return aid;
}

/* A pass; fails the test on a database error. */
static struct notify_pass pass(struct fx *f)
{
    struct notify_pass p;
    int rc = notify_outbox_run_once(f->c, &f->set, NULL, &p);
    if (rc < 0)
        fail_msg("run_once: %d", rc);
    return p;
}

static char *slurp(const char *dir, const char *name)
{
    char *path = xasprintf("%s/%s", dir, name);
    FILE *fp = fopen(path, "r");
    free(path);
    if (!fp)
        return xstrdup("");
    struct buf b = BUF_INIT;
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0)
        buf_append(&b, chunk, n);
    fclose(fp);
    return buf_steal(&b);
}

struct send_ctx {
    int64_t account;
    int times;
};

static int send_fn(struct store_conn *c, void *ctx)
{
    struct send_ctx *s = ctx;
    for (int i = 0; i < s->times; i++) {
        json_t *args = json_pack("{s:s, s:i}", "what", "测试", "n", i);
        int rc = notify_send(c, s->account, "test.note", "notify.welcome.subject",
                             "notify.welcome.body", args, NULL);
        json_decref(args);
        if (rc < 0)
            return rc;
    }
    return 0;
}

static int send_then_fail(struct store_conn *c, void *ctx)
{
    int rc = send_fn(c, ctx);
    return rc < 0 ? rc : -1; /* the caller's change failed: roll back */
}

static void test_written_in_the_callers_transaction(void **state)
{
    struct fx *f = *state;
    int64_t with_mail = person(f, "陈一", 1, "13300000001", "chen1@example.cn");
    /* Registration notified: one message, an e-mail and an SMS. */
    assert_int_equal(count(f->c, "SELECT COUNT(*) FROM messages"), 1);
    assert_int_equal(count(f->c, "SELECT COUNT(*) FROM outbox WHERE channel = 'email'"), 1);
    assert_int_equal(count(f->c, "SELECT COUNT(*) FROM outbox WHERE channel = 'sms'"), 1);
    assert_int_equal(count(f->c, "SELECT COUNT(*) FROM outbox WHERE state = 'pending'"), 2);

    /* Rolled back: nothing at all. */
    struct send_ctx s = {with_mail, 3};
    assert_true(store_tx(f->c, send_then_fail, &s) < 0);
    assert_int_equal(count(f->c, "SELECT COUNT(*) FROM messages"), 1);
    assert_int_equal(count(f->c, "SELECT COUNT(*) FROM outbox"), 2);
    /* Committed: all of it. */
    assert_int_equal(store_tx(f->c, send_fn, &s), 0);
    assert_int_equal(count(f->c, "SELECT COUNT(*) FROM messages"), 4);
    assert_int_equal(count(f->c, "SELECT COUNT(*) FROM outbox"), 8);

    /* No e-mail address: message and SMS only. A staff account with
     * neither: the message centre alone. */
    person(f, "陈二", 2, "13300000002", NULL);
    assert_int_equal(count(f->c, "SELECT COUNT(*) FROM messages"), 5);
    assert_int_equal(count(f->c, "SELECT COUNT(*) FROM outbox"), 9);
    struct err e;
    int64_t staff;
    assert_int_equal(accounts_create_staff(f->c, "clerk1", "窗口一", "clerk-pass-1", NULL, 0,
                                           &staff, &e),
                     0);
    struct send_ctx one = {staff, 1};
    assert_int_equal(store_tx(f->c, send_fn, &one), 0);
    assert_int_equal(count(f->c, "SELECT COUNT(*) FROM messages"), 6);
    assert_int_equal(count(f->c, "SELECT COUNT(*) FROM outbox"), 9);

    /* An unknown account is an error, so the caller's change rolls back. */
    struct send_ctx none = {999999, 1};
    assert_true(store_tx(f->c, send_fn, &none) < 0);
    assert_int_equal(count(f->c, "SELECT COUNT(*) FROM messages"), 6);

    /* Rendered in the person's language at the time of writing. */
    assert_int_equal(notify_set_lang(f->c, with_mail, "en", &e), 0);
    assert_int_equal(notify_set_lang(f->c, with_mail, "fr", &e), -ERR_INVALID);
    assert_int_equal(store_tx(f->c, send_fn, &one), 0);
    struct send_ctx en = {with_mail, 1};
    assert_int_equal(store_tx(f->c, send_fn, &en), 0);
    char *subject = NULL;
    struct store_stmt *st;
    assert_int_equal(store_prepare(f->c,
                                   "SELECT subject, lang FROM outbox WHERE channel = 'email' "
                                   "ORDER BY id DESC LIMIT 1",
                                   &st),
                     0);
    assert_int_equal(store_step(st), STORE_ROW);
    subject = xstrdup(store_column_text(st, 0));
    assert_string_equal(store_column_text(st, 1), "en");
    store_finalize(st);
    assert_string_equal(subject, "Welcome to the Foshan Online Service Hall");
    free(subject);
}

static void test_render(void **state)
{
    (void)state;
    assert_int_equal(i18n_init(), 0);
    struct buf b = BUF_INIT;
    notify_render(LANG_ZH, "notify.welcome.body", "{\"name\":\"黄十一\"}", &b);
    assert_non_null(strstr(buf_str(&b), "黄十一，您好"));
    buf_reset(&b);
    /* A missing argument stays visible; malformed arguments are none. */
    notify_render(LANG_EN, "notify.welcome.body", "not json", &b);
    assert_non_null(strstr(buf_str(&b), "Dear {name},"));
    buf_free(&b);
}

static void test_delivery(void **state)
{
    struct fx *f = *state;
    person(f, "陈一", 11, "13300000011", "chen1@example.cn");
    struct notify_pass p = pass(f);
    assert_int_equal(p.claimed, 2);
    assert_int_equal(p.sent, 2);
    assert_int_equal(smtpsink_wait(f->sink, 1, 2000), 1);
    assert_int_equal(count(f->c, "SELECT COUNT(*) FROM outbox WHERE state = 'sent' AND "
                                 "sent_ms IS NOT NULL AND lease_owner IS NULL"),
                     2);
    /* Nothing is sent twice. */
    p = pass(f);
    assert_int_equal(p.claimed, 0);

    struct smtpsink_msg m;
    assert_int_equal(smtpsink_get(f->sink, 0, &m), 0);
    assert_string_equal(m.from, "noreply@hall.test");
    assert_string_equal(m.rcpt, "chen1@example.cn");
    char *subject = mail_header(m.data, "Subject");
    assert_non_null(subject);
    assert_non_null(strstr(subject, "=?UTF-8?B?")); /* encoded, not raw bytes */
    char *decoded = mail_decode_words(subject);
    assert_string_equal(decoded, "欢迎使用佛山市网上办事大厅");
    free(decoded);
    free(subject);
    char *from = mail_header(m.data, "From");
    decoded = mail_decode_words(from);
    assert_string_equal(decoded, "佛山市网上办事大厅 <noreply@hall.test>");
    free(decoded);
    free(from);
    char *to = mail_header(m.data, "To");
    assert_string_equal(to, "<chen1@example.cn>");
    free(to);
    /* 2026-01-01T00:00:00Z is 08:00 in Foshan, a Thursday. */
    char *date = mail_header(m.data, "Date");
    assert_string_equal(date, "Thu, 01 Jan 2026 08:00:00 +0800");
    free(date);
    char *mid = mail_header(m.data, "Message-ID");
    assert_non_null(mid);
    assert_true(mid[0] == '<' && strstr(mid, "@hall.test>"));
    free(mid);
    char *ct = mail_header(m.data, "Content-Type");
    assert_string_equal(ct, "text/plain; charset=UTF-8");
    free(ct);
    char *mv = mail_header(m.data, "MIME-Version");
    assert_string_equal(mv, "1.0");
    free(mv);
    char *body = mail_body(m.data);
    assert_non_null(strstr(body, "陈一，您好！"));
    assert_non_null(strstr(body, "请勿直接回复"));
    free(body);
    /* Every line of the message is short enough for any relay. */
    for (const char *l = m.data, *e; (e = strstr(l, "\r\n")); l = e + 2)
        assert_true(e - l <= 78);
    smtpsink_msg_free(&m);

    char *sms = slurp(f->dir, "sms.log");
    assert_non_null(strstr(sms, "\t13300000011\t【佛山市网上办事大厅】陈一，您好！"));
    free(sms);
}

static void test_long_subject_folds(void **state)
{
    (void)state;
    /* 60 Chinese characters (180 bytes): several encoded-words, each
     * decoding to whole characters. */
    struct buf s = BUF_INIT;
    for (int i = 0; i < 20; i++)
        buf_puts(&s, "办事指南");
    buf_puts(&s, " a.b");
    char *mail = notify_mail_build("a@b.test", "大厅", "c@d.test", buf_str(&s),
                                   "第一行\n.第二行以点开头\n", "x.1@b.test", T0);
    for (const char *l = mail, *e; (e = strstr(l, "\r\n")); l = e + 2)
        assert_true(e - l <= 78);
    char *h = mail_header(mail, "Subject");
    char *d = mail_decode_words(h);
    assert_string_equal(d, buf_str(&s));
    free(d);
    free(h);
    char *body = mail_body(mail);
    assert_string_equal(body, "第一行\n.第二行以点开头\n");
    free(body);
    free(mail);
    /* Plain ASCII stays readable. */
    mail = notify_mail_build("a@b.test", NULL, "c@d.test", "Hello", "x", "x.2@b.test", T0);
    assert_non_null(strstr(mail, "\r\nSubject: Hello\r\n"));
    assert_non_null(strstr(mail, "\r\nFrom: <a@b.test>\r\n"));
    free(mail);
    buf_free(&s);
}

/* The email row's attempts and due time. */
static void email_state(struct fx *f, char *state, int64_t *attempts, int64_t *next_ms)
{
    struct store_stmt *st;
    assert_int_equal(store_prepare(f->c,
                                   "SELECT state, attempts, next_ms FROM outbox WHERE channel = "
                                   "'email' ORDER BY id LIMIT 1",
                                   &st),
                     0);
    assert_int_equal(store_step(st), STORE_ROW);
    snprintf(state, 16, "%s", store_column_text(st, 0));
    *attempts = store_column_int64(st, 1);
    *next_ms = store_column_int64(st, 2);
    store_finalize(st);
}

static void test_outage_backs_off_and_loses_nothing(void **state)
{
    struct fx *f = *state;
    smtpsink_set_mode(f->sink, SMTPSINK_REFUSE);
    person(f, "李三", 21, "13300000021", "li3@example.cn");
    struct notify_pass p = pass(f);
    assert_int_equal(p.sent, 1); /* the SMS does not wait for the mail server */
    assert_int_equal(p.retried, 1);
    char st[16];
    int64_t attempts, next;
    email_state(f, st, &attempts, &next);
    assert_string_equal(st, "pending");
    assert_int_equal(attempts, 1);
    assert_int_equal(next, clock_now_ms() + 1 * MIN);
    /* Not due yet: nothing happens. */
    clock_advance(1 * MIN - 1000);
    assert_int_equal(pass(f).claimed, 0);
    /* 1 min, then 2, 4, 8: the delay doubles. The sink switches between a
     * refusing greeting and hanging up without a word. */
    int64_t delay = 1 * MIN;
    for (int i = 2; i <= 5; i++) {
        smtpsink_set_mode(f->sink, i % 2 ? SMTPSINK_REFUSE : SMTPSINK_DROP);
        clock_set(next);
        p = pass(f);
        assert_int_equal(p.claimed, 1);
        assert_int_equal(p.retried, 1);
        delay *= 2;
        email_state(f, st, &attempts, &next);
        assert_string_equal(st, "pending");
        assert_int_equal(attempts, i);
        assert_int_equal(next, clock_now_ms() + delay);
    }
    assert_int_equal(smtpsink_count(f->sink), 0);
    assert_true(smtpsink_connections(f->sink) >= 5);
    /* The server is back: delivered once it is due. */
    smtpsink_set_mode(f->sink, SMTPSINK_ACCEPT);
    clock_set(next);
    p = pass(f);
    assert_int_equal(p.sent, 1);
    assert_int_equal(smtpsink_wait(f->sink, 1, 2000), 1);
    email_state(f, st, &attempts, &next);
    assert_string_equal(st, "sent");
    assert_int_equal(count(f->c, "SELECT COUNT(*) FROM outbox WHERE state <> 'sent'"), 0);
}

static void test_dead_server_costs_one_attempt_per_pass(void **state)
{
    struct fx *f = *state;
    smtpsink_set_mode(f->sink, SMTPSINK_DROP);
    person(f, "李四", 31, "13300000031", "li4a@example.cn");
    person(f, "李五", 32, "13300000032", "li5@example.cn");
    person(f, "李六", 33, "13300000033", "li6@example.cn");
    struct notify_pass p = pass(f);
    assert_int_equal(p.retried, 1); /* one e-mail tried */
    assert_int_equal(p.skipped, 2); /* the others left due, untouched */
    assert_int_equal(p.sent, 3);    /* every SMS went */
    assert_int_equal(count(f->c, "SELECT COUNT(*) FROM outbox WHERE attempts = 0"), 2);
    /* The server returns: the next passes deliver all three. */
    smtpsink_set_mode(f->sink, SMTPSINK_ACCEPT);
    p = pass(f);
    assert_int_equal(p.sent, 2);
    clock_advance(1 * MIN);
    p = pass(f);
    assert_int_equal(p.sent, 1);
    assert_int_equal(smtpsink_wait(f->sink, 3, 2000), 3);
}

static void test_give_up(void **state)
{
    struct fx *f = *state;
    smtpsink_set_mode(f->sink, SMTPSINK_REFUSE);
    person(f, "王七", 41, "13300000041", "wang7@example.cn");
    char st[16] = "";
    int64_t attempts = 0, next = 0;
    int passes = 0;
    for (;;) {
        pass(f);
        email_state(f, st, &attempts, &next);
        if (strcmp(st, "pending") != 0 || ++passes > 100)
            break;
        clock_set(next);
    }
    assert_string_equal(st, "failed");
    /* Tried for a day (1+2+4+8+16+32 min, then hourly), not forever. */
    assert_true(clock_now_ms() - T0 >= 24 * 60 * MIN);
    assert_true(clock_now_ms() - T0 < 26 * 60 * MIN);
    assert_true(attempts >= 25 && attempts <= 32);
    assert_int_equal(count(f->c, "SELECT COUNT(*) FROM outbox WHERE state = 'failed' AND "
                                 "last_error LIKE '%421%'"),
                     1);
    /* The person still has the message in the hall. */
    assert_int_equal(count(f->c, "SELECT COUNT(*) FROM messages"), 1);

    /* A recipient the server refuses for good: failed at once. */
    smtpsink_set_mode(f->sink, SMTPSINK_REJECT_RCPT);
    person(f, "王八", 42, "13300000042", "nobody@example.cn");
    struct notify_pass p = pass(f);
    assert_int_equal(p.failed, 1);
    assert_int_equal(count(f->c, "SELECT COUNT(*) FROM outbox WHERE state = 'failed' AND "
                                 "recipient = 'nobody@example.cn' AND attempts = 1"),
                     1);
}

struct runner {
    struct fx *f;
    int claimed;
    int rc;
};

static void *run_until_empty(void *arg)
{
    struct runner *r = arg;
    struct store_conn *c = store_acquire(r->f->s);
    for (;;) {
        struct notify_pass p;
        int rc = notify_outbox_run_once(c, &r->f->set, NULL, &p);
        if (rc < 0) {
            r->rc = rc;
            break;
        }
        r->claimed += p.claimed;
        int64_t left = 0;
        store_query_int64(c, &left, "SELECT COUNT(*) FROM outbox WHERE state <> 'sent'", NULL);
        if (left == 0)
            break;
    }
    store_release(c);
    return NULL;
}

static void test_concurrent_passes_send_once(void **state)
{
    struct fx *f = *state;
    int64_t who = person(f, "赵九", 51, "13300000051", "zhao9@example.cn");
    struct send_ctx s = {who, 59}; /* with the welcome: 60 e-mails, 60 SMS */
    assert_int_equal(store_tx(f->c, send_fn, &s), 0);
    f->set.batch = 25;
    struct runner r1 = {f, 0, 0}, r2 = {f, 0, 0};
    pthread_t t1, t2;
    pthread_create(&t1, NULL, run_until_empty, &r1);
    pthread_create(&t2, NULL, run_until_empty, &r2);
    pthread_join(t1, NULL);
    pthread_join(t2, NULL);
    assert_int_equal(r1.rc, 0);
    assert_int_equal(r2.rc, 0);
    assert_int_equal(r1.claimed + r2.claimed, 120);
    assert_int_equal(smtpsink_wait(f->sink, 60, 2000), 60);
    /* Each e-mail once: 60 distinct Message-IDs. */
    char *ids[60];
    for (int i = 0; i < 60; i++) {
        struct smtpsink_msg m;
        assert_int_equal(smtpsink_get(f->sink, i, &m), 0);
        ids[i] = mail_header(m.data, "Message-ID");
        for (int j = 0; j < i; j++)
            assert_string_not_equal(ids[i], ids[j]);
        smtpsink_msg_free(&m);
    }
    for (int i = 0; i < 60; i++)
        free(ids[i]);
    char *sms = slurp(f->dir, "sms.log");
    int lines = 0;
    for (const char *p = sms; (p = strchr(p, '\n')); p++)
        lines++;
    assert_int_equal(lines, 60);
    free(sms);
    assert_int_equal(count(f->c, "SELECT COUNT(*) FROM outbox WHERE attempts <> 1"), 0);
}

static void test_lease_expiry_takes_over(void **state)
{
    struct fx *f = *state;
    person(f, "孙十", 61, "13300000061", "sun10@example.cn");
    /* A sender claimed the e-mail and died. */
    assert_int_equal(store_exec(f->c, "UPDATE outbox SET state = 'sending', lease_owner = "
                                      "'dead:1:1', attempts = 1, next_ms = next_ms + 300000 "
                                      "WHERE channel = 'email'"),
                     0);
    struct notify_pass p = pass(f);
    assert_int_equal(p.claimed, 1); /* the SMS only */
    clock_advance(NOTIFY_LEASE_MS);
    p = pass(f);
    assert_int_equal(p.claimed, 1);
    assert_int_equal(p.sent, 1);
    assert_int_equal(smtpsink_wait(f->sink, 1, 2000), 1);
}

static void test_no_mail_server_writes_mail_log(void **state)
{
    struct fx *f = *state;
    f->set.smtp_url = "";
    person(f, "周十一", 71, "13300000071", "zhou@example.cn");
    assert_int_equal(pass(f).sent, 2);
    char *log = slurp(f->dir, "mail.log");
    assert_non_null(strstr(log, "To: <zhou@example.cn>"));
    free(log);
    assert_int_equal(smtpsink_count(f->sink), 0);
}

static void test_thread_delivers_and_stops_cleanly(void **state)
{
    struct fx *f = *state;
    f->set.interval_s = 1;
    char err[256];
    struct notify_outbox *ob = notify_outbox_start(f->s, &f->set, err, sizeof err);
    assert_non_null(ob);
    person(f, "冯十二", 81, "13300000081", "feng@example.cn");
    assert_int_equal(smtpsink_wait(f->sink, 1, 5000), 1);
    /* A server that never answers: stopping cuts the attempt short and
     * gives the row back, its attempt not counted. */
    smtpsink_set_mode(f->sink, SMTPSINK_HANG);
    f->set.timeout_s = 30; /* far longer than the stop may take */
    notify_outbox_stop(ob);
    ob = notify_outbox_start(f->s, &f->set, err, sizeof err);
    assert_non_null(ob);
    int conns = smtpsink_connections(f->sink);
    person(f, "冯十三", 82, "13300000082", "feng13@example.cn");
    for (int i = 0; i < 50 && smtpsink_connections(f->sink) == conns; i++)
        usleep(100 * 1000);
    assert_true(smtpsink_connections(f->sink) > conns);
    usleep(200 * 1000);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    notify_outbox_stop(ob);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    assert_true(t1.tv_sec - t0.tv_sec < 5);
    assert_int_equal(count(f->c, "SELECT COUNT(*) FROM outbox WHERE recipient = "
                                 "'feng13@example.cn' AND state = 'pending' AND attempts = 0 AND "
                                 "lease_owner IS NULL"),
                     1);
    /* A bad setting refuses to start. */
    f->set.sms_sender = "fax";
    assert_null(notify_outbox_start(f->s, &f->set, err, sizeof err));
    assert_non_null(strstr(err, "fax"));
}

static void test_settings_check(void **state)
{
    (void)state;
    char err[256];
    struct notify_settings s = {.smtp_from = "a@b.test"};
    assert_int_equal(notify_settings_check(&s, err, sizeof err), 0);
    s.smtp_url = "http://mail";
    assert_int_equal(notify_settings_check(&s, err, sizeof err), -1);
    s.smtp_url = "smtps://mail.example.cn:465";
    assert_int_equal(notify_settings_check(&s, err, sizeof err), 0);
    s.sms_sender = "carrier-pigeon";
    assert_int_equal(notify_settings_check(&s, err, sizeof err), -1);
    s.sms_sender = "log";
    s.smtp_from = "a@b.test>\r\nBcc: x@y";
    assert_int_equal(notify_settings_check(&s, err, sizeof err), -1);
}

static void test_message_centre(void **state)
{
    struct fx *f = *state;
    int64_t a = person(f, "吴甲", 81, "13300000081", NULL);
    int64_t b = person(f, "吴乙", 82, "13300000082", NULL);
    struct send_ctx s = {a, 24};
    assert_int_equal(store_tx(f->c, send_fn, &s), 0);
    struct notify_list l;
    struct err e;
    assert_int_equal(notify_list(f->c, f->a, a, 1, 10, &l, &e), 0);
    assert_int_equal(l.total, 25);
    assert_int_equal(l.unread, 25);
    assert_int_equal(l.n, 10);
    assert_true(l.items[0].id > l.items[1].id); /* newest first */
    assert_string_equal(l.items[9].kind, "test.note");
    int64_t newest = l.items[0].id;
    assert_int_equal(notify_list(f->c, f->a, a, 3, 10, &l, &e), 0);
    assert_int_equal(l.n, 5);
    assert_string_equal(l.items[4].kind, "account.welcome");
    assert_string_equal(l.items[4].link, "/profile");

    struct notify_message m;
    assert_int_equal(notify_mark_read(f->c, f->a, a, newest, &m, &e), 0);
    assert_non_null(m.read_at);
    char first[40];
    snprintf(first, sizeof first, "%s", m.read_at);
    clock_advance(MIN);
    assert_int_equal(notify_mark_read(f->c, f->a, a, newest, &m, &e), 0);
    assert_string_equal(m.read_at, first); /* the first read time stays */
    /* Someone else's message is as good as none. */
    assert_int_equal(notify_mark_read(f->c, f->a, b, newest, &m, &e), -ERR_NOT_FOUND);
    assert_int_equal(notify_mark_read(f->c, f->a, a, 987654, &m, &e), -ERR_NOT_FOUND);
    assert_int_equal(notify_list(f->c, f->a, a, 1, 10, &l, &e), 0);
    assert_int_equal(l.unread, 24);
    assert_int_equal(notify_list(f->c, f->a, b, 1, 10, &l, &e), 0);
    assert_int_equal(l.total, 1);
    assert_int_equal(l.unread, 1);
}

static void test_verified_claim_notifies(void **state)
{
    struct fx *f = *state;
    int64_t a = person(f, "郑丙", 91, "13300000091", NULL);
    char id[19];
    test_id_number("19900101", 91, id);
    struct person_input in = {"郑丙", id, "13300000091", NULL, NULL};
    struct err e;
    int64_t got;
    assert_int_equal(accounts_verify_claim(f->c, &in, REALNAME_COUNTER, 0, NULL, &got, &e), 0);
    assert_int_equal(got, a);
    struct notify_list l;
    assert_int_equal(notify_list(f->c, f->a, a, 1, 10, &l, &e), 0);
    assert_int_equal(l.total, 2);
    assert_string_equal(l.items[0].kind, "account.verified");
    /* A person verified at the counter before ever registering. */
    char id2[19];
    test_id_number("19900101", 92, id2);
    struct person_input in2 = {"郑丁", id2, "13300000092", NULL, NULL};
    assert_int_equal(accounts_verify_claim(f->c, &in2, REALNAME_COUNTER, 0, NULL, &got, &e), 0);
    assert_int_equal(notify_list(f->c, f->a, got, 1, 10, &l, &e), 0);
    assert_int_equal(l.total, 1);
    assert_string_equal(l.items[0].kind, "account.verified");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_written_in_the_callers_transaction, setup, teardown),
        cmocka_unit_test(test_render),
        cmocka_unit_test_setup_teardown(test_delivery, setup, teardown),
        cmocka_unit_test(test_long_subject_folds),
        cmocka_unit_test_setup_teardown(test_outage_backs_off_and_loses_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dead_server_costs_one_attempt_per_pass, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_give_up, setup, teardown),
        cmocka_unit_test_setup_teardown(test_concurrent_passes_send_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lease_expiry_takes_over, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_mail_server_writes_mail_log, setup, teardown),
        cmocka_unit_test_setup_teardown(test_thread_delivers_and_stops_cleanly, setup, teardown),
        cmocka_unit_test(test_settings_check),
        cmocka_unit_test_setup_teardown(test_message_centre, setup, teardown),
        cmocka_unit_test_setup_teardown(test_verified_claim_notifies, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
