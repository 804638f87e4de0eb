/**
 * @file cmd_calendar.c
 * @brief onehall calendar: due dates, working days, validating (and, once
 *        the store is there, storing) a year's calendar, and a benchmark.
 *
 * Needs no database, data directory or installation: the calendars of
 * 2024-2026 are built in, and nothing here reads the locale (output is UTF-8
 * whatever LANG or LC_ALL say; --lang picks the language of the words).
 */
#include "app/app.h"
#include "cli/cli.h"
#include "domain/calendar_store.h"
#include "store/store.h"
#include "core/clock.h"
#include "core/i18n.h"
#include "core/timelimit.h"
#include "core/workday.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/** Options shared by the sub-commands. */
struct opts {
    const char *from;
    const char *days;
    const char *date;
    const char *file;
    const char *data_dir;
    const char *db_url;
    int dry_run;
    const char *iterations;
    int explain;
    int ics;
    int replace;
    enum lang lang;
};

static const char *usage_text =
    "usage: onehall calendar due --from YYYY-MM-DD --days N [--explain] [--ics] [--lang en|zh-CN]\n"
    "       onehall calendar is-workday YYYY-MM-DD [--explain] [--lang en|zh-CN]\n"
    "       onehall calendar load FILE [--data DIR] [--db URL] [--replace] [--dry-run]\n"
    "       onehall calendar years\n"
    "       onehall calendar bench [--iterations N]\n"
    "\n"
    "Working days follow the State Council's calendars (2024-2026 built in); a year\n"
    "without a calendar is counted on weekends alone and the answer is marked\n"
    "provisional. See docs/time-limits.md.\n";

static const char *usage_due =
    "usage: onehall calendar due --from YYYY-MM-DD --days N [--explain] [--ics] [--lang en|zh-CN]\n"
    "\n"
    "Prints the date on which N working days counted from --from end (the start\n"
    "day is not counted; N = 0 gives the start day) as YYYY-MM-DD on the last line.\n"
    "  --explain   print the derivation (one line per step) before the date\n"
    "  --ics       print an iCalendar event for the date before it\n"
    "  --lang      language of the derivation: zh-CN (default) or en\n"
    "Exit status: 0 ok, 2 bad input.\n";

static const char *usage_is =
    "usage: onehall calendar is-workday YYYY-MM-DD [--explain] [--lang en|zh-CN]\n"
    "\n"
    "Prints yes or no on the last line. --explain says why first (holiday,\n"
    "adjusted working day, weekend, unknown year).\n"
    "Exit status: 0 ok, 2 bad input.\n";

static const char *usage_load =
    "usage: onehall calendar load FILE [--data DIR] [--db URL] [--replace] [--dry-run]\n"
    "\n"
    "Validates FILE (the format of data/calendar/YYYY.json) completely, stores the\n"
    "year in the hall's database (DIR defaults to onehall-data) and prints what it\n"
    "added; servers pick it up at their next start. A year already known (built in\n"
    "or loaded before) is refused and nothing changes, unless --replace says that\n"
    "the published calendar is being corrected. --dry-run validates only.\n"
    "due and is-workday take --data/--db too, to count with the stored years.\n"
    "Exit status: 0 done, 1 database unavailable, 2 invalid or already present.\n";

static const char *usage_bench =
    "usage: onehall calendar bench [--iterations N]\n"
    "\n"
    "Measures due-date computations per second for 20- and 60-working-day limits\n"
    "(plain arithmetic and with the full derivation). N defaults to 200000.\n";

/** Prints a translated message with one argument on stderr. */
static int fail_usage(enum lang lang, const char *key, const char *arg)
{
    char msg[512];
    fprintf(stderr, "onehall calendar: %s\n", trf(lang, key, arg, msg, sizeof msg));
    return 2;
}

/** Prints an error from the engine on stderr. */
static int fail_err(enum lang lang, const struct err *e, int status)
{
    char msg[512];
    const char *key = e->key[0] ? e->key : "workday.err.sequence";
    fprintf(stderr, "onehall calendar: %s\n", trf(lang, key, e->arg, msg, sizeof msg));
    return status;
}

/** Parses the options after the sub-command name. Returns 0, or the exit
 *  status after printing the reason. */
