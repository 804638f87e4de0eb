/**
 * @file test_catalog_store.c
 * @brief The catalog in the database, on both backends: import then export
 *        gives back the same document; an import that touches a published
 *        version or holds any error changes nothing; drafts, publishing,
 *        withdrawing and department scope.
 */
#include "core/clock.h"
#include "domain/catalog_store.h"
#include "http/http.h"
#include "store/store.h"
#include "testlib.h"
#include <stdlib.h>
#include <string.h>

#define SMALL ONEHALL_SOURCE_DIR "/tests/data/catalog/small.json"

struct fx {
    char *dir;
    struct store *s;
    struct store_conn *c;
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    f->dir = test_tmpdir();
    const char *backend = getenv("ONEHALL_TEST_BACKEND");
    int pg = backend && !strcmp(backend, "postgres");
    struct store_options opt = {pg ? getenv("ONEHALL_TEST_PG_URL") : NULL, f->dir, 2, 5000};
    char err[512];
    if (store_open(&opt, &f->s, err, sizeof err) < 0)
        fail_msg("store_open: %s", err);
    f->c = store_acquire(f->s);
    if (pg) /* each test starts from an empty schema */
        store_exec(f->c, "DROP SCHEMA public CASCADE; CREATE SCHEMA public");
    if (store_migrate(f->s, NULL, err, sizeof err) < 0)
        fail_msg("migrate: %s", err);
    clock_set(1782000000000LL); /* 2026-06-21 */
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    store_release(f->c);
    store_close(f->s);
    test_rmrf(f->dir);
    free(f->dir);
    free(f);
    clock_set(0);
    return 0;
}

static json_t *load_small(void)
{
    json_t *doc = json_load_file(SMALL, 0, NULL);
    assert_non_null(doc);
    return doc;
}

static char *canonical_text(json_t *doc)
{
    /* the document as export writes it: every record canonical */
    json_t *out = json_pack("{s:s, s:[], s:[], s:[]}", "format", CATALOG_FORMAT, "departments",
                            "halls", "items");
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(doc, "departments"), i, e)
        json_array_append_new(json_object_get(out, "departments"), catalog_department_canonical(e));
    json_array_foreach(json_object_get(doc, "halls"), i, e)
        json_array_append_new(json_object_get(out, "halls"), catalog_hall_canonical(e));
    json_array_foreach(json_object_get(doc, "items"), i, e)
        json_array_append_new(json_object_get(out, "items"),
                              catalog_item_canonical(e, json_string_value(json_object_get(e, "status"))));
    char *s = json_dumps(out, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
    json_decref(out);
    return s;
}

static int64_t count(struct store_conn *c, const char *sql)
{
    int64_t n = -1;
    assert_int_equal(store_query_int64(c, &n, sql, NULL), STORE_ROW);
    return n;
}

static void import_ok(struct fx *f, json_t *doc, struct catalog_import_counts *counts)
{
    struct catalog_report rep = {0};
    struct err e;
    int rc = catalog_import(f->c, doc, 0, "127.0.0.1", NULL, NULL, &rep, counts, &e);
    for (size_t i = 0; rc < 0 && i < rep.n; i++)
        print_message("%s %s %s %s\n", rep.v[i].item, rep.v[i].field, rep.v[i].key, rep.v[i].arg);
    assert_int_equal(rc, 0);
    catalog_report_free(&rep);
}

