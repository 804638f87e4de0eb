/**
 * @file test_html.c
 * @brief The escaping helpers: text, attributes, URLs for href, JSON in
 *        <script>.
 */
#include "core/err.h"
#include "core/html.h"
#include "testlib.h"
#include <string.h>

/** html_text into a fresh buffer, compared with want. */
static void expect_text(const char *in, const char *want)
{
    struct buf b = BUF_INIT;
    html_text(&b, in);
    assert_string_equal(buf_str(&b), want);
    buf_free(&b);
}

/** The five characters, and everything else unchanged. */
static void test_text(void **state)
{
    (void)state;
    expect_text("", "");
    expect_text("plain", "plain");
    expect_text("a & b < c > d \" e ' f", "a &amp; b &lt; c &gt; d &quot; e &#39; f");
    expect_text("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;");
    expect_text("&amp;", "&amp;amp;");
    expect_text("佛山市网上办事大厅：营业执照（个体）", "佛山市网上办事大厅：营业执照（个体）");
    expect_text("张三<李四>", "张三&lt;李四&gt;");
    expect_text("emoji 😀 ok", "emoji 😀 ok");
    struct buf b = BUF_INIT;
    html_text(&b, NULL);
    assert_string_equal(buf_str(&b), "");
    /* Appends to what is there. */
    buf_puts(&b, "<p>");
    html_text(&b, "1 < 2");
    buf_puts(&b, "</p>");
    assert_string_equal(buf_str(&b), "<p>1 &lt; 2</p>");
    buf_free(&b);
}

/** Malformed UTF-8 and NUL become U+FFFD; good sequences around them stay. */
static void test_text_bad_bytes(void **state)
{
    (void)state;
    expect_text("a\xff"
                "b",
                "a\xef\xbf\xbd"
                "b");
    expect_text("\xc0\xbcscript>", "\xef\xbf\xbd\xef\xbf\xbdscript&gt;"); /* overlong '<' */
    expect_text("\xe4\xb8", "\xef\xbf\xbd\xef\xbf\xbd");
    expect_text("\xe4\xb8中", "\xef\xbf\xbd\xef\xbf\xbd中");
    struct buf b = BUF_INIT;
    html_text_n(&b, "a\0<", 3);
    assert_int_equal(b.len, 1 + 3 + 4);
    assert_memory_equal(b.data, "a\xef\xbf\xbd&lt;", 8);
    buf_free(&b);
}

/** Attribute values cannot be left. */
static void test_attr(void **state)
{
    (void)state;
    struct buf b = BUF_INIT;
    buf_puts(&b, "<input value=\"");
    html_attr(&b, "\" onfocus=\"alert(1)\" x='");
    buf_puts(&b, "\">");
    assert_string_equal(buf_str(&b),
                        "<input value=\"&quot; onfocus=&quot;alert(1)&quot; x=&#39;\">");
    buf_reset(&b);
    html_attr(&b, "申请人：王五");
    assert_string_equal(buf_str(&b), "申请人：王五");
    buf_reset(&b);
    html_attr_n(&b, "a&b", 2);
    assert_string_equal(buf_str(&b), "a&amp;");
    buf_reset(&b);
    html_attr(&b, NULL);
    assert_string_equal(buf_str(&b), "");
    buf_free(&b);
}

/** Only relative references, http, https and mailto. */
static void test_url_check(void **state)
{
    (void)state;
    static const char *const good[] = {
        "/items/123",
        "/items?q=%E8%90%A5%E4%B8%9A&page=2",
        "items/123",
        "../up",
        "?page=2",
        "#materials",
        "http://www.foshan.gov.cn/",
        "https://www.gdzwfw.gov.cn/portal/",
        "HTTPS://EXAMPLE.COM",
        "mailto:service@foshan.gov.cn",
        "/path/with:colon",
        "/搜索?q=营业执照",
        "javascript%3Aalert(1)", /* a relative path: the scheme is never decoded */
        "http",                  /* a relative path too */
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        if (html_url_check(good[i]) != 0)
            fail_msg("refused %s", good[i]);
    }
    static const char *const bad[] = {
        NULL,
        "",
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        "java\tscript:alert(1)",
        "java\nscript:alert(1)",
        " javascript:alert(1)",
        "\x01javascript:alert(1)",
        "vbscript:msgbox(1)",
        "data:text/html;base64,PHNjcmlwdD4=",
        "file:///etc/passwd",
        "ftp://example.com/",
        "tel:+8675712345",
        "//evil.example/",
        "/\\evil.example/",
        "\\\\evil.example",
        "https://a b",
        "http\x7f://x",
        "a\xff",
        "httpx://x",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (html_url_check(bad[i]) != -ERR_INVALID)
            fail_msg("accepted bad URL %zu", i);
    }
}

/** html_href escapes what it accepts and appends nothing otherwise. */
static void test_href(void **state)
{
    (void)state;
    struct buf b = BUF_INIT;
    assert_int_equal(html_href(&b, "/search?q=a&page=2&x=\"y\""), 0);
    assert_string_equal(buf_str(&b), "/search?q=a&amp;page=2&amp;x=&quot;y&quot;");
    buf_reset(&b);
    assert_int_equal(html_href(&b, "javascript:alert(document.cookie)"), -ERR_INVALID);
    assert_int_equal(b.len, 0);
    assert_int_equal(html_href(&b, "https://www.foshan.gov.cn/"), 0);
    assert_string_equal(buf_str(&b), "https://www.foshan.gov.cn/");
    buf_free(&b);
}

/** JSON inside <script> cannot close the element. */
static void test_json_script(void **state)
{
    (void)state;
    struct buf b = BUF_INIT;
    html_json_script(&b, "{\"name\":\"</script><script>alert(1)</script>\",\"a\":\"x&y\"}");
    assert_string_equal(buf_str(&b), "{\"name\":\"\\u003c/script\\u003e\\u003cscript\\u003ealert(1)"
                                     "\\u003c/script\\u003e\",\"a\":\"x\\u0026y\"}");
    assert_null(strstr(buf_str(&b), "<"));
    buf_reset(&b);
    html_json_script(&b, "[\"<!--\",\"办事指南\"]");
    assert_string_equal(buf_str(&b), "[\"\\u003c!--\",\"办事指南\"]");
    buf_reset(&b);
    html_json_script(&b, "\"a\xe2\x80\xa8"
                         "b\xe2\x80\xa9"
                         "c\"");
    assert_string_equal(buf_str(&b), "\"a\\u2028b\\u2029c\"");
    buf_reset(&b);
    html_json_script(&b, "\"\xff\"");
    assert_string_equal(buf_str(&b), "\"\xef\xbf\xbd\"");
    buf_reset(&b);
    html_json_script(&b, NULL);
    assert_int_equal(b.len, 0);
    buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_text), cmocka_unit_test(test_text_bad_bytes),
        cmocka_unit_test(test_attr), cmocka_unit_test(test_url_check),
        cmocka_unit_test(test_href), cmocka_unit_test(test_json_script),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
