/**
 * @file test_editor_pages.c
 * @brief The catalog editor console through its pages, as an editor's
 *        browser uses it (forms with the CSRF token, no JavaScript): who may
 *        come in, editing a published item into a draft and publishing it,
 *        a broken value refused at its field with nothing saved, carding
 *        problems shown when an incomplete draft is published, a department
 *        admin kept to their department, new items, the history of
 *        versions with what changed, the carding report; every page
 *        well-formed with working label and aria references.
 */
#include "apitest.h"
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SMALL ONEHALL_SOURCE_DIR "/tests/data/catalog/small.json"

static struct hall *H;

static int up(void **state)
{
    H = hall_start(test_db_url(), NULL);
    if (!H) return -1;
    hall_create_user(H, "editor1", "目录编辑", "edit-pass-01", "catalog_editor");
    char *tok = api_login(H, "editor1", "edit-pass-01");
    assert_non_null(tok);
    struct client *c = client_new(H);
    char auth[160];
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", tok);
    client_header(c, auth);
    free(tok);
    char *doc = test_read_file(SMALL);
    struct resp *r = client_json(c, "POST", "/api/v1/catalog/import", doc);
    if (r->status != 200) fail_msg("import: %ld %s", r->status, r->body);
    resp_free(r);
    free(doc);
    client_free(c);
    /* a department admin of the police, once the department exists */
    const char *args[] = {"user",   "create",     "--username",       "gaadmin",
                          "--name", "公安管理员", "--department",     "FS-GA",
                          "--role", "dept_admin", "--password-stdin", NULL};
    assert_int_equal(hall_cli(H, "ga-admin-pass-1\n", NULL, args), 0);
    hall_create_user(H, "clerk1", "窗口一", "clerk-pass-1", "staff");
    return 0;
}

static int down(void **state)
{
    assert_int_equal(hall_stop(H), 0);
    return 0;
}

static void expect_location(struct resp *r, const char *where)
{
    char *loc = page_location(r);
    assert_string_equal(loc, where);
    free(loc);
}

/* POSTs the url-encoded fields after the CSRF token of the page at from. */
static struct resp *post_from(struct client *c, const char *from, const char *path,
                              const char *fields)
{
    struct resp *r = client_get(c, from);
    char *csrf = html_input_value(r->body, "csrf");
    assert_non_null(csrf);
    resp_free(r);
    size_t n = strlen(csrf) + strlen(fields) + 16;
    char *form = malloc(n);
    snprintf(form, n, "csrf=%s&%s", csrf, fields);
    r = client_form(c, path, form);
    free(form);
    free(csrf);
    return r;
}

/* GET /api/v1/items/<code>: the guide in force. */
static json_t *api_item(const char *code)
{
    struct client *c = client_new(H);
    char path[128];
    snprintf(path, sizeof path, "/api/v1/items/%s", code);
    struct resp *r = client_get(c, path);
    if (r->status != 200) fail_msg("%s: %ld %s", path, r->status, r->body);
    json_t *j = resp_json(r);
    resp_free(r);
    client_free(c);
    return j;
}

/* How many versions of code are stored, drafts included (as an editor
 * sees them through the API). */
static size_t version_count(const char *code)
{
    struct client *c = client_new(H);
    char *tok = api_login(H, "editor1", "edit-pass-01");
    assert_non_null(tok);
    char auth[160], path[128];
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", tok);
    free(tok);
    client_header(c, auth);
    snprintf(path, sizeof path, "/api/v1/items/%s/versions", code);
    struct resp *r = client_get(c, path);
    assert_int_equal(r->status, 200);
    json_t *j = resp_json(r);
    size_t n = json_array_size(json_object_get(j, "items"));
    json_decref(j);
    resp_free(r);
    client_free(c);
    return n;
}

/* --- tests --- */

