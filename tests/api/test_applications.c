/**
 * @file test_applications.c
 * @brief Whole journeys of applications through the API: what is covered
 *        before starting; apply with one upload and one reused file;
 *        idempotent submit; decline; supplement and resubmit; review,
 *        approve, deliver, rate (a bad rating opens a rectification task);
 *        withdraw; forbidden steps and other people's cases; two clerks on
 *        one case at once; who looked at the person's data; the
 *        Idempotency-Key: a replay, a key reused for another body, a key
 *        freed by a refused request, eight requests with one key at once.
 */
#include "apitest.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SMALL ONEHALL_SOURCE_DIR "/tests/data/catalog/small.json"

static struct hall *H;
static struct client *citizen, *other, *clerk, *clerk2, *admin, *scjg;

static void staff(const char *user, const char *dept, const char *role)
{
    const char *args[] = {"user", "create", "--username", user, "--name", user, "--department",
                          dept, "--role", role, "--password-stdin", NULL};
    assert_int_equal(hall_cli(H, "staff-pass-01\n", NULL, args), 0);
}

static struct client *person(const char *birth, int seq, const char *phone)
{
    char id[19], body[256];
    test_id_number(birth, seq, id);
    snprintf(body, sizeof body,
             "{\"name\":\"申请人%d\",\"id_number\":\"%s\",\"phone\":\"%s\",\"password\":\"apply-pass-1\"}",
             seq, id, phone);
    struct client *anon = client_new(H);
    struct resp *r = client_json(anon, "POST", "/api/v1/accounts", body);
    assert_int_equal(r->status, 201);
    resp_free(r);
    client_free(anon);
    return api_client(H, phone, "apply-pass-1");
}

