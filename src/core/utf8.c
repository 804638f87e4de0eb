/**
 * @file utf8.c
 * @brief Strict UTF-8 validation and decoding (see utf8.h for the rules).
 */
#include "core/utf8.h"
#include "core/err.h"

/**
 * Decodes one sequence. The allowed second byte depends on the lead byte
 * (Unicode table 3-7): that single range check is what rules out overlong
 * forms (E0, F0), surrogates (ED) and code points above U+10FFFF (F4), so
 * no code point arithmetic has to be checked afterwards.
 */
int utf8_decode(const char *s, size_t n, uint32_t *cp)
{
    if (!s || n == 0)
        return -ERR_BAD_UTF8;
    const unsigned char *p = (const unsigned char *)s;
    unsigned char c = p[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    size_t len;
    unsigned char lo = 0x80, hi = 0xBF; /* range of the second byte */
    uint32_t v;
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
        v = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        v = c & 0x0F;
        if (c == 0xE0)
            lo = 0xA0; /* below is overlong */
        else if (c == 0xED)
            hi = 0x9F; /* above is a surrogate */
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        v = c & 0x07;
        if (c == 0xF0)
            lo = 0x90; /* below is overlong */
        else if (c == 0xF4)
            hi = 0x8F; /* above is beyond U+10FFFF */
    } else {
        /* 80..BF: stray continuation; C0, C1: always overlong; F5..FF: never used. */
        return -ERR_BAD_UTF8;
    }
    if (n < len)
        return -ERR_BAD_UTF8;
    if (p[1] < lo || p[1] > hi)
        return -ERR_BAD_UTF8;
    v = (v << 6) | (p[1] & 0x3F);
    for (size_t i = 2; i < len; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return -ERR_BAD_UTF8;
        v = (v << 6) | (p[i] & 0x3F);
    }
    *cp = v;
    return (int)len;
}

/** Encodes cp; see utf8.h. */
int utf8_encode(uint32_t cp, char *out)
{
    unsigned char *o = (unsigned char *)out;
    if (cp < 0x80) {
        o[0] = (unsigned char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (unsigned char)(0xC0 | (cp >> 6));
        o[1] = (unsigned char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp >= 0xD800 && cp <= 0xDFFF)
        return -ERR_BAD_UTF8;
    if (cp < 0x10000) {
        o[0] = (unsigned char)(0xE0 | (cp >> 12));
        o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (unsigned char)(0x80 | (cp & 0x3F));
        return 3;
    }
    if (cp > UTF8_MAX_CP)
        return -ERR_BAD_UTF8;
    o[0] = (unsigned char)(0xF0 | (cp >> 18));
    o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (unsigned char)(0x80 | (cp & 0x3F));
    return 4;
}

/** Validates s[0..n); see utf8.h. */
int utf8_validate(const char *s, size_t n, size_t *bad_at)
{
    size_t i = 0;
    while (i < n) {
        /* ASCII runs are the common case in forms and JSON. */
        if ((unsigned char)s[i] < 0x80) {
            i++;
            continue;
        }
        uint32_t cp;
        int len = utf8_decode(s + i, n - i, &cp);
        if (len < 0) {
            if (bad_at)
                *bad_at = i;
            return -ERR_BAD_UTF8;
        }
        i += (size_t)len;
    }
    return 0;
}

/** Counts code points; see utf8.h. */
int utf8_count(const char *s, size_t n, size_t *count)
{
    size_t i = 0, k = 0;
    while (i < n) {
        uint32_t cp;
        int len = utf8_decode(s + i, n - i, &cp);
        if (len < 0)
            return -ERR_BAD_UTF8;
        i += (size_t)len;
        k++;
    }
    *count = k;
    return 0;
}

/** Shared body of utf8_check_text and utf8_check_line. */
static int check_controls(const char *s, size_t n, int allow_space_controls)
{
    size_t i = 0;
    while (i < n) {
        uint32_t cp;
        int len = utf8_decode(s + i, n - i, &cp);
        if (len < 0)
            return -ERR_BAD_UTF8;
        i += (size_t)len;
        if (cp == '\t' || cp == '\n' || cp == '\r') {
            if (!allow_space_controls)
                return -ERR_INVALID;
        } else if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F)) {
            return -ERR_INVALID;
        }
    }
    return 0;
}

/** Multi-line text check; see utf8.h. */
int utf8_check_text(const char *s, size_t n)
{
    return check_controls(s, n, 1);
}

/** One-line text check; see utf8.h. */
int utf8_check_line(const char *s, size_t n)
{
    return check_controls(s, n, 0);
}
