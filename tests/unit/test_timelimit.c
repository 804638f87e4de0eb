/**
 * @file test_timelimit.c
 * @brief Clock rules and derivations: the issue's worked example, the day
 *        of stopping and resuming, special procedures, extensions, online
 *        submissions after hours, deemed acceptance, supplements before
 *        acceptance, withdrawal, decision and delivery, hour, calendar-day
 *        and immediate limits, unknown years, bad input, iCalendar.
 */
#include "testlib.h"
#include "core/clock.h"
#include "core/i18n.h"
#include "core/timelimit.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/** An instant from "YYYY-MM-DD HH:MM" in Asia/Shanghai. */
static int64_t T(const char *s)
{
    char iso[40];
    snprintf(iso, sizeof iso, "%.10sT%s:00+08:00", s, s + 11);
    int64_t ms = 0;
    if (clock_parse_iso(iso, &ms) < 0)
        fail_msg("bad test instant %s", s);
    return ms;
}

static workday_date D(const char *s)
{
    workday_date d = 0;
    assert_int_equal(workday_date_parse(s, &d), 0);
    return d;
}

static const char *F(workday_date d)
{
    static char buf[4][WORKDAY_DATE_BUFSZ];
    static int i;
    i = (i + 1) % 4;
    if (d == WORKDAY_NONE)
        return "none";
    return workday_date_format(d, buf[i]);
}

static int setup(void **state)
{
    (void)state;
    return workday_init();
}

static int teardown(void **state)
{
    (void)state;
    workday_cleanup();
    return 0;
}

/** Runs the rules; fails the test on an error. */
static void run(const struct tl_event *v, size_t n, int online, int licensing, const char *now,
                const struct tl_limit *lim, struct tl_result *r)
{
    struct tl_case_events ev = {v, n, online, licensing, T(now)};
    struct err e;
    err_clear(&e);
    int rc = timelimit_compute(&ev, lim, r, &e);
    if (rc < 0)
        fail_msg("timelimit_compute: %d %s %s", rc, e.key, e.arg);
}

/** Runs the rules expecting a refusal. */
static void refused(const struct tl_event *v, size_t n, const struct tl_limit *lim)
{
    struct tl_case_events ev = {v, n, 0, 1, T("2026-12-01 12:00")};
    struct tl_result r;
    memset(&r, 0, sizeof r);
    struct err e;
    err_clear(&e);
    int rc = timelimit_compute(&ev, lim, &r, &e);
    assert_true(rc < 0);
    assert_null(r.steps);
    assert_true(e.key[0]);
}

/** Index of the first step of kind k, or -1. */
static int find_step(const struct tl_result *r, enum tl_step_kind k)
{
    for (size_t i = 0; i < r->n_steps; i++)
        if (r->steps[i].kind == k)
            return (int)i;
    return -1;
}

static void dump(const struct tl_result *r)
{
    for (size_t i = 0; i < r->n_steps; i++)
        print_message("  [%s] %s | %s\n", tl_step_kind_name(r->steps[i].kind),
                      r->steps[i].text[LANG_EN], r->steps[i].text[LANG_ZH]);
}

static const struct tl_limit L20 = {TL_WORKING_DAYS, 20, 0, {0, 0}};

/* The issue's example: accepted Fri 2026-09-25, 20 working days, National
 * Day skipped, make-up Saturday 10-10 counted, clock stopped 10-12..16 for a
 * supplement → due 2026-11-06. In the 2026 calendar 09-25 is itself a
 * holiday (Mid-Autumn, 09-25..27), so the acceptance takes effect on Mon
 * 09-28 (the uncounted start day); with that the published calendar gives
 * exactly the issue's date. */
