/**
 * @file cmd_demo.c
 * @brief onehall demo: loads the demo data once. The first run creates the
 *        demo departments and accounts (a system admin, a department clerk,
 *        a citizen) and prints their passwords, once; later runs change
 *        nothing and say so.
 */
#include "app/app.h"
#include "cli/cli.h"
#include "core/clock.h"
#include "core/config.h"
#include "core/crypto.h"
#include "core/idcheck.h"
#include "domain/accounts.h"
#include "domain/audit.h"
#include "store/store.h"
#include <stdio.h>
#include <string.h>

/* A few of Foshan's departments; the catalog brings all 157. */
static const struct {
    const char *code, *name, *name_en;
} departments[] = {
    {"FS-ZSJ", "佛山市政务服务和数据管理局", "Foshan Government Services and Data Administration"},
    {"FS-SCJG", "佛山市市场监督管理局", "Foshan Market Supervision Administration"},
    {"FS-GA", "佛山市公安局", "Foshan Public Security Bureau"},
    {"FS-RS", "佛山市人力资源和社会保障局", "Foshan Human Resources and Social Security Bureau"},
};

static int insert_departments(struct store_conn *c, void *ctx)
{
    for (size_t i = 0; i < sizeof departments / sizeof departments[0]; i++) {
        struct store_stmt *st;
        int rc = store_prepare(c,
                               "INSERT INTO departments (code, name, name_en, region) VALUES (?, "
                               "?, ?, '440600') ON CONFLICT (code) DO NOTHING",
                               &st);
        if (rc < 0)
            return rc;
        store_bind_text(st, 1, departments[i].code);
        store_bind_text(st, 2, departments[i].name);
        store_bind_text(st, 3, departments[i].name_en);
        rc = store_step(st);
        store_finalize(st);
        if (rc < 0)
            return rc;
    }
    return audit_record(c, 0, "demo.departments", "departments", NULL, NULL);
}

static void new_password(char *out)
{
    for (;;) {
        char tok[CRYPTO_TOKEN_BUFSZ];
        crypto_random_token(tok);
        tok[12] = 0;
        if (strpbrk(tok, "0123456789") && strpbrk(tok, "abcdefghijklmnopqrstuvwxyz")) {
            memcpy(out, tok, 13);
            return;
        }
    }
}

static int fail(const char *what, const struct err *e)
{
    char detail[512];
    trf(LANG_EN, e->key[0] ? e->key : "err.internal-error", e->arg, detail, sizeof detail);
    fprintf(stderr, "onehall demo: %s: %s%s%s\n", what, e->field, e->field[0] ? ": " : "",
            detail);
    return 1;
}

int cmd_demo(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        printf("usage: onehall demo [--data DIR] [--db URL]\n\n"
               "Loads the demo data: departments and three accounts (system admin 'admin',\n"
               "department clerk 'clerk', and a citizen who logs in with a phone number).\n"
               "Passwords are printed once, on the first run; later runs change nothing.\n");
        return 0;
    }
    crypto_init(1, 60000);
    struct cli_hall h;
    int rc = cli_hall_open("demo", &argc, argv, &h);
    if (rc)
        return rc;
    struct store_conn *c = h.conn;
    int64_t existing = 0;
    if (store_query_int64(c, &existing, "SELECT id FROM accounts WHERE username = 'admin'",
                          NULL) == STORE_ROW) {
        printf("demo data already loaded in %s (passwords were printed the first time)\n",
               h.cfg.db_url && *h.cfg.db_url ? "the database" : h.cfg.data_dir);
        goto out;
    }
    if (store_tx(c, insert_departments, NULL) < 0) {
        fprintf(stderr, "onehall demo: cannot write departments: %s\n", store_errmsg(c));
        rc = 1;
        goto out;
    }
    char admin_pw[16], clerk_pw[16], citizen_pw[16];
    new_password(admin_pw);
    new_password(clerk_pw);
    new_password(citizen_pw);
    struct err e;
    int64_t id;
    if (accounts_create_staff(c, "admin", "系统管理员", admin_pw, "FS-ZSJ", 0, &id, &e) < 0 ||
        accounts_grant(c, id, "sysadmin", 0, &e) < 0 ||
        accounts_grant(c, id, "hall_admin", 0, &e) < 0 ||
        accounts_grant(c, id, "auditor", 0, &e) < 0) {
        rc = fail("admin", &e);
        goto out;
    }
    if (accounts_create_staff(c, "clerk", "李明", clerk_pw, "FS-SCJG", 0, &id, &e) < 0 ||
        accounts_grant(c, id, "staff", 0, &e) < 0) {
        rc = fail("clerk", &e);
        goto out;
    }
    /* A citizen of Chancheng district born 1990-01-01; the legacy 15-digit
     * form gets its check digit computed. */
    char idnum[IDCHECK_BUFSZ];
    idcheck_resident_from15("440604900101123", idnum);
    struct person_input citizen = {"张晓梅", idnum, "13800138000", "zhangxm@example.cn",
                                   citizen_pw};
    if (accounts_register(c, &citizen, NULL, &id, &e) < 0) {
        rc = fail("citizen", &e);
        goto out;
    }
    printf("demo data loaded. Accounts (passwords shown once):\n");
    printf("  system admin   login admin         password %s\n", admin_pw);
    printf("  clerk (市场监督管理局) login clerk  password %s\n", clerk_pw);
    printf("  citizen 张晓梅  login 13800138000  password %s  (ID %s)\n", citizen_pw, idnum);
out:
    cli_hall_close(&h);
    return rc;
}
