/**
 * @file test_url.c
 * @brief Percent-decoding and -encoding, query strings and form bodies,
 *        Cookie headers.
 */
#include "core/err.h"
#include "core/url.h"
#include "testlib.h"
#include <stdlib.h>
#include <string.h>

/** Decodes a C string and returns the result (caller frees) or NULL on
 *  error, storing the code in *rc. */
static char *decode(const char *s, unsigned flags, int *rc)
{
    struct buf b = BUF_INIT;
    *rc = url_decode(s, strlen(s), flags, &b);
    if (*rc < 0) {
        buf_free(&b);
        return NULL;
    }
    return buf_steal(&b);
}

/** Decoding, with and without '+' as space. */
static void test_decode(void **state)
{
    (void)state;
    int rc;
    char *s = decode("a%20b+c", 0, &rc);
    assert_string_equal(s, "a b+c");
    free(s);
    s = decode("a%20b+c", URL_DECODE_PLUS, &rc);
    assert_string_equal(s, "a b c");
    free(s);
    s = decode("%E8%90%a5%E4%B8%9A%E6%89%A7%E7%85%A7", 0, &rc);
    assert_string_equal(s, "营业执照");
    free(s);
    s = decode("%2B%25%26", URL_DECODE_PLUS, &rc);
    assert_string_equal(s, "+%&");
    free(s);
    s = decode("", 0, &rc);
    assert_string_equal(s, "");
    free(s);
    s = decode("已经是中文", 0, &rc);
    assert_string_equal(s, "已经是中文");
    free(s);
    static const char *const bad[] = {"%", "%2", "a%zz", "%G0", "%0g", "abc%", "%00", "a%00b"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_null(decode(bad[i], URL_DECODE_PLUS, &rc));
        assert_int_equal(rc, -ERR_BAD_REQUEST);
    }
    /* An embedded NUL given through the length is refused too. */
    struct buf b = BUF_INIT;
    assert_int_equal(url_decode("a\0b", 3, 0, &b), -ERR_BAD_REQUEST);
    buf_free(&b);
}

/** Encoding keeps only the unreserved characters. */
static void test_encode(void **state)
{
    (void)state;
    struct buf b = BUF_INIT;
    url_encode_str(&b, "AZaz09-._~");
    assert_string_equal(buf_str(&b), "AZaz09-._~");
    buf_reset(&b);
    url_encode_str(&b, "a b&c=d/e?f#g+h%");
    assert_string_equal(buf_str(&b), "a%20b%26c%3Dd%2Fe%3Ff%23g%2Bh%25");
    buf_reset(&b);
    url_encode_str(&b, "营业执照");
    assert_string_equal(buf_str(&b), "%E8%90%A5%E4%B8%9A%E6%89%A7%E7%85%A7");
    buf_reset(&b);
    url_encode(&b, "\xff\x01", 2);
    assert_string_equal(buf_str(&b), "%FF%01");
    buf_reset(&b);
    url_encode_str(&b, NULL);
    assert_int_equal(b.len, 0);
    /* Round trip. */
    const char *orig = "q=佛山 100% & more+";
    url_encode_str(&b, orig);
    struct buf back = BUF_INIT;
    assert_int_equal(url_decode(b.data, b.len, URL_DECODE_PLUS, &back), 0);
    assert_string_equal(buf_str(&back), orig);
    buf_free(&back);
    buf_free(&b);
}

/** Collects pairs as "name=value;" into a buffer; stops when asked. */
struct collect {
    struct buf out;
    int stop_after; /* 0: never */
    int seen;
};

/** url_pair_cb appending to a struct collect. */
static int collect_pair(void *cls, const char *name, const char *value)
{
    struct collect *c = cls;
    buf_printf(&c->out, "%s=%s;", name, value);
    c->seen++;
    if (c->stop_after && c->seen >= c->stop_after)
        return -ERR_TOO_MANY;
    return 0;
}

/** Parses s as a query string; returns the collected text (caller frees)
 *  and the code in *rc. */
static char *query(const char *s, int *rc)
{
    struct collect c = {BUF_INIT, 0, 0};
    *rc = url_parse_query(s, s ? strlen(s) : 0, collect_pair, &c);
    return buf_steal(&c.out);
}

