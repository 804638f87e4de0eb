/**
 * @file test_workday.c
 * @brief The working-day calendar: dates, every holiday and adjusted working
 *        day of 2024-2026 (cross-checked against two independent sources),
 *        arithmetic across holidays and year boundaries, unknown years,
 *        office hours, validation of year files, and concurrent reads while
 *        years are loaded.
 */
#include "testlib.h"
#include "core/clock.h"
#include "core/i18n.h"
#include "core/workday.h"
#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/** Parses a date the test knows is valid. */
static workday_date D(const char *s)
{
    workday_date d = 0;
    assert_int_equal(workday_date_parse(s, &d), 0);
    return d;
}

/** Formats a date into a static buffer (one use per expression). */
static const char *F(workday_date d)
{
    static char buf[4][WORKDAY_DATE_BUFSZ];
    static int i;
    i = (i + 1) % 4;
    return workday_date_format(d, buf[i]);
}

static int setup(void **state)
{
    (void)state;
    assert_int_equal(workday_init(), 0);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    workday_cleanup();
    return 0;
}

/* ---- Dates ------------------------------------------------------------- */

static void test_parse_strict(void **state)
{
    (void)state;
    workday_date d;
    assert_int_equal(workday_date_parse("2026-02-28", &d), 0);
    assert_string_equal(F(d), "2026-02-28");
    assert_int_equal(workday_date_parse("2024-02-29", &d), 0);
    assert_int_equal(workday_date_parse("2000-02-29", &d), 0);
    const char *bad[] = {"2026-02-30", "2025-02-29", "1900-02-29", "2026-13-01", "2026-00-10",
                         "2026-04-31", "2026-01-00", "2026-1-01",  "2026-01-1",  " 2026-01-01",
                         "2026-01-01 ", "2026/01/01", "20260101",  "",           "2026-01-011",
                         "1899-12-31", "+026-01-01", "2026-0a-01", "2026--1-01", "abcd-ef-gh"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        d = 12345;
        assert_true(workday_date_parse(bad[i], &d) < 0);
        assert_int_equal(d, 12345); /* untouched on failure */
    }
    assert_true(workday_date_parse(NULL, &d) < 0);
    assert_int_equal(workday_date_parse("1970-01-01", &d), 0);
    assert_int_equal(d, 0);
    assert_int_equal(workday_weekday(d), 4); /* Thursday */
    assert_int_equal(workday_weekday(D("2026-09-25")), 5);
    assert_int_equal(workday_weekday(D("1900-01-01")), 1);
}

static void test_roundtrip_all_days(void **state)
{
    (void)state;
    /* Every day from 1900 to 9999: ymd → date → ymd, consecutive dates,
     * weekdays advancing by one. */
    workday_date prev;
    assert_int_equal(workday_date_from_ymd(1900, 1, 1, &prev), 0);
    prev--;
    for (int y = 1900; y <= 9999; y++)
        for (int m = 1; m <= 12; m++)
            for (int d = 1; d <= 31; d++) {
                workday_date x;
                if (workday_date_from_ymd(y, m, d, &x) < 0)
                    continue;
                assert_int_equal(x, prev + 1);
                int yy, mm, dd;
                workday_date_to_ymd(x, &yy, &mm, &dd);
                if (yy != y || mm != m || dd != d)
                    fail_msg("roundtrip %d-%d-%d", y, m, d);
                if (workday_weekday(x) != workday_weekday(prev) % 7 + 1)
                    fail_msg("weekday of %d-%d-%d", y, m, d);
                prev = x;
            }
    workday_date last;
    assert_int_equal(workday_date_from_ymd(9999, 12, 31, &last), 0);
    assert_int_equal(prev, last);
    assert_true(workday_date_from_ymd(10000, 1, 1, &last) < 0);
}

static void test_local_time(void **state)
{
    (void)state;
    /* 2026-09-24T16:00:00+08:00 = 08:00Z. */
    int64_t ms = 0;
    assert_int_equal(clock_parse_iso("2026-09-24T16:00:00+08:00", &ms), 0);
    int minute;
    assert_string_equal(F(workday_date_of(ms, &minute)), "2026-09-24");
    assert_int_equal(minute, 16 * 60);
    assert_true(workday_instant(D("2026-09-24"), 16 * 60) == ms);
    /* 23:30Z is already the next day in Shanghai. */
    assert_int_equal(clock_parse_iso("2026-09-24T23:30:00Z", &ms), 0);
    assert_string_equal(F(workday_date_of(ms, &minute)), "2026-09-25");
    assert_int_equal(minute, 7 * 60 + 30);
}

