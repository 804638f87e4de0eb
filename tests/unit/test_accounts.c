/**
 * @file test_accounts.c
 * @brief The accounts module against a throw-away SQLite database:
 *        registration checks, login and throttling with a set clock,
 *        sessions and their expiry, verified claims, and the audit chain
 *        that every change leaves.
 */
#include "core/clock.h"
#include "core/crypto.h"
#include "core/i18n.h"
#include "domain/accounts.h"
#include "domain/audit.h"
#include "store/store.h"
#include "apitest.h"
#include <stdlib.h>
#include <string.h>

struct fx {
    char *dir;
    struct store *s;
    struct store_conn *c;
    struct arena *a;
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    f->dir = test_tmpdir();
    struct store_options opt = {NULL, f->dir, 2, 5000};
    char err[256];
    if (store_open(&opt, &f->s, err, sizeof err) < 0 || store_migrate(f->s, NULL, err, sizeof err) < 0) {
        fprintf(stderr, "%s\n", err);
        return -1;
    }
    f->c = store_acquire(f->s);
    f->a = arena_new();
    crypto_init(2, 5000);
    clock_set(1767225600000LL); /* 2026-01-01T00:00:00Z */
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    arena_free(f->a);
    store_release(f->c);
    store_close(f->s);
    test_rmrf(f->dir);
    free(f->dir);
    free(f);
    clock_set(0);
    return 0;
}

static int64_t count(struct store_conn *c, const char *sql)
{
    int64_t n = -1;
    assert_int_equal(store_query_int64(c, &n, sql, NULL), STORE_ROW);
    return n;
}

static void test_register_checks(void **state)
{
    struct fx *f = *state;
    char id[19];
    test_id_number("19900101", 123, id);
    struct person_input ok = {"艾合买提·买买提", id, "13900000001", NULL, "secret-pass1"};
    struct err e;
    int64_t aid = 0;
    assert_int_equal(accounts_register(f->c, &ok, "127.0.0.1", &aid, &e), 0);
    assert_true(aid > 0);

    struct person_input bad = ok;
    char wrong[19];
    memcpy(wrong, id, 19);
    wrong[17] = wrong[17] == '0' ? '1' : '0';
    bad.id_number = wrong;
    bad.phone = "13900000002";
    assert_int_equal(accounts_register(f->c, &bad, NULL, NULL, &e), -ERR_INVALID);
    assert_string_equal(e.field, "id_number");
    assert_string_equal(e.key, "idcheck.id.check-digit");

    bad.id_number = "44060419901301123X"; /* month 13 */
    assert_int_equal(accounts_register(f->c, &bad, NULL, NULL, &e), -ERR_INVALID);
    assert_string_equal(e.field, "id_number");

    bad = ok;
    bad.phone = "13900000003";
    assert_int_equal(accounts_register(f->c, &bad, NULL, NULL, &e), -ERR_ID_TAKEN);

    char id2[19];
    test_id_number("19851231", 7, id2);
    bad.id_number = id2;
    bad.name = "<script>alert(1)</script>";
    assert_int_equal(accounts_register(f->c, &bad, NULL, NULL, &e), -ERR_INVALID);
    assert_string_equal(e.field, "name");
    bad.name = "Robert'); DROP TABLE accounts;--";
    assert_int_equal(accounts_register(f->c, &bad, NULL, NULL, &e), -ERR_INVALID);
    bad.name = "王五";
    bad.password = "short";
    assert_int_equal(accounts_register(f->c, &bad, NULL, NULL, &e), -ERR_INVALID);
    assert_string_equal(e.field, "password");
    bad.password = "long-enough-1";
    bad.phone = "13900000001"; /* taken */
    assert_int_equal(accounts_register(f->c, &bad, NULL, NULL, &e), -ERR_CONFLICT);
    assert_string_equal(e.field, "phone");
    assert_int_equal(count(f->c, "SELECT COUNT(*) FROM accounts"), 1);

    /* A lowercase x is stored uppercase. */
    char idx[19];
    int seq = 0;
    do
        test_id_number("19700505", seq++, idx);
    while (idx[17] != 'X');
    idx[17] = 'x';
    struct person_input lx = {"赵六", idx, "13900000009", "zl@example.cn", "pass-word-9"};
    assert_int_equal(accounts_register(f->c, &lx, NULL, &aid, &e), 0);
    struct account acc;
    assert_int_equal(accounts_get(f->c, f->a, aid, &acc, &e), 0);
    assert_int_equal(acc.id_number[17], 'X');
    assert_true(acc.roles & ROLE_CITIZEN);
}

