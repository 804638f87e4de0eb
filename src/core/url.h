/**
 * @file url.h
 * @brief Percent-encoding (RFC 3986) and the two name=value formats that
 *        reach the server in every request: query strings / form bodies
 *        (application/x-www-form-urlencoded, WHATWG URL standard) and the
 *        Cookie header (RFC 6265 section 5.4).
 *
 * Decoded text is checked at this boundary: an invalid %XX escape, a decoded
 * NUL byte or decoded bytes that are not well-formed UTF-8 are refused, so
 * no caller further down meets them.
 */
#ifndef ONEHALL_URL_H
#define ONEHALL_URL_H
#include "core/mem.h"
#include <stddef.h>

/** Options of url_decode. */
enum url_decode_flags {
    URL_DECODE_PLUS = 1, /**< '+' means space (query strings and form bodies) */
};

/** Appends the percent-decoding of s[0..n) to out. Returns 0, or
 *  -ERR_BAD_REQUEST when a '%' is not followed by two hex digits or an
 *  escape decodes to NUL. On error out may hold part of the result (callers
 *  reset it). Does not check UTF-8 (url_parse_query does). */
int url_decode(const char *s, size_t n, unsigned flags, struct buf *out);

/** Appends s[0..n) percent-encoded for a query-string name or value: the
 *  RFC 3986 unreserved characters A-Z a-z 0-9 - . _ ~ are copied, every
 *  other byte (space, UTF-8 bytes of Chinese text ...) becomes %XX with
 *  upper-case hex. The result is safe in a path segment too. */
void url_encode(struct buf *b, const char *s, size_t n);

/** Appends s (a C string, NULL appends nothing) percent-encoded as url_encode. */
void url_encode_str(struct buf *b, const char *s);

/** Receives one pair: name and value are decoded, NUL-terminated, valid
 *  UTF-8, borrowed for the duration of the call only. Return 0 to go on, a
 *  negative code to stop the parse (the parser then returns that code). */
typedef int (*url_pair_cb)(void *cls, const char *name, const char *value);

/** Parses a query string (without the '?') or a form body: pairs separated
 *  by '&', name and value split at the first '=' (a pair without '=' has the
 *  value ""), '+' is a space, empty pairs ("a=1&&b=2") are skipped, names
 *  may repeat (each pair is passed on in order). s may be NULL when n is 0.
 *  Returns 0, -ERR_BAD_REQUEST for a bad escape or a decoded NUL,
 *  -ERR_BAD_UTF8 for decoded bytes that are not UTF-8, or the callback's
 *  negative code. */
int url_parse_query(const char *s, size_t n, url_pair_cb cb, void *cls);

/** Parses a Cookie request header ("a=b; c=d"): pairs separated by ';',
 *  blanks around names and values trimmed, one pair of double quotes around
 *  a value removed. Values are not percent-decoded (RFC 6265 gives them no
 *  encoding). Pairs that are malformed (no '=', empty name, control or
 *  non-ASCII bytes) are skipped rather than failing the header: browsers
 *  send cookies set by other applications on the same host too. A NULL
 *  header has no pairs. Returns 0 or the callback's negative code. */
int url_parse_cookies(const char *header, url_pair_cb cb, void *cls);
#endif
