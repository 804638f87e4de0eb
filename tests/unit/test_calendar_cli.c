/**
 * @file test_calendar_cli.c
 * @brief onehall calendar as an operator runs it: popen of the built binary
 *        from an empty directory (no database, no data directory, no
 *        installation) under LC_ALL=C and LC_ALL=zh_CN.UTF-8.
 */
#include "testlib.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

static const char *locales[] = {"C", "zh_CN.UTF-8", "tr_TR.UTF-8"};

/** Output of one run. */
struct out {
    char text[16384];
    char last[256]; /* last line of stdout, without newline */
    char err[4096];
    int status;
};

/** Runs `onehall calendar ARGS` with LC_ALL/LANG set to locale, in a fresh
 *  empty directory, capturing stdout and stderr. */
static void run(const char *locale, const char *args, struct out *o)
{
    memset(o, 0, sizeof *o);
    char *dir = test_tmpdir();
    assert_non_null(dir);
    char cmd[2048];
    snprintf(cmd, sizeof cmd,
             "cd '%s' && env -u ONEHALL_NOW LC_ALL=%s LANG=%s HOME='%s' '%s' calendar %s "
             "2>'%s/err'",
             dir, locale, locale, dir, ONEHALL_BIN, args, dir);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    size_t n = fread(o->text, 1, sizeof o->text - 1, p);
    o->text[n] = 0;
    int st = pclose(p);
    o->status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    char path[512];
    snprintf(path, sizeof path, "%s/err", dir);
    FILE *f = fopen(path, "r");
    if (f) {
        size_t m = fread(o->err, 1, sizeof o->err - 1, f);
        o->err[m] = 0;
        fclose(f);
    }
    /* Last line of stdout. */
    size_t len = strlen(o->text);
    while (len && o->text[len - 1] == '\n')
        len--;
    size_t start = len;
    while (start && o->text[start - 1] != '\n')
        start--;
    snprintf(o->last, sizeof o->last, "%.*s", (int)(len - start), o->text + start);
    test_rmrf(dir);
    free(dir);
}

static void test_due(void **state)
{
    (void)state;
    struct out o;
    for (size_t i = 0; i < sizeof locales / sizeof *locales; i++) {
        run(locales[i], "due --from 2026-09-25 --days 20", &o);
        assert_int_equal(o.status, 0);
        assert_string_equal(o.text, "2026-10-29\n");
        run(locales[i], "due --from 2026-09-30 --days 1", &o);
        assert_string_equal(o.last, "2026-10-08");
        run(locales[i], "due --days 0 --from 2026-02-16", &o);
        assert_string_equal(o.last, "2026-02-16");
        run(locales[i], "due --from 2024-12-31 --days 1", &o);
        assert_string_equal(o.last, "2025-01-02");
        run(locales[i], "due --from 2026-09-25 --days 20 --explain --lang en", &o);
        assert_int_equal(o.status, 0);
        assert_string_equal(o.last, "2026-10-29");
        assert_non_null(strstr(o.text, "skipped 2026-10-01..07 National Day\n"));
        assert_non_null(strstr(o.text, "counted Sat 2026-10-10, an adjusted working day\n"));
        run(locales[i], "due --from 2026-09-25 --days 20 --explain --lang zh-CN", &o);
        assert_string_equal(o.last, "2026-10-29");
        assert_non_null(strstr(o.text, "跳过2026-10-01..07国庆节假期\n"));
        /* Into an unknown year: provisional, said in the explanation. */
        run(locales[i], "due --from 2026-12-20 --days 20 --explain --lang en", &o);
        assert_string_equal(o.last, "2027-01-15");
        assert_non_null(strstr(o.text, "provisional"));
        run(locales[i], "due --from 2026-09-25 --days 20 --ics --lang en", &o);
        assert_string_equal(o.last, "2026-10-29");
        assert_non_null(strstr(o.text, "DTSTART;VALUE=DATE:20261029\r\n"));
    }
}

static void test_is_workday(void **state)
{
    (void)state;
    struct out o;
    for (size_t i = 0; i < sizeof locales / sizeof *locales; i++) {
        run(locales[i], "is-workday 2026-10-10", &o);
        assert_int_equal(o.status, 0);
        assert_string_equal(o.text, "yes\n");
        run(locales[i], "is-workday 2026-10-01", &o);
        assert_string_equal(o.text, "no\n");
        run(locales[i], "is-workday 2026-10-11", &o);
        assert_string_equal(o.text, "no\n");
        run(locales[i], "is-workday 2026-10-12", &o);
        assert_string_equal(o.text, "yes\n");
        run(locales[i], "is-workday 2030-10-01 --explain --lang en", &o);
        assert_string_equal(o.last, "yes");
        assert_non_null(strstr(o.text, "provisional"));
        run(locales[i], "is-workday 2026-10-01 --explain", &o);
        assert_string_equal(o.last, "no");
        assert_non_null(strstr(o.text, "国庆节"));
    }
}