/** Query strings and form bodies. */
static void test_query(void **state)
{
    (void)state;
    int rc;
    char *s = query("a=1&b=two+words&c=%E4%BD%9B%E5%B1%B1", &rc);
    assert_int_equal(rc, 0);
    assert_string_equal(s, "a=1;b=two words;c=佛山;");
    free(s);
    s = query("&&flag&x=&=v&y=a=b&x=2&", &rc);
    assert_int_equal(rc, 0);
    assert_string_equal(s, "flag=;x=;=v;y=a=b;x=2;");
    free(s);
    s = query("", &rc);
    assert_int_equal(rc, 0);
    assert_string_equal(s, "");
    free(s);
    s = query(NULL, &rc);
    assert_int_equal(rc, 0);
    free(s);
    s = query("na%6De=v%61lue", &rc);
    assert_string_equal(s, "name=value;");
    free(s);
    /* Errors stop the parse; pairs before the error were delivered. */
    s = query("a=1&b=%zz&c=3", &rc);
    assert_int_equal(rc, -ERR_BAD_REQUEST);
    assert_string_equal(s, "a=1;");
    free(s);
    s = query("a=%00", &rc);
    assert_int_equal(rc, -ERR_BAD_REQUEST);
    free(s);
    s = query("a%FF=1", &rc);
    assert_int_equal(rc, -ERR_BAD_UTF8);
    free(s);
    s = query("a=%C0%BC", &rc); /* overlong '<' */
    assert_int_equal(rc, -ERR_BAD_UTF8);
    free(s);
    s = query("a=%ED%A0%80", &rc); /* surrogate */
    assert_int_equal(rc, -ERR_BAD_UTF8);
    free(s);
    /* The length bounds the parse: the rest of the string is not read. */
    struct collect c = {BUF_INIT, 0, 0};
    assert_int_equal(url_parse_query("a=1&b=2", 3, collect_pair, &c), 0);
    assert_string_equal(buf_str(&c.out), "a=1;");
    buf_free(&c.out);
    /* The callback can stop the parse with its own code. */
    struct collect stop = {BUF_INIT, 2, 0};
    assert_int_equal(url_parse_query("a=1&b=2&c=3", 11, collect_pair, &stop), -ERR_TOO_MANY);
    assert_string_equal(buf_str(&stop.out), "a=1;b=2;");
    buf_free(&stop.out);
}

/** Parses a Cookie header; returns the collected text (caller frees). */
static char *cookies(const char *h, int *rc)
{
    struct collect c = {BUF_INIT, 0, 0};
    *rc = url_parse_cookies(h, collect_pair, &c);
    return buf_steal(&c.out);
}

/** Cookie headers as browsers send them, and malformed pairs skipped. */
static void test_cookies(void **state)
{
    (void)state;
    int rc;
    char *s = cookies("a=b; c=d", &rc);
    assert_int_equal(rc, 0);
    assert_string_equal(s, "a=b;c=d;");
    free(s);
    s = cookies("  sid = abc-_123 ;\tcsrf=\"q w\";theme=;;noeq; =novalue;x=a=b", &rc);
    assert_int_equal(rc, 0);
    assert_string_equal(s, "sid=abc-_123;csrf=q w;theme=;x=a=b;");
    free(s);
    s = cookies("bad=\x01; zh=\xe4\xb8\xad; ok=1", &rc);
    assert_string_equal(s, "ok=1;");
    free(s);
    s = cookies("q=\"\"", &rc);
    assert_string_equal(s, "q=;");
    free(s);
    s = cookies("", &rc);
    assert_string_equal(s, "");
    free(s);
    s = cookies(NULL, &rc);
    assert_int_equal(rc, 0);
    assert_string_equal(s, "");
    free(s);
    struct collect stop = {BUF_INIT, 1, 0};
    assert_int_equal(url_parse_cookies("a=1; b=2", collect_pair, &stop), -ERR_TOO_MANY);
    assert_string_equal(buf_str(&stop.out), "a=1;");
    buf_free(&stop.out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decode),
        cmocka_unit_test(test_encode),
        cmocka_unit_test(test_query),
        cmocka_unit_test(test_cookies),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
