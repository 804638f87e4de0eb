/**
 * @file test_catalog.c
 * @brief The catalog model: a complete document passes; each carding rule
 *        catches the guide a citizen could not act on; depth levels follow
 *        visits, channels and delivery; a broken import lists every error
 *        with its line and field; canonical form and version changes.
 */
#include "core/fs.h"
#include "domain/catalog.h"
#include "testlib.h"
#include <stdlib.h>
#include <string.h>

#define SMALL ONEHALL_SOURCE_DIR "/tests/data/catalog/small.json"

static json_t *load_small(void)
{
    json_error_t je;
    json_t *doc = json_load_file(SMALL, 0, &je);
    if (!doc)
        fail_msg("%s:%d: %s", SMALL, je.line, je.text);
    return doc;
}

/* The item of the small document with this code and version. */
static json_t *item_of(json_t *doc, const char *code, int version)
{
    size_t i;
    json_t *it;
    json_array_foreach(json_object_get(doc, "items"), i, it)
    {
        if (!strcmp(json_string_value(json_object_get(it, "code")), code) &&
            json_integer_value(json_object_get(it, "version")) == version)
            return it;
    }
    fail_msg("no item %s v%d", code, version);
    return NULL;
}

static const struct catalog_problem *find(const struct catalog_report *rep, const char *key)
{
    for (size_t i = 0; i < rep->n; i++)
        if (!strcmp(rep->v[i].key, key))
            return &rep->v[i];
    return NULL;
}

static const struct catalog_problem *find_at(const struct catalog_report *rep, const char *key,
                                             const char *field)
{
    for (size_t i = 0; i < rep->n; i++)
        if (!strcmp(rep->v[i].key, key) && !strcmp(rep->v[i].field, field))
            return &rep->v[i];
    return NULL;
}

static void test_small_document_is_valid(void **state)
{
    (void)state;
    json_t *doc = load_small();
    struct catalog_report rep = {0};
    assert_int_equal(catalog_doc_check(doc, &rep, NULL, NULL), 0);
    /* the draft is incomplete (no legal basis): a warning-free pass is not
     * required of a draft, but it is not an error either */
    assert_int_equal(rep.errors, 0);
    assert_non_null(find(&rep, "catalog.card.no_promised")); /* 出生登记 promises no limit */
    assert_false(find(&rep, "catalog.card.no_promised")->error);
    catalog_report_free(&rep);
    json_decref(doc);
}

static void assert_carding_finds(json_t *item, const char *key, const char *field)
{
    struct catalog_report rep = {0};
    assert_true(catalog_item_card(item, &rep) > 0);
    const struct catalog_problem *p = find(&rep, key);
    if (!p)
        fail_msg("carding did not report %s", key);
    assert_true(p->error);
    assert_string_equal(p->field, field);
    assert_int_equal(catalog_item_level(item), 0);
    catalog_report_free(&rep);
}