/* ---- The built-in calendars against two other sources ------------------ */

/** Loads a JSON file from the test data; the test fails when absent. */
static json_t *load_ref(const char *rel)
{
    char path[512];
    snprintf(path, sizeof path, "%s/tests/data/calendar/%s", ONEHALL_SOURCE_DIR, rel);
    json_error_t jerr;
    json_t *j = json_load_file(path, 0, &jerr);
    if (!j)
        fail_msg("%s: %s", path, jerr.text);
    return j;
}

/** Per-day verdicts of a year from a reference: 'o' day off, 'w' adjusted
 *  working day, 0 nothing said. Indexed by day of year. */
struct ref_year {
    char v[366];
};

static void ref_mark(struct ref_year *r, int year, const char *date, char what)
{
    workday_date d = D(date), j1;
    workday_date_from_ymd(year, 1, 1, &j1);
    if (d < j1 || d - j1 >= 366)
        return; /* a neighbouring year's day: checked by that year */
    if (r->v[d - j1] && r->v[d - j1] != what)
        fail_msg("reference contradicts itself on %s", date);
    r->v[d - j1] = what;
}

/** Compares every day of year with the reference verdicts. */
static void compare_year(int year, const struct ref_year *r, const char *who)
{
    workday_date j1, j2;
    workday_date_from_ymd(year, 1, 1, &j1);
    workday_date_from_ymd(year + 1, 1, 1, &j2);
    int holidays = 0, adjusted = 0;
    for (workday_date d = j1; d < j2; d++) {
        struct workday_info info;
        assert_int_equal(workday_day_info(d, &info), 0);
        assert_int_equal(info.provisional, 0);
        char want = r->v[d - j1];
        int ok;
        if (want == 'o') {
            ok = info.kind == WORKDAY_HOLIDAY && !info.working && info.name[0];
            holidays++;
        } else if (want == 'w') {
            ok = info.kind == WORKDAY_ADJUSTED && info.working;
            adjusted++;
        } else {
            int wd = workday_weekday(d);
            ok = (wd < 6) == info.working &&
                 info.kind == (wd < 6 ? WORKDAY_WORKDAY : WORKDAY_WEEKEND);
        }
        if (!ok)
            fail_msg("%s %s: built-in kind %d working %d, reference '%c'", who, F(d), info.kind,
                     info.working, want ? want : '-');
    }
    assert_true(holidays >= 25 && holidays <= 35);
    assert_true(adjusted >= 4 && adjusted <= 10);
}

static void test_cross_check_holiday_cn(void **state)
{
    (void)state;
    for (int year = 2024; year <= 2026; year++) {
        char rel[64];
        snprintf(rel, sizeof rel, "holiday-cn/%d.json", year);
        json_t *j = load_ref(rel);
        struct ref_year r;
        memset(&r, 0, sizeof r);
        size_t i;
        json_t *day;
        json_array_foreach(json_object_get(j, "days"), i, day)
        {
            ref_mark(&r, year, json_string_value(json_object_get(day, "date")),
                     json_is_true(json_object_get(day, "isOffDay")) ? 'o' : 'w');
        }
        compare_year(year, &r, "holiday-cn");
        json_decref(j);
    }
}

static void test_cross_check_npm(void **state)
{
    (void)state;
    for (int year = 2024; year <= 2026; year++) {
        char rel[64];
        snprintf(rel, sizeof rel, "holiday-calendar-npm/%d.json", year);
        json_t *j = load_ref(rel);
        struct ref_year r;
        memset(&r, 0, sizeof r);
        size_t i;
        json_t *day;
        json_array_foreach(json_object_get(j, "dates"), i, day)
        {
            const char *type = json_string_value(json_object_get(day, "type"));
            assert_non_null(type);
            char what = strcmp(type, "public_holiday") == 0    ? 'o'
                        : strcmp(type, "transfer_workday") == 0 ? 'w'
                                                                 : '?';
            assert_true(what != '?');
            ref_mark(&r, year, json_string_value(json_object_get(day, "date")), what);
        }
        compare_year(year, &r, "holiday-calendar-npm");
        json_decref(j);
    }
}

