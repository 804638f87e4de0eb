/**
 * @file cases.h
 * @brief Applications (cases): applying online for a service item with
 *        electronic materials, the department's handling through the states
 *        of Guangdong's online-hall process data, legal time limits in
 *        working days, the history, who looked at a person's data, ratings.
 *        docs/applications.md.
 *
 * Cases travel as JSON objects (what the API answers and the pages show):
 *
 *   {"number": "261148273915", "number_display": "2611-4827-3915",
 *    "item": {"code", "version", "name", "department", "department_name", "handling", "type"},
 *    "applicant": {"id", "name"}, "enterprise": null | {"id", "name", "uscc"},
 *    "state": "under_review", "version": 7 (changes with every step: optimistic locking),
 *    "assigned_to": null | {"id", "name"},
 *    "form": {...values...}, "prefilled": {"name": {"value", "verified": true}},
 *    "materials": [{"index", "name", "required", "source": "upload" | "locker" |
 *                   "government_data" | "certificate" | "pledge" | null,
 *                   "upload": null | {"id", "filename", "content_type", "size"}}],
 *    "owed": [...material names owed after acceptance with missing materials...],
 *    "pledge": null | {"signed_at", "waived": [...]},
 *    "supplement": null | {"requested_at", "missing": [...], "note", "due"},
 *    "time_limit": {"statutory": {"due", "left", "state", "overdue", "steps": [...]},
 *                   "promised": {...}, "delivery_due"},
 *    "created_at", "submitted_at", "decided_at",
 *    "decision": null | {"result": "approved" | "refused", "reasons", "legal_basis", "remedy"},
 *    "history": [{"seq", "action", "from", "to", "at", "actor": {"id", "name", "role"}, "reason", "detail"}],
 *    "allowed": ["accept", "decline", ...]  (what the caller may do now),
 *    "rating": null | {"level", "comment", "indicators", "at"}}
 */
#ifndef ONEHALL_CASES_H
#define ONEHALL_CASES_H
#include "core/err.h"
#include <jansson.h>
#include <stdint.h>

struct store_conn;
struct principal;

enum case_state {
    CASE_DRAFT,
    CASE_SUBMITTED,    /**< 申办: received, waiting for the department */
    CASE_PRE_ACCEPTED, /**< 网上预受理: originals still to be checked at the counter */
    CASE_ACCEPTED,     /**< 受理: the clock runs */
    CASE_DECLINED,     /**< 不予受理, with reasons: final */
    CASE_SUPPLEMENT,   /**< 补正告知: everything missing listed at once; waiting for the applicant */
    CASE_REVIEW,       /**< 审批 */
    CASE_SPECIAL,      /**< 特别程序: hearing, expert review ...; the clock stops */
    CASE_APPROVED,     /**< 办结 with approval: the decision stops the clock */
    CASE_REFUSED,      /**< 办结 with refusal (reasons, legal basis, remedies) */
    CASE_DELIVERED,    /**< 领取: result delivered (pick-up, post or electronic) */
    CASE_WITHDRAWN,    /**< withdrawn by the applicant before a decision */
    CASE__COUNT
};

enum case_action {
    ACT_SUBMIT,             /**< applicant: draft -> submitted (or accepted, immediate items stay submitted) */
    ACT_PRE_ACCEPT,         /**< staff: submitted -> pre_accepted (bring originals; body: note, bring_by) */
    ACT_ACCEPT,             /**< staff: submitted | pre_accepted -> accepted (body: owed, owed_by for 容缺; conclude for 即办件) */
    ACT_DECLINE,            /**< staff: submitted | pre_accepted -> declined (body: reason) */
    ACT_REQUEST_SUPPLEMENT, /**< staff: submitted | pre_accepted | accepted | under_review -> supplement (body: missing[], note) */
    ACT_SUPPLEMENT,         /**< applicant: supplement -> the state it came from (body: materials) */
    ACT_REVIEW,             /**< staff: accepted -> under_review */
    ACT_SPECIAL_START,      /**< staff: under_review -> special (body: reason) */
    ACT_SPECIAL_END,        /**< staff: special -> under_review */
    ACT_EXTEND,             /**< staff: under_review (once; body: reason, days) */
    ACT_APPROVE,            /**< staff: accepted | under_review -> approved (body: note) */
    ACT_REFUSE,             /**< staff: accepted | under_review -> refused (body: reason, legal_basis) */
    ACT_DELIVER,            /**< staff: approved -> delivered (body: method) */
    ACT_WITHDRAW,           /**< applicant: any state before a decision -> withdrawn */
    ACT_ASSIGN,             /**< department admin (or a clerk taking an unassigned case): body: assignee */
    ACT__COUNT
};

