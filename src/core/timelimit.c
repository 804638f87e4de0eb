/**
 * @file timelimit.c
 * @brief Clock rules: events → clock start, stops, extension, decision →
 *        due date, with a derivation (one step per rule applied).
 *
 * The work is in two parts. The event pass walks the case's events in time
 * order and settles the phase (before acceptance, running, decided, ended),
 * the day the clock starts and the intervals during which it is stopped. The
 * count pass then walks the calendar from the start day, skipping stopped
 * days (and, for working-day limits, days off), and writes the steps a
 * person needs to check the date: holidays skipped, make-up days counted,
 * stops, unknown years.
 */
#include "core/timelimit.h"
#include "core/clock.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- Text -------------------------------------------------------------- */

static const char *step_names[TL_STEP__COUNT] = {
    "received", "received_next_workday", "supplement_before_acceptance",
    "supplement_received_before_acceptance", "answer_due", "deemed_accepted", "accepted",
    "accepted_after_deemed", "start_next_workday", "start", "limit", "extended",
    "skipped_holiday", "counted_adjusted", "unknown_year", "stopped", "stopped_open",
    "supplement_due", "last_day_moved", "immediate", "due", "decided", "delivery_due",
    "delivered", "declined", "withdrawn", "ignored",
};

const char *tl_step_kind_name(enum tl_step_kind k)
{
    return (unsigned)k < TL_STEP__COUNT ? step_names[k] : "unknown";
}

const char *tl_state_name(enum tl_state s)
{
    static const char *names[] = {"not_started", "awaiting_answer", "running", "stopped",
                                  "decided",     "declined",        "withdrawn"};
    return (unsigned)s < sizeof names / sizeof *names ? names[s] : "unknown";
}

/** Appends src to out (size n, write position *w), whole UTF-8 sequences
 *  only, so a full buffer never ends in half a character. */
static void put(char *out, size_t n, size_t *w, const char *src, size_t len)
{
    for (size_t i = 0; i < len;) {
        unsigned char c = (unsigned char)src[i];
        size_t clen = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
        if (i + clen > len)
            clen = len - i;
        if (*w + clen + 1 > n)
            return;
        memcpy(out + *w, src + i, clen);
        *w += clen;
        i += clen;
    }
}

/** Writes template with "{1}".."{9}" replaced by args[0..8] and each bare
 *  "{}" by the next argument in order, into out (size n >= 1). */
static void fill(char *out, size_t n, const char *tmpl, const char *const *args, int nargs)
{
    size_t w = 0;
    int next = 0;
    for (const char *p = tmpl; *p;) {
        const char *arg = NULL;
        if (p[0] == '{' && p[1] == '}') {
            arg = next < nargs ? args[next] : "";
            next++;
            p += 2;
        } else if (p[0] == '{' && p[1] >= '1' && p[1] <= '9' && p[2] == '}') {
            int i = p[1] - '1';
            arg = i < nargs ? args[i] : "";
            p += 3;
        }
        if (arg) {
            put(out, n, &w, arg, strlen(arg));
        } else {
            const char *q = p + 1;
            while (*q && *q != '{')
                q++;
            put(out, n, &w, p, (size_t)(q - p));
            p = q;
        }
    }
    out[w] = 0;
}

/** A date as people read it: "Fri 2026-09-25" / "2026-09-25（周五）". */
static const char *date_text(enum lang lang, workday_date d, char *out, size_t n)
{
    char ds[WORKDAY_DATE_BUFSZ], key[32];
    snprintf(key, sizeof key, "workday.wd.%d", workday_weekday(d));
    const char *args[] = {workday_date_format(d, ds), tr(lang, key)};
    fill(out, n, tr(lang, "workday.date_wd"), args, 2);
    return out;
}

/** A range as "2026-10-01..07", "2026-09-30..10-02" or "2026-12-31..2027-01-02". */
static const char *range_text(workday_date a, workday_date b, char *out, size_t n)
{
    char x[WORKDAY_DATE_BUFSZ], y[WORKDAY_DATE_BUFSZ];
    workday_date_format(a, x);
    workday_date_format(b, y);
    if (a == b)
        snprintf(out, n, "%s", x);
    else if (memcmp(x, y, 8) == 0)
        snprintf(out, n, "%s..%s", x, y + 8);
    else if (memcmp(x, y, 5) == 0)
        snprintf(out, n, "%s..%s", x, y + 5);
    else
        snprintf(out, n, "%s..%s", x, y);
    return out;
}

/** A holiday's name in lang: the published (Chinese) name, or its English
 *  translation when one is known. */
static const char *holiday_text(enum lang lang, const char *name)
{
    static const struct {
        const char *zh, *slug;
    } names[] = {
        {"元旦", "new_year"},          {"春节", "spring_festival"},
        {"清明节", "qingming"},        {"劳动节", "labour_day"},
        {"端午节", "dragon_boat"},     {"中秋节", "mid_autumn"},
        {"国庆节", "national_day"},    {"国庆节、中秋节", "national_day_mid_autumn"},
        {"中秋节、国庆节", "national_day_mid_autumn"},
    };
    if (lang == LANG_ZH)
        return name;
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if (strcmp(names[i].zh, name) == 0) {
            char key[64];
            snprintf(key, sizeof key, "workday.holiday.%s", names[i].slug);
            return tr(lang, key);
        }
    return name;
}

/** What a step's text is made of. */
struct step_args {
    workday_date from, to;
    int days;
    const char *detail; /* holiday name or reason */
    const char *extra;  /* language-neutral extra (a time, a year) */
};

