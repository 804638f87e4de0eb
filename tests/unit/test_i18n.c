/**
 * @file test_i18n.c
 * @brief Both languages have the same keys, every error of the registry has
 *        a title in both, and lookups fall back sensibly.
 */
#include "core/err.h"
#include "core/i18n.h"
#include "testlib.h"
#include <stdio.h>
#include <string.h>

static void test_same_keys(void **state)
{
    assert_int_equal(i18n_init(), 0);
    int missing = 0;
    for (int l = 0; l < LANG__COUNT; l++) {
        enum lang other = l == LANG_ZH ? LANG_EN : LANG_ZH;
        for (unsigned i = 0; i < i18n_count((enum lang)l); i++) {
            const char *k = i18n_key_at((enum lang)l, i);
            int found = 0;
            for (unsigned j = 0; j < i18n_count(other) && !found; j++)
                found = strcmp(k, i18n_key_at(other, j)) == 0;
            if (!found) {
                fprintf(stderr, "key %s is in %s but not in %s\n", k, lang_tag((enum lang)l),
                        lang_tag(other));
                missing++;
            }
        }
    }
    assert_int_equal(missing, 0);
}

static void test_error_titles(void **state)
{
    assert_int_equal(i18n_init(), 0);
    for (int code = 0; code < ERR__COUNT; code++) {
        char key[96];
        snprintf(key, sizeof key, "err.%s", err_slug((enum err_code)code));
        for (int l = 0; l < LANG__COUNT; l++)
            if (strcmp(tr((enum lang)l, key), key) == 0)
                fail_msg("no %s title for %s", lang_tag((enum lang)l), key);
    }
}

static void test_lookup(void **state)
{
    assert_int_equal(i18n_init(), 0);
    assert_string_equal(tr(LANG_ZH, "hall.name"), "佛山市网上办事大厅");
    assert_string_equal(tr(LANG_EN, "hall.name"), "Foshan Online Service Hall");
    assert_string_equal(tr(LANG_EN, "no.such.key"), "no.such.key");
    char out[128];
    trf(LANG_EN, "accounts.locked", "30", out, sizeof out);
    assert_non_null(strstr(out, "30 seconds"));
    assert_int_equal(lang_from_accept("en-US,en;q=0.9"), LANG_EN);
    assert_int_equal(lang_from_accept("fr-FR, zh-CN;q=0.8"), LANG_ZH);
    assert_int_equal(lang_from_accept(NULL), LANG_ZH);
    assert_int_equal(lang_parse("zh-Hans"), LANG_ZH);
    assert_int_equal(lang_parse("de"), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_keys),
        cmocka_unit_test(test_error_titles),
        cmocka_unit_test(test_lookup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
