/**
 * @file routes.c
 * @brief The route table: every URL of the hall, who may call it, in one
 *        place. A route not listed here does not exist; a route's access
 *        mask of 0 would refuse everyone.
 */
#include "api/api.h"
#include "app/app.h"
#include "web/apply.h"
#include "web/editor.h"
#include "web/web.h"
#include "web/workbench.h"

#define STAFF_ANY (ROLE_STAFF | ROLE_DEPT_ADMIN)
#define ADMINS (ROLE_SYSADMIN | ROLE_HALL_ADMIN)
#define CATALOG_EDITORS (ROLE_CATALOG_EDITOR | ROLE_DEPT_ADMIN | ROLE_SYSADMIN)

const struct route app_routes[] = {
    /* health and description */
    {"GET", "/healthz", api_healthz, ACCESS_PUBLIC, 0},
    {"GET", "/api/v1/openapi.json", api_openapi, ACCESS_PUBLIC, 0},
    {"GET", "/api/v1/stats/storage", api_stats_storage, ROLE_SYSADMIN, 0},
    /* API: sessions and accounts */
    {"POST", "/api/v1/session", api_session_create, ACCESS_PUBLIC, ROUTE_NO_CSRF},
    {"DELETE", "/api/v1/session", api_session_delete, ACCESS_AUTH, 0},
    {"POST", "/api/v1/accounts", api_accounts_create, ACCESS_PUBLIC, 0},
    {"GET", "/api/v1/accounts/me", api_accounts_me, ACCESS_AUTH, 0},
    {"GET", "/api/v1/accounts", api_accounts_list, ADMINS, 0},
    {"POST", "/api/v1/accounts/{id}/roles", api_accounts_grant, ROLE_SYSADMIN, 0},
    {"POST", "/api/v1/identity-verifications", api_identity_verify,
     STAFF_ANY | ROLE_HALL_ADMIN | ROLE_TERMINAL, 0},
    {"POST", "/api/v1/enterprises", api_enterprises_create,
     ROLE_CITIZEN | ROLE_AGENT | STAFF_ANY | ROLE_HALL_ADMIN, 0},
    {"GET", "/api/v1/enterprises/mine", api_enterprises_mine, ACCESS_AUTH, 0},
    {"POST", "/api/v1/enterprises/{id}/agents", api_enterprises_add_agent,
     ROLE_AGENT | STAFF_ANY | ROLE_HALL_ADMIN, 0},
    {"GET", "/api/v1/audit/verify", api_audit_verify, ROLE_AUDITOR | ROLE_SYSADMIN, 0},
    /* API: the working-day calendar */
    {"GET", "/api/v1/calendar/years", api_calendar_years, ACCESS_PUBLIC, 0},
    {"POST", "/api/v1/calendar/years", api_calendar_load, ROLE_SYSADMIN, 0},
    {"GET", "/api/v1/calendar/due", api_calendar_due, ACCESS_PUBLIC, 0},
    /* API: uploaded files */
    {"POST", "/api/v1/uploads", api_uploads_create, ACCESS_AUTH, ROUTE_UPLOAD},
    {"GET", "/api/v1/uploads/{id}", api_uploads_get, ACCESS_AUTH, 0},
    /* API: the message centre */
    {"GET", "/api/v1/messages", api_messages_list, ACCESS_AUTH, 0},
    {"POST", "/api/v1/messages/{id}/read", api_messages_read, ACCESS_AUTH, 0},
    /* API: the catalog, public */
    {"GET", "/api/v1/departments", api_departments_list, ACCESS_PUBLIC, 0},
    {"GET", "/api/v1/departments/{code}", api_departments_get, ACCESS_PUBLIC, 0},
    {"GET", "/api/v1/items", api_items_list, ACCESS_PUBLIC, 0},
    {"GET", "/api/v1/items/{code}", api_items_get, ACCESS_PUBLIC, 0},
    {"GET", "/api/v1/items/{code}/versions", api_item_versions, ACCESS_PUBLIC, 0},
    {"GET", "/api/v1/stats/depth", api_stats_depth, ACCESS_PUBLIC, 0},
    /* API: the catalog, editors (department admins within their department) */
    {"POST", "/api/v1/items", api_items_create, CATALOG_EDITORS, 0},
    {"PUT", "/api/v1/items/{code}/draft", api_items_save_draft, CATALOG_EDITORS, 0},
    {"POST", "/api/v1/items/{code}/publish", api_items_publish, CATALOG_EDITORS, 0},
    {"POST", "/api/v1/items/{code}/withdraw", api_items_withdraw, CATALOG_EDITORS, 0},
    {"GET", "/api/v1/catalog/carding", api_catalog_carding, CATALOG_EDITORS, 0},
    {"POST", "/api/v1/catalog/import", api_catalog_import, ROLE_CATALOG_EDITOR | ROLE_SYSADMIN,
     ROUTE_LARGE_BODY},
    {"GET", "/api/v1/catalog/export", api_catalog_export, CATALOG_EDITORS, 0},
    /* API: applications (docs/applications.md) */
    {"GET", "/api/v1/items/{code}/apply", api_items_apply_check, ACCESS_AUTH, 0},
    {"POST", "/api/v1/applications", api_applications_create, ACCESS_AUTH, 0},
    {"GET", "/api/v1/applications", api_applications_list, ACCESS_AUTH, 0},
    {"GET", "/api/v1/applications/{number}", api_applications_get, ACCESS_AUTH, 0},
    {"PUT", "/api/v1/applications/{number}", api_applications_update, ACCESS_AUTH, 0},
    {"POST", "/api/v1/applications/{number}/actions/{action}", api_applications_act, ACCESS_AUTH,
     0},
    {"GET", "/api/v1/applications/{number}/materials/{upload}", api_applications_material,
     ACCESS_AUTH, 0},
    {"POST", "/api/v1/applications/{number}/rating", api_applications_rate, ACCESS_AUTH, 0},
    {"GET", "/api/v1/locker", api_locker_list, ACCESS_AUTH, 0},
    {"DELETE", "/api/v1/locker/{id}", api_locker_delete, ACCESS_AUTH, 0},
    {"GET", "/api/v1/access-log", api_access_log, ACCESS_AUTH, 0},
    {"GET", "/api/v1/stats/ratings", api_stats_ratings, ACCESS_PUBLIC, 0},
    {"GET", "/api/v1/rectifications", api_rectifications_list, STAFF_ANY, 0},
    {"POST", "/api/v1/rectifications/{id}/close", api_rectifications_close, STAFF_ANY, 0},
    /* pages */
    {"GET", "/", page_home, ACCESS_PUBLIC, 0},
    {"GET", "/login", page_login_form, ACCESS_PUBLIC, 0},
    {"POST", "/login", page_login_submit, ACCESS_PUBLIC, 0},
    {"POST", "/logout", page_logout, ACCESS_PUBLIC, 0},
    {"GET", "/register", page_register_form, ACCESS_PUBLIC, 0},
    {"POST", "/register", page_register_submit, ACCESS_PUBLIC, 0},
    /* public: an anonymous visitor is sent to the login page, not to a 401 */
    {"GET", "/profile", page_profile, ACCESS_PUBLIC, 0},
    {"GET", "/messages", page_messages, ACCESS_PUBLIC, 0},
    {"POST", "/messages/{id}/read", page_messages_read, ACCESS_AUTH, 0},
    /* catalog editor console: public so an anonymous visitor is sent to log
     * in; roles checked in the handler */
    {"GET", "/editor", page_editor_home, ACCESS_PUBLIC, 0},
    {"GET", "/editor/carding", page_editor_carding, ACCESS_PUBLIC, 0},
    {"GET", "/editor/new", page_editor_new, ACCESS_PUBLIC, 0},
    {"POST", "/editor/new", page_editor_create, ACCESS_PUBLIC, 0},
    {"GET", "/editor/items/{code}", page_editor_item, ACCESS_PUBLIC, 0},
    {"POST", "/editor/items/{code}", page_editor_save, ACCESS_PUBLIC, 0},
    {"POST", "/editor/items/{code}/publish", page_editor_publish, ACCESS_PUBLIC, 0},
    {"POST", "/editor/items/{code}/withdraw", page_editor_withdraw, ACCESS_PUBLIC, 0},
    {"GET", "/editor/items/{code}/history", page_editor_history, ACCESS_PUBLIC, 0},
    /* the applicant's pages (docs/applying.md): public GETs send an
     * anonymous visitor to log in */
    {"GET", "/items/{code}/apply", page_apply_form, ACCESS_PUBLIC, 0},
    {"POST", "/items/{code}/apply", page_apply_submit, ACCESS_AUTH, 0},
    {"GET", "/cases", page_my_cases, ACCESS_PUBLIC, 0},
    {"GET", "/cases/{number}", page_case, ACCESS_PUBLIC, 0},
    {"GET", "/cases/{number}/receipt", page_case_receipt, ACCESS_PUBLIC, 0},
    {"POST", "/cases/{number}/supplement", page_case_supplement, ACCESS_AUTH, 0},
    {"POST", "/cases/{number}/withdraw", page_case_withdraw, ACCESS_AUTH, 0},
    {"POST", "/cases/{number}/rate", page_case_rate, ACCESS_AUTH, 0},
    {"GET", "/locker", page_locker, ACCESS_PUBLIC, 0},
    {"POST", "/locker", page_locker_upload, ACCESS_AUTH, ROUTE_UPLOAD},
    {"POST", "/locker/{id}/delete", page_locker_delete, ACCESS_AUTH, 0},
    {"GET", "/access-log", page_access_log, ACCESS_PUBLIC, 0},
    /* the department workbench (docs/workbench.md): roles checked in the handler */
    {"GET", "/workbench", page_workbench, ACCESS_PUBLIC, 0},
    {"GET", "/workbench/ratings", page_workbench_ratings, ACCESS_PUBLIC, 0},
    {"POST", "/workbench/rectifications/{id}/close", page_workbench_rect_close, ACCESS_PUBLIC, 0},
    {"GET", "/workbench/cases/{number}", page_workbench_case, ACCESS_PUBLIC, 0},
    {"POST", "/workbench/cases/{number}/{action}", page_workbench_act, ACCESS_PUBLIC, 0},
    {"GET", "/workbench/cases/{number}/materials/{upload_id}", page_workbench_material,
     ACCESS_PUBLIC, 0},
    /* the catalog, public */
    {"GET", "/items", page_items, ACCESS_PUBLIC, 0},
    {"GET", "/items/{code}", page_item, ACCESS_PUBLIC, 0},
    {"GET", "/departments", page_departments, ACCESS_PUBLIC, 0},
    {"GET", "/departments/{code}", page_department, ACCESS_PUBLIC, 0},
    {"GET", "/stats/depth", page_depth, ACCESS_PUBLIC, 0},
};
const size_t app_nroutes = sizeof app_routes / sizeof app_routes[0];