/** Renders the arguments of a step in lang: {1} from (with weekday),
 *  {2} to (with weekday), {3} range, {4} days, {5} detail, {6} extra. */
static void render(struct tl_step *st, enum lang lang, const char *key,
                   const struct step_args *a)
{
    char from[64] = "", to[64] = "", range[32] = "", days[16], reason[96] = "";
    if (a->from != WORKDAY_NONE)
        date_text(lang, a->from, from, sizeof from);
    if (a->to != WORKDAY_NONE)
        date_text(lang, a->to, to, sizeof to);
    if (a->from != WORKDAY_NONE && a->to != WORKDAY_NONE)
        range_text(a->from, a->to, range, sizeof range);
    snprintf(days, sizeof days, "%d", a->days);
    if (a->detail && *a->detail) {
        static const char *reasons[] = {"supplement", "special", "on_time", "late",
                                         "hours",      "working", "calendar", "weekend"};
        int is_reason = 0;
        for (size_t i = 0; i < sizeof reasons / sizeof *reasons; i++)
            is_reason |= strcmp(a->detail, reasons[i]) == 0;
        if (is_reason) {
            char k[48];
            snprintf(k, sizeof k, "workday.reason.%s", a->detail);
            snprintf(reason, sizeof reason, "%s", tr(lang, k));
        } else {
            snprintf(reason, sizeof reason, "%s", holiday_text(lang, a->detail));
        }
    }
    const char *args[] = {from, to, range, days, reason, a->extra ? a->extra : ""};
    char *t = st->text[lang];
    fill(t, sizeof st->text[lang], tr(lang, key), args, 6);
    /* An empty last argument leaves a space behind. */
    size_t n = strlen(t);
    while (n > 0 && t[n - 1] == ' ')
        t[--n] = 0;
}

/** Appends a step of kind k; its text is the key "workday.step.<name>". */
static void add_step(struct tl_result *r, enum tl_step_kind k, const struct step_args *a)
{
    if (r->n_steps == r->cap_steps) {
        r->cap_steps = r->cap_steps ? r->cap_steps * 2 : 16;
        r->steps = xrealloc(r->steps, r->cap_steps * sizeof *r->steps);
    }
    struct tl_step *st = &r->steps[r->n_steps++];
    memset(st, 0, sizeof *st);
    st->kind = k;
    st->from = a->from;
    st->to = a->to;
    st->days = a->days;
    snprintf(st->detail, sizeof st->detail, "%s", a->detail ? a->detail : "");
    char key[64];
    snprintf(key, sizeof key, "workday.step.%s", step_names[k]);
    for (int l = 0; l < LANG__COUNT; l++)
        render(st, (enum lang)l, key, a);
}

/** Shorthand for a step about one or two dates. */
static void step(struct tl_result *r, enum tl_step_kind k, workday_date from, workday_date to,
                 int days, const char *detail)
{
    struct step_args a = {from, to, days, detail, NULL};
    add_step(r, k, &a);
}

void timelimit_result_free(struct tl_result *r)
{
    if (!r)
        return;
    free(r->steps);
    r->steps = NULL;
    r->n_steps = r->cap_steps = 0;
}

/** Zeroes a result and marks every date as absent. */
static void result_init(struct tl_result *r)
{
    memset(r, 0, sizeof *r);
    r->received = r->clock_start = r->due = r->answer_due = WORKDAY_NONE;
    r->supplement_due = r->decided = r->delivery_due = WORKDAY_NONE;
}

/* ---- Counting ---------------------------------------------------------- */

/** An interval during which the clock stands still. Dates inclusive; the
 *  instants are used by hour limits. */
struct stop {
    workday_date from, to; /* to == WORKDAY_NONE: still stopped */
    int64_t from_ms, to_ms;
    int special;            /* 0 supplement, 1 special procedure */
    workday_date deadline;  /* supplement: the applicant's last day */
    int emitted;
};

struct clockstate {
    workday_date start;
    int64_t start_ms;
    struct stop stops[64];
    size_t n_stops;
};

/** The stop containing date d, or NULL. */
static struct stop *stop_at(struct clockstate *c, workday_date d)
{
    for (size_t i = 0; i < c->n_stops; i++) {
        struct stop *s = &c->stops[i];
        if (d >= s->from && (s->to == WORKDAY_NONE || d <= s->to))
            return s;
    }
    return NULL;
}

/** Emits the step of one stop. */
static void stop_step(struct tl_result *r, struct stop *s)
{
    if (s->emitted)
        return;
    s->emitted = 1;
    const char *why = s->special ? "special" : "supplement";
    if (s->to == WORKDAY_NONE) {
        step(r, TL_STEP_STOPPED_OPEN, s->from, WORKDAY_NONE, 0, why);
        if (!s->special)
            step(r, TL_STEP_SUPPLEMENT_DUE, s->deadline, WORKDAY_NONE, 0, NULL);
    } else
        step(r, TL_STEP_STOPPED, s->from, s->to, s->to - s->from + 1, why);
}

/** Counts `total` days of unit (working or calendar) after c->start,
 *  skipping stopped days. With r, writes steps. Sets *due (WORKDAY_NONE
 *  when an open stop is reached) and ORs unknown-ness into *prov. */
