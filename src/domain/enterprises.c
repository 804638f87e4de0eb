/**
 * @file enterprises.c
 * @brief Enterprises and their agents.
 */
#include "domain/enterprises.h"
#include "core/clock.h"
#include "core/idcheck.h"
#include "core/utf8.h"
#include "domain/accounts.h"
#include "domain/audit.h"
#include "http/http.h"
#include "store/store.h"
#include <stdio.h>
#include <string.h>

static int is_staff(const struct principal *p)
{
    return p && (p->roles & (ROLE_STAFF | ROLE_DEPT_ADMIN | ROLE_HALL_ADMIN | ROLE_SYSADMIN));
}

static int check_name(const char *s, struct err *e)
{
    if (!s || !*s)
        return err_set(e, ERR_INVALID, "name", "enterprises.name_missing", NULL);
    size_t n = strlen(s), cps = 0;
    if (utf8_check_line(s, n) < 0 || utf8_count(s, n, &cps) < 0 || cps > 100 ||
        strpbrk(s, "<>\"'`;\\"))
        return err_set(e, ERR_INVALID, "name", "enterprises.name_bad", NULL);
    return 0;
}

struct reg_tx {
    const struct principal *by;
    const char *name, *uscc, *reason, *ip;
    int64_t id;
    struct err *e;
};

static int reg_fn(struct store_conn *c, void *ctx)
{
    struct reg_tx *t = ctx;
    char now[32];
    clock_format_iso(clock_now_ms(), now);
    struct store_stmt *st;
    int rc = store_prepare(c,
                           "INSERT INTO enterprises (name, uscc, check_override_reason, "
                           "override_by, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id",
                           &st);
    if (rc < 0)
        return rc;
    store_bind_text(st, 1, t->name);
    store_bind_text(st, 2, t->uscc);
    store_bind_text(st, 3, t->reason);
    if (t->reason)
        store_bind_int64(st, 4, t->by->account_id);
    else
        store_bind_null(st, 4);
    store_bind_text(st, 5, now);
    rc = store_step(st);
    if (rc == STORE_ROW)
        t->id = store_column_int64(st, 0);
    store_finalize(st);
    if (rc == STORE_CONSTRAINT)
        return err_set(t->e, ERR_CONFLICT, "uscc", "enterprises.taken", t->uscc);
    if (rc != STORE_ROW)
        return rc < 0 ? rc : STORE_ERROR;
    char target[32], detail[160];
    snprintf(target, sizeof target, "enterprise:%lld", (long long)t->id);
    snprintf(detail, sizeof detail, "{\"uscc\":\"%s\",\"override\":%s}", t->uscc,
             t->reason ? "true" : "false");
    if ((rc = audit_record(c, t->by->account_id, "enterprise.register", target, detail, t->ip)) <
        0)
        return rc;
    if (is_staff(t->by))
        return 0; /* staff register on someone's behalf; agents are added next */
    if ((rc = store_prepare(c, "INSERT INTO enterprise_agents (enterprise_id, account_id, "
                               "granted_at, granted_by) VALUES (?, ?, ?, ?)", &st)) < 0)
        return rc;
    store_bind_int64(st, 1, t->id);
    store_bind_int64(st, 2, t->by->account_id);
    store_bind_text(st, 3, now);
    store_bind_int64(st, 4, t->by->account_id);
    rc = store_step(st);
    store_finalize(st);
    if (rc < 0)
        return rc;
    if ((rc = store_prepare(c, "INSERT INTO account_roles (account_id, role, granted_at) VALUES "
                               "(?, 'agent', ?) ON CONFLICT (account_id, role) DO NOTHING",
                            &st)) < 0)
        return rc;
    store_bind_int64(st, 1, t->by->account_id);
    store_bind_text(st, 2, now);
    rc = store_step(st);
    store_finalize(st);
    return rc < 0 ? rc : 0;
}

int enterprises_register(struct store_conn *c, const struct principal *by, const char *name,
                         const char *uscc, const char *override_reason, const char *ip,
                         int64_t *id, struct err *e)
{
    int rc;
    if ((rc = check_name(name, e)) < 0)
        return rc;
    if (!uscc || !*uscc)
        return err_set(e, ERR_INVALID, "uscc", "enterprises.uscc_missing", NULL);
    char norm[IDCHECK_BUFSZ];
    int why = idcheck_uscc(uscc, norm);
    const char *reason = NULL;
    if (why == IDCHECK_E_ORG_CHECK && is_staff(by) && override_reason && *override_reason) {
        if (utf8_check_line(override_reason, strlen(override_reason)) < 0 ||
            strlen(override_reason) > 500)
            return err_set(e, ERR_INVALID, "override_reason", "enterprises.reason_bad", NULL);
        reason = override_reason; /* early pilot-area code, accepted by staff */
    } else if (why != IDCHECK_OK) {
        return idcheck_err(why, IDCHECK_SUBJECT_USCC, "uscc", e);
    }
    err_clear(e);
    struct reg_tx t = {by, name, norm, reason, ip, 0, e};
    rc = store_tx(c, reg_fn, &t);
    if (rc < 0)
        return e->code != ERR_OK ? -(int)e->code
                                 : err_set(e, ERR_UNAVAILABLE, NULL, "err.detail.storage", NULL);
    if (id)
        *id = t.id;
    return 0;
}

