/**
 * @file test_utf8.c
 * @brief Strict UTF-8: the boundaries of every sequence length, overlong
 *        forms, surrogates, values above U+10FFFF, truncation, controls.
 */
#include "core/err.h"
#include "core/utf8.h"
#include "testlib.h"
#include <string.h>

/** Validates a C string (its length without the NUL). */
static int valid(const char *s)
{
    return utf8_validate(s, strlen(s), NULL);
}

/** Well-formed text at each boundary of each length. */
static void test_valid(void **state)
{
    (void)state;
    assert_int_equal(valid(""), 0);
    assert_int_equal(valid("plain ASCII \x7f"), 0);
    assert_int_equal(valid("\xc2\x80"), 0);         /* U+0080 */
    assert_int_equal(valid("\xdf\xbf"), 0);         /* U+07FF */
    assert_int_equal(valid("\xe0\xa0\x80"), 0);     /* U+0800 */
    assert_int_equal(valid("\xed\x9f\xbf"), 0);     /* U+D7FF */
    assert_int_equal(valid("\xee\x80\x80"), 0);     /* U+E000 */
    assert_int_equal(valid("\xef\xbf\xbf"), 0);     /* U+FFFF */
    assert_int_equal(valid("\xf0\x90\x80\x80"), 0); /* U+10000 */
    assert_int_equal(valid("\xf4\x8f\xbf\xbf"), 0); /* U+10FFFF */
    assert_int_equal(valid("佛山市网上办事大厅"), 0);
    assert_int_equal(valid("𠀀 emoji 😀"), 0);
    /* U+0000 is valid UTF-8 (given through the length). */
    assert_int_equal(utf8_validate("a\0b", 3, NULL), 0);
}

/** Malformed input of every kind, with the offset of the first error. */
static void test_invalid(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        size_t bad_at;
    } cases[] = {
        {"\x80", 0},                     /* lone continuation */
        {"ab\xbf", 2},                   /* lone continuation */
        {"\xc0\x80", 0},                 /* overlong NUL */
        {"\xc1\xbf", 0},                 /* overlong U+007F */
        {"\xe0\x80\x80", 0},             /* overlong 3-byte */
        {"\xe0\x9f\xbf", 0},             /* overlong U+07FF */
        {"\xf0\x80\x80\x80", 0},         /* overlong 4-byte */
        {"\xf0\x8f\xbf\xbf", 0},         /* overlong U+FFFF */
        {"x\xed\xa0\x80", 1},            /* U+D800 */
        {"\xed\xbf\xbf", 0},             /* U+DFFF */
        {"\xed\xa0\xbd\xed\xb8\x80", 0}, /* CESU-8 surrogate pair */
        {"\xf4\x90\x80\x80", 0},         /* U+110000 */
        {"\xf5\x80\x80\x80", 0},         /* lead F5 */
        {"\xff", 0},
        {"\xfe\xff", 0},
        {"\xc3", 0},         /* truncated at the end */
        {"ok\xe4\xb8", 2},   /* truncated 3-byte */
        {"\xf0\x9f\x98", 0}, /* truncated 4-byte */
        {"\xe4\x41\x41", 0}, /* continuation missing */
        {"\xf0\x9f\x41\x80", 0},
        {"\xc3\xa9\xc3", 2},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t at = 999;
        int rc = utf8_validate(cases[i].s, strlen(cases[i].s), &at);
        if (rc != -ERR_BAD_UTF8)
            fail_msg("case %zu accepted", i);
        assert_int_equal(at, cases[i].bad_at);
    }
    /* A sequence cut by the length given, though the bytes go on. */
    assert_int_equal(utf8_validate("\xe4\xb8\xad", 2, NULL), -ERR_BAD_UTF8);
    size_t at = 999;
    assert_int_equal(utf8_validate("abc", 3, &at), 0);
    assert_int_equal(at, 999);
}

