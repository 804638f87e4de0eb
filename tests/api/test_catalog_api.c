/**
 * @file test_catalog_api.c
 * @brief The catalog through the API, as the public and editors use it:
 *        search by Chinese fragments of any length and by pinyin, facets and
 *        pages, queries of any bytes, guides with ETag and versions, editor
 *        permissions (department admins within their department), carding
 *        refusals, whole imports refused with every error, depth statistics.
 */
#include "apitest.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SMALL ONEHALL_SOURCE_DIR "/tests/data/catalog/small.json"

static struct hall *H;
static struct client *anon, *editor, *gaadmin, *citizen;

static int up(void **state)
{
    H = hall_start(test_db_url(), NULL);
    if (!H)
        return -1;
    hall_create_user(H, "editor1", "目录编辑", "edit-pass-01", "catalog_editor");
    anon = client_new(H);
    editor = api_client(H, "editor1", "edit-pass-01");
    char *doc = test_read_file(SMALL);
    struct resp *r = client_json(editor, "POST", "/api/v1/catalog/import", doc);
    if (r->status != 200)
        fail_msg("import: %ld %s", r->status, r->body);
    json_t *j = resp_json(r);
    assert_int_equal(json_integer_value(json_object_get(j, "items_added")), 6);
    json_decref(j);
    resp_free(r);
    free(doc);
    /* a department admin of the police, created once its department exists */
    const char *args[] = {"user", "create", "--username", "gaadmin", "--name", "公安管理员",
                          "--department", "FS-GA", "--role", "dept_admin", "--password-stdin",
                          NULL};
    assert_int_equal(hall_cli(H, "ga-admin-pass-1\n", NULL, args), 0);
    gaadmin = api_client(H, "gaadmin", "ga-admin-pass-1");
    char id[19], body[256];
    test_id_number("19900101", 7, id);
    snprintf(body, sizeof body,
             "{\"name\":\"市民\",\"id_number\":\"%s\",\"phone\":\"13700000007\","
             "\"password\":\"citizen-01\"}",
             id);
    r = client_json(anon, "POST", "/api/v1/accounts", body);
    assert_int_equal(r->status, 201);
    resp_free(r);
    citizen = api_client(H, "13700000007", "citizen-01");
    return 0;
}

static int down(void **state)
{
    client_free(anon);
    client_free(editor);
    client_free(gaadmin);
    client_free(citizen);
    assert_int_equal(hall_stop(H), 0);
    return 0;
}

/* GET /api/v1/items?q=<q><extra>: the parsed answer (status 200 expected). */
static json_t *search(const char *q, const char *extra)
{
    char *e = test_urlenc(q);
    char path[4096];
    snprintf(path, sizeof path, "/api/v1/items?q=%s%s", e, extra ? extra : "");
    free(e);
    struct resp *r = client_get(anon, path);
    if (r->status != 200)
        fail_msg("%s: %ld %s", path, r->status, r->body);
    json_t *j = resp_json(r);
    resp_free(r);
    return j;
}

static int codes_include(json_t *list, const char *code)
{
    size_t i;
    json_t *it;
    json_array_foreach(json_object_get(list, "items"), i, it)
    {
        if (!strcmp(json_string_value(json_object_get(it, "code")), code))
            return 1;
    }
    return 0;
}

static const char *first_code(json_t *list)
{
    return json_string_value(json_object_get(json_array_get(json_object_get(list, "items"), 0),
                                             "code"));
}