static int up(void **state)
{
    H = hall_start(test_db_url(), NULL);
    if (!H)
        return -1;
    const char *args[] = {"import", SMALL, NULL};
    assert_int_equal(hall_cli(H, NULL, NULL, args), 0);
    staff("gaclerk1", "FS-GA", "staff");
    staff("gaclerk2", "FS-GA", "staff");
    staff("gaadmin", "FS-GA", "dept_admin");
    staff("scjgclerk", "FS-SCJG", "staff");
    citizen = person("19880808", 21, "13600000021");
    other = person("19890909", 22, "13600000022");
    clerk = api_client(H, "gaclerk1", "staff-pass-01");
    clerk2 = api_client(H, "gaclerk2", "staff-pass-01");
    admin = api_client(H, "gaadmin", "staff-pass-01");
    scjg = api_client(H, "scjgclerk", "staff-pass-01");
    /* the hall sees the CLI's import within its polling period */
    for (int i = 0; i < 60; i++) {
        struct resp *r = client_get(citizen, "/api/v1/items/440600-GA-0002/apply");
        long st = r->status;
        resp_free(r);
        if (st == 200)
            return 0;
        struct timespec ts = {0, 100 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    return -1;
}

static int down(void **state)
{
    client_free(citizen);
    client_free(other);
    client_free(clerk);
    client_free(clerk2);
    client_free(admin);
    client_free(scjg);
    assert_int_equal(hall_stop(H), 0);
    return 0;
}

static json_t *ok(struct resp *r, long status)
{
    if (r->status != status)
        fail_msg("wanted %ld, got %ld: %s", status, r->status, r->body);
    json_t *j = r->len ? resp_json(r) : NULL;
    resp_free(r);
    return j;
}

/* POST an action; the answer's status must be status; returns the case or NULL. */
static json_t *act(struct client *c, const char *number, const char *action, const char *body,
                   long status)
{
    char path[160];
    snprintf(path, sizeof path, "/api/v1/applications/%s/actions/%s", number, action);
    return ok(client_json(c, "POST", path, body ? body : "{}"), status);
}

static const char *state_of(json_t *c)
{
    return json_string_value(json_object_get(c, "state"));
}

static char *apply(struct client *c, const char *body)
{
    json_t *j = ok(client_json(c, "POST", "/api/v1/applications", body), 201);
    char *number = strdup(json_string_value(json_object_get(j, "number")));
    json_decref(j);
    return number;
}

static char case1[16], case2[16];
static int64_t file_a;

static void test_apply_decline(void **state)
{
    /* before starting: what is covered, what remains */
    json_t *prep = ok(client_get(citizen, "/api/v1/items/440600-GA-0002/apply"), 200);
    json_t *mats = json_object_get(prep, "materials");
    assert_int_equal(json_array_size(mats), 3);
    assert_string_equal(json_string_value(json_object_get(json_array_get(mats, 1), "covered_by")),
                        "certificate");
    assert_int_equal(json_integer_value(json_object_get(prep, "remaining")), 1);
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(json_object_get(prep, "prefill"), "applicant_name"),
                            "value")),
                        "申请人21");
    json_decref(prep);

    /* submitting without a required material: refused at the field, nothing made */
    json_t *e = ok(client_json(citizen, "POST", "/api/v1/applications",
                               "{\"item\":\"440600-GA-0002\",\"submit\":true,\"materials\":"
                               "[{\"index\":1,\"source\":\"certificate\"}]}"),
                   422);
    assert_string_equal(json_string_value(json_object_get(e, "field")), "materials[0]");
    json_decref(e);
    /* a form value of the wrong type; someone else's file */
    int64_t theirs = api_upload_pdf(other, "theirs.pdf");
    char body[512];
    snprintf(body, sizeof body,
             "{\"item\":\"440600-GA-0002\",\"submit\":true,\"materials\":[{\"index\":0,"
             "\"upload_id\":%lld}]}",
             (long long)theirs);
    e = ok(client_json(citizen, "POST", "/api/v1/applications", body), 422);
    json_decref(e);
    json_t *mine = ok(client_get(citizen, "/api/v1/applications?mine=1"), 200);
    assert_int_equal(json_integer_value(json_object_get(mine, "total")), 0);
    json_decref(mine);

    /* one upload, one e-certificate: submitted, idempotently */
    file_a = api_upload_pdf(citizen, "birth.pdf");
    snprintf(body, sizeof body,
             "{\"item\":\"440600-GA-0002\",\"submit\":true,\"materials\":[{\"index\":0,"
             "\"upload_id\":%lld},{\"index\":1,\"source\":\"certificate\"}]}",
             (long long)file_a);
    const char *hdr[] = {"Idempotency-Key: apply-0001", NULL};
    struct resp *r = client_req(citizen, "POST", "/api/v1/applications", NULL, body, strlen(body), hdr);
    json_t *c1 = ok(r, 201);
    r = client_req(citizen, "POST", "/api/v1/applications", NULL, body, strlen(body), hdr);
    json_t *again = ok(r, 201);
    assert_string_equal(json_string_value(json_object_get(c1, "number")),
                        json_string_value(json_object_get(again, "number")));
    json_decref(again);
    snprintf(case1, sizeof case1, "%s", json_string_value(json_object_get(c1, "number")));
    assert_int_equal(strlen(case1), 12);
    assert_string_equal(state_of(c1), "submitted");
    /* the applicant sees the statutory date as soon as the clock can tell */
    assert_non_null(json_object_get(json_object_get(c1, "time_limit"), "statutory"));
    json_decref(c1);

    /* other people: as if it did not exist */
    char path[80];
    snprintf(path, sizeof path, "/api/v1/applications/%s", case1);
    json_decref(ok(client_get(other, path), 404));
    json_decref(ok(client_get(scjg, path), 404));
    json_decref(ok(client_get(citizen, "/api/v1/applications/261100000000"), 404));

    /* forbidden steps: the applicant cannot accept; a clerk cannot withdraw */
    json_decref(act(citizen, case1, "accept", NULL, 403));
    json_decref(act(clerk, case1, "withdraw", NULL, 403));
    json_decref(act(scjg, case1, "accept", NULL, 404));
    json_decref(act(clerk, case1, "fly", NULL, 404));
    /* a decline needs its reason */
    json_decref(act(clerk, case1, "decline", NULL, 422));
    json_t *d = act(clerk, case1, "decline", "{\"reason\":\"出生医学证明与户籍信息不符\"}", 200);
    assert_string_equal(state_of(d), "declined");
    json_decref(d);
    /* a final state allows nothing more: 409 with the state */
    e = act(clerk, case1, "accept", NULL, 409);
    assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(e, "errors"), 0), "state")),
                        "declined");
    json_decref(e);
    /* the applicant was told */
    json_t *msgs = ok(client_get(citizen, "/api/v1/messages"), 200);
    assert_true(json_integer_value(json_object_get(msgs, "total")) >= 2);
    json_decref(msgs);
}

