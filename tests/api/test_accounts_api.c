/**
 * @file test_accounts_api.c
 * @brief Accounts through the API, against the real server: registration
 *        and its refusals, login and logout with bearer tokens, who may call
 *        what (401 anonymous, 403 wrong role), CSRF on cookie sessions,
 *        idempotent creation, uploads only for their owner, verified claims,
 *        and the audit trail that all of it leaves.
 */
#include "apitest.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct hall *H;

static int up(void **state)
{
    H = hall_start(test_db_url(), NULL);
    if (!H)
        return -1;
    hall_create_user(H, "root", "管理员", "admin-pass-1", "sysadmin,auditor");
    hall_create_user(H, "clerk1", "窗口人员", "clerk-pass-1", "staff");
    return 0;
}

static int down(void **state)
{
    assert_int_equal(hall_stop(H), 0);
    return 0;
}

static struct resp *register_person(struct client *c, const char *name, const char *id,
                                    const char *phone, const char *pw)
{
    json_t *b = json_pack("{s:s, s:s, s:s, s:s}", "name", name, "id_number", id, "phone", phone,
                          "password", pw);
    char *s = json_dumps(b, 0);
    struct resp *r = client_json(c, "POST", "/api/v1/accounts", s);
    free(s);
    json_decref(b);
    return r;
}

static int64_t account_count(void)
{
    char *tok = api_login(H, "root", "admin-pass-1");
    struct client *c = client_new(H);
    char auth[128];
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", tok);
    client_header(c, auth);
    struct resp *r = client_get(c, "/api/v1/accounts?limit=1");
    assert_int_equal(r->status, 200);
    json_t *j = resp_json(r);
    int64_t n = json_integer_value(json_object_get(j, "total"));
    json_decref(j);
    resp_free(r);
    client_free(c);
    free(tok);
    return n;
}

static const char *problem_field(struct resp *r, char *buf, size_t n)
{
    json_t *j = resp_json(r);
    snprintf(buf, n, "%s", json_string_value(json_object_get(j, "field")) ?: "");
    json_decref(j);
    return buf;
}

static void test_registration(void **state)
{
    struct client *c = client_new(H);
    char id[19], f[64];
    test_id_number("19920315", 41, id);
    int64_t before = account_count();
    struct resp *r = register_person(c, "陈一", id, "13311112222", "good-pass-1");
    assert_int_equal(r->status, 201);
    json_t *j = resp_json(r);
    assert_string_equal(json_string_value(json_object_get(j, "id_number")), id); /* own: whole */
    assert_int_equal(json_integer_value(json_object_get(j, "realname_level")), 0);
    json_decref(j);
    resp_free(r);

    char bad[19], other[19];
    test_id_number("19800101", 1, other);
    memcpy(bad, id, 19);
    bad[17] = bad[17] == '1' ? '2' : '1';
    struct {
        const char *name, *id, *phone, *pw, *field;
        long status;
    } cases[] = {
        {"陈二", bad, "13311113333", "good-pass-1", "id_number", 422},           /* check digit */
        {"陈二", "440604199302301234", "13311113333", "good-pass-1", "id_number", 422}, /* Feb 30 */
        {"陈二", "4406041993", "13311113333", "good-pass-1", "id_number", 422},  /* length */
        {"陈二", id, "13311113333", "good-pass-1", "id_number", 409},             /* taken */
        {"<b>陈</b>", other, "13311113333", "good-pass-1", "name", 422},
        {"x' OR '1'='1", other, "13311113333", "good-pass-1", "name", 422},
        {"陈二", other, "12345", "good-pass-1", "phone", 422},
        {"陈二", other, "13311113333", "short", "password", 422},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        r = register_person(c, cases[i].name, cases[i].id, cases[i].phone, cases[i].pw);
        if (r->status != cases[i].status)
            fail_msg("case %zu: status %ld: %s", i, r->status, r->body);
        assert_string_equal(problem_field(r, f, sizeof f), cases[i].field);
        if (cases[i].status == 409)
            assert_non_null(strstr(r->body, "核验")); /* tells the owner how to claim it */
        resp_free(r);
    }
    assert_int_equal(account_count(), before + 1);
    client_free(c);
}

