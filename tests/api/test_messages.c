/**
 * @file test_messages.c
 * @brief The message centre and the outbox through the real server, with
 *        its SMTP settings pointed at the loopback sink: registering brings
 *        a welcome message to GET /api/v1/messages and a welcome e-mail to
 *        the sink within seconds; marking read; someone else's message id
 *        answers 404; anonymous callers get 401; the /messages page; a mail
 *        server that is down fails no registration and loses no mail.
 */
#include "apitest.h"
#include "smtpsink.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct hall *H;
static struct smtpsink *S;

static int up(void **state)
{
    S = smtpsink_start();
    const char *args[] = {"--smtp-url", smtpsink_url(S), "--smtp-from", "noreply@hall.test",
                          "--outbox-interval", "1", NULL};
    H = hall_start(test_db_url(), args);
    return H ? 0 : -1;
}

static int down(void **state)
{
    assert_int_equal(hall_stop(H), 0);
    smtpsink_stop(S);
    return 0;
}

/* Registers a person and returns a client logged in with a bearer token. */
static struct client *person(const char *name, int seq, const char *phone, const char *email)
{
    char id[19];
    test_id_number("19910101", seq, id);
    json_t *b = json_pack("{s:s, s:s, s:s, s:s}", "name", name, "id_number", id, "phone", phone,
                          "password", "good-pass-1");
    if (email)
        json_object_set_new(b, "email", json_string(email));
    char *s = json_dumps(b, 0);
    struct client *c = client_new(H);
    struct resp *r = client_json(c, "POST", "/api/v1/accounts", s);
    if (r->status != 201)
        fail_msg("register %s: %ld %s", name, r->status, r->body);
    resp_free(r);
    free(s);
    json_decref(b);
    char *tok = api_login(H, phone, "good-pass-1");
    assert_non_null(tok);
    char auth[128];
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", tok);
    client_header(c, auth);
    free(tok);
    return c;
}

static json_t *get_json(struct client *c, const char *path, long want)
{
    struct resp *r = client_get(c, path);
    if (r->status != want)
        fail_msg("GET %s: %ld (want %ld): %s", path, r->status, want, r->body);
    json_t *j = resp_json(r);
    resp_free(r);
    return j;
}

static long post_status(struct client *c, const char *path)
{
    struct resp *r = client_json(c, "POST", path, "{}");
    long s = r->status;
    resp_free(r);
    return s;
}

/* Waits until the sink has a message to rcpt; returns its index or -1. */
static int wait_mail_to(const char *rcpt, int timeout_ms)
{
    for (int waited = 0; waited <= timeout_ms; waited += 100) {
        int n = smtpsink_count(S);
        for (int i = 0; i < n; i++) {
            struct smtpsink_msg m;
            if (smtpsink_get(S, i, &m) == 0) {
                int match = strcmp(m.rcpt, rcpt) == 0;
                smtpsink_msg_free(&m);
                if (match)
                    return i;
            }
        }
        usleep(100 * 1000);
    }
    return -1;
}