static void test_supplement_approve_rate(void **state)
{
    /* the file of the first case is reused from the locker */
    char body[512];
    snprintf(body, sizeof body,
             "{\"item\":\"440600-GA-0002\",\"submit\":true,\"materials\":[{\"index\":0,"
             "\"upload_id\":%lld},{\"index\":1,\"source\":\"certificate\"}]}",
             (long long)file_a);
    char *n = apply(citizen, body);
    snprintf(case2, sizeof case2, "%s", n);
    free(n);
    json_t *prep = ok(client_get(citizen, "/api/v1/items/440600-GA-0002/apply"), 200);
    assert_int_equal(json_integer_value(json_object_get(prep, "remaining")), 0);
    json_decref(prep);

    json_t *list = ok(client_get(clerk, "/api/v1/applications?state=submitted"), 200);
    assert_true(json_integer_value(json_object_get(list, "total")) >= 1);
    json_decref(list);

    json_t *c = act(clerk, case2, "accept", NULL, 200);
    assert_string_equal(state_of(c), "accepted");
    json_t *tl = json_object_get(json_object_get(c, "time_limit"), "statutory");
    assert_string_equal(json_string_value(json_object_get(tl, "state")), "running");
    assert_true(json_is_string(json_object_get(tl, "due")));
    json_decref(c);
    /* everything missing at once */
    c = act(clerk, case2, "request_supplement",
            "{\"missing\":[\"出生医学证明\",\"结婚证\"],\"note\":\"证明模糊，请重新上传\"}", 200);
    assert_string_equal(state_of(c), "supplement");
    assert_int_equal(json_array_size(json_object_get(json_object_get(c, "supplement"), "missing")), 2);
    json_decref(c);
    /* the applicant answers only what was asked, and all of it */
    int64_t file_c = api_upload_pdf(citizen, "birth-clear.pdf");
    snprintf(body, sizeof body, "{\"materials\":[{\"index\":0,\"upload_id\":%lld}]}",
             (long long)file_c);
    json_decref(act(citizen, case2, "supplement", body, 422)); /* 结婚证 still missing */
    json_decref(act(citizen, case2, "supplement",
                    "{\"materials\":[{\"index\":1,\"source\":\"certificate\"}]}", 422));
    snprintf(body, sizeof body,
             "{\"materials\":[{\"index\":0,\"upload_id\":%lld},{\"index\":2,\"source\":"
             "\"government_data\"}]}",
             (long long)file_c);
    c = act(citizen, case2, "supplement", body, 200);
    assert_string_equal(state_of(c), "accepted");
    json_decref(c);
    json_decref(act(clerk, case2, "review", NULL, 200));
    json_decref(act(clerk, case2, "extend", "{\"reason\":\"需要实地核查\"}", 200));
    json_decref(act(clerk, case2, "extend", "{\"reason\":\"再次延长\"}", 409));
    c = act(clerk, case2, "approve", NULL, 200);
    assert_string_equal(state_of(c), "approved");
    json_decref(c);
    json_decref(act(clerk, case2, "deliver", "{\"method\":\"teleport\"}", 422));
    c = act(clerk, case2, "deliver", "{\"method\":\"electronic\"}", 200);
    assert_string_equal(state_of(c), "delivered");
    /* every step in the history, each with who and when */
    json_t *h = json_object_get(c, "history");
    const char *steps[] = {"create", "submit", "accept", "request_supplement", "supplement",
                           "review", "extend", "approve", "deliver"};
    assert_int_equal(json_array_size(h), 9);
    for (size_t i = 0; i < 9; i++) {
        json_t *s = json_array_get(h, i);
        assert_string_equal(json_string_value(json_object_get(s, "action")), steps[i]);
        assert_non_null(json_object_get(json_object_get(s, "actor"), "role"));
    }
    json_decref(c);

    /* a material viewed by staff is in the person's access log */
    char path[160];
    snprintf(path, sizeof path, "/api/v1/applications/%s/materials/%lld", case2, (long long)file_c);
    struct resp *r = client_get(clerk, path);
    assert_int_equal(r->status, 200);
    assert_memory_equal(r->body, "%PDF-1.4 birth-clear.pdf", r->len);
    resp_free(r);
    json_decref(ok(client_get(scjg, path), 404));
    json_t *log = ok(client_get(citizen, "/api/v1/access-log"), 200);
    char *s = json_dumps(log, 0);
    assert_non_null(strstr(s, "\"download\""));
    assert_non_null(strstr(s, "\"gaclerk1\""));
    assert_non_null(strstr(s, case2));
    free(s);
    json_decref(log);

    /* a bad rating opens a rectification task for the department */
    snprintf(path, sizeof path, "/api/v1/applications/%s/rating", case2);
    json_decref(ok(client_json(citizen, "POST", path, "{\"level\":9}"), 422));
    json_decref(ok(client_json(other, "POST", path, "{\"level\":5}"), 404));
    json_t *rated = ok(client_json(citizen, "POST", path,
                                   "{\"level\":2,\"comment\":\"等待时间太长\",\"indicators\":[\"on_time\"]}"),
                       200);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(rated, "rating"), "level")), 2);
    json_decref(rated);
    json_decref(ok(client_json(citizen, "POST", path, "{\"level\":5}"), 409));
    json_t *stats = ok(client_get(citizen, "/api/v1/stats/ratings"), 200);
    s = json_dumps(stats, 0);
    assert_non_null(strstr(s, "\"open_tasks\": 1"));
    free(s);
    json_decref(stats);

    /* the department calls back, puts it right, and closes the task */
    json_decref(ok(client_get(citizen, "/api/v1/rectifications"), 403));
    json_t *tasks = ok(client_get(clerk, "/api/v1/rectifications"), 200);
    json_t *task = json_array_get(json_object_get(tasks, "items"), 0);
    assert_string_equal(json_string_value(json_object_get(task, "case")), case2);
    assert_string_equal(json_string_value(json_object_get(task, "state")), "open");
    assert_true(json_is_string(json_object_get(task, "due")));
    snprintf(path, sizeof path, "/api/v1/rectifications/%lld/close",
             (long long)json_integer_value(json_object_get(task, "id")));
    json_decref(tasks);
    json_decref(ok(client_json(scjg, "POST", path, "{\"note\":\"x\"}"), 404));
    json_decref(ok(client_json(clerk, "POST", path, "{}"), 422));
    json_decref(ok(client_json(clerk, "POST", path, "{\"note\":\"已电话回访，优化了补正告知流程\"}"), 200));
    json_decref(ok(client_json(clerk, "POST", path, "{\"note\":\"again\"}"), 409));
    stats = ok(client_get(citizen, "/api/v1/stats/ratings"), 200);
    s = json_dumps(stats, 0);
    assert_non_null(strstr(s, "\"open_tasks\": 0"));
    free(s);
    json_decref(stats);
}