static int parse_opts(int argc, char **argv, struct opts *o)
{
    memset(o, 0, sizeof *o);
    o->lang = LANG_ZH;
    /* --lang first, so that messages about other options use it. */
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--lang") == 0 && i + 1 < argc) {
            int l = lang_parse(argv[i + 1]);
            if (l < 0)
                return fail_usage(LANG_EN, "workday.cli.bad_lang", argv[i + 1]);
            o->lang = (enum lang)l;
        }
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char **slot = NULL;
        if (strcmp(a, "--from") == 0)
            slot = &o->from;
        else if (strcmp(a, "--days") == 0)
            slot = &o->days;
        else if (strcmp(a, "--data") == 0)
            slot = &o->data_dir;
        else if (strcmp(a, "--db") == 0)
            slot = &o->db_url;
        else if (strcmp(a, "--replace") == 0) {
            o->replace = 1;
            continue;
        } else if (strcmp(a, "--dry-run") == 0) {
            o->dry_run = 1;
            continue;
        }
        else if (strcmp(a, "--iterations") == 0)
            slot = &o->iterations;
        else if (strcmp(a, "--lang") == 0) {
            if (i + 1 >= argc)
                return fail_usage(o->lang, "workday.cli.missing", "--lang");
            i++;
            continue;
        } else if (strcmp(a, "--explain") == 0) {
            o->explain = 1;
            continue;
        } else if (strcmp(a, "--ics") == 0) {
            o->ics = 1;
            continue;
        } else if (a[0] == '-' && a[1]) {
            return fail_usage(o->lang, "workday.cli.unknown", a);
        } else if (!o->date) {
            o->date = a;
            continue;
        } else {
            return fail_usage(o->lang, "workday.cli.unknown", a);
        }
        if (i + 1 >= argc)
            return fail_usage(o->lang, "workday.cli.missing", a);
        *slot = argv[++i];
    }
    return 0;
}

/** Parses a whole number within [lo, hi]; -1 when it is not one. */
static long parse_count(const char *s, long lo, long hi)
{
    if (!s || !*s || strlen(s) > 9)
        return -1;
    long v = 0;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9')
            return -1;
        v = v * 10 + (*p - '0');
    }
    return v < lo || v > hi ? -1 : v;
}

/** Prints the derivation lines of r in lang. */
static void print_steps(const struct tl_result *r, enum lang lang)
{
    for (size_t i = 0; i < r->n_steps; i++)
        printf("%s\n", r->steps[i].text[lang]);
    if (r->provisional)
        printf("%s\n", tr(lang, "workday.provisional"));
}

/** onehall calendar due */
static int run_due(const struct opts *o)
{
    workday_date start, end;
    if (!o->from)
        return fail_usage(o->lang, "workday.cli.missing", "--from");
    if (!o->days)
        return fail_usage(o->lang, "workday.cli.missing", "--days");
    if (o->date)
        return fail_usage(o->lang, "workday.cli.unknown", o->date);
    if (workday_date_parse(o->from, &start) < 0)
        return fail_usage(o->lang, "workday.cli.bad_date", o->from);
    long n = parse_count(o->days, 0, WORKDAY_MAX_COUNT);
    if (n < 0)
        return fail_usage(o->lang, "workday.cli.bad_days", o->days);
    int prov = 0;
    if (workday_add(start, (int)n, &end, &prov) < 0)
        return fail_usage(o->lang, "workday.cli.bad_days", o->days);
    if (o->explain || o->ics) {
        struct tl_limit lim = {TL_WORKING_DAYS, (int)n, 0, {0, 0}};
        struct tl_result r;
        struct err e;
        if (timelimit_count(start, &lim, &r, &e) < 0)
            return fail_err(o->lang, &e, 2);
        if (o->explain)
            print_steps(&r, o->lang);
        if (o->ics) {
            struct buf b = BUF_INIT;
            char uid[64], ds[WORKDAY_DATE_BUFSZ];
            snprintf(uid, sizeof uid, "due-%s-%ld@onehall", o->from, n);
            timelimit_ical(&r, uid, workday_date_format(end, ds), o->lang, clock_now_ms(), &b);
            fputs(buf_str(&b), stdout);
            buf_free(&b);
        }
        timelimit_result_free(&r);
    }
    char ds[WORKDAY_DATE_BUFSZ];
    printf("%s\n", workday_date_format(end, ds));
    return 0;
}

