/**
 * @file test_pinyin.c
 * @brief The reading table: common characters, every reading of polyphonic
 *        characters with the common one first, ü as v, the range limits,
 *        the coverage of the basic block, loading once from many threads.
 */
#include "core/pinyin.h"
#include "core/res.h"
#include "testlib.h"
#include <pthread.h>
#include <stdio.h>
#include <string.h>

/** The readings of the character at the start of s, joined with ','. */
static const char *readings(const char *s)
{
    static char buf[128];
    const unsigned char *u = (const unsigned char *)s;
    uint32_t cp = (uint32_t)(u[0] & 0x0F) << 12 | (uint32_t)(u[1] & 0x3F) << 6 | (u[2] & 0x3F);
    const char *r[PINYIN_MAX_READINGS];
    size_t n = pinyin_readings(cp, r, PINYIN_MAX_READINGS);
    buf[0] = 0;
    for (size_t i = 0; i < n; i++) {
        if (i) strcat(buf, ",");
        strcat(buf, r[i]);
    }
    return buf;
}

/** Whether the reading list of s contains r. */
static int has(const char *s, const char *r)
{
    char list[130];
    snprintf(list, sizeof list, ",%s,", readings(s));
    char want[16];
    snprintf(want, sizeof want, ",%s,", r);
    return strstr(list, want) != NULL;
}

static void test_common(void **state)
{
    (void)state;
    assert_int_equal(pinyin_load(), 0);
    assert_string_equal(readings("营"), "ying");
    assert_string_equal(readings("业"), "ye");
    assert_string_equal(readings("执"), "zhi");
    assert_string_equal(readings("照"), "zhao");
    assert_string_equal(readings("社"), "she");
    assert_string_equal(readings("户"), "hu");
    assert_string_equal(readings("一"), "yi");
}

/** 多音字: every reading, the customary one first. */
static void test_polyphonic(void **state)
{
    (void)state;
    assert_true(strncmp(readings("行"), "xing,", 5) == 0);
    assert_true(has("行", "hang"));
    assert_true(strncmp(readings("长"), "zhang,", 6) == 0 ||
                strncmp(readings("长"), "chang,", 6) == 0);
    assert_true(has("长", "chang") && has("长", "zhang"));
    assert_true(has("重", "zhong") && has("重", "chong"));
    assert_true(has("乐", "le") && has("乐", "yue"));
    assert_true(has("银", "yin"));
    /* Each reading once. */
    const char *r[PINYIN_MAX_READINGS];
    size_t n = pinyin_readings(0x884C /* 行 */, r, PINYIN_MAX_READINGS);
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++)
            assert_true(r[i] != r[j] && strcmp(r[i], r[j]) != 0);
    /* max bounds what is stored. */
    assert_int_equal(pinyin_readings(0x884C, r, 1), 1);
    assert_string_equal(r[0], "xing");
    assert_int_equal(pinyin_readings(0x884C, r, 0), 0);
}

/** ü is v; readings are lower-case ASCII letters only. */
static void test_ascii(void **state)
{
    (void)state;
    assert_true(has("绿", "lv"));
    assert_true(has("女", "nv"));
    size_t nsyl = pinyin_syllable_count();
    assert_true(nsyl > 380 && nsyl < 1024);
    for (unsigned i = 0; i < nsyl; i++) {
        const char *s = pinyin_syllable(i);
        assert_non_null(s);
        assert_true(strlen(s) >= 1 && strlen(s) <= PINYIN_MAX_LEN);
        for (const char *c = s; *c; c++)
            assert_true(*c >= 'a' && *c <= 'z');
    }
    assert_null(pinyin_syllable((unsigned)nsyl));
}

/** Outside the range, nothing; the basic block is covered. */
static void test_range(void **state)
{
    (void)state;
    const char *r[PINYIN_MAX_READINGS];
    assert_int_equal(pinyin_readings('a', r, PINYIN_MAX_READINGS), 0);
    assert_int_equal(pinyin_readings(0x33FF, r, PINYIN_MAX_READINGS), 0);
    assert_int_equal(pinyin_readings(0xA000, r, PINYIN_MAX_READINGS), 0);
    assert_int_equal(pinyin_readings(0x20000, r, PINYIN_MAX_READINGS), 0);
    assert_int_equal(pinyin_readings(0xFFFFFFFF, r, PINYIN_MAX_READINGS), 0);
    assert_true(pinyin_readings(0x3400, r, PINYIN_MAX_READINGS) > 0); /* 㐀 qiu */
    size_t have = 0;
    for (uint32_t c = 0x4E00; c <= 0x9FFF; c++)
        have += pinyin_readings(c, r, PINYIN_MAX_READINGS) > 0;
    /* Unihan 15 gives readings to all but ~90 of the 20,992. */
    assert_true(have > 20800);
    /* The data is built in, with the Unicode notice. */
    const struct res *d = res_find("data/pinyin.txt");
    assert_non_null(d);
    assert_non_null(strstr((const char *)d->data, "Unicode"));
}

static void *load_thread(void *arg)
{
    (void)arg;
    const char *r[PINYIN_MAX_READINGS];
    return (void *)(uintptr_t)(pinyin_load() == 0 && pinyin_readings(0x957F, r, 4) >= 2);
}

/** Loading from several threads at once gives one table. */
static void test_threads(void **state)
{
    (void)state;
    pthread_t t[4];
    for (int i = 0; i < 4; i++)
        assert_int_equal(pthread_create(&t[i], NULL, load_thread, NULL), 0);
    for (int i = 0; i < 4; i++) {
        void *ok;
        pthread_join(t[i], &ok);
        assert_true(ok != NULL);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_threads),    cmocka_unit_test(test_common),
        cmocka_unit_test(test_polyphonic), cmocka_unit_test(test_ascii),
        cmocka_unit_test(test_range),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
