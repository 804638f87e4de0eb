/**
 * @file workday.c
 * @brief The working-day calendar: dates, validated year files, an immutable
 *        per-day table swapped in atomically, and working-day arithmetic.
 */
#include "core/workday.h"
#include "core/mem.h"
#include "core/res.h"
#include <jansson.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- Dates ------------------------------------------------------------- */

#define YEAR_MIN 1900
#define YEAR_MAX 9999
/* Days from 0001-01-01 (proleptic Gregorian) to 1970-01-01. */
#define EPOCH_OFFSET 719162
#define MS_PER_DAY 86400000LL
#define ZONE_MS (8 * 3600 * 1000LL) /* Asia/Shanghai, fixed +08:00 */

static const int month_start[2][13] = {
    {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365},
    {0, 31, 60, 91, 121, 152, 182, 213, 244, 274, 305, 335, 366},
};

/** 1 for a Gregorian leap year. */
static int is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/** Days from 0001-01-01 to January 1st of year y (y >= 1). */
static int32_t days_before_year(int y)
{
    int p = y - 1;
    return p * 365 + p / 4 - p / 100 + p / 400;
}

/** Date of January 1st of y, unchecked. */
static workday_date jan1(int y)
{
    return days_before_year(y) - EPOCH_OFFSET;
}

/** First and last valid dates. */
static workday_date date_min(void)
{
    return jan1(YEAR_MIN);
}
static workday_date date_max(void)
{
    return jan1(YEAR_MAX + 1) - 1;
}

/** 1 when d lies within the supported range. */
static int date_ok(workday_date d)
{
    return d != WORKDAY_NONE && d >= date_min() && d <= date_max();
}

int workday_date_from_ymd(int y, int m, int d, workday_date *out)
{
    if (y < YEAR_MIN || y > YEAR_MAX || m < 1 || m > 12 || d < 1)
        return -ERR_INVALID;
    int leap = is_leap(y);
    if (d > month_start[leap][m] - month_start[leap][m - 1])
        return -ERR_INVALID;
    *out = jan1(y) + month_start[leap][m - 1] + d - 1;
    return 0;
}

void workday_date_to_ymd(workday_date date, int *y, int *m, int *d)
{
    /* Estimate the year from the mean Gregorian year, then correct: the
     * estimate is off by at most one in either direction. */
    int64_t days = (int64_t)date + EPOCH_OFFSET;
    int yy = (int)(days * 400 / 146097) + 1;
    while (yy > 1 && days_before_year(yy) > days)
        yy--;
    while (days_before_year(yy + 1) <= days)
        yy++;
    int doy = (int)(days - days_before_year(yy));
    int leap = is_leap(yy), mm = 1;
    while (mm < 12 && month_start[leap][mm] <= doy)
        mm++;
    if (y)
        *y = yy;
    if (m)
        *m = mm;
    if (d)
        *d = doy - month_start[leap][mm - 1] + 1;
}

/** Reads n decimal digits at s; -1 when one is not a digit. */
static int digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

int workday_date_parse(const char *s, workday_date *out)
{
    if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return -ERR_INVALID;
    int y = digits(s, 4), m = digits(s + 5, 2), d = digits(s + 8, 2);
    if (y < 0 || m < 0 || d < 0)
        return -ERR_INVALID;
    return workday_date_from_ymd(y, m, d, out);
}

char *workday_date_format(workday_date date, char *out)
{
    if (!date_ok(date)) {
        snprintf(out, WORKDAY_DATE_BUFSZ, "----------");
        return out;
    }
    int y, m, d;
    workday_date_to_ymd(date, &y, &m, &d);
    /* The casts tell the compiler the fields are small (the range is checked). */
    snprintf(out, WORKDAY_DATE_BUFSZ, "%04u-%02u-%02u", (unsigned)y % 10000u,
             (unsigned)m % 100u, (unsigned)d % 100u);
    return out;
}