/* Every holiday of 2024-2026 with its adjusted working weekends, as
 * published: the first day off, the last, the make-up days, the name. */
static const struct {
    const char *from, *to, *name;
    const char *adjusted[3];
} holidays[] = {
    {"2024-01-01", "2024-01-01", "元旦", {NULL}},
    {"2024-02-10", "2024-02-17", "春节", {"2024-02-04", "2024-02-18"}},
    {"2024-04-04", "2024-04-06", "清明节", {"2024-04-07"}},
    {"2024-05-01", "2024-05-05", "劳动节", {"2024-04-28", "2024-05-11"}},
    {"2024-06-10", "2024-06-10", "端午节", {NULL}},
    {"2024-09-15", "2024-09-17", "中秋节", {"2024-09-14"}},
    {"2024-10-01", "2024-10-07", "国庆节", {"2024-09-29", "2024-10-12"}},
    {"2025-01-01", "2025-01-01", "元旦", {NULL}},
    {"2025-01-28", "2025-02-04", "春节", {"2025-01-26", "2025-02-08"}},
    {"2025-04-04", "2025-04-06", "清明节", {NULL}},
    {"2025-05-01", "2025-05-05", "劳动节", {"2025-04-27"}},
    {"2025-05-31", "2025-06-02", "端午节", {NULL}},
    {"2025-10-01", "2025-10-08", "国庆节、中秋节", {"2025-09-28", "2025-10-11"}},
    {"2026-01-01", "2026-01-03", "元旦", {"2026-01-04"}},
    {"2026-02-15", "2026-02-23", "春节", {"2026-02-14", "2026-02-28"}},
    {"2026-04-04", "2026-04-06", "清明节", {NULL}},
    {"2026-05-01", "2026-05-05", "劳动节", {"2026-05-09"}},
    {"2026-06-19", "2026-06-21", "端午节", {NULL}},
    {"2026-09-25", "2026-09-27", "中秋节", {"2026-09-20"}},
    {"2026-10-01", "2026-10-07", "国庆节", {"2026-10-10"}},
};

static void test_every_holiday(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof holidays / sizeof *holidays; i++) {
        workday_date a = D(holidays[i].from), b = D(holidays[i].to);
        for (workday_date d = a; d <= b; d++) {
            struct workday_info info;
            assert_int_equal(workday_day_info(d, &info), 0);
            if (info.kind != WORKDAY_HOLIDAY || strcmp(info.name, holidays[i].name) != 0)
                fail_msg("%s should be %s", F(d), holidays[i].name);
            assert_int_equal(workday_is_workday(d, NULL), 0);
        }
        /* The days around a range are not part of it. */
        struct workday_info before, after;
        workday_day_info(a - 1, &before);
        workday_day_info(b + 1, &after);
        assert_true(before.kind != WORKDAY_HOLIDAY || strcmp(before.name, holidays[i].name));
        assert_true(after.kind != WORKDAY_HOLIDAY || strcmp(after.name, holidays[i].name));
        for (int k = 0; k < 3 && holidays[i].adjusted[k]; k++) {
            workday_date w = D(holidays[i].adjusted[k]);
            int prov = 1;
            assert_int_equal(workday_is_workday(w, &prov), 1);
            assert_int_equal(prov, 0);
            assert_true(workday_weekday(w) >= 6);
        }
        /* Counting 1 working day from the day before a holiday lands on
         * the first working day after it (or on a make-up day inside). */
        workday_date end;
        assert_int_equal(workday_add(a - 1, 1, &end, NULL), 0);
        assert_true(end > b || workday_weekday(end) >= 6);
    }
}

/* ---- Arithmetic -------------------------------------------------------- */

