/**
 * @file cases.c
 * @brief Applications (cases): creation from an item's guide, the workflow
 *        as a transition table, time limits from the events, history, audit,
 *        notifications, access log, ratings, the material locker.
 *        docs/applications.md.
 */
#include "domain/cases.h"
#include "core/clock.h"
#include "core/crypto.h"
#include "core/mem.h"
#include "core/timelimit.h"
#include "core/utf8.h"
#include "core/workday.h"
#include "domain/accounts.h"
#include "domain/audit.h"
#include "domain/catalog.h"
#include "domain/catalog_store.h"
#include "domain/enterprises.h"
#include "domain/notify.h"
#include "http/http.h"
#include "store/store.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const state_names[CASE__COUNT] = {
    "draft",        "submitted", "pre_accepted", "accepted", "declined",  "supplement",
    "under_review", "special",   "approved",     "refused",  "delivered", "withdrawn"};
static const char *const action_names[ACT__COUNT] = {
    "submit",     "pre_accept", "accept",        "decline",     "request_supplement",
    "supplement", "review",     "special_start", "special_end", "extend",
    "approve",    "refuse",     "deliver",       "withdraw",    "assign"};

const char *case_state_name(enum case_state s)
{
    return (unsigned)s < CASE__COUNT ? state_names[s] : "?";
}

int case_state_parse(const char *s)
{
    for (int i = 0; s && i < CASE__COUNT; i++)
        if (!strcmp(state_names[i], s)) return i;
    return -1;
}

const char *case_action_name(enum case_action a)
{
    return (unsigned)a < ACT__COUNT ? action_names[a] : "?";
}

int case_action_parse(const char *s)
{
    for (int i = 0; s && i < ACT__COUNT; i++)
        if (!strcmp(action_names[i], s)) return i;
    return -1;
}

/* --- the workflow --- */

#define S(x) (1u << (x))
enum { WHO_APPLICANT = 1, WHO_STAFF = 2 };
/* to: the state after; TO_BACK returns to where a supplement was asked from;
 * TO_SAME keeps the state */
enum { TO_BACK = -1, TO_SAME = -2 };

static const struct transition {
    unsigned from;
    int to;
    unsigned who;
} flow[ACT__COUNT] = {
    [ACT_SUBMIT] = {S(CASE_DRAFT), CASE_SUBMITTED, WHO_APPLICANT},
    [ACT_PRE_ACCEPT] = {S(CASE_SUBMITTED), CASE_PRE_ACCEPTED, WHO_STAFF},
    [ACT_ACCEPT] = {S(CASE_SUBMITTED) | S(CASE_PRE_ACCEPTED), CASE_ACCEPTED, WHO_STAFF},
    [ACT_DECLINE] = {S(CASE_SUBMITTED) | S(CASE_PRE_ACCEPTED), CASE_DECLINED, WHO_STAFF},
    [ACT_REQUEST_SUPPLEMENT] = {S(CASE_SUBMITTED) | S(CASE_PRE_ACCEPTED) | S(CASE_ACCEPTED) |
                                    S(CASE_REVIEW),
                                CASE_SUPPLEMENT, WHO_STAFF},
    [ACT_SUPPLEMENT] = {S(CASE_SUPPLEMENT), TO_BACK, WHO_APPLICANT},
    [ACT_REVIEW] = {S(CASE_ACCEPTED), CASE_REVIEW, WHO_STAFF},
    [ACT_SPECIAL_START] = {S(CASE_REVIEW), CASE_SPECIAL, WHO_STAFF},
    [ACT_SPECIAL_END] = {S(CASE_SPECIAL), CASE_REVIEW, WHO_STAFF},
    [ACT_EXTEND] = {S(CASE_REVIEW), TO_SAME, WHO_STAFF},
    [ACT_APPROVE] = {S(CASE_ACCEPTED) | S(CASE_REVIEW), CASE_APPROVED, WHO_STAFF},
    [ACT_REFUSE] = {S(CASE_ACCEPTED) | S(CASE_REVIEW), CASE_REFUSED, WHO_STAFF},
    [ACT_DELIVER] = {S(CASE_APPROVED), CASE_DELIVERED, WHO_STAFF},
    [ACT_WITHDRAW] = {S(CASE_DRAFT) | S(CASE_SUBMITTED) | S(CASE_PRE_ACCEPTED) | S(CASE_ACCEPTED) |
                          S(CASE_SUPPLEMENT) | S(CASE_REVIEW) | S(CASE_SPECIAL),
                      CASE_WITHDRAWN, WHO_APPLICANT},
    [ACT_ASSIGN] = {S(CASE_SUBMITTED) | S(CASE_PRE_ACCEPTED) | S(CASE_ACCEPTED) |
                        S(CASE_SUPPLEMENT) | S(CASE_REVIEW) | S(CASE_SPECIAL) | S(CASE_APPROVED),
                    TO_SAME, WHO_STAFF},
};

/* --- case numbers: 12 digits, YYMM + 7 random + a Luhn check digit --- */

static int luhn_digit(const char *d, size_t n)
{
    int sum = 0;
    for (size_t i = 0; i < n; i++) {
        int x = d[n - 1 - i] - '0';
        if (i % 2 == 0) {
            x *= 2;
            if (x > 9) x -= 9;
        }
        sum += x;
    }
    return (10 - sum % 10) % 10;
}

static void new_number(char out[13])
{
    int y, m;
    workday_date_to_ymd(workday_date_of(clock_now_ms(), NULL), &y, &m, NULL);
    unsigned char rnd[8];
    crypto_random_bytes(rnd, sizeof rnd);
    snprintf(out, 13, "%02d%02d", y % 100, m);
    for (int i = 0; i < 7; i++)
        out[4 + i] = (char)('0' + rnd[i] % 10);
    out[11] = (char)('0' + luhn_digit(out, 11));
    out[12] = '\0';
}

void case_number_display(const char *number, char *out)
{
    if (!number || strlen(number) != 12) {
        snprintf(out, 16, "%s", number ? number : "");
        return;
    }
    snprintf(out, 16, "%.4s-%.4s-%.4s", number, number + 4, number + 8);
}

int case_number_parse(const char *typed, char *out)
{
    size_t n = 0;
    for (const char *p = typed; p && *p; p++) {
        if (*p >= '0' && *p <= '9') {
            if (n == 12) return -1;
            out[n++] = *p;
        } else if (*p != '-' && *p != ' ') {
            return -1;
        }
    }
    out[n] = '\0';
    if (n != 12 || luhn_digit(out, 11) != out[11] - '0') return -1;
    return 0;
}

/* --- small helpers --- */

static const char *str_of(json_t *o, const char *name)
{
    return json_string_value(json_object_get(o, name));
}

static void now_iso(char out[32])
{
    clock_format_iso(clock_now_ms(), out);
}

static int storage(struct err *e)
{
    return e && e->code != ERR_OK ? -(int)e->code
                                  : err_set(e, ERR_UNAVAILABLE, NULL, "err.detail.storage", NULL);
}

static int is_staff(const struct principal *p)
{
    return p && (p->roles & (ROLE_STAFF | ROLE_DEPT_ADMIN));
}


/* A text value from the body: NULL when absent or null; -1 in *bad when of
 * another type or not one line of at most max code points. */
static const char *body_text(json_t *body, const char *name, size_t max, int multiline, int *bad)
{
    json_t *v = json_object_get(body, name);
    if (!v || json_is_null(v)) return NULL;
    const char *s = json_string_value(v);
    size_t cps = 0;
    if (!s || utf8_count(s, strlen(s), &cps) < 0 || cps > max ||
        (multiline ? utf8_check_text(s, strlen(s)) : utf8_check_line(s, strlen(s))) < 0) {
        *bad = 1;
        return NULL;
    }
    return s;
}

/* --- the row --- */

struct case_row {
    int64_t id, item_version, applicant_id, enterprise_id, version, assigned_to;
    const char *number, *item_code, *department_code, *state, *back_state;
    const char *form, *prefilled, *materials, *owed, *pledge, *supplement, *decision;
    int64_t reduced;
    const char *due_statutory, *due_promised, *created_at, *submitted_at, *decided_at, *updated_at,
        *owed_by;
};

#define ROW_COLUMNS                                                                                \
    "id, number, item_code, item_version, department_code, applicant_id, enterprise_id, state, "   \
    "version, back_state, assigned_to, form, prefilled, materials, owed, pledge, supplement, "     \
    "decision, promised_days_reduced, due_statutory, due_promised, created_at, submitted_at, "     \
    "decided_at, updated_at, owed_by"

static const char *col(struct arena *a, struct store_stmt *st, int i)
{
    const char *s = store_column_text(st, i);
    return s ? arena_strdup(a, s) : NULL;
}

static void read_row(struct arena *a, struct store_stmt *st, struct case_row *r)
{
    r->id = store_column_int64(st, 0);
    r->number = col(a, st, 1);
    r->item_code = col(a, st, 2);
    r->item_version = store_column_int64(st, 3);
    r->department_code = col(a, st, 4);
    r->applicant_id = store_column_int64(st, 5);
    r->enterprise_id = store_column_int64(st, 6);
    r->state = col(a, st, 7);
    r->version = store_column_int64(st, 8);
    r->back_state = col(a, st, 9);
    r->assigned_to = store_column_int64(st, 10);
    r->form = col(a, st, 11);
    r->prefilled = col(a, st, 12);
    r->materials = col(a, st, 13);
    r->owed = col(a, st, 14);
    r->pledge = col(a, st, 15);
    r->supplement = col(a, st, 16);
    r->decision = col(a, st, 17);
    r->reduced = store_column_int64(st, 18);
    r->due_statutory = col(a, st, 19);
    r->due_promised = col(a, st, 20);
    r->created_at = col(a, st, 21);
    r->submitted_at = col(a, st, 22);
    r->decided_at = col(a, st, 23);
    r->updated_at = col(a, st, 24);
    r->owed_by = col(a, st, 25);
}

/* Loads the case by number: STORE_ROW, STORE_DONE (none) or an error. */
static int load_row(struct store_conn *c, struct arena *a, const char *number, struct case_row *out)
{
    struct store_stmt *st;
    int rc = store_prepare(c, "SELECT " ROW_COLUMNS " FROM cases WHERE number = ?", &st);
    if (rc < 0) return rc;
    store_bind_text(st, 1, number);
    rc = store_step(st);
    if (rc == STORE_ROW) read_row(a, st, out);
    store_finalize(st);
    return rc;
}

/* What p is to the case: WHO_APPLICANT, WHO_STAFF (of its department) or 0. */
static unsigned relation(struct store_conn *c, const struct principal *p, const struct case_row *r)
{
    if (!p) return 0;
    if (p->account_id == r->applicant_id ||
        (r->enterprise_id && enterprises_is_agent(c, r->enterprise_id, p->account_id)))
        return WHO_APPLICANT;
    if (is_staff(p) && p->department_id &&
        p->department_id == catalog_department_id(c, r->department_code))
        return WHO_STAFF;
    return 0;
}

/* --- time limits --- */

static int tl_limit_of(json_t *limit, int reduce, struct tl_limit *out)
{
    const char *unit = str_of(limit, "unit");
    int amount = (int)json_integer_value(json_object_get(limit, "value"));
    memset(out, 0, sizeof *out);
    if (!unit || !strcmp(unit, "none")) return 0;
    if (!strcmp(unit, "immediate"))
        out->unit = TL_IMMEDIATE;
    else if (!strcmp(unit, "hours"))
        out->unit = TL_HOURS;
    else if (!strcmp(unit, "calendar_days"))
        out->unit = TL_CALENDAR_DAYS;
    else
        out->unit = TL_WORKING_DAYS;
    out->amount = amount - reduce > 0 ? amount - reduce : (amount > 0 ? 1 : 0);
    return 1;
}

struct ev_row {
    int64_t seq, actor_id, at_ms;
    const char *action, *from, *to, *actor_role, *actor_name, *reason, *detail;
};

static int load_events(struct store_conn *c, struct arena *a, int64_t case_id, struct ev_row **out,
                       size_t *n)
{
    struct store_stmt *st;
    int rc = store_prepare(c,
                           "SELECT e.seq, e.action, e.from_state, e.to_state, e.actor_id, "
                           "e.actor_role, e.at_ms, e.reason, e.detail, a.name FROM case_events e "
                           "LEFT JOIN accounts a ON a.id = e.actor_id WHERE e.case_id = ? "
                           "ORDER BY e.seq",
                           &st);
    if (rc < 0) return rc;
    store_bind_int64(st, 1, case_id);
    size_t cap = 16;
    *out = arena_alloc(a, cap * sizeof **out);
    *n = 0;
    while ((rc = store_step(st)) == STORE_ROW) {
        if (*n == cap) {
            struct ev_row *bigger = arena_alloc(a, cap * 2 * sizeof *bigger);
            memcpy(bigger, *out, cap * sizeof *bigger);
            *out = bigger;
            cap *= 2;
        }
        struct ev_row *e = &(*out)[(*n)++];
        e->seq = store_column_int64(st, 0);
        e->action = col(a, st, 1);
        e->from = col(a, st, 2);
        e->to = col(a, st, 3);
        e->actor_id = store_column_int64(st, 4);
        e->actor_role = col(a, st, 5);
        e->at_ms = store_column_int64(st, 6);
        e->reason = col(a, st, 7);
        e->detail = col(a, st, 8);
        e->actor_name = col(a, st, 9);
    }
    store_finalize(st);
    return rc < 0 ? rc : 0;
}