static void test_withdraw_and_locker(void **state)
{
    char *n = apply(citizen, "{\"item\":\"440600-GA-0001\",\"submit\":false}");
    char path[160];
    snprintf(path, sizeof path, "/api/v1/applications/%s", n);
    json_t *c = ok(client_get(citizen, path), 200);
    assert_string_equal(state_of(c), "draft");
    json_decref(c);
    /* the draft completed and submitted */
    c = ok(client_json(citizen, "PUT", path,
                       "{\"submit\":true,\"materials\":[{\"index\":0,\"source\":\"certificate\"},"
                       "{\"index\":1,\"source\":\"government_data\"}]}"),
           200);
    assert_string_equal(state_of(c), "submitted");
    /* the promised date is there from the start, as an estimate until acceptance */
    json_t *prom = json_object_get(json_object_get(c, "time_limit"), "promised");
    assert_true(json_is_string(json_object_get(prom, "due")));
    assert_true(json_is_true(json_object_get(prom, "estimated")));
    json_decref(c);
    c = act(citizen, n, "withdraw", NULL, 200);
    assert_string_equal(state_of(c), "withdrawn");
    json_decref(c);
    json_t *e = act(citizen, n, "withdraw", NULL, 409);
    assert_non_null(strstr(json_string_value(json_object_get(e, "detail")), "已撤回") ?
                    json_object_get(e, "detail") : json_object_get(e, "errors"));
    json_decref(e);
    free(n);

    /* notification and commitment: a signed pledge in place of a waived material */
    n = apply(citizen, "{\"item\":\"440600-GA-0001\",\"submit\":true,\"materials\":"
                       "[{\"index\":0,\"source\":\"certificate\"},{\"index\":1,\"source\":\"pledge\"}]}");
    snprintf(path, sizeof path, "/api/v1/applications/%s", n);
    c = ok(client_get(citizen, path), 200);
    json_t *pledge = json_object_get(c, "pledge");
    assert_true(json_is_string(json_object_get(pledge, "signed_at")));
    assert_string_equal(json_string_value(json_array_get(json_object_get(pledge, "waived"), 0)),
                        "居住登记凭证");
    json_decref(c);
    free(n);
    /* a pledge where the item allows none is refused */
    json_decref(ok(client_json(citizen, "POST", "/api/v1/applications",
                               "{\"item\":\"440600-GA-0001\",\"submit\":true,\"materials\":"
                               "[{\"index\":0,\"source\":\"pledge\"}]}"),
                   422));

    /* the locker: a file in use cannot be deleted; an unused one can */
    json_t *l = ok(client_get(citizen, "/api/v1/locker"), 200);
    assert_true(json_array_size(json_object_get(l, "items")) >= 2);
    json_decref(l);
    snprintf(path, sizeof path, "/api/v1/locker/%lld", (long long)file_a);
    json_decref(ok(client_req(citizen, "DELETE", path, NULL, NULL, 0, NULL), 409));
    int64_t unused = api_upload_pdf(citizen, "unused.pdf");
    snprintf(path, sizeof path, "/api/v1/locker/%lld", (long long)unused);
    json_decref(ok(client_req(other, "DELETE", path, NULL, NULL, 0, NULL), 404));
    json_decref(ok(client_req(citizen, "DELETE", path, NULL, NULL, 0, NULL), 204));
}