static void test_issue_example(void **state)
{
    (void)state;
    struct tl_event v[] = {
        {TL_EV_ACCEPTED, T("2026-09-25 10:00"), 0},
        {TL_EV_SUPPLEMENT_REQUESTED, T("2026-10-12 09:00"), 0},
        {TL_EV_SUPPLEMENT_RECEIVED, T("2026-10-16 15:00"), 0},
    };
    struct tl_result r;
    run(v, 3, 0, 1, "2026-10-20 12:00", &L20, &r);
    dump(&r);
    assert_string_equal(F(r.due), "2026-11-06");
    assert_int_equal(r.state, TL_RUNNING);
    assert_int_equal(r.provisional, 0);
    assert_string_equal(F(r.clock_start), "2026-09-28");
    static const char *en[] = {
        "accepted Fri 2026-09-25",
        "Fri 2026-09-25 is not a working day (Mid-Autumn Festival): the acceptance takes "
        "effect on the next working day, Mon 2026-09-28",
        "the clock starts on Mon 2026-09-28; that day is not counted",
        "limit: 20 working days",
        "skipped 2026-10-01..07 National Day",
        "counted Sat 2026-10-10, an adjusted working day",
        "clock stopped 2026-10-12..16 for a supplement",
        "due Fri 2026-11-06",
    };
    assert_int_equal(r.n_steps, sizeof en / sizeof *en);
    for (size_t i = 0; i < r.n_steps; i++)
        assert_string_equal(r.steps[i].text[LANG_EN], en[i]);
    assert_string_equal(r.steps[4].text[LANG_ZH], "跳过2026-10-01..07国庆节假期");
    assert_string_equal(r.steps[7].text[LANG_ZH], "2026-11-06（周五）到期");
    /* Machine-readable side. */
    int k = find_step(&r, TL_STEP_STOPPED);
    assert_string_equal(F(r.steps[k].from), "2026-10-12");
    assert_string_equal(F(r.steps[k].to), "2026-10-16");
    assert_string_equal(r.steps[k].detail, "supplement");
    k = find_step(&r, TL_STEP_SKIPPED_HOLIDAY);
    assert_string_equal(r.steps[k].detail, "国庆节");
    assert_string_equal(tl_step_kind_name(r.steps[k].kind), "skipped_holiday");
    /* Used as of Tue 10-20: 09-29, 09-30, 10-08, 10-09, 10-10, 10-19, 10-20. */
    assert_int_equal(r.used, 7);
    assert_int_equal(r.left, 13);
    assert_int_equal(r.overdue, 0);
    timelimit_result_free(&r);

    /* Plain arithmetic from 09-25 knows no clock rule: 20 working days end
     * 10-29 (no stop, no shift), and timelimit_count agrees with it. */
    assert_int_equal(timelimit_count(D("2026-09-25"), &L20, &r, NULL), 0);
    assert_string_equal(F(r.due), "2026-10-29");
    timelimit_result_free(&r);
}

/* Day of stopping and day of resuming: both not counted. */
static void test_stop_resume_days(void **state)
{
    (void)state;
    struct tl_limit l5 = {TL_WORKING_DAYS, 5, 0, {0, 0}};
    struct tl_result r;
    /* Accepted Mon 03-02; no stop: 03-03..06, 03-09 → 03-09. */
    struct tl_event base[] = {{TL_EV_ACCEPTED, T("2026-03-02 10:00"), 0}};
    run(base, 1, 0, 0, "2026-03-02 12:00", &l5, &r);
    assert_string_equal(F(r.due), "2026-03-09");
    timelimit_result_free(&r);
    /* Stopped Wed 03-04, resumed Thu 03-05: 03-03, 03-06, 03-09..11 → 03-11. */
    struct tl_event v[] = {
        {TL_EV_ACCEPTED, T("2026-03-02 10:00"), 0},
        {TL_EV_SUPPLEMENT_REQUESTED, T("2026-03-04 16:00"), 0},
        {TL_EV_SUPPLEMENT_RECEIVED, T("2026-03-05 09:00"), 0},
    };
    run(v, 3, 0, 0, "2026-03-20 12:00", &l5, &r);
    assert_string_equal(F(r.due), "2026-03-11");
    timelimit_result_free(&r);
    /* Stopped and resumed the same day: that one day is not counted. */
    v[2].at_ms = T("2026-03-04 17:00");
    run(v, 3, 0, 0, "2026-03-20 12:00", &l5, &r);
    assert_string_equal(F(r.due), "2026-03-10");
    int k = find_step(&r, TL_STEP_STOPPED);
    assert_string_equal(r.steps[k].text[LANG_EN], "clock stopped 2026-03-04 for a supplement");
    timelimit_result_free(&r);
    /* Resumed on a Saturday: takes effect Monday 03-09, which is not counted. */
    v[2].at_ms = T("2026-03-07 10:00");
    run(v, 3, 0, 0, "2026-03-20 12:00", &l5, &r);
    assert_string_equal(F(r.due), "2026-03-13"); /* 03-03, 03-10..13 */
    timelimit_result_free(&r);
    /* Online: a supplement at 20:00 Thursday counts as received Friday. */
    v[2].at_ms = T("2026-03-05 20:00");
    run(v, 3, 1, 0, "2026-03-20 12:00", &l5, &r);
    assert_string_equal(F(r.due), "2026-03-12"); /* 03-03, 03-09..12 */
    timelimit_result_free(&r);
}