/* The clock events of the history. */
static size_t tl_events(const struct ev_row *ev, size_t n, struct tl_event *out)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        int a = case_action_parse(ev[i].action);
        struct tl_event t = {0, ev[i].at_ms, 0};
        switch (a) {
        case ACT_SUBMIT:
            t.kind = TL_EV_SUBMITTED;
            break;
        case ACT_ACCEPT:
            t.kind = TL_EV_ACCEPTED;
            out[k++] = t;
            if (ev[i].to && strcmp(ev[i].to, "accepted")) /* concluded on the spot */
                t.kind = TL_EV_DECIDED;
            else
                continue;
            break;
        case ACT_DECLINE:
            t.kind = TL_EV_DECLINED;
            break;
        case ACT_REQUEST_SUPPLEMENT:
            t.kind = TL_EV_SUPPLEMENT_REQUESTED;
            break;
        case ACT_SUPPLEMENT:
            t.kind = TL_EV_SUPPLEMENT_RECEIVED;
            break;
        case ACT_SPECIAL_START:
            t.kind = TL_EV_SPECIAL_STARTED;
            break;
        case ACT_SPECIAL_END:
            t.kind = TL_EV_SPECIAL_ENDED;
            break;
        case ACT_EXTEND: {
            t.kind = TL_EV_EXTENDED;
            json_t *d = ev[i].detail ? json_loads(ev[i].detail, 0, NULL) : NULL;
            t.days = (int)json_integer_value(json_object_get(d, "days"));
            json_decref(d);
            break;
        }
        case ACT_APPROVE:
        case ACT_REFUSE:
            t.kind = TL_EV_DECIDED;
            break;
        case ACT_DELIVER:
            t.kind = TL_EV_DELIVERED;
            break;
        default:
            continue;
        }
        out[k++] = t;
    }
    return k;
}

static json_t *tl_json(const struct tl_result *r)
{
    char d[WORKDAY_DATE_BUFSZ];
    json_t *j = json_object();
    json_object_set_new(j, "state", json_string(tl_state_name(r->state)));
    json_object_set_new(j, "due",
                        r->due != WORKDAY_NONE ? json_string(workday_date_format(r->due, d))
                                               : json_null());
    json_object_set_new(j, "total", json_integer(r->total));
    json_object_set_new(j, "used", json_integer(r->used));
    json_object_set_new(j, "left", json_integer(r->left));
    json_object_set_new(j, "overdue", json_boolean(r->overdue));
    json_object_set_new(j, "provisional", json_boolean(r->provisional));
    json_object_set_new(j, "supplement_due",
                        r->supplement_due != WORKDAY_NONE
                            ? json_string(workday_date_format(r->supplement_due, d))
                            : json_null());
    json_object_set_new(j, "delivery_due",
                        r->delivery_due != WORKDAY_NONE
                            ? json_string(workday_date_format(r->delivery_due, d))
                            : json_null());
    json_t *steps = json_array();
    for (size_t i = 0; i < r->n_steps; i++)
        json_array_append_new(steps, json_pack("{s:s, s:{s:s, s:s}}", "kind",
                                               tl_step_kind_name(r->steps[i].kind), "text", "zh-CN",
                                               r->steps[i].text[LANG_ZH], "en",
                                               r->steps[i].text[LANG_EN]));
    json_object_set_new(j, "steps", steps);
    return j;
}

/* Both clocks of a case from its events: {"statutory", "promised"} (null
 * where the item sets no limit), and the due dates to store. */
static json_t *time_limits(json_t *item, int64_t reduced, const struct ev_row *ev, size_t n,
                           char due_stat[WORKDAY_DATE_BUFSZ], char due_prom[WORKDAY_DATE_BUFSZ])
{
    struct tl_event *tev = xcalloc(2 * n + 1, sizeof *tev);
    size_t k = tl_events(ev, n, tev);
    const char *type = str_of(item, "type");
    struct tl_case_events ce = {tev, k, 1, type && !strcmp(type, "01"), 0};
    json_t *tl = json_object_get(item, "time_limit");
    json_t *out = json_object();
    due_stat[0] = due_prom[0] = '\0';
    for (int which = 0; which < 2; which++) {
        struct tl_limit lim;
        json_t *spec = json_object_get(tl, which ? "promised" : "statutory");
        if (!tl_limit_of(spec, which ? (int)reduced : 0, &lim)) {
            json_object_set_new(out, which ? "promised" : "statutory", json_null());
            continue;
        }
        struct tl_result res = {0};
        struct err e;
        if (timelimit_compute(&ce, &lim, &res, &e) < 0) {
            json_object_set_new(out, which ? "promised" : "statutory", json_null());
            continue;
        }
        json_t *j = tl_json(&res);
        workday_date due = res.due;
        if ((res.state == TL_NOT_STARTED || res.state == TL_AWAITING_ANSWER) && k) {
            /* not accepted yet: the applicant still sees a date from the
             * start, the one it would be if accepted now (an estimate) */
            tev[k] = (struct tl_event){TL_EV_ACCEPTED, clock_now_ms(), 0};
            struct tl_case_events est = ce;
            est.n = k + 1;
            struct tl_result er = {0};
            if (timelimit_compute(&est, &lim, &er, &e) == 0 && er.due != WORKDAY_NONE) {
                char d[WORKDAY_DATE_BUFSZ];
                due = er.due;
                json_object_set_new(j, "due", json_string(workday_date_format(due, d)));
                json_object_set_new(j, "left", json_integer(er.left));
                json_object_set_new(j, "estimated", json_true());
                json_object_set_new(j, "provisional", json_true());
            }
            timelimit_result_free(&er);
        }
        if (due != WORKDAY_NONE) workday_date_format(due, which ? due_prom : due_stat);
        json_object_set_new(out, which ? "promised" : "statutory", j);
        timelimit_result_free(&res);
    }
    free(tev);
    return out;
}

/* --- the case as JSON --- */

static json_t *parse_or(const char *text, json_t *fallback)
{
    json_t *j = text ? json_loads(text, 0, NULL) : NULL;
    if (!j) return fallback;
    json_decref(fallback);
    return j;
}

static json_t *account_ref(struct store_conn *c, int64_t id)
{
    if (!id) return json_null();
    struct store_stmt *st;
    if (store_prepare(c, "SELECT name FROM accounts WHERE id = ?", &st) < 0) return json_null();
    store_bind_int64(st, 1, id);
    json_t *out = json_null();
    if (store_step(st) == STORE_ROW)
        out = json_pack("{s:I, s:s}", "id", (json_int_t)id, "name", store_column_text(st, 0));
    store_finalize(st);
    return out;
}

static json_t *enterprise_ref(struct store_conn *c, int64_t id)
{
    if (!id) return json_null();
    struct store_stmt *st;
    if (store_prepare(c, "SELECT name, uscc FROM enterprises WHERE id = ?", &st) < 0)
        return json_null();
    store_bind_int64(st, 1, id);
    json_t *out = json_null();
    if (store_step(st) == STORE_ROW)
        out = json_pack("{s:I, s:s, s:s}", "id", (json_int_t)id, "name", store_column_text(st, 0),
                        "uscc", store_column_text(st, 1));
    store_finalize(st);
    return out;
}

/* The actions p may take now. */
static json_t *allowed(const struct case_row *r, unsigned rel, const struct principal *p,
                       json_t *item)
{
    json_t *out = json_array();
    int s = case_state_parse(r->state);
    for (int a = 0; a < ACT__COUNT; a++) {
        if (!(flow[a].from & S(s)) || !(flow[a].who & rel)) continue;
        if (a == ACT_ASSIGN && !(p->roles & ROLE_DEPT_ADMIN) && r->assigned_to)
            continue; /* a clerk takes an unassigned case; admins reassign */
        if (a == ACT_SUBMIT && s != CASE_DRAFT) continue;
        (void)item;
        json_array_append_new(out, json_string(action_names[a]));
    }
    return out;
}

static json_t *case_json(struct store_conn *c, const struct principal *p, const struct case_row *r,
                         unsigned rel, struct arena *a)
{
    json_t *item = catalog_item_get(c, r->item_code, r->item_version);
    struct ev_row *ev = NULL;
    size_t n = 0;
    load_events(c, a, r->id, &ev, &n);
    char dn[16];
    case_number_display(r->number, dn);
    json_t *j = json_object();
    json_object_set_new(j, "number", json_string(r->number));
    json_object_set_new(j, "number_display", json_string(dn));
    const char *dname = NULL;
    struct store_stmt *st;
    if (store_prepare(c, "SELECT name FROM departments WHERE code = ?", &st) == 0) {
        store_bind_text(st, 1, r->department_code);
        if (store_step(st) == STORE_ROW) dname = arena_strdup(a, store_column_text(st, 0));
        store_finalize(st);
    }
    json_object_set_new(
        j, "item",
        json_pack("{s:s, s:I, s:s?, s:s, s:s?, s:s?, s:s?, s:b, s:b}", "code", r->item_code,
                  "version", (json_int_t)r->item_version, "name", str_of(item, "name"),
                  "department", r->department_code, "department_name", dname, "handling",
                  str_of(item, "handling"), "type", str_of(item, "type"), "acceptance_with_missing",
                  json_is_true(json_object_get(item, "acceptance_with_missing")),
                  "commitment_allowed",
                  json_is_true(json_object_get(json_object_get(item, "commitment"), "allowed"))));
    json_object_set_new(j, "applicant", account_ref(c, r->applicant_id));
    json_object_set_new(j, "enterprise", enterprise_ref(c, r->enterprise_id));
    json_object_set_new(j, "state", json_string(r->state));
    json_object_set_new(j, "version", json_integer(r->version));
    json_object_set_new(j, "assigned_to", account_ref(c, r->assigned_to));
    json_object_set_new(j, "form", parse_or(r->form, json_object()));
    json_object_set_new(j, "prefilled", parse_or(r->prefilled, json_object()));
    json_object_set_new(j, "materials", parse_or(r->materials, json_array()));
    json_object_set_new(j, "owed", parse_or(r->owed, json_array()));
    json_object_set_new(j, "owed_by", r->owed_by ? json_string(r->owed_by) : json_null());
    json_object_set_new(j, "pledge", parse_or(r->pledge, json_null()));
    json_object_set_new(j, "supplement", parse_or(r->supplement, json_null()));
    json_object_set_new(j, "decision", parse_or(r->decision, json_null()));
    char ds[WORKDAY_DATE_BUFSZ], dp[WORKDAY_DATE_BUFSZ];
    json_object_set_new(j, "time_limit", time_limits(item, r->reduced, ev, n, ds, dp));
    json_object_set_new(j, "promised_days_reduced", json_integer(r->reduced));
    json_object_set_new(j, "created_at", json_string(r->created_at));
    json_object_set_new(j, "submitted_at",
                        r->submitted_at ? json_string(r->submitted_at) : json_null());
    json_object_set_new(j, "decided_at", r->decided_at ? json_string(r->decided_at) : json_null());
    json_t *hist = json_array();
    for (size_t i = 0; i < n; i++) {
        char at[32];
        clock_format_iso(ev[i].at_ms, at);
        json_t *h = json_pack("{s:I, s:s, s:s?, s:s, s:s, s:s?}", "seq", (json_int_t)ev[i].seq,
                              "action", ev[i].action, "from", ev[i].from, "to", ev[i].to, "at", at,
                              "reason", ev[i].reason);
        /* the applicant sees the role of the person who acted; staff see names */
        json_t *actor = json_pack("{s:s}", "role", ev[i].actor_role);
        if (rel == WHO_STAFF || (ev[i].actor_id && ev[i].actor_id == p->account_id)) {
            json_object_set_new(actor, "id", json_integer(ev[i].actor_id));
            json_object_set_new(actor, "name",
                                ev[i].actor_name ? json_string(ev[i].actor_name) : json_null());
        }
        json_object_set_new(h, "actor", actor);
        json_object_set_new(h, "detail", parse_or(ev[i].detail, json_null()));
        json_array_append_new(hist, h);
    }
    json_object_set_new(j, "history", hist);
    json_object_set_new(j, "allowed", allowed(r, rel, p, item));
    json_t *rating = json_null();
    if (store_prepare(c,
                      "SELECT level, comment, indicators, at FROM case_ratings WHERE case_id = ?",
                      &st) == 0) {
        store_bind_int64(st, 1, r->id);
        if (store_step(st) == STORE_ROW) {
            json_decref(rating);
            rating = json_pack(
                "{s:I, s:s?, s:o, s:s}", "level", (json_int_t)store_column_int64(st, 0), "comment",
                store_column_text(st, 1), "indicators",
                parse_or(store_column_text(st, 2), json_array()), "at", store_column_text(st, 3));
        }
        store_finalize(st);
    }
    json_object_set_new(j, "rating", rating);
    json_decref(item);
    return j;
}

/* --- materials and the form --- */

/* The applicant's upload: 1 when it is theirs. */
static int own_upload(struct store_conn *c, int64_t owner, int64_t upload_id, json_t **info)
{
    struct store_stmt *st;
    if (store_prepare(c,
                      "SELECT filename, content_type, size FROM uploads WHERE id = ? AND "
                      "owner_id = ?",
                      &st) < 0)
        return 0;
    store_bind_int64(st, 1, upload_id);
    store_bind_int64(st, 2, owner);
    int found = store_step(st) == STORE_ROW;
    if (found && info)
        *info = json_pack("{s:I, s:s, s:s, s:I}", "id", (json_int_t)upload_id, "filename",
                          store_column_text(st, 0), "content_type", store_column_text(st, 1),
                          "size", (json_int_t)store_column_int64(st, 2));
    store_finalize(st);
    return found;
}

static int waived(json_t *item, const char *name)
{
    json_t *c = json_object_get(item, "commitment");
    if (!json_is_true(json_object_get(c, "allowed"))) return 0;
    size_t i;
    json_t *w;
    json_array_foreach(json_object_get(c, "waived_materials"), i, w)
    {
        if (json_string_value(w) && !strcmp(json_string_value(w), name)) return 1;
    }
    return 0;
}