/** onehall calendar is-workday */
static int run_is(const struct opts *o)
{
    workday_date d;
    if (!o->date)
        return fail_usage(o->lang, "workday.cli.missing", "YYYY-MM-DD");
    if (o->from || o->days)
        return fail_usage(o->lang, "workday.cli.unknown", o->from ? "--from" : "--days");
    if (workday_date_parse(o->date, &d) < 0)
        return fail_usage(o->lang, "workday.cli.bad_date", o->date);
    struct workday_info info;
    if (workday_day_info(d, &info) < 0)
        return fail_usage(o->lang, "workday.cli.bad_date", o->date);
    if (o->explain) {
        char key[48], wk[16];
        snprintf(key, sizeof key, "workday.wd.%d", workday_weekday(d));
        snprintf(wk, sizeof wk, "%s", tr(o->lang, key));
        if (o->lang == LANG_EN) {
            static const char *en[] = {"a working day", "a weekend day", "a holiday",
                                       "an adjusted working day"};
            printf("%s %s: %s%s%s%s\n", wk, o->date, en[info.kind], *info.name ? " (" : "",
                   info.name, *info.name ? ")" : "");
        } else {
            static const char *zh[] = {"工作日", "周末", "法定节假日", "调休上班日"};
            printf("%s（%s）：%s%s%s%s\n", o->date, wk, zh[info.kind], *info.name ? "（" : "",
                   info.name, *info.name ? "）" : "");
        }
        if (info.provisional)
            printf("%s\n", tr(o->lang, "workday.provisional"));
    }
    printf("%s\n", info.working ? "yes" : "no");
    return 0;
}

/** Opens the hall's database named by --data/--db (data defaults to
 *  onehall-data when want is set) and adds its stored years. NULL when
 *  neither was asked for, or on failure (*failed set). */
static struct store_conn *open_store(const struct opts *o, int want, struct app_ctx *app,
                                     int *failed)
{
    *failed = 0;
    if (!want && !o->data_dir && !o->db_url)
        return NULL;
    struct config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.data_dir = (char *)(o->data_dir ? o->data_dir : "onehall-data");
    cfg.db_url = (char *)(o->db_url ? o->db_url : "");
    char errbuf[512];
    if (app_open(&cfg, 1, app, errbuf, sizeof errbuf) < 0) {
        fprintf(stderr, "onehall calendar: %s\n", errbuf);
        *failed = 1;
        return NULL;
    }
    struct store_conn *c = store_acquire(app->store);
    struct err e;
    if (calendar_store_load_all(c, &e) < 0) {
        fail_err(o->lang, &e, 1);
        store_release(c);
        app_close(app);
        *failed = 1;
        return NULL;
    }
    return c;
}

/** onehall calendar load: validate, store, say what was added. */
static int run_load(const struct opts *o, struct store_conn *c)
{
    if (!o->date)
        return fail_usage(o->lang, "workday.cli.missing", "FILE");
    FILE *f = fopen(o->date, "rb");
    if (!f)
        return fail_usage(o->lang, "workday.err.file", o->date);
    struct buf b = BUF_INIT;
    char chunk[8192];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0 && b.len <= (1u << 20))
        buf_append(&b, chunk, got);
    fclose(f);
    if (b.len > (1u << 20)) {
        buf_free(&b);
        return fail_usage(o->lang, "workday.err.file", o->date);
    }
    struct workday_year *y;
    struct err e;
    if (workday_year_parse(buf_str(&b), b.len, &y, &e) < 0) {
        buf_free(&b);
        return fail_err(o->lang, &e, 2);
    }
    int rc = workday_check_year(y, o->replace, &e);
    if (rc < 0) {
        buf_free(&b);
        workday_year_free(y);
        return fail_err(o->lang, &e, 2);
    }
    if (c && !o->dry_run) {
        int year;
        rc = calendar_store_add(c, buf_str(&b), b.len, o->replace, 0, NULL, &year, &e);
        if (rc < 0) {
            buf_free(&b);
            workday_year_free(y);
            return fail_err(o->lang, &e, e.code == ERR_UNAVAILABLE ? 1 : 2);
        }
    }
    buf_free(&b);
    char what[64], a[WORKDAY_DATE_BUFSZ], d[WORKDAY_DATE_BUFSZ];
    snprintf(what, sizeof what, "%d", y->year);
    char msg[256];
    printf("%s\n", trf(o->lang, c && !o->dry_run ? "workday.cli.added" : "workday.cli.would_add",
                       what, msg, sizeof msg));
    if (y->source[0])
        printf("  source: %s\n", y->source);
    for (size_t i = 0; i < y->n_holidays; i++)
        printf("  holiday %s %s..%s\n", y->holidays[i].name,
               workday_date_format(y->holidays[i].from, a),
               workday_date_format(y->holidays[i].to, d));
    for (size_t i = 0; i < y->n_adjusted; i++)
        printf("  adjusted working day %s\n", workday_date_format(y->adjusted[i], a));
    workday_year_free(y);
    return 0;
}

