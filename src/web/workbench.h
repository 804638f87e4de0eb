/**
 * @file workbench.h
 * @brief The department's workbench (docs/workbench.md): server-rendered
 *        pages on which department staff and department admins handle the
 *        applications (cases) of their department inside the legal time
 *        limits: the list by time left, a case with the applicant's data,
 *        materials, time limits, history and the actions allowed now, the
 *        materials viewed in the browser, the department's ratings. Every
 *        route is registered ACCESS_PUBLIC: an anonymous visitor is sent to
 *        the login page and back, another role gets a 403 page, both decided
 *        in the handler. What a person may see and do is decided by the
 *        domain (src/domain/cases.h), never here.
 */
#ifndef ONEHALL_WORKBENCH_H
#define ONEHALL_WORKBENCH_H
#include "http/http.h"

/** Who may use the workbench. */
#define WORKBENCH_ROLES (ROLE_STAFF | ROLE_DEPT_ADMIN)

int page_workbench(struct http_req *r);      /**< GET /workbench */
int page_workbench_case(struct http_req *r); /**< GET /workbench/cases/{number} */
int page_workbench_act(struct http_req *r);  /**< POST /workbench/cases/{number}/{action} */
int page_workbench_material(
    struct http_req *r); /**< GET /workbench/cases/{number}/materials/{upload_id} */
int page_workbench_ratings(struct http_req *r); /**< GET /workbench/ratings */
/** POST /workbench/rectifications/{id}/close: a task closed with what was done. */
int page_workbench_rect_close(struct http_req *r);
#endif
