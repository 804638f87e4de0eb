/**
 * @file accounts.c
 * @brief Accounts, roles, passwords, sessions and login throttling.
 */
#include "domain/accounts.h"
#include "core/clock.h"
#include "core/crypto.h"
#include "core/idcheck.h"
#include "core/log.h"
#include "core/utf8.h"
#include "domain/audit.h"
#include "domain/notify.h"
#include "store/store.h"
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int idle_s = 1800, max_s = 43200;

void accounts_configure(int session_idle_s, int session_max_s)
{
    if (session_idle_s > 0)
        idle_s = session_idle_s;
    if (session_max_s > 0)
        max_s = session_max_s;
}

static const char *role_names[] = {"citizen",        "agent",    "staff",   "dept_admin",
                                   "hall_admin",     "catalog_editor", "sysadmin", "auditor",
                                   "terminal"};
#define NROLES (sizeof role_names / sizeof role_names[0])

unsigned role_bit(const char *name)
{
    for (unsigned i = 0; name && i < NROLES; i++)
        if (strcmp(name, role_names[i]) == 0)
            return 1u << i;
    return 0;
}

const char *role_name(unsigned bit)
{
    for (unsigned i = 0; i < NROLES; i++)
        if (bit == 1u << i)
            return role_names[i];
    return NULL;
}

/* --- validation of what people type --- */

static int check_name(const char *s, struct err *e)
{
    if (!s || !*s)
        return err_set(e, ERR_INVALID, "name", "accounts.name_missing", NULL);
    size_t n = strlen(s);
    size_t cps = 0;
    if (utf8_count(s, n, &cps) < 0)
        return err_set(e, ERR_INVALID, "name", "accounts.name_chars", NULL);
    if (cps > 50)
        return err_set(e, ERR_INVALID, "name", "accounts.name_long", NULL);
    /* Names are letters: CJK, Latin, and the middle dot of transliterated
     * names (艾合买提·买买提); markup and SQL punctuation are refused. */
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p < 0x20 || *p == 0x7f || strchr("<>&\"';=(){}[]\\/`%*$#@!?|~^+", *p))
            return err_set(e, ERR_INVALID, "name", "accounts.name_chars", NULL);
    }
    if (s[0] == ' ' || s[n - 1] == ' ')
        return err_set(e, ERR_INVALID, "name", "accounts.name_chars", NULL);
    return 0;
}

/* Mainland mobile numbers: 11 digits starting 1[3-9]; "+86" is dropped. */
static int normalize_phone(const char *in, char out[16], struct err *e)
{
    if (!in || !*in)
        return err_set(e, ERR_INVALID, "phone", "accounts.phone_missing", NULL);
    if (strncmp(in, "+86", 3) == 0)
        in += 3;
    size_t n = strlen(in);
    if (n != 11 || in[0] != '1' || in[1] < '3' || in[1] > '9')
        return err_set(e, ERR_INVALID, "phone", "accounts.phone_bad", NULL);
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)in[i]))
            return err_set(e, ERR_INVALID, "phone", "accounts.phone_bad", NULL);
    memcpy(out, in, 12);
    return 0;
}

static int check_email(const char *s, struct err *e)
{
    if (!s || !*s)
        return 0;
    size_t n = strlen(s);
    const char *at = strchr(s, '@');
    if (n > 254 || !at || at == s || strchr(at + 1, '@') || !strchr(at + 1, '.') ||
        at[1] == '.' || s[n - 1] == '.')
        return err_set(e, ERR_INVALID, "email", "accounts.email_bad", NULL);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p <= ' ' || *p >= 0x7f || strchr("<>()[]\\,;:\"'", *p))
            return err_set(e, ERR_INVALID, "email", "accounts.email_bad", NULL);
    return 0;
}

static int check_password(const char *s, struct err *e)
{
    if (!s || !*s)
        return err_set(e, ERR_INVALID, "password", "accounts.password_missing", NULL);
    size_t n = strlen(s);
    size_t cps = 0;
    if (utf8_count(s, n, &cps) < 0 || n > 128)
        return err_set(e, ERR_INVALID, "password", "accounts.password_weak", NULL);
    int letters = 0, digits = 0, other = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (isdigit(*p))
            digits = 1;
        else if (isalpha(*p))
            letters = 1;
        else
            other = 1;
    }
    if (cps < 8 || letters + digits + other < 2)
        return err_set(e, ERR_INVALID, "password", "accounts.password_weak", NULL);
    return 0;
}

