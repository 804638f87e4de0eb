/**
 * @file calendar.c
 * @brief /api/v1/calendar: the years of the holiday calendar, loading a new
 *        one (system admins), and due dates with their derivation, so that
 *        anyone can see how a date was reached.
 */
#include "api/api.h"
#include "core/timelimit.h"
#include "core/workday.h"
#include "domain/calendar_store.h"
#include <stdlib.h>
#include <string.h>

int api_calendar_years(struct http_req *r)
{
    int years[256];
    int n = workday_years(years, 256);
    json_t *list = json_array();
    for (int i = 0; i < n && i < 256; i++) {
        char src[512] = "";
        workday_year_source(years[i], src, sizeof src);
        json_array_append_new(list, json_pack("{s:i, s:s}", "year", years[i], "source", src));
    }
    return http_reply_json(r, 200, json_pack("{s:o}", "years", list));
}

int api_calendar_load(struct http_req *r)
{
    json_t *body = http_json(r);
    if (!body)
        return 0;
    const char *rep = http_query(r, "replace");
    int replace = rep && (strcmp(rep, "true") == 0 || strcmp(rep, "1") == 0);
    char *text = json_dumps(body, JSON_COMPACT | JSON_PRESERVE_ORDER);
    struct err e;
    err_clear(&e);
    int year = 0;
    int rc = calendar_store_add(http_db(r), text, strlen(text), replace,
                                r->principal->account_id, r->ip, &year, &e);
    free(text);
    if (rc < 0)
        return http_reply_err(r, &e);
    return http_reply_json(r, 201, json_pack("{s:i, s:b}", "year", year, "replaced", replace));
}

int api_calendar_due(struct http_req *r)
{
    workday_date from;
    const char *f = http_query(r, "from");
    if (!f || workday_date_parse(f, &from) < 0)
        return http_fail(r, ERR_INVALID, "from", "calendar.bad_from", NULL);
    const char *d = http_query(r, "days");
    char *end = NULL;
    long days = d ? strtol(d, &end, 10) : -1;
    if (!d || *end || days < 0 || days > 3650)
        return http_fail(r, ERR_INVALID, "days", "calendar.bad_days", NULL);
    const char *unit = http_query(r, "unit");
    struct tl_limit limit = {TL_WORKING_DAYS, (int)days, 0, {0, 0}};
    if (unit && strcmp(unit, "calendar_days") == 0)
        limit.unit = TL_CALENDAR_DAYS;
    else if (unit && strcmp(unit, "working_days") != 0)
        return http_fail(r, ERR_INVALID, "unit", "calendar.bad_days", NULL);
    struct tl_result res;
    struct err e;
    if (timelimit_count(from, &limit, &res, &e) < 0)
        return http_reply_err(r, &e);
    char due[WORKDAY_DATE_BUFSZ];
    json_t *steps = json_array();
    for (size_t i = 0; i < res.n_steps; i++)
        json_array_append_new(steps, json_pack("{s:s, s:s}", "kind",
                                               tl_step_kind_name(res.steps[i].kind), "text",
                                               res.steps[i].text[r->lang]));
    json_t *j = json_pack("{s:s, s:i, s:s, s:s, s:b, s:o}", "from", f, "days", (int)days, "unit",
                          limit.unit == TL_CALENDAR_DAYS ? "calendar_days" : "working_days",
                          "due", workday_date_format(res.due, due), "provisional",
                          res.provisional, "steps", steps);
    timelimit_result_free(&res);
    http_header_add(r, "Cache-Control", "public, max-age=300");
    return http_reply_json(r, 200, j);
}