int workday_weekday(workday_date date)
{
    /* 1970-01-01 was a Thursday (4). */
    int r = (int)(((int64_t)date + 3) % 7);
    if (r < 0)
        r += 7;
    return r + 1;
}

workday_date workday_date_of(int64_t ms, int *minute)
{
    int64_t local = ms + ZONE_MS;
    int64_t day = local / MS_PER_DAY;
    int64_t rem = local % MS_PER_DAY;
    if (rem < 0) {
        rem += MS_PER_DAY;
        day--;
    }
    if (minute)
        *minute = (int)(rem / 60000);
    if (day < INT32_MIN + 1 || day > INT32_MAX)
        return WORKDAY_NONE;
    return (workday_date)day;
}

int64_t workday_instant(workday_date date, int minute)
{
    return (int64_t)date * MS_PER_DAY + (int64_t)minute * 60000 - ZONE_MS;
}

/* ---- Year files -------------------------------------------------------- */

/* How far a year file may reach into the neighbouring years. */
#define SPILL_DAYS 31
#define MAX_ENTRIES 64
#define MAX_RANGE_DAYS 31

void workday_year_free(struct workday_year *y)
{
    if (!y)
        return;
    free(y->holidays);
    free(y->adjusted);
    free(y);
}

/** Deep copy of a year. */
static struct workday_year *year_dup(const struct workday_year *src)
{
    struct workday_year *y = xcalloc(1, sizeof *y);
    *y = *src;
    y->holidays = xcalloc(src->n_holidays + 1, sizeof *y->holidays);
    if (src->n_holidays)
        memcpy(y->holidays, src->holidays, src->n_holidays * sizeof *y->holidays);
    y->adjusted = xcalloc(src->n_adjusted + 1, sizeof *y->adjusted);
    if (src->n_adjusted)
        memcpy(y->adjusted, src->adjusted, src->n_adjusted * sizeof *y->adjusted);
    return y;
}

