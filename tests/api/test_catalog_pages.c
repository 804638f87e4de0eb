/**
 * @file test_catalog_pages.c
 * @brief The public catalog pages as a person meets them: the home page's
 *        search and entry points, results with facets, a guide answering the
 *        four questions, departments, the depth chart; in both languages;
 *        unknown items and broken queries answered with a clear page.
 */
#include "apitest.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SMALL ONEHALL_SOURCE_DIR "/tests/data/catalog/small.json"

static struct hall *H;
static struct client *C;

static int up(void **state)
{
    H = hall_start(test_db_url(), NULL);
    if (!H)
        return -1;
    const char *args[] = {"import", SMALL, NULL};
    char *out = NULL;
    int rc = hall_cli(H, NULL, &out, args);
    if (rc != 0)
        fprintf(stderr, "import: %s\n", out ? out : "");
    free(out);
    assert_int_equal(rc, 0);
    C = client_new(H);
    /* the server sees another process's import within its polling period */
    for (int i = 0; i < 60; i++) {
        struct resp *r = client_get(C, "/api/v1/stats/depth");
        int ready = r->status == 200 && strstr(r->body, "\"total\":4");
        resp_free(r);
        if (ready)
            return 0;
        struct timespec ts = {0, 100 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    fail_msg("the import did not show within 6 s");
    return -1;
}

static int down(void **state)
{
    client_free(C);
    assert_int_equal(hall_stop(H), 0);
    return 0;
}

static struct resp *page(const char *path, long status)
{
    struct resp *r = client_get(C, path);
    if (r->status != status)
        fail_msg("%s: %ld, wanted %ld", path, r->status, status);
    char *ct = resp_header(r, "Content-Type");
    assert_non_null(ct);
    assert_non_null(strstr(ct, "text/html"));
    free(ct);
    return r;
}

static void test_home_search_and_entries(void **state)
{
    struct resp *r = page("/", 200);
    assert_non_null(strstr(r->body, "action=\"/items\""));
    assert_non_null(strstr(r->body, "href=\"/departments\""));
    assert_non_null(strstr(r->body, "href=\"/items?target=enterprise\""));
    assert_non_null(strstr(r->body, "href=\"/items?theme=birth\""));
    resp_free(r);
}

static void test_results_with_facets(void **state)
{
    /* 执照 (two characters) finds the licence change; its facets link on */
    struct resp *r = page("/items?q=%E6%89%A7%E7%85%A7", 200);
    assert_non_null(strstr(r->body, "企业营业执照变更登记"));
    assert_non_null(strstr(r->body, "href=\"/items/440600-SCJG-0001\""));
    assert_non_null(strstr(r->body, "共 1 个事项"));
    assert_non_null(strstr(r->body, "四级：全程网办，零跑动"));
    assert_non_null(strstr(r->body, "/items?q=%E6%89%A7%E7%85%A7&amp;department=FS-SCJG"));
    assert_null(strstr(r->body, "居住证申领"));
    resp_free(r);
    /* pinyin initials, in English */
    r = page("/items?q=jzz&lang=en", 200);
    assert_non_null(strstr(r->body, "居住证申领"));
    assert_non_null(strstr(r->body, "1 services"));
    resp_free(r);
    resp_free(page("/?lang=zh-CN", 200)); /* the choice is remembered: switch back */
    r = page("/items?q=%E9%BE%98%E9%BE%98", 200); /* nothing: says what to try */
    assert_non_null(strstr(r->body, "yyzz"));
    resp_free(r);
    r = page("/items?q=%FF", 400);
    resp_free(r);
    r = page("/items?level=9", 422);
    resp_free(r);
}

static void test_guide_answers_four_questions(void **state)
{
    struct resp *r = page("/items/440600-GA-0002", 200);
    const char *must[] = {
        "<h1>出生登记</h1>", "要交什么材料", "材料怎样核验", "依据什么规定", "多少天办完",
        "出生医学证明", "窗口核验原件",                /* a material and how it is checked */
        "中华人民共和国行政许可法", "第三十二条",       /* the legal basis */
        "30 个工作日",                                  /* the statutory limit */
        "户口簿工本费：8.00 元",                        /* the fee with its basis */
        "特定情形下提交：父母已婚的",                   /* a conditional material */
        "电子证照：户口簿",                             /* what replaces paper */
        "data-print",
    };
    for (size_t i = 0; i < sizeof must / sizeof must[0]; i++)
        if (!strstr(r->body, must[i]))
            fail_msg("guide lacks %s", must[i]);
    resp_free(r);
    /* what changed since the previous version, and the older one marked so */
    r = page("/items/440600-SCJG-0001", 200);
    assert_non_null(strstr(r->body, "与第 1 版相比有变化"));
    assert_non_null(strstr(r->body, "href=\"/items/440600-SCJG-0001?version=1\""));
    resp_free(r);
    r = page("/items/440600-SCJG-0001?version=1&lang=en", 200);
    assert_non_null(strstr(r->body, "an older version"));
    resp_free(r);
    resp_free(page("/?lang=zh-CN", 200));
    r = page("/items/440600-SCJG-0002", 404); /* a draft */
    resp_free(r);
    r = page("/items/NOPE", 404);
    resp_free(r);
}

static void test_departments_and_depth(void **state)
{
    struct resp *r = page("/departments", 200);
    assert_non_null(strstr(r->body, "佛山市市场监督管理局"));
    /* the district bureau is listed under its city parent */
    char *parent = strstr(r->body, "佛山市市场监督管理局");
    char *child = strstr(r->body, "佛山市禅城区市场监督管理局");
    assert_non_null(child);
    assert_true(child > parent);
    resp_free(r);
    r = page("/departments/FS-GA", 200);
    assert_non_null(strstr(r->body, "0757-110"));
    assert_non_null(strstr(r->body, "居住证申领"));
    assert_non_null(strstr(r->body, "出生登记"));
    resp_free(r);
    r = page("/departments/NOPE", 404);
    resp_free(r);
    r = page("/stats/depth", 200);
    assert_non_null(strstr(r->body, "<svg"));
    assert_non_null(strstr(r->body, "role=\"img\""));
    assert_non_null(strstr(r->body, "100.00%")); /* all four reach level 1 */
    assert_non_null(strstr(r->body, "75.00%"));  /* three of four reach level 3 */
    resp_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_home_search_and_entries),
        cmocka_unit_test(test_results_with_facets),
        cmocka_unit_test(test_guide_answers_four_questions),
        cmocka_unit_test(test_departments_and_depth),
    };
    return cmocka_run_group_tests(tests, up, down);
}