static int count_days(struct clockstate *c, enum tl_unit unit, int total, struct tl_result *r,
                      workday_date *due, int *prov)
{
    workday_date d = c->start;
    int counted = 0;
    workday_date run_from = WORKDAY_NONE, run_to = WORKDAY_NONE;
    const char *run_name = NULL;
    int unknown_years[8], n_unknown = 0;
    *due = WORKDAY_NONE;
    while (counted < total) {
        if (d - c->start > 40000)
            return -ERR_INVALID;
        d++;
        struct workday_info info;
        if (workday_day_info(d, &info) < 0)
            return -ERR_INVALID;
        struct stop *s = stop_at(c, d);
        /* A run of skipped holiday days ends at anything but its next day. */
        if (run_name && (s || info.kind != WORKDAY_HOLIDAY || strcmp(info.name, run_name))) {
            if (r)
                step(r, TL_STEP_SKIPPED_HOLIDAY, run_from, run_to, 0, run_name);
            run_name = NULL;
        }
        if (s) {
            if (r)
                stop_step(r, s);
            if (s->to == WORKDAY_NONE)
                return 0;
            continue;
        }
        if (info.provisional) {
            *prov = 1;
            int y, seen = 0;
            workday_date_to_ymd(d, &y, NULL, NULL);
            for (int i = 0; i < n_unknown; i++)
                seen |= unknown_years[i] == y;
            if (!seen && n_unknown < 8) {
                unknown_years[n_unknown++] = y;
                if (r) {
                    char ys[8];
                    snprintf(ys, sizeof ys, "%d", y);
                    struct step_args a = {WORKDAY_NONE, WORKDAY_NONE, y, NULL, ys};
                    add_step(r, TL_STEP_UNKNOWN_YEAR, &a);
                }
            }
        }
        if (unit == TL_CALENDAR_DAYS) {
            counted++;
            continue;
        }
        if (info.working) {
            counted++;
            if (r && info.kind == WORKDAY_ADJUSTED)
                step(r, TL_STEP_COUNTED_ADJUSTED, d, WORKDAY_NONE, 0, NULL);
        } else if (info.kind == WORKDAY_HOLIDAY) {
            if (!run_name) {
                run_name = info.name;
                run_from = d;
            }
            run_to = d;
        }
    }
    if (run_name && r)
        step(r, TL_STEP_SKIPPED_HOLIDAY, run_from, run_to, 0, run_name);
    if (unit == TL_CALENDAR_DAYS) {
        workday_date last = d;
        /* Civil Code art. 203: a period whose last day is a day off ends on
         * the next working day. */
        for (;;) {
            struct workday_info info;
            if (workday_day_info(d, &info) < 0)
                return -ERR_INVALID;
            *prov |= info.provisional;
            if (info.working)
                break;
            d++;
        }
        if (d != last && r)
            step(r, TL_STEP_LAST_DAY_MOVED, last, d, 0, NULL);
    }
    *due = d;
    return 0;
}

/** Working (or calendar) days counted in (start, until], stops skipped. */
static int count_used(struct clockstate *c, enum tl_unit unit, workday_date until)
{
    int used = 0;
    for (workday_date d = c->start + 1; d <= until && d - c->start <= 40000; d++) {
        if (stop_at(c, d))
            continue;
        if (unit == TL_CALENDAR_DAYS) {
            used++;
            continue;
        }
        int prov;
        used += workday_is_workday(d, &prov) == 1;
    }
    return used;
}

/** Hour limits: the instant when `minutes` of office time after start_ms have
 *  passed, stops (by instant) excluded. 0, or 1 when an open stop is reached
 *  first; < 0 on bad input. */
static int count_hours(struct clockstate *c, int64_t minutes, const struct workday_hours *h,
                       int64_t *end_ms, int *prov)
{
    int64_t left = minutes * 60000, at = c->start_ms;
    workday_date d = workday_date_of(at, NULL);
    for (int guard = 0; guard < 40000; guard++, d++) {
        int p = 0;
        int w = workday_is_workday(d, &p);
        if (w < 0)
            return -ERR_INVALID;
        *prov |= p;
        if (!w)
            continue;
        int64_t from = workday_instant(d, h->open), close = workday_instant(d, h->close);
        if (from < at)
            from = at;
        while (from < close) {
            const struct stop *inside = NULL, *next = NULL;
            for (size_t i = 0; i < c->n_stops; i++) {
                const struct stop *s = &c->stops[i];
                if (s->from_ms <= from && (s->to == WORKDAY_NONE || from < s->to_ms))
                    inside = s;
                else if (s->from_ms > from && s->from_ms < close &&
                         (!next || s->from_ms < next->from_ms))
                    next = s;
            }
            if (inside) {
                if (inside->to == WORKDAY_NONE)
                    return 1;
                from = inside->to_ms;
                continue;
            }
            int64_t seg_end = next ? next->from_ms : close;
            if (left <= seg_end - from) {
                *end_ms = from + left;
                return 0;
            }
            left -= seg_end - from;
            from = seg_end;
        }
    }
    return -ERR_INVALID;
}

/* ---- Events ------------------------------------------------------------ */

enum phase { PH_BEFORE, PH_RUNNING, PH_DECIDED, PH_ENDED };

/** Everything the event pass settles. */
struct ctx {
    const struct tl_case_events *ev;
    const struct tl_limit *lim;
    struct workday_hours hours;
    struct tl_result *r;
    struct err *e;
    enum phase phase;
    int deemed;
    int answer_pending;
    workday_date now;
    workday_date pre_supp_deadline; /* open supplement before acceptance */
    int ext_days;
    workday_date ext_on;
    workday_date withdrawn_on; /* supplement deadline that ended the case */
    workday_date delivered;
    workday_date ignored[16]; /* events after the end, told at the end */
    size_t n_ignored;
    struct clockstate c;
};