static int normalize_id(const char *in, char out[19], struct err *e)
{
    if (!in || !*in)
        return err_set(e, ERR_INVALID, "id_number", "accounts.id_missing", NULL);
    return idcheck_err(idcheck_resident(in, out), IDCHECK_SUBJECT_ID, "id_number", e);
}

static int map_store(int rc, struct err *e)
{
    if (rc == STORE_CONSTRAINT)
        return err_set(e, ERR_CONFLICT, NULL, NULL, NULL);
    if (rc < 0)
        return err_set(e, ERR_UNAVAILABLE, NULL, "err.detail.storage", NULL);
    return rc;
}

/* Runs one statement with text parameters; returns its step result. When
 * id is not NULL the first column of the first row goes there. */
static int exec_text(struct store_conn *c, int64_t *id, const char *sql, int n, const char **v)
{
    struct store_stmt *st;
    int rc = store_prepare(c, sql, &st);
    if (rc < 0)
        return rc;
    for (int i = 0; i < n; i++)
        store_bind_text(st, i + 1, v[i]);
    rc = store_step(st);
    if (rc == STORE_ROW && id)
        *id = store_column_int64(st, 0);
    store_finalize(st);
    return rc;
}

static int exists(struct store_conn *c, const char *sql, const char *v)
{
    int64_t one = 0;
    int rc = store_query_int64(c, &one, sql, v, NULL);
    return rc < 0 ? rc : rc == STORE_ROW;
}

/* --- registration --- */

struct reg_tx {
    const struct person_input *in;
    const char *id_number, *phone, *hash, *ip;
    int level;
    int64_t id;
    struct err *e;
};

static int insert_person(struct store_conn *c, struct reg_tx *t)
{
    char now[32];
    clock_format_iso(clock_now_ms(), now);
    char level[8];
    snprintf(level, sizeof level, "%d", t->level);
    const char *v[] = {t->in->name, t->id_number, t->phone,
                       t->in->email && *t->in->email ? t->in->email : NULL,
                       t->hash, level, now, now};
    int rc = exec_text(c, &t->id,
                       "INSERT INTO accounts (kind, name, id_number, phone, email, password_hash, "
                       "realname_level, created_at, updated_at) VALUES ('person', ?, ?, ?, ?, ?, "
                       "?, ?, ?) RETURNING id",
                       8, v);
    if (rc != STORE_ROW)
        return rc < 0 ? rc : STORE_ERROR;
    char id[24];
    snprintf(id, sizeof id, "%lld", (long long)t->id);
    const char *r[] = {id, now};
    rc = exec_text(c, NULL,
                   "INSERT INTO account_roles (account_id, role, granted_at) VALUES (?, "
                   "'citizen', ?)",
                   2, r);
    return rc < 0 ? rc : 0;
}

static int register_tx(struct store_conn *c, void *ctx)
{
    struct reg_tx *t = ctx;
    int rc = exists(c, "SELECT 1 FROM accounts WHERE id_number = ?", t->id_number);
    if (rc < 0)
        return rc;
    if (rc)
        return err_set(t->e, ERR_ID_TAKEN, "id_number", "accounts.id_taken", NULL);
    rc = exists(c, "SELECT 1 FROM accounts WHERE phone = ?", t->phone);
    if (rc < 0)
        return rc;
    if (rc)
        return err_set(t->e, ERR_CONFLICT, "phone", "accounts.phone_taken", NULL);
    rc = insert_person(c, t);
    if (rc < 0)
        return rc;
    if ((rc = notify_send(c, t->id, "account.welcome", "notify.welcome.subject",
                          "notify.welcome.body", NULL, "/profile")) < 0)
        return rc;
    char target[32];
    snprintf(target, sizeof target, "account:%lld", (long long)t->id);
    return audit_record(c, t->id, "account.register", target, NULL, t->ip);
}

