/**
 * @file html.c
 * @brief HTML escaping helpers (see html.h).
 */
#include "core/html.h"
#include "core/err.h"
#include "core/utf8.h"
#include <string.h>
#include <strings.h>

/** U+FFFD REPLACEMENT CHARACTER in UTF-8. */
static const char replacement[] = "\xEF\xBF\xBD";

/** The entity for an ASCII byte that must be escaped in text and attribute
 *  values, or NULL when the byte is copied as it is. &#39; rather than
 *  &apos; because the latter is not HTML 4 and some mail clients show it. */
static const char *entity_of(unsigned char c)
{
    switch (c) {
    case '&':
        return "&amp;";
    case '<':
        return "&lt;";
    case '>':
        return "&gt;";
    case '"':
        return "&quot;";
    case '\'':
        return "&#39;";
    default:
        return NULL;
    }
}

/**
 * The one escaping loop for text and attributes. Runs of bytes that need no
 * change are appended in one call; malformed UTF-8 and NUL become U+FFFD one
 * byte at a time (the next byte may start a good sequence again).
 */
static void escape_html(struct buf *b, const char *s, size_t n)
{
    size_t run = 0; /* start of the pending unchanged run */
    size_t i = 0;
    while (i < n) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x80) {
            uint32_t cp;
            int len = utf8_decode(s + i, n - i, &cp);
            if (len > 0) {
                i += (size_t)len;
                continue;
            }
            buf_append(b, s + run, i - run);
            buf_append(b, replacement, 3);
            run = ++i;
            continue;
        }
        const char *ent = c == 0 ? replacement : entity_of(c);
        if (ent) {
            buf_append(b, s + run, i - run);
            buf_puts(b, ent);
            run = i + 1;
        }
        i++;
    }
    buf_append(b, s + run, n - run);
}

/** Text content; see html.h. */
void html_text(struct buf *b, const char *s)
{
    if (s)
        escape_html(b, s, strlen(s));
}

/** Text content of n bytes; see html.h. */
void html_text_n(struct buf *b, const char *s, size_t n)
{
    if (s)
        escape_html(b, s, n);
}

/** Quoted attribute value; see html.h. */
void html_attr(struct buf *b, const char *s)
{
    if (s)
        escape_html(b, s, strlen(s));
}

/** Quoted attribute value of n bytes; see html.h. */
void html_attr_n(struct buf *b, const char *s, size_t n)
{
    if (s)
        escape_html(b, s, n);
}

/**
 * Decides on the scheme the way a browser would: a URL has a scheme when a
 * ':' comes before any '/', '?' or '#'. Characters browsers drop or fold
 * (ASCII controls, spaces, backslash) are refused outright instead of being
 * modelled, which is both simpler and stricter.
 */
int html_url_check(const char *url)
{
    if (!url || !*url)
        return -ERR_INVALID;
    size_t n = strlen(url);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)url[i];
        if (c <= 0x20 || c == 0x7F || c == '\\')
            return -ERR_INVALID;
    }
    if (utf8_validate(url, n, NULL) < 0)
        return -ERR_INVALID;
    size_t colon = strcspn(url, ":/?#");
    if (url[colon] == ':') {
        static const char *const allowed[] = {"http", "https", "mailto"};
        for (size_t k = 0; k < sizeof allowed / sizeof allowed[0]; k++) {
            if (colon == strlen(allowed[k]) && strncasecmp(url, allowed[k], colon) == 0)
                return 0;
        }
        return -ERR_INVALID;
    }
    /* Relative reference. "//host/..." would leave the site without saying
     * how; links out must spell their scheme. */
    if (url[0] == '/' && url[1] == '/')
        return -ERR_INVALID;
    return 0;
}

/** Checked URL attribute; see html.h. */
int html_href(struct buf *b, const char *url)
{
    int rc = html_url_check(url);
    if (rc < 0)
        return rc;
    html_attr(b, url);
    return 0;
}

/** JSON inside <script>; see html.h. */
void html_json_script(struct buf *b, const char *json)
{
    if (!json)
        return;
    size_t n = strlen(json);
    size_t run = 0;
    size_t i = 0;
    while (i < n) {
        unsigned char c = (unsigned char)json[i];
        const char *esc = NULL;
        size_t skip = 1;
        if (c == '<')
            esc = "\\u003c";
        else if (c == '>')
            esc = "\\u003e";
        else if (c == '&')
            esc = "\\u0026";
        else if (c >= 0x80) {
            uint32_t cp;
            int len = utf8_decode(json + i, n - i, &cp);
            if (len < 0)
                esc = replacement;
            else if (cp == 0x2028)
                esc = "\\u2028", skip = 3;
            else if (cp == 0x2029)
                esc = "\\u2029", skip = 3;
            else
                skip = (size_t)len;
        }
        if (esc) {
            buf_append(b, json + run, i - run);
            buf_puts(b, esc);
            run = i + skip;
        }
        i += skip;
    }
    buf_append(b, json + run, n - run);
}