/** Decoding and encoding agree on every boundary. */
static void test_decode_encode(void **state)
{
    (void)state;
    static const uint32_t cps[] = {0,      0x41,   0x7F,   0x80,   0x7FF,   0x800,   0x4E2D,
                                   0xD7FF, 0xE000, 0xFFFD, 0xFFFF, 0x10000, 0x20000, 0x10FFFF};
    for (size_t i = 0; i < sizeof cps / sizeof cps[0]; i++) {
        char enc[4];
        int len = utf8_encode(cps[i], enc);
        assert_true(len >= 1 && len <= 4);
        uint32_t back = 0xFFFFFFFF;
        assert_int_equal(utf8_decode(enc, (size_t)len, &back), len);
        assert_int_equal(back, cps[i]);
        /* One byte short is a truncated sequence. */
        if (len > 1)
            assert_int_equal(utf8_decode(enc, (size_t)len - 1, &back), -ERR_BAD_UTF8);
    }
    char enc[4];
    assert_int_equal(utf8_encode(0xD800, enc), -ERR_BAD_UTF8);
    assert_int_equal(utf8_encode(0xDFFF, enc), -ERR_BAD_UTF8);
    assert_int_equal(utf8_encode(0x110000, enc), -ERR_BAD_UTF8);
    uint32_t cp = 7;
    assert_int_equal(utf8_decode("\xe4\xb8\xad", 3, &cp), 3);
    assert_int_equal(cp, 0x4E2D); /* 中 */
    assert_int_equal(utf8_decode("", 0, &cp), -ERR_BAD_UTF8);
    assert_int_equal(utf8_decode(NULL, 1, &cp), -ERR_BAD_UTF8);
    assert_int_equal(cp, 0x4E2D);
}

/** Counting code points, not bytes. */
static void test_count(void **state)
{
    (void)state;
    size_t n = 99;
    assert_int_equal(utf8_count("", 0, &n), 0);
    assert_int_equal(n, 0);
    assert_int_equal(utf8_count("abc", 3, &n), 0);
    assert_int_equal(n, 3);
    const char *s = "佛山 hall 😀";
    assert_int_equal(utf8_count(s, strlen(s), &n), 0);
    assert_int_equal(n, 9);
    n = 99;
    assert_int_equal(utf8_count("a\xc0\x80", 3, &n), -ERR_BAD_UTF8);
    assert_int_equal(n, 99);
}

/** Control characters: only tab, newline and carriage return in text. */
static void test_controls(void **state)
{
    (void)state;
    const char *ok = "第一行\r\n\t第二行";
    assert_int_equal(utf8_check_text(ok, strlen(ok)), 0);
    assert_int_equal(utf8_check_line(ok, strlen(ok)), -ERR_INVALID);
    assert_int_equal(utf8_check_line("张三", strlen("张三")), 0);
    assert_int_equal(utf8_check_text("a\0b", 3), -ERR_INVALID);
    assert_int_equal(utf8_check_text("a\x01", 2), -ERR_INVALID);
    assert_int_equal(utf8_check_text("a\x1b[31m", 6), -ERR_INVALID);
    assert_int_equal(utf8_check_text("a\x1f", 2), -ERR_INVALID);
    assert_int_equal(utf8_check_text("a\x7f", 2), -ERR_INVALID);
    assert_int_equal(utf8_check_text("a\xc2\x80", 3), -ERR_INVALID); /* U+0080 */
    assert_int_equal(utf8_check_text("a\xc2\x9f", 3), -ERR_INVALID); /* U+009F */
    assert_int_equal(utf8_check_text("a\xc2\xa0", 3), 0);            /* U+00A0 */
    assert_int_equal(utf8_check_text(" ~", 2), 0);
    assert_int_equal(utf8_check_text("\xc0\x8a", 2), -ERR_BAD_UTF8); /* overlong \n */
    assert_int_equal(utf8_check_line("\xed\xa0\x80", 3), -ERR_BAD_UTF8);
    assert_int_equal(utf8_check_text("", 0), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid),         cmocka_unit_test(test_invalid),
        cmocka_unit_test(test_decode_encode), cmocka_unit_test(test_count),
        cmocka_unit_test(test_controls),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