static void test_special_procedure(void **state)
{
    (void)state;
    /* Accepted 2026-03-02, 20 days, expert review 03-09..03-20 (art. 45),
     * plus an overlapping supplement 03-18..03-24: one stopped stretch
     * 03-09..24 in effect. Counted: 03-03..06 (4), 03-25..27 (7),
     * 03-30..04-03 (12), 04-07..10 (16; Qingming 04-04..06), 04-13..16 (20). */
    struct tl_event v[] = {
        {TL_EV_ACCEPTED, T("2026-03-02 10:00"), 0},
        {TL_EV_SPECIAL_STARTED, T("2026-03-09 10:00"), 0},
        {TL_EV_SUPPLEMENT_REQUESTED, T("2026-03-18 10:00"), 0},
        {TL_EV_SPECIAL_ENDED, T("2026-03-20 10:00"), 0},
        {TL_EV_SUPPLEMENT_RECEIVED, T("2026-03-24 10:00"), 0},
    };
    struct tl_result r;
    run(v, 5, 0, 1, "2026-03-26 12:00", &L20, &r);
    dump(&r);
    assert_string_equal(F(r.due), "2026-04-16");
    assert_true(find_step(&r, TL_STEP_SKIPPED_HOLIDAY) >= 0);
    int n_stops = 0;
    for (size_t i = 0; i < r.n_steps; i++)
        n_stops += r.steps[i].kind == TL_STEP_STOPPED;
    assert_int_equal(n_stops, 2);
    assert_int_equal(r.used, 6); /* 03-03..06, 03-25, 03-26 */
    timelimit_result_free(&r);

    /* Still in the special procedure: stopped, no due date. */
    run(v, 2, 0, 1, "2026-03-12 12:00", &L20, &r);
    assert_int_equal(r.state, TL_STOPPED);
    assert_int_equal(r.due, WORKDAY_NONE);
    assert_int_equal(r.left, 16);
    assert_true(find_step(&r, TL_STEP_STOPPED_OPEN) >= 0);
    timelimit_result_free(&r);
}

static void test_extension(void **state)
{
    (void)state;
    /* 20 days from 03-02 end 03-30; +10 (art. 42) approved 03-20: 03-31,
     * 04-01..03, Qingming 04-04..06 skipped, 04-07..10, 04-13, 04-14. */
    struct tl_event v[] = {
        {TL_EV_ACCEPTED, T("2026-03-02 10:00"), 0},
        {TL_EV_EXTENDED, T("2026-03-20 10:00"), 0},
    };
    struct tl_result r;
    run(v, 2, 0, 1, "2026-03-20 12:00", &L20, &r);
    dump(&r);
    assert_string_equal(F(r.due), "2026-04-14");
    assert_int_equal(r.total, 30);
    int k = find_step(&r, TL_STEP_EXTENDED);
    assert_true(k >= 0);
    assert_int_equal(r.steps[k].days, 10);
    timelimit_result_free(&r);
    /* Approved on the due day itself: still in time. */
    v[1].at_ms = T("2026-03-30 16:00");
    run(v, 2, 0, 1, "2026-03-30 17:00", &L20, &r);
    assert_string_equal(F(r.due), "2026-04-14");
    timelimit_result_free(&r);
    /* After the due date: refused. */
    v[1].at_ms = T("2026-03-31 09:00");
    refused(v, 2, &L20);
    /* A second extension: refused. */
    struct tl_event two[] = {
        {TL_EV_ACCEPTED, T("2026-03-02 10:00"), 0},
        {TL_EV_EXTENDED, T("2026-03-10 10:00"), 0},
        {TL_EV_EXTENDED, T("2026-03-11 10:00"), 0},
    };
    refused(two, 3, &L20);
}

