/**
 * @file apply.h
 * @brief The applicant's pages (src/web/page_apply.c, docs/applying.md):
 *        applying online for a service item, my cases with their progress,
 *        the printable receipt, answering a supplement request, withdrawing,
 *        rating, the material locker and who looked at my case data.
 *
 * The GET pages are public routes that send an anonymous visitor to
 * /login?next=...; the POSTs need a login (ACCESS_AUTH) and the CSRF token.
 */
#ifndef ONEHALL_APPLY_H
#define ONEHALL_APPLY_H
#include "http/http.h"

int page_apply_form(struct http_req *r);      /**< GET /items/{code}/apply[?draft=N] */
int page_apply_submit(struct http_req *r);    /**< POST /items/{code}/apply */
int page_my_cases(struct http_req *r);        /**< GET /cases */
int page_case(struct http_req *r);            /**< GET /cases/{number} */
int page_case_receipt(struct http_req *r);    /**< GET /cases/{number}/receipt */
int page_case_supplement(struct http_req *r); /**< POST /cases/{number}/supplement */
int page_case_withdraw(struct http_req *r);   /**< POST /cases/{number}/withdraw */
int page_case_rate(struct http_req *r);       /**< POST /cases/{number}/rate */
int page_locker(struct http_req *r);          /**< GET /locker */
int page_locker_upload(struct http_req *r);   /**< POST /locker (multipart, ROUTE_UPLOAD) */
int page_locker_delete(struct http_req *r);   /**< POST /locker/{id}/delete */
int page_access_log(struct http_req *r);      /**< GET /access-log */
#endif