static void test_round_trip(void **state)
{
    struct fx *f = *state;
    json_t *doc = load_small();
    struct catalog_import_counts n;
    import_ok(f, doc, &n);
    assert_int_equal(n.departments, 4);
    assert_int_equal(n.halls, 1);
    assert_int_equal(n.items_added, 6);
    int64_t rev;
    assert_int_equal(catalog_revision(f->c, &rev), 0);
    assert_int_equal(rev, 1);

    json_t *out = catalog_export(f->c);
    assert_non_null(out);
    char *a = canonical_text(doc), *b = json_dumps(out, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
    assert_string_equal(a, b); /* the small document is already in export order */
    free(a);

    /* the same document again: nothing new */
    import_ok(f, out, &n);
    assert_int_equal(n.items_added, 0);
    assert_int_equal(n.items_unchanged, 6);
    json_t *again = catalog_export(f->c);
    char *c = json_dumps(again, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
    assert_string_equal(b, c);
    free(b);
    free(c);
    json_decref(again);
    json_decref(out);
    json_decref(doc);
}

static void test_import_refused_whole(void **state)
{
    struct fx *f = *state;
    json_t *doc = load_small();
    import_ok(f, doc, NULL);
    int64_t before = count(f->c, "SELECT COUNT(*) FROM audit_log");

    /* a published version edited in place, plus a new item: all refused */
    json_t *items = json_object_get(doc, "items");
    json_t *ga1 = json_array_get(items, 0);
    json_object_set_new(ga1, "name", json_string("居住证申领（改）"));
    json_t *fresh = json_deep_copy(json_array_get(items, 1));
    json_object_set_new(fresh, "code", json_string("440600-GA-0099"));
    json_array_append_new(items, fresh);
    struct catalog_report rep = {0};
    struct err e;
    assert_int_equal(catalog_import(f->c, doc, 0, NULL, NULL, NULL, &rep, NULL, &e), -ERR_INVALID);
    assert_int_equal(rep.errors, 1);
    assert_string_equal(rep.v[rep.n - 1].key, "catalog.version_frozen");
    assert_string_equal(rep.v[rep.n - 1].item, "440600-GA-0001");
    catalog_report_free(&rep);
    assert_int_equal(count(f->c, "SELECT COUNT(*) FROM catalog_items WHERE code = '440600-GA-0099'"), 0);
    assert_int_equal(count(f->c, "SELECT COUNT(*) FROM audit_log"), before);
    json_t *stored = catalog_item_get(f->c, "440600-GA-0001", 0);
    assert_string_equal(json_string_value(json_object_get(stored, "name")), "居住证申领");
    json_decref(stored);
    json_decref(doc);
}

static void test_editing_life_cycle(void **state)
{
    struct fx *f = *state;
    json_t *doc = load_small();
    import_ok(f, doc, NULL);
    struct principal editor = {.account_id = 7, .roles = ROLE_CATALOG_EDITOR};
    struct catalog_report rep = {0};
    struct err e;

    /* editing a published item makes the next version as a draft */
    json_t *it = catalog_item_get(f->c, "440600-GA-0001", 0);
    assert_string_equal(json_string_value(json_object_get(it, "status")), "published");
    json_object_set_new(it, "visits", json_integer(0));
    json_object_set_new(it, "effective_from", json_null()); /* set when published */
    json_object_set_new(json_object_get(json_array_get(json_object_get(it, "materials"), 1),
                                        "substitute"),
                        "certificate_type", json_string("居住登记凭证"));
    int64_t v = 0;
    assert_int_equal(catalog_save_draft(f->c, &editor, it, NULL, &rep, &v, &e), 0);
    assert_int_equal(v, 2);
    json_decref(it);
    /* saving again replaces the same draft */
    it = catalog_item_get(f->c, "440600-GA-0001", 2);
    assert_string_equal(json_string_value(json_object_get(it, "status")), "draft");
    json_object_set_new(it, "short_name", json_string("居住证办理"));
    assert_int_equal(catalog_save_draft(f->c, &editor, it, NULL, &rep, &v, &e), 0);
    assert_int_equal(v, 2);
    json_decref(it);
    /* the public still sees version 1 */
    it = catalog_item_get(f->c, "440600-GA-0001", 0);
    assert_int_equal(json_integer_value(json_object_get(it, "version")), 1);
    json_decref(it);

    int64_t rev0, rev1;
    catalog_revision(f->c, &rev0);
    assert_int_equal(catalog_publish(f->c, &editor, "440600-GA-0001", NULL, &rep, &v, &e), 0);
    catalog_revision(f->c, &rev1);
    assert_true(rev1 > rev0);
    json_t *versions = catalog_versions(f->c, "440600-GA-0001");
    assert_int_equal(json_array_size(versions), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(versions, 0), "status")),
                        "published");
    assert_int_equal(json_integer_value(json_object_get(json_array_get(versions, 0), "level")), 4);
    assert_string_equal(json_string_value(json_object_get(json_array_get(versions, 1), "status")),
                        "superseded");
    json_decref(versions);
    it = catalog_item_get(f->c, "440600-GA-0001", 0);
    assert_string_equal(json_string_value(json_object_get(it, "effective_from")), "2026-06-21");
    json_decref(it);
    /* nothing left to publish */
    assert_int_equal(catalog_publish(f->c, &editor, "440600-GA-0001", NULL, &rep, &v, &e),
                     -ERR_NOT_FOUND);

    /* the incomplete draft cannot be published: carding says why */
    assert_int_equal(catalog_publish(f->c, &editor, "440600-SCJG-0002", NULL, &rep, &v, &e),
                     -ERR_INVALID);
    assert_true(rep.errors >= 1);
    assert_string_equal(rep.v[0].key, "catalog.card.no_legal_basis");
    catalog_report_free(&rep);

    /* withdraw: no longer offered, history kept */
    assert_int_equal(catalog_withdraw(f->c, &editor, "440600-GA-0002", NULL, &e), 0);
    it = catalog_item_get(f->c, "440600-GA-0002", 1);
    assert_string_equal(json_string_value(json_object_get(it, "status")), "withdrawn");
    json_decref(it);
    assert_int_equal(catalog_withdraw(f->c, &editor, "440600-GA-0002", NULL, &e), -ERR_NOT_FOUND);
    assert_int_equal(count(f->c, "SELECT COUNT(*) FROM audit_log WHERE action LIKE 'catalog.%'"), 5);
    json_decref(doc);
}

