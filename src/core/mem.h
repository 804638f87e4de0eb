/**
 * @file mem.h
 * @brief Allocation that never returns NULL (out of memory aborts: it is not
 *        bad input, and no caller could do better), a growable byte buffer,
 *        and a per-request arena so handlers need no free() bookkeeping.
 */
#ifndef ONEHALL_MEM_H
#define ONEHALL_MEM_H
#include <stdarg.h>
#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/** printf into a new heap string; caller frees. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/** A growable byte buffer; data is always NUL-terminated (len excludes the NUL). */
struct buf {
    char *data;
    size_t len;
    size_t cap;
};
#define BUF_INIT {NULL, 0, 0}

void buf_append(struct buf *b, const void *p, size_t n);
void buf_puts(struct buf *b, const char *s);
void buf_putc(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_vprintf(struct buf *b, const char *fmt, va_list ap);
void buf_reset(struct buf *b);
/** Returns the contents (never NULL) and leaves b empty; caller frees. */
char *buf_steal(struct buf *b);
void buf_free(struct buf *b);
/** The contents as a C string, "" when empty; borrowed. */
const char *buf_str(const struct buf *b);

/** Bump allocator freed all at once; 0-initialised memory. */
struct arena;
struct arena *arena_new(void);
void arena_free(struct arena *a);
void *arena_alloc(struct arena *a, size_t n);
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_printf(struct arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#endif
