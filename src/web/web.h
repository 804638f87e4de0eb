/**
 * @file web.h
 * @brief Server-rendered HTML pages: the base layout and the pages of the
 *        portal. Every page is built through the escaping helpers of
 *        core/html.h and the translations of core/i18n.h.
 */
#ifndef ONEHALL_WEB_H
#define ONEHALL_WEB_H
#include "http/http.h"

/** Friendly error page in r->lang (the server's error_page hook). */
void web_error_page(struct http_req *r, int status, const char *title, const char *detail,
                    struct buf *body);

/* Pages (route handlers). */
int page_home(struct http_req *r);          /**< GET / */
int page_login_form(struct http_req *r);    /**< GET /login */
int page_login_submit(struct http_req *r);  /**< POST /login */
int page_logout(struct http_req *r);        /**< POST /logout */
int page_register_form(struct http_req *r); /**< GET /register */
int page_register_submit(struct http_req *r); /**< POST /register */
int page_profile(struct http_req *r);       /**< GET /profile (logged in) */
int page_messages(struct http_req *r);      /**< GET /messages (logged in) */
int page_messages_read(struct http_req *r); /**< POST /messages/{id}/read */
int page_items(struct http_req *r);         /**< GET /items: search, facets, pages */
int page_item(struct http_req *r);          /**< GET /items/{code}: the service guide */
int page_departments(struct http_req *r);   /**< GET /departments */
int page_department(struct http_req *r);    /**< GET /departments/{code} */
int page_depth(struct http_req *r);         /**< GET /stats/depth */
struct buf;
/** The search box and the entry points (departments, person, enterprise,
 *  life events) of the home page. */
void page_catalog_entries(struct http_req *r, struct buf *b);
#endif