/* Online submission after hours + deemed acceptance (art. 32). */
static void test_after_hours_and_deemed(void **state)
{
    (void)state;
    /* Fri 2026-09-18 19:00 online → received Sun 09-20 (a make-up working
     * day). Answer due 5 working days later: 09-21..24, 09-28 → 09-28. */
    struct tl_event v[] = {{TL_EV_SUBMITTED, T("2026-09-18 19:00"), 0}};
    struct tl_result r;
    run(v, 1, 1, 1, "2026-09-25 12:00", &L20, &r);
    dump(&r);
    assert_int_equal(r.state, TL_AWAITING_ANSWER);
    assert_string_equal(F(r.received), "2026-09-20");
    assert_string_equal(F(r.answer_due), "2026-09-28");
    assert_int_equal(r.due, WORKDAY_NONE);
    int k = find_step(&r, TL_STEP_RECEIVED_NEXT_WORKDAY);
    assert_true(k >= 0);
    assert_non_null(strstr(r.steps[k].text[LANG_EN], "19:00"));
    assert_non_null(strstr(r.steps[k].text[LANG_EN], "Sun 2026-09-20"));
    timelimit_result_free(&r);

    /* The last day to answer passes: accepted on the day received, 09-20;
     * 20 days: 09-21..24 (4), 09-28..30 (7), 10-08..10 (10), 10-12..16
     * (15), 10-19..23 (20). */
    run(v, 1, 1, 1, "2026-09-29 09:00", &L20, &r);
    assert_int_equal(r.state, TL_RUNNING);
    assert_string_equal(F(r.clock_start), "2026-09-20");
    assert_string_equal(F(r.due), "2026-10-23");
    assert_true(find_step(&r, TL_STEP_DEEMED_ACCEPTED) >= 0);
    timelimit_result_free(&r);

    /* Not a licensing item: no deemed acceptance, the clock waits. */
    run(v, 1, 1, 0, "2026-10-29 09:00", &L20, &r);
    assert_int_equal(r.state, TL_NOT_STARTED);
    assert_int_equal(r.due, WORKDAY_NONE);
    timelimit_result_free(&r);

    /* Accepted in time (on the last day, 09-28): the clock starts then. */
    struct tl_event in_time[] = {
        {TL_EV_SUBMITTED, T("2026-09-18 19:00"), 0},
        {TL_EV_ACCEPTED, T("2026-09-28 11:00"), 0},
    };
    run(in_time, 2, 1, 1, "2026-09-29 09:00", &L20, &r);
    assert_string_equal(F(r.clock_start), "2026-09-28");
    assert_int_equal(find_step(&r, TL_STEP_DEEMED_ACCEPTED), -1);
    timelimit_result_free(&r);

    /* Accepted late (09-29): the deemed acceptance of 09-20 stands. */
    in_time[1].at_ms = T("2026-09-29 11:00");
    run(in_time, 2, 1, 1, "2026-09-30 09:00", &L20, &r);
    assert_string_equal(F(r.clock_start), "2026-09-20");
    assert_true(find_step(&r, TL_STEP_ACCEPTED_AFTER_DEEMED) >= 0);
    assert_string_equal(F(r.due), "2026-10-23");
    timelimit_result_free(&r);

    /* During office hours on a working day: received that day. */
    struct tl_event open[] = {{TL_EV_SUBMITTED, T("2026-09-24 10:00"), 0}};
    run(open, 1, 1, 1, "2026-09-24 11:00", &L20, &r);
    assert_string_equal(F(r.received), "2026-09-24");
    assert_true(find_step(&r, TL_STEP_RECEIVED) >= 0);
    timelimit_result_free(&r);

    /* Custom office hours: 09:00-12:00 makes 13:00 after hours. */
    struct tl_limit l = L20;
    l.hours = (struct workday_hours){9 * 60, 12 * 60};
    struct tl_event pm[] = {{TL_EV_SUBMITTED, T("2026-09-22 13:00"), 0}};
    run(pm, 1, 1, 1, "2026-09-22 14:00", &l, &r);
    assert_string_equal(F(r.received), "2026-09-23");
    timelimit_result_free(&r);
}

/* Supplements before acceptance do not pause anything; after a supplement
 * the agency has a new 5-day window. */
static void test_supplement_before_acceptance(void **state)
{
    (void)state;
    struct tl_limit l5 = {TL_WORKING_DAYS, 5, 0, {0, 0}};
    struct tl_event v[] = {
        {TL_EV_SUBMITTED, T("2026-03-02 10:00"), 0},
        {TL_EV_SUPPLEMENT_REQUESTED, T("2026-03-03 10:00"), 0},
        {TL_EV_SUPPLEMENT_RECEIVED, T("2026-03-10 10:00"), 0},
        {TL_EV_ACCEPTED, T("2026-03-11 10:00"), 0},
    };
    struct tl_result r;
    run(v, 4, 0, 1, "2026-03-12 10:00", &l5, &r);
    dump(&r);
    assert_string_equal(F(r.clock_start), "2026-03-11");
    assert_string_equal(F(r.due), "2026-03-18");
    assert_true(find_step(&r, TL_STEP_SUPPLEMENT_BEFORE_ACCEPTANCE) >= 0);
    assert_int_equal(find_step(&r, TL_STEP_STOPPED), -1);
    assert_int_equal(find_step(&r, TL_STEP_DEEMED_ACCEPTED), -1);
    timelimit_result_free(&r);
    /* No answer within 5 working days of the supplement (03-11..13,
     * 03-16..17 → 03-17): accepted on 03-10. */
    run(v, 3, 0, 1, "2026-03-18 10:00", &l5, &r);
    assert_string_equal(F(r.clock_start), "2026-03-10");
    assert_true(find_step(&r, TL_STEP_DEEMED_ACCEPTED) >= 0);
    timelimit_result_free(&r);
    /* Waiting for the applicant: no clock, a deadline (15 working days). */
    run(v, 2, 0, 1, "2026-03-05 10:00", &l5, &r);
    assert_int_equal(r.state, TL_NOT_STARTED);
    assert_string_equal(F(r.supplement_due), "2026-03-24");
    timelimit_result_free(&r);
    /* ... and past that deadline: withdrawn. */
    run(v, 2, 0, 1, "2026-03-25 10:00", &l5, &r);
    assert_int_equal(r.state, TL_WITHDRAWN);
    assert_true(find_step(&r, TL_STEP_WITHDRAWN) >= 0);
    timelimit_result_free(&r);
}