/* Resolves body.materials against the item: [{"index", "name", "required",
 * "source", "upload"}]. for_indexes (may be NULL) limits which materials may
 * be given (a supplement answers only what was asked). Errors name the
 * field "materials[i]". *all_electronic: every given material is electronic
 * (an upload, data or an e-certificate), for the online preference. */
static json_t *resolve_materials(struct store_conn *c, json_t *item, json_t *given, int64_t owner,
                                 int require_all, json_t *base, int *all_electronic, struct err *e)
{
    json_t *mats = json_object_get(item, "materials");
    size_t nm = json_array_size(mats);
    json_t *out = json_array();
    for (size_t i = 0; i < nm; i++) {
        json_t *m = json_array_get(mats, i);
        json_t *prev = base ? json_array_get(base, i) : NULL;
        json_array_append_new(out,
                              prev ? json_deep_copy(prev)
                                   : json_pack("{s:I, s:s, s:b, s:n, s:n}", "index", (json_int_t)i,
                                               "name", str_of(m, "name"), "required",
                                               json_is_true(json_object_get(m, "required")),
                                               "source", "upload"));
    }
    if (given && !json_is_array(given)) {
        json_decref(out);
        err_set(e, ERR_INVALID, "materials", "cases.materials_list", NULL);
        return NULL;
    }
    size_t i;
    json_t *g;
    char field[48];
    json_array_foreach(given, i, g)
    {
        snprintf(field, sizeof field, "materials[%zu]", i);
        json_t *ix = json_object_get(g, "index");
        if (!json_is_integer(ix) || json_integer_value(ix) < 0 ||
            (size_t)json_integer_value(ix) >= nm) {
            json_decref(out);
            err_set(e, ERR_INVALID, field, "cases.material_unknown", NULL);
            return NULL;
        }
        size_t k = (size_t)json_integer_value(ix);
        json_t *m = json_array_get(mats, k);
        json_t *slot = json_array_get(out, k);
        json_t *sub = json_object_get(m, "substitute");
        json_t *up = json_object_get(g, "upload_id");
        const char *source = str_of(g, "source");
        if (json_is_integer(up)) {
            json_t *info = NULL;
            if (!own_upload(c, owner, json_integer_value(up), &info)) {
                json_decref(out);
                err_set(e, ERR_INVALID, field, "cases.upload_unknown", str_of(m, "name"));
                return NULL;
            }
            json_object_set_new(slot, "source", json_string("upload"));
            json_object_set_new(slot, "upload", info);
        } else if (source && !strcmp(source, "government_data") && str_of(sub, "government_data")) {
            json_object_set_new(slot, "source", json_string(source));
            json_object_set_new(slot, "upload", json_null());
        } else if (source && !strcmp(source, "certificate") && str_of(sub, "certificate_type")) {
            json_object_set_new(slot, "source", json_string(source));
            json_object_set_new(slot, "upload", json_null());
        } else if (source && !strcmp(source, "pledge") && waived(item, str_of(m, "name"))) {
            json_object_set_new(slot, "source", json_string(source));
            json_object_set_new(slot, "upload", json_null());
        } else if (json_is_null(up) && !source) {
            json_object_set_new(slot, "source", json_null());
            json_object_set_new(slot, "upload", json_null());
        } else {
            json_decref(out);
            err_set(e, ERR_INVALID, field, "cases.source_not_allowed", str_of(m, "name"));
            return NULL;
        }
    }
    int electronic = 1;
    json_array_foreach(out, i, g)
    {
        int have = json_object_get(g, "upload") && !json_is_null(json_object_get(g, "upload"));
        const char *src = str_of(g, "source");
        int satisfied = have || (src && strcmp(src, "upload"));
        if (!satisfied) json_object_set_new(g, "source", json_null());
        if (src && !strcmp(src, "pledge")) electronic = 0;
        if (require_all && json_is_true(json_object_get(g, "required")) && !satisfied) {
            snprintf(field, sizeof field, "materials[%zu]", i);
            err_set(e, ERR_INVALID, field, "cases.material_missing", str_of(g, "name"));
            json_decref(out);
            return NULL;
        }
    }
    if (all_electronic) *all_electronic = electronic;
    return out;
}

/* Checks the form values against the item's form_schema; fills the
 * prefilled marks from the account. Returns the form to store or NULL. */
static json_t *check_form(struct store_conn *c, json_t *item, json_t *given, int64_t owner,
                          int require_all, json_t **prefilled, struct err *e, struct arena *a)
{
    if (given && !json_is_object(given)) {
        err_set(e, ERR_INVALID, "form", "cases.form_object", NULL);
        return NULL;
    }
    json_t *form = json_object();
    struct account acc;
    struct err ae;
    *prefilled = json_object();
    if (accounts_get(c, a, owner, &acc, &ae) == 0) {
        const char *keys[] = {"applicant_name", "applicant_id_number", "applicant_phone"};
        const char *vals[] = {acc.name, acc.id_number, acc.phone};
        for (int k = 0; k < 3; k++) {
            if (!vals[k]) continue;
            json_t *g = json_object_get(given, keys[k]);
            const char *typed = json_string_value(g);
            int kept = !g || json_is_null(g) || (typed && !strcmp(typed, vals[k]));
            const char *value = kept ? vals[k] : typed;
            if (!kept && !typed) {
                json_decref(form);
                json_decref(*prefilled);
                *prefilled = NULL;
                err_set(e, ERR_INVALID, keys[k], "cases.form_text", NULL);
                return NULL;
            }
            json_object_set_new(form, keys[k], json_string(value));
            /* a value the applicant changed is theirs, no longer verified */
            json_object_set_new(*prefilled, keys[k],
                                json_pack("{s:s, s:b}", "value", value, "verified",
                                          kept && acc.realname_level > 0));
        }
    }
    json_t *schema = json_object_get(item, "form_schema");
    const char *key;
    json_t *v;
    json_object_foreach(given, key, v)
    {
        if (json_object_get(*prefilled, key)) continue;
        int known = 0;
        size_t i;
        json_t *f;
        json_array_foreach(schema, i, f) known |=
            str_of(f, "name") && !strcmp(str_of(f, "name"), key);
        if (!known) {
            json_decref(form);
            json_decref(*prefilled);
            *prefilled = NULL;
            err_set(e, ERR_INVALID, key, "cases.form_unknown", key);
            return NULL;
        }
    }
    size_t i;
    json_t *f;
    json_array_foreach(schema, i, f)
    {
        const char *name = str_of(f, "name"), *type = str_of(f, "type");
        json_t *val = json_object_get(given, name);
        const char *bad = NULL;
        if (!val || json_is_null(val) || (json_is_string(val) && !*json_string_value(val))) {
            if (require_all && json_is_true(json_object_get(f, "required")))
                bad = "cases.form_required";
            else
                continue;
        } else if (!strcmp(type, "number")) {
            if (!json_is_number(val)) {
                const char *s = json_string_value(val);
                char *end = NULL;
                if (s) strtod(s, &end);
                if (!s || !*s || *end)
                    bad = "cases.form_number";
                else
                    val = json_real(strtod(s, NULL)), json_object_set_new(form, name, val),
                    val = NULL;
            }
        } else if (!strcmp(type, "date")) {
            workday_date d;
            if (!json_is_string(val) || workday_date_parse(json_string_value(val), &d) < 0)
                bad = "cases.form_date";
        } else if (!strcmp(type, "choice")) {
            int ok = 0;
            size_t k;
            json_t *ch;
            json_array_foreach(json_object_get(f, "choices"), k, ch) ok |= json_equal(ch, val);
            if (!ok) bad = "cases.form_choice";
        } else if (!strcmp(type, "file")) {
            if (!json_is_integer(val) || !own_upload(c, owner, json_integer_value(val), NULL))
                bad = "cases.upload_unknown";
        } else { /* text */
            size_t cps = 0;
            const char *s = json_string_value(val);
            if (!s || utf8_check_text(s, strlen(s)) < 0 || utf8_count(s, strlen(s), &cps) < 0 ||
                cps > 2000)
                bad = "cases.form_text";
        }
        if (bad) {
            json_decref(form);
            json_decref(*prefilled);
            *prefilled = NULL;
            err_set(e, ERR_INVALID, name, bad, str_of(f, "label"));
            return NULL;
        }
        if (val) json_object_set(form, name, val);
    }
    return form;
}

/* --- writing --- */

static int insert_event(struct store_conn *c, int64_t case_id, const char *action, const char *from,
                        const char *to, const struct principal *p, const char *role,
                        const char *reason, json_t *detail)
{
    int64_t seq = 0;
    char idtext[24];
    snprintf(idtext, sizeof idtext, "%lld", (long long)case_id);
    int rc = store_query_int64(c, &seq,
                               "SELECT COALESCE(MAX(seq), 0) + 1 FROM case_events "
                               "WHERE case_id = ?",
                               idtext, NULL);
    if (rc != STORE_ROW) return rc < 0 ? rc : STORE_ERROR;
    struct store_stmt *st;
    if ((rc = store_prepare(c,
                            "INSERT INTO case_events (case_id, seq, action, from_state, to_state, "
                            "actor_id, actor_role, at_ms, reason, detail) VALUES (?, ?, ?, ?, ?, "
                            "?, ?, ?, ?, ?)",
                            &st)) < 0)
        return rc;
    char *d = detail ? json_dumps(detail, JSON_COMPACT) : NULL;
    store_bind_int64(st, 1, case_id);
    store_bind_int64(st, 2, seq);
    store_bind_text(st, 3, action);
    store_bind_text(st, 4, from);
    store_bind_text(st, 5, to);
    if (p && p->account_id)
        store_bind_int64(st, 6, p->account_id);
    else
        store_bind_null(st, 6);
    store_bind_text(st, 7, role);
    store_bind_int64(st, 8, clock_now_ms());
    store_bind_text(st, 9, reason);
    store_bind_text(st, 10, d);
    rc = store_step(st);
    store_finalize(st);
    free(d);
    return rc < 0 ? rc : 0;
}

static int link_uploads(struct store_conn *c, int64_t case_id, json_t *materials)
{
    size_t i;
    json_t *m;
    json_array_foreach(materials, i, m)
    {
        json_t *up = json_object_get(m, "upload");
        if (!json_is_object(up)) continue;
        struct store_stmt *st;
        int rc = store_prepare(c,
                               "INSERT INTO case_uploads (case_id, upload_id, material) VALUES "
                               "(?, ?, ?) ON CONFLICT (case_id, upload_id, material) DO NOTHING",
                               &st);
        if (rc < 0) return rc;
        store_bind_int64(st, 1, case_id);
        store_bind_int64(st, 2, json_integer_value(json_object_get(up, "id")));
        store_bind_text(st, 3, str_of(m, "name"));
        rc = store_step(st);
        store_finalize(st);
        if (rc < 0) return rc;
    }
    return 0;
}

/* Recomputes and stores the due dates of the case from its history. */
static int store_dues(struct store_conn *c, struct arena *a, const struct case_row *r, json_t *item)
{
    struct ev_row *ev;
    size_t n;
    int rc = load_events(c, a, r->id, &ev, &n);
    if (rc < 0) return rc;
    char ds[WORKDAY_DATE_BUFSZ], dp[WORKDAY_DATE_BUFSZ];
    json_decref(time_limits(item, r->reduced, ev, n, ds, dp));
    struct store_stmt *st;
    if ((rc = store_prepare(c,
                            "UPDATE cases SET due_statutory = ?, due_promised = ?, due_sort = ? "
                            "WHERE id = ?",
                            &st)) < 0)
        return rc;
    store_bind_text(st, 1, ds[0] ? ds : NULL);
    store_bind_text(st, 2, dp[0] ? dp : NULL);
    /* the list sorts by the promised date, the statutory one where none is promised */
    store_bind_text(st, 3, dp[0] ? dp : ds[0] ? ds : "9999-12-31");
    store_bind_int64(st, 4, r->id);
    rc = store_step(st);
    store_finalize(st);
    return rc < 0 ? rc : 0;
}

static int notify_applicant(struct store_conn *c, const struct case_row *r, json_t *item,
                            const char *what)
{
    char key_s[64], key_b[64], link[64], dn[16];
    snprintf(key_s, sizeof key_s, "cases.msg.%s.subject", what);
    snprintf(key_b, sizeof key_b, "cases.msg.%s.body", what);
    snprintf(link, sizeof link, "/cases/%s", r->number);
    case_number_display(r->number, dn);
    json_t *args =
        json_pack("{s:s, s:s, s:s}", "number", dn, "item",
                  str_of(item, "name") ? str_of(item, "name") : r->item_code, "state", r->state);
    int rc = notify_send(c, r->applicant_id, what, key_s, key_b, args, link);
    json_decref(args);
    return rc;
}

/* Notification and commitment: the applicant's signed pledge, recorded at
 * submission in place of the materials it waives; NULL when none is. */
static const char *pledge_text(struct arena *a, json_t *materials, const char *now)
{
    json_t *waived = json_array();
    size_t i;
    json_t *m;
    json_array_foreach(materials, i, m)
    {
        const char *src = json_string_value(json_object_get(m, "source"));
        if (src && !strcmp(src, "pledge")) json_array_append(waived, json_object_get(m, "name"));
    }
    const char *out = NULL;
    if (json_array_size(waived)) {
        json_t *p = json_pack("{s:s, s:O}", "signed_at", now, "waived", waived);
        char *txt = json_dumps(p, JSON_COMPACT);
        out = arena_strdup(a, txt);
        free(txt);
        json_decref(p);
    }
    json_decref(waived);
    return out;
}