/** Fills e with key and a printf-formatted argument; returns -ERR_INVALID. */
static int fail(struct err *e, const char *field, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int fail(struct err *e, const char *field, const char *key, const char *fmt, ...)
{
    char arg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(arg, sizeof arg, fmt, ap);
    va_end(ap);
    return err_set(e, ERR_INVALID, field, key, arg);
}

/** Parses a date-valued JSON string at `where`, checking it lies in the
 *  file's year or within SPILL_DAYS of it. */
static int json_date(json_t *v, int year, const char *where, workday_date *out, struct err *e)
{
    if (!json_is_string(v))
        return fail(e, where, "workday.err.type", "%s", where);
    const char *s = json_string_value(v);
    if (workday_date_parse(s, out) < 0)
        return fail(e, where, "workday.err.date", "%s: \"%.40s\"", where, s);
    if (*out < jan1(year) - SPILL_DAYS || *out >= jan1(year + 1) + SPILL_DAYS)
        return fail(e, where, "workday.err.outside_year", "%s: %s (%d)", where, s, year);
    return 0;
}

/** Orders dates for qsort. */
static int cmp_date(const void *a, const void *b)
{
    workday_date x = *(const workday_date *)a, y = *(const workday_date *)b;
    return (x > y) - (x < y);
}

/** Orders holidays by first day. */
static int cmp_holiday(const void *a, const void *b)
{
    const struct workday_holiday *x = a, *y = b;
    return (x->from > y->from) - (x->from < y->from);
}

/** 1 when s holds a control character (names are shown in HTML, iCalendar
 *  and terminals; a control character there is never intended). */
static int has_control(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return 1;
    return 0;
}

/** Validates the holidays array into y. */
static int parse_holidays(json_t *arr, struct workday_year *y, struct err *e)
{
    if (!json_is_array(arr))
        return fail(e, "holidays", "workday.err.type", "holidays");
    size_t n = json_array_size(arr);
    if (n > MAX_ENTRIES)
        return fail(e, "holidays", "workday.err.too_many", "holidays: %zu", n);
    y->holidays = xcalloc(n + 1, sizeof *y->holidays);
    for (size_t i = 0; i < n; i++) {
        char where[64];
        json_t *h = json_array_get(arr, i);
        snprintf(where, sizeof where, "holidays[%zu]", i);
        if (!json_is_object(h))
            return fail(e, where, "workday.err.type", "%s", where);
        const char *k;
        json_t *v;
        json_object_foreach(h, k, v)
        {
            if (strcmp(k, "name") && strcmp(k, "from") && strcmp(k, "to"))
                return fail(e, where, "workday.err.key", "%s.%.40s", where, k);
        }
        struct workday_holiday *hd = &y->holidays[i];
        json_t *name = json_object_get(h, "name");
        if (!json_is_string(name) || json_string_length(name) == 0 ||
            json_string_length(name) >= sizeof hd->name || has_control(json_string_value(name)))
            return fail(e, where, "workday.err.name", "%s.name", where);
        snprintf(hd->name, sizeof hd->name, "%s", json_string_value(name));
        char wf[80], wt[80];
        snprintf(wf, sizeof wf, "%s.from", where);
        snprintf(wt, sizeof wt, "%s.to", where);
        int rc = json_date(json_object_get(h, "from"), y->year, wf, &hd->from, e);
        if (rc == 0)
            rc = json_date(json_object_get(h, "to"), y->year, wt, &hd->to, e);
        if (rc < 0)
            return rc;
        char a[WORKDAY_DATE_BUFSZ], b[WORKDAY_DATE_BUFSZ];
        if (hd->to < hd->from)
            return fail(e, where, "workday.err.reversed", "%s: %s > %s", where,
                        workday_date_format(hd->from, a), workday_date_format(hd->to, b));
        if (hd->to - hd->from + 1 > MAX_RANGE_DAYS)
            return fail(e, where, "workday.err.too_long", "%s: %d", where,
                        hd->to - hd->from + 1);
        /* A range must belong to its file: at least one day in the year. */
        if (hd->to < jan1(y->year) || hd->from >= jan1(y->year + 1))
            return fail(e, where, "workday.err.outside_year", "%s: %s (%d)", where,
                        workday_date_format(hd->from, a), y->year);
        y->n_holidays++;
    }
    qsort(y->holidays, y->n_holidays, sizeof *y->holidays, cmp_holiday);
    for (size_t i = 1; i < y->n_holidays; i++)
        if (y->holidays[i].from <= y->holidays[i - 1].to) {
            char a[WORKDAY_DATE_BUFSZ];
            return fail(e, "holidays", "workday.err.overlap", "%s / %s: %s",
                        y->holidays[i - 1].name, y->holidays[i].name,
                        workday_date_format(y->holidays[i].from, a));
        }
    return 0;
}

/** Validates the adjusted_workdays array into y (holidays already parsed). */
static int parse_adjusted(json_t *arr, struct workday_year *y, struct err *e)
{
    if (!json_is_array(arr))
        return fail(e, "adjusted_workdays", "workday.err.type", "adjusted_workdays");
    size_t n = json_array_size(arr);
    if (n > MAX_ENTRIES)
        return fail(e, "adjusted_workdays", "workday.err.too_many", "adjusted_workdays: %zu", n);
    y->adjusted = xcalloc(n + 1, sizeof *y->adjusted);
    char a[WORKDAY_DATE_BUFSZ];
    for (size_t i = 0; i < n; i++) {
        char where[64];
        snprintf(where, sizeof where, "adjusted_workdays[%zu]", i);
        workday_date d;
        int rc = json_date(json_array_get(arr, i), y->year, where, &d, e);
        if (rc < 0)
            return rc;
        /* An adjusted working day swaps a weekend day for a holiday; a
         * weekday listed here would mean nothing, so it is a mistake. */
        if (workday_weekday(d) < 6)
            return fail(e, where, "workday.err.not_weekend", "%s: %s", where,
                        workday_date_format(d, a));
        for (size_t j = 0; j < y->n_holidays; j++)
            if (d >= y->holidays[j].from && d <= y->holidays[j].to)
                return fail(e, where, "workday.err.both", "%s: %s (%s)", where,
                            workday_date_format(d, a), y->holidays[j].name);
        y->adjusted[y->n_adjusted++] = d;
    }
    qsort(y->adjusted, y->n_adjusted, sizeof *y->adjusted, cmp_date);
    for (size_t i = 1; i < y->n_adjusted; i++)
        if (y->adjusted[i] == y->adjusted[i - 1])
            return fail(e, "adjusted_workdays", "workday.err.duplicate", "%s",
                        workday_date_format(y->adjusted[i], a));
    return 0;
}

int workday_year_parse(const char *json, size_t len, struct workday_year **out, struct err *e)
{
    json_error_t jerr;
    json_t *root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root) {
        char arg[256];
        snprintf(arg, sizeof arg, "line %d: %s", jerr.line, jerr.text);
        return err_set(e, ERR_BAD_JSON, "", "workday.err.json", arg);
    }
    struct workday_year *y = xcalloc(1, sizeof *y);
    int rc = 0;
    const char *k;
    json_t *v;
    if (!json_is_object(root)) {
        rc = fail(e, "", "workday.err.type", "(root)");
        goto out;
    }
    json_object_foreach(root, k, v)
    {
        static const char *known[] = {"year", "source", "rule", "holidays", "adjusted_workdays",
                                      "$schema"};
        int ok = 0;
        for (size_t i = 0; i < sizeof known / sizeof *known; i++)
            ok |= strcmp(k, known[i]) == 0;
        if (!ok) {
            rc = fail(e, k, "workday.err.key", "%.60s", k);
            goto out;
        }
    }
    json_t *jy = json_object_get(root, "year");
    if (!json_is_integer(jy) || json_integer_value(jy) < YEAR_MIN + 1 ||
        json_integer_value(jy) > YEAR_MAX - 1) {
        rc = fail(e, "year", "workday.err.year", "year");
        goto out;
    }
    y->year = (int)json_integer_value(jy);
    json_t *src = json_object_get(root, "source");
    if (src && (!json_is_string(src) || has_control(json_string_value(src)))) {
        rc = fail(e, "source", "workday.err.type", "source");
        goto out;
    }
    snprintf(y->source, sizeof y->source, "%s", src ? json_string_value(src) : "");
    rc = parse_holidays(json_object_get(root, "holidays"), y, e);
    if (rc == 0)
        rc = parse_adjusted(json_object_get(root, "adjusted_workdays"), y, e);
out:
    json_decref(root);
    if (rc < 0) {
        workday_year_free(y);
        return rc;
    }
    *out = y;
    return 0;
}