int accounts_register(struct store_conn *c, const struct person_input *in, const char *ip,
                      int64_t *account_id, struct err *e)
{
    char id[19], phone[16];
    int rc;
    if ((rc = check_name(in->name, e)) < 0 || (rc = normalize_id(in->id_number, id, e)) < 0 ||
        (rc = normalize_phone(in->phone, phone, e)) < 0 || (rc = check_email(in->email, e)) < 0 ||
        (rc = check_password(in->password, e)) < 0)
        return rc;
    char hash[CRYPTO_PWHASH_BUFSZ];
    rc = crypto_password_hash(in->password, hash);
    if (rc < 0)
        return err_set(e, ERR_UNAVAILABLE, NULL, "accounts.busy", NULL);
    err_clear(e);
    struct reg_tx t = {in, id, phone, hash, ip, REALNAME_NONE, 0, e};
    rc = store_tx(c, register_tx, &t);
    if (rc < 0) {
        if (e->code != ERR_OK)
            return -(int)e->code;
        if (rc == STORE_CONSTRAINT) /* a concurrent registration won the race */
            return err_set(e, ERR_ID_TAKEN, "id_number", "accounts.id_taken", NULL);
        return map_store(rc, e);
    }
    if (account_id)
        *account_id = t.id;
    return 0;
}

/* --- staff and roles --- */

struct staff_tx {
    const char *username, *name, *hash, *dept;
    int64_t actor, id;
    struct err *e;
};

static int staff_tx_fn(struct store_conn *c, void *ctx)
{
    struct staff_tx *t = ctx;
    int64_t dept = 0;
    if (t->dept && *t->dept) {
        int rc = store_query_int64(c, &dept, "SELECT id FROM departments WHERE code = ?", t->dept,
                                   NULL);
        if (rc < 0)
            return rc;
        if (rc != STORE_ROW)
            return err_set(t->e, ERR_INVALID, "department", "accounts.dept_unknown", t->dept);
    }
    char now[32], d[24];
    clock_format_iso(clock_now_ms(), now);
    snprintf(d, sizeof d, "%lld", (long long)dept);
    const char *v[] = {t->username, t->name, t->hash, dept ? d : NULL, now, now};
    int rc = exec_text(c, &t->id,
                       "INSERT INTO accounts (kind, username, name, password_hash, department_id, "
                       "realname_level, created_at, updated_at) VALUES ('staff', ?, ?, ?, ?, 1, "
                       "?, ?) RETURNING id",
                       6, v);
    if (rc == STORE_CONSTRAINT)
        return err_set(t->e, ERR_CONFLICT, "username", "accounts.username_taken", t->username);
    if (rc != STORE_ROW)
        return rc < 0 ? rc : STORE_ERROR;
    char target[32];
    snprintf(target, sizeof target, "account:%lld", (long long)t->id);
    return audit_record(c, t->actor, "account.create_staff", target, NULL, NULL);
}

int accounts_create_staff(struct store_conn *c, const char *username, const char *name,
                          const char *password, const char *department_code, int64_t actor_id,
                          int64_t *account_id, struct err *e)
{
    int rc;
    if (!username || strlen(username) < 3 || strlen(username) > 32)
        return err_set(e, ERR_INVALID, "username", "accounts.username_bad", NULL);
    for (const char *p = username; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '_' && *p != '.' && *p != '-')
            return err_set(e, ERR_INVALID, "username", "accounts.username_bad", NULL);
    /* A login name must not be mistaken for an ID or phone number. */
    if (isdigit((unsigned char)username[0]))
        return err_set(e, ERR_INVALID, "username", "accounts.username_bad", NULL);
    if ((rc = check_name(name, e)) < 0 || (rc = check_password(password, e)) < 0)
        return rc;
    char hash[CRYPTO_PWHASH_BUFSZ];
    if (crypto_password_hash(password, hash) < 0)
        return err_set(e, ERR_UNAVAILABLE, NULL, "accounts.busy", NULL);
    err_clear(e);
    struct staff_tx t = {username, name, hash, department_code, actor_id, 0, e};
    rc = store_tx(c, staff_tx_fn, &t);
    if (rc < 0)
        return e->code != ERR_OK ? -(int)e->code : map_store(rc, e);
    if (account_id)
        *account_id = t.id;
    return 0;
}

struct grant_tx {
    int64_t id, actor;
    const char *role;
    int disable;
    struct err *e;
};