/* --- idempotent creation ---
 *
 * A key's row of idempotency_keys is reserved in the transaction that
 * creates the case and gets the case's number before the commit, so a
 * creation that fails leaves no row, and of two requests with one key the
 * second finds the first's row only once it is committed with its number:
 * on PostgreSQL its INSERT waits on the unique (scope, idem_key) until the
 * first commits, on SQLite it runs after the first in the same batch of the
 * group commit or in a later one. Rows are written with status 1 and the
 * number as body; rows of earlier versions are read too: the API's (status
 * 201, the case JSON as body) and the form's (status 1 or 2 with the number;
 * status 0 and no number when reserved outside a transaction and never
 * finished: such a row is taken over). */

enum { IDEM_FREE, IDEM_STALE, IDEM_REPLAY };

/* The case number a row's body holds: 1 with out (>= 13) filled, or 0. */
static int idem_number(const char *body, char *out)
{
    if (!body) return 0;
    json_t *j = body[0] == '{' ? json_loads(body, 0, NULL) : NULL;
    const char *n = j ? str_of(j, "number") : body;
    int ok = n && strlen(n) == 12 && strspn(n, "0123456789") == 12;
    if (ok) memcpy(out, n, 13);
    json_decref(j);
    return ok;
}

/* The key's row under scope: IDEM_FREE when there is none, IDEM_STALE when
 * it holds no case number, IDEM_REPLAY with the number in out (>= 13) when
 * it made a case for the same request; ERR_INVALID (negative, e set) when
 * the key was used for another request, a store code on failure. */
static int idem_lookup(struct store_conn *c, const char *scope, const struct case_idem *k,
                       char *out, struct err *e)
{
    struct store_stmt *st;
    int rc = store_prepare(c,
                           "SELECT request_hash, body FROM idempotency_keys WHERE scope = ? AND "
                           "idem_key = ?",
                           &st);
    if (rc < 0) return rc;
    store_bind_text(st, 1, scope);
    store_bind_text(st, 2, k->key);
    rc = store_step(st);
    int result = rc < 0 ? rc : IDEM_FREE;
    if (rc == STORE_ROW) {
        const char *hash = store_column_text(st, 0);
        if (!idem_number(store_column_text(st, 1), out))
            result = IDEM_STALE;
        else if (k->request_hash && (!hash || strcmp(hash, k->request_hash) != 0))
            result = err_set(e, ERR_INVALID, "Idempotency-Key", "api.idem_key_reused", NULL);
        else
            result = IDEM_REPLAY;
    }
    store_finalize(st);
    return result;
}

/* Runs an UPDATE of the key's row: sql's "?"s are status (unless < 0),
 * text (unless NULL), scope and key. The rows changed, or a store code. */
static int64_t idem_write(struct store_conn *c, const char *sql, const char *scope,
                          const struct case_idem *k, int64_t status, const char *text)
{
    struct store_stmt *st;
    int rc = store_prepare(c, sql, &st);
    if (rc < 0) return rc;
    int i = 1;
    if (status >= 0) store_bind_int64(st, i++, status);
    if (text) store_bind_text(st, i++, text);
    store_bind_text(st, i++, scope);
    store_bind_text(st, i, k->key);
    rc = store_step(st);
    int64_t n = rc == STORE_DONE ? store_changes(st) : rc < 0 ? rc : STORE_ERROR;
    store_finalize(st);
    return n;
}

struct create_tx {
    const struct principal *p;
    json_t *item, *form, *prefilled, *materials;
    int64_t enterprise_id, reduced;
    int submit;
    const char *ip;
    char number[13];
    struct case_row row;
    struct arena *a;
    struct err *e;
    const struct case_idem *idem; /**< or NULL */
    const char *scope;            /**< the key's row: idem->scope|account */
    int replayed;                 /**< out: the key made a case already, number in replay */
    char replay[13];
};

/* Reserves the key in the transaction: 0 when this request holds it now,
 * 1 when it made a case already (t->replayed, t->replay), else negative. */
static int idem_reserve(struct store_conn *c, struct create_tx *t)
{
    const char *hash = t->idem->request_hash ? t->idem->request_hash : "";
    struct store_stmt *st;
    int rc = store_prepare(c,
                           "INSERT INTO idempotency_keys (scope, idem_key, request_hash, status, "
                           "body, created_ms) VALUES (?, ?, ?, 0, '', ?) ON CONFLICT (scope, "
                           "idem_key) DO NOTHING",
                           &st);
    if (rc < 0) return rc;
    store_bind_text(st, 1, t->scope);
    store_bind_text(st, 2, t->idem->key);
    store_bind_text(st, 3, hash);
    store_bind_int64(st, 4, clock_now_ms());
    rc = store_step(st);
    int64_t n = rc == STORE_DONE ? store_changes(st) : 0;
    store_finalize(st);
    if (rc != STORE_DONE) return rc < 0 ? rc : STORE_ERROR;
    if (n == 1) return 0;
    rc = idem_lookup(c, t->scope, t->idem, t->replay, t->e);
    if (rc == IDEM_REPLAY) {
        t->replayed = 1;
        return 1;
    }
    if (rc == IDEM_STALE) {
        /* taken over while still unfinished: of two at once on PostgreSQL,
         * the second's UPDATE waits and then finds the first's number */
        int64_t k = idem_write(c,
                               "UPDATE idempotency_keys SET request_hash = ? WHERE scope = ? AND "
                               "idem_key = ? AND status = 0",
                               t->scope, t->idem, -1, hash);
        return k == 1 ? 0 : k < 0 ? (int)k : STORE_BUSY;
    }
    /* IDEM_FREE: gone between the two statements; try again */
    return rc < 0 ? rc : STORE_BUSY;
}

static int create_fn(struct store_conn *c, void *ctx)
{
    struct create_tx *t = ctx;
    t->replayed = 0; /* the batch may run again */
    err_clear(t->e);
    if (t->idem) {
        int k = idem_reserve(c, t);
        if (k != 0) return k < 0 ? k : 0;
    }
    char now[32];
    now_iso(now);
    char *form = json_dumps(t->form, JSON_COMPACT), *pre = json_dumps(t->prefilled, JSON_COMPACT),
         *mats = json_dumps(t->materials, JSON_COMPACT);
    /* A number already taken gives no row (ON CONFLICT DO NOTHING) and
     * another is drawn: a unique violation would abort the whole transaction
     * on PostgreSQL. 10^7 numbers a month make a clash likely once a month
     * holds thousands of cases. */
    int rc = STORE_DONE;
    int64_t id = 0;
    for (int attempt = 0; attempt < 8 && rc == STORE_DONE; attempt++) {
        new_number(t->number);
        struct store_stmt *st;
        if ((rc = store_prepare(c,
                                "INSERT INTO cases (number, item_code, item_version, "
                                "department_code, applicant_id, enterprise_id, state, version, "
                                "form, prefilled, materials, promised_days_reduced, created_at, "
                                "submitted_at, updated_at, pledge) VALUES (?, ?, ?, ?, ?, ?, ?, 1, "
                                "?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (number) DO NOTHING "
                                "RETURNING id",
                                &st)) < 0)
            break;
        store_bind_text(st, 1, t->number);
        store_bind_text(st, 2, str_of(t->item, "code"));
        store_bind_int64(st, 3, json_integer_value(json_object_get(t->item, "version")));
        store_bind_text(st, 4, str_of(t->item, "department"));
        store_bind_int64(st, 5, t->p->account_id);
        if (t->enterprise_id)
            store_bind_int64(st, 6, t->enterprise_id);
        else
            store_bind_null(st, 6);
        store_bind_text(st, 7, t->submit ? "submitted" : "draft");
        store_bind_text(st, 8, form);
        store_bind_text(st, 9, pre);
        store_bind_text(st, 10, mats);
        store_bind_int64(st, 11, t->reduced);
        store_bind_text(st, 12, now);
        store_bind_text(st, 13, t->submit ? now : NULL);
        store_bind_text(st, 14, now);
        const char *pledge = t->submit ? pledge_text(t->a, t->materials, now) : NULL;
        store_bind_text(st, 15, pledge);
        rc = store_step(st);
        if (rc == STORE_ROW) id = store_column_int64(st, 0);
        store_finalize(st);
    }
    free(form);
    free(pre);
    free(mats);
    if (rc != STORE_ROW) return rc < 0 ? rc : STORE_ERROR;
    if ((rc = link_uploads(c, id, t->materials)) < 0) return rc;
    if ((rc = insert_event(c, id, "create", NULL, "draft", t->p, "applicant", NULL, NULL)) < 0)
        return rc;
    if (t->submit && (rc = insert_event(c, id, "submit", "draft", "submitted", t->p, "applicant",
                                        NULL, NULL)) < 0)
        return rc;
    if ((rc = load_row(c, t->a, t->number, &t->row)) != STORE_ROW) return rc < 0 ? rc : STORE_ERROR;
    if (t->submit) {
        if ((rc = store_dues(c, t->a, &t->row, t->item)) < 0 ||
            (rc = notify_applicant(c, &t->row, t->item, "submitted")) < 0)
            return rc;
    }
    char target[32];
    snprintf(target, sizeof target, "case:%s", t->number);
    json_t *detail =
        json_pack("{s:s, s:I, s:b}", "item", str_of(t->item, "code"), "version",
                  json_integer_value(json_object_get(t->item, "version")), "submitted", t->submit);
    char *d = json_dumps(detail, JSON_COMPACT);
    json_decref(detail);
    rc = audit_record(c, t->p->account_id, t->submit ? "case.submit" : "case.create", target, d,
                      t->ip);
    free(d);
    if (rc < 0 || !t->idem) return rc;
    int64_t k = idem_write(c,
                           "UPDATE idempotency_keys SET status = ?, body = ? WHERE scope = ? AND "
                           "idem_key = ?",
                           t->scope, t->idem, 1, t->number);
    return k == 1 ? 0 : k < 0 ? (int)k : STORE_ERROR;
}

/* The promised days an online applicant saves by the item's preferences. */
static int64_t reduction(json_t *item, int all_electronic)
{
    int64_t days = 0;
    size_t i;
    json_t *pref;
    json_array_foreach(json_object_get(item, "preferences"), i, pref)
    {
        const char *kind = str_of(pref, "kind"), *cond = str_of(pref, "condition");
        if (!kind || strcmp(kind, "promised_days_reduced")) continue;
        if (cond && !strcmp(cond, "all_electronic") && !all_electronic) continue;
        days += json_integer_value(json_object_get(pref, "value"));
    }
    return days;
}

/* The published item a case may be opened for, or NULL with e set. */
static json_t *item_for_applying(struct store_conn *c, const char *code, struct err *e)
{
    json_t *item = code ? catalog_item_get(c, code, 0) : NULL;
    const char *st = item ? str_of(item, "status") : NULL;
    if (!item || !st || strcmp(st, "published")) {
        json_decref(item);
        err_set(e, ERR_NOT_FOUND, "item", "cases.item_unknown", code);
        return NULL;
    }
    if (!(catalog_item_channels(item) & (CH_ONLINE | CH_MOBILE))) {
        json_decref(item);
        err_set(e, ERR_INVALID, "item", "cases.not_online", str_of(item, "name"));
        return NULL;
    }
    return item;
}

/* Checks the enterprise the applicant acts for (0 for themselves). */
static int check_enterprise(struct store_conn *c, const struct principal *p, json_t *item,
                            json_t *body, int submit, int64_t *out, struct err *e)
{
    json_t *en = json_object_get(body, "enterprise_id");
    *out = 0;
    const char *target = str_of(item, "target");
    if (en && !json_is_null(en)) {
        if (!json_is_integer(en) || !enterprises_is_agent(c, json_integer_value(en), p->account_id))
            return err_set(e, ERR_INVALID, "enterprise_id", "cases.not_agent", NULL);
        if (target && !strcmp(target, "person"))
            return err_set(e, ERR_INVALID, "enterprise_id", "cases.for_persons", NULL);
        *out = json_integer_value(en);
    } else if (submit && target && !strcmp(target, "enterprise")) {
        return err_set(e, ERR_INVALID, "enterprise_id", "cases.for_enterprises", NULL);
    }
    return 0;
}

/* The case a key made already, as p may see it now: 0 with *out, or negative. */
static int replay(struct store_conn *c, const struct principal *p, const char *number,
                  const char *ip, json_t **out, int *replayed, struct err *e)
{
    if (!(*out = cases_get(c, p, number, ip, e))) return -(int)e->code;
    if (replayed) *replayed = 1;
    return 0;
}