static void test_chinese_and_pinyin_search(void **state)
{
    static const struct {
        const char *q, *code;
    } cases[] = {
        {"营业执照", "440600-SCJG-0001"},   /* inside 企业营业执照变更登记 */
        {"执照", "440600-SCJG-0001"},       /* two characters */
        {"照", "440600-SCJG-0001"},         /* one */
        {"社保", "440600-RS-0001"},         /* a keyword */
        {"户籍", "440600-GA-0001"},         /* a keyword of 居住证申领 */
        {"居住证", "440600-GA-0001"},
        {"yyzz", "440600-SCJG-0001"},       /* initials */
        {"yingye", "440600-SCJG-0001"},     /* full spelling */
        {"YingYe ZhiZh", "440600-SCJG-0001"}, /* case, spaces, a prefix of the last */
        {"chusheng", "440600-GA-0002"},
        {"ｙｙｚｚ", "440600-SCJG-0001"},     /* full-width letters */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *j = search(cases[i].q, NULL);
        if (!codes_include(j, cases[i].code))
            fail_msg("q=%s did not find %s", cases[i].q, cases[i].code);
        json_decref(j);
    }
    /* an unbroken substring only: 营执 is not in any name */
    json_t *j = search("营执", NULL);
    assert_int_equal(json_integer_value(json_object_get(j, "total")), 0);
    json_decref(j);
    /* the exact name ranks first */
    j = search("出生登记", NULL);
    assert_string_equal(first_code(j), "440600-GA-0002");
    json_t *first = json_array_get(json_object_get(j, "items"), 0);
    assert_string_equal(json_string_value(json_object_get(first, "department")), "FS-GA");
    assert_string_equal(json_string_value(json_object_get(first, "type")), "07");
    assert_int_equal(json_integer_value(json_object_get(first, "level")), 2);
    json_decref(j);
    /* drafts and superseded versions are not offered */
    j = search("食品", NULL);
    assert_int_equal(json_integer_value(json_object_get(j, "total")), 0);
    json_decref(j);
}

static json_int_t facet_count(json_t *list, const char *facet, const char *value)
{
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(json_object_get(list, "facets"), facet), i, v)
    {
        if (!strcmp(json_string_value(json_object_get(v, "value")), value))
            return json_integer_value(json_object_get(v, "count"));
    }
    return 0;
}

static void test_facets_and_pages(void **state)
{
    json_t *all = search("", NULL);
    assert_int_equal(json_integer_value(json_object_get(all, "total")), 4);
    assert_int_equal(facet_count(all, "department", "FS-GA"), 2);
    assert_int_equal(facet_count(all, "level", "4"), 2);
    assert_int_equal(facet_count(all, "target", "enterprise"), 1);
    assert_int_equal(facet_count(all, "channel", "post"), 1);
    json_decref(all);

    /* filtered by department: the other departments still show their counts */
    json_t *ga = search("", "&department=FS-GA");
    assert_int_equal(json_integer_value(json_object_get(ga, "total")), 2);
    assert_int_equal(facet_count(ga, "department", "FS-SCJG"), 1);
    assert_int_equal(facet_count(ga, "level", "3"), 1);
    json_decref(ga);
    json_t *l4 = search("", "&level=4&target=person");
    assert_int_equal(json_integer_value(json_object_get(l4, "total")), 1);
    assert_string_equal(first_code(l4), "440600-RS-0001");
    json_decref(l4);

    json_t *p2 = search("", "&per_page=1&page=2");
    assert_int_equal(json_integer_value(json_object_get(p2, "total")), 4);
    assert_int_equal(json_integer_value(json_object_get(p2, "page")), 2);
    assert_int_equal(json_integer_value(json_object_get(p2, "per_page")), 1);
    assert_int_equal(json_array_size(json_object_get(p2, "items")), 1);
    assert_string_equal(first_code(p2), "440600-GA-0002");
    json_decref(p2);
    json_t *past = search("", "&page=9");
    assert_int_equal(json_array_size(json_object_get(past, "items")), 0);
    json_decref(past);
}

