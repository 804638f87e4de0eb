/**
 * @file utf8.h
 * @brief Strict UTF-8 (RFC 3629): validation, decoding one code point,
 *        counting code points, and the "no control characters" rule for
 *        text that people typed.
 *
 * Strict means what RFC 3629 and Unicode chapter 3 (table 3-7) allow and
 * nothing else: no overlong forms (C0 80, E0 80 80 ...), no UTF-16
 * surrogates U+D800..U+DFFF encoded as three bytes (CESU-8), nothing above
 * U+10FFFF, no truncated sequence, no stray continuation byte. Decoders that
 * accept any of those let a filter see one string and the next layer another.
 *
 * U+0000 is valid UTF-8; text fields refuse it through utf8_check_text.
 */
#ifndef ONEHALL_UTF8_H
#define ONEHALL_UTF8_H
#include <stddef.h>
#include <stdint.h>

/** Largest code point. */
#define UTF8_MAX_CP 0x10FFFF

/** Decodes the code point at s (n bytes available, n > 0).
 *  Returns the length of its encoding (1..4) and sets *cp, or -ERR_BAD_UTF8
 *  when the bytes at s do not start a well-formed sequence (then *cp is
 *  untouched). */
int utf8_decode(const char *s, size_t n, uint32_t *cp);

/** Appends the encoding of cp to out (at least 4 bytes); returns its length
 *  1..4, or -ERR_BAD_UTF8 (nothing written) for a surrogate or cp > U+10FFFF. */
int utf8_encode(uint32_t cp, char *out);

/** 0 when s[0..n) is well-formed UTF-8, else -ERR_BAD_UTF8; when bad_at is
 *  not NULL it receives the byte offset of the first bad sequence (only
 *  then). */
int utf8_validate(const char *s, size_t n, size_t *bad_at);

/** Counts the code points of s[0..n): 0 and *count on success,
 *  -ERR_BAD_UTF8 (count untouched) when s is not well-formed. */
int utf8_count(const char *s, size_t n, size_t *count);

/** Text that a person may have typed: well-formed UTF-8 without control
 *  characters, where tab, newline and carriage return are allowed and every
 *  other C0 control (including NUL), DEL (U+007F) and the C1 controls
 *  (U+0080..U+009F) are not. Returns 0, -ERR_BAD_UTF8 for malformed UTF-8,
 *  -ERR_INVALID for a control character. */
int utf8_check_text(const char *s, size_t n);

/** Like utf8_check_text for one-line fields (names, titles): tab, newline
 *  and carriage return are refused as well. */
int utf8_check_line(const char *s, size_t n);
#endif