int cases_create(struct store_conn *c, const struct principal *p, json_t *body,
                 const struct case_idem *idem, const char *ip, json_t **out, int *replayed,
                 struct err *e)
{
    err_clear(e);
    *out = NULL;
    if (replayed) *replayed = 0;
    if (!p) return err_set(e, ERR_UNAUTHENTICATED, NULL, NULL, NULL);
    struct arena *a = arena_new();
    const char *scope = NULL;
    if (idem) {
        if (!idem->scope || !idem->key) {
            arena_free(a);
            return err_set(e, ERR_INVALID, "Idempotency-Key", "api.idem_key_bad", NULL);
        }
        /* A request sent again is answered before anything is checked
         * again: what was valid then may not be now (a file deleted since). */
        scope = arena_printf(a, "%s|%lld", idem->scope, (long long)p->account_id);
        char number[13];
        int k = idem_lookup(c, scope, idem, number, e);
        if (k == IDEM_REPLAY) {
            arena_free(a);
            return replay(c, p, number, ip, out, replayed, e);
        }
        if (k < 0) {
            arena_free(a);
            return storage(e);
        }
    }
    json_t *item = item_for_applying(c, str_of(body, "item"), e);
    if (!item) {
        arena_free(a);
        return -(int)e->code;
    }
    int submit = json_is_true(json_object_get(body, "submit"));
    int64_t enterprise = 0;
    int electronic = 0;
    json_t *pre = NULL, *form = NULL, *mats = NULL;
    int rc = check_enterprise(c, p, item, body, submit, &enterprise, e);
    if (rc == 0 && !(form = check_form(c, item, json_object_get(body, "form"), p->account_id,
                                       submit, &pre, e, a)))
        rc = -(int)e->code;
    if (rc == 0 && !(mats = resolve_materials(c, item, json_object_get(body, "materials"),
                                              p->account_id, submit, NULL, &electronic, e)))
        rc = -(int)e->code;
    if (rc == 0) {
        struct create_tx t = {.p = p,
                              .item = item,
                              .form = form,
                              .prefilled = pre,
                              .materials = mats,
                              .enterprise_id = enterprise,
                              .reduced = reduction(item, electronic),
                              .submit = submit,
                              .ip = ip,
                              .a = a,
                              .e = e,
                              .idem = idem,
                              .scope = scope};
        if (store_tx_group(c, create_fn, &t) < 0)
            rc = storage(e);
        else if (t.replayed)
            rc = replay(c, p, t.replay, ip, out, replayed, e);
        else
            *out = case_json(c, p, &t.row, WHO_APPLICANT, a);
    }
    json_decref(form);
    json_decref(pre);
    json_decref(mats);
    json_decref(item);
    arena_free(a);
    return rc;
}

/* --- steps of the workflow --- */

struct act_tx {
    const struct principal *p;
    const char *number, *ip;
    enum case_action action;
    json_t *body;
    unsigned rel;
    struct case_row row;
    struct arena *a;
    struct err *e;
};

/* The string list body[name] (each a material name of the item when
 * materials_only). NULL with e set when malformed. */
static json_t *name_list(json_t *body, const char *name, json_t *item, int required, struct err *e)
{
    json_t *v = json_object_get(body, name);
    if (!v || json_is_null(v)) {
        if (required) err_set(e, ERR_INVALID, name, "cases.list_required", NULL);
        return required ? NULL : json_array();
    }
    if (!json_is_array(v) || (required && !json_array_size(v))) {
        err_set(e, ERR_INVALID, name, "cases.list_required", NULL);
        return NULL;
    }
    size_t i;
    json_t *x;
    json_array_foreach(v, i, x)
    {
        const char *s = json_string_value(x);
        int known = 0;
        size_t k;
        json_t *m;
        json_array_foreach(json_object_get(item, "materials"), k, m) known |=
            s && str_of(m, "name") && !strcmp(str_of(m, "name"), s);
        if (!known) {
            err_set(e, ERR_INVALID, name, "cases.material_unknown_name", s ? s : "");
            return NULL;
        }
    }
    return json_deep_copy(v);
}

/* Compact JSON text in the arena. */
static const char *adumps(struct arena *a, json_t *v)
{
    char *s = json_dumps(v, JSON_COMPACT);
    const char *out = arena_strdup(a, s ? s : "null");
    free(s);
    return out;
}

static int set_columns(struct store_conn *c, int64_t id, const char *const *names,
                       const char *const *values, int n)
{
    struct buf sql = BUF_INIT;
    buf_puts(&sql, "UPDATE cases SET ");
    for (int i = 0; i < n; i++)
        buf_printf(&sql, "%s%s = ?", i ? ", " : "", names[i]);
    buf_puts(&sql, " WHERE id = ?");
    struct store_stmt *st;
    int rc = store_prepare(c, buf_str(&sql), &st);
    buf_free(&sql);
    if (rc < 0) return rc;
    for (int i = 0; i < n; i++)
        store_bind_text(st, i + 1, values[i]);
    store_bind_int64(st, n + 1, id);
    rc = store_step(st);
    store_finalize(st);
    return rc < 0 ? rc : 0;
}

static int act_fn(struct store_conn *c, void *ctx)
{
    struct act_tx *t = ctx;
    struct case_row *r = &t->row;
    int rc = load_row(c, t->a, t->number, r);
    if (rc < 0) return rc;
    if (rc != STORE_ROW || !(t->rel = relation(c, t->p, r)))
        return err_set(t->e, ERR_NOT_FOUND, NULL, "cases.not_found", NULL);
    const struct transition *tr_ = &flow[t->action];
    if (!(tr_->who & t->rel))
        return err_set(t->e, ERR_FORBIDDEN, NULL, "cases.not_your_step", action_names[t->action]);
    int from = case_state_parse(r->state);
    json_t *ev = json_object_get(t->body, "expected_version");
    if (json_is_integer(ev) && json_integer_value(ev) != r->version)
        return err_set(t->e, ERR_CONFLICT, NULL, "cases.changed", r->state);
    if (from < 0 || !(tr_->from & S(from)))
        return err_set(t->e, ERR_CONFLICT, NULL, "cases.state_forbids", r->state);
    json_t *item = catalog_item_get(c, r->item_code, r->item_version);
    if (!item) return STORE_ERROR;
    int to = tr_->to == TO_SAME ? from
             : tr_->to == TO_BACK
                 ? (r->back_state ? case_state_parse(r->back_state) : CASE_SUBMITTED)
                 : tr_->to;
    int bad = 0;
    const char *reason = body_text(t->body, "reason", 2000, 1, &bad);
    if (bad) {
        json_decref(item);
        return err_set(t->e, ERR_INVALID, "reason", "cases.reason_bad", NULL);
    }
    json_t *detail = NULL;
    const char *names[8], *values[8];
    int n = 0;
    const char *texts[8] = {0}; /* in the arena: no frees on the many ways out */
    char now[32];
    now_iso(now);
    char today[WORKDAY_DATE_BUFSZ];
    workday_date_format(workday_date_of(clock_now_ms(), NULL), today);
    int immediate = str_of(item, "handling") && !strcmp(str_of(item, "handling"), "immediate");
    const char *what = action_names[t->action];
    switch (t->action) {
    case ACT_SUBMIT: {
        /* a draft is submitted as it stands: it must be complete */
        json_t *pre = NULL, *form, *mats;
        int electronic = 0;
        json_t *given_form = parse_or(r->form, json_object());
        form = check_form(c, item, given_form, r->applicant_id, 1, &pre, t->e, t->a);
        json_decref(given_form);
        json_decref(form);
        json_decref(pre);
        if (!form) {
            json_decref(item);
            return -(int)t->e->code;
        }
        json_t *base = parse_or(r->materials, json_array());
        mats = resolve_materials(c, item, NULL, r->applicant_id, 1, base, &electronic, t->e);
        json_decref(base);
        if (!mats) {
            json_decref(item);
            return -(int)t->e->code;
        }
        json_decref(mats);
        names[n] = "submitted_at", values[n++] = now;
        json_t *given = parse_or(r->materials, json_array());
        const char *pledge = pledge_text(t->a, given, now);
        json_decref(given);
        if (pledge) names[n] = "pledge", values[n++] = pledge;
        break;
    }
    case ACT_PRE_ACCEPT: {
        const char *note = body_text(t->body, "note", 2000, 1, &bad);
        const char *by = body_text(t->body, "bring_by", 10, 0, &bad);
        workday_date d;
        if (bad || (by && workday_date_parse(by, &d) < 0)) {
            json_decref(item);
            return err_set(t->e, ERR_INVALID, by ? "bring_by" : "note", "cases.reason_bad", NULL);
        }
        detail = json_pack("{s:s?, s:s?}", "note", note, "bring_by", by);
        break;
    }
    case ACT_ACCEPT: {
        json_t *owed = name_list(t->body, "owed", item, 0, t->e);
        if (!owed) {
            json_decref(item);
            return -(int)t->e->code;
        }
        if (json_array_size(owed) &&
            !json_is_true(json_object_get(item, "acceptance_with_missing"))) {
            json_decref(owed);
            json_decref(item);
            return err_set(t->e, ERR_INVALID, "owed", "cases.missing_not_allowed", NULL);
        }
        texts[n] = adumps(t->a, owed);
        names[n] = "owed", values[n] = texts[n], n++;
        if (json_array_size(owed)) {
            /* what is owed is owed by a date: given, or the hall's default */
            const char *by = body_text(t->body, "owed_by", 10, 0, &bad);
            workday_date d;
            if (bad || (by && workday_date_parse(by, &d) < 0)) {
                json_decref(owed);
                json_decref(item);
                return err_set(t->e, ERR_INVALID, "owed_by", "cases.date_bad", NULL);
            }
            if (!by) {
                char dd[WORKDAY_DATE_BUFSZ];
                workday_add(workday_date_of(clock_now_ms(), NULL), TL_SUPPLEMENT_DAYS_DEFAULT, &d,
                            NULL);
                by = arena_strdup(t->a, workday_date_format(d, dd));
            }
            names[n] = "owed_by", values[n++] = by;
        }
        if (json_is_true(json_object_get(t->body, "conclude"))) {
            if (!immediate) {
                json_decref(owed);
                json_decref(item);
                return err_set(t->e, ERR_INVALID, "conclude", "cases.not_immediate", NULL);
            }
            to = CASE_APPROVED;
            names[n] = "decided_at", values[n++] = now;
            texts[n] = "{\"result\":\"approved\"}";
            names[n] = "decision", values[n] = texts[n], n++;
        }
        detail = json_pack("{s:o}", "owed", owed);
        break;
    }
    case ACT_DECLINE:
    case ACT_REFUSE:
        if (!reason) {
            json_decref(item);
            return err_set(t->e, ERR_INVALID, "reason", "cases.reason_required", NULL);
        }
        if (t->action == ACT_REFUSE) {
            const char *basis = body_text(t->body, "legal_basis", 500, 1, &bad);
            if (bad || !basis) {
                json_decref(item);
                return err_set(t->e, ERR_INVALID, "legal_basis", "cases.basis_required", NULL);
            }
            json_t *dec = json_pack("{s:s, s:s, s:s, s:s}", "result", "refused", "reasons", reason,
                                    "legal_basis", basis, "remedy", "cases.remedy");
            texts[n] = adumps(t->a, dec);
            json_decref(dec);
            names[n] = "decision", values[n] = texts[n], n++;
            names[n] = "decided_at", values[n++] = now;
        } else {
            json_t *dec = json_pack("{s:s, s:s}", "result", "declined", "reasons", reason);
            texts[n] = adumps(t->a, dec);
            json_decref(dec);
            names[n] = "decision", values[n] = texts[n], n++;
        }
        break;
    case ACT_REQUEST_SUPPLEMENT: {
        json_t *missing = name_list(t->body, "missing", item, 1, t->e);
        if (!missing) {
            json_decref(item);
            return -(int)t->e->code;
        }
        const char *note = body_text(t->body, "note", 2000, 1, &bad);
        workday_date due;
        workday_add(workday_date_of(clock_now_ms(), NULL), TL_SUPPLEMENT_DAYS_DEFAULT, &due, NULL);
        char dd[WORKDAY_DATE_BUFSZ];
        json_t *sup = json_pack("{s:s, s:O, s:s?, s:s}", "requested_at", now, "missing", missing,
                                "note", note, "due", workday_date_format(due, dd));
        texts[n] = adumps(t->a, sup);
        names[n] = "supplement", values[n] = texts[n], n++;
        names[n] = "back_state", values[n++] = r->state;
        detail = sup;
        json_decref(missing);
        break;
    }
    case ACT_SUPPLEMENT: {
        /* only what was asked for may be given */
        json_t *sup = parse_or(r->supplement, json_object());
        json_t *missing = json_object_get(sup, "missing");
        json_t *given = json_object_get(t->body, "materials");
        size_t i;
        json_t *g;
        json_array_foreach(given, i, g)
        {
            json_t *m = json_array_get(json_object_get(item, "materials"),
                                       (size_t)json_integer_value(json_object_get(g, "index")));
            int asked = 0;
            size_t k;
            json_t *x;
            json_array_foreach(missing, k, x) asked |=
                m && json_equal(x, json_object_get(m, "name"));
            if (!asked) {
                json_decref(sup);
                json_decref(item);
                char field[48];
                snprintf(field, sizeof field, "materials[%zu]", i);
                return err_set(t->e, ERR_INVALID, field, "cases.not_asked", NULL);
            }
        }
        json_t *base = parse_or(r->materials, json_array());
        json_t *mats = resolve_materials(c, item, given, r->applicant_id, 0, base, NULL, t->e);
        json_decref(base);
        if (!mats) {
            json_decref(sup);
            json_decref(item);
            return -(int)t->e->code;
        }
        /* every material asked for must now be there */
        json_array_foreach(missing, i, g)
        {
            size_t k;
            json_t *m;
            json_array_foreach(mats, k, m)
            {
                if (json_equal(json_object_get(m, "name"), g) &&
                    json_is_null(json_object_get(m, "source"))) {
                    json_decref(mats);
                    json_decref(sup);
                    json_decref(item);
                    return err_set(t->e, ERR_INVALID, "materials", "cases.material_missing",
                                   json_string_value(g));
                }
            }
        }
        if ((rc = link_uploads(c, r->id, mats)) < 0) {
            json_decref(mats);
            json_decref(sup);
            json_decref(item);
            return rc;
        }
        texts[n] = adumps(t->a, mats);
        names[n] = "materials", values[n] = texts[n], n++;
        names[n] = "supplement", values[n++] = NULL;
        names[n] = "back_state", values[n++] = NULL;
        detail = json_pack("{s:O}", "answered", missing);
        json_decref(mats);
        json_decref(sup);
        break;
    }
    case ACT_SPECIAL_START:
        if (!reason) {
            json_decref(item);
            return err_set(t->e, ERR_INVALID, "reason", "cases.reason_required", NULL);
        }
        break;
    case ACT_EXTEND: {
        int64_t already = 0;
        char idt[24];
        snprintf(idt, sizeof idt, "%lld", (long long)r->id);
        store_query_int64(
            c, &already, "SELECT COUNT(*) FROM case_events WHERE case_id = ? AND action = 'extend'",
            idt, NULL);
        if (already) {
            json_decref(item);
            return err_set(t->e, ERR_CONFLICT, NULL, "cases.extended_once", r->state);
        }
        if (!reason) {
            json_decref(item);
            return err_set(t->e, ERR_INVALID, "reason", "cases.reason_required", NULL);
        }
        json_int_t days = json_integer_value(json_object_get(t->body, "days"));
        if (days < 0 || days > TL_EXTENSION_DAYS) {
            json_decref(item);
            return err_set(t->e, ERR_INVALID, "days", "cases.days_bad", NULL);
        }
        detail = json_pack("{s:I}", "days", days ? days : TL_EXTENSION_DAYS);
        break;
    }
    case ACT_APPROVE: {
        const char *note = body_text(t->body, "note", 2000, 1, &bad);
        json_t *dec = json_pack("{s:s, s:s?}", "result", "approved", "note", note);
        texts[n] = adumps(t->a, dec);
        json_decref(dec);
        names[n] = "decision", values[n] = texts[n], n++;
        names[n] = "decided_at", values[n++] = now;
        break;
    }
    case ACT_DELIVER: {
        const char *method = str_of(t->body, "method");
        if (!method ||
            (strcmp(method, "pickup") && strcmp(method, "post") && strcmp(method, "electronic"))) {
            json_decref(item);
            return err_set(t->e, ERR_INVALID, "method", "cases.method_bad", NULL);
        }
        detail = json_pack("{s:s}", "method", method);
        break;
    }
    case ACT_ASSIGN: {
        json_t *as = json_object_get(t->body, "assignee");
        int64_t who = json_is_integer(as) ? json_integer_value(as) : t->p->account_id;
        int admin = t->p->roles & ROLE_DEPT_ADMIN;
        if (!admin && (who != t->p->account_id || r->assigned_to)) {
            json_decref(item);
            return err_set(t->e, ERR_FORBIDDEN, "assignee", "cases.assign_admin", NULL);
        }
        int64_t dept = 0;
        char wt[24];
        snprintf(wt, sizeof wt, "%lld", (long long)who);
        store_query_int64(c, &dept, "SELECT department_id FROM accounts WHERE id = ?", wt, NULL);
        if (dept != t->p->department_id) {
            json_decref(item);
            return err_set(t->e, ERR_INVALID, "assignee", "cases.assignee_bad", NULL);
        }
        texts[n] = arena_strdup(t->a, wt);
        names[n] = "assigned_to", values[n] = texts[n], n++;
        detail = json_pack("{s:I}", "assignee", (json_int_t)who);
        break;
    }
    default:
        break;
    }
    /* the step itself: compare-and-set on the state and version */
    struct store_stmt *st;
    rc = store_prepare(c,
                       "UPDATE cases SET state = ?, version = version + 1, updated_at = ? "
                       "WHERE id = ? AND version = ? AND state = ?",
                       &st);
    if (rc == 0) {
        store_bind_text(st, 1, state_names[to]);
        store_bind_text(st, 2, now);
        store_bind_int64(st, 3, r->id);
        store_bind_int64(st, 4, r->version);
        store_bind_text(st, 5, r->state);
        rc = store_step(st);
        if (rc >= 0 && store_changes(st) != 1)
            rc = err_set(t->e, ERR_CONFLICT, NULL, "cases.changed", r->state);
        store_finalize(st);
    }
    if (rc >= 0 && n) rc = set_columns(c, r->id, names, values, n);
    /* the assign column is numeric: bind it again as a number */
    if (rc >= 0 && t->action == ACT_ASSIGN) {
        struct store_stmt *as;
        if ((rc = store_prepare(c, "UPDATE cases SET assigned_to = ? WHERE id = ?", &as)) == 0) {
            store_bind_int64(as, 1, strtoll(texts[n - 1], NULL, 10));
            store_bind_int64(as, 2, r->id);
            rc = store_step(as);
            store_finalize(as);
        }
    }
    const char *role = t->rel == WHO_STAFF
                           ? ((t->p->roles & ROLE_DEPT_ADMIN) ? "dept_admin" : "staff")
                           : "applicant";
    if (rc >= 0)
        rc = insert_event(c, r->id, what, r->state, state_names[to], t->p, role, reason, detail);
    json_decref(detail);
    if (rc >= 0) {
        r->state = state_names[to];
        rc = store_dues(c, t->a, r, item);
    }
    if (rc >= 0 && t->action != ACT_ASSIGN && t->rel == WHO_STAFF)
        rc = notify_applicant(c, r, item, what);
    if (rc >= 0) {
        char target[32], d[96];
        snprintf(target, sizeof target, "case:%s", r->number);
        snprintf(d, sizeof d, "{\"from\":\"%s\",\"to\":\"%s\"}", state_names[from],
                 state_names[to]);
        char act[48];
        snprintf(act, sizeof act, "case.%s", what);
        rc = audit_record(c, t->p->account_id, act, target, d, t->ip);
    }
    json_decref(item);
    return rc < 0 ? rc : 0;
}