int enterprises_is_agent(struct store_conn *c, int64_t enterprise, int64_t account)
{
    char en[24], ac[24];
    snprintf(en, sizeof en, "%lld", (long long)enterprise);
    snprintf(ac, sizeof ac, "%lld", (long long)account);
    int64_t one = 0;
    return store_query_int64(c, &one,
                             "SELECT 1 FROM enterprise_agents WHERE enterprise_id = ? AND "
                             "account_id = ?",
                             en, ac, NULL) == STORE_ROW;
}

struct agent_tx {
    const struct principal *by;
    int64_t enterprise, account;
    const char *ip;
    struct err *e;
};

static int agent_fn(struct store_conn *c, void *ctx)
{
    struct agent_tx *t = ctx;
    char now[32], en[24], ac[24];
    clock_format_iso(clock_now_ms(), now);
    snprintf(en, sizeof en, "%lld", (long long)t->enterprise);
    snprintf(ac, sizeof ac, "%lld", (long long)t->account);
    int64_t one = 0;
    int rc = store_query_int64(c, &one, "SELECT 1 FROM enterprises WHERE id = ?", en, NULL);
    if (rc < 0)
        return rc;
    if (rc != STORE_ROW)
        return err_set(t->e, ERR_NOT_FOUND, NULL, "enterprises.not_found", NULL);
    rc = store_query_int64(c, &one, "SELECT 1 FROM accounts WHERE id = ? AND kind = 'person' "
                                    "AND disabled = 0", ac, NULL);
    if (rc < 0)
        return rc;
    if (rc != STORE_ROW)
        return err_set(t->e, ERR_INVALID, "account_id", "accounts.not_found", NULL);
    struct store_stmt *st;
    if ((rc = store_prepare(c, "INSERT INTO enterprise_agents (enterprise_id, account_id, "
                               "granted_at, granted_by) VALUES (?, ?, ?, ?) ON CONFLICT "
                               "(enterprise_id, account_id) DO NOTHING", &st)) < 0)
        return rc;
    store_bind_int64(st, 1, t->enterprise);
    store_bind_int64(st, 2, t->account);
    store_bind_text(st, 3, now);
    store_bind_int64(st, 4, t->by->account_id);
    rc = store_step(st);
    store_finalize(st);
    if (rc < 0)
        return rc;
    if ((rc = store_prepare(c, "INSERT INTO account_roles (account_id, role, granted_at, "
                               "granted_by) VALUES (?, 'agent', ?, ?) ON CONFLICT (account_id, "
                               "role) DO NOTHING", &st)) < 0)
        return rc;
    store_bind_int64(st, 1, t->account);
    store_bind_text(st, 2, now);
    store_bind_int64(st, 3, t->by->account_id);
    rc = store_step(st);
    store_finalize(st);
    if (rc < 0)
        return rc;
    char target[32], detail[48];
    snprintf(target, sizeof target, "enterprise:%lld", (long long)t->enterprise);
    snprintf(detail, sizeof detail, "{\"agent\":%lld}", (long long)t->account);
    return audit_record(c, t->by->account_id, "enterprise.add_agent", target, detail, t->ip);
}

int enterprises_add_agent(struct store_conn *c, const struct principal *by, int64_t enterprise,
                          int64_t account, const char *ip, struct err *e)
{
    if (!is_staff(by) && !enterprises_is_agent(c, enterprise, by->account_id))
        return err_set(e, ERR_FORBIDDEN, NULL, "enterprises.not_agent", NULL);
    err_clear(e);
    struct agent_tx t = {by, enterprise, account, ip, e};
    int rc = store_tx(c, agent_fn, &t);
    if (rc < 0)
        return e->code != ERR_OK ? -(int)e->code
                                 : err_set(e, ERR_UNAVAILABLE, NULL, "err.detail.storage", NULL);
    return 0;
}

int enterprises_of(struct store_conn *c, int64_t account,
                   void (*fn)(const struct enterprise *en, void *ctx), void *ctx)
{
    struct store_stmt *st;
    int rc = store_prepare(c,
                           "SELECT e.id, e.name, e.uscc, e.check_override_reason, e.created_at "
                           "FROM enterprises e JOIN enterprise_agents a ON a.enterprise_id = e.id "
                           "WHERE a.account_id = ? ORDER BY e.id",
                           &st);
    if (rc < 0)
        return rc;
    store_bind_int64(st, 1, account);
    while ((rc = store_step(st)) == STORE_ROW) {
        struct enterprise en = {store_column_int64(st, 0), store_column_text(st, 1),
                                store_column_text(st, 2), store_column_text(st, 3),
                                store_column_text(st, 4)};
        fn(&en, ctx);
    }
    store_finalize(st);
    return rc < 0 ? rc : 0;
}