static void test_queries_of_any_bytes(void **state)
{
    /* never a 500: a normal answer or a clear 400 */
    static const char *const normal[] = {"\"", "*", "NEAR(", "' OR 1=1 --", "%", "营业\"执照*",
                                         "   ", "a b c", "\\", "<script>"};
    for (size_t i = 0; i < sizeof normal / sizeof normal[0]; i++) {
        json_t *j = search(normal[i], NULL);
        json_decref(j);
    }
    static const char *const bad_paths[] = {
        "/api/v1/items?q=%FF%FE",          /* not UTF-8 */
        "/api/v1/items?q=%E8%90",          /* a character cut short */
        "/api/v1/items?q=%C0%AF",          /* overlong */
    };
    for (size_t i = 0; i < sizeof bad_paths / sizeof bad_paths[0]; i++) {
        struct resp *r = client_get(anon, bad_paths[i]);
        if (r->status != 400)
            fail_msg("%s: %ld", bad_paths[i], r->status);
        assert_non_null(strstr(r->body, "\"field\":\"q\""));
        resp_free(r);
    }
    char *big = malloc(10241);
    memset(big, 'a', 10240);
    big[10240] = 0;
    char path[10400];
    snprintf(path, sizeof path, "/api/v1/items?q=%s", big);
    struct resp *r = client_get(anon, path);
    assert_int_equal(r->status, 400);
    resp_free(r);
    free(big);
    static const char *const invalid[] = {"/api/v1/items?type=99", "/api/v1/items?level=7",
                                          "/api/v1/items?page=0", "/api/v1/items?per_page=1000",
                                          "/api/v1/items?target=aliens",
                                          "/api/v1/items?department=%27%3B--"};
    for (size_t i = 0; i < sizeof invalid / sizeof invalid[0]; i++) {
        r = client_get(anon, invalid[i]);
        if (r->status != 422)
            fail_msg("%s: %ld %s", invalid[i], r->status, r->body);
        resp_free(r);
    }
}

static void test_guide_etag_and_versions(void **state)
{
    struct resp *r = client_get(anon, "/api/v1/items/440600-SCJG-0001");
    assert_int_equal(r->status, 200);
    json_t *j = resp_json(r);
    assert_int_equal(json_integer_value(json_object_get(j, "version")), 2);
    assert_string_equal(json_string_value(json_object_get(j, "status")), "published");
    assert_int_equal(json_integer_value(json_object_get(j, "level")), 4);
    /* the four questions: materials, how they are checked, legal basis, days */
    json_t *m = json_array_get(json_object_get(j, "materials"), 1);
    assert_string_equal(json_string_value(json_object_get(m, "verification")), "窗口核验原件");
    assert_non_null(json_object_get(json_array_get(json_object_get(j, "legal_basis"), 0), "law"));
    assert_int_equal(json_integer_value(json_object_get(
                         json_object_get(json_object_get(j, "time_limit"), "promised"), "value")),
                     3);
    json_t *changes = json_object_get(j, "changes");
    assert_int_equal(json_integer_value(json_object_get(changes, "since_version")), 1);
    char *members = json_dumps(json_object_get(changes, "members"), JSON_COMPACT);
    assert_non_null(strstr(members, "\"visits\""));
    assert_non_null(strstr(members, "\"time_limit\""));
    free(members);
    json_decref(j);
    char *etag = resp_header(r, "ETag");
    assert_non_null(etag);
    resp_free(r);

    char inm[200];
    snprintf(inm, sizeof inm, "If-None-Match: %s", etag);
    const char *hdrs[] = {inm, NULL};
    r = client_req(anon, "GET", "/api/v1/items/440600-SCJG-0001", NULL, NULL, 0, hdrs);
    assert_int_equal(r->status, 304);
    assert_int_equal(r->len, 0);
    resp_free(r);
    free(etag);

    r = client_get(anon, "/api/v1/items/440600-SCJG-0001?version=1");
    assert_int_equal(r->status, 200);
    j = resp_json(r);
    assert_string_equal(json_string_value(json_object_get(j, "status")), "superseded");
    assert_int_equal(json_integer_value(json_object_get(j, "visits")), 1);
    json_decref(j);
    resp_free(r);
    r = client_get(anon, "/api/v1/items/440600-SCJG-0001?version=9");
    assert_int_equal(r->status, 404);
    resp_free(r);
    r = client_get(anon, "/api/v1/items/440600-SCJG-0001?version=x");
    assert_int_equal(r->status, 422);
    resp_free(r);
    r = client_get(anon, "/api/v1/items/NO-SUCH-ITEM");
    assert_int_equal(r->status, 404);
    resp_free(r);
    r = client_get(anon, "/api/v1/items/440600-SCJG-0001/versions");
    j = resp_json(r);
    assert_int_equal(json_integer_value(json_object_get(j, "total")), 2);
    json_decref(j);
    resp_free(r);
    /* a draft is its editors' business */
    r = client_get(anon, "/api/v1/items/440600-SCJG-0002");
    assert_int_equal(r->status, 404);
    resp_free(r);
    r = client_get(editor, "/api/v1/items/440600-SCJG-0002");
    assert_int_equal(r->status, 200);
    resp_free(r);
}