int cases_act(struct store_conn *c, const struct principal *p, const char *number,
              enum case_action a, json_t *body, const char *ip, json_t **out, struct err *e)
{
    err_clear(e);
    *out = NULL;
    if (!p) return err_set(e, ERR_UNAUTHENTICATED, NULL, NULL, NULL);
    if ((unsigned)a >= ACT__COUNT)
        return err_set(e, ERR_NOT_FOUND, NULL, "cases.action_unknown", NULL);
    struct arena *ar = arena_new();
    json_t *empty = json_object();
    struct act_tx t = {p, number, ip, a, body ? body : empty, 0, {0}, ar, e};
    int rc = store_tx_group(c, act_fn, &t);
    if (rc < 0) {
        rc = storage(e);
    } else {
        struct case_row r;
        if (load_row(c, ar, number, &r) == STORE_ROW) *out = case_json(c, p, &r, t.rel, ar);
        rc = 0;
    }
    json_decref(empty);
    arena_free(ar);
    return rc;
}

int cases_update_draft(struct store_conn *c, const struct principal *p, const char *number,
                       json_t *body, const char *ip, json_t **out, struct err *e)
{
    err_clear(e);
    *out = NULL;
    struct arena *a = arena_new();
    struct case_row r;
    int rc = load_row(c, a, number, &r);
    if (rc != STORE_ROW || relation(c, p, &r) != WHO_APPLICANT) {
        arena_free(a);
        return rc < 0 ? storage(e) : err_set(e, ERR_NOT_FOUND, NULL, "cases.not_found", NULL);
    }
    if (strcmp(r.state, "draft")) {
        arena_free(a);
        return err_set(e, ERR_CONFLICT, NULL, "cases.state_forbids", r.state);
    }
    json_t *item = catalog_item_get(c, r.item_code, r.item_version);
    json_t *pre = NULL, *form = NULL, *mats = NULL;
    int electronic = 0;
    json_t *base = parse_or(r.materials, json_array());
    if (!item)
        rc = storage(e);
    else if (!(form = check_form(c, item, json_object_get(body, "form"), r.applicant_id, 0, &pre, e,
                                 a)))
        rc = -(int)e->code;
    else if (!(mats = resolve_materials(c, item, json_object_get(body, "materials"), r.applicant_id,
                                        0, base, &electronic, e)))
        rc = -(int)e->code;
    else {
        char *tf = json_dumps(form, JSON_COMPACT), *tp = json_dumps(pre, JSON_COMPACT),
             *tm = json_dumps(mats, JSON_COMPACT), red[24], now[32];
        snprintf(red, sizeof red, "%lld", (long long)reduction(item, electronic));
        now_iso(now);
        const char *names[] = {"form", "prefilled", "materials", "promised_days_reduced",
                               "updated_at"};
        const char *values[] = {tf, tp, tm, red, now};
        rc = store_begin(c);
        if (rc >= 0) rc = set_columns(c, r.id, names, values, 5);
        if (rc >= 0) rc = link_uploads(c, r.id, mats);
        if (rc >= 0)
            rc = store_commit(c);
        else
            store_rollback(c);
        free(tf);
        free(tp);
        free(tm);
        rc = rc < 0 ? storage(e) : 0;
    }
    json_decref(base);
    json_decref(form);
    json_decref(pre);
    json_decref(mats);
    json_decref(item);
    arena_free(a);
    if (rc < 0) return rc;
    if (json_is_true(json_object_get(body, "submit")))
        return cases_act(c, p, number, ACT_SUBMIT, NULL, ip, out, e);
    *out = cases_get(c, p, number, ip, e);
    return *out ? 0 : -(int)e->code;
}

/* --- reading --- */

static int log_access(struct store_conn *c, const struct principal *p, const struct case_row *r,
                      const char *what, int64_t upload_id, const char *ip)
{
    struct store_stmt *st;
    int rc = store_prepare(c,
                           "INSERT INTO case_access (case_id, person_id, staff_id, what, "
                           "upload_id, at, ip) VALUES (?, ?, ?, ?, ?, ?, ?)",
                           &st);
    if (rc < 0) return rc;
    char now[32];
    now_iso(now);
    store_bind_int64(st, 1, r->id);
    store_bind_int64(st, 2, r->applicant_id);
    store_bind_int64(st, 3, p->account_id);
    store_bind_text(st, 4, what);
    if (upload_id)
        store_bind_int64(st, 5, upload_id);
    else
        store_bind_null(st, 5);
    store_bind_text(st, 6, now);
    store_bind_text(st, 7, ip);
    rc = store_step(st);
    store_finalize(st);
    return rc < 0 ? rc : 0;
}

json_t *cases_get(struct store_conn *c, const struct principal *p, const char *number,
                  const char *ip, struct err *e)
{
    err_clear(e);
    struct arena *a = arena_new();
    struct case_row r;
    int rc = load_row(c, a, number, &r);
    unsigned rel = rc == STORE_ROW ? relation(c, p, &r) : 0;
    json_t *out = NULL;
    if (rc < 0)
        storage(e);
    else if (!rel)
        err_set(e, ERR_NOT_FOUND, NULL, "cases.not_found", NULL);
    else if (rel == WHO_STAFF && log_access(c, p, &r, "view", 0, ip) < 0)
        storage(e); /* a view that cannot be logged is not shown */
    else
        out = case_json(c, p, &r, rel, a);
    arena_free(a);
    return out;
}

/* A list entry: what lists show without the history. */
static json_t *summary(struct store_stmt *st, int left_known, int left)
{
    char dn[16];
    case_number_display(store_column_text(st, 0), dn);
    json_t *j =
        json_pack("{s:s, s:s, s:s, s:s?, s:s, s:s, s:s?, s:s?, s:s, s:s?}", "number",
                  store_column_text(st, 0), "number_display", dn, "item_code",
                  store_column_text(st, 1), "item_name", store_column_text(st, 2), "department",
                  store_column_text(st, 3), "state", store_column_text(st, 4), "due_promised",
                  strcmp(store_column_text(st, 5), "9999-12-31") ? store_column_text(st, 5) : NULL,
                  "submitted_at", store_column_text(st, 6), "created_at", store_column_text(st, 7),
                  "applicant_name", store_column_text(st, 8));
    json_object_set_new(j, "assigned_to",
                        store_column_is_null(st, 9) ? json_null()
                                                    : json_integer(store_column_int64(st, 9)));
    json_object_set_new(j, "left", left_known ? json_integer(left) : json_null());
    json_object_set_new(j, "overdue", json_boolean(left_known && left < 0));
    return j;
}

#define LIST_COLUMNS                                                                               \
    "c.number, c.item_code, i.name, c.department_code, c.state, c.due_sort, "                      \
    "c.submitted_at, c.created_at, a.name, c.assigned_to"
#define LIST_FROM                                                                                  \
    " FROM cases c LEFT JOIN catalog_items i ON i.code = c.item_code AND i.version = "             \
    "c.item_version LEFT JOIN accounts a ON a.id = c.applicant_id "

/* Lists count at most this many matches ("total_more" says there are more). */
#define CASE_COUNT_MAX 1000

static const char *const open_states = "('submitted', 'pre_accepted', 'accepted', 'supplement', "
                                       "'under_review', 'special', 'approved')";

/* Working days left until due (text date), 0 and *known = 0 when none. */
static int left_of(const char *due, const char *state, int *known)
{
    workday_date d;
    *known = 0;
    if (!due || !strcmp(due, "9999-12-31") || workday_date_parse(due, &d) < 0 || !state ||
        case_state_parse(state) >= CASE_APPROVED || case_state_parse(state) == CASE_DECLINED)
        return 0;
    int n = 0;
    if (workday_between(workday_date_of(clock_now_ms(), NULL), d, &n, NULL) < 0) return 0;
    *known = 1;
    return n;
}