static int grant_tx_fn(struct store_conn *c, void *ctx)
{
    struct grant_tx *t = ctx;
    char id[24], actor[24], now[32], target[32];
    snprintf(id, sizeof id, "%lld", (long long)t->id);
    snprintf(actor, sizeof actor, "%lld", (long long)t->actor);
    snprintf(target, sizeof target, "account:%lld", (long long)t->id);
    clock_format_iso(clock_now_ms(), now);
    int rc = exists(c, "SELECT 1 FROM accounts WHERE id = ?", id);
    if (rc < 0)
        return rc;
    if (!rc)
        return err_set(t->e, ERR_NOT_FOUND, NULL, "accounts.not_found", id);
    if (t->role) {
        const char *v[] = {id, t->role, now, t->actor ? actor : NULL};
        rc = exec_text(c, NULL,
                       "INSERT INTO account_roles (account_id, role, granted_at, granted_by) "
                       "VALUES (?, ?, ?, ?) ON CONFLICT (account_id, role) DO NOTHING",
                       4, v);
        if (rc < 0)
            return rc;
        char detail[64];
        snprintf(detail, sizeof detail, "{\"role\":\"%s\"}", t->role);
        return audit_record(c, t->actor, "account.grant", target, detail, NULL);
    }
    const char *v[] = {t->disable ? "1" : "0", now, id};
    rc = exec_text(c, NULL, "UPDATE accounts SET disabled = ?, updated_at = ? WHERE id = ?", 3, v);
    if (rc < 0)
        return rc;
    if (t->disable) {
        const char *s[] = {id};
        rc = exec_text(c, NULL, "DELETE FROM sessions WHERE account_id = ?", 1, s);
        if (rc < 0)
            return rc;
    }
    return audit_record(c, t->actor, t->disable ? "account.disable" : "account.enable", target,
                        NULL, NULL);
}

int accounts_grant(struct store_conn *c, int64_t account_id, const char *role, int64_t actor_id,
                   struct err *e)
{
    if (!role_bit(role))
        return err_set(e, ERR_INVALID, "role", "accounts.role_unknown", role);
    err_clear(e);
    struct grant_tx t = {account_id, actor_id, role, 0, e};
    int rc = store_tx(c, grant_tx_fn, &t);
    return rc < 0 ? (e->code != ERR_OK ? -(int)e->code : map_store(rc, e)) : 0;
}

int accounts_disable(struct store_conn *c, int64_t account_id, int disabled, int64_t actor_id,
                     struct err *e)
{
    err_clear(e);
    struct grant_tx t = {account_id, actor_id, NULL, disabled, e};
    int rc = store_tx(c, grant_tx_fn, &t);
    return rc < 0 ? (e->code != ERR_OK ? -(int)e->code : map_store(rc, e)) : 0;
}

static unsigned load_roles(struct store_conn *c, int64_t id)
{
    struct store_stmt *st;
    unsigned roles = 0;
    if (store_prepare(c, "SELECT role FROM account_roles WHERE account_id = ?", &st) < 0)
        return 0;
    store_bind_int64(st, 1, id);
    while (store_step(st) == STORE_ROW)
        roles |= role_bit(store_column_text(st, 0));
    store_finalize(st);
    return roles;
}

static const char *dup_col(struct arena *a, struct store_stmt *st, int col)
{
    const char *s = store_column_text(st, col);
    return s ? arena_strdup(a, s) : NULL;
}

int accounts_get(struct store_conn *c, struct arena *a, int64_t id, struct account *out,
                 struct err *e)
{
    struct store_stmt *st;
    int rc = store_prepare(c,
                           "SELECT a.id, a.kind, a.username, a.name, a.id_number, a.phone, "
                           "a.email, a.realname_level, a.department_id, d.name, a.disabled, "
                           "a.created_at FROM accounts a LEFT JOIN departments d ON d.id = "
                           "a.department_id WHERE a.id = ?",
                           &st);
    if (rc < 0)
        return map_store(rc, e);
    store_bind_int64(st, 1, id);
    rc = store_step(st);
    if (rc == STORE_ROW) {
        memset(out, 0, sizeof *out);
        out->id = store_column_int64(st, 0);
        out->kind = dup_col(a, st, 1);
        out->username = dup_col(a, st, 2);
        out->name = dup_col(a, st, 3);
        out->id_number = dup_col(a, st, 4);
        out->phone = dup_col(a, st, 5);
        out->email = dup_col(a, st, 6);
        out->realname_level = (int)store_column_int64(st, 7);
        out->department_id = store_column_int64(st, 8);
        out->department_name = dup_col(a, st, 9);
        out->disabled = (int)store_column_int64(st, 10);
        out->created_at = dup_col(a, st, 11);
    }
    store_finalize(st);
    if (rc == STORE_DONE)
        return err_set(e, ERR_NOT_FOUND, NULL, "accounts.not_found", NULL);
    if (rc != STORE_ROW)
        return map_store(rc < 0 ? rc : STORE_ERROR, e);
    out->roles = load_roles(c, id);
    return 0;
}