static void test_withdrawn_during_review(void **state)
{
    (void)state;
    struct tl_limit l = {TL_WORKING_DAYS, 20, 5, {0, 0}};
    struct tl_event v[] = {
        {TL_EV_ACCEPTED, T("2026-03-02 10:00"), 0},
        {TL_EV_SUPPLEMENT_REQUESTED, T("2026-03-04 10:00"), 0},
        {TL_EV_SUPPLEMENT_RECEIVED, T("2026-03-16 10:00"), 0},
    };
    struct tl_result r;
    /* Waiting: stopped, deadline 03-11 (5 working days after 03-04). */
    run(v, 2, 0, 1, "2026-03-06 10:00", &l, &r);
    assert_int_equal(r.state, TL_STOPPED);
    assert_string_equal(F(r.supplement_due), "2026-03-11");
    assert_int_equal(r.due, WORKDAY_NONE);
    assert_true(find_step(&r, TL_STEP_SUPPLEMENT_DUE) >= 0);
    timelimit_result_free(&r);
    /* Deadline passed: withdrawn, no due date. */
    run(v, 2, 0, 1, "2026-03-12 10:00", &l, &r);
    assert_int_equal(r.state, TL_WITHDRAWN);
    assert_int_equal(r.due, WORKDAY_NONE);
    timelimit_result_free(&r);
    /* A supplement arriving after the deadline does not revive the case. */
    run(v, 3, 0, 1, "2026-03-17 10:00", &l, &r);
    dump(&r);
    assert_int_equal(r.state, TL_WITHDRAWN);
    assert_true(find_step(&r, TL_STEP_IGNORED) >= 0);
    timelimit_result_free(&r);
    /* On the deadline day itself: in time. */
    v[2].at_ms = T("2026-03-11 17:00");
    run(v, 3, 0, 1, "2026-03-17 10:00", &l, &r);
    assert_int_equal(r.state, TL_RUNNING);
    assert_true(r.due != WORKDAY_NONE);
    timelimit_result_free(&r);
}

static void test_decision_and_delivery(void **state)
{
    (void)state;
    struct tl_event v[] = {
        {TL_EV_ACCEPTED, T("2026-03-02 10:00"), 0},
        {TL_EV_DECIDED, T("2026-03-20 10:00"), 0},
        {TL_EV_DELIVERED, T("2026-04-02 10:00"), 0},
    };
    struct tl_result r;
    run(v, 3, 0, 1, "2026-05-01 10:00", &L20, &r);
    dump(&r);
    assert_int_equal(r.state, TL_DECIDED);
    assert_int_equal(r.overdue, 0);
    assert_string_equal(F(r.due), "2026-03-30");
    assert_int_equal(r.used, 14); /* the clock stopped at the decision */
    /* 10 working days after 03-20: 03-23..27, 03-30..04-03. */
    assert_string_equal(F(r.delivery_due), "2026-04-03");
    int k = find_step(&r, TL_STEP_DELIVERED);
    assert_true(k >= 0);
    assert_string_equal(r.steps[k].detail, "on_time");
    timelimit_result_free(&r);
    /* Decided late. */
    v[1].at_ms = T("2026-03-31 10:00");
    v[2].at_ms = T("2026-04-20 10:00");
    run(v, 3, 0, 1, "2026-05-01 10:00", &L20, &r);
    assert_int_equal(r.overdue, 1);
    assert_int_equal(r.left, -1);
    k = find_step(&r, TL_STEP_DELIVERED);
    assert_string_equal(r.steps[k].detail, "late");
    timelimit_result_free(&r);
    /* Running past the due date without decision: overdue. */
    run(v, 1, 0, 1, "2026-04-01 10:00", &L20, &r);
    assert_int_equal(r.state, TL_RUNNING);
    assert_int_equal(r.overdue, 1);
    assert_int_equal(r.left, -2); /* 03-31 and 04-01 past the 20 */
    timelimit_result_free(&r);
}