static void test_carding_rules(void **state)
{
    (void)state;
    json_t *doc = load_small();
    json_t *base = item_of(doc, "440600-GA-0001", 1);
    struct catalog_report rep = {0};
    assert_int_equal(catalog_item_card(base, &rep), 0);
    catalog_report_free(&rep);

    json_t *it = json_deep_copy(base);
    json_array_clear(json_object_get(it, "legal_basis"));
    assert_carding_finds(it, "catalog.card.no_legal_basis", "legal_basis");
    json_decref(it);

    it = json_deep_copy(base);
    json_object_set_new(it, "fee", json_pack("{s:b, s:[{s:s, s:i, s:n}]}", "free", 0, "items",
                                             "name", "工本费", "amount_fen", 1000, "basis"));
    assert_carding_finds(it, "catalog.card.fee_without_basis", "fee.items[0].basis");
    json_decref(it);

    it = json_deep_copy(base);
    json_object_set_new(it, "fee", json_null());
    assert_carding_finds(it, "catalog.card.no_fee", "fee");
    json_decref(it);

    it = json_deep_copy(base); /* promised 25 working days > statutory 20 */
    json_object_set_new(json_object_get(it, "time_limit"), "promised",
                        json_pack("{s:s, s:i}", "unit", "working_days", "value", 25));
    assert_carding_finds(it, "catalog.card.promised_too_long", "time_limit.promised");
    json_decref(it);

    it = json_deep_copy(base); /* 30 calendar days is longer than 20 working days? no: shorter */
    json_object_set_new(json_object_get(it, "time_limit"), "promised",
                        json_pack("{s:s, s:i}", "unit", "calendar_days", "value", 30));
    assert_int_equal(catalog_item_card(it, &rep), 1);
    assert_non_null(find(&rep, "catalog.card.promised_too_long"));
    catalog_report_free(&rep);
    json_decref(it);

    it = json_deep_copy(base); /* a licence where the law sets no limit */
    json_object_set_new(json_object_get(it, "time_limit"), "statutory",
                        json_pack("{s:s, s:n}", "unit", "none", "value"));
    assert_carding_finds(it, "catalog.card.statutory_required", "time_limit.statutory");
    json_object_set_new(it, "type", json_string("20")); /* a public service: fine */
    assert_int_equal(catalog_item_card(it, &rep), 0);
    catalog_report_free(&rep);
    json_decref(it);

    it = json_deep_copy(base); /* a material nobody checks */
    json_object_set_new(json_array_get(json_object_get(it, "materials"), 1), "verification",
                        json_null());
    assert_carding_finds(it, "catalog.card.material_unchecked", "materials[1].verification");
    json_decref(it);

    it = json_deep_copy(base); /* no visit, but an original to check and nothing replaces it */
    json_object_set_new(it, "visits", json_integer(0));
    json_object_set_new(json_object_get(json_array_get(json_object_get(it, "materials"), 0),
                                        "substitute"),
                        "certificate_type", json_null());
    assert_carding_finds(it, "catalog.card.original_without_visit", "materials[0].form");
    json_decref(it);

    it = json_deep_copy(base);
    json_object_set_new(json_object_get(it, "contacts"), "complaint", json_string(""));
    assert_carding_finds(it, "catalog.card.no_complaint", "contacts.complaint");
    json_decref(it);

    it = json_deep_copy(base);
    json_array_clear(json_object_get(it, "channels"));
    assert_carding_finds(it, "catalog.card.no_channels", "channels");
    json_decref(it);

    it = json_deep_copy(base); /* waiving a material the item does not ask for */
    json_object_set_new(it, "commitment", json_pack("{s:b, s:[s]}", "allowed", 1,
                                                    "waived_materials", "无犯罪记录证明"));
    assert_carding_finds(it, "catalog.card.waived_unknown", "commitment.waived_materials[0]");
    json_decref(it);

    /* a missing promised limit is only a warning */
    it = json_deep_copy(base);
    json_object_set_new(json_object_get(it, "time_limit"), "promised", json_null());
    assert_int_equal(catalog_item_card(it, &rep), 0);
    assert_int_equal(rep.warnings, 1);
    assert_false(find(&rep, "catalog.card.no_promised")->error);
    catalog_report_free(&rep);
    json_decref(it);
    json_decref(doc);
}

