/**
 * @file page.h
 * @brief The base layout every HTML page shares (head, header with the
 *        hall's name, language switch and login state, navigation, main,
 *        footer) and the form helpers of the pages. A page writes its body
 *        between page_open and page_send; docs/ui.md describes the layout.
 */
#ifndef ONEHALL_PAGE_H
#define ONEHALL_PAGE_H
#include "core/err.h"
#include "http/http.h"

/** Which navigation entry is current (marked aria-current="page"). */
enum nav_item {
    NAV_NONE, NAV_HOME, NAV_PROFILE, NAV_LOGIN, NAV_REGISTER, NAV_MESSAGES,
    NAV_SERVICES, NAV_DEPARTMENTS, NAV_DEPTH, NAV_CASES, NAV_WORKBENCH, NAV_EDITOR
};

/** Starts a page titled with the translation of title_key. */
void page_open(struct http_req *r, struct buf *b, const char *title_key, enum nav_item current);
/** Starts a page whose title is already text in r->lang (it is escaped). */
void page_open_title(struct http_req *r, struct buf *b, const char *title,
                     enum nav_item current);
/** Closes the page and answers with status (takes b over). */
int page_send(struct http_req *r, struct buf *b, int status);

/** Closes the page without answering (to keep its bytes, e.g. in a cache)... */
void page_finish(struct http_req *r, struct buf *b);
/** ...and answers 200 with such bytes, with the headers page_send gives. */
int page_send_bytes(struct http_req *r, const char *html, size_t len);

/** Writes T(key) escaped as HTML text. */
void page_t(struct http_req *r, struct buf *b, const char *key);
/** A paragraph <p class="cls">T(key)</p>. */
void page_para(struct http_req *r, struct buf *b, const char *cls, const char *key);
/** Elements in an array of static size. */
#define PAGE_NELEM(a) (sizeof(a) / sizeof((a)[0]))
/** A table's head: "<thead><tr>", a column header T(key) for each of the n
 *  keys, "</tr></thead><tbody>". */
void page_table_head(struct http_req *r, struct buf *b, const char *const *col_keys, size_t n);
/** One fact of a <dl class="facts">: the label T(key), the value as escaped
 *  text, or T(none_key) when the value is NULL or "". */
void page_fact(struct http_req *r, struct buf *b, const char *key, const char *value,
               const char *none_key);
/** A fact whose value the caller writes between these two. */
void page_fact_open(struct http_req *r, struct buf *b, const char *key);
void page_fact_close(struct buf *b);
/** The hidden CSRF field of a form. */
void page_csrf(struct http_req *r, struct buf *b);

/** One labelled input of a form. Strings are literals of the page (never
 *  user data); NULL leaves the attribute out. */
struct page_field {
    const char *name;         /**< form field name, also the error's field */
    const char *type;         /**< "text", "password", "tel", "email" ... */
    const char *label_key;    /**< translation key of the label */
    const char *hint_key;     /**< translation key of a hint under the label */
    const char *autocomplete; /**< autocomplete token */
    const char *inputmode;    /**< virtual keyboard on phones and kiosks */
    int required;             /**< marks the field required (aria-required) */
    int maxlength;            /**< 0 for none */
};

/** Writes the field with value (may be NULL). When e names this field, the
 *  field is marked aria-invalid and its message is written under it and
 *  tied to it with aria-describedby. */
void page_field(struct http_req *r, struct buf *b, const struct page_field *f,
                const char *value, const struct err *e);

/** The message of e (title and detail in the request's language) as an
 *  alert. When e names a field, the alert links to it, so a person who
 *  hears the alert can jump to the field at fault. */
void page_error_box(struct http_req *r, struct buf *b, const struct err *e);

/** Who may come in to a page: an anonymous visitor is sent to log in and
 *  back (to this path for a GET, to back otherwise); a person without one
 *  of roles (0: any role will do) gets a 403 page saying forbidden_key.
 *  Returns 1 when it has answered, 0 to go on. */
int page_gate(struct http_req *r, unsigned roles, const char *back, const char *forbidden_key);

/** next when it is a path of this site ("/x", not "//host", no control
 *  characters or backslashes), else "/". */
const char *page_safe_next(const char *next);

/** Appends "?next=" and next percent-encoded ('/' kept readable) when
 *  page_safe_next accepts next and it is not "/"; nothing otherwise. The
 *  login and register pages link to each other with it and keep the page a
 *  person was on the way to. The result is plain ASCII, safe in an
 *  attribute and in a Location. */
void page_next_query(struct buf *b, const char *next);
/** The hidden form field "next" under the same condition (nothing when
 *  page_safe_next refuses next or it is "/"). */
void page_next_field(struct buf *b, const char *next);

/** The form field name with blanks (ASCII and the ideographic space U+3000)
 *  trimmed at both ends and, when fold is set, full-width ASCII (what a
 *  Chinese input method types in full-width mode: "１３９") folded to
 *  half-width. Allocated in the request's arena; NULL when absent. */
const char *page_form_clean(struct http_req *r, const char *name, int fold);
#endif