struct racer {
    struct client *c;
    const char *number;
    long status;
    json_int_t version;
};

static void *race(void *arg)
{
    struct racer *x = arg;
    char path[160];
    snprintf(path, sizeof path, "/api/v1/applications/%s/actions/accept", x->number);
    char body[64];
    snprintf(body, sizeof body, "{\"expected_version\":%lld}", (long long)x->version);
    struct resp *r = client_json(x->c, "POST", path, body);
    x->status = r->status;
    resp_free(r);
    return NULL;
}

static void test_two_clerks_at_once(void **state)
{
    for (int round = 0; round < 3; round++) {
        char *n = apply(citizen, "{\"item\":\"440600-GA-0001\",\"submit\":true,\"materials\":"
                                 "[{\"index\":0,\"source\":\"certificate\"},{\"index\":1,"
                                 "\"source\":\"government_data\"}]}");
        /* both clerks opened the case at the same version */
        char path0[160];
        snprintf(path0, sizeof path0, "/api/v1/applications/%s", n);
        json_t *seen = ok(client_get(clerk, path0), 200);
        json_int_t v = json_integer_value(json_object_get(seen, "version"));
        json_decref(seen);
        struct racer a = {clerk, n, 0, v}, b = {clerk2, n, 0, v};
        pthread_t ta, tb;
        pthread_create(&ta, NULL, race, &a);
        pthread_create(&tb, NULL, race, &b);
        pthread_join(ta, NULL);
        pthread_join(tb, NULL);
        if (!((a.status == 200 && b.status == 409) || (a.status == 409 && b.status == 200)))
            fail_msg("round %d: %ld and %ld", round, a.status, b.status);
        char path[160];
        snprintf(path, sizeof path, "/api/v1/applications/%s", n);
        json_t *c = ok(client_get(admin, path), 200);
        assert_string_equal(state_of(c), "accepted");
        /* accepted once: one accept step in the history */
        int accepts = 0;
        size_t i;
        json_t *h;
        json_array_foreach(json_object_get(c, "history"), i, h) accepts +=
            !strcmp(json_string_value(json_object_get(h, "action")), "accept");
        assert_int_equal(accepts, 1);
        json_decref(c);
        free(n);
    }
    /* the department admin sees everything, and assigns */
    json_t *all = ok(client_get(admin, "/api/v1/applications?per_page=100"), 200);
    assert_true(json_integer_value(json_object_get(all, "total")) >= 3);
    json_decref(all);
}