static void test_depth_levels(void **state)
{
    (void)state;
    json_t *doc = load_small();
    assert_int_equal(catalog_item_level(item_of(doc, "440600-GA-0001", 1)), 3);   /* one visit */
    assert_int_equal(catalog_item_level(item_of(doc, "440600-GA-0002", 1)), 2);   /* two */
    assert_int_equal(catalog_item_level(item_of(doc, "440600-SCJG-0001", 1)), 3);
    assert_int_equal(catalog_item_level(item_of(doc, "440600-SCJG-0001", 2)), 4); /* none */
    assert_int_equal(catalog_item_level(item_of(doc, "440600-RS-0001", 1)), 4);
    assert_int_equal(catalog_item_level(item_of(doc, "440600-SCJG-0002", 1)), 0); /* incomplete */

    json_t *it = json_deep_copy(item_of(doc, "440600-GA-0001", 1));
    json_object_set_new(it, "visits", json_integer(3)); /* more than two visits */
    assert_int_equal(catalog_item_level(it), 1);
    json_object_set_new(it, "visits", json_integer(1));
    json_object_set_new(it, "channels", json_pack("[s]", "counter")); /* counter only */
    assert_int_equal(catalog_item_level(it), 1);
    json_object_set_new(it, "channels", json_pack("[s, s]", "mobile", "counter"));
    assert_int_equal(catalog_item_level(it), 3); /* mobile counts as online */
    json_decref(it);
    json_decref(doc);
}

static void test_form_errors(void **state)
{
    (void)state;
    json_t *doc = load_small();
    json_t *it = json_deep_copy(item_of(doc, "440600-GA-0002", 1));
    json_object_set_new(json_array_get(json_object_get(json_object_get(it, "fee"), "items"), 0),
                        "amount_fen", json_integer(-800));
    json_object_set_new(json_object_get(it, "time_limit"), "statutory",
                        json_pack("{s:s, s:i}", "unit", "fortnights", "value", 2));
    json_object_set_new(it, "colour", json_string("red"));
    json_object_set_new(it, "type", json_string("99"));
    json_object_del(it, "name");
    struct catalog_report rep = {0};
    assert_int_equal(catalog_item_check(it, &rep), 5);
    const struct catalog_problem *p = find(&rep, "catalog.negative");
    assert_non_null(p);
    assert_string_equal(p->field, "fee.items[0].amount_fen");
    assert_string_equal(p->item, "440600-GA-0002");
    assert_non_null(find_at(&rep, "catalog.bad_value", "time_limit.statutory.unit"));
    assert_non_null(find_at(&rep, "catalog.bad_value", "type"));
    assert_string_equal(find(&rep, "catalog.unknown_member")->arg, "colour");
    assert_string_equal(find(&rep, "catalog.missing")->field, "name");
    catalog_report_free(&rep);

    /* a unit that takes no number, and one that needs it */
    json_object_set_new(json_object_get(it, "time_limit"), "statutory",
                        json_pack("{s:s, s:i}", "unit", "none", "value", 5));
    json_object_set_new(json_object_get(it, "time_limit"), "promised",
                        json_pack("{s:s, s:n}", "unit", "working_days", "value"));
    catalog_item_check(it, &rep);
    assert_non_null(find(&rep, "catalog.limit_no_value"));
    assert_non_null(find(&rep, "catalog.limit_needs_value"));
    catalog_report_free(&rep);
    json_decref(it);
    json_decref(doc);
}

