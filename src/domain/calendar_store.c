/**
 * @file calendar_store.c
 * @brief Persisting calendar years. The engine (core/workday) validates;
 *        this module stores what it accepted, in one transaction with the
 *        audit entry, and adds it to the running calendar only after the
 *        commit, so a failure leaves both as they were.
 */
#include "domain/calendar_store.h"
#include "core/clock.h"
#include "core/workday.h"
#include "domain/audit.h"
#include "store/store.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int calendar_store_load_all(struct store_conn *c, struct err *e)
{
    struct store_stmt *st;
    int rc = store_prepare(c, "SELECT year, body FROM calendar_years ORDER BY year", &st);
    if (rc < 0)
        return err_set(e, ERR_UNAVAILABLE, NULL, "err.detail.storage", NULL);
    while ((rc = store_step(st)) == STORE_ROW) {
        const char *body = store_column_text(st, 1);
        struct workday_year *y;
        if (workday_year_parse(body, strlen(body), &y, e) < 0) {
            store_finalize(st);
            return -(int)e->code;
        }
        rc = workday_year_known(y->year) ? workday_replace_year(y, e) : workday_add_year(y, e);
        workday_year_free(y);
        if (rc < 0) {
            store_finalize(st);
            return rc;
        }
    }
    store_finalize(st);
    return rc < 0 ? err_set(e, ERR_UNAVAILABLE, NULL, "err.detail.storage", NULL) : 0;
}

struct add_tx {
    const struct workday_year *y;
    const char *json;
    int replace;
    int64_t actor;
    const char *ip;
    struct err *e;
};

static int add_fn(struct store_conn *c, void *ctx)
{
    struct add_tx *t = ctx;
    char now[32], year[16], detail[64];
    clock_format_iso(clock_now_ms(), now);
    snprintf(year, sizeof year, "%d", t->y->year);
    struct store_stmt *st;
    const char *sql = t->replace
                          ? "INSERT INTO calendar_years (year, source, body, loaded_at, loaded_by) "
                            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (year) DO UPDATE SET source = "
                            "excluded.source, body = excluded.body, loaded_at = "
                            "excluded.loaded_at, loaded_by = excluded.loaded_by"
                          : "INSERT INTO calendar_years (year, source, body, loaded_at, loaded_by) "
                            "VALUES (?, ?, ?, ?, ?)";
    int rc = store_prepare(c, sql, &st);
    if (rc < 0)
        return rc;
    store_bind_int64(st, 1, t->y->year);
    store_bind_text(st, 2, t->y->source);
    store_bind_text(st, 3, t->json);
    store_bind_text(st, 4, now);
    if (t->actor)
        store_bind_int64(st, 5, t->actor);
    else
        store_bind_null(st, 5);
    rc = store_step(st);
    store_finalize(st);
    if (rc == STORE_CONSTRAINT)
        return err_set(t->e, ERR_CONFLICT, "year", "calendar.year_stored", year);
    if (rc < 0)
        return rc;
    snprintf(detail, sizeof detail, "{\"replace\":%s}", t->replace ? "true" : "false");
    char target[32];
    snprintf(target, sizeof target, "calendar:%d", t->y->year);
    return audit_record(c, t->actor, "calendar.load", target, detail, t->ip);
}

int calendar_store_add(struct store_conn *c, const char *json, size_t len, int replace,
                       int64_t actor_id, const char *ip, int *year, struct err *e)
{
    struct workday_year *y;
    if (workday_year_parse(json, len, &y, e) < 0)
        return -(int)e->code;
    if (workday_check_year(y, replace, e) < 0) {
        workday_year_free(y);
        return -(int)e->code;
    }
    char *text = strndup(json, len);
    err_clear(e);
    struct add_tx t = {y, text, replace, actor_id, ip, e};
    int rc = store_tx(c, add_fn, &t);
    free(text);
    if (rc < 0) {
        workday_year_free(y);
        if (e->code != ERR_OK)
            return -(int)e->code;
        return err_set(e, ERR_UNAVAILABLE, NULL, "err.detail.storage", NULL);
    }
    /* Stored: now the running calendar (checked above, so this succeeds
     * unless another load raced in between). */
    rc = replace ? workday_replace_year(y, e) : workday_add_year(y, e);
    if (year)
        *year = y->year;
    workday_year_free(y);
    return rc;
}