/** Refuses an impossible sequence: e names the event. */
static int bad_seq(struct ctx *x, const char *what, workday_date d)
{
    char arg[96], ds[WORKDAY_DATE_BUFSZ];
    snprintf(arg, sizeof arg, "%s (%s)", what, workday_date_format(d, ds));
    return err_set(x->e, ERR_INVALID, "events", "workday.err.sequence", arg);
}

/** The day an act at ms takes effect. The applicant's online submissions
 *  follow office hours; any act on a day off takes effect on the next
 *  working day. */
static int effective_day(struct ctx *x, int64_t ms, int applicant, workday_date *out)
{
    int prov = 0;
    if (applicant && x->ev->online)
        return workday_received_on(ms, &x->hours, out, &prov) < 0 ? -ERR_INVALID : 0;
    workday_date d = workday_date_of(ms, NULL);
    struct workday_info info;
    for (int guard = 0;; guard++) {
        if (guard > 400 || workday_day_info(d, &info) < 0)
            return -ERR_INVALID;
        if (info.working)
            break;
        d++;
    }
    *out = d;
    return 0;
}

/** Starts the clock on day d (the uncounted start day) at instant ms. */
static void start_clock(struct ctx *x, workday_date d, int64_t ms)
{
    x->phase = PH_RUNNING;
    x->answer_pending = 0;
    x->c.start = d;
    x->c.start_ms = ms;
    x->r->clock_start = d;
}

/** Art. 32: a licensing submission unanswered past its 5 working days is
 *  accepted on the day it was received. */
static void deem(struct ctx *x)
{
    x->deemed = 1;
    step(x->r, TL_STEP_DEEMED_ACCEPTED, x->r->received, x->r->answer_due, TL_ANSWER_DAYS, NULL);
    start_clock(x, x->r->received, workday_instant(x->r->received, x->hours.open));
}

/** Opens the 5-day answer window from the received day. */
static void answer_window(struct ctx *x)
{
    if (!x->ev->licensing)
        return;
    workday_date due;
    if (workday_add(x->r->received, TL_ANSWER_DAYS, &due, NULL) < 0)
        return;
    x->answer_pending = 1;
    x->r->answer_due = due;
}

/** Supplement deadline for the applicant from the day of the request. */
static int supplement_deadline(struct ctx *x, workday_date d, workday_date *out)
{
    int days = x->lim->supplement_days ? x->lim->supplement_days : TL_SUPPLEMENT_DAYS_DEFAULT;
    return workday_add(d, days, out, NULL);
}

/** The open stop of a kind (supplement or special), or NULL. */
static struct stop *open_stop(struct ctx *x, int special)
{
    for (size_t i = 0; i < x->c.n_stops; i++)
        if (x->c.stops[i].to == WORKDAY_NONE && x->c.stops[i].special == special)
            return &x->c.stops[i];
    return NULL;
}

/** Ends the case as withdrawn when a supplement's deadline passed before day
 *  d with nothing received. Returns 1 when it did. */
static int check_withdrawn(struct ctx *x, workday_date d)
{
    workday_date deadline = WORKDAY_NONE;
    if (x->phase == PH_BEFORE && x->pre_supp_deadline != WORKDAY_NONE)
        deadline = x->pre_supp_deadline;
    struct stop *s = x->phase == PH_RUNNING ? open_stop(x, 0) : NULL;
    if (s)
        deadline = s->deadline;
    if (deadline == WORKDAY_NONE || d <= deadline)
        return 0;
    if (s) {
        /* The clock stayed stopped up to the end of the case. */
        s->to = deadline;
        s->to_ms = workday_instant(deadline + 1, 0);
    }
    x->phase = PH_ENDED;
    x->r->state = TL_WITHDRAWN;
    x->r->supplement_due = deadline;
    x->withdrawn_on = deadline;
    return 1;
}

/** Computes the due date with what is known so far, without steps. */
static int due_so_far(struct ctx *x, int total, workday_date *due)
{
    int prov = 0;
    return count_days(&x->c, x->lim->unit == TL_CALENDAR_DAYS ? TL_CALENDAR_DAYS
                                                                : TL_WORKING_DAYS,
                      total, NULL, due, &prov);
}