static void test_other_units(void **state)
{
    (void)state;
    struct tl_result r;
    /* Hours: accepted Thu 2026-09-24 16:00, 4 office hours (08:30-17:30):
     * 1.5 h on Thursday, then Mon 09-28 08:30 + 2.5 h → 11:00. */
    struct tl_limit h4 = {TL_HOURS, 4, 0, {0, 0}};
    struct tl_event v[] = {{TL_EV_ACCEPTED, T("2026-09-24 16:00"), 0}};
    run(v, 1, 0, 0, "2026-09-24 16:30", &h4, &r);
    dump(&r);
    assert_true(r.due_ms == T("2026-09-28 11:00"));
    assert_string_equal(F(r.due), "2026-09-28");
    int k = find_step(&r, TL_STEP_DUE);
    assert_string_equal(r.steps[k].text[LANG_EN], "due Mon 2026-09-28 11:00");
    timelimit_result_free(&r);
    /* Hours with a stop of one office hour in between. */
    struct tl_event vs[] = {
        {TL_EV_ACCEPTED, T("2026-09-24 09:00"), 0},
        {TL_EV_SUPPLEMENT_REQUESTED, T("2026-09-24 10:00"), 0},
        {TL_EV_SUPPLEMENT_RECEIVED, T("2026-09-24 11:00"), 0},
    };
    run(vs, 3, 0, 0, "2026-09-24 16:30", &h4, &r);
    assert_true(r.due_ms == T("2026-09-24 14:00"));
    timelimit_result_free(&r);
    /* Immediate: concluded on the day of acceptance. */
    struct tl_limit imm = {TL_IMMEDIATE, 0, 0, {0, 0}};
    struct tl_event a[] = {{TL_EV_ACCEPTED, T("2026-03-02 10:00"), 0}};
    run(a, 1, 0, 0, "2026-03-02 10:30", &imm, &r);
    assert_string_equal(F(r.due), "2026-03-02");
    assert_true(find_step(&r, TL_STEP_IMMEDIATE) >= 0);
    timelimit_result_free(&r);
    /* Calendar days: 10 from Mon 09-21 end on 10-01, a holiday → 10-08. */
    struct tl_limit c10 = {TL_CALENDAR_DAYS, 10, 0, {0, 0}};
    struct tl_event c[] = {{TL_EV_ACCEPTED, T("2026-09-21 10:00"), 0}};
    run(c, 1, 0, 0, "2026-09-21 10:30", &c10, &r);
    assert_string_equal(F(r.due), "2026-10-08");
    assert_true(find_step(&r, TL_STEP_LAST_DAY_MOVED) >= 0);
    timelimit_result_free(&r);
}

static void test_unknown_year_provisional(void **state)
{
    (void)state;
    /* From 2026-12-15, 30 working days reach into 2027 (no calendar yet). */
    struct tl_limit l30 = {TL_WORKING_DAYS, 30, 0, {0, 0}};
    struct tl_event v[] = {{TL_EV_ACCEPTED, T("2026-12-15 10:00"), 0}};
    struct tl_result r;
    run(v, 1, 0, 1, "2026-12-15 11:00", &l30, &r);
    dump(&r);
    assert_int_equal(r.provisional, 1);
    int k = find_step(&r, TL_STEP_UNKNOWN_YEAR);
    assert_true(k >= 0);
    assert_int_equal(r.steps[k].days, 2027);
    workday_date want;
    assert_int_equal(workday_add(D("2026-12-15"), 30, &want, NULL), 0);
    assert_int_equal(r.due, want);
    timelimit_result_free(&r);
    /* Loading 2027 recomputes: the same question, a firm answer. */
    const char *y2027 = "{\"year\": 2027, \"holidays\": [{\"name\": \"元旦\", \"from\": "
                        "\"2027-01-01\", \"to\": \"2027-01-03\"}], \"adjusted_workdays\": []}";
    struct err e;
    assert_int_equal(workday_load_json(y2027, strlen(y2027), &e), 0);
    run(v, 1, 0, 1, "2026-12-15 11:00", &l30, &r);
    assert_int_equal(r.provisional, 0);
    assert_int_equal(find_step(&r, TL_STEP_UNKNOWN_YEAR), -1);
    timelimit_result_free(&r);
    /* Across a known boundary (2024 → 2025): not provisional. */
    struct tl_event b[] = {{TL_EV_ACCEPTED, T("2024-12-20 10:00"), 0}};
    run(b, 1, 0, 1, "2024-12-20 11:00", &L20, &r);
    assert_int_equal(r.provisional, 0);
    assert_string_equal(F(r.due), "2025-01-20");
    assert_true(find_step(&r, TL_STEP_SKIPPED_HOLIDAY) >= 0);
    timelimit_result_free(&r);
}

