/**
 * @file url.c
 * @brief Percent-encoding, query strings, form bodies and Cookie headers
 *        (see url.h).
 */
#include "core/url.h"
#include "core/err.h"
#include "core/utf8.h"
#include <string.h>

/** Value of a hex digit, or -1. */
static int hex_value(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/**
 * Browsers pass a lone '%' through in a query string, and the WHATWG
 * decoder keeps it literally; we refuse it instead, because a form or link
 * of ours never produces one and a refused request is easier to debug than
 * a silently different value.
 */
int url_decode(const char *s, size_t n, unsigned flags, struct buf *out)
{
    size_t run = 0;
    size_t i = 0;
    while (i < n) {
        char c = s[i];
        if (c == '%') {
            if (n - i < 3)
                return -ERR_BAD_REQUEST;
            int hi = hex_value((unsigned char)s[i + 1]);
            int lo = hex_value((unsigned char)s[i + 2]);
            if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
                return -ERR_BAD_REQUEST;
            buf_append(out, s + run, i - run);
            buf_putc(out, (char)(hi * 16 + lo));
            i += 3;
            run = i;
        } else if (c == '+' && (flags & URL_DECODE_PLUS)) {
            buf_append(out, s + run, i - run);
            buf_putc(out, ' ');
            run = ++i;
        } else if (c == '\0') {
            /* Only reachable through the length form; NUL is refused however it comes. */
            return -ERR_BAD_REQUEST;
        } else {
            i++;
        }
    }
    buf_append(out, s + run, n - run);
    return 0;
}

/** Percent-encodes n bytes; see url.h. */
void url_encode(struct buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '.' || c == '_' || c == '~') {
            buf_putc(b, (char)c);
        } else {
            char esc[3] = {'%', hex[c >> 4], hex[c & 15]};
            buf_append(b, esc, 3);
        }
    }
}

/** Percent-encodes a C string; see url.h. */
void url_encode_str(struct buf *b, const char *s)
{
    if (s)
        url_encode(b, s, strlen(s));
}

/** Decodes one form component into out (reset first) and checks UTF-8. */
static int decode_component(const char *s, size_t n, struct buf *out)
{
    buf_reset(out);
    int rc = url_decode(s, n, URL_DECODE_PLUS, out);
    if (rc < 0)
        return rc;
    return utf8_validate(out->data ? out->data : "", out->len, NULL);
}

/** Parses a query string or form body; see url.h. */
int url_parse_query(const char *s, size_t n, url_pair_cb cb, void *cls)
{
    struct buf name = BUF_INIT, value = BUF_INIT;
    int rc = 0;
    size_t i = 0;
    while (i < n) {
        const char *pair = s + i;
        const char *amp = memchr(pair, '&', n - i);
        size_t plen = amp ? (size_t)(amp - pair) : n - i;
        i += plen + 1; /* past the '&' (or past the end, which ends the loop) */
        if (plen == 0)
            continue;
        const char *eq = memchr(pair, '=', plen);
        size_t nlen = eq ? (size_t)(eq - pair) : plen;
        rc = decode_component(pair, nlen, &name);
        if (rc < 0)
            break;
        if (eq)
            rc = decode_component(eq + 1, plen - nlen - 1, &value);
        else
            buf_reset(&value);
        if (rc < 0)
            break;
        rc = cb(cls, buf_str(&name), buf_str(&value));
        if (rc < 0)
            break;
        rc = 0;
    }
    buf_free(&name);
    buf_free(&value);
    return rc;
}

/** Whether c is blank in the sense of RFC 6265 (SP or HTAB). */
static int is_blank(char c)
{
    return c == ' ' || c == '\t';
}

/** Whether s[0..n) holds only printable ASCII (no controls, no UTF-8). */
static int printable_ascii(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c >= 0x7F)
            return 0;
    }
    return 1;
}

/**
 * Parses a Cookie header. Each pair is copied into a small buffer so the
 * callback receives NUL-terminated strings without the header being
 * modified.
 */
int url_parse_cookies(const char *header, url_pair_cb cb, void *cls)
{
    if (!header)
        return 0;
    struct buf name = BUF_INIT, value = BUF_INIT;
    int rc = 0;
    const char *p = header;
    while (*p) {
        size_t plen = strcspn(p, ";");
        const char *pair = p;
        p += plen;
        if (*p == ';')
            p++;
        const char *eq = memchr(pair, '=', plen);
        if (!eq)
            continue;
        /* Trim the name and the value. */
        const char *ns = pair, *ne = eq;
        while (ns < ne && is_blank(*ns))
            ns++;
        while (ne > ns && is_blank(ne[-1]))
            ne--;
        const char *vs = eq + 1, *ve = pair + plen;
        while (vs < ve && is_blank(*vs))
            vs++;
        while (ve > vs && is_blank(ve[-1]))
            ve--;
        if (ve - vs >= 2 && vs[0] == '"' && ve[-1] == '"') {
            vs++;
            ve--;
        }
        if (ne == ns || !printable_ascii(ns, (size_t)(ne - ns)) ||
            !printable_ascii(vs, (size_t)(ve - vs)))
            continue;
        buf_reset(&name);
        buf_append(&name, ns, (size_t)(ne - ns));
        buf_reset(&value);
        buf_append(&value, vs, (size_t)(ve - vs));
        rc = cb(cls, buf_str(&name), buf_str(&value));
        if (rc < 0)
            break;
        rc = 0;
    }
    buf_free(&name);
    buf_free(&value);
    return rc;
}