static void test_add_examples(void **state)
{
    (void)state;
    static const struct {
        const char *start;
        int n;
        const char *end;
        int prov;
    } cases[] = {
        {"2026-09-25", 0, "2026-09-25", 0},  /* immediate: the day itself */
        {"2026-09-24", 1, "2026-09-28", 0},  /* over Mid-Autumn and a weekend */
        {"2026-09-25", 20, "2026-10-29", 0}, /* National Day, make-up Sat 10-10 */
        {"2026-09-30", 1, "2026-10-08", 0},
        {"2026-10-09", 1, "2026-10-10", 0},  /* an adjusted Saturday counts */
        {"2026-02-13", 1, "2026-02-14", 0},  /* Sat 02-14 make-up day */
        {"2026-02-14", 1, "2026-02-24", 0},  /* Spring Festival 02-15..23 */
        {"2026-02-27", 1, "2026-02-28", 0},
        {"2024-12-31", 1, "2025-01-02", 0},  /* New Year across the boundary */
        {"2024-12-20", 20, "2025-01-20", 0},
        {"2025-09-30", 1, "2025-10-09", 0},  /* 2025 National Day + Mid-Autumn */
        {"2025-10-10", 1, "2025-10-11", 0},
        {"2024-06-07", 1, "2024-06-11", 0},  /* Dragon Boat Monday */
        {"2026-12-31", 1, "2027-01-01", 1},  /* 2027 unknown: weekends alone */
        {"2030-01-01", 5, "2030-01-08", 1},
        {"2026-12-20", 20, "2027-01-15", 1},
        {"2023-12-29", 1, "2024-01-02", 1},  /* 2023 unknown (not built in); 01-01 off */
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        workday_date end;
        int prov = -1;
        assert_int_equal(workday_add(D(cases[i].start), cases[i].n, &end, &prov), 0);
        if (strcmp(F(end), cases[i].end) != 0 || prov != cases[i].prov)
            fail_msg("%s + %d: got %s prov %d, want %s prov %d", cases[i].start, cases[i].n,
                     F(end), prov, cases[i].end, cases[i].prov);
    }
}

static void test_add_between_inverse(void **state)
{
    (void)state;
    /* For every start in 2024-2026 and several counts: the end is a working
     * day, workday_between gives the count back, and the day before the end
     * gives one less. */
    int counts[] = {1, 2, 5, 10, 20, 30, 60};
    for (workday_date s = D("2024-01-01"); s <= D("2026-10-01"); s++)
        for (size_t k = 0; k < sizeof counts / sizeof *counts; k++) {
            workday_date e;
            int n, prov;
            assert_int_equal(workday_add(s, counts[k], &e, &prov), 0);
            assert_int_equal(prov, 0);
            assert_int_equal(workday_is_workday(e, NULL), 1);
            assert_int_equal(workday_between(s, e, &n, NULL), 0);
            assert_int_equal(n, counts[k]);
            assert_int_equal(workday_between(s, e - 1, &n, NULL), 0);
            assert_int_equal(n, counts[k] - 1);
            assert_int_equal(workday_between(e, s, &n, NULL), 0);
            assert_int_equal(n, -counts[k]);
        }
}

static void test_bad_counts(void **state)
{
    (void)state;
    workday_date e = 7;
    assert_true(workday_add(D("2026-01-05"), -1, &e, NULL) < 0);
    assert_true(workday_add(D("2026-01-05"), WORKDAY_MAX_COUNT + 1, &e, NULL) < 0);
    assert_true(workday_add(D("2026-01-05"), 1000000, &e, NULL) < 0);
    assert_int_equal(e, 7);
    assert_int_equal(workday_add(D("2026-01-05"), WORKDAY_MAX_COUNT, &e, NULL), 0);
    assert_true(workday_add(D("9999-12-30"), 10, &e, NULL) < 0);
    assert_true(workday_add(WORKDAY_NONE, 1, &e, NULL) < 0);
    int n;
    assert_true(workday_between(D("1900-01-01"), D("9999-01-01"), &n, NULL) < 0);
    assert_true(workday_add_calendar_days(D("2026-01-05"), -1, &e, NULL) < 0);
    assert_true(workday_is_workday(WORKDAY_NONE, NULL) < 0);
    struct workday_info info;
    assert_true(workday_day_info(D("1900-01-01") - 1, &info) < 0);
}

