/**
 * @file timelimit.h
 * @brief The clock rules of administrative time limits and the derivation of
 *        a due date: from a case's events to a date, with every step that led
 *        there, in zh-CN and en. No database, no HTTP; the rules and their
 *        legal articles are written down in docs/time-limits.md.
 *
 * The rules, in short:
 * - the clock starts at acceptance (受理); the start day is not counted; an
 *   acceptance on a non-working day starts the clock on the next working day
 *   (which is then the uncounted start day);
 * - an online submission (or supplement) outside office hours or on a day
 *   off counts as received on the next working day;
 * - licensing items (行政许可): no accept / decline / supplement answer within
 *   5 working days after receipt → accepted on the day received (art. 32);
 * - supplements asked before acceptance do not pause anything (no clock);
 * - supplements during review and special procedures (art. 45) stop the
 *   clock: the day of stopping and the day of resuming are both not counted
 *   (counting goes on the working day after the resumption);
 * - one extension (default 10 working days, art. 42) moves the due date;
 * - the decision stops the clock; delivery has its own 10 working days
 *   (art. 44) counted from the decision;
 * - a supplement not received within the applicant's deadline ends the case
 *   as withdrawn.
 */
#ifndef ONEHALL_TIMELIMIT_H
#define ONEHALL_TIMELIMIT_H
#include "core/err.h"
#include "core/i18n.h"
#include "core/mem.h"
#include "core/workday.h"
#include <stddef.h>
#include <stdint.h>

/** Working days a licensing agency has to answer a submission (art. 32). */
#define TL_ANSWER_DAYS 5
/** Working days of an extension approved by the head of the agency (art. 42). */
#define TL_EXTENSION_DAYS 10
/** Working days to deliver the licence after the decision (art. 44). */
#define TL_DELIVERY_DAYS 10
/** Default working days the applicant has to supply a supplement (hall policy). */
#define TL_SUPPLEMENT_DAYS_DEFAULT 15

enum tl_event_kind {
    TL_EV_SUBMITTED,            /**< application received (online or at a counter) */
    TL_EV_ACCEPTED,             /**< 受理 */
    TL_EV_DECLINED,             /**< 不予受理 (before acceptance only) */
    TL_EV_SUPPLEMENT_REQUESTED, /**< 补正告知: applicant asked for more */
    TL_EV_SUPPLEMENT_RECEIVED,  /**< the applicant's supplement arrived */
    TL_EV_SPECIAL_STARTED,      /**< 特别程序: hearing, expert review, inspection, testing, notice */
    TL_EV_SPECIAL_ENDED,
    TL_EV_EXTENDED, /**< extension approved by the head of the agency (art. 42) */
    TL_EV_DECIDED,  /**< 办结: the decision */
    TL_EV_DELIVERED, /**< licence delivered to the applicant (art. 44) */
};

struct tl_event {
    enum tl_event_kind kind;
    int64_t at_ms; /**< instant, ms since the epoch */
    int days;      /**< TL_EV_EXTENDED: working days added, 0 = TL_EXTENSION_DAYS */
};

struct tl_case_events {
    const struct tl_event *v; /**< any order; sorted by time inside (stable) */
    size_t n;
    int online;     /**< applicant's submissions and supplements arrive online */
    int licensing;  /**< an administrative licensing item (art. 32 applies) */
    int64_t now_ms; /**< the moment the question is asked; 0 = clock_now_ms() */
};

enum tl_unit {
    TL_WORKING_DAYS,  /**< the usual: art. 82 */
    TL_CALENDAR_DAYS, /**< last day on a day off → next working day */
    TL_HOURS,         /**< office hours of working days */
    TL_IMMEDIATE,     /**< 即办: concluded on the day of acceptance */
};

struct tl_limit {
    enum tl_unit unit;
    int amount;          /**< days or hours; ignored for TL_IMMEDIATE */
    int supplement_days; /**< applicant's deadline in working days; 0 = default */
    struct workday_hours hours; /**< office hours; {0, 0} = WORKDAY_HOURS_DEFAULT */
};

enum tl_state {
    TL_NOT_STARTED,     /**< not accepted (yet) */
    TL_AWAITING_ANSWER, /**< licensing item received, agency's 5 days running */
    TL_RUNNING,         /**< clock running */
    TL_STOPPED,         /**< clock stopped (supplement or special procedure) */
    TL_DECIDED,
    TL_DECLINED,
    TL_WITHDRAWN, /**< supplement deadline passed */
};