const char *case_state_name(enum case_state s);
int case_state_parse(const char *s);       /**< -1 when unknown */
const char *case_action_name(enum case_action a);
int case_action_parse(const char *s);      /**< -1 when unknown */

/** The case number as read over the phone: "2611-4827-3915". out >= 16. */
void case_number_display(const char *number, char *out);
/** Accepts a number as typed (with or without dashes or spaces); writes the
 *  12 digits to out (>= 13) and checks the check digit. 0 or -1. */
int case_number_parse(const char *typed, char *out);

/** Before starting: which materials of the item (published version) are
 *  already covered for p (by a file of their locker with the same material
 *  name used before, by data the government holds, by an e-certificate)
 *  and how many remain to upload: {"item", "materials": [{"index", "name",
 *  "required", "covered_by": null | "locker" | "government_data" |
 *  "certificate", "upload": {...} | null}], "remaining": N, "prefill": {...}}.
 *  NULL with e set (ERR_NOT_FOUND: no such published item; ERR_INVALID: the
 *  item cannot be applied for online). */
json_t *cases_prepare(struct store_conn *c, const struct principal *p, const char *item_code,
                      struct err *e);

/** An idempotency key of a creation: a request sent again with the same
 *  key answers the case the first one made and creates nothing twice. */
struct case_idem {
    const char *scope;        /**< the caller's kind of key ("applications.create",
                                   "web.apply"); the row's scope adds the account id,
                                   so each person's keys are their own */
    const char *key;          /**< the key itself */
    const char *request_hash; /**< what makes a request the same one (the API: SHA-256
                                   of the body); NULL: any request with the key is (a
                                   form's one-time token) */
};

/** Creates a case (body as POST /api/v1/applications: item, enterprise_id,
 *  form, materials, submit). Submitting checks every required material and
 *  form field (ERR_INVALID naming the first field at fault; nothing is
 *  written); a draft may be incomplete. On success *out is the case JSON.
 *
 *  With idem (may be NULL), the key is reserved and given the case's number
 *  in the transaction that creates the case: a failed creation leaves the
 *  key free for the corrected request. When the key made a case already,
 *  the same request is answered that case as p may see it now, with
 *  *replayed (may be NULL) set to 1 and nothing written; a different
 *  request (another request_hash) is ERR_INVALID on field "Idempotency-Key"
 *  (api.idem_key_reused). Of requests with one key sent at once, exactly
 *  one creates the case and the others replay it. */
int cases_create(struct store_conn *c, const struct principal *p, json_t *body,
                 const struct case_idem *idem, const char *ip, json_t **out, int *replayed,
                 struct err *e);

/** Updates a draft (same body) and, with "submit": true, submits it. */
int cases_update_draft(struct store_conn *c, const struct principal *p, const char *number,
                       json_t *body, const char *ip, json_t **out, struct err *e);

/** One step of the workflow. body carries the action's reason, list of
 *  missing materials, etc. (see enum case_action) and may carry
 *  "expected_version": a step on a case changed meanwhile answers
 *  ERR_CONFLICT with the current state in e->arg. A step the state does not
 *  allow: ERR_CONFLICT (arg: current state). A step the caller's role does
 *  not allow: ERR_FORBIDDEN. A case the caller may not see: ERR_NOT_FOUND.
 *  Records the history and the audit entry, notifies the applicant, all in
 *  one transaction. */