/** Applies one event. */
static int apply(struct ctx *x, const struct tl_event *ev)
{
    struct tl_result *r = x->r;
    workday_date d = workday_date_of(ev->at_ms, NULL);
    struct workday_info info;
    if (workday_day_info(d, &info) < 0)
        return err_set(x->e, ERR_INVALID, "events", "workday.err.instant", "");
    if (x->phase == PH_BEFORE && x->answer_pending && d > r->answer_due)
        deem(x);
    if ((x->phase == PH_BEFORE || x->phase == PH_RUNNING) && check_withdrawn(x, d))
        goto ignored;
    if (x->phase == PH_ENDED)
        goto ignored;
    if (x->phase == PH_DECIDED && ev->kind != TL_EV_DELIVERED)
        return bad_seq(x, "after the decision", d);

    workday_date eff;
    switch (ev->kind) {
    case TL_EV_SUBMITTED:
        if (x->phase != PH_BEFORE || r->received != WORKDAY_NONE)
            return bad_seq(x, "submitted twice or after acceptance", d);
        if (effective_day(x, ev->at_ms, 1, &eff) < 0)
            return err_set(x->e, ERR_INVALID, "events", "workday.err.instant", "");
        r->received = eff;
        if (eff != d) {
            char hm[8];
            int minute;
            workday_date_of(ev->at_ms, &minute);
            snprintf(hm, sizeof hm, "%02d:%02d", (minute / 60) % 24, minute % 60);
            struct step_args a = {d, eff, 0, NULL, hm};
            add_step(r, TL_STEP_RECEIVED_NEXT_WORKDAY, &a);
        } else {
            step(r, TL_STEP_RECEIVED, d, WORKDAY_NONE, 0, NULL);
        }
        answer_window(x);
        if (x->answer_pending)
            step(r, TL_STEP_ANSWER_DUE, r->answer_due, WORKDAY_NONE, TL_ANSWER_DAYS, NULL);
        return 0;
    case TL_EV_ACCEPTED:
        if (x->phase == PH_RUNNING && x->deemed) {
            step(r, TL_STEP_ACCEPTED_AFTER_DEEMED, d, r->clock_start, 0, NULL);
            return 0;
        }
        if (x->phase != PH_BEFORE)
            return bad_seq(x, "accepted twice", d);
        if (r->received == WORKDAY_NONE)
            r->received = d;
        if (effective_day(x, ev->at_ms, 0, &eff) < 0)
            return err_set(x->e, ERR_INVALID, "events", "workday.err.instant", "");
        x->pre_supp_deadline = WORKDAY_NONE;
        step(r, TL_STEP_ACCEPTED, d, WORKDAY_NONE, 0, NULL);
        if (eff != d)
            step(r, TL_STEP_START_NEXT_WORKDAY, d, eff, 0, *info.name ? info.name : "weekend");
        start_clock(x, eff, eff != d ? workday_instant(eff, x->hours.open) : ev->at_ms);
        return 0;
    case TL_EV_DECLINED:
        if (x->phase != PH_BEFORE)
            return bad_seq(x, "declined after acceptance (that is a decision)", d);
        x->phase = PH_ENDED;
        r->state = TL_DECLINED;
        step(r, TL_STEP_DECLINED, d, WORKDAY_NONE, 0, NULL);
        return 0;
    case TL_EV_SUPPLEMENT_REQUESTED: {
        workday_date deadline;
        if (supplement_deadline(x, d, &deadline) < 0)
            return err_set(x->e, ERR_INVALID, "events", "workday.err.instant", "");
        if (x->phase == PH_BEFORE) {
            if (x->pre_supp_deadline != WORKDAY_NONE)
                return bad_seq(x, "supplement asked twice", d);
            x->answer_pending = 0;
            x->pre_supp_deadline = deadline;
            step(r, TL_STEP_SUPPLEMENT_BEFORE_ACCEPTANCE, d, WORKDAY_NONE, 0, NULL);
            step(r, TL_STEP_SUPPLEMENT_DUE, deadline, WORKDAY_NONE, 0, NULL);
            return 0;
        }
        if (open_stop(x, 0))
            return bad_seq(x, "supplement asked twice", d);
        if (x->c.n_stops == sizeof x->c.stops / sizeof *x->c.stops)
            return bad_seq(x, "too many stops", d);
        struct stop *s = &x->c.stops[x->c.n_stops++];
        *s = (struct stop){d, WORKDAY_NONE, ev->at_ms, 0, 0, deadline, 0};
        return 0;
    }
    case TL_EV_SUPPLEMENT_RECEIVED:
        if (effective_day(x, ev->at_ms, 1, &eff) < 0)
            return err_set(x->e, ERR_INVALID, "events", "workday.err.instant", "");
        if (x->phase == PH_BEFORE) {
            if (x->pre_supp_deadline == WORKDAY_NONE)
                return bad_seq(x, "supplement received but never asked", d);
            x->pre_supp_deadline = WORKDAY_NONE;
            /* The complete application starts a new answer window: the
             * agency again has 5 working days (art. 32 read for the
             * completed file). */
            r->received = eff;
            step(r, TL_STEP_SUPPLEMENT_RECEIVED_BEFORE_ACCEPTANCE, eff, WORKDAY_NONE, 0, NULL);
            answer_window(x);
            if (x->answer_pending)
                step(r, TL_STEP_ANSWER_DUE, r->answer_due, WORKDAY_NONE, TL_ANSWER_DAYS, NULL);
            return 0;
        } else {
            struct stop *s = open_stop(x, 0);
            if (!s)
                return bad_seq(x, "supplement received but never asked", d);
            s->to = eff < s->from ? s->from : eff;
            s->to_ms = ev->at_ms;
            return 0;
        }
    case TL_EV_SPECIAL_STARTED:
        if (x->phase != PH_RUNNING || open_stop(x, 1))
            return bad_seq(x, "special procedure not during review or already running", d);
        if (x->c.n_stops == sizeof x->c.stops / sizeof *x->c.stops)
            return bad_seq(x, "too many stops", d);
        x->c.stops[x->c.n_stops++] =
            (struct stop){d, WORKDAY_NONE, ev->at_ms, 0, 1, WORKDAY_NONE, 0};
        return 0;
    case TL_EV_SPECIAL_ENDED: {
        struct stop *s = open_stop(x, 1);
        if (!s)
            return bad_seq(x, "special procedure ended but never started", d);
        if (effective_day(x, ev->at_ms, 0, &eff) < 0)
            return err_set(x->e, ERR_INVALID, "events", "workday.err.instant", "");
        s->to = eff;
        s->to_ms = ev->at_ms;
        return 0;
    }
    case TL_EV_EXTENDED: {
        if (x->phase != PH_RUNNING)
            return bad_seq(x, "extension before acceptance", d);
        if (x->ext_days)
            return bad_seq(x, "second extension (art. 42 allows one)", d);
        if (x->lim->unit != TL_WORKING_DAYS && x->lim->unit != TL_CALENDAR_DAYS)
            return bad_seq(x, "extension of an hour or immediate limit", d);
        int days = ev->days ? ev->days : TL_EXTENSION_DAYS;
        if (days < 0 || days > 365)
            return bad_seq(x, "extension length", d);
        workday_date due;
        int rc = due_so_far(x, x->lim->amount, &due);
        if (rc < 0)
            return rc;
        /* Approved after the due date, it cannot move it: the agency is
         * already late. An open stop means the due date is still ahead. */
        if (due != WORKDAY_NONE && d > due)
            return bad_seq(x, "extension after the due date", d);
        x->ext_days = days;
        x->ext_on = d;
        return 0;
    }
    case TL_EV_DECIDED:
        if (x->phase != PH_RUNNING)
            return bad_seq(x, "decision before acceptance", d);
        for (size_t i = 0; i < x->c.n_stops; i++)
            if (x->c.stops[i].to == WORKDAY_NONE) {
                x->c.stops[i].to = d;
                x->c.stops[i].to_ms = ev->at_ms;
            }
        x->phase = PH_DECIDED;
        r->decided = d;
        return 0;
    case TL_EV_DELIVERED:
        if (x->phase != PH_DECIDED)
            return bad_seq(x, "delivered before the decision", d);
        if (x->delivered != WORKDAY_NONE)
            return bad_seq(x, "delivered twice", d);
        x->delivered = d;
        return 0;
    }
    return bad_seq(x, "unknown event", d);
ignored:
    if (x->n_ignored < sizeof x->ignored / sizeof *x->ignored)
        x->ignored[x->n_ignored++] = d;
    return 0;
}