enum tl_step_kind {
    TL_STEP_RECEIVED,
    TL_STEP_RECEIVED_NEXT_WORKDAY,
    TL_STEP_SUPPLEMENT_BEFORE_ACCEPTANCE,
    TL_STEP_SUPPLEMENT_RECEIVED_BEFORE_ACCEPTANCE,
    TL_STEP_ANSWER_DUE,
    TL_STEP_DEEMED_ACCEPTED,
    TL_STEP_ACCEPTED,
    TL_STEP_ACCEPTED_AFTER_DEEMED,
    TL_STEP_START_NEXT_WORKDAY,
    TL_STEP_START,
    TL_STEP_LIMIT,
    TL_STEP_EXTENDED,
    TL_STEP_SKIPPED_HOLIDAY,
    TL_STEP_COUNTED_ADJUSTED,
    TL_STEP_UNKNOWN_YEAR,
    TL_STEP_STOPPED,
    TL_STEP_STOPPED_OPEN,
    TL_STEP_SUPPLEMENT_DUE,
    TL_STEP_LAST_DAY_MOVED,
    TL_STEP_IMMEDIATE,
    TL_STEP_DUE,
    TL_STEP_DECIDED,
    TL_STEP_DELIVERY_DUE,
    TL_STEP_DELIVERED,
    TL_STEP_DECLINED,
    TL_STEP_WITHDRAWN,
    TL_STEP_IGNORED,
    TL_STEP__COUNT
};

/** One line of a derivation. */
struct tl_step {
    enum tl_step_kind kind;
    workday_date from, to; /**< the dates it is about (WORKDAY_NONE when none) */
    int days;              /**< a count it is about, else 0 */
    char detail[64];       /**< holiday name, "supplement" / "special", ... */
    char text[LANG__COUNT][384]; /**< for people, per language */
};

struct tl_result {
    enum tl_state state;
    workday_date received;    /**< counts as received (WORKDAY_NONE when unknown) */
    workday_date clock_start; /**< the uncounted start day */
    workday_date due;         /**< due date, WORKDAY_NONE while stopped or not started */
    int64_t due_ms;           /**< TL_HOURS: the instant; else 0 */
    workday_date answer_due;  /**< licensing: last day to answer (art. 32) */
    workday_date supplement_due; /**< open supplement's deadline for the applicant */
    workday_date decided;
    workday_date delivery_due;
    int provisional; /**< a day of an unknown year was looked at */
    int total;       /**< limit in its unit, extension included */
    int used;        /**< counted so far (up to now or the decision) */
    int left;        /**< total - used; negative when overdue */
    int overdue;     /**< decided late, or past due and not decided */
    struct tl_step *steps; /**< owned; free with timelimit_result_free */
    size_t n_steps;
    size_t cap_steps;
};

/** Applies the clock rules to a case's events under limit. On success *out
 *  holds the result (caller frees with timelimit_result_free). Refused with
 *  -ERR_INVALID and e filled: an impossible sequence (accepted twice, a
 *  supplement received that was never asked, a second extension, an
 *  extension after the due date, a decision before acceptance ...), a bad
 *  limit (negative, more than WORKDAY_MAX_COUNT), instants out of range. */
int timelimit_compute(const struct tl_case_events *ev, const struct tl_limit *limit,
                      struct tl_result *out, struct err *e);

/** The arithmetic alone, explained: limit counted from start (start not
 *  counted, no clock rules). Its due date equals workday_add's. */
int timelimit_count(workday_date start, const struct tl_limit *limit, struct tl_result *out,
                    struct err *e);

/** Frees the steps; *r may be reused. Safe on a zeroed result. */
void timelimit_result_free(struct tl_result *r);

/** Machine-readable names ("due", "stopped", ...; "running", ...). */
const char *tl_step_kind_name(enum tl_step_kind k);
const char *tl_state_name(enum tl_state s);

/** Appends an iCalendar (RFC 5545) VCALENDAR with one all-day VEVENT on the
 *  due date of r to out: CRLF line ends, TEXT values escaped, lines folded
 *  at 75 octets. uid identifies the event (e.g. case number + "@host");
 *  summary is free text; the description is the derivation in lang. stamp_ms
 *  is DTSTAMP. -ERR_INVALID when r has no due date. */
int timelimit_ical(const struct tl_result *r, const char *uid, const char *summary,
                   enum lang lang, int64_t stamp_ms, struct buf *out);
#endif