static void test_idempotent_registration(void **state)
{
    struct client *c = client_new(H);
    char id[19];
    test_id_number("19880808", 8, id);
    char body[512];
    snprintf(body, sizeof body,
             "{\"name\":\"林八\",\"id_number\":\"%s\",\"phone\":\"13588889999\",\"password\":"
             "\"eight-pass-8\"}",
             id);
    const char *h[] = {"Idempotency-Key: 6b1f2c9e-reg-0001", NULL};
    struct resp *a = client_req(c, "POST", "/api/v1/accounts", "application/json", body,
                                strlen(body), h);
    assert_int_equal(a->status, 201);
    struct resp *b = client_req(c, "POST", "/api/v1/accounts", "application/json", body,
                                strlen(body), h);
    assert_int_equal(b->status, 201);
    assert_string_equal(a->body, b->body);
    char *replayed = resp_header(b, "Idempotent-Replayed");
    assert_non_null(replayed);
    free(replayed);
    /* The same key for a different request is refused. */
    body[strlen(body) - 3] = 'X';
    struct resp *d = client_req(c, "POST", "/api/v1/accounts", "application/json", body,
                                strlen(body), h);
    assert_int_equal(d->status, 422);
    resp_free(a);
    resp_free(b);
    resp_free(d);
    client_free(c);
}

static void test_login_roles_logout(void **state)
{
    struct client *c = client_new(H);
    char id[19];
    test_id_number("19951111", 11, id);
    resp_free(register_person(c, "黄十一", id, "13611111111", "eleven-pass-1"));
    /* Anonymous: 401 on a logged-in route. */
    struct resp *r = client_get(c, "/api/v1/accounts/me");
    assert_int_equal(r->status, 401);
    char *www = resp_header(r, "WWW-Authenticate");
    assert_non_null(www);
    free(www);
    resp_free(r);
    /* Wrong password: 401; the ID number with a lowercase x works like upper. */
    assert_null(api_login(H, id, "wrong-pass"));
    char *tok = api_login(H, id, "eleven-pass-1");
    assert_non_null(tok);
    char auth[128];
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", tok);
    client_header(c, auth);
    r = client_get(c, "/api/v1/accounts/me");
    assert_int_equal(r->status, 200);
    assert_non_null(strstr(r->body, "黄十一"));
    resp_free(r);
    /* A citizen on an admin or staff route: 403. */
    r = client_get(c, "/api/v1/accounts");
    assert_int_equal(r->status, 403);
    resp_free(r);
    r = client_json(c, "POST", "/api/v1/identity-verifications", "{}");
    assert_int_equal(r->status, 403);
    resp_free(r);
    r = client_get(c, "/api/v1/audit/verify");
    assert_int_equal(r->status, 403);
    resp_free(r);
    /* Log out: the token stops working. */
    r = client_req(c, "DELETE", "/api/v1/session", NULL, NULL, 0, NULL);
    assert_int_equal(r->status, 204);
    resp_free(r);
    r = client_get(c, "/api/v1/accounts/me");
    assert_int_equal(r->status, 401);
    resp_free(r);
    free(tok);
    /* Staff log in by login name; the admin sees ID numbers masked. */
    tok = api_login(H, "root", "admin-pass-1");
    client_clear_headers(c);
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", tok);
    client_header(c, auth);
    r = client_get(c, "/api/v1/accounts?limit=500");
    assert_int_equal(r->status, 200);
    assert_null(strstr(r->body, id));
    char masked[19];
    snprintf(masked, sizeof masked, "%.4s**********%.4s", id, id + 14);
    assert_non_null(strstr(r->body, masked));
    resp_free(r);
    free(tok);
    client_free(c);
}