/* --- login, throttling, sessions --- */

static char dummy[CRYPTO_PWHASH_BUFSZ];
static void make_dummy(void)
{
    crypto_password_hash("no account has this password", dummy);
}

/* A real hash to verify against when no account matched. */
static const char *dummy_hash(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, make_dummy);
    return dummy;
}

/* The throttle key: what was typed, with an ID number's x uppercased. */
static void login_key(const char *username, char *out, size_t n)
{
    snprintf(out, n, "%s", username);
    for (char *p = out; *p; p++)
        if (*p == 'x')
            *p = 'X';
    if (strlen(out) != 18)
        snprintf(out, n, "%s", username);
}

static int64_t throttle_wait_ms(struct store_conn *c, const char *key)
{
    int64_t until = 0;
    int rc = store_query_int64(c, &until, "SELECT locked_until_ms FROM login_failures WHERE "
                                          "username = ?", key, NULL);
    if (rc != STORE_ROW)
        return 0;
    int64_t now = clock_now_ms();
    return until > now ? until - now : 0;
}

struct fail_tx {
    const char *key;
    int64_t wait_ms;
};

static int record_failure(struct store_conn *c, void *ctx)
{
    struct fail_tx *t = ctx;
    int64_t now = clock_now_ms(), failures = 0, last = 0;
    int rc = store_query_int64(c, &last, "SELECT last_ms FROM login_failures WHERE username = ?",
                               t->key, NULL);
    if (rc < 0)
        return rc;
    /* Failures an hour apart start counting afresh. */
    if (rc == STORE_ROW && now - last < 3600 * 1000) {
        rc = store_query_int64(c, &failures,
                               "SELECT failures FROM login_failures WHERE username = ?", t->key,
                               NULL);
        if (rc < 0)
            return rc;
    }
    failures++;
    /* From the 4th failure each try waits twice as long; the 10th locks. */
    int64_t wait = 0;
    if (failures >= 10)
        wait = 15 * 60 * 1000;
    else if (failures >= 4)
        wait = (int64_t)1000 << (failures - 3);
    struct store_stmt *st;
    rc = store_prepare(c,
                       "INSERT INTO login_failures (username, failures, last_ms, locked_until_ms) "
                       "VALUES (?, ?, ?, ?) ON CONFLICT (username) DO UPDATE SET failures = "
                       "excluded.failures, last_ms = excluded.last_ms, locked_until_ms = "
                       "excluded.locked_until_ms",
                       &st);
    if (rc < 0)
        return rc;
    store_bind_text(st, 1, t->key);
    store_bind_int64(st, 2, failures >= 10 ? 0 : failures);
    store_bind_int64(st, 3, now);
    store_bind_int64(st, 4, now + wait);
    rc = store_step(st);
    store_finalize(st);
    t->wait_ms = wait;
    return rc < 0 ? rc : 0;
}

struct session_tx {
    int64_t account;
    const char *hash, *kind, *ip, *key;
};