static void test_departments_and_depth(void **state)
{
    struct resp *r = client_get(anon, "/api/v1/departments");
    assert_int_equal(r->status, 200);
    json_t *j = resp_json(r);
    assert_int_equal(json_integer_value(json_object_get(j, "total")), 4);
    json_decref(j);
    resp_free(r);
    r = client_get(anon, "/api/v1/departments/FS-SCJG");
    j = resp_json(r);
    assert_string_equal(json_string_value(json_object_get(j, "name")), "佛山市市场监督管理局");
    assert_string_equal(json_string_value(json_array_get(json_object_get(j, "children"), 0)),
                        "CC-SCJG");
    assert_int_equal(json_array_size(json_object_get(j, "services")), 1);
    json_decref(j);
    resp_free(r);
    r = client_get(anon, "/api/v1/departments/NOPE");
    assert_int_equal(r->status, 404);
    resp_free(r);

    r = client_get(anon, "/api/v1/stats/depth");
    assert_int_equal(r->status, 200);
    j = resp_json(r);
    json_t *al = json_object_get(j, "at_least");
    json_int_t total = json_integer_value(json_object_get(j, "total"));
    assert_int_equal(total, 4);
    assert_int_equal(json_integer_value(json_object_get(al, "1")), 4);
    assert_int_equal(json_integer_value(json_object_get(al, "2")), 4);
    assert_int_equal(json_integer_value(json_object_get(al, "3")), 3);
    assert_int_equal(json_integer_value(json_object_get(al, "4")), 2);
    assert_int_equal(json_array_size(json_object_get(j, "departments")), 3);
    json_decref(j);
    resp_free(r);
}

static void test_editor_permissions(void **state)
{
    const char *item_path = "/api/v1/items/440600-GA-0001";
    struct resp *r = client_get(anon, item_path);
    json_t *item = resp_json(r);
    char *etag0 = resp_header(r, "ETag");
    resp_free(r);
    json_object_set_new(item, "effective_from", json_null());
    json_object_set_new(item, "short_name", json_string("居住证办理"));
    char *body = json_dumps(item, JSON_COMPACT);

    r = client_json(anon, "PUT", "/api/v1/items/440600-GA-0001/draft", body);
    assert_int_equal(r->status, 401);
    resp_free(r);
    r = client_json(citizen, "PUT", "/api/v1/items/440600-GA-0001/draft", body);
    assert_int_equal(r->status, 403);
    resp_free(r);
    /* the police admin cannot touch market supervision's items */
    r = client_json(gaadmin, "POST", "/api/v1/items/440600-SCJG-0001/withdraw", "{}");
    assert_int_equal(r->status, 403);
    resp_free(r);
    r = client_get(anon, "/api/v1/items/440600-SCJG-0001");
    assert_int_equal(r->status, 200);
    resp_free(r);

    /* but edits and publishes their own: the next version */
    r = client_json(gaadmin, "PUT", "/api/v1/items/440600-GA-0001/draft", body);
    if (r->status != 200)
        fail_msg("%ld %s", r->status, r->body);
    json_t *j = resp_json(r);
    assert_int_equal(json_integer_value(json_object_get(j, "version")), 2);
    json_decref(j);
    resp_free(r);
    r = client_get(anon, item_path); /* still version 1 in force */
    j = resp_json(r);
    assert_int_equal(json_integer_value(json_object_get(j, "version")), 1);
    json_decref(j);
    resp_free(r);
    r = client_json(gaadmin, "POST", "/api/v1/items/440600-GA-0001/publish", "{}");
    assert_int_equal(r->status, 200);
    resp_free(r);
    char inm[200];
    snprintf(inm, sizeof inm, "If-None-Match: %s", etag0);
    const char *hdrs[] = {inm, NULL};
    r = client_req(anon, "GET", item_path, NULL, NULL, 0, hdrs);
    assert_int_equal(r->status, 200); /* the old tag no longer matches */
    j = resp_json(r);
    assert_int_equal(json_integer_value(json_object_get(j, "version")), 2);
    assert_string_equal(json_string_value(json_object_get(j, "short_name")), "居住证办理");
    char *members = json_dumps(json_object_get(json_object_get(j, "changes"), "members"),
                               JSON_COMPACT);
    assert_string_equal(members, "[\"short_name\"]");
    free(members);
    json_decref(j);
    resp_free(r);
    free(etag0);
    free(body);
    json_decref(item);

    /* the incomplete draft cannot be published: every problem is listed */
    r = client_json(editor, "POST", "/api/v1/items/440600-SCJG-0002/publish", "{}");
    assert_int_equal(r->status, 422);
    j = resp_json(r);
    json_t *errs = json_object_get(j, "errors");
    assert_true(json_array_size(errs) >= 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(errs, 0), "code")),
                        "catalog.card.no_legal_basis");
    assert_string_equal(json_string_value(json_object_get(json_array_get(errs, 0), "field")),
                        "legal_basis");
    json_decref(j);
    resp_free(r);
    /* carding report for the editor lists it too */
    r = client_get(editor, "/api/v1/catalog/carding");
    assert_int_equal(r->status, 200);
    assert_non_null(strstr(r->body, "catalog.card.no_legal_basis"));
    resp_free(r);
    r = client_get(citizen, "/api/v1/catalog/carding");
    assert_int_equal(r->status, 403);
    resp_free(r);
}

