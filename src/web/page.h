/**
 * @file page.h
 * @brief The base layout every HTML page shares: head, header with the
 *        hall's name, language switch and login state, navigation, main,
 *        footer. Pages write their body between page_open and page_send.
 */
#ifndef ONEHALL_PAGE_H
#define ONEHALL_PAGE_H
#include "core/err.h"
#include "http/http.h"

/** Which navigation entry is current (aria-current). */
enum nav_item { NAV_NONE, NAV_HOME, NAV_PROFILE, NAV_LOGIN, NAV_REGISTER };

/** Starts a page titled with the translation of title_key. */
void page_open(struct http_req *r, struct buf *b, const char *title_key, enum nav_item current);
/** Closes the page and answers with status. */
int page_send(struct http_req *r, struct buf *b, int status);

/** Writes T(key) escaped as HTML text. */
void page_t(struct http_req *r, struct buf *b, const char *key);
/** The hidden CSRF field of a form. */
void page_csrf(struct http_req *r, struct buf *b);
/** A labelled text input with its error message when e names it as the field
 *  at fault (aria-invalid, aria-describedby). value may be NULL. */
void page_input(struct http_req *r, struct buf *b, const char *name, const char *type,
                const char *label_key, const char *value, const char *autocomplete,
                const struct err *e);
/** The message of e (title and detail in the request's language) as an alert. */
void page_error_box(struct http_req *r, struct buf *b, const struct err *e);
/** A same-site path for "next" redirects, else "/". */
const char *page_safe_next(const char *next);
#endif