/* ---- Snapshots --------------------------------------------------------- */

/* Per-day flags in a snapshot's table. */
enum {
    DAY_HOLIDAY = 1,  /* published day off */
    DAY_ADJUSTED = 2, /* published make-up working day */
    DAY_KNOWN = 4,    /* decided by a published calendar */
};

/** An immutable view of every loaded year. */
struct snap {
    struct workday_year **years; /* sorted by year */
    size_t n_years;
    workday_date base;  /* first day of the table */
    int32_t n_days;     /* table length */
    uint8_t *flags;     /* per day: DAY_* */
    uint16_t *name;     /* per day: 1 + index into names, 0 = none */
    const char **names; /* borrowed from years[].holidays[].name */
    size_t n_names;
    struct snap *retired; /* older snapshots, freed at cleanup */
};

static _Atomic(struct snap *) current;
static pthread_mutex_t write_lock = PTHREAD_MUTEX_INITIALIZER;

/** Frees one snapshot (not the retired chain). */
static void snap_free(struct snap *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n_years; i++)
        workday_year_free(s->years[i]);
    free(s->years);
    free(s->flags);
    free(s->name);
    free(s->names);
    free(s);
}

/** Working-ness of day i of s from weekday and flags. */
static int snap_working(const struct snap *s, int32_t i)
{
    uint8_t f = s->flags[i];
    if (f & DAY_ADJUSTED)
        return 1;
    if (f & DAY_HOLIDAY)
        return 0;
    return workday_weekday(s->base + i) < 6;
}