static void test_import_refused_whole(void **state)
{
    json_t *doc = json_load_file(SMALL, 0, NULL);
    json_t *items = json_object_get(doc, "items");
    /* a broken row, a duplicate code, an unknown department, a negative fee,
     * an invalid time limit, and a change to a published version */
    json_array_append_new(items, json_deep_copy(json_array_get(items, 1)));
    json_object_set_new(json_array_get(items, 2), "department", json_string("FS-NOPE"));
    json_object_set_new(json_array_get(json_object_get(json_object_get(json_array_get(items, 1),
                                                                       "fee"),
                                                       "items"),
                                       0),
                        "amount_fen", json_integer(-5));
    json_object_set_new(json_object_get(json_array_get(items, 3), "time_limit"), "statutory",
                        json_pack("{s:s, s:i}", "unit", "working_days", "value", -3));
    json_array_append_new(items, json_string("not an item"));
    char *body = json_dumps(doc, JSON_COMPACT);
    struct resp *r = client_json(editor, "POST", "/api/v1/catalog/import", body);
    assert_int_equal(r->status, 422);
    json_t *j = resp_json(r);
    json_t *errs = json_object_get(j, "errors");
    const char *want[] = {"catalog.duplicate_code", "catalog.unknown_department",
                          "catalog.negative", "catalog.want_object"};
    for (size_t w = 0; w < 4; w++) {
        int found = 0;
        size_t i;
        json_t *e;
        json_array_foreach(errs, i, e) found |= !strcmp(json_string_value(json_object_get(e, "code")), want[w]);
        if (!found)
            fail_msg("import refusal does not list %s: %s", want[w], r->body);
    }
    json_decref(j);
    resp_free(r);
    free(body);
    json_decref(doc);
    /* nothing changed */
    json_t *all = search("", NULL);
    assert_int_equal(json_integer_value(json_object_get(all, "total")), 4);
    json_decref(all);
    r = client_json(editor, "POST", "/api/v1/catalog/import", "{\"format\":1}");
    assert_int_equal(r->status, 422);
    resp_free(r);
    r = client_json(gaadmin, "POST", "/api/v1/catalog/import", "{}");
    assert_int_equal(r->status, 403);
    resp_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_chinese_and_pinyin_search),
        cmocka_unit_test(test_facets_and_pages),
        cmocka_unit_test(test_queries_of_any_bytes),
        cmocka_unit_test(test_guide_etag_and_versions),
        cmocka_unit_test(test_departments_and_depth),
        cmocka_unit_test(test_editor_permissions),
        cmocka_unit_test(test_import_refused_whole),
    };
    return cmocka_run_group_tests(tests, up, down);
}