static void test_count_matches_add(void **state)
{
    (void)state;
    for (workday_date s = D("2024-01-01"); s <= D("2026-12-31"); s += 3)
        for (int n = 0; n <= 60; n += 20) {
            struct tl_limit l = {TL_WORKING_DAYS, n, 0, {0, 0}};
            struct tl_result r;
            workday_date want;
            int p1, p2;
            assert_int_equal(workday_add(s, n, &want, &p1), 0);
            assert_int_equal(timelimit_count(s, &l, &r, NULL), 0);
            p2 = r.provisional;
            if (r.due != want || (n && p1 != p2))
                fail_msg("%s + %d: %s vs %s", F(s), n, F(r.due), F(want));
            timelimit_result_free(&r);
        }
}

static void test_bad_input(void **state)
{
    (void)state;
    struct tl_limit neg = {TL_WORKING_DAYS, -1, 0, {0, 0}};
    struct tl_limit big = {TL_WORKING_DAYS, 3651, 0, {0, 0}};
    struct tl_limit hours = {TL_WORKING_DAYS, 5, 0, {600, 500}};
    struct tl_limit unit = {(enum tl_unit)9, 5, 0, {0, 0}};
    struct tl_event a[] = {{TL_EV_ACCEPTED, T("2026-03-02 10:00"), 0}};
    refused(a, 1, &neg);
    refused(a, 1, &big);
    refused(a, 1, &hours);
    refused(a, 1, &unit);
    struct tl_event twice[] = {
        {TL_EV_ACCEPTED, T("2026-03-02 10:00"), 0},
        {TL_EV_ACCEPTED, T("2026-03-03 10:00"), 0},
    };
    refused(twice, 2, &L20);
    struct tl_event never[] = {
        {TL_EV_ACCEPTED, T("2026-03-02 10:00"), 0},
        {TL_EV_SUPPLEMENT_RECEIVED, T("2026-03-03 10:00"), 0},
    };
    refused(never, 2, &L20);
    struct tl_event early[] = {{TL_EV_DECIDED, T("2026-03-02 10:00"), 0}};
    refused(early, 1, &L20);
    struct tl_event decl[] = {
        {TL_EV_ACCEPTED, T("2026-03-02 10:00"), 0},
        {TL_EV_DECLINED, T("2026-03-03 10:00"), 0},
    };
    refused(decl, 2, &L20);
    struct tl_event after[] = {
        {TL_EV_ACCEPTED, T("2026-03-02 10:00"), 0},
        {TL_EV_DECIDED, T("2026-03-03 10:00"), 0},
        {TL_EV_SUPPLEMENT_REQUESTED, T("2026-03-04 10:00"), 0},
    };
    refused(after, 3, &L20);
    struct tl_event far[] = {{TL_EV_ACCEPTED, INT64_C(400000000000000), 0}};
    refused(far, 1, &L20);
    struct tl_event ancient[] = {{TL_EV_ACCEPTED, INT64_C(-4000000000000), 0}};
    refused(ancient, 1, &L20);
    struct tl_event kind[] = {{(enum tl_event_kind)77, T("2026-03-02 10:00"), 0}};
    refused(kind, 1, &L20);
    struct tl_case_events ev = {NULL, 3, 0, 0, 0};
    struct tl_result r;
    assert_true(timelimit_compute(&ev, &L20, &r, NULL) < 0);

    /* Declined before acceptance is fine: no clock at all. */
    struct tl_event ok[] = {
        {TL_EV_SUBMITTED, T("2026-03-02 10:00"), 0},
        {TL_EV_DECLINED, T("2026-03-03 10:00"), 0},
    };
    run(ok, 2, 0, 1, "2026-03-20 10:00", &L20, &r);
    assert_int_equal(r.state, TL_DECLINED);
    assert_int_equal(r.due, WORKDAY_NONE);
    timelimit_result_free(&r);
    /* Events in any order are sorted by time. */
    struct tl_event shuffled[] = {
        {TL_EV_SUPPLEMENT_RECEIVED, T("2026-10-16 15:00"), 0},
        {TL_EV_ACCEPTED, T("2026-09-25 10:00"), 0},
        {TL_EV_SUPPLEMENT_REQUESTED, T("2026-10-12 09:00"), 0},
    };
    run(shuffled, 3, 0, 1, "2026-10-20 10:00", &L20, &r);
    assert_string_equal(F(r.due), "2026-11-06");
    timelimit_result_free(&r);
}