static void test_throttling(void **state)
{
    int got429 = 0;
    for (int i = 0; i < 6 && !got429; i++) {
        struct client *c = client_new(H);
        struct resp *r = client_json(c, "POST", "/api/v1/session",
                                     "{\"username\":\"clerk1\",\"password\":\"guess-1234\"}");
        if (r->status == 429) {
            got429 = 1;
            char *ra = resp_header(r, "Retry-After");
            assert_non_null(ra);
            assert_true(atoi(ra) >= 1);
            free(ra);
        } else {
            assert_int_equal(r->status, 401);
        }
        resp_free(r);
        client_free(c);
    }
    assert_true(got429);
}

static void test_csrf_on_cookie_sessions(void **state)
{
    /* A cookie session (as a browser has) must send the CSRF token with
     * state-changing requests; without it: 403, and nothing happens. */
    struct client *c = client_new(H);
    struct resp *r = client_json(c, "POST", "/api/v1/session",
                                 "{\"username\":\"root\",\"password\":\"admin-pass-1\"}");
    json_t *j = resp_json(r);
    char cookie[160];
    snprintf(cookie, sizeof cookie, "Cookie: oh_sid=%s",
             json_string_value(json_object_get(j, "token")));
    json_decref(j);
    resp_free(r);
    /* That token is an API token: as a cookie it opens no web session. */
    const char *h[] = {cookie, NULL};
    r = client_req(c, "GET", "/api/v1/accounts/me", NULL, NULL, 0, h);
    assert_int_equal(r->status, 401);
    resp_free(r);
    /* A form post with no token is refused whoever sends it. */
    r = client_form(c, "/api/v1/accounts", "name=x&id_number=y");
    assert_int_equal(r->status, 403);
    json_t *p = resp_json(r);
    assert_string_equal(json_string_value(json_object_get(p, "type")), "/problems/csrf-token-invalid");
    json_decref(p);
    resp_free(r);
    client_free(c);
}

static void test_uploads(void **state)
{
    char id[19];
    test_id_number("19900909", 9, id);
    struct client *anon = client_new(H);
    resp_free(register_person(anon, "郭九", id, "13799990000", "upload-pass-9"));
    char *tok = api_login(H, "13799990000", "upload-pass-9");
    struct client *c = client_new(H);
    char auth[128];
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", tok);
    client_header(c, auth);
    const char body[] = "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; "
                        "filename=\"身份证.pdf\"\r\nContent-Type: application/pdf\r\n\r\n"
                        "%PDF-1.4 hello\r\n--XyZ--\r\n";
    struct resp *r = client_req(c, "POST", "/api/v1/uploads", "multipart/form-data; boundary=XyZ",
                                body, sizeof body - 1, NULL);
    assert_int_equal(r->status, 201);
    json_t *j = resp_json(r);
    json_t *item = json_array_get(json_object_get(j, "items"), 0);
    int64_t uid = json_integer_value(json_object_get(item, "id"));
    assert_string_equal(json_string_value(json_object_get(item, "content_type")), "application/pdf");
    assert_string_equal(json_string_value(json_object_get(item, "filename")), "身份证.pdf");
    json_decref(j);
    resp_free(r);
    char path[64];
    snprintf(path, sizeof path, "/api/v1/uploads/%lld", (long long)uid);
    r = client_get(c, path);
    assert_int_equal(r->status, 200);
    assert_int_equal(r->len, strlen("%PDF-1.4 hello"));
    assert_memory_equal(r->body, "%PDF-1.4 hello", r->len);
    resp_free(r);
    /* Another person cannot see it; nor can anybody anonymous. */
    r = client_get(anon, path);
    assert_int_equal(r->status, 401);
    resp_free(r);
    char *other = api_login(H, "clerk1", "clerk-pass-1");
    if (other) { /* may be throttled by the test before: then skip this part */
        struct client *o = client_new(H);
        snprintf(auth, sizeof auth, "Authorization: Bearer %s", other);
        client_header(o, auth);
        r = client_get(o, path);
        assert_int_equal(r->status, 404);
        resp_free(r);
        client_free(o);
        free(other);
    }
    /* A file that is not what it claims is refused. */
    const char exe[] = "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; "
                       "filename=\"a.pdf\"\r\nContent-Type: application/pdf\r\n\r\n"
                       "MZ\x90\x00 not a pdf\r\n--XyZ--\r\n";
    r = client_req(c, "POST", "/api/v1/uploads", "multipart/form-data; boundary=XyZ", exe,
                   sizeof exe - 1, NULL);
    assert_int_equal(r->status, 415);
    resp_free(r);
    free(tok);
    client_free(c);
    client_free(anon);
}