static void test_login_throttle_and_sessions(void **state)
{
    struct fx *f = *state;
    char id[19];
    test_id_number("19800202", 55, id);
    struct person_input p = {"钱七", id, "13700000000", NULL, "right-pass1"};
    struct err e;
    int64_t aid;
    assert_int_equal(accounts_register(f->c, &p, NULL, &aid, &e), 0);
    char token[64];
    assert_int_equal(accounts_login(f->c, "13700000000", "right-pass1", SESSION_API, "ip", token,
                                    NULL, &e),
                     0);
    struct principal pr;
    assert_int_equal(accounts_session_principal(f->c, f->a, token, SESSION_API, &pr), 1);
    assert_int_equal(pr.account_id, aid);
    assert_true(pr.roles & ROLE_CITIZEN);
    /* A bearer token is no cookie session. */
    assert_int_equal(accounts_session_principal(f->c, f->a, token, SESSION_WEB, &pr), 0);
    /* Only the hash is stored. */
    int64_t n = 0;
    assert_int_equal(store_query_int64(f->c, &n, "SELECT COUNT(*) FROM sessions WHERE token_hash = ?",
                                       token, NULL),
                     STORE_ROW);
    assert_int_equal(n, 0);

    /* Idle expiry. */
    clock_advance(1801 * 1000);
    assert_int_equal(accounts_session_principal(f->c, f->a, token, SESSION_API, &pr), 0);

    /* Failures: 3 plain, then waits, then locked. */
    for (int i = 1; i <= 3; i++)
        assert_int_equal(accounts_login(f->c, id, "wrong", SESSION_API, "ip", token, NULL, &e),
                         -ERR_BAD_CREDENTIALS);
    assert_int_equal(accounts_login(f->c, id, "wrong", SESSION_API, "ip", token, NULL, &e),
                     -ERR_BAD_CREDENTIALS);
    /* The 5th try comes too soon: told to wait, even with the right password. */
    assert_int_equal(accounts_login(f->c, id, "right-pass1", SESSION_API, "ip", token, NULL, &e),
                     -ERR_LOCKED);
    assert_true(atoi(e.arg) >= 1);
    clock_advance(3000);
    assert_int_equal(accounts_login(f->c, id, "right-pass1", SESSION_API, "ip", token, NULL, &e),
                     0);
    /* Success clears the count. */
    for (int i = 0; i < 10; i++) {
        clock_advance(600 * 1000);
        accounts_login(f->c, id, "wrong", SESSION_API, "ip", token, NULL, &e);
    }
    assert_int_equal(accounts_login(f->c, id, "right-pass1", SESSION_API, "ip", token, NULL, &e),
                     -ERR_LOCKED);
    assert_true(atoi(e.arg) > 600);
    clock_advance(16 * 60 * 1000);
    assert_int_equal(accounts_login(f->c, id, "right-pass1", SESSION_WEB, "ip", token, NULL, &e),
                     0);
    assert_int_equal(accounts_logout(f->c, token, "ip"), 0);
    assert_int_equal(accounts_session_principal(f->c, f->a, token, SESSION_WEB, &pr), 0);
    /* Unknown users fail the same way. */
    assert_int_equal(accounts_login(f->c, "nobody", "x-password1", SESSION_API, "ip", token, NULL,
                                    &e),
                     -ERR_BAD_CREDENTIALS);
}

static void test_verified_claim_overrides(void **state)
{
    struct fx *f = *state;
    char id[19];
    test_id_number("19750303", 99, id);
    /* Someone registers with a leaked number. */
    struct person_input squatter = {"冒用者", id, "13600000001", NULL, "squat-pass1"};
    struct err e;
    int64_t sq;
    assert_int_equal(accounts_register(f->c, &squatter, NULL, &sq, &e), 0);
    char token[64];
    assert_int_equal(accounts_login(f->c, id, "squat-pass1", SESSION_API, "ip", token, NULL, &e),
                     0);
    /* The owner shows the card at a counter. */
    struct person_input owner = {"孙八", id, "13600000002", NULL, "owner-pass1"};
    int64_t own;
    assert_int_equal(accounts_verify_claim(f->c, &owner, REALNAME_COUNTER, 0, "ip", &own, &e), 0);
    assert_true(own != sq);
    struct account a;
    assert_int_equal(accounts_get(f->c, f->a, own, &a, &e), 0);
    assert_string_equal(a.id_number, id);
    assert_int_equal(a.realname_level, REALNAME_COUNTER);
    assert_int_equal(accounts_get(f->c, f->a, sq, &a, &e), 0);
    assert_null(a.id_number);
    assert_true(a.disabled);
    struct principal pr;
    assert_int_equal(accounts_session_principal(f->c, f->a, token, SESSION_API, &pr), 0);
    assert_int_equal(accounts_login(f->c, id, "owner-pass1", SESSION_API, "ip", token, NULL, &e),
                     0);
    /* A kiosk read later raises the level of the same account. */
    int64_t again;
    assert_int_equal(accounts_verify_claim(f->c, &owner, REALNAME_KIOSK, 0, "ip", &again, &e), 0);
    assert_int_equal(again, own);
    assert_int_equal(accounts_get(f->c, f->a, own, &a, &e), 0);
    assert_int_equal(a.realname_level, REALNAME_KIOSK);
}

static void test_audit_chain(void **state)
{
    struct fx *f = *state;
    char id[19];
    test_id_number("19660606", 1, id);
    struct person_input p = {"周九", id, "13500000000", NULL, "audit-pass1"};
    struct err e;
    assert_int_equal(accounts_register(f->c, &p, "10.0.0.1", NULL, &e), 0);
    assert_int_equal(accounts_create_staff(f->c, "zhou", "周处", "staff-pass1", NULL, 0, NULL, &e),
                     0);
    struct audit_report rep;
    assert_int_equal(audit_verify(f->c, &rep), 0);
    assert_true(rep.rows >= 2);
    /* Edit a row: detected. */
    assert_int_equal(store_exec(f->c, "UPDATE audit_log SET ip = '1.2.3.4' WHERE seq = 1"), 0);
    assert_int_equal(audit_verify(f->c, &rep), 1);
    assert_non_null(strstr(rep.problem, "changed"));
    assert_int_equal(store_exec(f->c, "UPDATE audit_log SET ip = '10.0.0.1' WHERE seq = 1"), 0);
    assert_int_equal(audit_verify(f->c, &rep), 0);
    /* Delete the last row: detected through the head. */
    assert_int_equal(store_exec(f->c, "DELETE FROM audit_log WHERE id = (SELECT MAX(id) FROM "
                                      "audit_log)"),
                     0);
    assert_int_equal(audit_verify(f->c, &rep), 1);
}

int main(void)
{
    i18n_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_register_checks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_login_throttle_and_sessions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_verified_claim_overrides, setup, teardown),
        cmocka_unit_test_setup_teardown(test_audit_chain, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
