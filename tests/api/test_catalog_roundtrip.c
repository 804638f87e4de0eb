/**
 * @file test_catalog_roundtrip.c
 * @brief The whole Foshan-size demo catalog through the operator's commands:
 *        `onehall demo`, export as JSON, import into an empty hall, export
 *        again: the same bytes; the same through CSV. A person finds the
 *        everyday items by a Chinese fragment or by pinyin. A CSV import with
 *        a broken row is refused whole with the file and line.
 */
#include "apitest.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static struct hall *A, *B;

static int up(void **state)
{
    A = hall_start(test_db_url(), NULL);
    if (!A)
        return -1;
    return 0;
}

static int down(void **state)
{
    if (B)
        assert_int_equal(hall_stop(B), 0);
    assert_int_equal(hall_stop(A), 0);
    return 0;
}

static void cli_ok(struct hall *h, const char *const *args)
{
    char *out = NULL;
    int rc = hall_cli(h, NULL, &out, args);
    if (rc != 0)
        fail_msg("onehall %s %s: exit %d: %s", args[0], args[1] ? args[1] : "", rc,
                 out ? out : "");
    free(out);
}

/* Waits (bounded) until the running hall serves n published items. */
static void wait_items(struct hall *h, long n)
{
    struct client *c = client_new(h);
    char want[48];
    snprintf(want, sizeof want, "\"total\":%ld,", n);
    for (int i = 0; i < 100; i++) {
        struct resp *r = client_get(c, "/api/v1/stats/depth");
        int ok = r->status == 200 && strstr(r->body, want);
        resp_free(r);
        if (ok) {
            client_free(c);
            return;
        }
        struct timespec ts = {0, 100 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    fail_msg("the hall did not show %ld items within 10 s", n);
}

static json_t *search(struct client *c, const char *encoded_q)
{
    char path[512];
    snprintf(path, sizeof path, "/api/v1/items?per_page=100&q=%s", encoded_q);
    struct resp *r = client_get(c, path);
    assert_int_equal(r->status, 200);
    json_t *j = resp_json(r);
    resp_free(r);
    return j;
}

static int names_include(json_t *list, const char *name)
{
    size_t i;
    json_t *it;
    json_array_foreach(json_object_get(list, "items"), i, it)
    {
        if (!strcmp(json_string_value(json_object_get(it, "name")), name))
            return 1;
    }
    return 0;
}

static void test_demo_found_by_fragments_and_pinyin(void **state)
{
    const char *demo[] = {"demo", NULL};
    cli_ok(A, demo);
    wait_items(A, 5349);
    struct client *c = client_new(A);
    static const struct {
        const char *q, *name;
    } cases[] = {
        {"%E8%90%A5%E4%B8%9A%E6%89%A7%E7%85%A7", "企业营业执照变更登记"}, /* 营业执照 */
        {"%E7%A4%BE%E4%BF%9D", "社会保障卡申领"},                         /* 社保 */
        {"%E6%88%B7%E7%B1%8D", "户籍迁入登记"},                           /* 户籍 */
        {"%E5%85%AC%E7%A7%AF%E9%87%91", "住房公积金提取"},                 /* 公积金 */
        {"juzhuzheng", "居住证申领"},
        {"csdj", "出生登记"},
        {"jiehun", "结婚登记"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *j = search(c, cases[i].q);
        if (!names_include(j, cases[i].name))
            fail_msg("q=%s did not find %s", cases[i].q, cases[i].name);
        json_decref(j);
    }
    /* the depth the city reported, roughly */
    struct resp *r = client_get(c, "/api/v1/stats/depth");
    json_t *j = resp_json(r);
    json_t *al = json_object_get(j, "at_least");
    double total = (double)json_integer_value(json_object_get(j, "total"));
    assert_int_equal((long)total, 5349);
    assert_int_equal(json_integer_value(json_object_get(al, "1")), 5349);
    double l2 = json_integer_value(json_object_get(al, "2")) / total;
    double l3 = json_integer_value(json_object_get(al, "3")) / total;
    assert_true(l2 > 0.95 && l2 < 0.962);
    assert_true(l3 > 0.268 && l3 < 0.278);
    assert_true(json_integer_value(json_object_get(al, "4")) > 0);
    json_decref(j);
    resp_free(r);
    client_free(c);
}

static void test_round_trip_json_and_csv(void **state)
{
    char first[600], second[600], third[600], csvdir[600], csvdir2[600];
    snprintf(first, sizeof first, "%s/export1.json", A->dir);
    snprintf(csvdir, sizeof csvdir, "%s/csv", A->dir);
    const char *ex1[] = {"export", first, NULL};
    cli_ok(A, ex1);
    const char *exc[] = {"export", "--csv", csvdir, NULL};
    cli_ok(A, exc);

    /* an empty hall takes the JSON export and gives back the same bytes */
    B = hall_start(NULL, NULL);
    assert_non_null(B);
    const char *im[] = {"import", first, NULL};
    cli_ok(B, im);
    snprintf(second, sizeof second, "%s/export2.json", B->dir);
    const char *ex2[] = {"export", second, NULL};
    cli_ok(B, ex2);
    char *a = test_read_file(first), *b = test_read_file(second);
    assert_true(strlen(a) > 1000000);
    assert_true(strcmp(a, b) == 0);
    free(b);
    /* CSV written by the second hall is the same as the first's */
    snprintf(csvdir2, sizeof csvdir2, "%s/csv", B->dir);
    const char *exc2[] = {"export", "--csv", csvdir2, NULL};
    cli_ok(B, exc2);
    static const char *const files[] = {"departments.csv", "halls.csv", "items.csv",
                                        "item_materials.csv", "item_lists.csv"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char p1[700], p2[700];
        snprintf(p1, sizeof p1, "%s/%s", csvdir, files[i]);
        snprintf(p2, sizeof p2, "%s/%s", csvdir2, files[i]);
        char *x = test_read_file(p1), *y = test_read_file(p2);
        if (strcmp(x, y))
            fail_msg("%s differs between the two halls", files[i]);
        free(x);
        free(y);
    }
    assert_int_equal(hall_stop(B), 0);

    /* and the CSV into another empty hall exports the same JSON again */
    B = hall_start(NULL, NULL);
    assert_non_null(B);
    const char *imc[] = {"import", "--csv", csvdir, NULL};
    cli_ok(B, imc);
    snprintf(third, sizeof third, "%s/export3.json", B->dir);
    const char *ex3[] = {"export", third, NULL};
    cli_ok(B, ex3);
    char *c = test_read_file(third);
    assert_true(strcmp(a, c) == 0);
    free(c);
    free(a);
}

static void test_broken_csv_refused_with_line(void **state)
{
    char csvdir[600], path[700];
    snprintf(csvdir, sizeof csvdir, "%s/csv", A->dir);
    /* an unknown department on items.csv line 2 */
    snprintf(path, sizeof path, "%s/items.csv", csvdir);
    char *items = test_read_file(path);
    char *line2 = strstr(items, "\r\n") + 2;
    char *dept = strstr(line2, ",FS-");
    assert_non_null(dept);
    memcpy(dept + 1, "XX", 2); /* FS-... becomes XX-... */
    FILE *f = fopen(path, "wb");
    fputs(items, f);
    fclose(f);
    free(items);
    struct hall *C = hall_start(NULL, NULL);
    const char *imc[] = {"import", "--csv", csvdir, "--lang", "en", NULL};
    char *out = NULL;
    assert_int_equal(hall_cli_all(C, NULL, &out, imc), 1);
    assert_non_null(strstr(out, "items.csv:2: error:"));
    assert_non_null(strstr(out, "There is no department XX-"));
    assert_non_null(strstr(out, "nothing was changed"));
    free(out);
    /* nothing was imported */
    struct client *c = client_new(C);
    struct resp *r = client_get(c, "/api/v1/stats/depth");
    assert_non_null(strstr(r->body, "\"total\":0,"));
    resp_free(r);
    client_free(c);
    assert_int_equal(hall_stop(C), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_demo_found_by_fragments_and_pinyin),
        cmocka_unit_test(test_round_trip_json_and_csv),
        cmocka_unit_test(test_broken_csv_refused_with_line),
    };
    return cmocka_run_group_tests(tests, up, down);
}