static int open_session(struct store_conn *c, void *ctx)
{
    struct session_tx *t = ctx;
    int64_t now = clock_now_ms();
    struct store_stmt *st;
    int rc = store_prepare(c,
                           "INSERT INTO sessions (token_hash, account_id, kind, created_ms, "
                           "last_seen_ms, expires_ms, ip) VALUES (?, ?, ?, ?, ?, ?, ?)",
                           &st);
    if (rc < 0)
        return rc;
    store_bind_text(st, 1, t->hash);
    store_bind_int64(st, 2, t->account);
    store_bind_text(st, 3, t->kind);
    store_bind_int64(st, 4, now);
    store_bind_int64(st, 5, now);
    store_bind_int64(st, 6, now + (int64_t)max_s * 1000);
    store_bind_text(st, 7, t->ip ? t->ip : "");
    rc = store_step(st);
    store_finalize(st);
    if (rc < 0)
        return rc;
    const char *k[] = {t->key};
    rc = exec_text(c, NULL, "DELETE FROM login_failures WHERE username = ?", 1, k);
    if (rc < 0)
        return rc;
    char target[32];
    snprintf(target, sizeof target, "account:%lld", (long long)t->account);
    return audit_record(c, t->account, "session.login", target,
                        strcmp(t->kind, "web") == 0 ? "{\"via\":\"web\"}" : "{\"via\":\"api\"}",
                        t->ip);
}

int accounts_login(struct store_conn *c, const char *username, const char *password,
                   enum session_kind kind, const char *ip, char *token, int64_t *account_id,
                   struct err *e)
{
    if (!username || !*username || !password || !*password || strlen(username) > 64 ||
        strlen(password) > 128)
        return err_set(e, ERR_BAD_CREDENTIALS, NULL, "accounts.bad_credentials", NULL);
    char key[80];
    login_key(username, key, sizeof key);
    int64_t wait = throttle_wait_ms(c, key);
    if (wait > 0) {
        char secs[24];
        snprintf(secs, sizeof secs, "%lld", (long long)((wait + 999) / 1000));
        return err_set(e, ERR_LOCKED, NULL, "accounts.locked", secs);
    }
    struct store_stmt *st;
    int rc = store_prepare(c,
                           "SELECT id, password_hash FROM accounts WHERE (id_number = ? OR phone "
                           "= ? OR username = ?) AND disabled = 0 AND password_hash IS NOT NULL",
                           &st);
    if (rc < 0)
        return map_store(rc, e);
    store_bind_text(st, 1, key);
    store_bind_text(st, 2, username);
    store_bind_text(st, 3, username);
    int64_t id = 0;
    char hash[CRYPTO_PWHASH_BUFSZ] = "";
    if ((rc = store_step(st)) == STORE_ROW) {
        id = store_column_int64(st, 0);
        snprintf(hash, sizeof hash, "%s", store_column_text(st, 1));
    }
    store_finalize(st);
    if (rc < 0)
        return map_store(rc, e);
    /* Verify even when nobody matched, so timing does not reveal accounts. */
    rc = crypto_password_verify(id ? hash : dummy_hash(), password);
    if (rc == -ERR_UNAVAILABLE)
        return err_set(e, ERR_UNAVAILABLE, NULL, "accounts.busy", NULL);
    if (rc < 0 || !id) {
        struct fail_tx f = {key, 0};
        rc = store_tx(c, record_failure, &f);
        if (rc < 0)
            return map_store(rc, e);
        return err_set(e, ERR_BAD_CREDENTIALS, NULL, "accounts.bad_credentials", NULL);
    }
    crypto_random_token(token);
    char th[65];
    crypto_sha256_hex(token, strlen(token), th);
    struct session_tx t = {id, th, kind == SESSION_WEB ? "web" : "api", ip, key};
    rc = store_tx(c, open_session, &t);
    if (rc < 0)
        return map_store(rc, e);
    if (account_id)
        *account_id = id;
    return 0;
}

struct logout_tx {
    const char *hash, *ip;
};

static int logout_fn(struct store_conn *c, void *ctx)
{
    struct logout_tx *t = ctx;
    int64_t account = 0;
    int rc = store_query_int64(c, &account, "SELECT account_id FROM sessions WHERE token_hash = ?",
                               t->hash, NULL);
    if (rc != STORE_ROW)
        return rc < 0 ? rc : 0;
    const char *v[] = {t->hash};
    rc = exec_text(c, NULL, "DELETE FROM sessions WHERE token_hash = ?", 1, v);
    if (rc < 0)
        return rc;
    char target[32];
    snprintf(target, sizeof target, "account:%lld", (long long)account);
    return audit_record(c, account, "session.logout", target, NULL, t->ip);
}