/* --- idempotent creation (Idempotency-Key) --- */

#define IDEM_BODY                                                                                  \
    "{\"item\":\"440600-GA-0001\",\"submit\":true,\"materials\":[{\"index\":0,\"source\":"         \
    "\"certificate\"},{\"index\":1,\"source\":\"government_data\"}]}"

/* POSTs body with the key; the answer, its status checked. */
static struct resp *post_keyed(struct client *c, const char *key, const char *body, long status)
{
    char hdr[200];
    snprintf(hdr, sizeof hdr, "Idempotency-Key: %s", key);
    const char *hdrs[] = {hdr, NULL};
    struct resp *r = client_req(c, "POST", "/api/v1/applications", NULL, body, strlen(body), hdrs);
    if (r->status != status) fail_msg("wanted %ld, got %ld: %s", status, r->status, r->body);
    return r;
}

/* 1 when the answer says it is a replay, 0 when not (and no other value). */
static int replayed(const struct resp *r)
{
    char *h = resp_header(r, "Idempotent-Replayed");
    int yes = h != NULL;
    if (h) assert_string_equal(h, "true");
    free(h);
    return yes;
}

static json_int_t my_cases(struct client *c)
{
    json_t *mine = ok(client_get(c, "/api/v1/applications?mine=1"), 200);
    json_int_t n = json_integer_value(json_object_get(mine, "total"));
    json_decref(mine);
    return n;
}

/* The case number of an answer (>= 16 bytes). */
static void number_in(const struct resp *r, char *out)
{
    json_t *j = resp_json(r);
    const char *n = json_string_value(json_object_get(j, "number"));
    assert_non_null(n);
    snprintf(out, 16, "%s", n);
    json_decref(j);
}

static void test_idempotent_apply(void **state)
{
    struct client *c = person("19900303", 23, "13600000023");
    assert_int_equal(my_cases(c), 0);

    /* the first request creates; the same again answers the same case */
    struct resp *r = post_keyed(c, "idem-key-0001", IDEM_BODY, 201);
    assert_int_equal(replayed(r), 0);
    char first[16], again[16];
    number_in(r, first);
    char *loc = resp_header(r, "Location");
    resp_free(r);
    r = post_keyed(c, "idem-key-0001", IDEM_BODY, 201);
    assert_int_equal(replayed(r), 1);
    number_in(r, again);
    assert_string_equal(first, again);
    char *loc2 = resp_header(r, "Location");
    assert_non_null(loc);
    assert_non_null(loc2);
    assert_string_equal(loc, loc2);
    free(loc);
    free(loc2);
    /* the replay is the case as it is now */
    json_t *j = resp_json(r);
    assert_string_equal(state_of(j), "submitted");
    json_decref(j);
    resp_free(r);
    assert_int_equal(my_cases(c), 1);

    /* the same key with another body is refused, and makes nothing */
    r = post_keyed(c, "idem-key-0001", "{\"item\":\"440600-GA-0001\",\"submit\":false}", 422);
    j = resp_json(r);
    assert_string_equal(json_string_value(json_object_get(j, "field")), "Idempotency-Key");
    json_decref(j);
    resp_free(r);
    assert_int_equal(my_cases(c), 1);
    /* keys of 8 to 128 characters */
    resp_free(post_keyed(c, "short", IDEM_BODY, 422));
    assert_int_equal(my_cases(c), 1);
    /* another person's key of the same name is theirs */
    r = post_keyed(other, "idem-key-0001", IDEM_BODY, 201);
    assert_int_equal(replayed(r), 0);
    number_in(r, again);
    assert_string_not_equal(first, again);
    resp_free(r);

    /* a request refused at a field leaves the key free for the corrected one */
    const char *wrong = "{\"item\":\"440600-GA-0001\",\"submit\":true,\"materials\":"
                        "[{\"index\":0,\"source\":\"certificate\"}]}";
    r = post_keyed(c, "idem-key-0002", wrong, 422);
    j = resp_json(r);
    assert_string_not_equal(json_string_value(json_object_get(j, "field")), "Idempotency-Key");
    json_decref(j);
    resp_free(r);
    assert_int_equal(my_cases(c), 1);
    r = post_keyed(c, "idem-key-0002", IDEM_BODY, 201);
    assert_int_equal(replayed(r), 0);
    number_in(r, again);
    assert_string_not_equal(first, again);
    resp_free(r);
    assert_int_equal(my_cases(c), 2);
    r = post_keyed(c, "idem-key-0002", IDEM_BODY, 201);
    assert_int_equal(replayed(r), 1);
    resp_free(r);
    /* the key has made its case: the wrong request is now a different one */
    resp_free(post_keyed(c, "idem-key-0002", wrong, 422));
    assert_int_equal(my_cases(c), 2);
    client_free(c);
}

