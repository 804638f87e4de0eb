/**
 * @file html.h
 * @brief The escaping helpers through which every piece of data reaches an
 *        HTML page. No page writes user data any other way, so a cross-site
 *        scripting hole needs a bug in this one small file.
 *
 * All helpers append to a struct buf (core/mem.h). Input is expected to be
 * UTF-8; a byte sequence that is not well-formed UTF-8 is written as U+FFFD
 * (the replacement character) so a page never carries bytes the browser
 * might read in some other way. NUL bytes cannot occur in the C-string forms
 * and are written as U+FFFD by the _n forms.
 */
#ifndef ONEHALL_HTML_H
#define ONEHALL_HTML_H
#include "core/mem.h"
#include <stddef.h>

/** Appends s as HTML text content: & < > " ' become &amp; &lt; &gt; &quot;
 *  &#39;; everything else (Chinese text included) is copied unchanged. A NULL
 *  s appends nothing. */
void html_text(struct buf *b, const char *s);
/** html_text for the n bytes at s (which may contain NUL). */
void html_text_n(struct buf *b, const char *s, size_t n);

/** Appends s for use inside a double-quoted attribute value (value="...").
 *  Same escaping as html_text, so it is also safe in single quotes; never
 *  use it for an unquoted attribute, nor for href/src (see html_href) or
 *  event handler/style attributes. A NULL s appends nothing. */
void html_attr(struct buf *b, const char *s);
/** html_attr for the n bytes at s. */
void html_attr_n(struct buf *b, const char *s, size_t n);

/** Whether url may be put in an href or src: 0 when it is a relative
 *  reference (path, "?query" or "#fragment") or an absolute URL with scheme
 *  http, https or mailto (any letter case); -ERR_INVALID for anything else:
 *  NULL or "", other schemes (javascript:, data:, vbscript:, file: ...),
 *  control characters or spaces anywhere (browsers strip some of them, which
 *  would let "java\tscript:" through), backslashes, and network-path
 *  references ("//host", which should name their scheme). */
int html_url_check(const char *url);

/** Appends url escaped for a double-quoted href/src attribute when
 *  html_url_check accepts it and returns 0; otherwise appends nothing and
 *  returns -ERR_INVALID (the caller may write "#" or leave the link out). */
int html_href(struct buf *b, const char *url);

/** Appends a JSON text for use inside <script> (e.g. type="application/json"
 *  or an inline script): < > & become \u003c \u003e \u0026 and U+2028,
 *  U+2029 become \u2028 \u2029, so "</script>" or "<!--" in a string value
 *  cannot end or change the script element. json must be valid JSON (those
 *  characters can then only occur inside strings, where the escapes mean the
 *  same); it is not parsed here. A NULL json appends nothing. */
void html_json_script(struct buf *b, const char *json);
#endif