static void test_department_scope(void **state)
{
    struct fx *f = *state;
    json_t *doc = load_small();
    import_ok(f, doc, NULL);
    int64_t ga = 0;
    assert_int_equal(store_query_int64(f->c, &ga, "SELECT id FROM departments WHERE code = 'FS-GA'",
                                       NULL),
                     STORE_ROW);
    struct principal admin = {.account_id = 9, .roles = ROLE_DEPT_ADMIN, .department_id = ga};
    struct principal citizen = {.account_id = 10, .roles = ROLE_CITIZEN};
    struct catalog_report rep = {0};
    struct err e;
    int64_t v;
    assert_true(catalog_may_edit(f->c, &admin, "FS-GA"));
    assert_false(catalog_may_edit(f->c, &admin, "FS-SCJG"));
    assert_false(catalog_may_edit(f->c, &citizen, "FS-GA"));

    json_t *it = catalog_item_get(f->c, "440600-SCJG-0001", 0);
    assert_int_equal(catalog_save_draft(f->c, &admin, it, NULL, &rep, &v, &e), -ERR_FORBIDDEN);
    /* nor by moving another department's item into one's own */
    json_object_set_new(it, "department", json_string("FS-GA"));
    assert_int_equal(catalog_save_draft(f->c, &admin, it, NULL, &rep, &v, &e), -ERR_FORBIDDEN);
    json_decref(it);
    assert_int_equal(catalog_withdraw(f->c, &admin, "440600-SCJG-0001", NULL, &e), -ERR_FORBIDDEN);
    assert_int_equal(count(f->c, "SELECT COUNT(*) FROM catalog_items WHERE code = '440600-SCJG-0001'"), 2);

    /* a new item of one's own department, malformed first */
    it = catalog_item_get(f->c, "440600-GA-0002", 0);
    json_object_set_new(it, "code", json_string("440600-GA-0100"));
    json_object_set_new(it, "visits", json_integer(-1));
    assert_int_equal(catalog_save_draft(f->c, &admin, it, NULL, &rep, &v, &e), -ERR_INVALID);
    assert_string_equal(rep.v[0].field, "visits");
    catalog_report_free(&rep);
    json_object_set_new(it, "visits", json_integer(2));
    assert_int_equal(catalog_save_draft(f->c, &admin, it, NULL, &rep, &v, &e), 0);
    assert_int_equal(v, 1);
    assert_int_equal(catalog_publish(f->c, &admin, "440600-GA-0100", NULL, &rep, &v, &e), 0);
    json_decref(it);
    catalog_report_free(&rep);
    json_decref(doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_import_refused_whole, setup, teardown),
        cmocka_unit_test_setup_teardown(test_editing_life_cycle, setup, teardown),
        cmocka_unit_test_setup_teardown(test_department_scope, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