/** Checks a limit; fills e on failure. */
static int limit_ok(const struct tl_limit *lim, struct err *e)
{
    int max = lim->unit == TL_HOURS ? WORKDAY_MAX_COUNT * 8 : WORKDAY_MAX_COUNT;
    if (lim->unit > TL_IMMEDIATE || (lim->unit != TL_IMMEDIATE && (lim->amount < 0 ||
                                                                    lim->amount > max)))
        return err_set(e, ERR_INVALID, "limit", "workday.err.count", "");
    if (lim->supplement_days < 0 || lim->supplement_days > WORKDAY_MAX_COUNT)
        return err_set(e, ERR_INVALID, "limit", "workday.err.count", "");
    if (lim->hours.open || lim->hours.close) {
        if (lim->hours.open < 0 || lim->hours.open >= lim->hours.close ||
            lim->hours.close > 24 * 60)
            return err_set(e, ERR_INVALID, "limit", "workday.err.hours", "");
    }
    return 0;
}

/** The closing steps told after the count: withdrawal, ignored events. */
static void closing_steps(struct ctx *x)
{
    if (x->withdrawn_on != WORKDAY_NONE)
        step(x->r, TL_STEP_WITHDRAWN, x->withdrawn_on, WORKDAY_NONE, 0, NULL);
    for (size_t i = 0; i < x->n_ignored; i++)
        step(x->r, TL_STEP_IGNORED, x->ignored[i], WORKDAY_NONE, 0, NULL);
}