/** Builds a snapshot from years (taken over: copied pointers are owned by the
 *  snapshot on success and freed on failure). An edge date that contradicts
 *  its own year's published calendar refuses the whole snapshot. */
static int snap_build(struct workday_year **years, size_t n, struct snap **out, struct err *e)
{
    struct snap *s = xcalloc(1, sizeof *s);
    s->years = years;
    s->n_years = n;
    if (n) {
        s->base = jan1(years[0]->year - 1);
        s->n_days = jan1(years[n - 1]->year + 2) - s->base;
        s->flags = xcalloc((size_t)s->n_days, 1);
        s->name = xcalloc((size_t)s->n_days, sizeof *s->name);
    }
    size_t cap = 0;
    for (size_t i = 0; i < n; i++)
        cap += years[i]->n_holidays;
    s->names = xcalloc(cap + 1, sizeof *s->names);

    /* Pass 1: every loaded year decides its own days. */
    for (size_t i = 0; i < n; i++) {
        const struct workday_year *y = years[i];
        workday_date lo = jan1(y->year), hi = jan1(y->year + 1);
        for (workday_date d = lo; d < hi; d++)
            s->flags[d - s->base] |= DAY_KNOWN;
        for (size_t j = 0; j < y->n_holidays; j++) {
            s->names[s->n_names++] = y->holidays[j].name;
            for (workday_date d = y->holidays[j].from; d <= y->holidays[j].to; d++)
                if (d >= lo && d < hi) {
                    s->flags[d - s->base] |= DAY_HOLIDAY;
                    s->name[d - s->base] = (uint16_t)s->n_names;
                }
        }
        for (size_t j = 0; j < y->n_adjusted; j++)
            if (y->adjusted[j] >= lo && y->adjusted[j] < hi)
                s->flags[y->adjusted[j] - s->base] |= DAY_ADJUSTED;
    }
    /* Pass 2: edge dates that a file gives for a neighbouring year. Where
     * that year is loaded too, both must agree on whether the day is worked
     * (the neighbour's own file keeps the last word on the rest); where it
     * is not, the edge date is all that is known of it, and is used. */
    size_t name_idx = 0;
    for (size_t i = 0; i < n; i++) {
        const struct workday_year *y = years[i];
        workday_date lo = jan1(y->year), hi = jan1(y->year + 1);
        char a[WORKDAY_DATE_BUFSZ];
        for (size_t j = 0; j < y->n_holidays; j++) {
            name_idx++;
            for (workday_date d = y->holidays[j].from; d <= y->holidays[j].to; d++) {
                if (d >= lo && d < hi)
                    continue;
                int32_t k = d - s->base;
                if (s->flags[k] & DAY_KNOWN) {
                    if (snap_working(s, k))
                        goto conflict_h;
                    if (!(s->flags[k] & DAY_HOLIDAY)) {
                        s->flags[k] |= DAY_HOLIDAY;
                        s->name[k] = (uint16_t)name_idx;
                    }
                } else {
                    s->flags[k] |= DAY_HOLIDAY | DAY_KNOWN;
                    s->name[k] = (uint16_t)name_idx;
                }
                continue;
            conflict_h:
                snap_free(s);
                return err_set(e, ERR_CONFLICT, "holidays", "workday.err.neighbour",
                               workday_date_format(d, a));
            }
        }
        for (size_t j = 0; j < y->n_adjusted; j++) {
            workday_date d = y->adjusted[j];
            if (d >= lo && d < hi)
                continue;
            int32_t k = d - s->base;
            if ((s->flags[k] & DAY_KNOWN) && !snap_working(s, k)) {
                snap_free(s);
                return err_set(e, ERR_CONFLICT, "adjusted_workdays", "workday.err.neighbour",
                               workday_date_format(d, a));
            }
            s->flags[k] |= DAY_ADJUSTED | DAY_KNOWN;
        }
    }
    *out = s;
    return 0;
}

