/**
 * @file test_catalog_demo.c
 * @brief The demo catalog: a valid exchange document with 157 departments,
 *        6 halls and 5,349 items, the same for the same seed and different
 *        for another, the everyday items under their departments, the depth
 *        levels distributed as documented (docs/catalog-demo.md), codes
 *        unique, built well under a second.
 */
#include "domain/catalog.h"
#include "domain/catalog_demo.h"
#include "testlib.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static json_t *doc; /* the demo at its default seed, built once */

static int setup(void **state)
{
    (void)state;
    doc = catalog_demo_build(CATALOG_DEMO_SEED);
    return doc ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    json_decref(doc);
    return 0;
}

/** The document passes the import check with no errors. */
static void test_valid(void **state)
{
    (void)state;
    struct catalog_report rep = {0};
    size_t errors = catalog_doc_check(doc, &rep, NULL, NULL);
    for (size_t i = 0; i < rep.n && i < 10; i++)
        print_message("%s %s %s %s\n", rep.v[i].item, rep.v[i].field, rep.v[i].key, rep.v[i].arg);
    assert_int_equal(errors, 0);
    catalog_report_free(&rep);
    assert_string_equal(json_string_value(json_object_get(doc, "format")), CATALOG_FORMAT);
}

/** 157 departments, 6 halls, 5,349 published items of version 1. */
static void test_counts(void **state)
{
    (void)state;
    assert_int_equal(json_array_size(json_object_get(doc, "departments")), 157);
    assert_int_equal(json_array_size(json_object_get(doc, "halls")), 6);
    json_t *items = json_object_get(doc, "items");
    assert_int_equal(json_array_size(items), 5349);
    size_t i;
    json_t *it;
    json_array_foreach(items, i, it)
    {
        assert_string_equal(json_string_value(json_object_get(it, "status")), "published");
        assert_int_equal(json_integer_value(json_object_get(it, "version")), 1);
        assert_string_equal(json_string_value(json_object_get(it, "effective_from")), "2026-01-01");
    }
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/** Asserts the "code" members of arr are unique; returns how many. */
static size_t assert_codes_unique(json_t *arr)
{
    size_t n = json_array_size(arr);
    const char **v = calloc(n + 1, sizeof *v);
    assert_non_null(v);
    for (size_t i = 0; i < n; i++) {
        v[i] = json_string_value(json_object_get(json_array_get(arr, i), "code"));
        assert_non_null(v[i]);
    }
    qsort(v, n, sizeof *v, cmp_str);
    for (size_t i = 1; i < n; i++)
        if (!strcmp(v[i - 1], v[i])) fail_msg("repeated code %s", v[i]);
    free(v);
    return n;
}

/** Codes unique in each section; names unique within a department. */
static void test_unique(void **state)
{
    (void)state;
    assert_codes_unique(json_object_get(doc, "departments"));
    assert_codes_unique(json_object_get(doc, "halls"));
    json_t *items = json_object_get(doc, "items");
    assert_codes_unique(items);
    size_t n = json_array_size(items);
    char **v = calloc(n + 1, sizeof *v);
    assert_non_null(v);
    for (size_t i = 0; i < n; i++) {
        json_t *it = json_array_get(items, i);
        size_t len = strlen(json_string_value(json_object_get(it, "department"))) +
                     strlen(json_string_value(json_object_get(it, "name"))) + 2;
        v[i] = malloc(len);
        snprintf(v[i], len, "%s/%s", json_string_value(json_object_get(it, "department")),
                 json_string_value(json_object_get(it, "name")));
    }
    qsort(v, n, sizeof *v, cmp_str);
    for (size_t i = 1; i < n; i++)
        if (!strcmp(v[i - 1], v[i])) fail_msg("repeated name %s", v[i]);
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

/** The departments other code relies on, with their meaning. */
static void test_departments(void **state)
{
    (void)state;
    static const char *const want[][2] = {{"FS-ZSJ", "政务服务数据管理局"},
                                          {"FS-SCJG", "佛山市市场监督管理局"},
                                          {"FS-GA", "佛山市公安局"},
                                          {"FS-RS", "佛山市人力资源和社会保障局"}};
    json_t *depts = json_object_get(doc, "departments");
    for (size_t w = 0; w < sizeof want / sizeof want[0]; w++) {
        int found = 0;
        size_t i;
        json_t *d;
        json_array_foreach(depts, i, d)
        {
            if (strcmp(json_string_value(json_object_get(d, "code")), want[w][0])) continue;
            found = 1;
            assert_non_null(strstr(json_string_value(json_object_get(d, "name")), want[w][1]));
            assert_string_equal(json_string_value(json_object_get(d, "region")), "440600");
        }
        assert_true(found);
    }
}

/** Finds the item named name in department dept (NULL when absent). */
static json_t *find_item(const char *dept, const char *name)
{
    size_t i;
    json_t *it;
    json_array_foreach(json_object_get(doc, "items"), i, it)
    {
        if (!strcmp(json_string_value(json_object_get(it, "department")), dept) &&
            !strcmp(json_string_value(json_object_get(it, "name")), name))
            return it;
    }
    return NULL;
}

static int has_string(json_t *arr, const char *s)
{
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v) if (!strcmp(json_string_value(v), s)) return 1;
    return 0;
}

/** The everyday items are there, under the departments that do them. */
static void test_everyday(void **state)
{
    (void)state;
    static const char *const want[][2] = {
        {"FS-SCJG", "企业营业执照变更登记"},
        {"FS-SCJG", "企业设立登记（营业执照）"},
        {"FS-SCJG", "个体工商户注册登记"},
        {"FS-GA", "居住证申领"},
        {"FS-GA", "出生登记"},
        {"FS-GA", "户籍迁入登记"},
        {"FS-GA", "机动车驾驶证换证"},
        {"FS-RS", "社会保障卡申领"},
        {"FS-RS", "退休申请（基本养老金）"},
        {"FS-GJJ", "住房公积金提取"},
        {"FS-BDC", "不动产登记（转移登记）"},
        {"FS-MZ", "结婚登记"},
        {"FS-YB", "城乡居民医疗保险参保登记"},
        {"FS-JY", "小学入学报名"},
        {"FS-WJ", "死亡医学证明（推断）书办理"},
    };
    for (size_t w = 0; w < sizeof want / sizeof want[0]; w++) {
        json_t *it = find_item(want[w][0], want[w][1]);
        if (!it) fail_msg("%s not under %s", want[w][1], want[w][0]);
        assert_true(catalog_item_level(it) >= 2);
    }
    json_t *card = find_item("FS-RS", "社会保障卡申领");
    assert_string_equal(json_string_value(json_object_get(card, "short_name")), "社保卡申领");
    assert_true(has_string(json_object_get(card, "keywords"), "社保"));
    assert_true(
        has_string(json_object_get(find_item("FS-GA", "户籍迁入登记"), "keywords"), "户籍"));
    /* a district has its own units doing the same */
    assert_non_null(find_item("CC-SCJG", "企业设立登记（营业执照）"));
    assert_non_null(find_item("SD-GA", "居住证申领"));
}

/** Depth levels: ≥2 95.6 %, ≥3 27.3 % (each ±0.5 point), level 4 in 1..3 %,
 *  none below 1. */
static void test_levels(void **state)
{
    (void)state;
    size_t count[CATALOG_LEVEL_MAX + 1] = {0};
    size_t i;
    json_t *it;
    json_t *items = json_object_get(doc, "items");
    json_array_foreach(items, i, it) count[catalog_item_level(it)]++;
    double n = (double)json_array_size(items);
    double ge2 = 100.0 * (double)(count[2] + count[3] + count[4]) / n;
    double ge3 = 100.0 * (double)(count[3] + count[4]) / n;
    double l4 = 100.0 * (double)count[4] / n;
    print_message("levels 1:%zu 2:%zu 3:%zu 4:%zu  >=2 %.2f%% >=3 %.2f%% 4 %.2f%%\n", count[1],
                  count[2], count[3], count[4], ge2, ge3, l4);
    assert_int_equal(count[0], 0);
    assert_true(ge2 >= 95.1 && ge2 <= 96.1);
    assert_true(ge3 >= 26.8 && ge3 <= 27.8);
    assert_true(l4 >= 1.0 && l4 <= 3.0);
}

static char *dump(json_t *j)
{
    char *s = json_dumps(j, JSON_SORT_KEYS | JSON_COMPACT);
    assert_non_null(s);
    return s;
}

/** The same seed gives the same document; another seed another one, with the
 *  same distribution. */
static void test_seed(void **state)
{
    (void)state;
    json_t *again = catalog_demo_build(CATALOG_DEMO_SEED);
    json_t *other = catalog_demo_build(7);
    assert_non_null(again);
    assert_non_null(other);
    char *a = dump(doc), *b = dump(again), *c = dump(other);
    assert_string_equal(a, b);
    assert_true(strcmp(a, c) != 0);
    size_t count[CATALOG_LEVEL_MAX + 1] = {0}, i;
    json_t *it;
    json_array_foreach(json_object_get(other, "items"), i, it) count[catalog_item_level(it)]++;
    assert_int_equal(count[0], 0);
    assert_true(count[4] >= 54 && count[4] <= 160);
    struct catalog_report rep = {0};
    assert_int_equal(catalog_doc_check(other, &rep, NULL, NULL), 0);
    catalog_report_free(&rep);
    free(a);
    free(b);
    free(c);
    json_decref(again);
    json_decref(other);
}

/** Built in well under a second (CPU time, so a busy machine does not fail
 *  it; sanitizer builds get more). */
static void test_fast(void **state)
{
    (void)state;
    clock_t t0 = clock();
    json_t *d = catalog_demo_build(12345);
    double s = (double)(clock() - t0) / CLOCKS_PER_SEC;
    json_decref(d);
    print_message("built in %.3f s CPU\n", s);
#if defined(__SANITIZE_ADDRESS__)
    assert_true(s < 10.0);
#else
    assert_true(s < 1.0);
#endif
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid),    cmocka_unit_test(test_counts),
        cmocka_unit_test(test_unique),   cmocka_unit_test(test_departments),
        cmocka_unit_test(test_everyday), cmocka_unit_test(test_levels),
        cmocka_unit_test(test_seed),     cmocka_unit_test(test_fast),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