int accounts_logout(struct store_conn *c, const char *token, const char *ip)
{
    if (!token || !*token)
        return 0;
    char th[65];
    crypto_sha256_hex(token, strlen(token), th);
    struct logout_tx t = {th, ip};
    return store_tx(c, logout_fn, &t);
}

int accounts_session_principal(struct store_conn *c, struct arena *a, const char *token,
                               enum session_kind kind, struct principal *out)
{
    if (!token || strlen(token) < 20 || strlen(token) > 100)
        return 0;
    char th[65];
    crypto_sha256_hex(token, strlen(token), th);
    struct store_stmt *st;
    /* the roles come along, a row each (one row with none): this runs on
     * every request, and a second query would be a second round trip */
    int rc = store_prepare(c,
                           "SELECT a.id, a.name, COALESCE(a.username, a.phone, ''), "
                           "a.department_id, s.last_seen_ms, s.expires_ms, r.role FROM sessions s "
                           "JOIN accounts a ON a.id = s.account_id LEFT JOIN account_roles r ON "
                           "r.account_id = a.id WHERE s.token_hash = ? AND s.kind = ? AND "
                           "a.disabled = 0",
                           &st);
    if (rc < 0)
        return rc;
    store_bind_text(st, 1, th);
    store_bind_text(st, 2, kind == SESSION_WEB ? "web" : "api");
    rc = store_step(st);
    if (rc != STORE_ROW) {
        store_finalize(st);
        return rc < 0 ? rc : 0;
    }
    int64_t now = clock_now_ms();
    int64_t last = store_column_int64(st, 4), expires = store_column_int64(st, 5);
    memset(out, 0, sizeof *out);
    out->account_id = store_column_int64(st, 0);
    out->name = dup_col(a, st, 1);
    out->username = dup_col(a, st, 2);
    out->department_id = store_column_int64(st, 3);
    out->via_bearer = kind == SESSION_API;
    out->session_hash = arena_strdup(a, th);
    unsigned roles = 0;
    do {
        roles |= role_bit(store_column_text(st, 6));
    } while ((rc = store_step(st)) == STORE_ROW);
    store_finalize(st);
    if (rc < 0)
        return rc;
    if (now > expires || now - last > (int64_t)idle_s * 1000) {
        const char *v[] = {th};
        exec_text(c, NULL, "DELETE FROM sessions WHERE token_hash = ?", 1, v);
        return 0;
    }
    /* Refresh the idle timer at most once a minute: no write per request. */
    if (now - last > 60 * 1000) {
        if (store_prepare(c, "UPDATE sessions SET last_seen_ms = ? WHERE token_hash = ?", &st) ==
            0) {
            store_bind_int64(st, 1, now);
            store_bind_text(st, 2, th);
            store_step(st);
            store_finalize(st);
        }
    }
    out->roles = roles;
    return 1;
}

/* --- verified claims --- */

struct claim_tx {
    const struct person_input *in;
    const char *id_number, *phone, *hash, *ip;
    int level;
    int64_t actor, id;
    struct err *e;
};

