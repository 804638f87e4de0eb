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
#include "domain/catalog_demo.h"
#include "domain/catalog_store.h"
#include <stdlib.h>
#include "store/store.h"
#include <stdio.h>
#include <string.h>

/* The demo catalog, once: a hall that already has items keeps them. */
static int load_catalog(struct store_conn *c, unsigned long seed)
{
    int64_t items = 0;
    if (store_query_int64(c, &items, "SELECT COUNT(*) FROM catalog_items", NULL) != STORE_ROW)
        return -1;
    if (items > 0) {
        printf("the catalog already holds %lld item versions; left as it is\n", (long long)items);
        return 0;
    }
    json_t *doc = catalog_demo_build(seed);
    struct catalog_report rep = {0};
    struct catalog_import_counts n;
    struct err e;
    int rc = catalog_import(c, doc, 0, NULL, NULL, NULL, &rep, &n, &e);
    if (rc < 0)
        cli_print_problems(stderr, LANG_EN, &rep);
    else
        printf("demo catalog (seed %lu): %ld departments, %ld halls, %ld service items\n", seed,
               n.departments, n.halls, n.items_added);
    catalog_report_free(&rep);
    json_decref(doc);
    return rc;
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
        printf("usage: onehall demo [--seed N] [--data DIR] [--db URL]\n\n"
               "Loads the demo data: a Foshan-size catalog (157 departments, 6 halls,\n"
               "5,349 service items; the same for the same seed, docs/catalog-demo.md)\n"
               "and four accounts (system admin 'admin', catalog editor 'editor',\n"
               "department clerk 'clerk', and a citizen who logs in with a phone number).\n"
               "Passwords are printed once, on the first run; later runs change nothing.\n");
        return 0;
    }
    unsigned long seed = CATALOG_DEMO_SEED;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--seed") && i + 1 < argc) {
            char *end;
            seed = strtoul(argv[i + 1], &end, 10);
            if (!*argv[i + 1] || *end) {
                fprintf(stderr, "onehall demo: --seed takes a number\n");
                return 2;
            }
            memmove(&argv[i], &argv[i + 2], (size_t)(argc - i - 1) * sizeof *argv);
            argc -= 2;
            break;
        }
    }
    crypto_init(1, 60000);
    struct cli_hall h;
    int rc = cli_hall_open("demo", &argc, argv, &h);
    if (rc)
        return rc;
    struct store_conn *c = h.conn;
    if (load_catalog(c, seed) < 0) {
        fprintf(stderr, "onehall demo: cannot load the demo catalog: %s\n", store_errmsg(c));
        rc = 1;
        goto out;
    }
    int64_t existing = 0;
    if (store_query_int64(c, &existing, "SELECT id FROM accounts WHERE username = 'admin'",
                          NULL) == STORE_ROW) {
        printf("demo data already loaded in %s (passwords were printed the first time)\n",
               h.cfg.db_url && *h.cfg.db_url ? "the database" : h.cfg.data_dir);
        goto out;
    }
    char admin_pw[16], editor_pw[16], clerk_pw[16], citizen_pw[16];
    new_password(admin_pw);
    new_password(editor_pw);
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
    if (accounts_create_staff(c, "editor", "王芳", editor_pw, "FS-ZSJ", 0, &id, &e) < 0 ||
        accounts_grant(c, id, "catalog_editor", 0, &e) < 0) {
        rc = fail("editor", &e);
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
    printf("  catalog editor login editor        password %s\n", editor_pw);
    printf("  clerk (市场监督管理局) login clerk  password %s\n", clerk_pw);
    printf("  citizen 张晓梅  login 13800138000  password %s  (ID %s)\n", citizen_pw, idnum);
out:
    cli_hall_close(&h);
    return rc;
}