/** The count pass and the closing steps, once the clock has started. */
static int finish(struct ctx *x)
{
    struct tl_result *r = x->r;
    const struct tl_limit *lim = x->lim;
    workday_date until = r->decided != WORKDAY_NONE ? r->decided : x->now;
    int rc = 0;

    /* "Not counted" is about days; hour limits run from the instant and an
     * immediate item ends on the day itself. */
    if (lim->unit == TL_WORKING_DAYS || lim->unit == TL_CALENDAR_DAYS)
        step(r, TL_STEP_START, x->c.start, WORKDAY_NONE, 0, NULL);
    if (r->state == TL_WITHDRAWN) {
        /* No due date any more: tell the stops that led here and stop. */
        for (size_t i = 0; i < x->c.n_stops; i++)
            stop_step(r, &x->c.stops[i]);
        closing_steps(x);
        return 0;
    }
    if (lim->unit == TL_IMMEDIATE) {
        r->due = x->c.start;
        step(r, TL_STEP_IMMEDIATE, r->due, WORKDAY_NONE, 0, NULL);
    } else if (lim->unit == TL_HOURS) {
        r->total = lim->amount;
        struct step_args a = {WORKDAY_NONE, WORKDAY_NONE, lim->amount, "hours", NULL};
        add_step(r, TL_STEP_LIMIT, &a);
        int64_t end = 0;
        rc = count_hours(&x->c, (int64_t)lim->amount * 60, &x->hours, &end, &r->provisional);
        if (rc < 0)
            return err_set(x->e, ERR_INVALID, "limit", "workday.err.count", "");
        for (size_t i = 0; i < x->c.n_stops; i++)
            stop_step(r, &x->c.stops[i]);
        if (rc == 0) {
            r->due_ms = end;
            int minute;
            r->due = workday_date_of(end, &minute);
            char hm[8];
            snprintf(hm, sizeof hm, "%02d:%02d", (minute / 60) % 24, minute % 60);
            struct step_args b = {r->due, WORKDAY_NONE, 0, NULL, hm};
            add_step(r, TL_STEP_DUE, &b);
        }
    } else {
        int total = lim->amount + x->ext_days;
        r->total = total;
        struct step_args a = {WORKDAY_NONE, WORKDAY_NONE, lim->amount,
                              lim->unit == TL_CALENDAR_DAYS ? "calendar" : "working", NULL};
        add_step(r, TL_STEP_LIMIT, &a);
        if (x->ext_days) {
            char tot[16];
            snprintf(tot, sizeof tot, "%d", total);
            struct step_args b = {x->ext_on, WORKDAY_NONE, x->ext_days, NULL, tot};
            add_step(r, TL_STEP_EXTENDED, &b);
        }
        workday_date due;
        rc = count_days(&x->c, lim->unit, total, r, &due, &r->provisional);
        if (rc < 0)
            return err_set(x->e, ERR_INVALID, "limit", "workday.err.count", "");
        r->due = due;
        if (due != WORKDAY_NONE)
            step(r, TL_STEP_DUE, due, WORKDAY_NONE, 0, NULL);
        r->used = count_used(&x->c, lim->unit, until);
        r->left = total - r->used;
    }
    /* Stops after the due date still belong to the story of the case. */
    for (size_t i = 0; i < x->c.n_stops; i++)
        if (!x->c.stops[i].emitted && x->c.stops[i].from <= until)
            stop_step(r, &x->c.stops[i]);

    struct stop *open = NULL;
    for (size_t i = 0; i < x->c.n_stops; i++)
        if (x->c.stops[i].to == WORKDAY_NONE)
            open = &x->c.stops[i];
    if (r->decided != WORKDAY_NONE) {
        r->state = TL_DECIDED;
        r->overdue = r->due != WORKDAY_NONE && r->decided > r->due;
        step(r, TL_STEP_DECIDED, r->decided, r->due, 0, r->overdue ? "late" : "on_time");
        if (workday_add(r->decided, TL_DELIVERY_DAYS, &r->delivery_due, NULL) == 0)
            step(r, TL_STEP_DELIVERY_DUE, r->delivery_due, WORKDAY_NONE, TL_DELIVERY_DAYS, NULL);
        if (x->delivered != WORKDAY_NONE)
            step(r, TL_STEP_DELIVERED, x->delivered, r->delivery_due, 0,
                 x->delivered > r->delivery_due ? "late" : "on_time");
    } else if (open) {
        r->state = TL_STOPPED;
        if (!open->special)
            r->supplement_due = open->deadline;
    } else {
        r->state = TL_RUNNING;
        r->overdue = r->due != WORKDAY_NONE && x->now > r->due;
    }
    closing_steps(x);
    return 0;
}

/** Stable sort of events by time (insertion sort: cases have few events). */
static struct tl_event *sorted_events(const struct tl_case_events *ev)
{
    struct tl_event *v = xcalloc(ev->n + 1, sizeof *v);
    for (size_t i = 0; i < ev->n; i++) {
        size_t j = i;
        while (j > 0 && v[j - 1].at_ms > ev->v[i].at_ms) {
            v[j] = v[j - 1];
            j--;
        }
        v[j] = ev->v[i];
    }
    return v;
}

int timelimit_compute(const struct tl_case_events *ev, const struct tl_limit *limit,
                      struct tl_result *out, struct err *e)
{
    if (!ev || !limit || !out || (ev->n && !ev->v) || ev->n > 1000)
        return err_set(e, ERR_INVALID, "events", "workday.err.sequence", "");
    int rc = limit_ok(limit, e);
    if (rc < 0)
        return rc;
    struct tl_result r;
    result_init(&r);
    struct ctx x;
    memset(&x, 0, sizeof x);
    x.ev = ev;
    x.lim = limit;
    x.hours = (limit->hours.open || limit->hours.close) ? limit->hours : WORKDAY_HOURS_DEFAULT;
    x.r = &r;
    x.e = e;
    x.phase = PH_BEFORE;
    x.pre_supp_deadline = WORKDAY_NONE;
    x.ext_on = x.withdrawn_on = x.delivered = WORKDAY_NONE;
    x.now = workday_date_of(ev->now_ms ? ev->now_ms : clock_now_ms(), NULL);
    struct workday_info ninfo;
    if (workday_day_info(x.now, &ninfo) < 0) {
        rc = err_set(e, ERR_INVALID, "now", "workday.err.instant", "");
        goto fail;
    }
    struct tl_event *v = sorted_events(ev);
    for (size_t i = 0; i < ev->n && rc == 0; i++)
        rc = apply(&x, &v[i]);
    free(v);
    if (rc < 0)
        goto fail;
    /* The moment of the question may itself end the waiting. */
    if (x.phase == PH_BEFORE && x.answer_pending && x.now > r.answer_due)
        deem(&x);
    if (x.phase == PH_BEFORE || x.phase == PH_RUNNING)
        check_withdrawn(&x, x.now);
    if (x.phase == PH_BEFORE) {
        r.state = x.answer_pending ? TL_AWAITING_ANSWER : TL_NOT_STARTED;
        if (x.pre_supp_deadline != WORKDAY_NONE)
            r.supplement_due = x.pre_supp_deadline;
        *out = r;
        return 0;
    }
    if (r.clock_start == WORKDAY_NONE) {
        /* Ended before the clock started: declined or withdrawn. */
        closing_steps(&x);
        *out = r;
        return 0;
    }
    rc = finish(&x);
    if (rc < 0)
        goto fail;
    *out = r;
    return 0;
fail:
    timelimit_result_free(&r);
    return rc < 0 ? rc : -ERR_INVALID;
}