static int claim_fn(struct store_conn *c, void *ctx)
{
    struct claim_tx *t = ctx;
    struct store_stmt *st;
    int rc = store_prepare(c, "SELECT id, phone, realname_level FROM accounts WHERE id_number = ?",
                           &st);
    if (rc < 0)
        return rc;
    store_bind_text(st, 1, t->id_number);
    int64_t holder = 0, holder_level = 0;
    char holder_phone[32] = "";
    if ((rc = store_step(st)) == STORE_ROW) {
        holder = store_column_int64(st, 0);
        snprintf(holder_phone, sizeof holder_phone, "%s",
                 store_column_text(st, 1) ? store_column_text(st, 1) : "");
        holder_level = store_column_int64(st, 2);
    }
    store_finalize(st);
    if (rc < 0)
        return rc;
    char now[32], lvl[8], idtxt[24], target[32], detail[96];
    clock_format_iso(clock_now_ms(), now);
    snprintf(lvl, sizeof lvl, "%d", t->level);
    snprintf(detail, sizeof detail, "{\"level\":%d}", t->level);
    if (holder && (holder_level > 0 || strcmp(holder_phone, t->phone) == 0)) {
        /* The holder is this person: raise the level. */
        snprintf(idtxt, sizeof idtxt, "%lld", (long long)holder);
        const char *v[] = {lvl, lvl, t->in->name, now, idtxt};
        rc = exec_text(c, NULL,
                       "UPDATE accounts SET realname_level = CASE WHEN realname_level > ? THEN "
                       "realname_level ELSE ? END, name = ?, updated_at = ? WHERE id = ?",
                       5, v);
        if (rc < 0)
            return rc;
        t->id = holder;
        if ((rc = notify_send(c, holder, "account.verified", "notify.verified.subject",
                              "notify.verified.body", NULL, "/profile")) < 0)
            return rc;
        snprintf(target, sizeof target, "account:%lld", (long long)holder);
        return audit_record(c, t->actor, "account.verify", target, detail, t->ip);
    }
    if (holder) {
        /* An unverified account of someone else holds the number: it loses
         * it and its sessions; the verified owner gets it. */
        snprintf(idtxt, sizeof idtxt, "%lld", (long long)holder);
        const char *v[] = {now, idtxt};
        rc = exec_text(c, NULL,
                       "UPDATE accounts SET id_number = NULL, disabled = 1, updated_at = ? "
                       "WHERE id = ?",
                       2, v);
        if (rc < 0)
            return rc;
        const char *s[] = {idtxt};
        if ((rc = exec_text(c, NULL, "DELETE FROM sessions WHERE account_id = ?", 1, s)) < 0)
            return rc;
        snprintf(target, sizeof target, "account:%lld", (long long)holder);
        rc = audit_record(c, t->actor, "account.id_reclaimed", target, NULL, t->ip);
        if (rc < 0)
            return rc;
    }
    /* The phone may belong to the claimant's own unverified account. */
    int64_t by_phone = 0;
    rc = store_query_int64(c, &by_phone, "SELECT id FROM accounts WHERE phone = ?", t->phone, NULL);
    if (rc < 0)
        return rc;
    if (rc == STORE_ROW) {
        snprintf(idtxt, sizeof idtxt, "%lld", (long long)by_phone);
        const char *v[] = {t->id_number, lvl, t->in->name, now, idtxt};
        rc = exec_text(c, NULL,
                       "UPDATE accounts SET id_number = ?, realname_level = ?, name = ?, "
                       "disabled = 0, updated_at = ? WHERE id = ? AND kind = 'person'",
                       5, v);
        if (rc < 0)
            return rc;
        t->id = by_phone;
    } else {
        struct reg_tx r = {t->in, t->id_number, t->phone, t->hash, t->ip, t->level, 0, t->e};
        if ((rc = insert_person(c, &r)) < 0)
            return rc;
        t->id = r.id;
    }
    if ((rc = notify_send(c, t->id, "account.verified", "notify.verified.subject",
                          "notify.verified.body", NULL, "/profile")) < 0)
        return rc;
    snprintf(target, sizeof target, "account:%lld", (long long)t->id);
    return audit_record(c, t->actor, "account.verify", target, detail, t->ip);
}

int accounts_verify_claim(struct store_conn *c, const struct person_input *in, int level,
                          int64_t actor_id, const char *ip, int64_t *account_id, struct err *e)
{
    char id[19], phone[16];
    int rc;
    if (level != REALNAME_COUNTER && level != REALNAME_KIOSK)
        return err_set(e, ERR_INVALID, "level", "accounts.level_bad", NULL);
    if ((rc = check_name(in->name, e)) < 0 || (rc = normalize_id(in->id_number, id, e)) < 0 ||
        (rc = normalize_phone(in->phone, phone, e)) < 0)
        return rc;
    char hash[CRYPTO_PWHASH_BUFSZ] = "";
    if (in->password && *in->password) {
        if ((rc = check_password(in->password, e)) < 0)
            return rc;
        if (crypto_password_hash(in->password, hash) < 0)
            return err_set(e, ERR_UNAVAILABLE, NULL, "accounts.busy", NULL);
    }
    err_clear(e);
    struct claim_tx t = {in, id, phone, hash[0] ? hash : NULL, ip, level, actor_id, 0, e};
    rc = store_tx(c, claim_fn, &t);
    if (rc < 0)
        return e->code != ERR_OK ? -(int)e->code : map_store(rc, e);
    if (account_id)
        *account_id = t.id;
    return 0;
}