static void test_calendar_days(void **state)
{
    (void)state;
    workday_date e;
    int prov;
    assert_int_equal(workday_add_calendar_days(D("2026-09-20"), 10, &e, &prov), 0);
    assert_string_equal(F(e), "2026-09-30");
    /* The last day falls in National Day: the next working day. */
    assert_int_equal(workday_add_calendar_days(D("2026-09-21"), 10, &e, &prov), 0);
    assert_string_equal(F(e), "2026-10-08");
    assert_int_equal(prov, 0);
    /* Last day Saturday 10-10, a make-up working day: it stays. */
    assert_int_equal(workday_add_calendar_days(D("2026-09-30"), 10, &e, &prov), 0);
    assert_string_equal(F(e), "2026-10-10");
    assert_int_equal(workday_add_calendar_days(D("2030-06-01"), 0, &e, &prov), 0);
    assert_string_equal(F(e), "2030-06-03"); /* a Saturday → Monday */
    assert_int_equal(prov, 1);
}

static void test_unknown_years(void **state)
{
    (void)state;
    int years[8];
    assert_int_equal(workday_years(years, 8), 3);
    assert_int_equal(years[0], 2024);
    assert_int_equal(years[2], 2026);
    assert_int_equal(workday_year_known(2026), 1);
    assert_int_equal(workday_year_known(2027), 0);
    int prov = 0;
    /* 2027-10-01 and 2030-10-01 will surely be holidays, but nothing is
     * published: weekends alone, and said to be provisional. */
    assert_int_equal(workday_is_workday(D("2027-10-01"), &prov), 1);
    assert_int_equal(prov, 1);
    assert_int_equal(workday_is_workday(D("2030-10-01"), &prov), 1);
    assert_int_equal(prov, 1);
    assert_int_equal(workday_is_workday(D("2030-10-05"), &prov), 0);
    assert_int_equal(prov, 1);
    assert_int_equal(workday_is_workday(D("2026-10-01"), &prov), 0);
    assert_int_equal(prov, 0);
    int n;
    assert_int_equal(workday_between(D("2026-12-01"), D("2026-12-31"), &n, &prov), 0);
    assert_int_equal(prov, 0);
    assert_int_equal(workday_between(D("2026-12-01"), D("2027-01-01"), &n, &prov), 0);
    assert_int_equal(prov, 1);
}

static void test_office_hours(void **state)
{
    (void)state;
    struct workday_hours h = WORKDAY_HOURS_DEFAULT;
    static const struct {
        const char *at, *received;
    } cases[] = {
        {"2026-09-24T10:00:00+08:00", "2026-09-24"}, /* Thursday, open */
        {"2026-09-24T07:00:00+08:00", "2026-09-24"}, /* before opening: that day */
        {"2026-09-24T17:29:00+08:00", "2026-09-24"},
        {"2026-09-24T17:30:00+08:00", "2026-09-28"}, /* closed; Fri is Mid-Autumn */
        {"2026-09-24T23:59:00+08:00", "2026-09-28"},
        {"2026-09-19T11:00:00+08:00", "2026-09-20"}, /* Sat → make-up Sunday */
        {"2026-10-10T10:00:00+08:00", "2026-10-10"}, /* make-up Saturday itself */
        {"2026-10-01T10:00:00+08:00", "2026-10-08"},
        {"2026-12-31T18:00:00+08:00", "2027-01-01"}, /* unknown 2027: weekends alone */
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        int64_t ms;
        workday_date d;
        assert_int_equal(clock_parse_iso(cases[i].at, &ms), 0);
        assert_int_equal(workday_received_on(ms, &h, &d, NULL), 0);
        if (strcmp(F(d), cases[i].received) != 0)
            fail_msg("%s: received %s, want %s", cases[i].at, F(d), cases[i].received);
    }
    int64_t ms, end;
    assert_int_equal(clock_parse_iso("2026-09-24T16:30:00+08:00", &ms), 0);
    assert_int_equal(workday_add_office_minutes(ms, 120, &h, &end, NULL), 0);
    int minute;
    assert_string_equal(F(workday_date_of(end, &minute)), "2026-09-28");
    assert_int_equal(minute, 9 * 60 + 30);
    assert_int_equal(workday_add_office_minutes(ms, 60, &h, &end, NULL), 0);
    assert_string_equal(F(workday_date_of(end, &minute)), "2026-09-24");
    assert_int_equal(minute, 17 * 60 + 30);
    struct workday_hours bad = {600, 500};
    assert_true(workday_received_on(ms, &bad, &(workday_date){0}, NULL) < 0);
    assert_true(workday_add_office_minutes(ms, -1, &h, &end, NULL) < 0);
}

