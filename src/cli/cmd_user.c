/**
 * @file cmd_user.c
 * @brief onehall user: create, list, disable/enable accounts, grant roles.
 */
#include "app/app.h"
#include "cli/cli.h"
#include "core/config.h"
#include "core/crypto.h"
#include "core/idcheck.h"
#include "core/mem.h"
#include "domain/accounts.h"
#include "store/store.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void help(void)
{
    printf("usage: onehall user SUBCOMMAND [--data DIR] [--db URL]\n\n"
           "  create --username LOGIN --name NAME [--department CODE] [--role ROLE]...\n"
           "         [--password-stdin]   staff account; the password is generated and\n"
           "                              printed once unless read from standard input\n"
           "  list                        every account, ID numbers masked\n"
           "  disable LOGIN | enable LOGIN\n"
           "  grant LOGIN ROLE            roles: citizen agent staff dept_admin hall_admin\n"
           "                              catalog_editor sysadmin auditor terminal\n\n"
           "LOGIN is a login name, phone number, ID number or #ID.\n");
}

/* 16 characters of a random token, with at least one letter and one digit
 * so that it passes the password rule. */
static void random_password(char *out)
{
    for (;;) {
        char tok[CRYPTO_TOKEN_BUFSZ];
        crypto_random_token(tok);
        tok[16] = 0;
        if (strpbrk(tok, "0123456789") && strpbrk(tok, "abcdefghijklmnopqrstuvwxyz")) {
            memcpy(out, tok, 17);
            return;
        }
    }
}

/* Finds an account id from a login name, phone, ID number or "#123". */
static int64_t find_account(struct store_conn *c, const char *login)
{
    int64_t id = 0;
    if (login[0] == '#')
        return strtoll(login + 1, NULL, 10);
    char norm[19];
    const char *idn = idcheck_resident(login, norm) == IDCHECK_OK ? norm : login;
    if (store_query_int64(c, &id,
                          "SELECT id FROM accounts WHERE username = ? OR phone = ? OR id_number "
                          "= ?",
                          login, login, idn, NULL) != STORE_ROW)
        return 0;
    return id;
}

static void print_err(const char *what, const struct err *e)
{
    char detail[512];
    trf(LANG_EN, e->key[0] ? e->key : "err.internal-error", e->arg, detail, sizeof detail);
    fprintf(stderr, "onehall user %s: %s%s%s\n", what, e->field[0] ? e->field : "",
            e->field[0] ? ": " : "", detail);
}

static int do_create(struct store_conn *c, int argc, char **argv)
{
    const char *username = NULL, *name = NULL, *dept = NULL;
    const char *roles[16];
    int nroles = 0, from_stdin = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--password-stdin")) {
            from_stdin = 1;
            continue;
        }
        if (!v) {
            fprintf(stderr, "onehall user create: %s needs a value\n", a);
            return 2;
        }
        if (!strcmp(a, "--username"))
            username = v;
        else if (!strcmp(a, "--name"))
            name = v;
        else if (!strcmp(a, "--department"))
            dept = v;
        else if (!strcmp(a, "--role") && nroles < 16)
            roles[nroles++] = v;
        else {
            fprintf(stderr, "onehall user create: unknown option %s\n", a);
            return 2;
        }
        i++;
    }
    if (!username || !name) {
        fprintf(stderr, "onehall user create: --username and --name are required\n");
        return 2;
    }
    for (int i = 0; i < nroles; i++)
        if (!role_bit(roles[i])) {
            fprintf(stderr, "onehall user create: unknown role %s\n", roles[i]);
            return 2;
        }
    char password[160];
    if (from_stdin) {
        if (!fgets(password, sizeof password, stdin)) {
            fprintf(stderr, "onehall user create: no password on standard input\n");
            return 2;
        }
        password[strcspn(password, "\r\n")] = 0;
    } else {
        random_password(password);
    }
    struct err e;
    int64_t id;
    if (accounts_create_staff(c, username, name, password, dept, 0, &id, &e) < 0) {
        print_err("create", &e);
        return 1;
    }
    if (!nroles)
        roles[nroles++] = "staff";
    for (int i = 0; i < nroles; i++)
        if (accounts_grant(c, id, roles[i], 0, &e) < 0) {
            print_err("create", &e);
            return 1;
        }
    printf("created account #%lld %s\n", (long long)id, username);
    if (!from_stdin)
        printf("password: %s\n(shown once; store it safely)\n", password);
    return 0;
}

static int do_list(struct store_conn *c)
{
    struct store_stmt *st;
    if (store_prepare(c, "SELECT id FROM accounts ORDER BY id", &st) < 0)
        return 1;
    struct arena *a = arena_new();
    printf("%-6s %-8s %-16s %-20s %-12s %-5s %s\n", "id", "kind", "login", "id number", "phone",
           "level", "roles");
    int64_t ids[4096];
    int n = 0;
    while (n < 4096 && store_step(st) == STORE_ROW)
        ids[n++] = store_column_int64(st, 0);
    store_finalize(st);
    for (int i = 0; i < n; i++) {
        struct account acc;
        struct err e;
        if (accounts_get(c, a, ids[i], &acc, &e) < 0)
            continue;
        char masked[32] = "-";
        if (acc.id_number)
            idcheck_mask(acc.id_number, masked, sizeof masked);
        struct buf roles = BUF_INIT;
        for (unsigned bit = 1; bit <= ROLE_TERMINAL; bit <<= 1)
            if (acc.roles & bit)
                buf_printf(&roles, "%s%s", roles.len ? "," : "", role_name(bit));
        printf("%-6lld %-8s %-16s %-20s %-12s %-5d %s%s  %s\n", (long long)acc.id, acc.kind,
               acc.username ? acc.username : "-", masked, acc.phone ? acc.phone : "-",
               acc.realname_level, buf_str(&roles), acc.disabled ? " (disabled)" : "", acc.name);
        buf_free(&roles);
    }
    arena_free(a);
    return 0;
}

int cmd_user(int argc, char **argv)
{
    if (argc < 2 || cli_wants_help(argc, argv))
        return help(), argc < 2 ? 2 : 0;
    crypto_init(1, 60000);
    struct cli_hall h;
    int rc = cli_hall_open("user", &argc, argv, &h);
    if (rc)
        return rc;
    struct store_conn *c = h.conn;
    const char *sub = argv[1];
    rc = 2;
    struct err e;
    if (!strcmp(sub, "create")) {
        rc = do_create(c, argc - 2, argv + 2);
    } else if (!strcmp(sub, "list")) {
        rc = do_list(c);
    } else if ((!strcmp(sub, "disable") || !strcmp(sub, "enable")) && argc == 3) {
        int64_t id = find_account(c, argv[2]);
        if (!id)
            fprintf(stderr, "onehall user %s: no account %s\n", sub, argv[2]), rc = 1;
        else if (accounts_disable(c, id, !strcmp(sub, "disable"), 0, &e) < 0)
            print_err(sub, &e), rc = 1;
        else
            printf("account #%lld %sd\n", (long long)id, sub), rc = 0;
    } else if (!strcmp(sub, "grant") && argc == 4) {
        int64_t id = find_account(c, argv[2]);
        if (!id)
            fprintf(stderr, "onehall user grant: no account %s\n", argv[2]), rc = 1;
        else if (accounts_grant(c, id, argv[3], 0, &e) < 0)
            print_err("grant", &e), rc = 1;
        else
            printf("account #%lld granted %s\n", (long long)id, argv[3]), rc = 0;
    } else {
        help();
    }
    cli_hall_close(&h);
    return rc;
}
