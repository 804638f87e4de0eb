/**
 * @file workday.h
 * @brief The working-day calendar and its arithmetic (no database, no HTTP).
 *
 * Chinese administrative time limits are counted in working days
 * (Administrative Licensing Law art. 82) on the calendar of public holidays
 * and adjusted working days that the State Council publishes each autumn.
 * A date is a working day when it is Monday to Friday and inside no holiday
 * range, or when it is listed as an adjusted working day.
 *
 * A year whose calendar is not loaded is UNKNOWN, not holiday-free: its dates
 * are decided on weekends alone and every answer that looked at such a date
 * says so through a `provisional` flag.
 *
 * Dates are whole days counted from 1970-01-01 (workday_date), valid from
 * 1900-01-01 to 9999-12-31. Instants are milliseconds since the Unix epoch,
 * read in the zone Asia/Shanghai (UTC+08:00, no daylight saving since 1991).
 *
 * Threads: every query reads an immutable snapshot reached through one atomic
 * pointer; loading a year builds a new snapshot and swaps it in, so readers
 * never wait and never see half a year. Old snapshots stay alive until
 * workday_cleanup (loads happen a few times a year), so a borrowed holiday
 * name stays valid until then.
 */
#ifndef ONEHALL_WORKDAY_H
#define ONEHALL_WORKDAY_H
#include "core/err.h"
#include <stddef.h>
#include <stdint.h>

/** Days since 1970-01-01. */
typedef int32_t workday_date;

/** "No date" (e.g. no due date while a clock is stopped). */
#define WORKDAY_NONE INT32_MIN
/** Largest working-day count accepted by the arithmetic (about 14 years). */
#define WORKDAY_MAX_COUNT 3650
/** Size of a buffer for workday_date_format ("YYYY-MM-DD" + NUL). */
#define WORKDAY_DATE_BUFSZ 11

/* ---- Dates ------------------------------------------------------------- */

/** Makes a date from year, month (1-12), day; -ERR_INVALID when it does not
 *  exist (2026-02-30) or lies outside 1900..9999. *out set only on success. */
int workday_date_from_ymd(int y, int m, int d, workday_date *out);
/** Splits a date into year, month, day (any pointer may be NULL). */
void workday_date_to_ymd(workday_date date, int *y, int *m, int *d);
/** Parses exactly "YYYY-MM-DD" (ten characters, nothing around them);
 *  -ERR_INVALID for anything else, including impossible dates. */
int workday_date_parse(const char *s, workday_date *out);
/** Writes "YYYY-MM-DD" into out (WORKDAY_DATE_BUFSZ bytes); returns out. */
char *workday_date_format(workday_date date, char *out);
/** ISO weekday: 1 = Monday .. 7 = Sunday. */
int workday_weekday(workday_date date);
/** The local (Asia/Shanghai) date of an instant and, when minute is not
 *  NULL, its minute of the day (0..1439). */
workday_date workday_date_of(int64_t ms, int *minute);
/** The instant of minute (0..1439) on the local date. */
int64_t workday_instant(workday_date date, int minute);

/* ---- Calendar ---------------------------------------------------------- */

/** A named range of days off, both ends included (weekends inside included). */
struct workday_holiday {
    char name[64];
    workday_date from, to;
};

/** One year's calendar as published, after validation. Dates of the
 *  neighbouring year are allowed at the edges (see workday_year_parse). */
struct workday_year {
    int year;
    char source[512];
    struct workday_holiday *holidays;
    size_t n_holidays;
    workday_date *adjusted; /**< sorted */
    size_t n_adjusted;
};

/** Parses and fully validates a calendar in the format of
 *  data/calendar/YYYY.json. Refused, with e filled: malformed JSON, unknown
 *  keys, impossible dates, reversed or overlong ranges, overlapping holiday
 *  ranges, a day both holiday and adjusted working day, an adjusted working
 *  day that is not a Saturday or Sunday, a duplicate, and any date outside
 *  the file's year except in the 31 days either side of it (notices put a
 *  New Year range starting on Dec 31, or a make-up Sunday in early January,
 *  into the neighbouring year's file). Nothing global changes. On success
 *  *out is a new year the caller frees with workday_year_free. */
int workday_year_parse(const char *json, size_t len, struct workday_year **out, struct err *e);
void workday_year_free(struct workday_year *y);

/** Loads the calendars built into the binary (data/calendar/YYYY.json).
 *  Calling it again is harmless (years already there are kept). 0 or < 0. */