/* ---- Loading ----------------------------------------------------------- */

static const char *y2030 =
    "{\"year\": 2030, \"source\": \"test\", \"holidays\": ["
    "{\"name\": \"国庆节\", \"from\": \"2030-10-01\", \"to\": \"2030-10-07\"}],"
    "\"adjusted_workdays\": [\"2030-09-29\", \"2030-10-12\"]}";

static void test_load_and_twice(void **state)
{
    (void)state;
    struct err e;
    int prov;
    assert_int_equal(workday_is_workday(D("2030-10-01"), &prov), 1);
    assert_int_equal(prov, 1);
    assert_int_equal(workday_load_json(y2030, strlen(y2030), &e), 0);
    assert_int_equal(workday_is_workday(D("2030-10-01"), &prov), 0);
    assert_int_equal(prov, 0);
    assert_int_equal(workday_is_workday(D("2030-09-29"), &prov), 1); /* Sunday, make-up */
    assert_int_equal(workday_year_known(2030), 1);

    /* The same year again, even with different content: refused, unchanged. */
    const char *other = "{\"year\": 2030, \"holidays\": [], \"adjusted_workdays\": []}";
    assert_int_equal(workday_load_json(other, strlen(other), &e), -ERR_CONFLICT);
    assert_string_equal(e.key, "workday.err.loaded");
    assert_string_equal(e.arg, "2030");
    assert_int_equal(workday_is_workday(D("2030-10-01"), NULL), 0);
    /* A built-in year too. */
    assert_int_equal(workday_load_json(other, strlen(other), &e), -ERR_CONFLICT);

    /* Replacing is a separate, explicit operation. */
    struct workday_year *y;
    assert_int_equal(workday_year_parse(other, strlen(other), &y, &e), 0);
    assert_int_equal(workday_replace_year(y, &e), 0);
    workday_year_free(y);
    assert_int_equal(workday_is_workday(D("2030-10-01"), &prov), 1);
    assert_int_equal(prov, 0); /* known: a year with no holidays at all */
    char src[64];
    assert_int_equal(workday_year_source(2024, src, sizeof src), 0);
    assert_non_null(strstr(src, "2024"));
    assert_int_equal(workday_year_source(2031, src, sizeof src), -ERR_NOT_FOUND);

    char path[512];
    snprintf(path, sizeof path, "%s/data/calendar/2026.json", ONEHALL_SOURCE_DIR);
    assert_int_equal(workday_load_file(path, &e), -ERR_CONFLICT);
    assert_true(workday_load_file("/nonexistent/2031.json", &e) < 0);
    assert_string_equal(e.key, "workday.err.file");
}