static void test_who_may_come_in(void **state)
{
    struct client *anon = client_new(H);
    struct resp *r = client_get(anon, "/editor");
    expect_location(r, "/login?next=/editor");
    resp_free(r);
    r = client_get(anon, "/editor/items/440600-GA-0001");
    expect_location(r, "/login?next=/editor/items/440600-GA-0001");
    resp_free(r);
    client_free(anon);

    struct client *clerk = page_client(H, "clerk1", "clerk-pass-1");
    static const char *const pages[] = {"/editor", "/editor/new", "/editor/carding",
                                        "/editor/items/440600-GA-0001",
                                        "/editor/items/440600-GA-0001/history"};
    for (size_t i = 0; i < sizeof pages / sizeof *pages; i++) {
        r = client_get(clerk, pages[i]);
        page_expect(r, 403, "zh-CN", "editor.");
        resp_free(r);
    }
    r = post_from(clerk, "/profile", "/editor/items/440600-GA-0001/publish", "x=1");
    page_expect(r, 403, "zh-CN", "editor.");
    resp_free(r);
    client_free(clerk);

    struct client *ed = page_client(H, "editor1", "edit-pass-01");
    r = client_get(ed, "/editor");
    page_expect(r, 200, "zh-CN", "editor.");
    assert_non_null(strstr(r->body, "事项编辑台"));
    assert_non_null(strstr(r->body, "href=\"/editor/items/440600-GA-0001\""));
    assert_non_null(strstr(r->body, "href=\"/editor/items/440600-SCJG-0002\""));
    assert_non_null(strstr(r->body, "href=\"/editor/new\""));
    assert_non_null(strstr(r->body, "href=\"/editor/carding\""));
    assert_non_null(strstr(r->body, "佛山市公安局") || strstr(r->body, "FS-GA"));
    resp_free(r);
    /* the department filter */
    r = client_get(ed, "/editor?department=FS-GA");
    page_expect(r, 200, "zh-CN", "editor.");
    assert_non_null(strstr(r->body, "440600-GA-0001"));
    assert_null(strstr(r->body, "440600-SCJG-0001"));
    resp_free(r);
    /* in English too */
    r = client_get(ed, "/editor?lang=en");
    page_expect(r, 200, "en", "editor.");
    assert_non_null(strstr(r->body, "Catalog editor console"));
    resp_free(r);
    r = client_get(ed, "/editor/items/NO-SUCH-CODE");
    page_expect(r, 404, "en", "editor.");
    resp_free(r);
    client_free(ed);
}

static void test_edit_publish(void **state)
{
    struct client *ed = page_client(H, "editor1", "edit-pass-01");
    struct resp *r = client_get(ed, "/editor/items/440600-GA-0001");
    page_expect(r, 200, "zh-CN", "editor.");
    assert_non_null(strstr(r->body, "id=\"f-visits\""));
    assert_non_null(strstr(r->body, "<textarea rows=\"8\" id=\"f-materials\""));
    assert_non_null(strstr(r->body, "id=\"f-channels_online\""));
    /* only a published version: withdraw, no publish */
    assert_non_null(strstr(r->body, "action=\"/editor/items/440600-GA-0001/withdraw\""));
    assert_null(strstr(r->body, "action=\"/editor/items/440600-GA-0001/publish\""));
    char *name = html_input_value(r->body, "name");
    assert_string_equal(name, "居住证申领");
    free(name);
    resp_free(r);

    /* a browser posts every field: as the page shows them, one changed */
    char *short_name = test_urlenc("居住证（新）");
    char fields[256];
    snprintf(fields, sizeof fields, "short_name=%s", short_name);
    free(short_name);
    r = post_from(ed, "/editor/items/440600-GA-0001", "/editor/items/440600-GA-0001", fields);
    expect_location(r, "/editor/items/440600-GA-0001?saved=2");
    resp_free(r);
    assert_int_equal(version_count("440600-GA-0001"), 2);
    r = client_get(ed, "/editor/items/440600-GA-0001?saved=2");
    page_expect(r, 200, "zh-CN", "editor.");
    assert_non_null(strstr(r->body, "已保存为草稿（第 2 版）"));
    assert_non_null(strstr(r->body, "value=\"居住证（新）\""));
    assert_non_null(strstr(r->body, "action=\"/editor/items/440600-GA-0001/publish\""));
    assert_non_null(strstr(r->body, "href=\"/items/440600-GA-0001?version=2\"")); /* preview */
    resp_free(r);
    /* the public still sees version 1 */
    json_t *j = api_item("440600-GA-0001");
    assert_int_equal(json_integer_value(json_object_get(j, "version")), 1);
    json_decref(j);

    r = post_from(ed, "/editor/items/440600-GA-0001", "/editor/items/440600-GA-0001/publish",
                  "x=1");
    expect_location(r, "/editor/items/440600-GA-0001?published=2");
    resp_free(r);
    j = api_item("440600-GA-0001");
    assert_int_equal(json_integer_value(json_object_get(j, "version")), 2);
    assert_string_equal(json_string_value(json_object_get(j, "short_name")), "居住证（新）");
    /* members the form carries as JSON came through unchanged */
    assert_int_equal(json_array_size(json_object_get(j, "materials")), 2);
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(j, "legal_basis"), 0), "law")),
                        "中华人民共和国行政许可法");
    json_decref(j);

    /* the history: both versions, what changed */
    r = client_get(ed, "/editor/items/440600-GA-0001/history");
    page_expect(r, 200, "zh-CN", "editor.");
    assert_non_null(strstr(r->body, "href=\"/items/440600-GA-0001?version=1\""));
    assert_non_null(strstr(r->body, "href=\"/items/440600-GA-0001?version=2\""));
    assert_non_null(strstr(r->body, "简称"));
    assert_non_null(strstr(r->body, "首个版本"));
    assert_non_null(strstr(r->body, "已被取代"));
    resp_free(r);
    client_free(ed);
}