static json_t *run_list(struct store_conn *c, const char *sql, const char *count_sql,
                        const char *const *params, int np, long page, long per_page, struct err *e)
{
    int64_t total = 0;
    struct store_stmt *st;
    if (store_prepare(c, count_sql, &st) < 0) {
        storage(e);
        return NULL;
    }
    for (int i = 0; i < np; i++)
        store_bind_text(st, i + 1, params[i]);
    if (store_step(st) == STORE_ROW) total = store_column_int64(st, 0);
    store_finalize(st);
    if (store_prepare(c, sql, &st) < 0) {
        storage(e);
        return NULL;
    }
    for (int i = 0; i < np; i++)
        store_bind_text(st, i + 1, params[i]);
    store_bind_int64(st, np + 1, per_page);
    store_bind_int64(st, np + 2, (page - 1) * per_page);
    json_t *items = json_array();
    int rc;
    while ((rc = store_step(st)) == STORE_ROW) {
        int known;
        int left = left_of(store_column_text(st, 5), store_column_text(st, 4), &known);
        json_array_append_new(items, summary(st, known, left));
    }
    store_finalize(st);
    if (rc < 0) {
        json_decref(items);
        storage(e);
        return NULL;
    }
    json_t *out = json_pack("{s:o, s:I, s:I, s:I}", "items", items, "total",
                            (json_int_t)(total > CASE_COUNT_MAX ? CASE_COUNT_MAX : total), "page",
                            (json_int_t)page, "per_page", (json_int_t)per_page);
    json_object_set_new(out, "total_more", json_boolean(total > CASE_COUNT_MAX));
    return out;
}

json_t *cases_list_mine(struct store_conn *c, const struct principal *p, long page, long per_page,
                        struct err *e)
{
    err_clear(e);
    char id[24];
    snprintf(id, sizeof id, "%lld", (long long)p->account_id);
    const char *params[] = {id, id};
    const char *where = " WHERE c.applicant_id = ? OR c.enterprise_id IN (SELECT enterprise_id "
                        "FROM enterprise_agents WHERE account_id = ?)";
    struct buf sql = BUF_INIT, count = BUF_INIT;
    buf_printf(&sql, "SELECT " LIST_COLUMNS LIST_FROM "%s ORDER BY c.id DESC LIMIT ? OFFSET ?",
               where);
    buf_printf(&count, "SELECT COUNT(*) FROM cases c %s", where);
    json_t *out = run_list(c, buf_str(&sql), buf_str(&count), params, 2, page, per_page, e);
    buf_free(&sql);
    buf_free(&count);
    return out;
}

json_t *cases_list_department(struct store_conn *c, const struct principal *p,
                              const struct case_filter *f, struct err *e)
{
    err_clear(e);
    if (!is_staff(p) || !p->department_id) {
        err_set(e, ERR_FORBIDDEN, NULL, "cases.staff_only", NULL);
        return NULL;
    }
    char dept[24], me[24], soon[WORKDAY_DATE_BUFSZ], today[WORKDAY_DATE_BUFSZ];
    snprintf(dept, sizeof dept, "%lld", (long long)p->department_id);
    snprintf(me, sizeof me, "%lld", (long long)p->account_id);
    workday_date t = workday_date_of(clock_now_ms(), NULL), s;
    workday_add(t, 3, &s, NULL);
    workday_date_format(t, today);
    workday_date_format(s, soon);
    const char *params[8];
    int np = 0;
    struct buf where = BUF_INIT;
    buf_puts(&where, " WHERE c.department_code = (SELECT code FROM departments WHERE id = ?)");
    params[np++] = dept;
    if (f->state) {
        buf_puts(&where, " AND c.state = ?");
        params[np++] = f->state;
    } else {
        buf_printf(&where, " AND c.state IN %s", open_states);
    }
    if (f->item_code) {
        buf_puts(&where, " AND c.item_code = ?");
        params[np++] = f->item_code;
    }
    if (f->overdue) {
        buf_puts(&where, " AND c.due_sort < ?");
        params[np++] = today;
    }
    if (f->due_soon) {
        buf_puts(&where, " AND c.due_sort <= ?");
        params[np++] = soon;
    }
    if (f->mine || !(p->roles & ROLE_DEPT_ADMIN)) {
        /* clerks see the unassigned cases and their own */
        buf_puts(&where, f->mine ? " AND c.assigned_to = ?"
                                 : " AND (c.assigned_to IS NULL OR c.assigned_to = ?)");
        params[np++] = me;
    }
    struct buf sql = BUF_INIT, count = BUF_INIT;
    /* the page's ids from the index alone, then their rows */
    buf_printf(&sql,
               "SELECT " LIST_COLUMNS " FROM (SELECT c.id FROM cases c %s ORDER BY c.due_sort, "
               "c.id LIMIT ? OFFSET ?) p JOIN cases c ON c.id = p.id LEFT JOIN catalog_items i "
               "ON i.code = c.item_code AND i.version = c.item_version LEFT JOIN accounts a ON "
               "a.id = c.applicant_id ORDER BY c.due_sort, c.id",
               buf_str(&where));
    /* counting a department's every case on every page costs more than the
     * page: count up to a bound, and say when there are more */
    buf_printf(&count, "SELECT COUNT(*) FROM (SELECT 1 FROM cases c %s LIMIT %d) x",
               buf_str(&where), CASE_COUNT_MAX + 1);
    json_t *out = run_list(c, buf_str(&sql), buf_str(&count), params, np, f->page, f->per_page, e);
    buf_free(&sql);
    buf_free(&count);
    buf_free(&where);
    return out;
}

int cases_my_department(struct store_conn *c, const struct principal *p, char code[64],
                        char name[256])
{
    return p && p->department_id ? catalog_department_of(c, p->department_id, code, name) : 0;
}

json_t *cases_department_staff(struct store_conn *c, const struct principal *p)
{
    json_t *list = json_array();
    if (!p || !p->department_id) return list;
    struct store_stmt *st;
    if (store_prepare(c,
                      "SELECT a.id, a.name FROM accounts a WHERE a.department_id = ? AND "
                      "a.disabled = 0 AND EXISTS (SELECT 1 FROM account_roles g WHERE "
                      "g.account_id = a.id AND g.role IN ('staff', 'dept_admin')) "
                      "ORDER BY a.name, a.id",
                      &st) < 0) {
        json_decref(list);
        return NULL;
    }
    store_bind_int64(st, 1, p->department_id);
    int rc;
    while ((rc = store_step(st)) == STORE_ROW)
        json_array_append_new(
            list, json_pack("{s:I, s:s}", "id", (json_int_t)store_column_int64(st, 0), "name",
                            store_column_text(st, 1) ? store_column_text(st, 1) : ""));
    store_finalize(st);
    if (rc < 0) {
        json_decref(list);
        return NULL;
    }
    return list;
}

int cases_log_download(struct store_conn *c, const struct principal *p, const char *number,
                       int64_t upload_id, const char *ip, char sha256_out[65],
                       char *content_type_out, size_t ctlen, struct err *e)
{
    err_clear(e);
    struct arena *a = arena_new();
    struct case_row r;
    int rc = load_row(c, a, number, &r);
    unsigned rel = rc == STORE_ROW ? relation(c, p, &r) : 0;
    if (!rel) {
        arena_free(a);
        return rc < 0 ? storage(e) : err_set(e, ERR_NOT_FOUND, NULL, "cases.not_found", NULL);
    }
    struct store_stmt *st;
    rc = store_prepare(c,
                       "SELECT u.sha256, u.content_type FROM case_uploads cu JOIN uploads u ON "
                       "u.id = cu.upload_id WHERE cu.case_id = ? AND cu.upload_id = ?",
                       &st);
    if (rc == 0) {
        store_bind_int64(st, 1, r.id);
        store_bind_int64(st, 2, upload_id);
        rc = store_step(st);
        if (rc == STORE_ROW) {
            snprintf(sha256_out, 65, "%s", store_column_text(st, 0));
            snprintf(content_type_out, ctlen, "%s", store_column_text(st, 1));
        }
        store_finalize(st);
    }
    if (rc != STORE_ROW) {
        arena_free(a);
        return rc < 0 ? storage(e) : err_set(e, ERR_NOT_FOUND, NULL, "cases.not_found", NULL);
    }
    if (rel == WHO_STAFF && log_access(c, p, &r, "download", upload_id, ip) < 0) {
        arena_free(a);
        return storage(e);
    }
    arena_free(a);
    return 0;
}

json_t *cases_access_log(struct store_conn *c, const struct principal *p, long page, long per_page,
                         struct err *e)
{
    err_clear(e);
    struct store_stmt *st;
    if (store_prepare(c,
                      "SELECT x.at, c.number, s.name, d.name, x.what FROM case_access x JOIN "
                      "cases c ON c.id = x.case_id JOIN accounts s ON s.id = x.staff_id LEFT "
                      "JOIN departments d ON d.id = s.department_id WHERE x.person_id = ? "
                      "ORDER BY x.id DESC LIMIT ? OFFSET ?",
                      &st) < 0) {
        storage(e);
        return NULL;
    }
    store_bind_int64(st, 1, p->account_id);
    store_bind_int64(st, 2, per_page);
    store_bind_int64(st, 3, (page - 1) * per_page);
    json_t *items = json_array();
    while (store_step(st) == STORE_ROW) {
        char dn[16];
        case_number_display(store_column_text(st, 1), dn);
        json_array_append_new(
            items, json_pack("{s:s, s:s, s:s, s:s?, s:s?, s:s}", "at", store_column_text(st, 0),
                             "case", store_column_text(st, 1), "case_display", dn, "staff",
                             store_column_text(st, 2), "department", store_column_text(st, 3),
                             "what", store_column_text(st, 4)));
    }
    store_finalize(st);
    return json_pack("{s:o, s:I, s:I}", "items", items, "page", (json_int_t)page, "per_page",
                     (json_int_t)per_page);
}

/* --- ratings --- */

static const char *const indicators[] = {
    "guide_accuracy", "fewer_materials",    "on_time", "attitude",
    "done_in_one",    "online_convenience", NULL};

struct rate_tx {
    const struct principal *p;
    const char *number, *comment, *ip;
    int level;
    json_t *indicators;
    struct case_row row;
    struct arena *a;
    struct err *e;
};

static int rate_fn(struct store_conn *c, void *ctx)
{
    struct rate_tx *t = ctx;
    int rc = load_row(c, t->a, t->number, &t->row);
    if (rc < 0) return rc;
    if (rc != STORE_ROW || relation(c, t->p, &t->row) != WHO_APPLICANT)
        return err_set(t->e, ERR_NOT_FOUND, NULL, "cases.not_found", NULL);
    int s = case_state_parse(t->row.state);
    if (s != CASE_APPROVED && s != CASE_REFUSED && s != CASE_DELIVERED)
        return err_set(t->e, ERR_CONFLICT, NULL, "cases.rate_concluded", t->row.state);
    char now[32];
    now_iso(now);
    char *ind = json_dumps(t->indicators, JSON_COMPACT);
    struct store_stmt *st;
    if ((rc = store_prepare(c,
                            "INSERT INTO case_ratings (case_id, department_code, level, comment, "
                            "indicators, at) VALUES (?, ?, ?, ?, ?, ?)",
                            &st)) < 0) {
        free(ind);
        return rc;
    }
    store_bind_int64(st, 1, t->row.id);
    store_bind_text(st, 2, t->row.department_code);
    store_bind_int64(st, 3, t->level);
    store_bind_text(st, 4, t->comment);
    store_bind_text(st, 5, ind);
    store_bind_text(st, 6, now);
    rc = store_step(st);
    store_finalize(st);
    free(ind);
    if (rc == STORE_CONSTRAINT)
        return err_set(t->e, ERR_CONFLICT, NULL, "cases.rated_once", t->row.state);
    if (rc < 0) return rc;
    if (t->level <= 2) { /* a bad rating: call back and put it right */
        workday_date due;
        char dd[WORKDAY_DATE_BUFSZ];
        workday_add(workday_date_of(clock_now_ms(), NULL), 15, &due, NULL);
        if ((rc = store_prepare(c,
                                "INSERT INTO rectifications (case_id, department_code, due, "
                                "state, created_at) VALUES (?, ?, ?, 'open', ?)",
                                &st)) < 0)
            return rc;
        store_bind_int64(st, 1, t->row.id);
        store_bind_text(st, 2, t->row.department_code);
        store_bind_text(st, 3, workday_date_format(due, dd));
        store_bind_text(st, 4, now);
        rc = store_step(st);
        store_finalize(st);
        if (rc < 0) return rc;
    }
    char target[32], d[48];
    snprintf(target, sizeof target, "case:%s", t->row.number);
    snprintf(d, sizeof d, "{\"level\":%d}", t->level);
    return audit_record(c, t->p->account_id, "case.rate", target, d, t->ip);
}

int cases_rate(struct store_conn *c, const struct principal *p, const char *number, json_t *body,
               const char *ip, json_t **out, struct err *e)
{
    err_clear(e);
    *out = NULL;
    json_t *lv = json_object_get(body, "level");
    if (!json_is_integer(lv) || json_integer_value(lv) < 1 || json_integer_value(lv) > 5)
        return err_set(e, ERR_INVALID, "level", "cases.level_bad", NULL);
    int bad = 0;
    const char *comment = body_text(body, "comment", 1000, 1, &bad);
    if (bad) return err_set(e, ERR_INVALID, "comment", "cases.reason_bad", NULL);
    json_t *ind = json_object_get(body, "indicators");
    json_t *list = json_array();
    size_t i;
    json_t *x;
    json_array_foreach(ind, i, x)
    {
        int known = 0;
        for (size_t k = 0; indicators[k]; k++)
            known |= json_string_value(x) && !strcmp(indicators[k], json_string_value(x));
        if (!known) {
            json_decref(list);
            return err_set(e, ERR_INVALID, "indicators", "cases.indicator_bad", NULL);
        }
        json_array_append(list, x);
    }
    struct arena *a = arena_new();
    struct rate_tx t = {p, number, comment, ip, (int)json_integer_value(lv), list, {0}, a, e};
    int rc = store_tx(c, rate_fn, &t);
    json_decref(list);
    if (rc < 0)
        rc = storage(e);
    else {
        *out = case_json(c, p, &t.row, WHO_APPLICANT, a);
        rc = 0;
    }
    arena_free(a);
    return rc;
}