#define RACERS 8

struct keyed {
    struct client *c;
    pthread_barrier_t *go;
    const char *key; /**< the header line */
    long status;
    int replayed;
    char number[16];
};

static void *post_at_once(void *arg)
{
    struct keyed *x = arg;
    const char *hdrs[] = {x->key, NULL};
    pthread_barrier_wait(x->go);
    struct resp *r =
        client_req(x->c, "POST", "/api/v1/applications", NULL, IDEM_BODY, strlen(IDEM_BODY), hdrs);
    x->status = r->status;
    if (r->status == 201) {
        char *h = resp_header(r, "Idempotent-Replayed");
        x->replayed = h && !strcmp(h, "true");
        free(h);
        json_t *j = json_loads(r->body, 0, NULL);
        snprintf(x->number, sizeof x->number, "%s",
                 j && json_string_value(json_object_get(j, "number"))
                     ? json_string_value(json_object_get(j, "number"))
                     : "");
        json_decref(j);
    }
    resp_free(r);
    return NULL;
}

static void test_idempotent_apply_at_once(void **state)
{
    struct client *c = person("19900404", 24, "13600000024");
    char *tok = api_login(H, "13600000024", "apply-pass-1");
    assert_non_null(tok);
    char auth[160];
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", tok);
    free(tok);
    for (int round = 0; round < 3; round++) {
        pthread_barrier_t go;
        pthread_barrier_init(&go, NULL, RACERS);
        /* each round its own key, shared by the requests of the round */
        char key[64];
        snprintf(key, sizeof key, "Idempotency-Key: idem-race-%04d", round);
        struct keyed x[RACERS];
        pthread_t th[RACERS];
        for (int i = 0; i < RACERS; i++) {
            x[i] = (struct keyed){client_new(H), &go, key, 0, 0, ""};
            client_header(x[i].c, auth);
        }
        for (int i = 0; i < RACERS; i++)
            pthread_create(&th[i], NULL, post_at_once, &x[i]);
        for (int i = 0; i < RACERS; i++)
            pthread_join(th[i], NULL);
        pthread_barrier_destroy(&go);
        int created = 0;
        for (int i = 0; i < RACERS; i++) {
            if (x[i].status != 201) fail_msg("round %d, request %d: %ld", round, i, x[i].status);
            assert_int_equal(strlen(x[i].number), 12);
            assert_string_equal(x[i].number, x[0].number);
            created += !x[i].replayed;
            client_free(x[i].c);
        }
        /* exactly one request created the case; the others were told it was there */
        assert_int_equal(created, 1);
        assert_int_equal(my_cases(c), round + 1);
    }
    client_free(c);
}

/* Files in the blob store's temporary directory: a stored file lives
 * under its digest, a file being received under tmp/ until it is complete. */
static int blob_tmp_files(void)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/blobs/tmp", H->dir);
    return test_dir_entries(path);
}

static size_t locker_size(struct client *c)
{
    json_t *l = ok(client_get(c, "/api/v1/locker"), 200);
    size_t n = json_array_size(json_object_get(l, "items"));
    json_decref(l);
    return n;
}

