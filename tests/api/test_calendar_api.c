/**
 * @file test_calendar_api.c
 * @brief The calendar through the API: due dates with the steps that led to
 *        them, the loaded years, and a new year loaded by a system admin,
 *        stored so that the command line (and the next start) knows it.
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
    hall_create_user(H, "calroot", "日历管理员", "cal-pass-01", "sysadmin");
    return 0;
}

static int down(void **state)
{
    assert_int_equal(hall_stop(H), 0);
    return 0;
}

static void test_due_with_derivation(void **state)
{
    struct client *c = client_new(H);
    /* The example without the supplement: 20 working days from
     * Mon 2026-09-28 skip National Day and count Sat 10-10. */
    struct resp *r = client_get(c, "/api/v1/calendar/due?from=2026-09-28&days=20&lang=en");
    assert_int_equal(r->status, 200);
    json_t *j = resp_json(r);
    assert_string_equal(json_string_value(json_object_get(j, "due")), "2026-10-30");
    assert_true(json_is_false(json_object_get(j, "provisional")));
    assert_non_null(strstr(r->body, "National Day"));
    assert_non_null(strstr(r->body, "2026-10-10"));
    json_decref(j);
    resp_free(r);
    /* A year nobody published yet: computed on weekends, marked provisional. */
    r = client_get(c, "/api/v1/calendar/due?from=2031-03-02&days=5");
    j = resp_json(r);
    assert_true(json_is_true(json_object_get(j, "provisional")));
    json_decref(j);
    resp_free(r);
    const char *bad[] = {"/api/v1/calendar/due?from=2026-02-30&days=3",
                         "/api/v1/calendar/due?from=2026-02-03&days=-1",
                         "/api/v1/calendar/due?from=2026-02-03&days=99999",
                         "/api/v1/calendar/due?from=2026-02-03"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        r = client_get(c, bad[i]);
        assert_int_equal(r->status, 422);
        resp_free(r);
    }
    client_free(c);
}

static void test_load_a_year(void **state)
{
    const char *year2030 = "{\"year\": 2030, \"source\": \"测试通知\", \"holidays\": [{\"name\": "
                           "\"国庆节\", \"from\": \"2030-10-01\", \"to\": \"2030-10-07\"}], "
                           "\"adjusted_workdays\": [\"2030-09-29\"]}";
    struct client *c = client_new(H);
    struct resp *r = client_json(c, "POST", "/api/v1/calendar/years", year2030);
    assert_int_equal(r->status, 401);
    resp_free(r);
    char *tok = api_login(H, "calroot", "cal-pass-01");
    char auth[128];
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", tok);
    client_header(c, auth);
    r = client_json(c, "POST", "/api/v1/calendar/years",
                    "{\"year\": 2031, \"holidays\": [{\"name\": \"a\", \"from\": \"2031-05-01\", "
                    "\"to\": \"2031-05-05\"}], \"adjusted_workdays\": [\"2031-05-03\"]}");
    assert_int_equal(r->status, 422);
    resp_free(r);
    r = client_json(c, "POST", "/api/v1/calendar/years", year2030);
    assert_int_equal(r->status, 201);
    resp_free(r);
    r = client_json(c, "POST", "/api/v1/calendar/years", year2030);
    assert_int_equal(r->status, 409);
    resp_free(r);
    r = client_get(c, "/api/v1/calendar/due?from=2030-09-30&days=1");
    json_t *j = resp_json(r);
    assert_string_equal(json_string_value(json_object_get(j, "due")), "2030-10-08");
    assert_true(json_is_false(json_object_get(j, "provisional")));
    json_decref(j);
    resp_free(r);
    /* Stored in the database: the command line sees it too. */
    char *out = NULL;
    const char *args[] = {"calendar", "is-workday", "2030-10-02", NULL};
    assert_int_equal(hall_cli(H, NULL, &out, args), 0);
    assert_non_null(strstr(out, "no"));
    free(out);
    free(tok);
    client_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_due_with_derivation),
        cmocka_unit_test(test_load_a_year),
    };
    return cmocka_run_group_tests(tests, up, down);
}