json_t *cases_rating_stats(struct store_conn *c, struct err *e)
{
    err_clear(e);
    struct store_stmt *st;
    if (store_prepare(c,
                      "SELECT r.department_code, d.name, r.level, COUNT(*) FROM case_ratings r "
                      "LEFT JOIN departments d ON d.code = r.department_code GROUP BY "
                      "r.department_code, d.name, r.level ORDER BY r.department_code",
                      &st) < 0) {
        storage(e);
        return NULL;
    }
    json_t *by = json_object();
    while (store_step(st) == STORE_ROW) {
        const char *code = store_column_text(st, 0);
        json_t *d = json_object_get(by, code);
        if (!d) {
            d = json_pack("{s:s, s:s?, s:I, s:{s:I, s:I, s:I, s:I, s:I}, s:I}", "code", code,
                          "name", store_column_text(st, 1), "ratings", (json_int_t)0, "levels", "1",
                          (json_int_t)0, "2", (json_int_t)0, "3", (json_int_t)0, "4", (json_int_t)0,
                          "5", (json_int_t)0, "open_tasks", (json_int_t)0);
            json_object_set_new(by, code, d);
        }
        char lv[2] = {(char)('0' + store_column_int64(st, 2)), 0};
        json_int_t cnt = store_column_int64(st, 3);
        json_object_set_new(json_object_get(d, "levels"), lv, json_integer(cnt));
        json_object_set_new(d, "ratings",
                            json_integer(json_integer_value(json_object_get(d, "ratings")) + cnt));
    }
    store_finalize(st);
    if (store_prepare(c,
                      "SELECT department_code, COUNT(*) FROM rectifications WHERE state = 'open' "
                      "GROUP BY department_code",
                      &st) == 0) {
        while (store_step(st) == STORE_ROW) {
            json_t *d = json_object_get(by, store_column_text(st, 0));
            if (d) json_object_set_new(d, "open_tasks", json_integer(store_column_int64(st, 1)));
        }
        store_finalize(st);
    }
    json_t *list = json_array();
    const char *key;
    json_t *d;
    json_object_foreach(by, key, d)
    {
        json_t *lv = json_object_get(d, "levels");
        json_int_t total = json_integer_value(json_object_get(d, "ratings"));
        json_int_t good = json_integer_value(json_object_get(lv, "4")) +
                          json_integer_value(json_object_get(lv, "5"));
        json_object_set_new(d, "satisfaction",
                            json_real(total ? (double)good * 100.0 / (double)total : 0));
        json_array_append(list, d);
    }
    json_decref(by);
    return json_pack("{s:o}", "departments", list);
}

json_t *cases_rectifications(struct store_conn *c, const struct principal *p, struct err *e)
{
    err_clear(e);
    char code[64], name[256];
    int rc = cases_my_department(c, p, code, name);
    if (!is_staff(p) || rc <= 0) {
        if (rc < 0)
            storage(e);
        else
            err_set(e, ERR_FORBIDDEN, NULL, "cases.staff_only", NULL);
        return NULL;
    }
    struct store_stmt *st;
    if (store_prepare(c,
                      "SELECT t.id, c.number, i.name, r.level, r.comment, t.due, t.state, "
                      "t.note, t.created_at, t.closed_at FROM rectifications t JOIN cases c ON "
                      "c.id = t.case_id LEFT JOIN case_ratings r ON r.case_id = t.case_id LEFT "
                      "JOIN catalog_items i ON i.code = c.item_code AND i.version = "
                      "c.item_version WHERE t.department_code = ? ORDER BY t.state = 'done', "
                      "t.due, t.id",
                      &st) < 0) {
        storage(e);
        return NULL;
    }
    store_bind_text(st, 1, code);
    json_t *items = json_array();
    while ((rc = store_step(st)) == STORE_ROW) {
        char dn[16];
        case_number_display(store_column_text(st, 1), dn);
        json_array_append_new(
            items,
            json_pack("{s:I, s:s, s:s, s:s?, s:I, s:s?, s:s, s:s, s:s?, s:s, s:s?}", "id",
                      (json_int_t)store_column_int64(st, 0), "case", store_column_text(st, 1),
                      "case_display", dn, "item_name", store_column_text(st, 2), "level",
                      (json_int_t)store_column_int64(st, 3), "comment", store_column_text(st, 4),
                      "due", store_column_text(st, 5), "state", store_column_text(st, 6), "note",
                      store_column_text(st, 7), "created_at", store_column_text(st, 8), "closed_at",
                      store_column_text(st, 9)));
    }
    store_finalize(st);
    if (rc < 0) {
        json_decref(items);
        storage(e);
        return NULL;
    }
    return json_pack("{s:o}", "items", items);
}

struct close_tx {
    const struct principal *p;
    int64_t id;
    const char *note, *ip, *code;
    struct err *e;
};

static int close_fn(struct store_conn *c, void *ctx)
{
    struct close_tx *t = ctx;
    char now[32];
    now_iso(now);
    struct store_stmt *st;
    int rc = store_prepare(
        c, "SELECT state FROM rectifications WHERE id = ? AND department_code = ?", &st);
    if (rc < 0) return rc;
    store_bind_int64(st, 1, t->id);
    store_bind_text(st, 2, t->code);
    rc = store_step(st);
    int open = rc == STORE_ROW && !strcmp(store_column_text(st, 0), "open");
    store_finalize(st);
    if (rc < 0) return rc;
    if (rc != STORE_ROW) return err_set(t->e, ERR_NOT_FOUND, NULL, "cases.task_unknown", NULL);
    if (!open) return err_set(t->e, ERR_CONFLICT, NULL, "cases.task_closed", "done");
    if ((rc = store_prepare(c,
                            "UPDATE rectifications SET state = 'done', note = ?, closed_at = ? "
                            "WHERE id = ? AND state = 'open'",
                            &st)) < 0)
        return rc;
    store_bind_text(st, 1, t->note);
    store_bind_text(st, 2, now);
    store_bind_int64(st, 3, t->id);
    rc = store_step(st);
    store_finalize(st);
    if (rc < 0) return rc;
    char target[32];
    snprintf(target, sizeof target, "rectification:%lld", (long long)t->id);
    return audit_record(c, t->p->account_id, "rectification.close", target, NULL, t->ip);
}

int cases_rectification_close(struct store_conn *c, const struct principal *p, int64_t id,
                              const char *note, const char *ip, struct err *e)
{
    err_clear(e);
    char code[64], name[256];
    int rc = cases_my_department(c, p, code, name);
    if (rc < 0) return storage(e);
    if (!is_staff(p) || rc == 0) return err_set(e, ERR_FORBIDDEN, NULL, "cases.staff_only", NULL);
    size_t cps = 0;
    if (!note || !*note || utf8_check_text(note, strlen(note)) < 0 ||
        utf8_count(note, strlen(note), &cps) < 0 || cps > 2000)
        return err_set(e, ERR_INVALID, "note", "cases.note_required", NULL);
    struct close_tx t = {p, id, note, ip, code, e};
    return store_tx(c, close_fn, &t) < 0 ? storage(e) : 0;
}

/* --- before applying --- */

json_t *cases_prepare(struct store_conn *c, const struct principal *p, const char *item_code,
                      struct err *e)
{
    err_clear(e);
    json_t *item = item_for_applying(c, item_code, e);
    if (!item) return NULL;
    json_t *mats = json_array();
    size_t i, remaining = 0;
    json_t *m;
    json_array_foreach(json_object_get(item, "materials"), i, m)
    {
        json_t *sub = json_object_get(m, "substitute");
        const char *by = str_of(sub, "certificate_type")  ? "certificate"
                         : str_of(sub, "government_data") ? "government_data"
                                                          : NULL;
        json_t *upload = json_null();
        if (!by) {
            /* the newest locker file used before for a material of this name */
            struct store_stmt *st;
            if (store_prepare(c,
                              "SELECT u.id, u.filename, u.content_type, u.size FROM "
                              "case_uploads cu JOIN uploads u ON u.id = cu.upload_id WHERE "
                              "u.owner_id = ? AND cu.material = ? ORDER BY u.id DESC LIMIT 1",
                              &st) == 0) {
                store_bind_int64(st, 1, p->account_id);
                store_bind_text(st, 2, str_of(m, "name"));
                if (store_step(st) == STORE_ROW) {
                    json_decref(upload);
                    upload = json_pack(
                        "{s:I, s:s, s:s, s:I}", "id", (json_int_t)store_column_int64(st, 0),
                        "filename", store_column_text(st, 1), "content_type",
                        store_column_text(st, 2), "size", (json_int_t)store_column_int64(st, 3));
                    by = "locker";
                }
                store_finalize(st);
            }
        }
        int required = json_is_true(json_object_get(m, "required"));
        if (!by && required) remaining++;
        json_array_append_new(
            mats, json_pack("{s:I, s:s, s:b, s:s?, s:o, s:s?, s:s?, s:b}", "index", (json_int_t)i,
                            "name", str_of(m, "name"), "required", required, "covered_by", by,
                            "upload", upload, "certificate_type", str_of(sub, "certificate_type"),
                            "government_data", str_of(sub, "government_data"), "pledge_allowed",
                            waived(item, str_of(m, "name"))));
    }
    struct arena *a = arena_new();
    json_t *pre = NULL;
    json_t *form = check_form(c, item, NULL, p->account_id, 0, &pre, e, a);
    arena_free(a);
    json_t *out = json_pack(
        "{s:{s:s, s:I, s:s, s:s, s:s, s:o, s:O}, s:o, s:I, s:o}", "item", "code",
        str_of(item, "code"), "version", json_integer_value(json_object_get(item, "version")),
        "name", str_of(item, "name"), "department", str_of(item, "department"), "target",
        str_of(item, "target"), "form_schema", json_deep_copy(json_object_get(item, "form_schema")),
        "time_limit", json_object_get(item, "time_limit"), "materials", mats, "remaining",
        (json_int_t)remaining, "prefill", pre ? pre : json_object());
    json_decref(form);
    json_decref(item);
    return out;
}

/* --- the locker --- */

json_t *locker_list(struct store_conn *c, const struct principal *p, struct err *e)
{
    err_clear(e);
    struct store_stmt *st;
    if (store_prepare(c,
                      "SELECT u.id, u.filename, u.content_type, u.size, u.created_at, c.number "
                      "FROM uploads u LEFT JOIN case_uploads cu ON cu.upload_id = u.id LEFT "
                      "JOIN cases c ON c.id = cu.case_id WHERE u.owner_id = ? ORDER BY u.id "
                      "DESC",
                      &st) < 0) {
        storage(e);
        return NULL;
    }
    store_bind_int64(st, 1, p->account_id);
    json_t *items = json_array(), *last = NULL;
    int64_t last_id = 0;
    while (store_step(st) == STORE_ROW) {
        int64_t id = store_column_int64(st, 0);
        if (id != last_id) {
            last = json_pack("{s:I, s:s, s:s, s:I, s:s, s:[]}", "id", (json_int_t)id, "filename",
                             store_column_text(st, 1), "content_type", store_column_text(st, 2),
                             "size", (json_int_t)store_column_int64(st, 3), "created_at",
                             store_column_text(st, 4), "used_in");
            json_array_append_new(items, last);
            last_id = id;
        }
        const char *num = store_column_text(st, 5);
        if (num) {
            json_t *used = json_object_get(last, "used_in");
            int seen = 0;
            size_t k;
            json_t *x;
            json_array_foreach(used, k, x) seen |= !strcmp(json_string_value(x), num);
            if (!seen) json_array_append_new(used, json_string(num));
        }
    }
    store_finalize(st);
    return json_pack("{s:o}", "items", items);
}

struct del_tx {
    const struct principal *p;
    int64_t id;
    const char *ip;
    struct err *e;
};

static int delete_fn(struct store_conn *c, void *ctx)
{
    struct del_tx *t = ctx;
    char id[24], owner[24];
    snprintf(id, sizeof id, "%lld", (long long)t->id);
    snprintf(owner, sizeof owner, "%lld", (long long)t->p->account_id);
    int64_t one = 0;
    int rc = store_query_int64(c, &one, "SELECT 1 FROM uploads WHERE id = ? AND owner_id = ?", id,
                               owner, NULL);
    if (rc < 0) return rc;
    if (rc != STORE_ROW) return err_set(t->e, ERR_NOT_FOUND, NULL, "cases.upload_unknown", NULL);
    rc = store_query_int64(c, &one, "SELECT 1 FROM case_uploads WHERE upload_id = ?", id, NULL);
    if (rc < 0) return rc;
    if (rc == STORE_ROW) return err_set(t->e, ERR_CONFLICT, NULL, "cases.upload_in_use", NULL);
    const char *v[] = {id};
    struct store_stmt *st;
    if ((rc = store_prepare(c, "DELETE FROM uploads WHERE id = ?", &st)) < 0) return rc;
    store_bind_text(st, 1, v[0]);
    rc = store_step(st);
    store_finalize(st);
    if (rc < 0) return rc;
    char target[32];
    snprintf(target, sizeof target, "upload:%s", id);
    return audit_record(c, t->p->account_id, "locker.delete", target, NULL, t->ip);
}

int locker_delete(struct store_conn *c, const struct principal *p, int64_t upload_id,
                  const char *ip, struct err *e)
{
    err_clear(e);
    struct del_tx t = {p, upload_id, ip, e};
    return store_tx(c, delete_fn, &t) < 0 ? storage(e) : 0;
}