static void test_full_form_round_trip(void **state)
{
    /* the whole form as a browser sends it: every field, checkboxes as
     * ticked, JSON as shown; changing visits and channels only */
    struct client *ed = page_client(H, "editor1", "edit-pass-01");
    struct resp *r = client_get(ed, "/editor/items/440600-RS-0001");
    page_expect(r, 200, "zh-CN", "editor.");
    resp_free(r);
    json_t *before = api_item("440600-RS-0001");
    json_t *mats = json_object_get(before, "materials");
    char *mtext = json_dumps(mats, JSON_INDENT(2));
    char *m = test_urlenc(mtext);
    free(mtext);
    char *nm = test_urlenc(json_string_value(json_object_get(before, "name")));
    size_t n = strlen(m) + strlen(nm) + 1024;
    char *fields = malloc(n);
    snprintf(fields, n,
             "name=%s&visits=%%EF%%BC%%91&channels_shown=1&channels_online=1&channels_counter=1"
             "&materials=%s&keywords=%%E7%%A4%%BE%%E4%%BF%%9D%%E5%%8D%%A1%%0D%%0A%%0D%%0A"
             "%%E5%%8D%%A1",
             nm, m);
    free(m);
    free(nm);
    r = post_from(ed, "/editor/items/440600-RS-0001", "/editor/items/440600-RS-0001", fields);
    free(fields);
    expect_location(r, "/editor/items/440600-RS-0001?saved=2");
    resp_free(r);
    r = client_get(ed, "/editor/items/440600-RS-0001");
    page_expect(r, 200, "zh-CN", "editor.");
    char *visits = html_input_value(r->body, "visits");
    assert_string_equal(visits, "1"); /* full-width "１" folded */
    free(visits);
    assert_non_null(strstr(r->body, "name=\"channels_online\" value=\"1\" checked"));
    assert_null(strstr(r->body, "name=\"channels_mobile\" value=\"1\" checked"));
    assert_non_null(strstr(r->body, ">社保卡\n卡</textarea>")); /* blank lines dropped */
    resp_free(r);
    json_decref(before);
    client_free(ed);
}

