/**
 * @file test_enterprises.c
 * @brief Enterprises through the API: registration by a person who becomes
 *        its agent, refusals of bad codes, a pilot-area code that only staff
 *        may accept with a reason, and authorising another agent.
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
    hall_create_user(H, "entclerk", "企业窗口", "ent-pass-01", "staff");
    return 0;
}

static int down(void **state)
{
    assert_int_equal(hall_stop(H), 0);
    return 0;
}

/* GB 32100 check character, computed here independently of the code under test. */
static char uscc_check(const char *c17)
{
    static const char *alpha = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    static const int w[17] = {1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28};
    int sum = 0;
    for (int i = 0; i < 17; i++)
        sum += (int)(strchr(alpha, c17[i]) - alpha) * w[i];
    return alpha[(31 - sum % 31) % 31];
}

static struct client *person(const char *birth, int seq, const char *phone, char *tok_out)
{
    char id[19], body[256];
    test_id_number(birth, seq, id);
    snprintf(body, sizeof body,
             "{\"name\":\"企业主\",\"id_number\":\"%s\",\"phone\":\"%s\",\"password\":\"ent-own-01\"}",
             id, phone);
    struct client *c = client_new(H);
    struct resp *r = client_json(c, "POST", "/api/v1/accounts", body);
    assert_int_equal(r->status, 201);
    json_t *j = resp_json(r);
    snprintf(tok_out, 32, "%lld", (long long)json_integer_value(json_object_get(j, "id")));
    json_decref(j);
    resp_free(r);
    char *tok = api_login(H, phone, "ent-own-01");
    char auth[128];
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", tok);
    client_header(c, auth);
    free(tok);
    return c;
}

static void test_register_and_agents(void **state)
{
    char owner_id[32], other_id[32];
    struct client *owner = person("19800303", 3, "13500000003", owner_id);
    struct client *other = person("19810404", 4, "13500000004", other_id);
    /* A real USCC of a government organ (from the public Sichuan catalog). */
    struct resp *r = client_json(owner, "POST", "/api/v1/enterprises",
                                 "{\"name\":\"佛山市示例科技有限公司\",\"uscc\":\"11511300MB1A21304N\"}");
    if (r->status != 201)
        fail_msg("%ld %s", r->status, r->body);
    json_t *j = resp_json(r);
    int64_t en = json_integer_value(json_object_get(j, "id"));
    json_decref(j);
    resp_free(r);
    r = client_get(owner, "/api/v1/enterprises/mine");
    assert_non_null(strstr(r->body, "11511300MB1A21304N"));
    resp_free(r);
    /* Registered twice: 409. A wrong check character: 422 naming the code. */
    r = client_json(other, "POST", "/api/v1/enterprises",
                    "{\"name\":\"冒名公司\",\"uscc\":\"11511300MB1A21304N\"}");
    assert_int_equal(r->status, 409);
    resp_free(r);
    r = client_json(other, "POST", "/api/v1/enterprises",
                    "{\"name\":\"错码公司\",\"uscc\":\"11511300MB1A21304A\"}");
    assert_int_equal(r->status, 422);
    assert_non_null(strstr(r->body, "\"field\":\"uscc\""));
    resp_free(r);
    /* Only an agent of the enterprise (or staff) authorises another agent. */
    char path[64], body[64];
    snprintf(path, sizeof path, "/api/v1/enterprises/%lld/agents", (long long)en);
    snprintf(body, sizeof body, "{\"account_id\": %s}", other_id);
    r = client_json(other, "POST", path, body);
    assert_int_equal(r->status, 403);
    resp_free(r);
    r = client_json(owner, "POST", path, body);
    assert_int_equal(r->status, 204);
    resp_free(r);
    r = client_get(other, "/api/v1/enterprises/mine");
    assert_non_null(strstr(r->body, "佛山市示例科技有限公司"));
    resp_free(r);
    client_free(owner);
    client_free(other);
}

static void test_pilot_area_code(void **state)
{
    /* A code whose own check character is right but whose embedded
     * organisation code fails GB 11714: refused for a person, accepted by
     * staff with a recorded reason. */
    char code[19] = "91440604MA4W1234";
    code[16] = 'X';
    int ok = 0;
    for (char last = '0'; last <= '9' && !ok; last++) {
        code[16] = last;
        code[17] = uscc_check(code);
        code[18] = 0;
        /* GB 11714 over chars 9-17: weights 3 7 9 10 5 8 4 2 */
        static const int w[8] = {3, 7, 9, 10, 5, 8, 4, 2};
        int sum = 0;
        for (int i = 0; i < 8; i++) {
            char ch = code[8 + i];
            sum += (ch >= '0' && ch <= '9' ? ch - '0' : ch - 'A' + 10) * w[i];
        }
        int c9 = 11 - sum % 11;
        char want = c9 == 10 ? 'X' : c9 == 11 ? '0' : (char)('0' + c9);
        ok = want != code[16];
    }
    assert_true(ok);
    char pid[32];
    struct client *p = person("19820505", 5, "13500000005", pid);
    char body[256];
    snprintf(body, sizeof body, "{\"name\":\"早期试点企业\",\"uscc\":\"%s\"}", code);
    struct resp *r = client_json(p, "POST", "/api/v1/enterprises", body);
    assert_int_equal(r->status, 422);
    assert_non_null(strstr(r->body, "组织机构代码"));
    resp_free(r);
    char *tok = api_login(H, "entclerk", "ent-pass-01");
    struct client *s = client_new(H);
    char auth[128];
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", tok);
    client_header(s, auth);
    snprintf(body, sizeof body,
             "{\"name\":\"早期试点企业\",\"uscc\":\"%s\",\"override_reason\":\"营业执照原件核对无误（2015年前试点赋码）\"}",
             code);
    r = client_json(s, "POST", "/api/v1/enterprises", body);
    assert_int_equal(r->status, 201);
    resp_free(r);
    free(tok);
    client_free(s);
    client_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_register_and_agents),
        cmocka_unit_test(test_pilot_area_code),
    };
    return cmocka_run_group_tests(tests, up, down);
}