int cases_act(struct store_conn *c, const struct principal *p, const char *number,
              enum case_action a, json_t *body, const char *ip, json_t **out, struct err *e);

/** The case as p may see it (applicant, agent of its enterprise, or staff
 *  of its department); staff views are logged in the person's access log.
 *  NULL with ERR_NOT_FOUND otherwise (someone else's case is as if it did
 *  not exist). */
json_t *cases_get(struct store_conn *c, const struct principal *p, const char *number,
                  const char *ip, struct err *e);

/** Filters of the staff list. */
struct case_filter {
    const char *state;      /**< a state name, or NULL */
    const char *item_code;  /**< or NULL */
    int overdue;            /**< only overdue */
    int due_soon;           /**< only due within 3 working days */
    int mine;               /**< only assigned to the caller */
    long page, per_page;
};

/** The caller's own cases (and those of enterprises they act for), newest
 *  first: {"items": [summary...], "total", "page", "per_page"}. */
json_t *cases_list_mine(struct store_conn *c, const struct principal *p, long page,
                        long per_page, struct err *e);
/** The department's cases for staff, by time left (overdue first):
 *  clerks see the unassigned ones and their own, department admins all. */
json_t *cases_list_department(struct store_conn *c, const struct principal *p,
                              const struct case_filter *f, struct err *e);

/** The caller's department: 1 with its code (64 bytes) and name (256 bytes)
 *  filled, 0 when the account has none, a negative store code on failure. */
int cases_my_department(struct store_conn *c, const struct principal *p, char code[64],
                        char name[256]);
/** The staff of the caller's department a case may be assigned to:
 *  [{"id", "name"}] by name; NULL on a database failure. */
json_t *cases_department_staff(struct store_conn *c, const struct principal *p);

/** Records a staff member's download of a material (upload_id) of a case. */
int cases_log_download(struct store_conn *c, const struct principal *p, const char *number,
                       int64_t upload_id, const char *ip, char sha256_out[65],
                       char *content_type_out, size_t ctlen, struct err *e);

/** Who looked at the person's case data: [{"at", "case", "staff", "department", "what"}]. */
json_t *cases_access_log(struct store_conn *c, const struct principal *p, long page,
                         long per_page, struct err *e);

/** Rates a concluded (approved, refused or delivered) case once: level 1..5
 *  (5 非常满意 ... 1 非常不满意), comment, indicators (a list of the national
 *  indicator codes). A rating of 1 or 2 opens a call-back and rectification
 *  task for the department due in 15 working days. */
int cases_rate(struct store_conn *c, const struct principal *p, const char *number,
               json_t *body, const char *ip, json_t **out, struct err *e);

/** Rating statistics per department: {"departments": [{"code", "name", "ratings",
 *  "levels": {"1".."5"}, "satisfaction", "open_tasks"}]}. */
json_t *cases_rating_stats(struct store_conn *c, struct err *e);

/** The rectification tasks of the caller's department (staff), open first:
 *  {"items": [{"id", "case", "case_display", "item_name", "level", "comment",
 *  "due", "state", "note", "created_at", "closed_at"}]}. */
json_t *cases_rectifications(struct store_conn *c, const struct principal *p, struct err *e);
/** Closes an open task of the caller's department with what was done (note,
 *  required): ERR_NOT_FOUND for another department's, ERR_CONFLICT when it
 *  is closed already. */
int cases_rectification_close(struct store_conn *c, const struct principal *p, int64_t id,
                              const char *note, const char *ip, struct err *e);

/** The material locker: the person's uploads with where each is used:
 *  {"items": [{"id", "filename", "content_type", "size", "created_at",
 *  "used_in": ["261148273915", ...]}]}. */
json_t *locker_list(struct store_conn *c, const struct principal *p, struct err *e);
/** Deletes an upload of the locker that no case uses (ERR_CONFLICT when one
 *  does; ERR_NOT_FOUND when not the person's). The blob stays until no row
 *  refers to it (content addressed, may be shared). */
int locker_delete(struct store_conn *c, const struct principal *p, int64_t upload_id,
                  const char *ip, struct err *e);
#endif