int workday_init(void);
/** Frees every snapshot; no query may run concurrently. Afterwards every
 *  year is unknown until workday_init or a load. */
void workday_cleanup(void);

/** Adds a validated year to the calendar. Refused with nothing changed when
 *  the year is already loaded (ERR_CONFLICT) or when its edge dates
 *  contradict a loaded neighbour (or the neighbour's edge dates contradict
 *  it). The year is copied. */
int workday_add_year(const struct workday_year *y, struct err *e);
/** Like workday_add_year, but replaces a loaded year: the explicit intent
 *  needed to correct a published calendar. */
int workday_replace_year(const struct workday_year *y, struct err *e);
/** Runs every check of workday_add_year (replace 0) or workday_replace_year
 *  (replace 1) without changing the calendar: to validate before storing. */
int workday_check_year(const struct workday_year *y, int replace, struct err *e);
/** workday_year_parse + workday_add_year. */
int workday_load_json(const char *json, size_t len, struct err *e);
/** Reads a file (at most 1 MiB) and loads it like workday_load_json. */
int workday_load_file(const char *path, struct err *e);

/** 1 when year's calendar is loaded, else 0. */
int workday_year_known(int year);
/** Writes up to max loaded years, ascending, into out; returns how many are
 *  loaded (may exceed max). */
int workday_years(int *out, int max);
/** The loaded year's source text, copied into out (size n); -ERR_NOT_FOUND
 *  when the year is not loaded. */
int workday_year_source(int year, char *out, size_t n);

/* ---- Days -------------------------------------------------------------- */

enum workday_kind {
    WORKDAY_WORKDAY,  /**< Monday to Friday, no holiday */
    WORKDAY_WEEKEND,  /**< Saturday or Sunday, no adjustment */
    WORKDAY_HOLIDAY,  /**< inside a published holiday range */
    WORKDAY_ADJUSTED, /**< a weekend day published as a working day */
};

struct workday_info {
    enum workday_kind kind;
    int working;      /**< 1 when a working day */
    int provisional;  /**< 1 when decided on weekends alone (unknown year) */
    const char *name; /**< holiday name, or "" (borrowed; valid until cleanup) */
};

/** Describes a date. -ERR_INVALID when the date is out of range. */
int workday_day_info(workday_date date, struct workday_info *out);
/** 1 when a working day, 0 when not, < 0 when the date is out of range.
 *  *provisional (may be NULL) is set to 1 when the year is unknown. */
int workday_is_workday(workday_date date, int *provisional);

/* ---- Arithmetic -------------------------------------------------------- */

/** The date on which n working days counted from start end: the start day is
 *  not counted, the n-th working day after it is returned; n == 0 gives start
 *  itself (immediate). n outside 0..WORKDAY_MAX_COUNT → -ERR_INVALID.
 *  *provisional (may be NULL) is set to 1 when a day of an unknown year was
 *  looked at, else 0. */
int workday_add(workday_date start, int n, workday_date *end, int *provisional);
/** Working days after a up to and including b (negative when b < a), so that
 *  workday_between(a, workday_add(a, n)) == n. The span may not exceed
 *  36,600 calendar days. */
int workday_between(workday_date a, workday_date b, int *count, int *provisional);
/** Calendar-day limits: start + n days; when that last day is not a working
 *  day the limit ends on the next working day (Civil Code art. 203).
 *  n in 0..36,600. */
int workday_add_calendar_days(workday_date start, int n, workday_date *end, int *provisional);

/** Office hours in minutes of the day, Asia/Shanghai: [open, close). */
struct workday_hours {
    int open;
    int close;
};
/** 08:30-17:30, the hall's default (configurable per hall). */
#define WORKDAY_HOURS_DEFAULT ((struct workday_hours){8 * 60 + 30, 17 * 60 + 30})

/** The date on which something arriving at instant ms counts as received:
 *  during office hours of a working day → that day; before opening of a
 *  working day → that day; after closing or on a non-working day → the next
 *  working day. -ERR_INVALID for bad hours or an instant out of range. */
int workday_received_on(int64_t ms, const struct workday_hours *h, workday_date *out,
                        int *provisional);
/** Hour limits: the instant at which `minutes` of office time (working days,
 *  inside h) have passed since ms. Time before opening, after closing and on
 *  non-working days does not count. minutes in 0..WORKDAY_MAX_COUNT*24*60. */
int workday_add_office_minutes(int64_t ms, int64_t minutes, const struct workday_hours *h,
                               int64_t *end_ms, int *provisional);
#endif