static void test_welcome_message_and_mail(void **state)
{
    struct client *c = person("陈一", 1, "13400000001", "chen1@example.cn");
    json_t *j = get_json(c, "/api/v1/messages", 200);
    assert_int_equal(json_integer_value(json_object_get(j, "total")), 1);
    assert_int_equal(json_integer_value(json_object_get(j, "unread")), 1);
    assert_int_equal(json_integer_value(json_object_get(j, "page")), 1);
    assert_int_equal(json_integer_value(json_object_get(j, "per_page")), 20);
    json_t *m = json_array_get(json_object_get(j, "items"), 0);
    assert_string_equal(json_string_value(json_object_get(m, "kind")), "account.welcome");
    assert_string_equal(json_string_value(json_object_get(m, "subject")),
                        "欢迎使用佛山市网上办事大厅");
    assert_non_null(strstr(json_string_value(json_object_get(m, "body")), "陈一，您好"));
    assert_true(json_is_false(json_object_get(m, "read")));
    assert_true(json_is_null(json_object_get(m, "read_at")));
    assert_string_equal(json_string_value(json_object_get(m, "link")), "/profile");
    json_int_t id = json_integer_value(json_object_get(m, "id"));
    json_decref(j);

    /* The same message in English when the request asks for it. */
    j = get_json(c, "/api/v1/messages?lang=en", 200);
    m = json_array_get(json_object_get(j, "items"), 0);
    assert_string_equal(json_string_value(json_object_get(m, "subject")),
                        "Welcome to the Foshan Online Service Hall");
    json_decref(j);

    /* The sender thread delivers the welcome e-mail within seconds. */
    int i = wait_mail_to("chen1@example.cn", 8000);
    assert_true(i >= 0);
    struct smtpsink_msg mail;
    assert_int_equal(smtpsink_get(S, i, &mail), 0);
    assert_string_equal(mail.from, "noreply@hall.test");
    char *subject = mail_header(mail.data, "Subject");
    char *decoded = mail_decode_words(subject);
    assert_string_equal(decoded, "欢迎使用佛山市网上办事大厅");
    free(decoded);
    free(subject);
    char *body = mail_body(mail.data);
    assert_non_null(strstr(body, "陈一，您好"));
    free(body);
    smtpsink_msg_free(&mail);

    /* Mark read: once, and again harmlessly. */
    char path[96];
    snprintf(path, sizeof path, "/api/v1/messages/%lld/read", (long long)id);
    struct resp *r = client_json(c, "POST", path, "{}");
    assert_int_equal(r->status, 200);
    j = resp_json(r);
    assert_true(json_is_true(json_object_get(j, "read")));
    assert_true(json_is_string(json_object_get(j, "read_at")));
    json_decref(j);
    resp_free(r);
    assert_int_equal(post_status(c, path), 200);
    j = get_json(c, "/api/v1/messages", 200);
    assert_int_equal(json_integer_value(json_object_get(j, "unread")), 0);
    json_decref(j);

    /* Another person: their list holds only their own, and the first
     * person's message id is "not found" to them. */
    struct client *o = person("陈二", 2, "13400000002", NULL);
    j = get_json(o, "/api/v1/messages", 200);
    assert_int_equal(json_integer_value(json_object_get(j, "total")), 1);
    json_int_t other_id =
        json_integer_value(json_object_get(json_array_get(json_object_get(j, "items"), 0), "id"));
    assert_true(other_id != id);
    json_decref(j);
    assert_int_equal(post_status(o, path), 404);
    snprintf(path, sizeof path, "/api/v1/messages/%lld/read", (long long)other_id);
    assert_int_equal(post_status(c, path), 404);
    assert_int_equal(post_status(c, "/api/v1/messages/999999/read"), 404);
    assert_int_equal(post_status(c, "/api/v1/messages/abc/read"), 404);
    /* The other person's message was not touched. */
    j = get_json(o, "/api/v1/messages", 200);
    assert_int_equal(json_integer_value(json_object_get(j, "unread")), 1);
    json_decref(j);

    /* Bad paging is refused with the field named. */
    j = get_json(c, "/api/v1/messages?per_page=0", 422);
    assert_string_equal(json_string_value(json_object_get(j, "field")), "per_page");
    json_decref(j);
    j = get_json(c, "/api/v1/messages?page=x", 422);
    assert_string_equal(json_string_value(json_object_get(j, "field")), "page");
    json_decref(j);
    j = get_json(c, "/api/v1/messages?page=2&per_page=1", 200);
    assert_int_equal(json_array_size(json_object_get(j, "items")), 0);
    assert_int_equal(json_integer_value(json_object_get(j, "total")), 1);
    json_decref(j);
    client_free(c);
    client_free(o);
}

static void test_anonymous(void **state)
{
    struct client *c = client_new(H);
    struct resp *r = client_get(c, "/api/v1/messages");
    assert_int_equal(r->status, 401);
    resp_free(r);
    assert_int_equal(post_status(c, "/api/v1/messages/1/read"), 401);
    /* The page sends an anonymous visitor to log in first. */
    r = client_get(c, "/messages");
    assert_int_equal(r->status, 303);
    char *loc = resp_header(r, "Location");
    assert_string_equal(loc, "/login?next=/messages");
    free(loc);
    resp_free(r);
    client_free(c);
}

static void test_page(void **state)
{
    struct client *c = person("林三", 3, "13400000003", NULL);
    struct resp *r = client_get(c, "/messages");
    assert_int_equal(r->status, 200);
    assert_non_null(strstr(r->body, "欢迎使用佛山市网上办事大厅"));
    assert_non_null(strstr(r->body, "标为已读"));
    assert_non_null(strstr(r->body, "林三，您好"));
    resp_free(r);
    json_t *j = get_json(c, "/api/v1/messages", 200);
    json_int_t id =
        json_integer_value(json_object_get(json_array_get(json_object_get(j, "items"), 0), "id"));
    json_decref(j);
    char path[64];
    snprintf(path, sizeof path, "/messages/%lld/read", (long long)id);
    r = client_form(c, path, "page=1");
    assert_int_equal(r->status, 303);
    resp_free(r);
    r = client_get(c, "/messages?lang=en");
    assert_int_equal(r->status, 200);
    assert_non_null(strstr(r->body, "My messages"));
    assert_non_null(strstr(r->body, "0 unread"));
    assert_null(strstr(r->body, "Mark as read"));
    resp_free(r);
    client_free(c);
}

static void test_mail_server_down(void **state)
{
    /* Registration succeeds while the mail server refuses everyone; the
     * welcome e-mail arrives once it is back (the first retry is a minute
     * later, so this test only checks that it is kept, not delivered). */
    smtpsink_set_mode(S, SMTPSINK_REFUSE);
    int conns = smtpsink_connections(S);
    struct client *c = person("吴四", 4, "13400000004", "wu4@example.cn");
    json_t *j = get_json(c, "/api/v1/messages", 200);
    assert_int_equal(json_integer_value(json_object_get(j, "total")), 1);
    json_decref(j);
    /* The sender tried and was refused. */
    for (int i = 0; i < 80 && smtpsink_connections(S) == conns; i++)
        usleep(100 * 1000);
    assert_true(smtpsink_connections(S) > conns);
    assert_int_equal(wait_mail_to("wu4@example.cn", 0), -1);
    smtpsink_set_mode(S, SMTPSINK_ACCEPT);
    client_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_welcome_message_and_mail),
        cmocka_unit_test(test_anonymous),
        cmocka_unit_test(test_page),
        cmocka_unit_test(test_mail_server_down),
    };
    return cmocka_run_group_tests(tests, up, down);
}