/** onehall calendar years */
static int run_years(void)
{
    int years[256];
    int n = workday_years(years, 256);
    for (int i = 0; i < n && i < 256; i++) {
        char src[512];
        workday_year_source(years[i], src, sizeof src);
        printf("%d %s\n", years[i], src);
    }
    return 0;
}

/** Seconds from a monotonic clock. */
static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/** onehall calendar bench: due-date computations per second. Starts are
 *  spread over 2024-2026 so every holiday is crossed. */
static int run_bench(const struct opts *o)
{
    long iters = o->iterations ? parse_count(o->iterations, 1, 100000000) : 200000;
    if (iters < 0)
        return fail_usage(o->lang, "workday.cli.bad_days", o->iterations);
    workday_date base;
    workday_date_from_ymd(2024, 1, 1, &base);
    int limits[] = {20, 60};
    for (int k = 0; k < 2; k++) {
        workday_date end, sink = 0;
        double t0 = now_s();
        for (long i = 0; i < iters; i++) {
            workday_add(base + (workday_date)(i % 1000), limits[k], &end, NULL);
            sink ^= end;
        }
        double t1 = now_s();
        long it2 = iters / 20 + 1;
        struct tl_limit lim = {TL_WORKING_DAYS, limits[k], 0, {0, 0}};
        for (long i = 0; i < it2; i++) {
            struct tl_result r;
            if (timelimit_count(base + (workday_date)(i % 1000), &lim, &r, NULL) == 0) {
                sink ^= r.due;
                timelimit_result_free(&r);
            }
        }
        double t2 = now_s();
        printf("%d working days: %.0f/s arithmetic (workday_add), %.0f/s with derivation "
               "(timelimit_count) [%ld + %ld runs, check %d]\n",
               limits[k], iters / (t1 - t0), it2 / (t2 - t1), iters, it2, (int)(sink & 1));
    }
    return 0;
}

/** Entry point: onehall calendar SUBCOMMAND ... */
int cmd_calendar(int argc, char **argv)
{
    if (argc < 2) {
        fputs(usage_text, stderr);
        return 2;
    }
    const char *sub = argv[1];
    if (strcmp(sub, "-h") == 0 || strcmp(sub, "--help") == 0 || strcmp(sub, "help") == 0) {
        fputs(usage_text, stdout);
        return 0;
    }
    struct {
        const char *name;
        const char *usage;
    } subs[] = {{"due", usage_due},     {"is-workday", usage_is}, {"load", usage_load},
                {"years", usage_text},  {"bench", usage_bench}};
    const char *usage = NULL;
    for (size_t i = 0; i < sizeof subs / sizeof *subs; i++)
        if (strcmp(sub, subs[i].name) == 0)
            usage = subs[i].usage;
    if (!usage) {
        fprintf(stderr, "onehall calendar: unknown sub-command '%s'\n\n%s", sub, usage_text);
        return 2;
    }
    if (cli_wants_help(argc - 1, argv + 1)) {
        fputs(usage, stdout);
        return 0;
    }
    struct opts o;
    int rc = parse_opts(argc - 1, argv + 1, &o);
    if (rc)
        return rc;
    if (workday_init() < 0) {
        fprintf(stderr, "onehall calendar: a built-in calendar is invalid\n");
        return 1;
    }
    struct app_ctx app;
    int failed;
    int is_load = strcmp(sub, "load") == 0;
    struct store_conn *c = open_store(&o, is_load && !o.dry_run, &app, &failed);
    if (failed) {
        workday_cleanup();
        return 1;
    }
    if (strcmp(sub, "due") == 0)
        rc = run_due(&o);
    else if (strcmp(sub, "is-workday") == 0)
        rc = run_is(&o);
    else if (is_load)
        rc = run_load(&o, c);
    else if (strcmp(sub, "years") == 0)
        rc = run_years();
    else
        rc = run_bench(&o);
    if (c) {
        store_release(c);
        app_close(&app);
    }
    workday_cleanup();
    return rc;
}