static void test_verified_claim(void **state)
{
    char id[19];
    test_id_number("19770707", 77, id);
    struct client *c = client_new(H);
    resp_free(register_person(c, "冒名", id, "13677770000", "squat-pass-7"));
    char *squat = api_login(H, "13677770000", "squat-pass-7");
    assert_non_null(squat);
    char *admin = api_login(H, "root", "admin-pass-1");
    /* Grant the clerk role to... the admin itself for the counter check. */
    char auth[128];
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", admin);
    client_header(c, auth);
    struct resp *r = client_get(c, "/api/v1/accounts/me");
    json_t *me = resp_json(r);
    char path[64];
    snprintf(path, sizeof path, "/api/v1/accounts/%lld/roles",
             (long long)json_integer_value(json_object_get(me, "id")));
    json_decref(me);
    resp_free(r);
    r = client_json(c, "POST", path, "{\"role\":\"staff\"}");
    assert_int_equal(r->status, 200);
    resp_free(r);
    char body[256];
    snprintf(body, sizeof body,
             "{\"name\":\"吴七\",\"id_number\":\"%s\",\"phone\":\"13677771111\",\"password\":"
             "\"owner-pass-7\",\"method\":\"counter\"}",
             id);
    r = client_json(c, "POST", "/api/v1/identity-verifications", body);
    assert_int_equal(r->status, 200);
    json_t *j = resp_json(r);
    assert_int_equal(json_integer_value(json_object_get(j, "realname_level")), 1);
    assert_string_equal(json_string_value(json_object_get(j, "id_number")), id);
    json_decref(j);
    resp_free(r);
    /* The squatter's session is gone; the owner logs in with the number. */
    struct client *s = client_new(H);
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", squat);
    client_header(s, auth);
    r = client_get(s, "/api/v1/accounts/me");
    assert_int_equal(r->status, 401);
    resp_free(r);
    char *owner = api_login(H, id, "owner-pass-7");
    assert_non_null(owner);
    free(owner);
    free(squat);
    free(admin);
    client_free(s);
    client_free(c);
}

static void test_audit_trail(void **state)
{
    char *admin = api_login(H, "root", "admin-pass-1");
    struct client *c = client_new(H);
    char auth[128];
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", admin);
    client_header(c, auth);
    struct resp *r = client_get(c, "/api/v1/audit/verify");
    assert_int_equal(r->status, 200);
    json_t *j = resp_json(r);
    assert_true(json_is_true(json_object_get(j, "intact")));
    assert_true(json_integer_value(json_object_get(j, "entries")) > 5);
    json_decref(j);
    resp_free(r);
    char *out = NULL;
    const char *args[] = {"audit", "verify", NULL};
    assert_int_equal(hall_cli(H, NULL, &out, args), 0);
    assert_non_null(strstr(out, "intact"));
    free(out);
    free(admin);
    client_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_registration),
        cmocka_unit_test(test_idempotent_registration),
        cmocka_unit_test(test_login_roles_logout),
        cmocka_unit_test(test_csrf_on_cookie_sessions),
        cmocka_unit_test(test_uploads),
        cmocka_unit_test(test_verified_claim),
        cmocka_unit_test(test_audit_trail),
        cmocka_unit_test(test_throttling),
    };
    return cmocka_run_group_tests(tests, up, down);
}