static void test_broken_value_refused_at_field(void **state)
{
    struct client *ed = page_client(H, "editor1", "edit-pass-01");
    struct resp *r = post_from(ed, "/editor/items/440600-GA-0002", "/editor/items/440600-GA-0002",
                               "visits=-1&process=%5B%7B%22step%22%3A");
    page_expect(r, 422, "zh-CN", "editor.");
    assert_non_null(strstr(r->body, "id=\"form-error\""));
    assert_non_null(strstr(r->body, "href=\"#f-visits\""));
    assert_non_null(strstr(r->body, "id=\"e-visits\""));
    assert_non_null(
        strstr(r->body, "aria-invalid=\"true\" aria-describedby=\"e-visits h-visits\""));
    assert_non_null(strstr(r->body, "value=\"-1\"")); /* what was typed stays */
    assert_non_null(strstr(r->body, "不能为负数"));
    /* JSON that does not parse: at its field, kept as typed */
    assert_non_null(strstr(r->body, "id=\"e-process\""));
    assert_non_null(strstr(r->body, "[{&quot;step&quot;:</textarea>"));
    resp_free(r);
    /* nothing saved */
    assert_int_equal(version_count("440600-GA-0002"), 1);
    /* a number that is no number */
    r = post_from(ed, "/editor/items/440600-GA-0002", "/editor/items/440600-GA-0002",
                  "statutory_value=abc");
    page_expect(r, 422, "zh-CN", "editor.");
    assert_non_null(strstr(r->body, "id=\"e-statutory_value\""));
    assert_non_null(strstr(r->body, "应为整数"));
    resp_free(r);
    assert_int_equal(version_count("440600-GA-0002"), 1);
    client_free(ed);
}

static void test_publish_incomplete_draft(void **state)
{
    struct client *ed = page_client(H, "editor1", "edit-pass-01");
    struct resp *r = client_get(ed, "/editor/items/440600-SCJG-0002");
    page_expect(r, 200, "zh-CN", "editor.");
    /* the carding under the form says what keeps it back */
    assert_non_null(strstr(r->body, "缺少设定依据"));
    assert_null(strstr(r->body, "action=\"/editor/items/440600-SCJG-0002/withdraw\""));
    resp_free(r);
    r = post_from(ed, "/editor/items/440600-SCJG-0002", "/editor/items/440600-SCJG-0002/publish",
                  "x=1");
    page_expect(r, 422, "zh-CN", "editor.");
    assert_non_null(strstr(r->body, "role=\"alert\""));
    assert_non_null(strstr(r->body, "梳理发现"));
    assert_non_null(strstr(r->body, "href=\"#f-legal_basis\""));
    assert_non_null(strstr(r->body, "id=\"e-legal_basis\""));
    resp_free(r);
    /* still a draft */
    r = client_get(ed, "/editor/items/440600-SCJG-0002");
    assert_non_null(strstr(r->body, "草稿（第 1 版）"));
    resp_free(r);
    client_free(ed);
}

static void test_department_admin_scope(void **state)
{
    struct client *ga = page_client(H, "gaadmin", "ga-admin-pass-1");
    struct resp *r = client_get(ga, "/editor");
    page_expect(r, 200, "zh-CN", "editor.");
    assert_non_null(strstr(r->body, "440600-GA-0002"));
    assert_null(strstr(r->body, "440600-SCJG-0001"));
    assert_null(strstr(r->body, "value=\"FS-SCJG\""));
    resp_free(r);
    r = client_get(ga, "/editor/items/440600-SCJG-0001");
    page_expect(r, 403, "zh-CN", "editor.");
    resp_free(r);
    r = post_from(ga, "/editor", "/editor/items/440600-SCJG-0001", "visits=1");
    page_expect(r, 403, "zh-CN", "editor.");
    resp_free(r);
    r = post_from(ga, "/editor", "/editor/items/440600-SCJG-0001/withdraw", "x=1");
    page_expect(r, 403, "zh-CN", "editor.");
    resp_free(r);
    assert_int_equal(version_count("440600-SCJG-0001"), 2);
    r = client_get(ga, "/editor/items/440600-GA-0002");
    page_expect(r, 200, "zh-CN", "editor.");
    assert_non_null(strstr(r->body, "<option value=\"FS-GA\" selected>"));
    assert_null(strstr(r->body, "value=\"FS-SCJG\""));
    assert_null(strstr(r->body, "value=\"FS-RS\""));
    resp_free(r);
    /* a department chosen by hand outside the select */
    r = post_from(ga, "/editor", "/editor/items/440600-GA-0002", "department=FS-RS");
    page_expect(r, 403, "zh-CN", "editor.");
    assert_non_null(strstr(r->body, "id=\"e-department\""));
    resp_free(r);
    assert_int_equal(version_count("440600-GA-0002"), 1);
    r = client_get(ga, "/editor/carding");
    page_expect(r, 200, "zh-CN", "editor.");
    assert_null(strstr(r->body, "440600-SCJG"));
    resp_free(r);
    client_free(ga);
}