static void test_bad_input(void **state)
{
    (void)state;
    static const char *bad[] = {
        "due --from 2026-02-30 --days 2", "due --from 2026-02-28 --days -1",
        "due --from 2026-02-28 --days 3651", "due --from 2026-02-28 --days 99999999999",
        "due --from 2026-02-28 --days abc", "due --from 2026-02-28", "due --days 3",
        "due --from 2026-02-28 --days 3 --bogus", "due --from 2026-02-28 --days 3 --lang fr",
        "is-workday 2026-13-01", "is-workday", "is-workday 26-01-01", "is-workday 2026-01-01 x",
        "nonsense", "", "load /nonexistent/file.json",
    };
    struct out o;
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        run("C", bad[i], &o);
        if (o.status != 2 || !o.err[0] || o.text[0])
            fail_msg("'%s': status %d, stderr '%s', stdout '%s'", bad[i], o.status, o.err,
                     o.text);
    }
    run("C", "due --from 2026-02-30 --days 2 --lang en", &o);
    assert_non_null(strstr(o.err, "not a date"));
    assert_non_null(strstr(o.err, "2026-02-30"));
}

static void test_help(void **state)
{
    (void)state;
    static const char *cmds[] = {"--help", "due --help", "is-workday --help", "load --help",
                                 "bench --help", "due -h"};
    struct out o;
    for (size_t i = 0; i < sizeof cmds / sizeof *cmds; i++) {
        run("C", cmds[i], &o);
        assert_int_equal(o.status, 0);
        assert_non_null(strstr(o.text, "usage: onehall calendar"));
    }
}

/** Writes text into dir/name and returns the path (static buffer). */
static const char *write_file(const char *dir, const char *name, const char *text)
{
    static char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return path;
}

static void test_load(void **state)
{
    (void)state;
    char *dir = test_tmpdir();
    char args[1024];
    struct out o;
    const char *p = write_file(dir, "2030.json",
                               "{\"year\": 2030, \"source\": \"test\", \"holidays\": [{\"name\": "
                               "\"国庆节\", \"from\": \"2030-10-01\", \"to\": \"2030-10-07\"}], "
                               "\"adjusted_workdays\": [\"2030-09-29\"]}");
    /* Unknown year 2030: counted on weekends alone until loaded. */
    snprintf(args, sizeof args, "is-workday 2030-10-02 --data '%s' --lang en", dir);
    run("C", args, &o);
    assert_int_equal(o.status, 0);
    assert_non_null(strstr(o.text, "yes"));
    snprintf(args, sizeof args, "load '%s' --data '%s' --dry-run --lang en", p, dir);
    run("C", args, &o);
    assert_int_equal(o.status, 0);
    assert_non_null(strstr(o.text, "would add 2030"));
    snprintf(args, sizeof args, "load '%s' --data '%s' --lang en", p, dir);
    run("C", args, &o);
    assert_int_equal(o.status, 0);
    assert_non_null(strstr(o.text, "added 2030"));
    assert_non_null(strstr(o.text, "2030-10-01..2030-10-07"));
    /* Stored: later commands that name the data directory count with it. */
    snprintf(args, sizeof args, "is-workday 2030-10-02 --data '%s' --lang en", dir);
    run("C", args, &o);
    assert_int_equal(o.status, 0);
    assert_non_null(strstr(o.text, "no"));
    /* Loaded twice: refused, nothing changed. */
    snprintf(args, sizeof args, "load '%s' --data '%s' --lang en", p, dir);
    run("C", args, &o);
    assert_int_equal(o.status, 2);
    assert_non_null(strstr(o.err, "already loaded"));
    /* A built-in year: refused. */
    snprintf(args, sizeof args, "load '%s/data/calendar/2026.json' --data '%s' --lang en",
             ONEHALL_SOURCE_DIR, dir);
    run("C", args, &o);
    assert_int_equal(o.status, 2);
    assert_non_null(strstr(o.err, "already loaded"));
    /* Contradictory: a holiday that is also an adjusted working day. */
    p = write_file(dir, "bad.json",
                   "{\"year\": 2031, \"holidays\": [{\"name\": \"a\", \"from\": \"2031-05-01\", "
                   "\"to\": \"2031-05-05\"}], \"adjusted_workdays\": [\"2031-05-03\"]}");
    snprintf(args, sizeof args, "load '%s' --data '%s' --lang en", p, dir);
    run("C", args, &o);
    assert_int_equal(o.status, 2);
    assert_non_null(strstr(o.err, "both a holiday and an adjusted working day"));
    test_rmrf(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_due),   cmocka_unit_test(test_is_workday),
        cmocka_unit_test(test_bad_input), cmocka_unit_test(test_help),
        cmocka_unit_test(test_load),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