static void test_ical(void **state)
{
    (void)state;
    struct tl_event v[] = {
        {TL_EV_ACCEPTED, T("2026-09-25 10:00"), 0},
        {TL_EV_SUPPLEMENT_REQUESTED, T("2026-10-12 09:00"), 0},
        {TL_EV_SUPPLEMENT_RECEIVED, T("2026-10-16 15:00"), 0},
    };
    struct tl_result r;
    run(v, 3, 0, 1, "2026-10-20 12:00", &L20, &r);
    struct buf b = BUF_INIT;
    assert_int_equal(timelimit_ical(&r, "case-42@onehall.example", "Due: a,b;c\\d", LANG_ZH,
                                    T("2026-10-20 12:00"), &b),
                     0);
    const char *s = buf_str(&b);
    print_message("%s", s);
    assert_true(strncmp(s, "BEGIN:VCALENDAR\r\n", 17) == 0);
    assert_non_null(strstr(s, "\r\nBEGIN:VEVENT\r\n"));
    assert_non_null(strstr(s, "\r\nDTSTART;VALUE=DATE:20261106\r\n"));
    assert_non_null(strstr(s, "\r\nDTEND;VALUE=DATE:20261107\r\n"));
    assert_non_null(strstr(s, "\r\nDTSTAMP:20261020T040000Z\r\n"));
    assert_non_null(strstr(s, "\r\nSUMMARY:Due: a\\,b\\;c\\\\d\r\n"));
    assert_non_null(strstr(s, "\r\nUID:case-42@onehall.example\r\n"));
    assert_true(strlen(s) > 19 && strcmp(s + strlen(s) - 15, "END:VCALENDAR\r\n") == 0);
    /* Every line ends in CRLF, is at most 75 octets, and a folded line
     * starts with a space; no bare LF anywhere; UTF-8 never split. */
    const char *line = s;
    while (*line) {
        const char *crlf = strstr(line, "\r\n");
        assert_non_null(crlf);
        assert_true(crlf - line <= 75);
        for (const char *p = line; p < crlf; p++)
            assert_true(*p != '\n' && *p != '\r');
        if (line[0] == ' ')
            assert_true(((unsigned char)line[1] & 0xC0) != 0x80);
        line = crlf + 2;
    }
    /* The description unfolds to the derivation, newlines escaped. */
    struct buf unf = BUF_INIT;
    for (const char *p = s; *p; p++) {
        if (p[0] == '\r' && p[1] == '\n' && p[2] == ' ') {
            p += 2;
            continue;
        }
        buf_putc(&unf, *p);
    }
    assert_non_null(strstr(buf_str(&unf), "跳过2026-10-01..07国庆节假期\\n"));
    buf_free(&unf);
    buf_free(&b);
    /* No due date: nothing to export. */
    struct tl_result none;
    memset(&none, 0, sizeof none);
    none.due = WORKDAY_NONE;
    assert_true(timelimit_ical(&none, "x", "y", LANG_EN, 0, &b) < 0);
    buf_free(&b);
    timelimit_result_free(&r);
}

static void test_translations_complete(void **state)
{
    (void)state;
    /* Every step kind has a text in both languages. */
    for (int k = 0; k < TL_STEP__COUNT; k++) {
        char key[64];
        snprintf(key, sizeof key, "workday.step.%s", tl_step_kind_name((enum tl_step_kind)k));
        assert_string_not_equal(tr(LANG_EN, key), key);
        assert_string_not_equal(tr(LANG_ZH, key), key);
        assert_string_not_equal(tr(LANG_EN, key), tr(LANG_ZH, key));
    }
}

int main(void)
{
    if (i18n_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_issue_example, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stop_resume_days, setup, teardown),
        cmocka_unit_test_setup_teardown(test_special_procedure, setup, teardown),
        cmocka_unit_test_setup_teardown(test_extension, setup, teardown),
        cmocka_unit_test_setup_teardown(test_after_hours_and_deemed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_supplement_before_acceptance, setup, teardown),
        cmocka_unit_test_setup_teardown(test_withdrawn_during_review, setup, teardown),
        cmocka_unit_test_setup_teardown(test_decision_and_delivery, setup, teardown),
        cmocka_unit_test_setup_teardown(test_other_units, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unknown_year_provisional, setup, teardown),
        cmocka_unit_test_setup_teardown(test_count_matches_add, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_input, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ical, setup, teardown),
        cmocka_unit_test(test_translations_complete),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