static void test_new_item(void **state)
{
    struct client *ed = page_client(H, "editor1", "edit-pass-01");
    struct resp *r = client_get(ed, "/editor/new");
    page_expect(r, 200, "zh-CN", "editor.");
    assert_non_null(strstr(r->body, "id=\"f-code\""));
    resp_free(r);
    char *name = test_urlenc("临时身份证申领");
    char fields[512];
    /* a code taken, and no code */
    snprintf(fields, sizeof fields, "code=440600-GA-0001&name=%s&department=FS-GA", name);
    r = post_from(ed, "/editor/new", "/editor/new", fields);
    page_expect(r, 422, "zh-CN", "editor.");
    assert_non_null(strstr(r->body, "id=\"e-code\""));
    assert_non_null(strstr(r->body, "已被其他事项使用"));
    resp_free(r);
    snprintf(fields, sizeof fields, "code=&name=%s&department=FS-GA", name);
    r = post_from(ed, "/editor/new", "/editor/new", fields);
    page_expect(r, 422, "zh-CN", "editor.");
    assert_non_null(strstr(r->body, "id=\"e-code\""));
    resp_free(r);
    snprintf(fields, sizeof fields,
             "code=440600-GA-0099&name=%s&department=FS-GA&type=01&handling=promised"
             "&target=person&statutory_unit=working_days&statutory_value=20",
             name);
    free(name);
    r = post_from(ed, "/editor/new", "/editor/new", fields);
    expect_location(r, "/editor/items/440600-GA-0099?saved=1");
    resp_free(r);
    r = client_get(ed, "/editor/items/440600-GA-0099");
    page_expect(r, 200, "zh-CN", "editor.");
    assert_non_null(strstr(r->body, "草稿（第 1 版）"));
    assert_non_null(strstr(r->body, "缺少设定依据"));
    char *region = html_input_value(r->body, "region");
    assert_non_null(region);
    free(region);
    resp_free(r);
    client_free(ed);
}

static void test_carding_report(void **state)
{
    struct client *ed = page_client(H, "editor1", "edit-pass-01");
    struct resp *r = client_get(ed, "/editor/carding");
    page_expect(r, 200, "zh-CN", "editor.");
    assert_non_null(strstr(r->body, "440600-SCJG-0002"));
    assert_non_null(strstr(r->body, "缺少设定依据"));
    resp_free(r);
    r = client_get(ed, "/editor/carding?department=CC-SCJG&lang=en");
    page_expect(r, 200, "en", "editor.");
    assert_non_null(strstr(r->body, "440600-SCJG-0002"));
    assert_null(strstr(r->body, "440600-GA-0001"));
    resp_free(r);
    client_free(ed);
}

static void test_withdraw(void **state)
{
    struct client *ed = page_client(H, "editor1", "edit-pass-01");
    struct resp *r = post_from(ed, "/editor", "/editor/items/440600-GA-0002/withdraw", "x=1");
    expect_location(r, "/editor/items/440600-GA-0002?withdrawn=1");
    resp_free(r);
    struct client *anon = client_new(H);
    r = client_get(anon, "/api/v1/items/440600-GA-0002");
    assert_int_equal(r->status, 404);
    resp_free(r);
    client_free(anon);
    r = client_get(ed, "/editor/items/440600-GA-0002?withdrawn=1");
    page_expect(r, 200, "zh-CN", "editor.");
    assert_non_null(strstr(r->body, "已撤回"));
    resp_free(r);
    /* nothing published any more: withdrawing again is not found */
    r = post_from(ed, "/editor", "/editor/items/440600-GA-0002/withdraw", "x=1");
    page_expect(r, 404, "zh-CN", "editor.");
    resp_free(r);
    client_free(ed);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_who_may_come_in),
        cmocka_unit_test(test_edit_publish),
        cmocka_unit_test(test_full_form_round_trip),
        cmocka_unit_test(test_broken_value_refused_at_field),
        cmocka_unit_test(test_publish_incomplete_draft),
        cmocka_unit_test(test_department_admin_scope),
        cmocka_unit_test(test_new_item),
        cmocka_unit_test(test_carding_report),
        cmocka_unit_test(test_withdraw),
    };
    return cmocka_run_group_tests(tests, up, down);
}