int timelimit_count(workday_date start, const struct tl_limit *limit, struct tl_result *out,
                    struct err *e)
{
    int rc = limit_ok(limit, e);
    if (rc < 0)
        return rc;
    struct workday_info info;
    if (workday_day_info(start, &info) < 0)
        return err_set(e, ERR_INVALID, "from", "workday.err.date", "");
    struct tl_result r;
    result_init(&r);
    struct tl_case_events ev = {NULL, 0, 0, 0, 0};
    struct ctx x;
    memset(&x, 0, sizeof x);
    x.ev = &ev;
    x.lim = limit;
    x.hours = (limit->hours.open || limit->hours.close) ? limit->hours : WORKDAY_HOURS_DEFAULT;
    x.r = &r;
    x.e = e;
    x.ext_on = x.withdrawn_on = x.delivered = WORKDAY_NONE;
    x.now = start;
    start_clock(&x, start, workday_instant(start, x.hours.open));
    rc = finish(&x);
    if (rc < 0) {
        timelimit_result_free(&r);
        return rc;
    }
    *out = r;
    return 0;
}

/* ---- iCalendar --------------------------------------------------------- */

/** Appends one content line, escaping TEXT when `text` is set (RFC 5545
 *  3.3.11) and folding at 75 octets without splitting a UTF-8 character
 *  (3.1), ending in CRLF. */
static void ical_line(struct buf *out, const char *name, const char *value, int text)
{
    struct buf line = BUF_INIT;
    buf_puts(&line, name);
    buf_putc(&line, ':');
    for (const char *p = value; *p; p++) {
        if (text && (*p == '\\' || *p == ';' || *p == ',')) {
            buf_putc(&line, '\\');
            buf_putc(&line, *p);
        } else if (text && *p == '\n') {
            buf_puts(&line, "\\n");
        } else if ((unsigned char)*p < 0x20 || *p == 0x7f) {
            /* Other controls are not allowed in TEXT; drop them. */
        } else {
            buf_putc(&line, *p);
        }
    }
    const char *s = buf_str(&line);
    size_t n = line.len, col = 0;
    for (size_t i = 0; i < n;) {
        size_t clen = 1;
        unsigned char c = (unsigned char)s[i];
        if (c >= 0xF0)
            clen = 4;
        else if (c >= 0xE0)
            clen = 3;
        else if (c >= 0xC0)
            clen = 2;
        if (i + clen > n)
            clen = n - i;
        if (col + clen > 75) {
            buf_puts(out, "\r\n ");
            col = 1;
        }
        buf_append(out, s + i, clen);
        col += clen;
        i += clen;
    }
    buf_puts(out, "\r\n");
    buf_free(&line);
}

int timelimit_ical(const struct tl_result *r, const char *uid, const char *summary,
                   enum lang lang, int64_t stamp_ms, struct buf *out)
{
    if (!r || r->due == WORKDAY_NONE || !uid || !*uid || (unsigned)lang >= LANG__COUNT)
        return -ERR_INVALID;
    int y, m, d;
    char v[64];
    buf_puts(out, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//onehall//time limits//EN\r\n"
                  "CALSCALE:GREGORIAN\r\nBEGIN:VEVENT\r\n");
    ical_line(out, "UID", uid, 1);
    /* DTSTAMP is a UTC date-time. */
    int64_t sec = stamp_ms / 1000;
    workday_date sd = (workday_date)(sec / 86400 - (sec % 86400 < 0));
    int64_t sod = sec - (int64_t)sd * 86400;
    workday_date_to_ymd(sd, &y, &m, &d);
    snprintf(v, sizeof v, "%04d%02d%02dT%02d%02d%02dZ", y % 10000, m % 100, d % 100,
             (int)(sod / 3600) % 24, (int)(sod / 60 % 60), (int)(sod % 60));
    ical_line(out, "DTSTAMP", v, 0);
    /* An all-day event on the due date: DTEND is exclusive. */
    workday_date_to_ymd(r->due, &y, &m, &d);
    snprintf(v, sizeof v, "%04d%02d%02d", y % 10000, m % 100, d % 100);
    ical_line(out, "DTSTART;VALUE=DATE", v, 0);
    workday_date_to_ymd(r->due + 1, &y, &m, &d);
    snprintf(v, sizeof v, "%04d%02d%02d", y % 10000, m % 100, d % 100);
    ical_line(out, "DTEND;VALUE=DATE", v, 0);
    ical_line(out, "SUMMARY", summary ? summary : "", 1);
    struct buf desc = BUF_INIT;
    for (size_t i = 0; i < r->n_steps; i++) {
        if (i)
            buf_putc(&desc, '\n');
        buf_puts(&desc, r->steps[i].text[lang]);
    }
    if (r->provisional) {
        buf_putc(&desc, '\n');
        buf_puts(&desc, tr(lang, "workday.provisional"));
    }
    ical_line(out, "DESCRIPTION", buf_str(&desc), 1);
    buf_free(&desc);
    ical_line(out, "TRANSP", "TRANSPARENT", 0);
    buf_puts(out, "END:VEVENT\r\nEND:VCALENDAR\r\n");
    return 0;
}