/* A broken import: every error listed, each at its line and field. */
static void test_document_errors_located(void **state)
{
    (void)state;
    size_t len;
    char *text = fs_read_file(SMALL, 1 << 20, &len);
    assert_non_null(text);
    json_t *doc = json_loadb(text, len, 0, NULL);
    assert_non_null(doc);
    json_t *items = json_object_get(doc, "items");
    /* a duplicate code and version, an unknown department, a negative fee */
    json_t *dup = json_deep_copy(json_array_get(items, 0));
    json_array_append_new(items, dup);
    json_object_set_new(json_array_get(items, 1), "department", json_string("FS-NOPE"));
    json_object_set_new(json_array_get(json_object_get(json_object_get(json_array_get(items, 1),
                                                                       "fee"),
                                                       "items"),
                                       0),
                        "amount_fen", json_integer(-1));
    /* text and locator must describe the same document: dump it back */
    free(text);
    text = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    struct catalog_json_lines *jl = catalog_json_lines_new("catalog.json", text, strlen(text));
    struct catalog_report rep = {0};
    assert_true(catalog_doc_check(doc, &rep, catalog_json_locate, jl) >= 3);
    const struct catalog_problem *p = find(&rep, "catalog.duplicate_code");
    assert_non_null(p);
    assert_string_equal(p->file, "catalog.json");
    assert_true(p->line > 1);
    p = find(&rep, "catalog.unknown_department");
    assert_non_null(p);
    assert_string_equal(p->arg, "FS-NOPE");
    assert_string_equal(p->field, "department");
    /* the line is where the second item starts: it holds its code */
    long line = p->line;
    const char *at = text;
    for (long l = 1; l < line && at; l++)
        at = strchr(at, '\n') + 1;
    /* the element starts on that line; its code is on it or the next */
    const char *next = strchr(at, '\n');
    assert_non_null(next);
    const char *after = strchr(next + 1, '\n');
    char *two_lines = strndup(at, (size_t)(after - at));
    assert_non_null(strstr(two_lines, "\"440600-GA-0002\""));
    free(two_lines);
    assert_non_null(find(&rep, "catalog.negative"));
    assert_int_equal(find(&rep, "catalog.negative")->line, line);
    catalog_report_free(&rep);
    catalog_json_lines_free(jl);

    /* not the format at all */
    json_t *other = json_pack("{s:s, s:[], s:[], s:[]}", "format", "cpsv-ap", "departments",
                              "halls", "items");
    assert_int_equal(catalog_doc_check(other, &rep, NULL, NULL), 1);
    assert_non_null(find(&rep, "catalog.bad_format"));
    catalog_report_free(&rep);
    json_decref(other);
    free(text);
    json_decref(doc);
}

static void test_two_published_versions_refused(void **state)
{
    (void)state;
    json_t *doc = load_small();
    json_object_set_new(item_of(doc, "440600-SCJG-0001", 1), "status", json_string("published"));
    struct catalog_report rep = {0};
    assert_true(catalog_doc_check(doc, &rep, NULL, NULL) > 0);
    assert_non_null(find(&rep, "catalog.versions_conflict"));
    catalog_report_free(&rep);
    json_decref(doc);
}

static void test_canonical_and_changes(void **state)
{
    (void)state;
    json_t *doc = load_small();
    json_t *v1 = item_of(doc, "440600-SCJG-0001", 1), *v2 = item_of(doc, "440600-SCJG-0001", 2);
    /* member order does not matter to the canonical form */
    json_t *shuffled = json_object();
    const char *key;
    json_t *val;
    const char *keys[64];
    size_t n = 0;
    json_object_foreach(v1, key, val) keys[n++] = key;
    while (n--)
        json_object_set(shuffled, keys[n], json_object_get(v1, keys[n]));
    json_t *a = catalog_item_canonical(v1, "superseded"), *b = catalog_item_canonical(shuffled, "superseded");
    char *sa = json_dumps(a, JSON_COMPACT | JSON_PRESERVE_ORDER),
         *sb = json_dumps(b, JSON_COMPACT | JSON_PRESERVE_ORDER);
    assert_string_equal(sa, sb);
    assert_true(strncmp(sa, "{\"code\":", 8) == 0);
    free(sa);
    free(sb);
    json_decref(a);
    json_decref(b);
    json_decref(shuffled);

    json_t *ch = catalog_item_changes(v1, v2);
    char *s = json_dumps(ch, JSON_COMPACT);
    assert_string_equal(s, "[\"time_limit\",\"visits\",\"acceptance_with_missing\",\"channels\","
                           "\"preferences\",\"form_schema\"]");
    free(s);
    json_decref(ch);
    json_decref(doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_small_document_is_valid),
        cmocka_unit_test(test_carding_rules),
        cmocka_unit_test(test_depth_levels),
        cmocka_unit_test(test_form_errors),
        cmocka_unit_test(test_document_errors_located),
        cmocka_unit_test(test_two_published_versions_refused),
        cmocka_unit_test(test_canonical_and_changes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