/** Swaps in a new snapshot made of the current years with y added (or, when
 *  replace is set, put in place of the loaded one). Serialised by write_lock. */
static int install(const struct workday_year *y, int replace, int dry_run, struct err *e)
{
    pthread_mutex_lock(&write_lock);
    struct snap *old = atomic_load_explicit(&current, memory_order_acquire);
    size_t n_old = old ? old->n_years : 0, n = 0;
    struct workday_year **years = xcalloc(n_old + 1, sizeof *years);
    int found = 0, rc;
    for (size_t i = 0; i < n_old; i++) {
        if (old->years[i]->year == y->year) {
            found = 1;
            continue;
        }
        years[n++] = year_dup(old->years[i]);
    }
    if (found && !replace) {
        for (size_t i = 0; i < n; i++)
            workday_year_free(years[i]);
        free(years);
        pthread_mutex_unlock(&write_lock);
        char arg[16];
        snprintf(arg, sizeof arg, "%d", y->year);
        return err_set(e, ERR_CONFLICT, "year", "workday.err.loaded", arg);
    }
    /* Keep the years sorted: insert y in place. */
    size_t at = n;
    while (at > 0 && years[at - 1]->year > y->year)
        at--;
    memmove(years + at + 1, years + at, (n - at) * sizeof *years);
    years[at] = year_dup(y);
    n++;
    struct snap *s;
    rc = snap_build(years, n, &s, e); /* frees years on failure */
    if (rc < 0) {
        pthread_mutex_unlock(&write_lock);
        return rc;
    }
    if (dry_run) { /* every check passed; nothing changes */
        snap_free(s);
        pthread_mutex_unlock(&write_lock);
        return 0;
    }
    s->retired = old;
    atomic_store_explicit(&current, s, memory_order_release);
    pthread_mutex_unlock(&write_lock);
    return 0;
}

int workday_add_year(const struct workday_year *y, struct err *e)
{
    return install(y, 0, 0, e);
}

int workday_replace_year(const struct workday_year *y, struct err *e)
{
    return install(y, 1, 0, e);
}

int workday_check_year(const struct workday_year *y, int replace, struct err *e)
{
    return install(y, replace, 1, e);
}

int workday_load_json(const char *json, size_t len, struct err *e)
{
    struct workday_year *y;
    int rc = workday_year_parse(json, len, &y, e);
    if (rc < 0)
        return rc;
    rc = workday_add_year(y, e);
    workday_year_free(y);
    return rc;
}

int workday_load_file(const char *path, struct err *e)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return err_set(e, ERR_NOT_FOUND, "file", "workday.err.file", path);
    struct buf b = BUF_INIT;
    char chunk[8192];
    size_t got;
    int rc = 0;
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0) {
        buf_append(&b, chunk, got);
        if (b.len > (1u << 20)) {
            rc = err_set(e, ERR_TOO_LARGE, "file", "workday.err.file", path);
            break;
        }
    }
    if (rc == 0 && ferror(f))
        rc = err_set(e, ERR_NOT_FOUND, "file", "workday.err.file", path);
    fclose(f);
    if (rc == 0)
        rc = workday_load_json(buf_str(&b), b.len, e);
    buf_free(&b);
    return rc;
}

/** Callback for workday_init: loads one embedded year, logging nothing
 *  (a built-in year that fails is caught by the tests). */
