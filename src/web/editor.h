/**
 * @file editor.h
 * @brief The catalog editor console (docs/catalog-editor.md): server-rendered
 *        pages for catalog editors, department admins (within their own
 *        department) and system admins to create, edit, preview, publish and
 *        withdraw service items, see each item's history and the carding
 *        report. Every route is registered ACCESS_PUBLIC: an anonymous
 *        visitor is sent to the login page and back, another role gets a 403
 *        page, both decided in the handler.
 */
#ifndef ONEHALL_EDITOR_H
#define ONEHALL_EDITOR_H
#include "http/http.h"

/** Who may use the console. */
#define EDITOR_ROLES (ROLE_CATALOG_EDITOR | ROLE_DEPT_ADMIN | ROLE_SYSADMIN)

int page_editor_home(struct http_req *r);     /**< GET /editor */
int page_editor_carding(struct http_req *r);  /**< GET /editor/carding */
int page_editor_new(struct http_req *r);      /**< GET /editor/new */
int page_editor_create(struct http_req *r);   /**< POST /editor/new */
int page_editor_item(struct http_req *r);     /**< GET /editor/items/{code} */
int page_editor_save(struct http_req *r);     /**< POST /editor/items/{code} */
int page_editor_publish(struct http_req *r);  /**< POST /editor/items/{code}/publish */
int page_editor_withdraw(struct http_req *r); /**< POST /editor/items/{code}/withdraw */
int page_editor_history(struct http_req *r);  /**< GET /editor/items/{code}/history */
#endif