/* An upload whose sender goes away half-way: the part received is thrown
 * away, nothing is recorded, and the hall goes on serving. */
static void test_upload_cut_off(void **state)
{
    size_t before = locker_size(citizen);
    char *tok = api_login(H, "13600000021", "apply-pass-1");
    assert_non_null(tok);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)H->port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    char head[1024];
    const char *part = "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; "
                       "filename=\"cut.pdf\"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4\n";
    int n = snprintf(head, sizeof head,
                     "POST /api/v1/uploads HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
                     "%s\r\nContent-Type: multipart/form-data; boundary=XyZ\r\nContent-Length: "
                     "600000\r\n\r\n%s",
                     tok, part);
    free(tok);
    assert_int_equal(write(fd, head, (size_t)n), n);
    char chunk[4096];
    memset(chunk, 'a', sizeof chunk);
    for (int i = 0; i < 60; i++) /* 240 KB of the 600 KB announced */
        assert_int_equal(write(fd, chunk, sizeof chunk), (ssize_t)sizeof chunk);
    /* the server has begun the file by now */
    int seen = 0;
    for (int i = 0; i < 50 && !seen; i++) {
        seen = blob_tmp_files() > 0;
        struct timespec ts = {0, 20 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    assert_true(seen);
    close(fd);
    int left = -1;
    for (int i = 0; i < 100 && left != 0; i++) {
        left = blob_tmp_files();
        struct timespec ts = {0, 20 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    assert_int_equal(left, 0);
    assert_int_equal(locker_size(citizen), before);
    /* the next upload goes through */
    assert_true(api_upload_pdf(citizen, "after-cut.pdf") > 0);
    assert_int_equal(locker_size(citizen), before + 1);
}

/* transactions and commits of the group commit, as the operator sees them */
static void storage_counters(struct client *c, const char *want_backend, int64_t *tx,
                             int64_t *commits)
{
    json_t *j = ok(client_get(c, "/api/v1/stats/storage"), 200);
    assert_string_equal(json_string_value(json_object_get(j, "backend")), want_backend);
    json_t *g = json_object_get(j, "group_commit");
    *tx = json_integer_value(json_object_get(g, "transactions"));
    *commits = json_integer_value(json_object_get(g, "commits"));
    json_decref(j);
}

/* The system administrator reads how writes share commits; an upload and a
 * submission are two group-committed transactions on SQLite. Nobody else
 * may read the counters. */
static void test_storage_counters(void **state)
{
    hall_create_user(H, "root", "管理员", "admin-pass-1", "sysadmin");
    struct client *root = api_client(H, "root", "admin-pass-1");
    int pg = test_db_url() != NULL;
    const char *backend = pg ? "postgresql" : "sqlite";
    int64_t tx0, c0, tx1, c1;
    storage_counters(root, backend, &tx0, &c0);
    char body[512];
    snprintf(body, sizeof body,
             "{\"item\":\"440600-GA-0002\",\"submit\":true,\"materials\":[{\"index\":0,"
             "\"upload_id\":%lld},{\"index\":1,\"source\":\"certificate\"}]}",
             (long long)api_upload_pdf(citizen, "counters.pdf"));
    free(apply(citizen, body));
    storage_counters(root, backend, &tx1, &c1);
    if (pg) {
        /* PostgreSQL commits each transaction on its own */
        assert_int_equal(tx1, 0);
        assert_int_equal(c1, 0);
    } else {
        assert_true(tx1 >= tx0 + 2);
        assert_true(c1 > c0);
        assert_true(c1 <= tx1);
    }
    struct resp *r = client_get(clerk, "/api/v1/stats/storage");
    assert_int_equal(r->status, 403);
    resp_free(r);
    client_free(root);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_apply_decline),
        cmocka_unit_test(test_supplement_approve_rate),
        cmocka_unit_test(test_withdraw_and_locker),
        cmocka_unit_test(test_two_clerks_at_once),
        cmocka_unit_test(test_idempotent_apply),
        cmocka_unit_test(test_idempotent_apply_at_once),
        cmocka_unit_test(test_storage_counters),
        cmocka_unit_test(test_upload_cut_off),
    };
    return cmocka_run_group_tests(tests, up, down);
}