static void init_one(const struct res *r, void *ctx)
{
    int *rc = ctx;
    size_t n = strlen(r->path);
    if (n < 5 || strcmp(r->path + n - 5, ".json") != 0)
        return;
    struct workday_year *y;
    struct err e;
    if (workday_year_parse((const char *)r->data, r->len, &y, &e) < 0) {
        *rc = -ERR_INTERNAL;
        return;
    }
    if (!workday_year_known(y->year) && workday_add_year(y, &e) < 0)
        *rc = -ERR_INTERNAL;
    workday_year_free(y);
}

int workday_init(void)
{
    int rc = 0;
    res_each("data/calendar/", init_one, &rc);
    return rc;
}

void workday_cleanup(void)
{
    pthread_mutex_lock(&write_lock);
    struct snap *s = atomic_exchange(&current, NULL);
    while (s) {
        struct snap *next = s->retired;
        snap_free(s);
        s = next;
    }
    pthread_mutex_unlock(&write_lock);
}

/** The current snapshot (may be NULL: nothing loaded). */
static const struct snap *snap_get(void)
{
    return atomic_load_explicit(&current, memory_order_acquire);
}

/** Finds a loaded year in s; NULL when absent. */
static const struct workday_year *snap_year(const struct snap *s, int year)
{
    if (!s)
        return NULL;
    size_t lo = 0, hi = s->n_years;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (s->years[mid]->year == year)
            return s->years[mid];
        if (s->years[mid]->year < year)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

int workday_year_known(int year)
{
    return snap_year(snap_get(), year) != NULL;
}

int workday_years(int *out, int max)
{
    const struct snap *s = snap_get();
    int n = s ? (int)s->n_years : 0;
    for (int i = 0; i < n && i < max; i++)
        out[i] = s->years[i]->year;
    return n;
}

int workday_year_source(int year, char *out, size_t n)
{
    const struct workday_year *y = snap_year(snap_get(), year);
    if (!y)
        return -ERR_NOT_FOUND;
    snprintf(out, n, "%s", y->source);
    return 0;
}

/* ---- Days -------------------------------------------------------------- */

/** The day's status in s, without range checks beyond the table. */
static void lookup(const struct snap *s, workday_date d, struct workday_info *out)
{
    int wd = workday_weekday(d);
    uint8_t f = 0;
    uint16_t nm = 0;
    if (s && d >= s->base && d - s->base < s->n_days) {
        f = s->flags[d - s->base];
        nm = s->name[d - s->base];
    }
    out->provisional = !(f & DAY_KNOWN);
    out->name = nm ? s->names[nm - 1] : "";
    if (f & DAY_ADJUSTED) {
        out->kind = WORKDAY_ADJUSTED;
        out->working = 1;
    } else if (f & DAY_HOLIDAY) {
        out->kind = WORKDAY_HOLIDAY;
        out->working = 0;
    } else {
        out->kind = wd < 6 ? WORKDAY_WORKDAY : WORKDAY_WEEKEND;
        out->working = wd < 6;
    }
}

int workday_day_info(workday_date date, struct workday_info *out)
{
    if (!date_ok(date))
        return -ERR_INVALID;
    lookup(snap_get(), date, out);
    return 0;
}

int workday_is_workday(workday_date date, int *provisional)
{
    struct workday_info info;
    if (workday_day_info(date, &info) < 0)
        return -ERR_INVALID;
    if (provisional)
        *provisional = info.provisional;
    return info.working;
}

/* ---- Arithmetic -------------------------------------------------------- */

/** Fast working-day test against one snapshot; ORs unknown-ness into *prov. */
static inline int working(const struct snap *s, workday_date d, int *prov)
{
    uint8_t f = 0;
    if (s && d >= s->base && d - s->base < s->n_days)
        f = s->flags[d - s->base];
    if (!(f & DAY_KNOWN))
        *prov = 1;
    if (f & DAY_ADJUSTED)
        return 1;
    if (f & DAY_HOLIDAY)
        return 0;
    return workday_weekday(d) < 6;
}

int workday_add(workday_date start, int n, workday_date *end, int *provisional)
{
    if (!date_ok(start) || n < 0 || n > WORKDAY_MAX_COUNT)
        return -ERR_INVALID;
    const struct snap *s = snap_get();
    int prov = 0;
    workday_date d = start;
    workday_date last = date_max();
    for (int counted = 0; counted < n;) {
        if (d >= last)
            return -ERR_INVALID;
        d++;
        counted += working(s, d, &prov);
    }
    *end = d;
    if (provisional)
        *provisional = prov;
    return 0;
}

#define MAX_SPAN 36600

int workday_between(workday_date a, workday_date b, int *count, int *provisional)
{
    if (!date_ok(a) || !date_ok(b))
        return -ERR_INVALID;
    int sign = 1;
    if (b < a) {
        workday_date t = a;
        a = b;
        b = t;
        sign = -1;
    }
    if (b - a > MAX_SPAN)
        return -ERR_INVALID;
    const struct snap *s = snap_get();
    int prov = 0, n = 0;
    for (workday_date d = a + 1; d <= b; d++)
        n += working(s, d, &prov);
    *count = sign * n;
    if (provisional)
        *provisional = prov;
    return 0;
}

int workday_add_calendar_days(workday_date start, int n, workday_date *end, int *provisional)
{
    if (!date_ok(start) || n < 0 || n > MAX_SPAN || !date_ok(start + n))
        return -ERR_INVALID;
    const struct snap *s = snap_get();
    int prov = 0;
    workday_date d = start + n;
    /* Only the last day matters for calendar days; a run of holidays is at
     * most a few weeks, the bound only guards against a bad table. */
    for (int guard = 0; !working(s, d, &prov); guard++) {
        if (guard > 366 || d >= date_max())
            return -ERR_INVALID;
        d++;
    }
    *end = d;
    if (provisional)
        *provisional = prov;
    return 0;
}

/** 1 when h describes a usable office day. */
static int hours_ok(const struct workday_hours *h)
{
    return h && h->open >= 0 && h->open < h->close && h->close <= 24 * 60;
}

int workday_received_on(int64_t ms, const struct workday_hours *h, workday_date *out,
                        int *provisional)
{
    if (!hours_ok(h))
        return -ERR_INVALID;
    int minute;
    workday_date d = workday_date_of(ms, &minute);
    if (!date_ok(d) || d >= date_max() - 400)
        return -ERR_INVALID;
    const struct snap *s = snap_get();
    int prov = 0;
    if (!working(s, d, &prov) || minute >= h->close) {
        /* After closing or on a day off: the next working day. */
        do
            d++;
        while (!working(s, d, &prov));
    }
    *out = d;
    if (provisional)
        *provisional = prov;
    return 0;
}

int workday_add_office_minutes(int64_t ms, int64_t minutes, const struct workday_hours *h,
                               int64_t *end_ms, int *provisional)
{
    if (!hours_ok(h) || minutes < 0 || minutes > (int64_t)WORKDAY_MAX_COUNT * 24 * 60)
        return -ERR_INVALID;
    int minute;
    workday_date d = workday_date_of(ms, &minute);
    if (!date_ok(d))
        return -ERR_INVALID;
    const struct snap *s = snap_get();
    int prov = 0;
    int64_t left = minutes;
    int64_t at = ms;
    for (;;) {
        if (d >= date_max())
            return -ERR_INVALID;
        if (working(s, d, &prov)) {
            int64_t open = workday_instant(d, h->open), close = workday_instant(d, h->close);
            int64_t from = at > open ? at : open;
            if (from < close) {
                int64_t avail = (close - from) / 60000;
                if (left <= avail) {
                    *end_ms = from + left * 60000;
                    break;
                }
                left -= avail;
            } else if (left == 0 && at <= close) {
                *end_ms = at;
                break;
            }
        }
        d++;
        at = workday_instant(d, 0);
    }
    if (provisional)
        *provisional = prov;
    return 0;
}