static void test_bad_files(void **state)
{
    (void)state;
    static const struct {
        const char *json, *key;
    } cases[] = {
        {"{", "workday.err.json"},
        {"[]", "workday.err.type"},
        {"{\"year\": 2031, \"holidays\": [], \"adjusted_workdays\": [], \"extra\": 1}",
         "workday.err.key"},
        {"{\"holidays\": [], \"adjusted_workdays\": []}", "workday.err.year"},
        {"{\"year\": \"2031\", \"holidays\": [], \"adjusted_workdays\": []}", "workday.err.year"},
        {"{\"year\": 2031, \"adjusted_workdays\": []}", "workday.err.type"},
        {"{\"year\": 2031, \"holidays\": []}", "workday.err.type"},
        /* impossible date */
        {"{\"year\": 2031, \"holidays\": [{\"name\": \"x\", \"from\": \"2031-02-29\", \"to\": "
         "\"2031-03-01\"}], \"adjusted_workdays\": []}",
         "workday.err.date"},
        /* reversed */
        {"{\"year\": 2031, \"holidays\": [{\"name\": \"x\", \"from\": \"2031-05-05\", \"to\": "
         "\"2031-05-01\"}], \"adjusted_workdays\": []}",
         "workday.err.reversed"},
        /* overlapping ranges */
        {"{\"year\": 2031, \"holidays\": [{\"name\": \"a\", \"from\": \"2031-05-01\", \"to\": "
         "\"2031-05-05\"}, {\"name\": \"b\", \"from\": \"2031-05-05\", \"to\": \"2031-05-06\"}], "
         "\"adjusted_workdays\": []}",
         "workday.err.overlap"},
        /* a day both holiday and adjusted working day (Sat 2031-05-03) */
        {"{\"year\": 2031, \"holidays\": [{\"name\": \"a\", \"from\": \"2031-05-01\", \"to\": "
         "\"2031-05-05\"}], \"adjusted_workdays\": [\"2031-05-03\"]}",
         "workday.err.both"},
        /* adjusted working day on a Tuesday */
        {"{\"year\": 2031, \"holidays\": [], \"adjusted_workdays\": [\"2031-05-06\"]}",
         "workday.err.not_weekend"},
        {"{\"year\": 2031, \"holidays\": [], \"adjusted_workdays\": [\"2031-05-10\", "
         "\"2031-05-10\"]}",
         "workday.err.duplicate"},
        /* far outside the year */
        {"{\"year\": 2031, \"holidays\": [], \"adjusted_workdays\": [\"2032-06-05\"]}",
         "workday.err.outside_year"},
        {"{\"year\": 2031, \"holidays\": [{\"name\": \"a\", \"from\": \"2030-12-20\", \"to\": "
         "\"2030-12-21\"}], \"adjusted_workdays\": []}",
         "workday.err.outside_year"},
        {"{\"year\": 2031, \"holidays\": [{\"name\": \"a\", \"from\": \"2031-01-01\", \"to\": "
         "\"2031-03-01\"}], \"adjusted_workdays\": []}",
         "workday.err.too_long"},
        {"{\"year\": 2031, \"holidays\": [{\"name\": \"\", \"from\": \"2031-01-01\", \"to\": "
         "\"2031-01-01\"}], \"adjusted_workdays\": []}",
         "workday.err.name"},
        {"{\"year\": 2031, \"holidays\": [{\"name\": \"a\\nb\", \"from\": \"2031-01-01\", "
         "\"to\": \"2031-01-01\"}], \"adjusted_workdays\": []}",
         "workday.err.name"},
        {"{\"year\": 2031, \"holidays\": [{\"name\": \"a\", \"from\": \"2031-01-01\"}], "
         "\"adjusted_workdays\": []}",
         "workday.err.type"},
        {"{\"year\": 2031, \"holidays\": [{\"name\": \"a\", \"from\": \"2031-01-01\", \"to\": "
         "\"2031-01-01\", \"until\": 1}], \"adjusted_workdays\": []}",
         "workday.err.key"},
        {"{\"year\": 2031, \"year\": 2032, \"holidays\": [], \"adjusted_workdays\": []}",
         "workday.err.json"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        struct err e;
        err_clear(&e);
        struct workday_year *y = NULL;
        int rc = workday_year_parse(cases[i].json, strlen(cases[i].json), &y, &e);
        if (rc >= 0 || strcmp(e.key, cases[i].key) != 0)
            fail_msg("case %zu: rc %d key %s, want %s", i, rc, e.key, cases[i].key);
        assert_null(y);
        /* Loading it changes nothing. */
        assert_true(workday_load_json(cases[i].json, strlen(cases[i].json), &e) < 0);
        assert_int_equal(workday_year_known(2031), 0);
        /* Every error key has a text in both languages. */
        assert_string_not_equal(tr(LANG_EN, cases[i].key), cases[i].key);
        assert_string_not_equal(tr(LANG_ZH, cases[i].key), cases[i].key);
    }
}

static void test_neighbouring_year(void **state)
{
    (void)state;
    /* The 2023 notice put New Year's Day on 2022-12-31..2023-01-02 (real
     * data, see the reference holiday-cn/2023.json). The 2022 edge day is
     * accepted and, 2022 being unknown, is all that is known of 2022. */
    const char *y2023 =
        "{\"year\": 2023, \"holidays\": [{\"name\": \"元旦\", \"from\": \"2022-12-31\", "
        "\"to\": \"2023-01-02\"}], \"adjusted_workdays\": [\"2023-01-28\"]}";
    struct err e;
    assert_int_equal(workday_load_json(y2023, strlen(y2023), &e), 0);
    struct workday_info info;
    workday_day_info(D("2022-12-31"), &info);
    assert_int_equal(info.kind, WORKDAY_HOLIDAY);
    assert_int_equal(info.provisional, 0);
    assert_string_equal(info.name, "元旦");
    workday_day_info(D("2022-12-30"), &info);
    assert_int_equal(info.provisional, 1);
    workday_date end;
    int prov;
    assert_int_equal(workday_add(D("2022-12-30"), 1, &end, &prov), 0);
    assert_string_equal(F(end), "2023-01-03");
    assert_int_equal(prov, 0); /* 12-31 is published, 2023 is loaded */

    /* A 2027 file claiming 2026-12-31 (a Thursday that the 2026 calendar
     * leaves a working day) as a holiday contradicts 2026: refused. */
    const char *y2027 =
        "{\"year\": 2027, \"holidays\": [{\"name\": \"元旦\", \"from\": \"2026-12-31\", "
        "\"to\": \"2027-01-02\"}], \"adjusted_workdays\": []}";
    assert_int_equal(workday_load_json(y2027, strlen(y2027), &e), -ERR_CONFLICT);
    assert_string_equal(e.key, "workday.err.neighbour");
    assert_string_equal(e.arg, "2026-12-31");
    assert_int_equal(workday_year_known(2027), 0);
    assert_int_equal(workday_is_workday(D("2026-12-31"), NULL), 1);
    /* Agreeing edge days are fine: Sat 2027-01-02 is off in both. */
    const char *ok2027 =
        "{\"year\": 2027, \"holidays\": [{\"name\": \"元旦\", \"from\": \"2027-01-01\", "
        "\"to\": \"2027-01-03\"}], \"adjusted_workdays\": []}";
    assert_int_equal(workday_load_json(ok2027, strlen(ok2027), &e), 0);
    assert_int_equal(workday_add(D("2026-12-31"), 1, &end, &prov), 0);
    assert_string_equal(F(end), "2027-01-04");
    assert_int_equal(prov, 0);
}

/* ---- Threads ----------------------------------------------------------- */

static atomic_int stop_readers;

/** Reader: answers about known years must never change while years are
 *  loaded and replaced. */
static void *reader(void *arg)
{
    long *errors = arg;
    workday_date start = D("2026-09-25"), want = D("2026-10-29");
    while (!stop_readers) {
        workday_date end;
        int prov;
        if (workday_add(start, 20, &end, &prov) < 0 || end != want || prov)
            (*errors)++;
        struct workday_info info;
        if (workday_day_info(D("2026-10-01"), &info) < 0 || strcmp(info.name, "国庆节"))
            (*errors)++;
        workday_day_info(D("2030-10-01"), &info); /* flips between versions */
    }
    return NULL;
}

static void test_concurrent_reads(void **state)
{
    (void)state;
    pthread_t t[4];
    long errors[4] = {0};
    stop_readers = 0;
    for (int i = 0; i < 4; i++)
        pthread_create(&t[i], NULL, reader, &errors[i]);
    struct workday_year *a, *b;
    struct err e;
    const char *empty = "{\"year\": 2030, \"holidays\": [], \"adjusted_workdays\": []}";
    assert_int_equal(workday_year_parse(y2030, strlen(y2030), &a, &e), 0);
    assert_int_equal(workday_year_parse(empty, strlen(empty), &b, &e), 0);
    for (int i = 0; i < 200; i++)
        assert_int_equal(workday_replace_year(i % 2 ? a : b, &e), 0);
    stop_readers = 1;
    for (int i = 0; i < 4; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal(errors[i], 0);
    }
    workday_year_free(a);
    workday_year_free(b);
}

int main(void)
{
    if (i18n_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_strict),
        cmocka_unit_test(test_roundtrip_all_days),
        cmocka_unit_test(test_local_time),
        cmocka_unit_test_setup_teardown(test_cross_check_holiday_cn, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cross_check_npm, setup, teardown),
        cmocka_unit_test_setup_teardown(test_every_holiday, setup, teardown),
        cmocka_unit_test_setup_teardown(test_add_examples, setup, teardown),
        cmocka_unit_test_setup_teardown(test_add_between_inverse, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_counts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_calendar_days, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unknown_years, setup, teardown),
        cmocka_unit_test_setup_teardown(test_office_hours, setup, teardown),
        cmocka_unit_test_setup_teardown(test_load_and_twice, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_files, setup, teardown),
        cmocka_unit_test_setup_teardown(test_neighbouring_year, setup, teardown),
        cmocka_unit_test_setup_teardown(test_concurrent_reads, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
